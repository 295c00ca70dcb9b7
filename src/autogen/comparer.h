// The comparer behind Compare() (diff.h): one object that walks two
// catalogs family by family and collects the operations, with the state the
// families share (renames, rebuilds, retyped columns). Private to
// src/autogen: the public entry is Compare().
//
// Where the parts are:
//   comparer.cc           Run(), the helpers every family uses, schemas and
//                         extensions
//   comparer_renames.cc   constraints and indexes renamed, not recreated
//   comparer_rebuilds.cc  what is dropped and created again around a change
//                         it depends on (FindRebuilds), enum recreation
//                         (FindEnumSwaps), ordering around type changes
//   comparer_types.cc     collations, enums, domains, composite types
//   comparer_tables.cc    tables, columns, constraints, triggers, policies,
//                         row-level security, partitions, inheritance
//   comparer_objects.cc   sequences, functions, indexes, views
//   comparer_grants.cc    privileges
#ifndef RETORT_AUTOGEN_COMPARER_H_
#define RETORT_AUTOGEN_COMPARER_H_

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "autogen/diff.h"
#include "catalog/catalog.h"
#include "dialect/dialect.h"
#include "util/walk_maps.h"

namespace retort {

// Helpers the comparer's files share (each .cc names the ones it uses).
namespace comparer_detail {

inline std::string Literal(std::string_view s) { return QuotePgLiteral(s); }

inline std::string Q(std::string_view ident) {
  return QuoteIdentIfNeeded(ident);
}

// The key -> keys dependency edges of a catalog, inverted, for finding the
// views that must be rebuilt when something they read changes.
// The views point into the catalog's own keys.
using DependentsMap =
    std::unordered_map<std::string_view, std::vector<std::string_view>>;
inline void AddDependents(const Catalog& c, DependentsMap& out) {
  for (const auto& [from, tos] : c.depends_on) {
    for (const std::string& to : tos) out[to].push_back(from);
  }
}

// Relation key -> "schema.name" text for SQL.
inline std::string RelationSql(const Catalog& c, const std::string& key) {
  if (auto t = c.tables.find(key); t != c.tables.end()) {
    return QualifiedName(t->second.schema, t->second.name);
  }
  if (auto v = c.views.find(key); v != c.views.end()) {
    return QualifiedName(v->second.schema, v->second.name);
  }
  return key.substr(key.find(':') + 1);
}

// "SELECT setval(<sequence>, max(col)) FROM table HAVING max(col) IS NOT
// NULL;": a sequence moved past the rows of `column` (min for a
// descending one), nothing on an empty table. `sequence` is SQL: a literal
// name or pg_get_serial_sequence(...); `table` is SQL too.
inline std::string SetvalPastRowsSql(const std::string& sequence,
                                     const std::string& table,
                                     std::string_view column, bool descending) {
  const std::string extreme =
      std::string(descending ? "min" : "max") + "(" + Q(column) + ")";
  return "SELECT setval(" + sequence + ", " + extreme + ") FROM " + table +
         " HAVING " + extreme + " IS NOT NULL;\n";
}

}  // namespace comparer_detail

class Comparer {
 public:
  Comparer(const Catalog& from, const Catalog& to) : from_(from), to_(to) {}

  std::vector<Operation> Run();

 private:
  // --- renames -------------------------------------------------------------

  // The name an object has on the other side (FindRenames).
  struct RenameTarget {
    std::string key;
    std::string name;
  };

  // Constraints and indexes that differ only by their name -- the same
  // table, kind and definition (an index's definition read with its own
  // name left out) -- are renamed instead of dropped and created again:
  // ALTER TABLE ... RENAME CONSTRAINT (a primary key's, unique or exclusion
  // constraint's index follows its constraint) and ALTER INDEX ... RENAME
  // TO. Only objects whose name exists on one side are matched, per table,
  // one to one, in name order when several are alike. A rename whose new
  // name is the old name of another rename (a swap, a chain into a taken
  // name) is left to drop and create, which needs no intermediate name.
  // Fills renamed_ (old key -> new key and name) and renamed_back_ (new key
  // -> old key); a pair whose object is rebuilt (FindRebuilds: something it
  // depends on is re-created) is dropped and created after all, see
  // ActiveRename.
  void FindRenames();

