// SQLite autogenerate: in-memory model load, two introspections, compare,
// render.
#include "autogen/sqlite_autogen.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

#include "autogen/model_scan.h"
#include "autogen/render.h"
#include "catalog/sqlite_introspect.h"
#include "dialect/splitter.h"
#include "dialect/sqlite.h"
#include "util/clock.h"
#include "util/temp_dir.h"

namespace retort {

Status LoadSqliteModels(Connection& conn, const std::vector<ModelFile>& files) {
  for (const ModelFile& file : files) {
    for (const SqlStatement& s : SplitSqliteScript(file.text)) {
      Status st = conn.Execute(s.text);
      if (st.ok()) continue;
      int line = s.line;
      if (conn.last_error().position > 0) {
        line += LocatePosition(s.text, conn.last_error().position).line - 1;
      }
      return Status::InvalidArgument(
          file.path + ":" + std::to_string(line) + ": " + st.message() +
          "\nHINT: the models run in file order in an empty in-memory SQLite "
          "database; fix this statement, or create what it needs before it");
    }
  }
  return Status::OK();
}

AutogenResult DiffSqliteSchemas(const SqliteSchema& current,
                                const SqliteSchema& desired,
                                const SqliteDiffOptions& options) {
  AutogenResult result;
  SqliteOperations ops = CompareSqlite(current, desired, options);
  OrderedOperations up = OrderOperations(std::move(ops.operations));
  OrderedOperations down = ReverseOperations(up.operations);
  result.cycle = up.cycle || down.cycle;
  result.upgrade_sql = RenderSqliteSql(up.operations, ops.referenced_tables);
  result.downgrade_sql =
      RenderSqliteSql(down.operations, ops.referenced_tables);
  result.operations = std::move(up.operations);
  return result;
}

Result<AutogenResult> DiffSqliteModels(
    const DatabaseUrl& target, const std::vector<std::string>& model_files,
    const DiffOptions& options) {
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                          ReadModelFiles(model_files));
  return DiffSqliteModelFiles(target, files, options);
}

Result<AutogenResult> DiffSqliteModelFiles(const DatabaseUrl& target,
                                           const std::vector<ModelFile>& files,
                                           const DiffOptions& options) {
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> scratch,
                          SqliteConnection::Open(":memory:"));
  RETORT_RETURN_IF_ERROR(LoadSqliteModels(*scratch, files));
  auto start = std::chrono::steady_clock::now();
  Result<SqliteSchema> desired = IntrospectSqlite(*scratch, options.filter);
  double models_seconds = SecondsSince(start);
  if (!desired.ok()) return desired.status().WithContext("models");
  if (desired->tables.empty() && desired->views.empty() &&
      desired->indexes.empty() && desired->triggers.empty()) {
    // The same trap as on PostgreSQL (seed 003): empty models would make
    // every table of the database look like a drop.
    ModelScan nothing;
    for (const ModelFile& file : files) nothing.files.push_back(file.path);
    return CheckModelsDefineSomething(nothing, options.filter,
                                      options.models_setting);
  }

  // --from migrations: the current side is the revisions replayed into a
  // temporary database file, removed afterwards.
  DatabaseUrl current_url = target;
  std::unique_ptr<TempDir> replay_dir;
  if (options.build_current) {
    RETORT_ASSIGN_OR_RETURN(replay_dir, TempDir::Create("retort-replay-"));
    const std::string path = replay_dir->path() + "/replay.db";
    RETORT_RETURN_IF_ERROR(options.build_current("sqlite:///" + path));
    RETORT_ASSIGN_OR_RETURN(current_url, ParseDatabaseUrl("sqlite:///" + path));
  }

  SqliteSchema current;
  double target_seconds = 0;
  std::error_code ec;
  // A database that does not exist yet has nothing in it; opening it would
  // create the file, which a read-only command must not do.
  if (!current_url.in_memory() &&
      std::filesystem::exists(current_url.sqlite_path, ec)) {
    ConnectOptions co;
    co.sqlite_read_only = true;
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                            Connect(current_url, co));
    start = std::chrono::steady_clock::now();
    Result<SqliteSchema> read = IntrospectSqlite(*conn, options.filter);
    target_seconds = SecondsSince(start);
    if (!read.ok()) return read.status().WithContext("target database");
    current = std::move(read).value();
  }
  SqliteDiffOptions so;
  so.sqlite_version = sqlite3_libversion_number();
  AutogenResult result = DiffSqliteSchemas(current, *desired, so);
  result.introspect_models_seconds = models_seconds;
  result.introspect_target_seconds = target_seconds;
  return result;
}

}  // namespace retort
