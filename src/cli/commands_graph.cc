// Commands that read the revision graph: heads, branches, history, show,
// edit.
#include <cstdlib>

#include "cli/command.h"
#include "cli/log.h"
#include "cli/output.h"
#include "retort/pictures.h"

namespace retort {
namespace {

// Prints a list of revisions (or the error) with `format`; as JSON with
// "is_current" when `with_current` (history -i).
int PrintRevisions(CliContext& ctx,
                   const Result<std::vector<RevisionInfo>>& revisions,
                   const FormatOptions& format, bool with_current = false) {
  if (!revisions.ok()) return ctx.Fail(revisions.status());
  ctx.out() << RevisionsOutput(*revisions, format, ctx.json(), with_current);
  return kExitOk;
}

// `retort heads [-v] [--resolve-dependencies]`.
class HeadsCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_flag("-v,--verbose", verbose_,
                  "each revision in full: path, parents, labels, date");
    app->add_flag("--resolve-dependencies", resolve_dependencies_,
                  "treat dependencies as parents");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    FormatOptions f;
    f.verbose = verbose_ || ctx.verbose();
    f.include_branches = true;
    f.tree_indicators = false;
    return PrintRevisions(
        ctx, (*m)->Heads({.resolve_dependencies = resolve_dependencies_}), f);
  }

 private:
  bool verbose_ = false;
  bool resolve_dependencies_ = false;
};

// `retort branches [-v]`.
class BranchesCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_flag("-v,--verbose", verbose_,
                  "each branch point in full: path, parents, labels, date");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Branches();
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(BranchesJson(*r));
    } else {
      ctx.out() << BranchesText(*r, verbose_ || ctx.verbose());
    }
    return kExitOk;
  }

 private:
  bool verbose_ = false;
};

// `retort history [-r START:END] [-v] [-i]`.
class HistoryCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("-r,--rev-range", range_,
                    "only the revisions from START to END, either left out "
                    "for the end of the graph: START:END, e.g. ae10:, -3:, "
                    "base:current");
    app->add_flag("-v,--verbose", verbose_,
                  "each revision in full: path, parents, labels, date");
    app->add_flag("-i,--indicate-current", indicate_current_,
                  "mark the database's current revision");
    app->add_flag("--graph", graph_,
                  "draw the graph's lanes as git log --graph does; the "
                  "database's current revisions are marked when it can be "
                  "reached");
  }

  int Run(CliContext& ctx) override {
    if (graph_ && ctx.json()) {
      return ctx.UsageError(
          "history --graph draws text; history --format json lists each "
          "revision's parents instead");
    }
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    if (graph_) return RunGraph(ctx, *m);
    FormatOptions f;
    f.verbose = verbose_ || ctx.verbose();
    f.include_branches = true;
    f.include_doc = true;
    f.include_parents = true;
    return PrintRevisions(ctx,
                          indicate_current_ ? (*m)->HistoryWithCurrent(range_)
                                            : (*m)->History(range_),
                          f, indicate_current_);
  }

 private:
  // The lanes, the current revisions marked when the database answers
  // (with -i, not answering is an error; without, a warning).
  int RunGraph(CliContext& ctx, Migrator* m) {
    auto revisions = m->HistoryWithCurrent(range_);
    bool marked = revisions.ok();
    if (!revisions.ok()) {
      if (indicate_current_) return ctx.Fail(revisions.status());
      Status why = revisions.status();
      revisions = m->History(range_);
      if (!revisions.ok()) return ctx.Fail(revisions.status());
      if (!ctx.quiet()) {
        ReportWarning("current revisions not marked: " + why.message());
      }
    }
    GraphPictureOptions o;
    o.mark_current = marked;
    o.color = UseColorOnStdout();
    ctx.out() << RevisionGraphText(*revisions, o);
    return kExitOk;
  }

  std::string range_;
  bool verbose_ = false;
  bool indicate_current_ = false;
  bool graph_ = false;
};

// `retort show REV`.
class ShowCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("rev", revision_,
                    "the revision: an id or its first four or more "
                    "characters, a branch label, head, base, ...")
        ->required();
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    FormatOptions f;
    f.verbose = true;
    return PrintRevisions(ctx, (*m)->Show(revision_), f);
  }

 private:
  std::string revision_;
};

// `retort edit [REV]`: opens the file in $VISUAL or $EDITOR.
class EditCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("rev", revision_,
                    "the revision whose file to open (default: head)");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Show(revision_.empty() ? "head" : revision_);
    if (!r.ok()) return ctx.Fail(r.status());
    const char* editor = std::getenv("VISUAL");
    if (!editor || !*editor) editor = std::getenv("EDITOR");
    if (!editor || !*editor) {
      return ctx.Fail(Status::InvalidArgument(
          "no editor: set $EDITOR (or $VISUAL), e.g. EDITOR=vi"));
    }
    for (const auto& rev : *r) {
      std::string cmd = std::string(editor) + " '" + rev.path + "'";
      if (std::system(cmd.c_str()) != 0) {
        return ctx.Fail(Status::IOError("editor '" + std::string(editor) +
                                        "' failed on " + rev.path));
      }
    }
    return kExitOk;
  }

 private:
  std::string revision_;
};

}  // namespace

std::vector<CommandInfo> GraphCommands() {
  return {
      {"heads",
       "show the heads of the revision graph",
       {},
       MakeCommand<HeadsCommand>},
      {"branches", "show branch points", {}, MakeCommand<BranchesCommand>},
      {"history",
       "list revisions, newest first",
       {},
       MakeCommand<HistoryCommand>},
      {"show", "show one revision", {}, MakeCommand<ShowCommand>},
      {"edit", "open a revision file in $EDITOR", {}, MakeCommand<EditCommand>},
  };
}

}  // namespace retort
