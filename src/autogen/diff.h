// Compare: two catalogs (the database as it is, the models as they should
// be) -> the operations that turn one into the other. Each Operation carries
// its own reverse, so a downgrade is the upgrade's operations reversed and
// re-ordered, never a second comparison (Alembic's ops.reverse()).
#ifndef RETORT_AUTOGEN_DIFF_H_
#define RETORT_AUTOGEN_DIFF_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace retort {

// What an operation does; the reverse of each kind is its mirror
// (kCreateTable <-> kDropTable, kAlterColumn <-> kAlterColumn, ...). The
// enumerator order is the default statement order when dependencies leave a
// choice (drops of dependents first, then creates of dependencies first).
enum class OpKind {
  kRevoke,
  kDropPolicy,
  kDropTrigger,
  kDropView,
  kDropForeignKey,
  kDropIndex,
  kDropConstraint,
  kSetSequenceOwner,  // OWNED BY NONE sorts early so drops can follow
  kDropColumn,
  kDropTable,
  kDropFunction,
  kDropSequence,
  kDropType,
  kDropExtension,
  kDropSchema,
  // Constraints and indexes known by another name on the other side (same
  // table, same definition): after the drops that may free the new name,
  // before the creates that may take the old one.
  kRenameConstraint,
  kRenameIndex,
  kCreateSchema,
  kCreateExtension,
  kCreateType,
  kAlterType,
  kCreateSequence,
  kAlterSequence,
  kCreateTable,
  kAddColumn,
  kRebuildTable,  // SQLite: new table, rows copied, old dropped, renamed
  kAlterColumn,
  kAddConstraint,
  kCreateIndex,
  kAddForeignKey,
  kSetSequenceOwned,
  kCreateFunction,
  kReplaceFunction,
  kCreateView,
  kCreateTrigger,
  kAlterTable,  // RLS switches
  kCreatePolicy,
  kGrant,
  kComment,
  kManual,  // a change retort cannot express; only comments are rendered
};

// "create_table", "drop_column", ...: stable names for JSON and tests.
std::string_view OpKindName(OpKind kind);

// Operation is one change: the SQL that makes it and the SQL that undoes
// it, plus what it creates, drops and needs, which is all the renderer uses
// to order statements.
struct Operation {
  OpKind kind = OpKind::kManual;
  OpKind reverse_kind = OpKind::kManual;
  // Identity key of the object acted on ("relation:auth.users").
  std::string object;
  // Statements, each terminated by ';' and a newline. Empty means nothing
  // to run (e.g. dropping an index of a table that is itself dropped).
  std::string sql;
  std::string reverse_sql;
  // "-- ..." lines printed before the statements: rename hints, manual
  // steps. Destructive markers are added by the renderer.
  std::vector<std::string> comments;
  std::vector<std::string> reverse_comments;
  // Loses data when run (drops of tables, columns, ..., type narrowing).
  bool destructive = false;
  bool reverse_destructive = false;
  // Ordering: keys this operation brings into existence or removes, keys
  // that must exist before it runs (run after their creation), and keys it
  // uses until it has run (run before their drop).
  std::set<std::string> creates;
  std::set<std::string> drops;
  std::set<std::string> after_created;
  std::set<std::string> before_dropped;

  // The operation that undoes this one.
  Operation Reverse() const;
  // An operation of `kind` on `object` running `sql`, undone by
  // `reverse_sql` (an operation of `reverse_kind`); the rest left empty.
  static Operation Make(OpKind kind, OpKind reverse_kind, std::string object,
                        std::string sql, std::string reverse_sql);
};

// The key an operation adding an enum value creates: this prefix and the
// value as a SQL literal ("enum-value:'wild'"). Statements that use the
// value must run after the value is committed (autogen.cc).
inline constexpr std::string_view kEnumValueKeyPrefix = "enum-value:";

// The operations turning `from` into `to`, in a stable order (not yet
// dependency-ordered: see render.h). Empty when the catalogs hold the same
// schema.
std::vector<Operation> Compare(const Catalog& from, const Catalog& to);

// Whether changing a column from `from_type` to `to_type` keeps every value
// (varchar(10) -> varchar(20), integer -> bigint); anything not known to
// widen counts as narrowing and is marked destructive.
bool IsWideningTypeChange(std::string_view from_type, std::string_view to_type);

}  // namespace retort

#endif  // RETORT_AUTOGEN_DIFF_H_