  // A possible rename: the keys of both sides, the new name, and for an
  // index-backed constraint the keys of its index (a schema relation).
  struct RenameCandidate {
    std::string old_key, new_key, new_name;
    std::string old_relation, new_relation;
  };

  // Constraints of a table on both sides whose name is only on one side,
  // paired by kind and definition.
  void MatchConstraintRenames(std::vector<RenameCandidate>* found) const;

  // Indexes only on one side, paired per table by definition.
  void MatchIndexRenames(std::vector<RenameCandidate>* found) const;

  // Constraints that own an index (named after them).
  static bool HasIndex(ConstraintKind kind);

  // Whether two indexes of one table are the same but for their names:
  // "CREATE [UNIQUE] INDEX <name> ON ..." alike after the name.
  static bool SameIndexButName(const Index& a, const Index& b);

  // A key of either side that FindRenames matched.
  bool IsRenamed(const std::string& key) const;

  // The rename of the object known as `old_key` here, unless there is none
  // or the object is rebuilt anyway.
  const RenameTarget* ActiveRename(const std::string& old_key) const;

  // Whether `new_key` comes from a rename (so it is not created).
  bool IsRenameTarget(const std::string& new_key) const;

  // The rename of constraint `k` of `a` (b is the table in the models),
  // when it is one; false leaves it to drop and create.
  bool RenameConstraintOp(const Table& a, const Table& b, const Constraint& k);

  // The rename of index `x` (key `old_key`), when it is one.
  bool RenameIndexOp(const std::string& old_key, const Index& x);

  // --- rebuilds ------------------------------------------------------------

  // What an object unchanged on both sides is, when something it depends
  // on changes.
  enum class Dependent {
    kRebuilt,          // view, index, constraint, trigger, policy, function
    kColumn,           // a column whose default may use what changes
    kGeneratedColumn,  // dropped and added again
  };

  // Whether a function's change can be made with CREATE OR REPLACE, which
  // cannot change the result type (OUT parameters included), parameter
  // defaults or function vs procedure.
  static bool NeedsRecreate(const Function& a, const Function& b);

  // Objects that are the same on both sides still have to be dropped and
  // created again when something they depend on goes away for a while:
  // PostgreSQL refuses to change a column's type under a view, trigger,
  // policy or generated column, and to drop a function or unique key others
  // use. So every object that goes away in either direction (dropped,
  // created — its drop is the downgrade's —, changed, re-created) and every
  // column whose type changes is a seed; whatever depends on a seed
  // (pg_depend of either side, transitively) is rebuilt. Two exceptions:
  // columns whose default uses a seed only get their default dropped and
  // set again; and the table's own indexes and non-foreign-key constraints
  // on a retyped column are left to ALTER COLUMN TYPE, which re-parses and
  // rebuilds them itself -- and skips the rebuild when the new type is
  // binary-coercible (varchar(n) to a longer varchar or text), where a drop
  // and create would rebuild a unique index on a large table for nothing.
  // (Unchanged definitions only: one the models change is re-created
  // anyway. Foreign keys are still rebuilt, since both of their ends may be
  // retyped and the types must match when each ALTER runs.)
  // Enums whose values are removed or reordered (not one value renamed, not
  // values only added) cannot change in place: the type is recreated (see
  // EnumSwapOp), and every column alike on both sides that uses it changes
  // type twice. Those columns count as retyped for FindRebuilds (views,
  // indexes, constraints and defaults that use them are rebuilt around the
  // swap; PostgreSQL's own re-parse of an index predicate or CHECK holding
  // 'v'::old would fail against the new type), and the type itself as gone
  // (functions taking it are rebuilt).
  void FindEnumSwaps();

  // Columns on both sides that use enum `key` (arrays of it too).
  std::vector<std::string> EnumColumns(const std::string& key) const;

