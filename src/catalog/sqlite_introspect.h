// An SQLite database's schema as autogenerate compares it, and reading it.
//
// Why not Catalog (catalog.h): Catalog holds PostgreSQL's normalised
// definitions (format_type, pg_get_constraintdef, ...) and PostgreSQL's
// object kinds (schemas, sequences, types, functions). SQLite has none of
// those, keeps each object's CREATE text as written, and the comparison must
// decide from SQLite-only facts whether ALTER TABLE can make a change at all
// (ADD COLUMN's restrictions, DROP COLUMN's) or the table must be rebuilt.
// So SQLite gets this small model; the operations and their rendering
// (autogen/diff.h, render.h) are shared.
//
// Facts come from SQLite itself where it offers them (PRAGMA table_xinfo,
// foreign_key_list, index_list, index_xinfo, table_list) and from the
// stored CREATE TABLE text for the rest (sqlite_ddl.h). Definitions are
// compared in a canonical token form (case, quoting, spacing and the order
// of column constraints do not matter), never as raw text, because SQLite
// keeps whatever text created the object: a table made by a migration and
// the same table made by the models are spelled differently.
#ifndef RETORT_CATALOG_SQLITE_INTROSPECT_H_
#define RETORT_CATALOG_SQLITE_INTROSPECT_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog/pg_introspect.h"
#include "catalog/sqlite_ddl.h"
#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// SqliteColumn is one column: PRAGMA table_xinfo's row plus its parsed
// definition.
struct SqliteColumn {
  std::string name;
  int pk = 0;  // 1-based position in the primary key, 0 = not in it
  bool not_null = false;
  // PRAGMA table_xinfo's hidden: 0 ordinary, 2 VIRTUAL generated, 3 STORED
  // generated.
  int hidden = 0;
  SqliteColumnDef def;
};

// SqliteForeignKey is one FOREIGN KEY of a table (PRAGMA foreign_key_list).
struct SqliteForeignKey {
  std::string parent;             // the referenced table, lower-cased
  std::vector<std::string> from;  // child columns, lower-cased
  std::vector<std::string> to;    // parent columns; empty = its primary key
};

// SqliteTable is an ordinary table, or a virtual table (kept whole: its
// definition belongs to its module).
struct SqliteTable {
  std::string name;
  std::string sql;  // CREATE [VIRTUAL] TABLE as sqlite_schema keeps it
  bool is_virtual = false;
  // Virtual tables: the canonical statement. Ordinary tables: empty.
  std::string virtual_canonical;
  SqliteTableDef def;                 // ordinary tables only
  std::vector<SqliteColumn> columns;  // in declaration order
  std::vector<SqliteForeignKey> foreign_keys;
  // Lower-cased columns that some index on the table uses, automatic ones
  // (PRIMARY KEY, UNIQUE) included.
  std::set<std::string> indexed_columns;
  // INTEGER PRIMARY KEY: the column is the rowid.
  bool rowid_alias = false;

  const SqliteColumn* FindColumn(const std::string& folded_name) const;
};

// SqliteObject is an index created with CREATE INDEX, a view or a trigger.
struct SqliteObject {
  std::string name;
  std::string table;      // lower-cased: the indexed table / trigger's table
  std::string sql;        // as sqlite_schema keeps it
  std::string canonical;  // the statement in canonical token form
  std::set<std::string> names_used;  // lower-cased names in the statement
};

// SqliteSchema is the part of one database autogenerate compares. Maps are
// keyed by lower-cased name (SQLite's names are case-insensitive).
struct SqliteSchema {
  std::map<std::string, SqliteTable> tables;
  std::map<std::string, SqliteObject> indexes;  // CREATE INDEX only
  std::map<std::string, SqliteObject> views;
  std::map<std::string, SqliteObject> triggers;
};

// Reads the main database of `conn`. `options.exclude_tables` globs skip
// tables and views (and their indexes and triggers); internal tables
// (sqlite_*), version tables (alembic_version*) and virtual tables' shadow
// tables are never read. Schema filters do not apply: SQLite has one schema.
Result<SqliteSchema> IntrospectSqlite(Connection& conn,
                                      const IntrospectOptions& options);

}  // namespace retort

#endif  // RETORT_CATALOG_SQLITE_INTROSPECT_H_
