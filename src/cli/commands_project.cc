// Project commands: init, list-templates.
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
    ctx.out() << TemplatesText(Migrator::ListTemplates());
    return kExitOk;
  }
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
  };
}

}  // namespace retort
