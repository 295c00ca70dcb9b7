// Scratch databases for the history checks.
#include "autogen/replay_scratch.h"

#include <sqlite3.h>

#include <filesystem>

#include "autogen/sqlite_autogen.h"
#include "catalog/pg_introspect.h"
#include "dialect/url.h"

namespace retort {

std::vector<DriftItem> CompareSnapshots(const SchemaSnapshot& now,
                                        const SchemaSnapshot& expected) {
  AutogenResult diff;
  if (now.sqlite) {
    SqliteDiffOptions so;
    so.sqlite_version = sqlite3_libversion_number();
    diff = DiffSqliteSchemas(now.lite, expected.lite, so);
  } else {
    diff = DiffCatalogs(now.postgres, expected.postgres);
  }
  return DescribeDrift(diff.operations);
}

Result<std::unique_ptr<ReplayScratch>> ReplayScratch::Open(
    const std::string& target_url, const DiffOptions& where) {
  std::unique_ptr<ReplayScratch> scratch(new ReplayScratch());
  scratch->filter_ = where.filter;
  if (!target_url.empty()) {
    RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
    scratch->sqlite_ = url.dialect == Dialect::kSqlite;
  }
  if (scratch->sqlite_) {
    RETORT_ASSIGN_OR_RETURN(scratch->dir_, TempDir::Create("retort-replay-"));
    scratch->description_ = "a temporary SQLite database file";
  } else {
    RETORT_ASSIGN_OR_RETURN(scratch->server_,
                            OpenReplayServer(target_url, where));
    scratch->description_ = scratch->server_->description();
  }
  RETORT_RETURN_IF_ERROR(scratch->Create());
  return scratch;
}

ReplayScratch::~ReplayScratch() { Drop(); }

void ReplayScratch::Drop() {
  if (db_ != nullptr) {
    (void)db_->Close();
    db_.reset();
  }
  if (sqlite_ && !url_.empty()) {
    std::error_code ec;
    std::filesystem::remove(url_.substr(std::string("sqlite:///").size()), ec);
  }
  url_.clear();
}

Status ReplayScratch::Create() {
  if (sqlite_) {
    url_ = "sqlite:///" + dir_->path() + "/replay" +
           std::to_string(generation_++) + ".db";
    return Status::OK();
  }
  RETORT_ASSIGN_OR_RETURN(db_, server_->CreateDatabase());
  url_ = db_->url();
  return Status::OK();
}

Status ReplayScratch::Reset() {
  Drop();
  return Create();
}

Result<SchemaSnapshot> ReplayScratch::Read() {
  SchemaSnapshot snapshot;
  snapshot.sqlite = sqlite_;
  if (!sqlite_) {
    RETORT_ASSIGN_OR_RETURN(snapshot.postgres,
                            IntrospectPostgres(db_->conn(), filter_));
    return snapshot;
  }
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(url_));
  std::error_code ec;
  if (!std::filesystem::exists(url.sqlite_path, ec)) return snapshot;
  ConnectOptions co;
  co.sqlite_read_only = true;
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connect(url, co));
  RETORT_ASSIGN_OR_RETURN(snapshot.lite, IntrospectSqlite(*conn, filter_));
  return snapshot;
}

}  // namespace retort