  bool IsSwappedEnumColumn(const std::string& column_key) const;

  void FindRebuilds();

  // A column type change must run after the drops of what is rebuilt
  // around it and before their re-creations. Those operations name the
  // column among what they need; the ALTER TYPE gets a pseudo-key of its
  // own ("retype:<column key>") that it both drops and creates, and they
  // wait for or precede it. (The column key itself cannot serve: the
  // column's other ALTERs both need it and precede its drop.)
  void OrderAroundTypeChanges();

  // --- helpers -------------------------------------------------------------

  // Adds the create operations of one object, or (drop = true) their
  // reverses, built from `side`.
  template <typename Fn>
  void CreateOrDrop(bool drop, Fn&& build) {
    size_t first = ops_.size();
    build();
    if (!drop) return;
    for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
  }

  Operation& Add(OpKind kind, OpKind reverse_kind, std::string object,
                 std::string sql, std::string reverse_sql);

  // Dependencies recorded for `key` in `side`, as ordering constraints of a
  // create operation.
  void NeedsDeps(Operation& op, const Catalog& side, const std::string& key);

  void InSchema(Operation& op, std::string_view schema);

  // Creates type `key` (an enum, domain or composite type) in `schema` with
  // `sql`, dropped by `reverse_sql`; its dependencies come from `side`. The
  // drop of a type loses the values of every column of that type.
  Operation& CreateTypeOp(const std::string& key, std::string_view schema,
                          std::string sql, std::string reverse_sql,
                          const Catalog& side);

  // COMMENT ON ... IS ...; `created` = the object is created by this diff,
  // so the reverse needs no statement (the drop takes the comment along).
  void CommentOp(const std::string& target, const std::string& object,
                 const std::optional<std::string>& old_comment,
                 const std::optional<std::string>& new_comment, bool created);

  // --- schemas and extensions ----------------------------------------------

  void DiffSchemas();

  void DiffExtensions();

  // --- collations ------------------------------------------------------------

  static std::string CreateCollationSql(const Collation& c);

  // Created and dropped; a changed definition cannot be altered (columns,
  // indexes and constraints use the collation by its OID), so it is a
  // manual step. Columns name the collation among what they need
  // (ColumnDeps, AlterColumn).
  void DiffCollations();

  // --- types -----------------------------------------------------------------

  void DiffEnums();

  // Whether `labels` appear in `within` in the same order (not necessarily
  // next to each other).
  static bool IsSubsequence(const std::vector<std::string>& labels,
                            const std::vector<std::string>& within);

  // The label of `b` that `a`'s single missing label was renamed to: the
  // one new label that, put in the missing label's place, leaves every old
  // label where `b` has it (so the rest is ADD VALUE). "" when no label or
  // more than one fits, or when not exactly one label is missing: then
  // nothing is guessed.
  static std::string EnumRenameTarget(const EnumType& a, const EnumType& b,
                                      size_t* position);

  // The enum recreated with `b`'s labels (and, in the downgrade, `a`'s):
  // CREATE TYPE under a temporary name, every column that uses it (FindEnum
  // Swaps) changed to it through text, DROP TYPE of the old one, RENAME of
  // the new one, its comment set again. What uses the type or its columns
  // is rebuilt around this operation (FindRebuilds), which both drops and
  // creates the type's key and the columns' "retype:" keys so that holds
  // in both directions.
  // With `only_down`, the upgrade adds values in place (AlterEnum) and only
  // the downgrade recreates the type; nothing but the columns uses it, and
  // their defaults are dropped and set again here.
  void EnumSwapOp(const std::string& key, const EnumType& a, const EnumType& b,
                  bool only_down = false);

  // Whether anything but columns uses enum `key` or its columns (views,
  // indexes, constraints, functions, ...), on either side.
  bool EnumHasDependents(const std::string& key) const;

  // The table and column of `side` with key `column_key`; nulls when
  // none. (A scan: for the few columns of a recreated enum.)
  static std::pair<const Table*, const Column*> FindColumn(
      const Catalog& side, const std::string& column_key);

