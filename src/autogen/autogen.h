// Autogenerate's entry point for the CLI and the public API: models (SQL
// DDL files) vs a target database -> operations, upgrade SQL and downgrade
// SQL. Both sides are introspected by the same code on the same server
// version, so an unchanged schema diffs to nothing.
#ifndef RETORT_AUTOGEN_AUTOGEN_H_
#define RETORT_AUTOGEN_AUTOGEN_H_

#include <string>
#include <vector>

#include "autogen/diff.h"
#include "catalog/catalog.h"
#include "catalog/pg_introspect.h"
#include "retort/status.h"

namespace retort {

// DiffOptions say where the models are loaded and what is compared.
struct DiffOptions {
  // A PostgreSQL database to load the models into, inside a transaction
  // that is rolled back. Default: "" = a temporary database created (and
  // dropped) on the target's server, which needs CREATEDB.
  std::string dev_url;
  // Which schemas and tables are compared (applied to both sides).
  // Default: every user schema; version tables are always skipped.
  IntrospectOptions filter;
};

// AutogenResult is a comparison's outcome.
struct AutogenResult {
  // In upgrade order.
  std::vector<Operation> operations;
  // Rendered statements; "" when there is nothing to do.
  std::string upgrade_sql;
  std::string downgrade_sql;
  // Operations that could not be ordered (a dependency cycle): they are
  // placed last, each with a comment.
  bool cycle = false;
  // Seconds spent introspecting the target and the scratch database.
  double introspect_target_seconds = 0;
  double introspect_models_seconds = 0;

  // True when the models and the database agree (no statement and no
  // manual step).
  bool empty() const { return operations.empty(); }
};

// Compares two catalogs and renders both directions.
AutogenResult DiffCatalogs(const Catalog& current, const Catalog& desired);

// Loads `model_files` into a scratch database (see DiffOptions::dev_url),
// introspects it and the database at `target_url`, and compares them. An
// sqlite:/// target goes to DiffSqliteModels (sqlite_autogen.h).
// Errors: "models/auth.sql:12: ..." for a failing model statement, the
// redacted URL for connection failures.
Result<AutogenResult> DiffModels(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options);

// Loads `model_files` into a scratch database and returns its catalog.
Result<Catalog> LoadModelCatalog(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options);

}  // namespace retort

#endif  // RETORT_AUTOGEN_AUTOGEN_H_
