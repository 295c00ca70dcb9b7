// Commands that compare the models with a schema: diff, check, schemas.
#include "cli/command.h"
#include "cli/flags.h"
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

// `retort check`: exit 1, printing the SQL, when they differ.
class CheckCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override { autogen_.Add(app); }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Diff(autogen_.ToOptions());
    if (!r.ok()) return ctx.Fail(r.status());
    if (r->empty()) {
      if (!ctx.quiet()) ctx.out() << "No new upgrade operations detected.\n";
      return kExitOk;
    }
    ctx.out() << "New upgrade operations detected:\n" << DiffText(*r);
    return kExitFailed;
  }

 private:
  AutogenFlags autogen_;
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
       "--from migrations) differ",
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
