// Compare for SQLite: two SqliteSchemas -> the operations (autogen/diff.h)
// that turn one into the other, and their rendering.
//
// SQLite's ALTER TABLE can add a column (not a PRIMARY KEY or UNIQUE one,
// with a constant default, a non-NULL default when NOT NULL, not STORED
// generated) and, from 3.35, drop one (not in a key, an index, a foreign
// key, a CHECK, a generated column, a view or a trigger). Every other table
// change is made by rebuilding the table, SQLite's documented procedure:
//
//   CREATE TABLE new_t (<the desired definition>);
//   INSERT INTO new_t (<common columns>) SELECT <common columns> FROM t;
//   DROP TABLE t;
//   PRAGMA legacy_alter_table = ON;
//   ALTER TABLE new_t RENAME TO t;
//   PRAGMA legacy_alter_table = OFF;
//   CREATE INDEX ... / CREATE TRIGGER ...   (t's, which DROP TABLE took)
//
// The legacy rename leaves views and other tables' triggers as written:
// they name t, and t is back. The modern rename would instead re-check
// every view and trigger of the schema and fail on those naming t, which
// DROP TABLE has just removed ("error in view v: no such table: main.t").
//
// Foreign keys: with enforcement on, DROP TABLE t deletes t's rows first,
// which fires ON DELETE CASCADE / SET NULL in the tables referencing t and
// counts their rows as violations (PRAGMA defer_foreign_keys does not help:
// the cascade still runs and the deferred count stays up after the rename,
// so COMMIT fails). Enforcement can only be switched off between
// transactions, so when a table that foreign keys reference is rebuilt the
// script starts with PRAGMA foreign_keys = OFF and ends with PRAGMA
// foreign_key_check; the runtime runs such a revision in a transaction of
// its own with enforcement off and fails it if the check finds a violation
// (runtime/run.h). Rebuilding an unreferenced table needs none of that.
//
// Each direction is decided on its own: adding a NOT NULL column with a
// default is an ADD COLUMN, its downgrade a DROP COLUMN; dropping a column
// that cannot be added back as it was is a DROP COLUMN whose downgrade is a
// rebuild.
#ifndef RETORT_AUTOGEN_SQLITE_DIFF_H_
#define RETORT_AUTOGEN_SQLITE_DIFF_H_

#include <map>
#include <string>
#include <vector>

#include "autogen/diff.h"
#include "catalog/sqlite_introspect.h"

namespace retort {

// SqliteDiffOptions say what the generated SQL may use.
struct SqliteDiffOptions {
  // sqlite3_libversion_number() of the library that will run the
  // migration; below 3035000 a dropped column always means a rebuild.
  // Default: the version retort is linked with.
  int sqlite_version = 0;
};

// SqliteOperations is a comparison's outcome: the operations, plus the
// tables foreign keys reference (on either side), whose rebuild needs
// enforcement off: key -> the table's name as declared.
struct SqliteOperations {
  std::vector<Operation> operations;
  std::map<std::string, std::string> referenced_tables;
};

// The operations turning `from` into `to`, not yet ordered.
SqliteOperations CompareSqlite(const SqliteSchema& from, const SqliteSchema& to,
                               const SqliteDiffOptions& options);

// SQL text for ordered operations (RenderSql), between PRAGMA foreign_keys
// = OFF and PRAGMA foreign_key_check when one of them rebuilds a table in
// `referenced_tables`.
std::string RenderSqliteSql(
    const std::vector<Operation>& ordered_ops,
    const std::map<std::string, std::string>& referenced_tables);

// The key of an SQLite table, view or index named `name` (case-folded):
// "relation:main.users".
std::string SqliteRelationKey(std::string_view name);

}  // namespace retort

#endif  // RETORT_AUTOGEN_SQLITE_DIFF_H_
