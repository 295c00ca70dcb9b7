// Reading SQLite's CREATE TABLE text (as sqlite_schema keeps it) into its
// parts. SQLite's pragmas say a lot about a table (columns, declared types,
// NOT NULL, defaults, primary key, foreign keys, indexes) but nothing about
// CHECK constraints, collations, generation expressions, DEFERRABLE or
// AUTOINCREMENT, and nothing about how a column was spelled; this parser
// supplies those. It follows SQLite's grammar for column definitions and
// table constraints and works on tokens (dialect/sqlite_tokenizer.h), never
// on raw text patterns.
//
// The input is text SQLite has already accepted, so the parser is strict
// only where it must be to find boundaries; anything it cannot place is an
// error rather than a guess.
#ifndef RETORT_CATALOG_SQLITE_DDL_H_
#define RETORT_CATALOG_SQLITE_DDL_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"

namespace retort {

// How a column's DEFAULT is written, which decides whether ALTER TABLE ADD
// COLUMN may add it.
enum class SqliteDefaultKind {
  kNone,        // no DEFAULT clause
  kNull,        // DEFAULT NULL
  kConstant,    // a literal, a signed number, TRUE/FALSE, a bare word
  kExpression,  // DEFAULT (expr) or CURRENT_TIME/DATE/TIMESTAMP
};

// SqliteColumnDef is one column definition of a CREATE TABLE.
struct SqliteColumnDef {
  std::string name;  // as declared, quotes removed
  std::string sql;   // the whole definition as written ("email TEXT NOT NULL")
  std::string type;  // canonical declared type ("varchar ( 255 )"), or ""
  // Each column constraint in canonical form ("not null", "default 0",
  // "check ( x > 0 )", "references users ( id ) on delete cascade"), in the
  // order written, CONSTRAINT names included.
  std::vector<std::string> constraints;
  bool primary_key = false;
  bool autoincrement = false;
  bool not_null = false;
  bool unique = false;
  bool references = false;
  bool check = false;
  bool generated = false;
  bool stored = false;  // a STORED generated column
  SqliteDefaultKind default_kind = SqliteDefaultKind::kNone;
  // Lower-cased names used inside the constraints (CHECK, DEFAULT,
  // generation expressions, REFERENCES): what this column depends on.
  std::set<std::string> names_used;

  // The definition without its name, constraints sorted: equal for two
  // spellings SQLite reads the same way (case, quoting, spacing, order of
  // constraints).
  std::string Canonical() const;
};

// SqliteTableDef is a CREATE TABLE statement taken apart.
struct SqliteTableDef {
  std::string name;  // quotes removed, without a schema prefix
  // Byte range of "[schema.]name" in the statement, for writing the same
  // definition under another name.
  size_t name_begin = 0;
  size_t name_end = 0;
  std::vector<SqliteColumnDef> columns;  // in declaration order
  // Table constraints (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) in
  // canonical form, in the order written.
  std::vector<std::string> constraints;
  // Lower-cased names used inside the table constraints.
  std::set<std::string> constraint_names_used;
  // Table options in canonical form: "without rowid", "strict", ...
  std::vector<std::string> options;
  bool without_rowid = false;
};

// Parses a CREATE TABLE statement (not CREATE VIRTUAL TABLE). Errors say
// what was expected and where ("column 3: expected a constraint, found
// 'foo'").
Result<SqliteTableDef> ParseSqliteCreateTable(std::string_view sql);

// `sql` (a CREATE TABLE statement parsed into `def`) with the table's name
// replaced by `new_name` (quoted when needed).
std::string RenameSqliteCreateTable(std::string_view sql,
                                    const SqliteTableDef& def,
                                    std::string_view new_name);

// Lower-cased names (bare words and quoted identifiers) appearing anywhere
// in `sql`: a conservative answer to "which tables and columns may this
// view, trigger or index mention?".
std::set<std::string> SqliteNamesUsed(std::string_view sql);

}  // namespace retort

#endif  // RETORT_CATALOG_SQLITE_DDL_H_
