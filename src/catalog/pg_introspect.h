// Reading a PostgreSQL database's schema into a Catalog with a fixed
// handful of bulk catalog queries (one per object kind, never one per
// table), so introspecting 10,000 tables costs about what 10 does in round
// trips.
#ifndef RETORT_CATALOG_PG_INTROSPECT_H_
#define RETORT_CATALOG_PG_INTROSPECT_H_

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// IntrospectOptions say which part of the database is read. System schemas
// (pg_catalog, information_schema, pg_toast*, pg_temp*), objects owned by an
// extension and retort's version/history tables (alembic_version*) are never
// read.
struct IntrospectOptions {
  // Only these schemas (exact names). Default: empty = every user schema.
  std::vector<std::string> include_schemas;
  // Never these schemas (exact names or globs). Default: none.
  std::vector<std::string> exclude_schemas;
  // Tables, views and sequences to skip: globs matched against "name" and
  // "schema.name" (fnmatch syntax: *, ?, [...]). Default: none.
  std::vector<std::string> exclude_tables;
};

// Whether `options` lets schema `schema` through (system schemas never do).
bool SchemaIncluded(const IntrospectOptions& options, std::string_view schema);
// Whether relation `schema`.`name` is read under `options` (version tables
// never are).
bool RelationIncluded(const IntrospectOptions& options, std::string_view schema,
                      std::string_view name);

// Reads the schema of the database `conn` is connected to. Runs inside a
// REPEATABLE READ READ ONLY transaction (one snapshot for all queries) unless
// a transaction is already open, in which case it reads in that one.
Result<Catalog> IntrospectPostgres(Connection& conn,
                                   const IntrospectOptions& options);

}  // namespace retort

#endif  // RETORT_CATALOG_PG_INTROSPECT_H_
