// Commands that rewrite the history: squash and rebase (docs/hygiene.md).
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/hygiene_output.h"
#include "cli/output.h"
#include "util/strings.h"

namespace retort {
namespace {

// `retort squash START:END -m MSG [--dry-run] [--dev D]`.
class SquashCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("range", options_.range,
                    "START:END, the first and the last revision to replace")
        ->required();
    app->add_option("-m,--message", options_.message,
                    "the squashed revision's message")
        ->required();
    app->add_flag("--dry-run", options_.dry_run,
                  "check and verify, print the new file, change nothing");
    app->add_option("--dev", options_.dev,
                    "where the verification's scratch databases go: "
                    "'ephemeral' or a dev database URL; default: dev_url, "
                    "else the database's server, else a throwaway cluster");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Squash(options_);
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(SquashJson(*r));
      return kExitOk;
    }
    if (r->dry_run) {
      ctx.out() << r->text;
      if (!ctx.quiet()) {
        ctx.err() << "Would replace " << Join(r->replaced, ", ") << " by "
                  << r->path << " (verified in " << r->scratch
                  << "); nothing was changed\n";
      }
      return kExitOk;
    }
    if (!ctx.quiet()) {
      ctx.out() << "Squashed " << Join(r->replaced, ", ") << " into " << r->path
                << " (verified in " << r->scratch << ")\n";
      for (const std::string& f : r->removed_files) {
        ctx.out() << "  removed " << f << "\n";
      }
    }
    return kExitOk;
  }

 private:
  SquashOptions options_;
};

// `retort rebase REV --onto TARGET [--dry-run]`.
class RebaseCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("revision", options_.revision,
                    "the first revision of the line to move (the line runs "
                    "from it to its head)")
        ->required();
    app->add_option("--onto", options_.onto,
                    "the revision REV's line moves onto, usually the other "
                    "head")
        ->required();
    app->add_flag("--dry-run", options_.dry_run,
                  "check and print the plan, change nothing");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Rebase(options_);
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(RebaseJson(*r));
      return kExitOk;
    }
    ctx.out() << RebaseText(*r, ctx.quiet());
    return kExitOk;
  }

 private:
  RebaseOptions options_;
};

}  // namespace

std::vector<CommandInfo> HygieneCommands() {
  return {
      {"squash",
       "replace the revisions START:END by one keeping END's id, verified "
       "by replaying both histories into scratch databases",
       {},
       MakeCommand<SquashCommand>},
      {"rebase",
       "move the unreleased line from REV to its head onto --onto TARGET "
       "(usually the other head) by rewriting REV's Revises",
       {},
       MakeCommand<RebaseCommand>},
  };
}

}  // namespace retort
