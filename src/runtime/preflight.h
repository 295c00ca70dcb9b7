// Preflight: every file of a plan is read, substituted, split and checked
// before the run's first statement, so that a bad file late in the plan
// cannot stop a run after earlier revisions were committed (per-migration
// transactions, non-transactional revisions).
#ifndef RETORT_RUNTIME_PREFLIGHT_H_
#define RETORT_RUNTIME_PREFLIGHT_H_

#include <map>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "revision/plan.h"
#include "runtime/run.h"
#include "script/script_directory.h"

namespace retort {

// What the preflight checks, per revision step of `plan`, in plan order; the
// first problem is returned and nothing has run:
//   - the file parses: both "-- migrate:" markers, in order (Corruption);
//   - no "-- retort: TODO" in the section to run (CheckStepsReady);
//   - its placeholders resolve and its SQL splits;
//   - a "-- retort: code" section holds no statements and has a function
//     (online only: offline SQL cannot hold one; CheckCodeRunnable);
//   - the section has statements or says "-- retort: empty" or "-- retort:
//     code": a section with none is irreversible (InvalidArgument);
//   - no statement ends or starts the run's transaction: BEGIN, START
//     TRANSACTION, COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION
//     (SAVEPOINT, RELEASE and ROLLBACK TO stay allowed); "-- retort: step"
//     is the way to commit mid-file (InvalidArgument);
//   - no statement drops, truncates or renames retort's own tables (the
//     version table of `target` and its history table).
// Statements are read with PostgreSQL's parser (libpg_query) or SQLite's
// tokenizer, never matched as text. Steps are prepared through
// settings.step_cache when set, so the run that follows parses nothing
// twice; settings.code holds the code sections' functions.
Status PreflightPlan(const ScriptDirectory& scripts,
                     const std::vector<MigrationStep>& plan,
                     const std::map<std::string, std::string>& placeholders,
                     Dialect dialect, int server_version,
                     const RunTarget& target, const RunSettings& settings,
                     bool offline);

// For tests: why `statement` (one statement of `dialect`) may not appear in
// a revision, e.g. "COMMIT" or "DROP TABLE alembic_version"; "" when it may.
// `version_table` and `version_schema` name retort's version table (its
// history table is "<version_table>_history"); `version_schema` empty means
// any schema.
std::string ForbiddenStatement(Dialect dialect, const std::string& statement,
                               const std::string& version_table,
                               const std::string& version_schema);

}  // namespace retort

#endif  // RETORT_RUNTIME_PREFLIGHT_H_
