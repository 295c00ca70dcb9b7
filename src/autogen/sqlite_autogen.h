// Autogenerate against an SQLite database: the models are loaded into an
// in-memory SQLite database (the same library that runs the migrations),
// both sides are read by the same code (catalog/sqlite_introspect.h) and
// compared (sqlite_diff.h).
#ifndef RETORT_AUTOGEN_SQLITE_AUTOGEN_H_
#define RETORT_AUTOGEN_SQLITE_AUTOGEN_H_

#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/scratch.h"
#include "autogen/sqlite_diff.h"
#include "dialect/url.h"

namespace retort {

// Splits each file with SQLite's splitter and runs its statements in file
// order on `conn`. A failing statement is reported as
// "models/app.sql:3: ERROR SQLITE_ERROR: ..." with a hint on what to do.
Status LoadSqliteModels(Connection& conn, const std::vector<ModelFile>& files);

// Compares two schemas and renders both directions.
AutogenResult DiffSqliteSchemas(const SqliteSchema& current,
                                const SqliteSchema& desired,
                                const SqliteDiffOptions& options);

// DiffModels for an sqlite:/// target. The target is opened read-only and
// never created: a database file that does not exist yet is an empty
// schema. `options.filter.exclude_tables` applies; schema filters and
// dev_url do not (SQLite has one schema, and the models always go to an
// in-memory database).
Result<AutogenResult> DiffSqliteModels(
    const DatabaseUrl& target, const std::vector<std::string>& model_files,
    const DiffOptions& options);

// DiffSqliteModels for models already read (SQL files, or the DDL of
// SQLAlchemy models: sqlalchemy_models.h); errors name each ModelFile's
// path.
Result<AutogenResult> DiffSqliteModelFiles(const DatabaseUrl& target,
                                           const std::vector<ModelFile>& files,
                                           const DiffOptions& options);

// DiffLiveWithReplay for an sqlite:/// target: the migrations are replayed
// into a temporary database file (removed afterwards); the target is opened
// read-only, and one that does not exist is an empty schema.
Result<AutogenResult> DiffSqliteLiveWithReplay(const DatabaseUrl& target,
                                               const DiffOptions& options);

}  // namespace retort

#endif  // RETORT_AUTOGEN_SQLITE_AUTOGEN_H_
