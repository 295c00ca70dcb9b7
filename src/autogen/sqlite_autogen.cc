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
#include "picture/schema_diagram.h"
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

namespace {

// The schema of the SQLite database at `url`. A database that does not exist
// yet has nothing in it; opening it would create the file, which a
// read-only command must not do.
Result<SqliteSchema> ReadSqliteIfExists(const DatabaseUrl& url,
                                        const IntrospectOptions& filter,
                                        double* seconds) {
  std::error_code ec;
  if (url.in_memory() || !std::filesystem::exists(url.sqlite_path, ec)) {
    return SqliteSchema();
  }
  ConnectOptions co;
  co.sqlite_read_only = true;
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connect(url, co));
  auto start = std::chrono::steady_clock::now();
  Result<SqliteSchema> read = IntrospectSqlite(*conn, filter);
  *seconds = SecondsSince(start);
  return read;
}

// The schema options.build_current builds in a new temporary database file
// (kept in `*dir`, removed with it).
Result<SqliteSchema> ReadReplayed(const DiffOptions& options,
                                  std::unique_ptr<TempDir>* dir,
                                  double* seconds) {
  RETORT_ASSIGN_OR_RETURN(*dir, TempDir::Create("retort-replay-"));
  const std::string url = "sqlite:///" + (*dir)->path() + "/replay.db";
  RETORT_RETURN_IF_ERROR(options.build_current(url));
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl parsed, ParseDatabaseUrl(url));
  return ReadSqliteIfExists(parsed, options.filter, seconds);
}

}  // namespace

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
  std::unique_ptr<TempDir> replay_dir;
  double target_seconds = 0;
  Result<SqliteSchema> current =
      options.build_current
          ? ReadReplayed(options, &replay_dir, &target_seconds)
          : ReadSqliteIfExists(target, options.filter, &target_seconds);
  if (!current.ok()) {
    // The replay's errors say what they are about already.
    return options.build_current
               ? current.status()
               : current.status().WithContext("target database");
  }
  SqliteDiffOptions so;
  so.sqlite_version = sqlite3_libversion_number();
  AutogenResult result = DiffSqliteSchemas(*current, *desired, so);
  result.introspect_models_seconds = models_seconds;
  result.introspect_target_seconds = target_seconds;
  if (options.keep_diagram) {
    result.desired_diagram = std::make_shared<SchemaDiagram>(DiagramOf(*desired));
  }
  return result;
}

Result<AutogenResult> DiffSqliteLiveWithReplay(const DatabaseUrl& target,
                                               const DiffOptions& options) {
  double live_seconds = 0, replay_seconds = 0;
  Result<SqliteSchema> live =
      ReadSqliteIfExists(target, options.filter, &live_seconds);
  if (!live.ok()) return live.status().WithContext("live database");
  std::unique_ptr<TempDir> replay_dir;
  Result<SqliteSchema> replayed =
      ReadReplayed(options, &replay_dir, &replay_seconds);
  if (!replayed.ok()) return replayed.status();
  SqliteDiffOptions so;
  so.sqlite_version = sqlite3_libversion_number();
  AutogenResult result = DiffSqliteSchemas(*live, *replayed, so);
  result.introspect_target_seconds = live_seconds;
  result.introspect_models_seconds = replay_seconds;
  result.scratch = "a temporary SQLite database file";
  return result;
}

}  // namespace retort
