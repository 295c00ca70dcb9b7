#include "runtime/session.h"

#include <filesystem>
#include <map>
#include <utility>

#include "dialect/url.h"
#include "runtime/run_dialect.h"

namespace retort {

namespace {

// The run's session settings (RunDialect::TimeoutStatements), executed
// right after connecting so they cover the lock polls and the catalog
// reads as well.
Status ApplyTimeouts(Connection& db, const RunSettings& settings) {
  for (const std::string& sql :
       RunDialect::For(db.dialect()).TimeoutStatements(settings)) {
    // The statement names the setting (and its value, from retort.toml).
    RETORT_RETURN_IF_ERROR(db.Execute(sql).WithContext(sql));
  }
  return Status::OK();
}

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
  return RunDialect::For(db_->dialect()).ReadSessionSettings(*db_);
}

Status Session::Restore(const std::string& name, const std::string& value) {
  return RunDialect::For(db_->dialect())
      .RestoreSessionSetting(*db_, name, value);
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
  RETORT_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> db,
      Connect(parsed,
              RunDialect::For(parsed.dialect).ConnectOptionsFor(settings)));
  RETORT_RETURN_IF_ERROR(ApplyTimeouts(*db, settings));
  return db;
}

Result<bool> NoDatabaseYet(const RunTarget& target) {
  if (target.borrowed != nullptr) return false;
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target.url));
  if (url.dialect != Dialect::kSqlite) return false;
  std::error_code ec;
  return url.in_memory() || !std::filesystem::exists(url.sqlite_path, ec);
}

Result<std::unique_ptr<Session>> OpenSession(const RunTarget& target,
                                             const RunSettings& settings,
                                             SessionUse use) {
  if (target.borrowed != nullptr) {
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                            Session::Borrow(target.borrowed));
    Connection& db = session->db();
    for (const std::string& sql :
         RunDialect::For(db.dialect())
             .BorrowedSessionStatements(use == SessionUse::kRun)) {
      RETORT_RETURN_IF_ERROR(
          db.Execute(sql).WithContext("preparing the borrowed connection"));
    }
    RETORT_RETURN_IF_ERROR(ApplyTimeouts(db, settings));
    return session;
  }
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target.url));
  ConnectOptions options =
      RunDialect::For(url.dialect).ConnectOptionsFor(settings);
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
