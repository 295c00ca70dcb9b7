#include "runtime/session.h"

#include <limits>
#include <utility>

#include "dialect/url.h"

namespace retort {

namespace {

ConnectOptions OptionsFor(const DatabaseUrl& url, const RunSettings& settings) {
  ConnectOptions options;
  if (url.dialect == Dialect::kSqlite) {
    // BEGIN IMMEDIATE is the SQLite lock; its wait is the busy timeout.
    options.sqlite_busy_timeout_ms = settings.lock_wait_timeout_ms > 0
                                         ? settings.lock_wait_timeout_ms
                                         : std::numeric_limits<int>::max();
  }
  return options;
}

// SET lock_timeout / statement_timeout (PostgreSQL) right after connecting,
// so they cover the lock polls and the catalog reads as well.
Status ApplyTimeouts(Connection& db, const RunSettings& settings) {
  if (db.dialect() != Dialect::kPostgres) return Status::OK();
  if (!settings.lock_timeout.empty()) {
    RETORT_RETURN_IF_ERROR(db.Execute("SET lock_timeout = " +
                                      QuotePgLiteral(settings.lock_timeout))
                               .WithContext("setting lock_timeout"));
  }
  if (!settings.statement_timeout.empty()) {
    RETORT_RETURN_IF_ERROR(
        db.Execute("SET statement_timeout = " +
                   QuotePgLiteral(settings.statement_timeout))
            .WithContext("setting statement_timeout"));
  }
  return Status::OK();
}

// Every parameter a session may SET (the transaction_* ones follow the
// transaction), with its value as SHOW prints it, which SET accepts back.
constexpr const char* kPgSessionSettings =
    "SELECT name, current_setting(name) FROM pg_settings "
    "WHERE context IN ('user', 'superuser') "
    "AND name NOT LIKE 'transaction\\_%' ORDER BY name";

// The SQLite pragmas a run sets (foreign_keys) or a revision may.
constexpr const char* kSqlitePragmas[] = {"foreign_keys", "legacy_alter_table",
                                          "recursive_triggers", "busy_timeout"};

}  // namespace

std::unique_ptr<Session> Session::Own(std::unique_ptr<Connection> db) {
  std::unique_ptr<Session> session(new Session());
  session->db_ = db.get();
  session->owned_ = std::move(db);
  return session;
}

Result<std::unique_ptr<Session>> Session::Borrow(Connection* db) {
  if (db == nullptr || !db->IsOpen()) {
    return Status::InvalidArgument(
        "the borrowed connection is closed; open it before handing it to "
        "retort");
  }
  if (db->InTransaction()) {
    return Status::InvalidArgument(
        "the borrowed " + std::string(DialectName(db->dialect())) +
        " connection is inside a transaction; retort commits and rolls back "
        "its own, so commit or roll back the application's first");
  }
  std::unique_ptr<Session> session(new Session());
  session->db_ = db;
  RETORT_ASSIGN_OR_RETURN(session->saved_, session->ReadSettings());
  return session;
}

Session::~Session() { (void)End(); }

Result<std::vector<std::pair<std::string, std::string>>>
Session::ReadSettings() {
  std::vector<std::pair<std::string, std::string>> out;
  if (db_->dialect() == Dialect::kPostgres) {
    RETORT_ASSIGN_OR_RETURN(QueryResult rows, db_->Query(kPgSessionSettings));
    for (const Row& row : rows.rows) {
      if (row.size() == 2 && row[0] && row[1])
        out.emplace_back(*row[0], *row[1]);
    }
    return out;
  }
  for (const char* pragma : kSqlitePragmas) {
    RETORT_ASSIGN_OR_RETURN(QueryResult rows,
                            db_->Query(std::string("PRAGMA ") + pragma));
    if (!rows.rows.empty() && !rows.rows[0].empty() && rows.rows[0][0]) {
      out.emplace_back(pragma, *rows.rows[0][0]);
    }
  }
  return out;
}

Status Session::Restore(const std::string& name, const std::string& value) {
  if (db_->dialect() == Dialect::kPostgres) {
    return db_->Query("SELECT set_config($1, $2, false)", {name, value})
        .status();
  }
  // Pragma values read back are integers.
  if (value.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Internal("unexpected value '" + value + "' of PRAGMA " +
                            name);
  }
  return db_->Execute("PRAGMA " + name + " = " + value);
}

Status Session::End() {
  if (ended_) return Status::OK();
  ended_ = true;
  if (owned_) {
    owned_->Close();
    return Status::OK();
  }
  if (!db_->IsOpen()) {
    return Status::Database(
        "the borrowed connection was lost; its settings could not be put "
        "back");
  }
  Status status;
  if (db_->InTransaction()) status = db_->Rollback();
  auto now = ReadSettings();
  if (!now.ok()) {
    return now.status().WithContext(
        "reading the borrowed connection's settings back");
  }
  std::vector<std::string> failed;
  size_t j = 0;
  for (const auto& [name, value] : saved_) {
    while (j < now->size() && (*now)[j].first < name) ++j;
    const bool same =
        j < now->size() && (*now)[j].first == name && (*now)[j].second == value;
    if (same) continue;
    Status put = Restore(name, value);
    if (!put.ok()) failed.push_back(name + " (" + put.message() + ")");
  }
  if (!failed.empty()) {
    std::string names;
    for (const std::string& f : failed)
      names += (names.empty() ? "" : ", ") + f;
    return Status::Database(
        "could not put back the borrowed connection's settings: " + names);
  }
  return status;
}

Result<std::unique_ptr<Connection>> ConnectForRun(const std::string& url,
                                                  const RunSettings& settings) {
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl parsed, ParseDatabaseUrl(url));
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db,
                          Connect(parsed, OptionsFor(parsed, settings)));
  RETORT_RETURN_IF_ERROR(ApplyTimeouts(*db, settings));
  return db;
}

Result<std::unique_ptr<Session>> OpenSession(const RunTarget& target,
                                             const RunSettings& settings,
                                             SessionUse use) {
  if (target.borrowed != nullptr) {
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                            Session::Borrow(target.borrowed));
    Connection& db = session->db();
    if (db.dialect() == Dialect::kPostgres) {
      // Revision files are UTF-8 (and error positions count its
      // characters), whatever the application's client encoding.
      RETORT_RETURN_IF_ERROR(db.Execute("SET client_encoding = 'UTF8'")
                                 .WithContext("setting client_encoding"));
      RETORT_RETURN_IF_ERROR(ApplyTimeouts(db, settings));
    } else if (use == SessionUse::kRun) {
      RETORT_RETURN_IF_ERROR(db.Execute("PRAGMA foreign_keys = ON"));
    }
    return session;
  }
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target.url));
  ConnectOptions options = OptionsFor(url, settings);
  if (use == SessionUse::kRead && url.dialect == Dialect::kSqlite) {
    // Read-only: `current` must never create or change anything.
    options.sqlite_read_only = true;
  }
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db,
                          Connect(url, options));
  RETORT_RETURN_IF_ERROR(ApplyTimeouts(*db, settings));
  return Session::Own(std::move(db));
}

}  // namespace retort
