// retort's own bookkeeping tables beside the version table: creating them,
// knowing their layout version, and upgrading an older layout in place
// (version_table.h has the layouts). The version table itself is Alembic's
// and never changes shape.
#ifndef RETORT_RUNTIME_HISTORY_H_
#define RETORT_RUNTIME_HISTORY_H_

#include "dialect/dialect.h"
#include "retort/status.h"
#include "runtime/run.h"
#include "runtime/version_table.h"

namespace retort {

// The history table's layout version: 0 when there is no history table, 1
// when the meta table does not say (retort before table versions, or an
// offline script), else the meta table's value. Reads only.
Result<int> ReadHistoryTableVersion(Connection& db, const VersionTableSql& sql);

// Creates the history and meta tables when missing and upgrades an older
// history table to kHistoryTableVersion in place (adding the columns it
// lacks), saying so in the log. A table newer than this retort knows is
// refused before anything is written. Runs in the caller's transaction.
Status EnsureHistoryTables(Connection& db, const VersionTableSql& sql,
                           const RunSettings& settings);

// The error for a history table written by a newer retort.
Status NewerHistoryTableError(const VersionTableSql& sql, int version);

}  // namespace retort

#endif  // RETORT_RUNTIME_HISTORY_H_
