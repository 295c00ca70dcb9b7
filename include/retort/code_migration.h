// Code migrations: a C++ function the application registers as a
// revision's upgrade or downgrade, for data transforms SQL cannot express.
// The revision is a file like any other -- in the graph, checksummed,
// verified -- whose section says "-- retort: code" instead of holding SQL:
//
//   -- migrate:upgrade
//   -- retort: code
//
//   -- migrate:downgrade
//   DELETE FROM prices;
//
// The function runs where the section's SQL would: inside the run's
// transaction, between the revisions before and after it, on the
// Migrator's session. Only a Migrator given the function can run the
// revision: the retort command line and offline SQL (--sql) refuse it,
// naming the file, as they refuse a section marked "-- retort: TODO".
#ifndef RETORT_CODE_MIGRATION_H_
#define RETORT_CODE_MIGRATION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/export.h"
#include "retort/status.h"

namespace retort {

// What a query returned: every value in the database's text format,
// nullopt for NULL.
struct RETORT_EXPORT CodeRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Rows inserted/updated/deleted, or -1 when the statement does not say.
  int64_t affected_rows = -1;
};

// The session a code migration runs on, inside the run's transaction.
// Valid only during the call.
class RETORT_EXPORT CodeSession {
 public:
  virtual ~CodeSession() = default;
  // "postgresql" or "sqlite".
  virtual std::string_view dialect() const = 0;
  // The revision being run, and whether this is its upgrade.
  virtual const std::string& revision() const = 0;
  virtual bool upgrade() const = 0;
  // Runs SQL that may hold several statements; results are discarded.
  virtual Status Execute(std::string_view sql) = 0;
  // Runs one statement; $1, $2, ... bind `params` (nullopt is NULL).
  virtual Result<CodeRows> Query(
      std::string_view sql,
      const std::vector<std::optional<std::string>>& params = {}) = 0;
};

// Returns OK, or an error that fails the run: the transaction rolls back,
// and the error comes back from Upgrade/Downgrade with the revision's file
// named. An exception it throws is caught and treated the same way.
using CodeFunction = std::function<Status(CodeSession& session)>;

// The functions of one revision. A function must be given for each
// section whose file says "-- retort: code", and only for those.
struct RETORT_EXPORT CodeMigration {
  // The revision id. Required.
  std::string revision;
  // Runs as the upgrade. Default: none.
  CodeFunction upgrade;
  // Runs as the downgrade. Default: none.
  CodeFunction downgrade;
};

}  // namespace retort

#endif  // RETORT_CODE_MIGRATION_H_
