// Commands that compare the models with a schema: diff, check (which
// also checks the history: --single-head, --stairway), schemas.
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/hygiene_output.h"
#include "cli/log.h"
#include "cli/output.h"

namespace retort {
namespace {

// `retort diff`: the SQL that brings the database (or the migrations) to
// the models.
class DiffCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override { autogen_.Add(app); }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Diff(autogen_.ToOptions());
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(DiffJson(*r));
    } else if (r->empty()) {
      if (!ctx.quiet()) ctx.err() << "No changes in schema detected.\n";
    } else {
      ctx.out() << DiffText(*r);
    }
    return kExitOk;
  }

 private:
  AutogenFlags autogen_;
};

// `retort check`: exit 1, printing the SQL, when they differ. With
// --single-head or --stairway it checks the history instead
// (docs/hygiene.md).
class CheckCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    autogen_.Add(app);
    single_head_ = app->add_flag(
        "--single-head", single_head_value_,
        "exit 1 naming the heads when a branch (a branch "
        "label's line, a [schemas.*] branch, or the whole graph when it has "
        "no labels) has more than one head; needs no database and no models");
    stairway_ = app->add_option(
                        "--stairway", stairway_options_.range,
                        "upgrade, downgrade and upgrade again each revision "
                        "(of START:END, default all) in a scratch database, "
                        "exit 1 when a downgrade does not undo its upgrade")
                    ->expected(0, 1);
    app->add_flag("--all", stairway_options_.every,
                  "with --stairway: report every failing revision, not only "
                  "the first")
        ->needs(stairway_);
  }

  int Run(CliContext& ctx) override {
    if (*single_head_ && *stairway_) {
      return ctx.UsageError("--single-head and --stairway are separate checks");
    }
    if ((*single_head_ || *stairway_) &&
        (!autogen_.from.empty() || autogen_.online ||
         (*single_head_ && !autogen_.dev.empty()))) {
      return ctx.UsageError(
          std::string(*single_head_ ? "--single-head" : "--stairway") +
          " checks the history, not the models: --from, --online" +
          (*single_head_ ? " and --dev do" : " do") + " not apply");
    }
    if (*single_head_) return SingleHead(ctx);
    if (*stairway_) return Stairway(ctx);
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Diff(autogen_.ToOptions());
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(CheckJson(*r));
      return r->empty() ? kExitOk : kExitFailed;
    }
    if (r->empty()) {
      if (!ctx.quiet()) ctx.out() << "No new upgrade operations detected.\n";
      return kExitOk;
    }
    ctx.out() << "New upgrade operations detected:\n" << DiffText(*r);
    return kExitFailed;
  }

 private:
  int SingleHead(CliContext& ctx) {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->CheckSingleHead();
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(SingleHeadJson(*r));
    } else if (!r->ok() || !ctx.quiet()) {
      ctx.out() << SingleHeadText(*r);
    }
    if (r->ok()) return kExitOk;
    ReportError(SingleHeadError(*r));
    return kExitFailed;
  }

  int Stairway(CliContext& ctx) {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    stairway_options_.dev = autogen_.dev;
    auto r = (*m)->Stairway(stairway_options_);
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(StairwayJson(*r));
    } else {
      ctx.out() << StairwayText(*r, ctx.quiet());
    }
    if (r->ok()) return kExitOk;
    ReportError(StairwayError(*r));
    return kExitFailed;
  }

  AutogenFlags autogen_;
  bool single_head_value_ = false;
  CLI::Option* single_head_ = nullptr;
  CLI::Option* stairway_ = nullptr;
  StairwayOptions stairway_options_;
};

// `retort schemas`: the schemas the models define or mention.
class SchemasCommand : public Command {
 public:
  void AddFlags(CLI::App*) override {}

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->ModelSchemas();
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(ModelSchemasJson(*r));
    } else {
      ctx.out() << ModelSchemasText(*r);
    }
    return kExitOk;
  }
};

}  // namespace

std::vector<CommandInfo> AutogenCommands() {
  return {
      {"diff",
       "print the SQL that brings the database (or --from migrations) to "
       "the models",
       {},
       MakeCommand<DiffCommand>},
      {"check",
       "exit 1, printing the SQL, when the models and the database (or "
       "--from migrations) differ; --single-head, --stairway check the "
       "history",
       {},
       MakeCommand<CheckCommand>},
      {"schemas",
       "list the schemas the models define or mention, with table counts "
       "(no database needed)",
       {},
       MakeCommand<SchemasCommand>},
  };
}

}  // namespace retort
