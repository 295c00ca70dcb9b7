// Lint: what `retort lint` reports about revision files -- statements that
// would drop data, rewrite or lock a busy table, or fail on some servers --
// each finding with a stable rule id, a severity, file:line, the lock the
// statement takes and, when a database is reachable, the table's size.
#ifndef RETORT_LINT_H_
#define RETORT_LINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "retort/export.h"

namespace retort {

enum class LintSeverity { kError, kWarning };

// "error" or "warning".
RETORT_EXPORT const char* LintSeverityName(LintSeverity severity);

// One rule of the table in docs/lint.md.
struct RETORT_EXPORT LintRuleInfo {
  std::string id;  // stable: used by "-- retort: lint disable=ID"
  LintSeverity severity = LintSeverity::kWarning;
  std::string summary;  // one line: what it flags
  std::string why;      // why it matters, and the safe alternative
};

// Every rule, in the order of docs/lint.md.
RETORT_EXPORT const std::vector<LintRuleInfo>& LintRules();

// How big a table is, from the live catalog (pg_class and
// pg_total_relation_size).
struct RETORT_EXPORT LintTableSize {
  int64_t bytes = 0;  // pg_total_relation_size: heap, indexes, TOAST
  int64_t rows = 0;   // reltuples, the planner's estimate (0 if never analyzed)
  int64_t pages = 0;  // relpages
};

// One finding: a rule that fired on a statement (or on a whole file).
struct RETORT_EXPORT LintFinding {
  std::string rule;
  LintSeverity severity = LintSeverity::kWarning;
  std::string revision;  // the revision id
  std::string path;      // the revision file
  int line = 0;          // 1-based line of the statement in `path`
  // The statement's first line as written in the file (placeholders not
  // substituted), shortened to 80 characters; "" for a file-level finding.
  std::string statement;
  // The table the statement works on ("users", "auth.users"); "" for none.
  std::string table;
  // The heaviest lock the statement takes on `table` ("ACCESS EXCLUSIVE",
  // "SHARE", ...); "" for a file-level finding.
  std::string lock;
  std::string message;  // what this statement does, in one sentence
  // The live table's size; unset without a database, or when the table
  // does not exist there (yet).
  std::optional<LintTableSize> size;
};

// Options of `lint`.
struct RETORT_EXPORT LintOptions {
  // The revisions to lint (ids, partial ids, "heads", branch@head, ...).
  // Empty: the pending revisions when the database can be reached (none
  // when it is at its heads), else every revision.
  std::vector<std::string> revisions;
  // Ask the database (when a URL is configured) for the pending revisions,
  // the server version, column types and table sizes. Default: true.
  bool use_database = true;
};

// What `lint` found.
struct RETORT_EXPORT LintResult {
  // The revisions linted, oldest first.
  std::vector<std::string> revisions;
  // Ranked: findings on the largest live tables first (by
  // pg_total_relation_size), then those without a size, each group in
  // file order.
  std::vector<LintFinding> findings;
  // "postgresql" or "sqlite": the dialect of the configured url
  // (PostgreSQL when there is none).
  std::string dialect = "postgresql";
  // A database answered; then server_version is its server_version_num
  // (PostgreSQL; 0 for SQLite).
  bool database = false;
  int server_version = 0;
  // Findings silenced by "-- retort: lint disable=...".
  int disabled = 0;
  // What the reader should know about how the lint ran ("the database
  // could not be reached: ...; every revision was linted, without table
  // sizes"), in order.
  std::vector<std::string> notes;

  int errors() const;
  int warnings() const;
};

}  // namespace retort

#endif  // RETORT_LINT_H_