  // `swap_down`: the downgrade of added values may recreate the type (not
  // after a rename, which its downgrade undoes in place).
  void AlterEnum(const std::string& key, const EnumType& a, const EnumType& b,
                 bool may_swap_down = true);

  void DiffDomains();

  void AlterDomain(const std::string& key, const Domain& a, const Domain& b);

  void DiffComposites();

  void AlterComposite(const std::string& key, const CompositeType& a,
                      const CompositeType& b);

  // --- sequences -------------------------------------------------------------

  static std::string SequenceOptions(const Sequence& s);

  void OwnerOp(const std::string& key, const Sequence& s, const Catalog& side,
               bool created);

  void DiffSequences();

  // --- functions -------------------------------------------------------------

  void DiffFunctions();

  // --- tables ----------------------------------------------------------------

  static std::string ColumnSql(const Column& c);

  // "GENERATED ALWAYS AS IDENTITY (START WITH 10)" for column `c`.
  static std::string IdentitySql(const Column& c);

  // After ADD ... AS IDENTITY on a column that has rows: the sequence moves
  // past them (its maximum, or minimum for a descending one), else the next
  // insert would collide. Nothing happens on an empty table.
  static std::string IdentitySetvalSql(const Table& t, const Column& c);

  // "SET INCREMENT BY 1 SET MINVALUE 1 ... SET NO CYCLE": every identity
  // sequence option of `c`, for ALTER COLUMN. All of them, since an option
  // left at its default in `c` may not be at it now.
  static std::string SetIdentityOptionsSql(const Column& c);

  // "WITH (a=1, b=2)" for storage parameters; "" for none.
  static std::string WithOptions(const std::vector<std::string>& options);

  // ALTER <what> SET (...) / RESET (...) turning storage parameters `a`
  // into `b`; "" when equal.
  static std::string AlterOptionsSql(const std::string& what,
                                     const std::vector<std::string>& a,
                                     const std::vector<std::string>& b);

  void ColumnDeps(Operation& op, const Catalog& side, const Table& t,
                  const Column& c);

  // The key of a column's collation (Column::collation prints one of a
  // user schema qualified, as CollationKey does).
  static std::string CollationKeyOf(const Column& c);

  static bool IsInline(const Constraint& k);

  void ConstraintOp(const Catalog& side, const Table& t, const Constraint& k,
                    bool table_created);

  void TableCreateOps(const std::string& key, const Table& t,
                      const Catalog& side);

  void RlsOps(const std::string& key, const std::string& name, const Table& a,
              const Table& b, bool created);

  void TriggerOp(const Catalog& side, const std::string& schema,
                 const std::string& relation, const Trigger& g,
                 bool table_created);

  // Triggers of a table or view on both sides, compared by definition.
  void DiffTriggers(const std::string& schema, const std::string& relation,
                    const std::vector<Trigger>& a,
                    const std::vector<Trigger>& b);

  void PolicyOp(const Catalog& side, const Table& t, const Policy& p,
                bool table_created);

