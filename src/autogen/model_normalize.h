// Normalising plain models without a database. Autogenerate loads the
// models into a scratch database so that PostgreSQL itself normalises them
// (issue #5); for 2,000 tables that load is seconds of the server's DDL.
// Most model files are plain DDL, though -- tables of built-in types,
// serial and identity columns, enums, keys, foreign keys, simple defaults
// and CHECKs, plain indexes and comments -- whose catalog entries can be
// written down exactly without a server (docs/autogenerate.md lists the
// shapes).
// ModelNormalizer does that for a whitelist of statement shapes and
// declines everything else (the whole model set then goes to the scratch
// database, as before): any node, field or value it does not know makes it
// decline, never guess. Views, materialized views and functions -- which
// it does not model -- are the exception: the statements creating them,
// and those touching only them (COMMENT, GRANT, ALTER, indexes of a
// materialized view), are left to a database instead (`residual`), loaded
// there with just what they need (`load`), and what the server makes of
// them is merged into the normalised catalog (model_residual.h). A
// model set of 2,000 tables and 200 views then loads 200 views and the
// tables they read, not everything. What it builds is checked against the server by
// tests that load the same models into a database and compare the two
// catalogs fact by fact (CatalogText), over every round-trip schema of the
// test suite and a corpus of shapes of its own.
#ifndef RETORT_AUTOGEN_MODEL_NORMALIZE_H_
#define RETORT_AUTOGEN_MODEL_NORMALIZE_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "autogen/model_order.h"
#include "catalog/catalog.h"
#include "catalog/pg_introspect.h"

namespace retort {

// The PostgreSQL major version whose catalogs the normaliser writes (what
// the tests compare it with). Other servers load the models instead.
constexpr int kNormalizedServerMajor = 15;

// NormalizedModels is the normaliser's answer for a whole model set.
struct NormalizedModels {
  // What IntrospectPostgres, unfiltered, would read from a database created
  // from template0 on a PostgreSQL 15 server after the models ran in it,
  // with unqualified names in schema "public". nullopt when declined.
  std::optional<Catalog> catalog;
  // Why not, for the debug log: "models/a.sql:12: a CHECK constraint".
  std::string declined;
  // Some statement named an object without its schema: it went to
  // "public", which is right unless the search_path finds a schema named
  // after the user first ("$user") -- the caller checks `schemas`.
  bool unqualified = false;
  // The schemas the models create.
  std::set<std::string> created_schemas;
  // The statements left to a database (views, materialized views,
  // functions and what only touches them), by index into
  // ModelScan::statements, in load order; empty when the normaliser took
  // every statement. `catalog` then lacks their objects.
  std::vector<size_t> residual;
  // What to load to make them: `residual` and every statement they need
  // (ModelOrder::needs, transitively), in load order.
  std::vector<size_t> load;
  // Schemas the models put tables in without creating them (first): the
  // catalog has them, as a database would where something created them
  // before the models ran (DiffOptions::idempotent_schemas); without that
  // the models fail to load, so the caller must not use the catalog.
  std::set<std::string> needed_schemas;
};

// Builds NormalizedModels one statement at a time, in file order.
class ModelNormalizer {
 public:
  ModelNormalizer();
  ~ModelNormalizer();
  ModelNormalizer(const ModelNormalizer&) = delete;
  ModelNormalizer& operator=(const ModelNormalizer&) = delete;

  // One statement: `stmt` is libpg_query's JSON node ({"CreateStmt":
  // {...}}) parsed from `text` (node locations are offsets into it), the
  // statement at `path`:`line`, index `index` in load order (the nodes of
  // one statement share it). Does nothing once declined.
  void Statement(const nlohmann::json& stmt, const std::string& text,
                 const std::string& path, int line, size_t index);

  bool declined() const;
  // Whether some statements were left to a database (so that Finish needs
  // the load order).
  bool leaves_statements() const;
  // `order` is the statements' ModelOrder, by the same indexes; needed
  // when some statements are left to a database (to find what they need:
  // without it, the models are declined).
  NormalizedModels Finish(const ModelOrder* order = nullptr);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// What IntrospectPostgres reads from a new database (CREATE DATABASE ...
// TEMPLATE template0) on PostgreSQL 15, unfiltered: schema public with its
// comment and its USAGE for PUBLIC, and plpgsql.
Catalog EmptyDatabaseCatalog();

// Whether FilterNormalizedCatalog(catalog, filter) would drop nothing
// (every schema and table passes the filter), so the catalog can be used
// as it is.
bool FilterKeepsEverything(const Catalog& catalog,
                           const IntrospectOptions& filter);

// A normalised catalog (the kinds ModelNormalizer builds: schemas, enums,
// tables, sequences, indexes, extensions, grants, dependencies; other
// kinds are not looked at) as IntrospectPostgres with `filter` would have read
// it: the objects outside the filter dropped, with their dependency edges and
// grants, and foreign keys' references to them cleared.
Catalog FilterNormalizedCatalog(Catalog catalog,
                                const IntrospectOptions& filter);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_NORMALIZE_H_
