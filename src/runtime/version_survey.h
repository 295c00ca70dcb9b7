// Reading many version tables at once: what a fan-out over thousands of
// tenant schemas asks before it starts, so that tenants already at the
// target cost one shared query instead of a connection, a lock and a
// transaction each.
//
// On one connection, whatever the number of tables:
//   1. one query: which of the tables exist (to_regclass over unnest'ed
//      name arrays);
//   2. UNION ALLs of "SELECT <index>, version_num FROM <table>" over the
//      tables that do, 50 tables per statement (planning one UNION ALL of
//      thousands of tables costs more than many small ones).
// A table dropped between the two fails the survey; callers then fall back
// to reading each table as its run starts.
#ifndef RETORT_RUNTIME_VERSION_SURVEY_H_
#define RETORT_RUNTIME_VERSION_SURVEY_H_

#include <optional>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// VersionTableRef names one version table.
struct VersionTableRef {
  // Empty: unqualified (found through the connection's search_path).
  std::string schema;
  std::string table;
};

// The rows of each table in `tables` (same order); nullopt for a table that
// does not exist (nor its schema). PostgreSQL only.
Result<std::vector<std::optional<std::vector<std::string>>>>
SurveyVersionTables(Connection& db, const std::vector<VersionTableRef>& tables);

// A PostgreSQL text[] literal ('{"a","b"}' without the quotes) for
// binding as one parameter.
std::string PgTextArray(const std::vector<std::string>& values);

}  // namespace retort

#endif  // RETORT_RUNTIME_VERSION_SURVEY_H_
