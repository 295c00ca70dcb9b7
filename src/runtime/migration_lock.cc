#include "runtime/migration_lock.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "dialect/sqlite.h"
#include "runtime/interrupt.h"
#include "runtime/lock_wait.h"
#include "runtime/run_internal.h"
#include "runtime/sqlite_lock.h"
#include "runtime/version_table.h"
#include "util/clock.h"
#include "util/strings.h"

namespace retort {

namespace {

using Clock = std::chrono::steady_clock;

// PgMigrationLock is the session-level advisory lock that serialises runs
// on one version table. It is polled with pg_try_advisory_lock outside any
// transaction: a blocking pg_advisory_lock would sit in a transaction, and
// CREATE INDEX CONCURRENTLY in the holder waits for every such transaction
// -- a deadlock.
class PgMigrationLock : public MigrationLock {
 public:
  PgMigrationLock(Connection* db, const RunSettings* settings)
      : db_(db), settings_(settings) {}
  ~PgMigrationLock() override { Release(); }

  Status Acquire(const RunTarget& target) override;
  // Errors are logged, not returned, as the session's end releases the
  // lock anyway.
  void Release() override;

 private:
  // "pid 123 (application_name 'retort', ...)" for whoever holds the lock.
  std::string DescribeHolder();

  Connection* db_;
  const RunSettings* settings_;
  int64_t key_ = 0;
  std::string what_;  // "<database>/<schema>.<table>" for messages
  bool held_ = false;
};

Status PgMigrationLock::Acquire(const RunTarget& target) {
  RETORT_ASSIGN_OR_RETURN(QueryResult db_name,
                          db_->Query("SELECT pg_catalog.current_database()"));
  std::string database = db_name.rows.at(0).at(0).value_or("");
  // The configured names, not the resolved ones: two runs on the same
  // configuration must agree on the key even before the schema exists.
  std::string schema = !target.version_table_schema.empty()
                           ? target.version_table_schema
                           : target.schema;
  key_ = MigrationLockKey(database, schema, target.version_table);
  what_ = database + "/" + (schema.empty() ? "" : schema + ".") +
          target.version_table;
  const Params params = {std::to_string(key_)};
  const auto start = Clock::now();
  std::optional<Clock::time_point> last_report;
  while (true) {
    if (Interrupted()) {
      return Status::Interrupted("interrupted by " +
                                 SignalName(InterruptSignal()) +
                                 " while waiting for the migration lock on " +
                                 what_ + "; nothing was run");
    }
    RETORT_ASSIGN_OR_RETURN(
        QueryResult got,
        db_->Query("SELECT pg_catalog.pg_try_advisory_lock($1::bigint)",
                   params));
    if (got.rows.at(0).at(0).value_or("f") == "t") {
      held_ = true;
      if (last_report) {
        Log(*settings_, LogLevel::kInfo,
            "acquired the migration lock on " + what_ + " after " +
                std::to_string(static_cast<long long>(MillisSince(start))) +
                " ms");
      }
      return Status::OK();
    }
    double waited = MillisSince(start);
    if (settings_->lock_wait_timeout_ms > 0 &&
        waited >= settings_->lock_wait_timeout_ms) {
      return Status::Conflict(
          "timed out after " + std::to_string(settings_->lock_wait_timeout_ms) +
          " ms waiting for the migration lock on " + what_ + " (key " +
          std::to_string(key_) + "), held by " + DescribeHolder());
    }
    if (!last_report ||
        Clock::now() - *last_report >=
            std::chrono::milliseconds(std::max(1, settings_->lock_report_ms))) {
      last_report = Clock::now();
      Log(*settings_, LogLevel::kWarn,
          "waiting for the migration lock on " + what_ + " (key " +
              std::to_string(key_) + "), held by " + DescribeHolder());
    }
    SleepUnlessInterrupted(std::max(1, settings_->lock_poll_ms));
  }
}

std::string PgMigrationLock::DescribeHolder() {
  auto holder = db_->Query(
      "SELECT a.pid, coalesce(a.application_name, ''), "
      "coalesce(host(a.client_addr), 'local socket'), a.backend_start, "
      "coalesce(a.state, ''), a.state_change, coalesce(a.usename, ''), "
      "coalesce(a.query, '') "
      "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a "
      "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND "
      "l.objsubid = 1 AND l.database = (SELECT oid FROM "
      "pg_catalog.pg_database WHERE datname = "
      "pg_catalog.current_database()) AND "
      "((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint",
      {std::to_string(key_)});
  if (!holder.ok()) {
    return "an unknown session (" + holder.status().message() + ")";
  }
  if (holder->rows.empty()) return "a session that has just released it";
  const Row& r = holder->rows[0];
  auto cell = [&r](size_t i) { return r.at(i).value_or(""); };
  return "pid " + cell(0) + " (application_name '" + cell(1) + "', user " +
         cell(6) + ", client " + cell(2) + ", connected since " + cell(3) +
         ", " + cell(4) + " since " + cell(5) +
         (cell(7).empty() ? "" : ", query: " + ShortenSql(cell(7))) + ")";
}

void PgMigrationLock::Release() {
  if (!held_) return;
  held_ = false;
  if (!db_->IsOpen()) return;
  auto released = db_->Query("SELECT pg_catalog.pg_advisory_unlock($1::bigint)",
                             {std::to_string(key_)});
  if (!released.ok()) {
    Log(*settings_, LogLevel::kWarn,
        "releasing the migration lock on " + what_ + ": " +
            released.status().message());
  }
}

// SQLite: BEGIN IMMEDIATE locks one transaction; the lock file beside the
// database (sqlite_lock.h), the whole run. An in-memory or temporary
// database has no file, and no other process to keep out.
class SqliteMigrationLock : public MigrationLock {
 public:
  SqliteMigrationLock(std::string path, const RunSettings* settings)
      : path_(std::move(path)), settings_(settings) {}

  Status Acquire(const RunTarget&) override {
    if (path_.empty() || path_ == ":memory:") return Status::OK();
    return file_.Acquire(path_, *settings_);
  }
  void Release() override { file_.Release(); }

 private:
  std::string path_;
  const RunSettings* settings_;
  SqliteRunLock file_;
};

}  // namespace

std::unique_ptr<MigrationLock> NewMigrationLock(Connection& db,
                                                const RunSettings& settings) {
  switch (db.dialect()) {
    case Dialect::kPostgres:
      return std::make_unique<PgMigrationLock>(&db, &settings);
    case Dialect::kSqlite: {
      auto* lite = dynamic_cast<SqliteConnection*>(&db);
      return std::make_unique<SqliteMigrationLock>(
          lite != nullptr ? lite->path() : std::string(), &settings);
    }
  }
  return nullptr;  // unreachable: every Dialect is listed above
}

}  // namespace retort
