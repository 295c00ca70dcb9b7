// The lint engine: reads one revision file's statements with PostgreSQL's
// own parser (libpg_query) and reports the rules of docs/lint.md that fire.
// It never connects: what the database knows (column types, validated
// checks, the server version) comes through a LintCatalog, which tests
// fake; what earlier revisions did comes through LintState.
#ifndef RETORT_LINT_LINT_H_
#define RETORT_LINT_LINT_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "retort/lint.h"
#include "retort/status.h"
#include "script/revision_file.h"

namespace retort {

// The rule with this id; nullptr when there is none.
const LintRuleInfo* FindLintRule(std::string_view id);

// A table as a statement names it (identifiers already case-folded by the
// parser). An empty schema is the session's search_path.
struct LintTable {
  std::string schema;
  std::string name;
  // "auth.users" or "users".
  std::string Display() const;
  bool operator<(const LintTable& o) const {
    return schema != o.schema ? schema < o.schema : name < o.name;
  }
  bool operator==(const LintTable& o) const = default;
};

// LintCatalog is what a live database tells lint. Implementations answer
// from the catalog (lint_catalog.h) or, in tests, from a map.
class LintCatalog {
 public:
  virtual ~LintCatalog() = default;
  // server_version_num, e.g. 150004.
  virtual int server_version() const = 0;
  // The column's type as format_type() writes it ("character varying(20)");
  // nullopt when the table or the column does not exist.
  virtual std::optional<std::string> ColumnType(const LintTable& table,
                                                const std::string& column) = 0;
  // True when the table has a validated CHECK (column IS NOT NULL), which
  // lets SET NOT NULL skip its scan (PostgreSQL 12+).
  virtual bool HasNotNullCheck(const LintTable& table,
                               const std::string& column) = 0;
  // The table an existing index is on; nullopt when there is no such index.
  virtual std::optional<LintTable> IndexTable(const LintTable& index) {
    (void)index;
    return std::nullopt;
  }
};

// LintState is what the statements linted so far created: column types,
// and validated "CHECK (c IS NOT NULL)" constraints. Revisions are linted
// oldest first, so a later revision sees what an earlier one did.
struct LintState {
  // "table|column" (LintTable::Display) -> the type as a TypeName's text.
  std::map<std::string, std::string> column_types;
  // "table|column" with a validated NOT NULL check.
  std::set<std::string> not_null_checks;
  // "table|constraint" -> column, for checks added NOT VALID.
  std::map<std::string, std::string> unvalidated_checks;
  // Tables created by earlier revisions of the run that the database has
  // not applied (LintFileInput::pending): as new as the file's own.
  std::set<LintTable> pending_tables;
  // Index -> its table, for the indexes created by the revisions read.
  std::map<LintTable, LintTable> index_tables;
};

// One revision file to lint.
struct LintFileInput {
  std::string revision;
  std::string path;
  RevisionSections sections;
  // Placeholder values, as a run would substitute them.
  std::map<std::string, std::string> placeholders;
  Dialect dialect = Dialect::kPostgres;
  // The header's "Transactional: false" makes this false.
  bool transactional = true;
  // The header's "Lock Timeout" as written; "" when absent (the configured
  // lock_timeout applies).
  std::string lock_timeout;
  // The database is known not to have applied it (a pending revision): the
  // tables it creates are new to the revisions linted after it.
  bool pending = false;
  // False: only update the state (a revision before the ones linted).
  bool report = true;
};

// What applies to every file of a run.
struct LintEnvironment {
  // The configured lock_timeout ("" when not set) and where it was set,
  // for messages ("retort.toml").
  std::string lock_timeout;
  std::string config_name = "retort.toml";
  // The live database; nullptr when none was reached.
  LintCatalog* catalog = nullptr;
};

// A finding with the table it is about, as the statement names it (for
// the size lookup; empty when none).
struct LintFileFinding {
  LintFinding finding;
  LintTable table;
};

// The findings of one file, in file order. `disabled` counts the findings
// a "-- retort: lint disable=" directive silenced. Fails on what the run
// would fail on too: a placeholder without a value, an unterminated quote,
// and on a disable directive naming no rule.
Result<std::vector<LintFileFinding>> LintFile(const LintFileInput& input,
                                              const LintEnvironment& env,
                                              LintState* state, int* disabled);

// Is `value` (a lock_timeout setting: "0", "0s", "0ms", "0min") zero, that
// is, no timeout at all?
bool LockTimeoutDisabled(std::string_view value);

// Would ALTER COLUMN ... TYPE `to` rewrite a column of type `from`? Both
// are SQL type names ("character varying(20)", "text", "numeric(10,2)").
// False only when PostgreSQL can skip the rewrite: the same type with a
// wider (or no) limit, varchar <-> text, cidr -> inet. An unparsable name
// rewrites.
bool TypeChangeRewrites(std::string_view from, std::string_view to);

}  // namespace retort

#endif  // RETORT_LINT_LINT_H_
