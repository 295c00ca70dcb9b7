// The definitions retort prints itself instead of asking the server
// (pg_get_constraintdef costs 15 us a constraint, pg_get_indexdef opens the
// table, and the model normaliser has no server), in the server's words:
// one printer used by the introspector (pg_introspect.cc) and the
// normaliser (model_normalize.cc). The server's pg_get_*def stays the
// ground truth: tests compare the two on a live server
// (AutogenIntrospect.KeyDefinitionsMatchTheServer,
// AutogenIntrospect.IndexDefinitionsMatchTheServer).
#ifndef RETORT_CATALOG_PG_DEPARSE_H_
#define RETORT_CATALOG_PG_DEPARSE_H_

#include <optional>
#include <string>
#include <vector>

namespace retort {

// A PRIMARY KEY or UNIQUE constraint. Names are unquoted.
struct KeyConstraintParts {
  bool primary = false;
  bool nulls_not_distinct = false;
  std::vector<std::string> columns;
  std::vector<std::string> include;  // INCLUDE (...) columns
  bool deferrable = false;
  bool initially_deferred = false;
  bool not_valid = false;
};

// "PRIMARY KEY (id)", "UNIQUE NULLS NOT DISTINCT (a, b) INCLUDE (c)
// DEFERRABLE", as pg_get_constraintdef prints them.
std::string KeyConstraintDefinition(const KeyConstraintParts& key);

// A FOREIGN KEY constraint. Names are unquoted but `referenced`, which is
// the referenced table as SQL ("auth.users"). Codes as in pg_constraint:
// match 's' (simple), 'f' (FULL), 'p' (PARTIAL); actions 'a' (NO ACTION),
// 'r', 'c', 'n', 'd'.
struct ForeignKeyParts {
  std::vector<std::string> columns;
  std::string referenced;
  std::vector<std::string> referenced_columns;
  char match = 's';
  char on_update = 'a';
  char on_delete = 'a';
  // ON DELETE SET NULL / SET DEFAULT (columns) (PostgreSQL 15).
  std::vector<std::string> set_columns;
  bool deferrable = false;
  bool initially_deferred = false;
  bool not_valid = false;
};

// "FOREIGN KEY (a) REFERENCES s.t(id) ON DELETE CASCADE DEFERRABLE", as
// pg_get_constraintdef prints it; nullopt for a match or action code that
// is none of the above.
std::optional<std::string> ForeignKeyDefinition(const ForeignKeyParts& fk);

// One column of a plain index: the column, DESC, NULLS FIRST (which DESC
// implies unless NULLS LAST is given).
struct IndexColumnParts {
  std::string name;
  bool desc = false;
  bool nulls_first = false;
};

// An index that is a list of plain columns, each with its type's default
// operator class and its column's collation. Names are unquoted but
// `table`, the indexed table as SQL ("auth.users").
struct PlainIndexParts {
  bool unique = false;
  std::string name;
  std::string table;
  std::string method = "btree";
  std::vector<IndexColumnParts> columns;
  std::vector<std::string> include;
  // A partial index's predicate as pg_get_indexdef prints it after WHERE
  // ("(deleted_at IS NULL)"); "" for none.
  std::string predicate;
};

// "CREATE UNIQUE INDEX ix ON auth.users USING btree (email DESC) INCLUDE
// (id) WHERE (deleted_at IS NULL)", as pg_get_indexdef prints it.
std::string PlainIndexDefinition(const PlainIndexParts& index);

// The action word of a pg_constraint action code ("CASCADE"); "" for 'a'
// (NO ACTION, printed as nothing); nullopt for an unknown code.
std::optional<std::string> ForeignKeyActionSql(char code);

}  // namespace retort

#endif  // RETORT_CATALOG_PG_DEPARSE_H_
