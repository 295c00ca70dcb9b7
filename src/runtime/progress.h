// Resumable revisions: a revision that runs outside the run's transaction
// ("Transactional: false", CREATE INDEX CONCURRENTLY, ...) or is divided
// into "-- retort: step" blocks records its progress in the history table
// (progress rows, table version 2) so that a run killed half way resumes:
//
//   statement in autocommit:  'started' row -> statement -> 'done' row
//                             ('failed' row when it fails)
//   transactional step:       BEGIN -> statements -> 'done' row (its last
//                             statement) -> COMMIT
//
// On the next run the rows written since the revision's last whole-step row
// say where it stopped. A statement left 'started' (or 'failed') was in
// flight: the catalog settles it (settle.h) -- done, or cleaned up and run
// again -- and where the catalog cannot tell, the run stops and says what to
// check (--in-flight=done|rerun then decides). Then the revision continues
// from its first unfinished statement. Progress rows hold the SHA-256 of
// their statement, so a statement edited after it ran is caught; statements
// after the last one that ran may be changed (a failing one fixed).
#ifndef RETORT_RUNTIME_PROGRESS_H_
#define RETORT_RUNTIME_PROGRESS_H_

#include <functional>
#include <string>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "revision/plan.h"
#include "runtime/run.h"
#include "runtime/run_internal.h"
#include "runtime/version_table.h"
#include "script/script_directory.h"

namespace retort {

// Runs the statements of `prep` (a PreparedStep holding some of the step's
// statements) as the online run does, reporting errors with file:line.
using StatementsRunner = std::function<Status(const PreparedStep& prep)>;

// Runs one revision step outside the run's transaction, unit by unit, with
// progress rows (when settings.history_table), resuming an interrupted
// attempt. Leaves the connection outside any transaction. On failure the
// Status says what already ran and how a rerun will continue.
Status RunResumable(Connection& db, const VersionTableSql& sql,
                    const RunSettings& settings, const ScriptDirectory& scripts,
                    const MigrationStep& step, const PreparedStep& prep,
                    const std::string& applied_by,
                    const StatementsRunner& run_statements);

}  // namespace retort

#endif  // RETORT_RUNTIME_PROGRESS_H_
