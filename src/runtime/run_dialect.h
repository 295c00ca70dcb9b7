// RunDialect: what a run does differently on each database, in one place
// -- as Alembic's DefaultImpl / PostgresqlImpl -- instead of `if (dialect
// == ...)` across the runtime: how a run connects, the session settings it
// starts with (executed online, written at the top of an offline script),
// how its transactions begin, what its lock survives, and how a borrowed
// session's settings are read and put back.
#ifndef RETORT_RUNTIME_RUN_DIALECT_H_
#define RETORT_RUNTIME_RUN_DIALECT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dialect/dialect.h"
#include "runtime/run.h"

namespace retort {

class RunDialect {
 public:
  // The implementation for `dialect` (a static instance).
  static const RunDialect& For(Dialect dialect);

  virtual ~RunDialect() = default;
  virtual Dialect dialect() const = 0;

  // How a run connects. SQLite: BEGIN IMMEDIATE is the migration lock, so
  // the busy timeout is how long a run waits for it
  // (settings.lock_wait_timeout_ms, else without limit).
  virtual ConnectOptions ConnectOptionsFor(
      const RunSettings& settings) const = 0;

  // The session settings a run starts with, before anything else:
  // PostgreSQL's SET lock_timeout and statement_timeout (from `settings`;
  // none when unset). None on SQLite.
  virtual std::vector<std::string> TimeoutStatements(
      const RunSettings& settings) const = 0;

  // --schema S: "SET search_path TO S, public" (PostgreSQL), so unqualified
  // names in revisions and the version table land in S; nullopt without a
  // schema, and on SQLite.
  virtual std::optional<std::string> SearchPathStatement(
      const RunTarget& target) const = 0;

  // target.create_schema: "CREATE SCHEMA IF NOT EXISTS S" (PostgreSQL);
  // nullopt otherwise.
  virtual std::optional<std::string> CreateSchemaStatement(
      const RunTarget& target) const = 0;

  // How a migration transaction begins. SQLite: IMMEDIATE, the write lock
  // at once (the lock that serialises runs). PostgreSQL: a plain BEGIN.
  virtual BeginMode MigrationBegin() const = 0;

  // Whether the migration lock outlives a transaction (PostgreSQL's session
  // advisory lock). When it does not (SQLite), a run that let go of its
  // transaction checks, on its next BEGIN, that nobody moved the version
  // table meanwhile.
  virtual bool LockOutlivesTransactions() const = 0;

  // Whether the database has a lock timeout (SET lock_timeout): a
  // revision's "Lock Timeout:" header applies, and a statement that hits it
  // is retried (runtime/run_faults.h). PostgreSQL only.
  virtual bool HasLockTimeout() const = 0;

  // A borrowed session (runtime/session.h): the settings recorded before a
  // command and put back after it, as (name, value) pairs sorted by name.
  // PostgreSQL: every parameter a session may SET; SQLite: the pragmas a
  // run or a revision may change.
  virtual Result<std::vector<std::pair<std::string, std::string>>>
  ReadSessionSettings(Connection& db) const = 0;
  virtual Status RestoreSessionSetting(Connection& db, const std::string& name,
                                       const std::string& value) const = 0;
  // What a borrowed session is given before a command: PostgreSQL's
  // client_encoding UTF8 (revision files are UTF-8); SQLite's foreign keys
  // on for a run (`for_run`), as a connection retort opens has them.
  virtual std::vector<std::string> BorrowedSessionStatements(
      bool for_run) const = 0;
};

}  // namespace retort

#endif  // RETORT_RUNTIME_RUN_DIALECT_H_
