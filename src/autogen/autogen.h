// Autogenerate's entry point for the CLI and the public API: models (SQL
// DDL files) vs the current schema -> operations, upgrade SQL and downgrade
// SQL. The current schema is a live database, or a scratch database the
// caller fills (by replaying the migrations). Databases are read by one
// introspector (pg_introspect.h); plain models may instead be normalised
// without a database (model_normalize.h), which the tests hold to the
// introspector's output for the same DDL, so an unchanged schema diffs to
// nothing either way.
#ifndef RETORT_AUTOGEN_AUTOGEN_H_
#define RETORT_AUTOGEN_AUTOGEN_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "autogen/diff.h"
#include "autogen/model_scan.h"
#include "catalog/catalog.h"
#include "catalog/pg_introspect.h"
#include "retort/options.h"
#include "retort/pictures.h"
#include "retort/status.h"

namespace retort {

struct ScratchIdentity;

// TargetRead reads the live database (connect, the server's identity when
// `identity` -- the models' scratch databases go on that server -- then
// IntrospectPostgres with `filter`) on a thread of its own, from Start on:
// started before the model files are parsed, the two overlap (at 10,000
// tables each takes most of a second). Read-only; the destructor waits for
// the thread.
class TargetRead {
 public:
  static std::unique_ptr<TargetRead> Start(std::string url,
                                           IntrospectOptions filter,
                                           bool identity);
  ~TargetRead();
  TargetRead(const TargetRead&) = delete;
  TargetRead& operator=(const TargetRead&) = delete;

  // Waits for the connection: OK, or why it could not be made.
  Status Connected();
  // After Connected() is OK: the server's identity (ServerIdentity, without
  // the database's own settings; an error when not asked for) and version.
  const Result<ScratchIdentity>& identity() const;
  int server_version() const;
  // Waits for the introspection; `*seconds` is its duration. Once.
  Result<Catalog> Take(double* seconds);

 private:
  TargetRead();
  struct State;
  std::unique_ptr<State> state_;
};

// DiffOptions say where the models are loaded, what they are compared
// with, and what is compared.
struct DiffOptions {
  // A PostgreSQL database to load the models into, inside a transaction
  // that is rolled back. Default: "" = a temporary database created (and
  // dropped) on the target's server, which needs CREATEDB.
  std::string dev_url;
  // Load into (and replay into) temporary databases of a throwaway cluster
  // started from the installed PostgreSQL binaries, whatever dev_url and
  // the target say (`--dev ephemeral`). Default: false.
  bool ephemeral = false;
  // When set, the current schema is not read from `target_url`: this is
  // called with the URL of an empty scratch database to build it in (by
  // replaying the migrations), on the server of dev_url, else of
  // `target_url`; when `target_url` is empty or its server cannot be
  // reached, on a throwaway cluster. Default: unset.
  std::function<Status(const std::string& scratch_url)> build_current;
  // Seed 001's schema handling for every schema the upgrade creates: first,
  // IF NOT EXISTS, with the downgrade's DROP SCHEMA left commented out.
  // (Schemas the models put objects in without creating them are always
  // created before the models load and handled so, whatever this says.)
  // Default: false.
  bool idempotent_schemas = false;
  // Rewrite the upgrade as an online plan (online.h). Default: false.
  bool online = false;
  // Which schemas and tables are compared (applied to both sides).
  // Default: every user schema; version tables are always skipped.
  IntrospectOptions filter;
  // Names where the model files came from, for errors about them.
  // Default: "the 'models' setting in retort.toml".
  std::string models_setting = "the 'models' setting in retort.toml";
  // The live database, already being read (TargetRead::Start with
  // `target_url` and `filter`, and the identity unless dev_url or ephemeral
  // is set), or null to have DiffScannedModels start reading it. Unused
  // with build_current. Default: null.
  std::shared_ptr<TargetRead> target_read;
  // Keep the models' side as a SchemaDiagram (AutogenResult::
  // desired_diagram), for `schema-graph`. Default: false.
  bool keep_diagram = false;
  // Where progress lines go (the throwaway cluster starting, a fallback).
  // Default: nowhere.
  LogSink log;
  LogLevel log_level = LogLevel::kInfo;
};

// AutogenResult is a comparison's outcome.
struct AutogenResult {
  // In upgrade order.
  std::vector<Operation> operations;
  // Rendered statements; "" when there is nothing to do.
  std::string upgrade_sql;
  std::string downgrade_sql;
  // Online plans: the removals for a "Phase: contract" revision
  // (TakeContractOperations), left out of the two above; "" when none.
  std::string contract_upgrade_sql;
  std::string contract_downgrade_sql;
  // Operations that could not be ordered (a dependency cycle): they are
  // placed last, each with a comment.
  bool cycle = false;
  // Seconds spent introspecting the target and the scratch database.
  double introspect_target_seconds = 0;
  double introspect_models_seconds = 0;
  // Where the models were loaded, e.g. "a throwaway PostgreSQL 15 cluster"
  // (on a model cache hit: where they were loaded when recorded).
  std::string scratch;
  // The model cache (model_cache.h): "hit" (the models were not loaded),
  // "miss" (loaded, and recorded), "off" (RETORT_CACHE=off, or the
  // scratch database's identity could not be read; loaded) or "normalised"
  // (plain models, normalised without a database: model_normalize.h).
  std::string model_cache;

  // The models' schema, with DiffOptions::keep_diagram; null otherwise.
  std::shared_ptr<const SchemaDiagram> desired_diagram;

  // True when the models and the database agree (no statement and no
  // manual step).
  bool empty() const { return operations.empty(); }
};

// Compares two catalogs and renders both directions (see
// DiffOptions::idempotent_schemas). `implicit_schemas` are schemas the
// models put objects in without creating them: their creation is always
// idempotent, first, with the DROP left commented out.
AutogenResult DiffCatalogs(const Catalog& current, const Catalog& desired,
                           bool idempotent_schemas = false,
                           const std::set<std::string>& implicit_schemas = {},
                           bool online = false);

// Loads `model_files` into a scratch database (see DiffOptions), builds or
// reads the current schema, and compares them. An sqlite:/// target goes to
// DiffSqliteModels (sqlite_autogen.h). Errors: "models/auth.sql:12: ..." for
// a failing model statement, the redacted URL for connection failures.
Result<AutogenResult> DiffModels(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options);

// DiffModels for models already read and scanned (ReadModelFiles,
// ScanModels), so callers can check them first.
Result<AutogenResult> DiffScannedModels(const std::string& target_url,
                                        const ModelScan& models,
                                        const DiffOptions& options);

// Drift (`verify --live`): the live database at `target_url` as the current
// side, and as the desired side the schema options.build_current (required)
// builds in an empty scratch database -- the migrations replayed up to the
// revisions the live database is at. The operations turn the live schema
// into the migrations' one; none means no drift. Scratch databases go where
// DiffScannedModels puts them (dev_url's server, else the target's, else a
// throwaway cluster; `ephemeral`); an sqlite:/// target is compared with a
// temporary database file. The live database is only read.
Result<AutogenResult> DiffLiveWithReplay(const std::string& target_url,
                                         const DiffOptions& options);

class ScratchServer;

// The PostgreSQL server replays go to, as DiffLiveWithReplay picks it:
// options.ephemeral's throwaway cluster, dev_url's server, the server of
// `target_url`, or a throwaway cluster when that is empty or unreachable.
Result<std::unique_ptr<ScratchServer>> OpenReplayServer(
    const std::string& target_url, const DiffOptions& options);

}  // namespace retort

#endif  // RETORT_AUTOGEN_AUTOGEN_H_
