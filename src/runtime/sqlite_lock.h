// The migration lock of a SQLite database, held for a whole run.
//
// BEGIN IMMEDIATE serialises writers one transaction at a time; a run with
// transaction_per_migration lets go between revisions, and another run
// slipping in there would find the version table moved under it. So runs
// also take an exclusive flock() on "<database>-retort.lock" beside the
// database file for their whole length. The database file itself is not
// used: SQLite's own locks are POSIX record locks, which a process loses
// on every descriptor of the file when it closes any one of them.
#ifndef RETORT_RUNTIME_SQLITE_LOCK_H_
#define RETORT_RUNTIME_SQLITE_LOCK_H_

#include <string>

#include "retort/status.h"
#include "runtime/run.h"

namespace retort {

// SqliteRunLock holds the lock file's flock from Acquire() until Release()
// or destruction.
class SqliteRunLock {
 public:
  SqliteRunLock() = default;
  ~SqliteRunLock() { Release(); }
  SqliteRunLock(const SqliteRunLock&) = delete;
  SqliteRunLock& operator=(const SqliteRunLock&) = delete;

  // Waits for the lock of database `path` (polling every
  // settings.lock_poll_ms; saying so every settings.lock_report_ms; giving
  // up after settings.lock_wait_timeout_ms when set, or when interrupted).
  Status Acquire(const std::string& path, const RunSettings& settings);
  void Release();

  // "<path>-retort.lock".
  static std::string LockPath(const std::string& database_path);

 private:
  int fd_ = -1;
};

}  // namespace retort

#endif  // RETORT_RUNTIME_SQLITE_LOCK_H_