  // The objects of a table kept by name and compared by definition, `xs`
  // of `a` (from_) and `ys` of `b` (to_): an unchanged one (not rebuilt)
  // gets its comment compared (COMMENT ON `what` <name> ON <table>); a
  // changed one is dropped and created again by `op` (op(side, table,
  // object, table_created)). `renamed(x)` handles an object of `a` renamed
  // in `b` (and returns true); `rename_target(y)` says an object of `b`
  // came from a rename. DiffConstraints and DiffPolicies are this.
  template <typename T, typename MakeKey, typename Op, typename Renamed,
            typename RenameTarget>
  void DiffTableObjects(const Table& a, const Table& b,
                        const std::vector<T>& xs, const std::vector<T>& ys,
                        const char* what, MakeKey make_key, Op op,
                        Renamed renamed, RenameTarget rename_target) {
    const std::string table = QualifiedName(b.schema, b.name);
    auto find = [](const std::vector<T>& list, const std::string& name) {
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const T& x) { return x.name == name; });
      return it == list.end() ? nullptr : &*it;
    };
    auto alike = [&](const T& x, const T* y) {
      return y != nullptr && y->definition == x.definition &&
             !rebuild_.count(make_key(b.schema, b.name, x.name));
    };
    for (const T& x : xs) {
      const T* y = find(ys, x.name);
      if (alike(x, y)) {
        CommentOp(std::string(what) + " " + comparer_detail::Q(x.name) +
                      " ON " + table,
                  make_key(b.schema, b.name, x.name), x.comment, y->comment,
                  false);
        continue;
      }
      if (renamed(x)) continue;
      size_t first = ops_.size();
      op(from_, a, x, false);
      for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
    }
    for (const T& y : ys) {
      if (alike(y, find(xs, y.name)) || rename_target(y)) continue;
      op(to_, b, y, false);
    }
  }

  // Constraints of a table on both sides (renames: FindRenames).
  void DiffConstraints(const Table& a, const Table& b);

  // Row-level-security policies of a table on both sides.
  void DiffPolicies(const Table& a, const Table& b);

  void DiffTables();

  void AddColumnOp(const Catalog& side, const Table& t, const Column& c);

  void AlterColumn(const Table& t, const Column& a, const Column& b);

  void AlterTable(const std::string& key, const Table& a, const Table& b);

  // --- indexes ---------------------------------------------------------------

  void IndexCreateOps(const std::string& key, const Index& x,
                      const Catalog& side, bool table_created);

  void DiffIndexes();

  // --- views -----------------------------------------------------------------

  void ViewCreateOps(const std::string& key, const View& v,
                     const Catalog& side);

  void DiffViews();

  // --- grants ----------------------------------------------------------------

  // A grantee's hold on one privilege: none, plain, or WITH GRANT OPTION.
  enum class Hold { kNone, kPlain, kGrantable };

  // Privileges in the order GRANT lists them, so statements are stable.
  static size_t PrivilegeRank(const std::string& privilege);

  // What a newly created object of this kind holds without any GRANT:
  // functions and procedures give EXECUTE to PUBLIC; schemas, tables,
  // sequences and columns give nothing to anyone but the owner.
  static std::vector<Grant> DefaultGrants(const std::string& key);

  // GRANT/REVOKE operations turning grants `a` into `b` on one object.
  // `created`: the object is created by this diff, so the downgrade needs
  // no statement (dropping the object takes its grants along).
  void GrantOps(const std::string& key, const ObjectGrants& on,
                const std::vector<Grant>& a, const std::vector<Grant>& b,
                bool created);

  // Grants are compared last: whether an object is created, dropped or
  // re-created (a rebuilt view, a function replaced by DROP + CREATE, a
  // generated column dropped and added) is known from the operations
  // already made. A created object starts from its kind's default grants; a
  // dropped one takes its grants along (only the downgrade, re-creating it,
  // needs statements); a re-created one is both.
  void DiffGrants();

  // The grants on `key` in `c`; an object without an entry has none. The
  // target is "" when `key` names nothing grants can be on.
  static ObjectGrants GrantsOf(const Catalog& c, const std::string& key);

  const Catalog& from_;
  const Catalog& to_;
  std::vector<Operation> ops_;
  // Keys of objects alike on both sides that are dropped and created again
  // (FindRebuilds).
  std::set<std::string> rebuild_;
  // Constraints and indexes renamed (FindRenames): by old key, and the old
  // key by new key.
  std::map<std::string, RenameTarget> renamed_;
  std::map<std::string, std::string> renamed_back_;
  // Columns alike on both sides whose default is dropped and set again
  // around the re-creation of something it uses.
  std::set<std::string> reset_defaults_;
  // Columns whose type or collation changes, and the index in ops_ of the
  // ALTER ... TYPE of each.
  std::set<std::string> retyped_;
  std::map<std::string, size_t> retype_ops_;
  // Enums recreated under a new type (FindEnumSwaps): by type key, the
  // columns alike on both sides that use it.
  std::map<std::string, std::vector<std::string>> swapped_enums_;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_COMPARER_H_
