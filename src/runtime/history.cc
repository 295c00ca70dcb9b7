// Creating, versioning and upgrading retort's own tables; see history.h.
#include "runtime/history.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/run_internal.h"

namespace retort {

namespace {

Result<bool> Exists(Connection& db, const std::string& query,
                    const Params& params) {
  RETORT_ASSIGN_OR_RETURN(QueryResult rows, db.Query(query, params));
  return !rows.rows.empty();
}

Result<std::vector<std::string>> HistoryColumns(Connection& db,
                                                const VersionTableSql& sql) {
  Params params;
  std::string query = sql.HistoryColumnsQuery(&params);
  RETORT_ASSIGN_OR_RETURN(QueryResult rows, db.Query(query, params));
  std::vector<std::string> names;
  for (const Row& row : rows.rows) {
    if (!row.empty() && row[0]) names.push_back(*row[0]);
  }
  return names;
}

}  // namespace

Status NewerHistoryTableError(const VersionTableSql& sql, int version) {
  return Status::Conflict(
      sql.qualified_history() + " has table version " +
      std::to_string(version) + " (in " + sql.qualified_meta() +
      "), newer than this retort knows (" +
      std::to_string(kHistoryTableVersion) +
      "): a newer retort wrote it; run migrations on this database with that "
      "retort or a later one (nothing was changed)");
}

Result<int> ReadHistoryTableVersion(Connection& db,
                                    const VersionTableSql& sql) {
  Params params;
  std::string query = sql.HistoryTableExistsQuery(&params);
  RETORT_ASSIGN_OR_RETURN(bool history, Exists(db, query, params));
  query = sql.MetaTableExistsQuery(&params);
  RETORT_ASSIGN_OR_RETURN(bool meta, Exists(db, query, params));
  if (!meta) return history ? 1 : 0;
  RETORT_ASSIGN_OR_RETURN(
      QueryResult rows,
      db.Query(sql.SelectMetaParam(), {std::string(kHistoryVersionKey)}));
  if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0]) {
    return history ? 1 : 0;
  }
  const std::string& text = *rows.rows[0][0];
  char* end = nullptr;
  long version = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || version < 1) {
    return Status::Corruption(sql.qualified_meta() + " holds " +
                              std::string(kHistoryVersionKey) + " = '" + text +
                              "', not a table version; expected a number "
                              "such as '" +
                              std::to_string(kHistoryTableVersion) + "'");
  }
  return static_cast<int>(version);
}

Status EnsureHistoryTables(Connection& db, const VersionTableSql& sql,
                           const RunSettings& settings) {
  RETORT_ASSIGN_OR_RETURN(int version, ReadHistoryTableVersion(db, sql));
  if (version > kHistoryTableVersion) {
    return NewerHistoryTableError(sql, version);
  }
  if (version == kHistoryTableVersion) return Status::OK();
  if (version == 0) {
    Log(settings, LogLevel::kDebug, sql.CreateHistoryTable());
    RETORT_RETURN_IF_ERROR(db.Execute(sql.CreateHistoryTable())
                               .WithContext("creating " +
                                            sql.qualified_history()));
  }
  // Version 1 -> 2: the progress columns. A column already there (an
  // upgrade interrupted by hand, say) is left as it is.
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> have,
                          HistoryColumns(db, sql));
  for (const auto& [column, alter] : sql.HistoryV2Columns()) {
    if (std::find(have.begin(), have.end(), column) != have.end()) continue;
    Log(settings, LogLevel::kDebug, alter);
    RETORT_RETURN_IF_ERROR(
        db.Execute(alter).WithContext("upgrading " + sql.qualified_history()));
  }
  Log(settings, LogLevel::kDebug, sql.CreateMetaTable());
  RETORT_RETURN_IF_ERROR(db.Execute(sql.CreateMetaTable())
                             .WithContext("creating " + sql.qualified_meta()));
  RETORT_RETURN_IF_ERROR(
      db.Query(sql.UpsertMetaParam(),
               {std::string(kHistoryVersionKey),
                std::to_string(kHistoryTableVersion)})
          .status()
          .WithContext("writing " + sql.qualified_meta()));
  if (version > 0) {
    Log(settings, LogLevel::kInfo,
        "upgraded retort's history table " + sql.qualified_history() +
            " in place from table version " + std::to_string(version) +
            " to " + std::to_string(kHistoryTableVersion));
  }
  return Status::OK();
}

}  // namespace retort
