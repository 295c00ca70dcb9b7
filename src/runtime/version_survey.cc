// Reading many version tables in two statements; see version_survey.h.
#include "runtime/version_survey.h"

#include <algorithm>

#include "runtime/version_table.h"

namespace retort {

namespace {

// Tables per UNION ALL statement. PostgreSQL 15 plans a UNION ALL of 1,000
// tables in ~320 ms but 20 of 50 tables in ~100 ms together (measured on
// the bench machine; single-table statements cost more again in round
// trips and per-statement overhead).
constexpr size_t kTablesPerStatement = 50;

}  // namespace

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Result<std::vector<std::optional<std::vector<std::string>>>>
SurveyVersionTables(Connection& db,
                    const std::vector<VersionTableRef>& tables) {
  std::vector<std::optional<std::vector<std::string>>> out(tables.size());
  if (tables.empty()) return out;
  if (db.dialect() != Dialect::kPostgres) {
    return Status::Internal("version table survey is PostgreSQL only");
  }
  std::vector<std::string> schemas, names;
  for (const VersionTableRef& t : tables) {
    schemas.push_back(t.schema);
    names.push_back(t.table);
  }
  // to_regclass never fails on a missing schema or table: it says NULL. Only
  // tables (and partitioned ones) count, as in VersionTableExistsQuery.
  RETORT_ASSIGN_OR_RETURN(
      QueryResult existing,
      db.Query("SELECT u.i - 1 FROM unnest($1::text[], $2::text[]) WITH "
               "ORDINALITY AS u(s, t, i) JOIN pg_catalog.pg_class c ON c.oid "
               "= pg_catalog.to_regclass(CASE WHEN u.s = '' THEN "
               "pg_catalog.quote_ident(u.t) ELSE pg_catalog.quote_ident(u.s) "
               "|| '.' || pg_catalog.quote_ident(u.t) END) WHERE c.relkind "
               "IN ('r', 'p') ORDER BY 1",
               {PgTextArray(schemas), PgTextArray(names)}));
  std::vector<size_t> present;
  for (const Row& row : existing.rows) {
    size_t index = std::stoul(row.at(0).value_or("0"));
    if (index >= tables.size()) {
      return Status::Internal("version table survey: index out of range");
    }
    present.push_back(index);
    out[index].emplace();
  }
  for (size_t begin = 0; begin < present.size(); begin += kTablesPerStatement) {
    size_t end = std::min(present.size(), begin + kTablesPerStatement);
    std::string sql;
    for (size_t k = begin; k < end; ++k) {
      const VersionTableRef& t = tables[present[k]];
      VersionTableSql names_sql(Dialect::kPostgres, t.table, t.schema);
      if (k > begin) sql += " UNION ALL ";
      sql += "SELECT " + std::to_string(present[k]) +
             ", version_num::text FROM " + names_sql.qualified();
    }
    RETORT_ASSIGN_OR_RETURN(QueryResult rows, db.Query(sql));
    for (const Row& row : rows.rows) {
      size_t index = std::stoul(row.at(0).value_or("0"));
      if (index >= tables.size() || !out[index] || !row.at(1)) {
        return Status::Corruption(
            "version table survey: a NULL version_num or an unexpected row");
      }
      out[index]->push_back(*row.at(1));
    }
  }
  return out;
}

}  // namespace retort
