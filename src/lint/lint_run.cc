// LintProject: choose the revisions, read them oldest first, rank findings.
#include "lint/lint_run.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "dialect/url.h"
#include "lint/lint.h"
#include "lint/lint_catalog.h"
#include "revision/plan.h"

namespace retort {
namespace {

std::string QuoteForSearchPath(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<LintResult> LintProject(const LintProjectInputs& in) {
  LintResult result;
  const RevisionMap& map = *in.map;
  Dialect dialect = Dialect::kPostgres;
  // A SQLite file that does not exist has nothing applied: reading its
  // version table would create it, and lint changes nothing.
  bool no_sqlite_file = false;
  if (!in.target.url.empty()) {
    RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(in.target.url));
    dialect = url.dialect;
    std::error_code ec;
    no_sqlite_file = dialect == Dialect::kSqlite && !url.in_memory() &&
                     !std::filesystem::exists(url.sqlite_path, ec);
  }
  result.dialect = std::string(DialectName(dialect));

  // The database, when there is one and lint may ask it.
  std::unique_ptr<Connection> db;
  std::unique_ptr<PgLintCatalog> catalog;
  std::optional<std::vector<std::string>> current;
  if (!in.options.use_database) {
    // Asked not to: nothing to say.
  } else if (in.target.url.empty()) {
    result.notes.push_back(
        in.url_error.empty()
            ? "no database URL: every revision is linted when none is named, "
              "without table sizes"
            : in.url_error + ": linting without the database");
  } else if (no_sqlite_file) {
    result.notes.push_back(
        "the SQLite database does not exist yet: every revision is linted "
        "when none is named");
  } else {
    auto heads = ReadCurrentHeads(in.target, in.settings);
    Result<std::unique_ptr<Connection>> conn =
        heads.ok() ? Connect(in.target.url)
                   : Result<std::unique_ptr<Connection>>(heads.status());
    if (!conn.ok()) {
      result.notes.push_back(
          "the database could not be reached (" + conn.status().message() +
          "): " +
          (in.options.revisions.empty() ? "every revision is linted, " : "") +
          "without table sizes");
    } else {
      current = *heads;
      db = std::move(conn).value();
      result.database = true;
      if (dialect == Dialect::kPostgres) {
        result.server_version = db->ServerVersion();
        if (!in.target.schema.empty()) {
          RETORT_RETURN_IF_ERROR(db->Execute(
              "SET search_path = " + QuoteForSearchPath(in.target.schema) +
              ", public"));
        }
        catalog = std::make_unique<PgLintCatalog>(db.get());
      }
    }
  }
  if (dialect == Dialect::kSqlite) {
    result.notes.push_back(
        "SQLite: only the file-level rule irreversible-downgrade applies; the "
        "statement rules are PostgreSQL's (SQLite rewrites tables on its own "
        "terms)");
  }

  // Which revisions.
  std::set<std::string> selected;
  if (!in.options.revisions.empty()) {
    for (const std::string& arg : in.options.revisions) {
      RETORT_ASSIGN_OR_RETURN(std::vector<const RevisionNode*> nodes,
                              ResolveRevisions(map, RevisionArg(arg)));
      for (const RevisionNode* n : nodes) {
        if (n != nullptr) selected.insert(n->id());
      }
    }
  } else if (current) {
    RETORT_ASSIGN_OR_RETURN(std::vector<MigrationStep> steps,
                            PlanUpgrade(map, "heads", *current));
    for (const MigrationStep& step : steps) {
      if (step.revision != nullptr) selected.insert(step.revision->id());
    }
    if (selected.empty()) {
      result.notes.push_back(
          "the database is at its heads: no pending revision to lint (name "
          "revisions to lint them, e.g. 'retort lint heads')");
    }
  }
  // Oldest first, so a revision sees what the earlier ones created.
  RETORT_ASSIGN_OR_RETURN(std::vector<const RevisionNode*> walk,
                          WalkRevisions(map));
  std::reverse(walk.begin(), walk.end());
  if (in.options.revisions.empty() && !current) {
    for (const RevisionNode* n : walk) {
      if (n != nullptr) selected.insert(n->id());
    }
  }
  // What the database has not applied: its tables are new to the
  // revisions after it.
  std::set<std::string> pending;
  if (current) {
    RETORT_ASSIGN_OR_RETURN(std::vector<MigrationStep> steps,
                            PlanUpgrade(map, "heads", *current));
    for (const MigrationStep& step : steps) {
      if (step.revision != nullptr) pending.insert(step.revision->id());
    }
  }
  size_t last = 0;
  for (size_t i = 0; i < walk.size(); ++i) {
    if (walk[i] != nullptr && selected.count(walk[i]->id())) last = i + 1;
  }
  LintEnvironment env;
  env.lock_timeout = in.lock_timeout;
  env.config_name = in.config_name;
  env.catalog = catalog.get();
  LintState state;
  std::vector<LintFileFinding> found;
  for (size_t i = 0; i < last; ++i) {
    const RevisionNode* node = walk[i];
    if (node == nullptr) continue;
    const bool report = selected.count(node->id()) > 0;
    // With a database, what is applied is read from its catalog instead.
    if (!report && catalog) continue;
    const RevisionFile* file = in.scripts->Find(node->id());
    if (file == nullptr) continue;
    LintFileInput input;
    input.revision = node->id();
    input.path = file->revision.path;
    RETORT_ASSIGN_OR_RETURN(input.sections,
                            in.scripts->ReadSections(file->revision));
    input.placeholders = in.placeholders;
    input.dialect = dialect;
    input.transactional = file->transactional.value_or(true);
    input.lock_timeout = file->lock_timeout;
    input.pending = pending.count(node->id()) > 0;
    input.report = report;
    RETORT_ASSIGN_OR_RETURN(std::vector<LintFileFinding> findings,
                            LintFile(input, env, &state, &result.disabled));
    if (report) result.revisions.push_back(node->id());
    for (LintFileFinding& f : findings) found.push_back(std::move(f));
  }

  // Live sizes, then the largest tables first.
  if (catalog) {
    for (LintFileFinding& f : found) {
      if (!f.table.name.empty()) {
        f.finding.size = catalog->TableSize(f.table);
      }
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const LintFileFinding& a, const LintFileFinding& b) {
                     const auto& x = a.finding.size;
                     const auto& y = b.finding.size;
                     if (x.has_value() != y.has_value()) return x.has_value();
                     return x && y && x->bytes > y->bytes;
                   });
  for (LintFileFinding& f : found) {
    result.findings.push_back(std::move(f.finding));
  }
  return result;
}

}  // namespace retort
