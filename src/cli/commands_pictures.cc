// Commands that draw the project: graph (the revision graph as Graphviz
// dot or mermaid) and schema-graph (the tables and their foreign keys).
#include "cli/command.h"
#include "retort/pictures.h"

namespace retort {
namespace {

// The --format of graph and schema-graph: dot or mermaid (their own flag;
// the global --format is text|json).
void AddPictureFormat(CLI::App* app, std::string* format) {
  app->add_option("--format", *format,
                  "dot (Graphviz: dot -Tsvg) or mermaid (GitHub, GitLab "
                  "and most wikis render it); default dot")
      ->type_name("dot|mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));
}

// `retort graph [--format dot|mermaid] [-r RANGE] [-i]`.
class GraphCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    AddPictureFormat(app, &format_);
    app->add_option("-r,--rev-range", range_,
                    "only the revisions from START to END: START:END, "
                    "either left out for the end of the graph");
    app->add_flag("-i,--indicate-current", indicate_current_,
                  "fill the database's current revisions (connects)");
  }

  int Run(CliContext& ctx) override {
    if (ctx.json()) {
      return ctx.UsageError(
          "graph draws dot or mermaid (graph --format dot|mermaid); for the "
          "graph as JSON use history --format json, which lists each "
          "revision's parents");
    }
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto revisions = indicate_current_ ? (*m)->HistoryWithCurrent(range_)
                                       : (*m)->History(range_);
    if (!revisions.ok()) return ctx.Fail(revisions.status());
    GraphPictureOptions o;
    o.mark_current = indicate_current_;
    o.title = ctx.SchemaFlag();
    ctx.out() << (format_ == "mermaid" ? RevisionGraphMermaid(*revisions, o)
                                       : RevisionGraphDot(*revisions, o));
    return kExitOk;
  }

 private:
  std::string format_ = "dot";
  std::string range_;
  bool indicate_current_ = false;
};

// `retort schema-graph [--format dot|mermaid] [--from models|database]
// [--all-columns] [--dev URL]`.
class SchemaGraphCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    AddPictureFormat(app, &format_);
    app->add_option("--from", from_,
                    "models (loaded into a scratch database, as "
                    "autogenerate loads them) or database (the live one, "
                    "only read); default models")
        ->type_name("models|database")
        ->check(CLI::IsMember({"models", "database"}));
    app->add_flag("--all-columns", all_columns_,
                  "every column, not only primary and foreign keys");
    app->add_option("--dev", dev_,
                    "with --from models: where the scratch database goes "
                    "(a PostgreSQL URL, or ephemeral), as for diff")
        ->type_name("URL");
  }

  int Run(CliContext& ctx) override {
    if (ctx.json()) {
      return ctx.UsageError(
          "schema-graph draws dot or mermaid (schema-graph --format "
          "dot|mermaid)");
    }
    if (!dev_.empty() && from_ == "database") {
      return ctx.UsageError(
          "--dev is where the models load; with --from database nothing "
          "is loaded");
    }
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    DiagramOptions options;
    options.from = from_ == "database" ? DiagramOptions::From::kDatabase
                                       : DiagramOptions::From::kModels;
    options.dev = dev_;
    auto diagram = (*m)->Diagram(options);
    if (!diagram.ok()) return ctx.Fail(diagram.status());
    DiagramPictureOptions o;
    o.all_columns = all_columns_;
    o.title = ctx.SchemaFlag();
    ctx.out() << (format_ == "mermaid" ? SchemaDiagramMermaid(*diagram, o)
                                       : SchemaDiagramDot(*diagram, o));
    return kExitOk;
  }

 private:
  std::string format_ = "dot";
  std::string from_ = "models";
  std::string dev_;
  bool all_columns_ = false;
};

}  // namespace

std::vector<CommandInfo> PictureCommands() {
  return {
      {"graph",
       "draw the revision graph as Graphviz dot or mermaid",
       {},
       MakeCommand<GraphCommand>},
      {"schema-graph",
       "draw the tables and foreign keys of the models or the database as "
       "dot or mermaid",
       {},
       MakeCommand<SchemaGraphCommand>},
  };
}

}  // namespace retort
