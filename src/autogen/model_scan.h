// Reading the model files without a database: each file is split and every
// statement parsed with PostgreSQL's own parser (libpg_query), so a syntax
// error anywhere is reported as "models/auth.sql:12: ..." before anything
// runs, and the parse trees tell which schemas the models define or mention
// (`retort schemas`) and whether they define anything at all (the "empty
// migration" trap: a models setting that reads nothing would make every
// table of the database look like a drop).
#ifndef RETORT_AUTOGEN_MODEL_SCAN_H_
#define RETORT_AUTOGEN_MODEL_SCAN_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autogen/model_normalize.h"
#include "catalog/pg_introspect.h"
#include "dialect/splitter.h"
#include "retort/status.h"

namespace retort {

// ModelFile is one model file's name (as shown in errors) and its text.
struct ModelFile {
  std::string path;
  std::string text;
};

// Reads each path into a ModelFile; "models/auth.sql: cannot read model
// file" on failure.
Result<std::vector<ModelFile>> ReadModelFiles(
    const std::vector<std::string>& paths);

// ModelSchema is one schema the models define or mention.
struct ModelSchema {
  std::string name;
  // CREATE TABLE statements placing a table in it (partitions and
  // CREATE TABLE AS included).
  int tables = 0;
  // Every object created in it: tables, views, indexes, sequences, types,
  // domains, functions, triggers, policies.
  int objects = 0;
  // The models run CREATE SCHEMA for it.
  bool created = false;
  // ... and only ever CREATE SCHEMA IF NOT EXISTS (as SQLAlchemy models'
  // DDL does): they need the schema, they do not own it.
  bool created_if_not_exists = false;
  // The files that create something in it or refer to it, sorted.
  std::vector<std::string> files;

  // Only referred to (a foreign key, a type, a function of another
  // schema): nothing in the models creates it or anything in it.
  bool mentioned_only() const { return !created && objects == 0; }
};

// ModelStatement is one statement of a model file, ready to run.
struct ModelStatement {
  std::string path;  // the model file
  SqlStatement statement;
};

// ModelScan is what the model files hold.
struct ModelScan {
  std::vector<std::string> files;
  // Every statement, in load order: the order read (the files in order,
  // each file's statements in order), except that a statement needing
  // what a later one creates comes after it (model_order.h).
  std::vector<ModelStatement> statements;
  // Why a statement may fail to load where it stands -- it needs what a
  // later statement creates but could not be moved after it (a cycle, a
  // fence): appended to the server's error should it fail. By index into
  // `statements`. A scan with notes is not kept in the scan cache.
  std::map<size_t, std::string> order_notes;
  // By name. Unqualified objects count for the first schema of the
  // search_path the statements set (SET search_path), "public" by default.
  std::map<std::string, ModelSchema> schemas;
  // Statements that create something (CREATE ..., CREATE TABLE AS, ...).
  int creates = 0;
  // The models' catalog, normalised without a database when they are plain
  // DDL (model_normalize.h), from the same parse. Null when not asked for,
  // or when the scan came from the scan cache, which does not keep it
  // (NormalizeModels then parses again).
  std::shared_ptr<const NormalizedModels> normalized;
};

// Splits and parses `files` and puts the statements in load order,
// normalising them too when `normalize` (for autogenerate; `retort
// schemas` needs only the scan). Errors name the file and line:
// "models/auth.sql:3: syntax error at or near "TABLEE"".
Result<ModelScan> ScanModels(const std::vector<ModelFile>& files,
                             bool normalize = true);

// Parses the scan's statements again and normalises them (for a scan read
// from the scan cache, which keeps no parse trees).
NormalizedModels NormalizeModels(const ModelScan& scan);

// Fails when comparing these models would make the database look like it
// must be emptied: no CREATE statement at all, or nothing defined in the
// schemas `filter` lets through. `setting` names where the files came from
// for the message (e.g. "models = [\"models/*.sql\"] in retort.toml").
Status CheckModelsDefineSomething(const ModelScan& scan,
                                  const IntrospectOptions& filter,
                                  const std::string& setting);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_SCAN_H_
