// The migration lock: what keeps two runs on one version table apart for
// the whole of a run, across the transactions it commits (runtime/run.h).
#ifndef RETORT_RUNTIME_MIGRATION_LOCK_H_
#define RETORT_RUNTIME_MIGRATION_LOCK_H_

#include <memory>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "runtime/run.h"

namespace retort {

class MigrationLock {
 public:
  virtual ~MigrationLock() = default;
  // Waits for the lock of `target`'s version table: polling, saying who
  // holds it every settings.lock_report_ms, giving up after
  // settings.lock_wait_timeout_ms when set (kConflict, naming the holder)
  // or when interrupted (kInterrupted; nothing was run).
  virtual Status Acquire(const RunTarget& target) = 0;
  // Lets go of it, if held. Idempotent; the destructor releases too.
  virtual void Release() = 0;
};

// The lock for runs on `db` (which must outlive it):
//   PostgreSQL: a session-level advisory lock keyed by database, schema
//     and version table (MigrationLockKey), polled with
//     pg_try_advisory_lock outside any transaction -- a blocking
//     pg_advisory_lock would sit in a transaction, and CREATE INDEX
//     CONCURRENTLY in the holder waits for every such transaction.
//   SQLite: an exclusive flock on "<database>-retort.lock"
//     (sqlite_lock.h); none for an in-memory database.
std::unique_ptr<MigrationLock> NewMigrationLock(Connection& db,
                                                const RunSettings& settings);

}  // namespace retort

#endif  // RETORT_RUNTIME_MIGRATION_LOCK_H_
