// Commands that write revision files: revision, merge.
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/lint_output.h"
#include "cli/output.h"

namespace retort {
namespace {

// What revision and merge print: "Generating PATH ...  done", or the new
// revision as JSON.
// `expand`: the expand revision written before a contract one (an online
// plan with removals), printed first.
int PrintWritten(CliContext& ctx, const Result<RevisionInfo>& written,
                 const RevisionInfo* expand = nullptr) {
  if (!written.ok()) return ctx.Fail(written.status());
  if (ctx.json()) {
    ctx.out() << JsonText(RevisionJson(*written));
  } else if (!ctx.quiet()) {
    if (expand) ctx.out() << "Generating " << expand->path << " ...  done\n";
    ctx.out() << "Generating " << written->path << " ...  done\n";
  }
  return kExitOk;
}

// `retort revision -m MSG [--autogenerate] ...`.
class RevisionCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("-m,--message", options_.message,
                    "the message: the file's first line, shown by history");
    app->add_flag("--autogenerate", options_.autogenerate,
                  "fill the file with the difference between the models "
                  "and the database");
    app->add_option("--head", options_.head,
                    "revision the new one is based on (default: head)");
    app->add_flag("--splice", options_.splice,
                  "allow a non-head --head, starting a new branch");
    app->add_option("--branch-label", options_.branch_labels,
                    "branch label for the new revision")
        ->take_last();
    app->add_option("--depends-on", options_.depends_on,
                    "revision this one depends on (repeatable)");
    app->add_option("--rev-id", options_.rev_id, "id instead of a random one");
    app->add_option("--version-path", options_.version_path,
                    "folder for the new file");
    autogen_.Add(app);
  }

  int Run(CliContext& ctx) override {
    if (autogen_.any() && !options_.autogenerate) {
      return ctx.Fail(Status::InvalidArgument(
          "--from, --dev and --online go with --autogenerate"));
    }
    options_.autogen = autogen_.ToOptions();
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    Result<RevisionInfo> written = (*m)->CreateRevision(options_);
    // An online plan with removals wrote two: the expand one is the
    // contract one's parent.
    std::optional<RevisionInfo> expand;
    if (written.ok() && written->phase == "contract" &&
        written->down_revisions.size() == 1) {
      auto parent = (*m)->Show(written->down_revisions[0]);
      if (parent.ok() && parent->size() == 1 &&
          (*parent)[0].phase == "expand") {
        expand = (*parent)[0];
      }
    }
    int code = PrintWritten(ctx, written, expand ? &*expand : nullptr);
    if (code == kExitOk && options_.autogenerate && !ctx.quiet()) {
      // The file is written either way: its lint findings are warnings
      // for the reviewer (docs/lint.md), never a failure.
      LintOptions lint;
      lint.revisions = {written->id};
      if (expand) lint.revisions.push_back(expand->id);
      auto found = (*m)->Lint(lint);
      if (!found.ok()) {
        ctx.err() << "warning: lint: " << found.status().message() << "\n";
      } else {
        for (const std::string& line : LintWarningLines(*found)) {
          ctx.err() << "warning: " << line << "\n";
        }
      }
    }
    return code;
  }

 private:
  CreateRevisionOptions options_;
  AutogenFlags autogen_;
};

// `retort merge REV REV... -m MSG`.
class MergeCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("revisions", options_.revisions,
                    "revisions to merge (e.g. heads)")
        ->required();
    app->add_option("-m,--message", options_.message,
                    "the merge revision's message");
    app->add_option("--branch-label", options_.branch_labels,
                    "branch label for the merge revision")
        ->take_last();
    app->add_option("--rev-id", options_.rev_id, "id instead of a random one");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    return PrintWritten(ctx, (*m)->Merge(options_));
  }

 private:
  MergeOptions options_;
};

}  // namespace

std::vector<CommandInfo> RevisionCommands() {
  return {
      {"revision",
       "create a new revision file",
       {},
       MakeCommand<RevisionCommand>},
      {"merge",
       "merge two or more revisions into one",
       {},
       MakeCommand<MergeCommand>},
  };
}

}  // namespace retort
