// `retort lint [REV...]`: the lint rules of docs/lint.md over revision
// files; exit 1 when an error-severity rule fires.
#include <filesystem>

#include "cli/command.h"
#include "cli/lint_output.h"
#include "cli/output.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

// `path` relative to the working folder when it is inside it, as editors
// and CI annotations want it; otherwise as it is.
std::string ShownPath(const std::string& path) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return path;
  fs::path rel = fs::path(path).lexically_relative(cwd);
  if (rel.empty() || *rel.begin() == "..") return path;
  return rel.generic_string();
}

class LintCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("revisions", options_.revisions,
                    "revisions to lint (default: the pending ones when the "
                    "database can be reached, else all)");
    app->add_flag("--no-database", no_database_,
                  "do not connect: no pending revisions, sizes or server "
                  "version");
    app->add_flag("--rules", rules_, "list the rules and exit");
  }

  int Run(CliContext& ctx) override {
    if (rules_) {
      ctx.out() << (ctx.json() ? JsonText(LintRulesJson()) : LintRulesText());
      return kExitOk;
    }
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    options_.use_database = !no_database_;
    auto r = (*m)->Lint(options_);
    if (!r.ok()) return ctx.Fail(r.status());
    LintResult& result = *r;
    for (LintFinding& f : result.findings) f.path = ShownPath(f.path);
    if (ctx.json()) {
      ctx.out() << JsonText(LintJson(result));
    } else {
      if (!ctx.quiet()) {
        for (const std::string& note : result.notes) {
          ctx.err() << "note: " << note << "\n";
        }
      }
      ctx.out() << LintText(result, ctx.verbose());
    }
    return result.errors() > 0 ? kExitFailed : kExitOk;
  }

 private:
  LintOptions options_;
  bool no_database_ = false;
  bool rules_ = false;
};

}  // namespace

std::vector<CommandInfo> LintCommands() {
  return {
      {"lint",
       "check revisions for statements that drop data, rewrite or lock busy "
       "tables (exit 1 on an error-severity rule)",
       {},
       MakeCommand<LintCommand>},
  };
}

}  // namespace retort
