// Project commands: init, list-templates, import-alembic.
#include <iostream>

#include "cli/command.h"
#include "cli/output.h"

namespace retort {
namespace {

// `retort init [-t TEMPLATE] DIRECTORY`: a new project from a template.
class InitCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("directory", directory_, "folder for the migration scripts")
        ->required();
    app->add_option("-t,--template", template_,
                    "project template (see list-templates)");
  }

  int Run(CliContext& ctx) override {
    std::string config =
        ctx.flags().config.empty() ? "retort.toml" : ctx.flags().config;
    Status s = Migrator::Init(directory_, template_, config);
    if (!s.ok()) return ctx.Fail(s);
    if (!ctx.quiet()) {
      ctx.out() << "Created " << directory_ << "/ and " << config
                << "; edit the url in " << config
                << " and run 'retort revision -m \"first\"'\n";
    }
    return kExitOk;
  }

 private:
  std::string directory_;
  std::string template_ = "generic";
};

// `retort list-templates`.
class ListTemplatesCommand : public Command {
 public:
  void AddFlags(CLI::App*) override {}
  int Run(CliContext& ctx) override {
    if (ctx.json()) {
      ctx.out() << JsonText(TemplatesJson(Migrator::ListTemplates()));
    } else {
      ctx.out() << TemplatesText(Migrator::ListTemplates());
    }
    return kExitOk;
  }
};

// `retort import-alembic PATH`: an Alembic project's revisions as retort
// revision files. Exit 3 when sections were left to convert by hand.
class ImportAlembicCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("path", options_.path,
                    "alembic.ini, or the Alembic scripts folder (the one "
                    "holding env.py and versions/)")
        ->required();
    app->add_option("--dialect", options_.dialect,
                    "render the SQL for postgresql or sqlite (default: "
                    "the database of retort.toml's url, else of "
                    "alembic.ini's sqlalchemy.url)")
        ->check(CLI::IsMember({"postgresql", "sqlite"}));
    app->add_flag("--dry-run", options_.dry_run,
                  "print what would be written; write nothing");
    app->add_flag("--force", options_.force,
                  "also overwrite files edited by hand since the last "
                  "import");
    app->add_option("--jobs", options_.jobs,
                    "Python processes rendering in parallel (default: 1 "
                    "below 40 revisions, else one per core, at most 4)")
        ->check(CLI::Range(1, 64));
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->ImportAlembic(options_);
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(ImportJson(*r));
    } else if (ctx.quiet()) {
      ctx.out() << ImportTodoText(*r);
    } else {
      ctx.out() << ImportText(*r, ctx.verbose());
    }
    return r->todos.empty() ? kExitOk : kExitTodo;
  }

 private:
  ImportAlembicOptions options_;
};

}  // namespace

std::vector<CommandInfo> ProjectCommands() {
  return {
      {"init",
       "create a new project in DIRECTORY",
       {},
       MakeCommand<InitCommand>},
      {"list-templates",
       "list project templates",
       {"list_templates"},
       MakeCommand<ListTemplatesCommand>},
      {"import-alembic",
       "convert an Alembic project's revisions into retort revision files "
       "(same ids); exit 3 when some need converting by hand",
       {},
       MakeCommand<ImportAlembicCommand>},
  };
}

}  // namespace retort
