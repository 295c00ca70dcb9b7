#include "runtime/run_dialect.h"

#include <limits>

namespace retort {

namespace {

class PostgresRun : public RunDialect {
 public:
  Dialect dialect() const override { return Dialect::kPostgres; }

  ConnectOptions ConnectOptionsFor(const RunSettings&) const override {
    return {};
  }

  std::vector<std::string> TimeoutStatements(
      const RunSettings& settings) const override {
    std::vector<std::string> out;
    if (!settings.lock_timeout.empty()) {
      out.push_back("SET lock_timeout = " +
                    QuotePgLiteral(settings.lock_timeout));
    }
    if (!settings.statement_timeout.empty()) {
      out.push_back("SET statement_timeout = " +
                    QuotePgLiteral(settings.statement_timeout));
    }
    return out;
  }

  std::optional<std::string> SearchPathStatement(
      const RunTarget& target) const override {
    if (target.schema.empty()) return std::nullopt;
    return "SET search_path TO " + QuoteSqlIdent(target.schema) + ", public";
  }

  std::optional<std::string> CreateSchemaStatement(
      const RunTarget& target) const override {
    if (target.schema.empty() || !target.create_schema) return std::nullopt;
    return "CREATE SCHEMA IF NOT EXISTS " + QuoteSqlIdent(target.schema);
  }

  BeginMode MigrationBegin() const override { return BeginMode::kDeferred; }
  bool LockOutlivesTransactions() const override { return true; }
  bool HasLockTimeout() const override { return true; }

  Result<std::vector<std::pair<std::string, std::string>>> ReadSessionSettings(
      Connection& db) const override {
    // The transaction_* parameters follow the transaction; the values are
    // as SHOW prints them, which SET accepts back.
    RETORT_ASSIGN_OR_RETURN(
        QueryResult rows,
        db.Query("SELECT name, current_setting(name) FROM pg_settings "
                 "WHERE context IN ('user', 'superuser') "
                 "AND name NOT LIKE 'transaction\\_%' ORDER BY name"));
    std::vector<std::pair<std::string, std::string>> out;
    for (const Row& row : rows.rows) {
      if (row.size() == 2 && row[0] && row[1]) {
        out.emplace_back(*row[0], *row[1]);
      }
    }
    return out;
  }

  Status RestoreSessionSetting(Connection& db, const std::string& name,
                               const std::string& value) const override {
    return db.Query("SELECT set_config($1, $2, false)", {name, value}).status();
  }

  std::vector<std::string> BorrowedSessionStatements(bool) const override {
    return {"SET client_encoding = 'UTF8'"};
  }
};

class SqliteRun : public RunDialect {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }

  ConnectOptions ConnectOptionsFor(const RunSettings& settings) const override {
    ConnectOptions options;
    options.sqlite_busy_timeout_ms = settings.lock_wait_timeout_ms > 0
                                         ? settings.lock_wait_timeout_ms
                                         : std::numeric_limits<int>::max();
    return options;
  }

  std::vector<std::string> TimeoutStatements(
      const RunSettings&) const override {
    return {};
  }
  std::optional<std::string> SearchPathStatement(
      const RunTarget&) const override {
    return std::nullopt;
  }
  std::optional<std::string> CreateSchemaStatement(
      const RunTarget&) const override {
    return std::nullopt;
  }

  BeginMode MigrationBegin() const override { return BeginMode::kImmediate; }
  bool LockOutlivesTransactions() const override { return false; }
  bool HasLockTimeout() const override { return false; }

  Result<std::vector<std::pair<std::string, std::string>>> ReadSessionSettings(
      Connection& db) const override {
    std::vector<std::pair<std::string, std::string>> out;
    // Sorted by name, as End() compares them.
    for (const char* pragma : {"busy_timeout", "foreign_keys",
                               "legacy_alter_table", "recursive_triggers"}) {
      RETORT_ASSIGN_OR_RETURN(QueryResult rows,
                              db.Query(std::string("PRAGMA ") + pragma));
      if (!rows.rows.empty() && !rows.rows[0].empty() && rows.rows[0][0]) {
        out.emplace_back(pragma, *rows.rows[0][0]);
      }
    }
    return out;
  }

  Status RestoreSessionSetting(Connection& db, const std::string& name,
                               const std::string& value) const override {
    // Pragma values read back are integers.
    if (value.empty() ||
        value.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Internal("unexpected value '" + value + "' of PRAGMA " +
                              name);
    }
    return db.Execute("PRAGMA " + name + " = " + value);
  }

  std::vector<std::string> BorrowedSessionStatements(
      bool for_run) const override {
    if (!for_run) return {};
    return {"PRAGMA foreign_keys = ON"};
  }
};

}  // namespace

const RunDialect& RunDialect::For(Dialect dialect) {
  static const PostgresRun postgres;
  static const SqliteRun sqlite;
  switch (dialect) {
    case Dialect::kPostgres:
      return postgres;
    case Dialect::kSqlite:
      return sqlite;
  }
  return postgres;  // unreachable: every Dialect is listed above
}

}  // namespace retort
