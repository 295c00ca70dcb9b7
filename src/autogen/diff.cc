// Compare two catalogs into operations. Objects only in the target side get
// "create" operations; objects only in the current side get the reverses of
// the create operations built from the current side, so creation and drop
// can never disagree about SQL or ordering; objects on both sides are
// compared field by field.
#include "autogen/diff.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "dialect/dialect.h"
#include "util/walk_maps.h"

namespace retort {

Operation Operation::Reverse() const {
  Operation r = *this;
  std::swap(r.kind, r.reverse_kind);
  std::swap(r.sql, r.reverse_sql);
  std::swap(r.comments, r.reverse_comments);
  std::swap(r.destructive, r.reverse_destructive);
  std::swap(r.creates, r.drops);
  std::swap(r.after_created, r.before_dropped);
  return r;
}

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kRevoke:
      return "revoke";
    case OpKind::kDropPolicy:
      return "drop_policy";
    case OpKind::kDropTrigger:
      return "drop_trigger";
    case OpKind::kDropView:
      return "drop_view";
    case OpKind::kDropForeignKey:
      return "drop_foreign_key";
    case OpKind::kDropIndex:
      return "drop_index";
    case OpKind::kDropConstraint:
      return "drop_constraint";
    case OpKind::kSetSequenceOwner:
      return "unset_sequence_owner";
    case OpKind::kDropColumn:
      return "drop_column";
    case OpKind::kDropTable:
      return "drop_table";
    case OpKind::kDropFunction:
      return "drop_function";
    case OpKind::kDropSequence:
      return "drop_sequence";
    case OpKind::kDropType:
      return "drop_type";
    case OpKind::kDropExtension:
      return "drop_extension";
    case OpKind::kDropSchema:
      return "drop_schema";
    case OpKind::kRenameConstraint:
      return "rename_constraint";
    case OpKind::kRenameIndex:
      return "rename_index";
    case OpKind::kCreateSchema:
      return "create_schema";
    case OpKind::kCreateExtension:
      return "create_extension";
    case OpKind::kCreateType:
      return "create_type";
    case OpKind::kAlterType:
      return "alter_type";
    case OpKind::kCreateSequence:
      return "create_sequence";
    case OpKind::kAlterSequence:
      return "alter_sequence";
    case OpKind::kCreateTable:
      return "create_table";
    case OpKind::kAddColumn:
      return "add_column";
    case OpKind::kRebuildTable:
      return "rebuild_table";
    case OpKind::kAlterColumn:
      return "alter_column";
    case OpKind::kAddConstraint:
      return "add_constraint";
    case OpKind::kCreateIndex:
      return "create_index";
    case OpKind::kAddForeignKey:
      return "add_foreign_key";
    case OpKind::kSetSequenceOwned:
      return "set_sequence_owner";
    case OpKind::kCreateFunction:
      return "create_function";
    case OpKind::kReplaceFunction:
      return "replace_function";
    case OpKind::kCreateView:
      return "create_view";
    case OpKind::kCreateTrigger:
      return "create_trigger";
    case OpKind::kAlterTable:
      return "alter_table";
    case OpKind::kCreatePolicy:
      return "create_policy";
    case OpKind::kGrant:
      return "grant";
    case OpKind::kComment:
      return "comment";
    case OpKind::kManual:
      return "manual";
  }
  return "unknown";
}

namespace {

// Splits "name(args)" type text into base and modifier list.
std::pair<std::string, std::vector<long>> TypeParts(std::string_view type) {
  size_t open = type.find('(');
  if (open == std::string_view::npos || type.back() != ')') {
    return {std::string(type), {}};
  }
  std::vector<long> mods;
  std::string inner(type.substr(open + 1, type.size() - open - 2));
  size_t pos = 0;
  while (pos <= inner.size()) {
    size_t comma = inner.find(',', pos);
    if (comma == std::string::npos) comma = inner.size();
    try {
      mods.push_back(std::stol(inner.substr(pos, comma - pos)));
    } catch (...) {
      return {std::string(type), {}};
    }
    pos = comma + 1;
  }
  return {std::string(type.substr(0, open)), mods};
}

int IntegerRank(std::string_view t) {
  if (t == "smallint") return 1;
  if (t == "integer") return 2;
  if (t == "bigint") return 3;
  return 0;
}

}  // namespace

bool IsWideningTypeChange(std::string_view from_type,
                          std::string_view to_type) {
  if (from_type == to_type) return true;
  auto [from, from_mods] = TypeParts(from_type);
  auto [to, to_mods] = TypeParts(to_type);
  bool from_chars = from == "character varying" || from == "character";
  if (from_chars && to == "text") return true;
  if (from == "character varying" && to == "character varying") {
    return to_mods.empty() ||
           (!from_mods.empty() && to_mods[0] >= from_mods[0]);
  }
  if (IntegerRank(from) && IntegerRank(to)) {
    return IntegerRank(to) >= IntegerRank(from);
  }
  if (IntegerRank(from) && to == "numeric") {
    // numeric(p, 0) holds every integer of the smaller type only when p is
    // large enough; unbounded numeric always does.
    static constexpr long kDigits[] = {0, 5, 10, 19};
    return to_mods.empty() ||
           (to_mods.size() >= 1 &&
            to_mods[0] - (to_mods.size() > 1 ? to_mods[1] : 0) >=
                kDigits[IntegerRank(from)]);
  }
  if (from == "numeric" && to == "numeric") {
    if (to_mods.empty()) return true;
    if (from_mods.empty()) return false;
    long from_scale = from_mods.size() > 1 ? from_mods[1] : 0;
    long to_scale = to_mods.size() > 1 ? to_mods[1] : 0;
    return to_scale >= from_scale &&
           to_mods[0] - to_scale >= from_mods[0] - from_scale;
  }
  if (from == "real" && to == "double precision") return true;
  if ((from == "timestamp" || from == "timestamp without time zone") &&
      (to == "timestamp" || to == "timestamp without time zone")) {
    return to_mods.empty() ||
           (!from_mods.empty() && to_mods[0] >= from_mods[0]);
  }
  return false;
}

namespace {

std::string Literal(std::string_view s) { return QuotePgLiteral(s); }

std::string Q(std::string_view ident) { return QuoteIdentIfNeeded(ident); }

// The key -> keys dependency edges of a catalog, inverted, for finding the
// views that must be rebuilt when something they read changes.
// The views point into the catalog's own keys.
using DependentsMap =
    std::unordered_map<std::string_view, std::vector<std::string_view>>;
void AddDependents(const Catalog& c, DependentsMap& out) {
  for (const auto& [from, tos] : c.depends_on) {
    for (const std::string& to : tos) out[to].push_back(from);
  }
}

// Relation key -> "schema.name" text for SQL.
std::string RelationSql(const Catalog& c, const std::string& key) {
  if (auto t = c.tables.find(key); t != c.tables.end()) {
    return QualifiedName(t->second.schema, t->second.name);
  }
  if (auto v = c.views.find(key); v != c.views.end()) {
    return QualifiedName(v->second.schema, v->second.name);
  }
  return key.substr(key.find(':') + 1);
}

class Comparer {
 public:
  Comparer(const Catalog& from, const Catalog& to) : from_(from), to_(to) {}

  std::vector<Operation> Run() {
    FindRenames();
    FindEnumSwaps();
    FindRebuilds();
    DiffSchemas();
    DiffExtensions();
    DiffCollations();
    DiffEnums();
    DiffDomains();
    DiffComposites();
    DiffSequences();
    DiffFunctions();
    DiffTables();
    DiffIndexes();
    DiffViews();
    DiffGrants();
    OrderAroundTypeChanges();
    return std::move(ops_);
  }

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
  void FindRenames() {
    std::vector<RenameCandidate> found;
    MatchConstraintRenames(&found);
    MatchIndexRenames(&found);
    // Keys a rename frees: a rename may not take one.
    std::set<std::string> freed;
    for (const RenameCandidate& c : found) {
      freed.insert(c.old_key);
      if (!c.old_relation.empty()) freed.insert(c.old_relation);
    }
    for (const RenameCandidate& c : found) {
      if (freed.count(c.new_key) ||
          (!c.new_relation.empty() && freed.count(c.new_relation))) {
        continue;
      }
      renamed_[c.old_key] = RenameTarget{c.new_key, c.new_name};
      renamed_back_[c.new_key] = c.old_key;
    }
  }

  // A possible rename: the keys of both sides, the new name, and for an
  // index-backed constraint the keys of its index (a schema relation).
  struct RenameCandidate {
    std::string old_key, new_key, new_name;
    std::string old_relation, new_relation;
  };

  // Constraints of a table on both sides whose name is only on one side,
  // paired by kind and definition.
  void MatchConstraintRenames(std::vector<RenameCandidate>* found) const {
    for (const auto& [table_key, a] : from_.tables) {
      auto it = to_.tables.find(table_key);
      if (it == to_.tables.end()) continue;
      const Table& b = it->second;
      std::vector<bool> taken(b.constraints.size(), false);
      for (const Constraint& k : a.constraints) {
        if (b.FindConstraint(k.name)) continue;
        for (size_t i = 0; i < b.constraints.size(); ++i) {
          const Constraint& n = b.constraints[i];
          if (taken[i] || n.kind != k.kind || n.definition != k.definition ||
              a.FindConstraint(n.name)) {
            continue;
          }
          taken[i] = true;
          RenameCandidate c{ConstraintKey(a.schema, a.name, k.name),
                            ConstraintKey(b.schema, b.name, n.name), n.name, "",
                            ""};
          if (HasIndex(k.kind)) {
            c.old_relation = RelationKey(a.schema, k.name);
            c.new_relation = RelationKey(b.schema, n.name);
          }
          found->push_back(std::move(c));
          break;
        }
      }
    }
  }

  // Indexes only on one side, paired per table by definition.
  void MatchIndexRenames(std::vector<RenameCandidate>* found) const {
    std::map<std::string, std::vector<const Index*>> added;  // by table
    for (const auto& [key, x] : to_.indexes) {
      if (!from_.indexes.count(key)) added[x.table].push_back(&x);
    }
    for (const auto& [key, x] : from_.indexes) {
      if (to_.indexes.count(key)) continue;
      auto it = added.find(x.table);
      if (it == added.end()) continue;
      for (const Index*& y : it->second) {
        if (y == nullptr || !SameIndexButName(x, *y)) continue;
        std::string new_key = RelationKey(y->schema, y->name);
        found->push_back({key, new_key, y->name, key, new_key});
        y = nullptr;
        break;
      }
    }
  }

  // Constraints that own an index (named after them).
  static bool HasIndex(ConstraintKind kind) {
    return kind == ConstraintKind::kPrimaryKey ||
           kind == ConstraintKind::kUnique ||
           kind == ConstraintKind::kExclusion;
  }

  // Whether two indexes of one table are the same but for their names:
  // "CREATE [UNIQUE] INDEX <name> ON ..." alike after the name.
  static bool SameIndexButName(const Index& a, const Index& b) {
    if (a.schema != b.schema || a.table != b.table || a.unique != b.unique) {
      return false;
    }
    auto rest = [](const Index& x) -> std::optional<std::string_view> {
      std::string prefix =
          std::string(x.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
          Q(x.name) + " ON ";
      std::string_view def = x.definition;
      if (!def.starts_with(prefix)) return std::nullopt;
      return def.substr(prefix.size());
    };
    std::optional<std::string_view> ra = rest(a), rb = rest(b);
    return ra && rb && *ra == *rb;
  }

  // A key of either side that FindRenames matched.
  bool IsRenamed(const std::string& key) const {
    return renamed_.count(key) > 0 || renamed_back_.count(key) > 0;
  }

  // The rename of the object known as `old_key` here, unless there is none
  // or the object is rebuilt anyway.
  const RenameTarget* ActiveRename(const std::string& old_key) const {
    auto it = renamed_.find(old_key);
    if (it == renamed_.end() || rebuild_.count(old_key) ||
        rebuild_.count(it->second.key)) {
      return nullptr;
    }
    return &it->second;
  }

  // Whether `new_key` comes from a rename (so it is not created).
  bool IsRenameTarget(const std::string& new_key) const {
    auto it = renamed_back_.find(new_key);
    return it != renamed_back_.end() && ActiveRename(it->second) != nullptr;
  }

  // The rename of constraint `k` of `a` (b is the table in the models),
  // when it is one; false leaves it to drop and create.
  bool RenameConstraintOp(const Table& a, const Table& b, const Constraint& k) {
    std::string old_key = ConstraintKey(a.schema, a.name, k.name);
    const RenameTarget* target = ActiveRename(old_key);
    if (!target) return false;
    const Constraint* n = b.FindConstraint(target->name);
    if (!n) return false;
    std::string table = QualifiedName(b.schema, b.name);
    auto rename = [&](const std::string& from, const std::string& to) {
      return "ALTER TABLE " + table + " RENAME CONSTRAINT " + Q(from) + " TO " +
             Q(to) + ";\n";
    };
    Operation& op =
        Add(OpKind::kRenameConstraint, OpKind::kRenameConstraint, target->key,
            rename(k.name, n->name), rename(n->name, k.name));
    op.drops.insert(old_key);
    op.creates.insert(target->key);
    if (HasIndex(k.kind)) {
      // Its index, a relation of the schema, is renamed with it.
      op.drops.insert(RelationKey(a.schema, k.name));
      op.creates.insert(RelationKey(b.schema, n->name));
    }
    op.after_created.insert(RelationKey(b.schema, b.name));
    CommentOp("CONSTRAINT " + Q(n->name) + " ON " + table, target->key,
              k.comment, n->comment, false);
    return true;
  }

  // The rename of index `x` (key `old_key`), when it is one.
  bool RenameIndexOp(const std::string& old_key, const Index& x) {
    const RenameTarget* target = ActiveRename(old_key);
    if (!target) return false;
    auto it = to_.indexes.find(target->key);
    if (it == to_.indexes.end()) return false;
    const Index& n = it->second;
    auto rename = [&](const std::string& from, const std::string& to) {
      return "ALTER INDEX " + QualifiedName(x.schema, from) + " RENAME TO " +
             Q(to) + ";\n";
    };
    Operation& op = Add(OpKind::kRenameIndex, OpKind::kRenameIndex, target->key,
                        rename(x.name, n.name), rename(n.name, x.name));
    op.drops.insert(old_key);
    op.creates.insert(target->key);
    op.after_created.insert(n.table);
    CommentOp("INDEX " + QualifiedName(n.schema, n.name), target->key,
              x.comment, n.comment, false);
    return true;
  }

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
  static bool NeedsRecreate(const Function& a, const Function& b) {
    return a.result != b.result || a.arguments != b.arguments ||
           a.procedure != b.procedure;
  }

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
  void FindEnumSwaps() {
    for (const auto& [key, a] : from_.enums) {
      auto it = to_.enums.find(key);
      if (it == to_.enums.end() || a.labels == it->second.labels) continue;
      size_t position = 0;
      if (!EnumRenameTarget(a, it->second, &position).empty()) continue;
      if (IsSubsequence(a.labels, it->second.labels)) continue;
      swapped_enums_[key] = EnumColumns(key);
      for (const std::string& column : swapped_enums_[key]) {
        retyped_.insert(column);
      }
    }
  }

  // Columns on both sides that use enum `key` (arrays of it too).
  std::vector<std::string> EnumColumns(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [table_key, a] : from_.tables) {
      auto it = to_.tables.find(table_key);
      if (it == to_.tables.end()) continue;
      for (const Column& c : a.columns) {
        if (c.type_key != key) continue;
        const Column* n = it->second.FindColumn(c.name);
        if (n == nullptr || n->type != c.type) continue;
        out.push_back(ColumnKey(a.schema, a.name, c.name));
      }
    }
    return out;
  }

  bool IsSwappedEnumColumn(const std::string& column_key) const {
    for (const auto& [key, columns] : swapped_enums_) {
      if (std::find(columns.begin(), columns.end(), column_key) !=
          columns.end()) {
        return true;
      }
    }
    return false;
  }

  void FindRebuilds() {
    std::map<std::string, Dependent> both;
    std::deque<std::string> work;
    // Two passes over the same walk: the first collects only the seeds
    // (`work`); the second, needed only when some seed has dependents,
    // lists the unchanged objects (`both`) -- every column of every table,
    // which is most of the cost when a model adds a column to each table.
    bool list_both = false;
    auto seed_walk = [&](const auto& a_map, const auto& b_map, auto changed) {
      using Object = typename std::decay_t<decltype(a_map)>::mapped_type;
      WalkMaps(a_map, b_map,
               [&](const std::string& key, const Object* a, const Object* b) {
                 if ((a && b && !changed(*a, *b)) || IsRenamed(key)) {
                   if (list_both) both[key] = Dependent::kRebuilt;
                 } else if (!list_both) {
                   work.push_back(key);
                 }
               });
    };
    auto seed = [&] {
      seed_walk(from_.views, to_.views, [](const View& a, const View& b) {
        return a.definition != b.definition || a.materialized != b.materialized;
      });
      for (const auto& [key, a] : from_.views) {
        auto it = to_.views.find(key);
        if (it == to_.views.end()) continue;
        for (const Trigger& g : a.triggers) {
          for (const Trigger& n : it->second.triggers) {
            if (list_both && n.name == g.name && n.definition == g.definition) {
              both[TriggerKey(a.schema, a.name, g.name)] = Dependent::kRebuilt;
            }
          }
        }
      }
      seed_walk(from_.indexes, to_.indexes, [](const Index& a, const Index& b) {
        return a.definition != b.definition;
      });
      seed_walk(from_.functions, to_.functions,
                [](const Function& a, const Function& b) {
                  return NeedsRecreate(a, b);
                });
      for (const auto& [key, a] : from_.tables) {
        auto it = to_.tables.find(key);
        if (it == to_.tables.end()) continue;
        const Table& b = it->second;
        for (const Column& c : a.columns) {
          const Column* n = b.FindColumn(c.name);
          if (!n || n->generated_expr != c.generated_expr) {
            if (!list_both) work.push_back(ColumnKey(a.schema, a.name, c.name));
          } else if (n->type != c.type || n->collation != c.collation) {
            if (!list_both) {
              std::string ck = ColumnKey(a.schema, a.name, c.name);
              retyped_.insert(ck);
              work.push_back(std::move(ck));
            }
          } else if (list_both) {
            both[ColumnKey(a.schema, a.name, c.name)] =
                c.generated_expr.empty() ? Dependent::kColumn
                                         : Dependent::kGeneratedColumn;
          }
        }
        for (const Column& c : b.columns) {
          if (!list_both && !a.FindColumn(c.name)) {
            work.push_back(ColumnKey(b.schema, b.name, c.name));
          }
        }
        // A renamed object (FindRenames) is alike on both sides, under
        // each side's name.
        auto named = [&](const auto& xs, const auto& ys, auto make_key) {
          for (const auto& x : xs) {
            auto y = std::find_if(ys.begin(), ys.end(), [&](const auto& e) {
              return e.name == x.name;
            });
            std::string key = make_key(a.schema, a.name, x.name);
            if ((y != ys.end() && y->definition == x.definition) ||
                IsRenamed(key)) {
              if (list_both) both[key] = Dependent::kRebuilt;
            } else if (!list_both) {
              work.push_back(std::move(key));
            }
          }
          for (const auto& y : ys) {
            if (list_both && renamed_.empty()) break;
            auto x = std::find_if(xs.begin(), xs.end(), [&](const auto& e) {
              return e.name == y.name;
            });
            if (x != xs.end()) continue;
            std::string key = make_key(b.schema, b.name, y.name);
            if (IsRenamed(key)) {
              if (list_both) both[key] = Dependent::kRebuilt;
            } else if (!list_both) {
              work.push_back(std::move(key));
            }
          }
        };
        named(a.constraints, b.constraints, ConstraintKey);
        named(a.triggers, b.triggers, TriggerKey);
        named(a.policies, b.policies, PolicyKey);
      }
    };
    seed();
    for (const auto& [key, columns] : swapped_enums_) {
      work.push_back(key);
      work.insert(work.end(), columns.begin(), columns.end());
    }
    if (work.empty()) return;  // nothing goes away: nothing to rebuild
    // Most often nothing depends on any seed (a model adds columns): one
    // pass over the edges says so, before the edges are inverted.
    const std::unordered_set<std::string_view> seeds(work.begin(), work.end());
    auto needs_a_seed = [&](const Catalog& c) {
      for (const auto& [from, tos] : c.depends_on) {
        for (const std::string& to : tos) {
          if (seeds.count(to)) return true;
        }
      }
      return false;
    };
    if (!needs_a_seed(from_) && !needs_a_seed(to_)) return;
    DependentsMap dependents;
    AddDependents(from_, dependents);
    AddDependents(to_, dependents);
    list_both = true;
    seed();
    std::set<std::string> reparsed;  // what ALTER COLUMN TYPE rebuilds
    if (!retyped_.empty()) {
      for (const auto& [key, index] : from_.indexes) reparsed.insert(key);
      for (const auto& [key, table] : from_.tables) {
        for (const Constraint& c : table.constraints) {
          if (c.kind != ConstraintKind::kForeignKey) {
            reparsed.insert(ConstraintKey(table.schema, table.name, c.name));
          }
        }
      }
      // ... under its new name too, when it is renamed.
      for (const auto& [old_key, target] : renamed_) {
        if (reparsed.count(old_key)) reparsed.insert(target.key);
      }
    }
    std::set<std::string> seen;
    while (!work.empty()) {
      std::string key = std::move(work.front());
      work.pop_front();
      if (!seen.insert(key).second) continue;
      auto it = dependents.find(key);
      if (it == dependents.end()) continue;
      // (A swapped enum's column is not re-parsed safely: see
      // FindEnumSwaps.)
      const bool retyped = retyped_.count(key) > 0 && !IsSwappedEnumColumn(key);
      for (std::string_view view : it->second) {
        std::string d(view);
        auto dep = both.find(d);
        if (dep == both.end()) continue;
        if (retyped && reparsed.count(d)) continue;
        if (dep->second == Dependent::kColumn) {
          // Only its default can use another object; the column stays.
          reset_defaults_.insert(d);
          continue;
        }
        rebuild_.insert(d);
        work.push_back(std::move(d));
      }
    }
  }

  // A column type change must run after the drops of what is rebuilt
  // around it and before their re-creations. Those operations name the
  // column among what they need; the ALTER TYPE gets a pseudo-key of its
  // own ("retype:<column key>") that it both drops and creates, and they
  // wait for or precede it. (The column key itself cannot serve: the
  // column's other ALTERs both need it and precede its drop.)
  void OrderAroundTypeChanges() {
    if (retyped_.empty()) return;
    auto retype_key = [](const std::string& column_key) {
      return "retype:" + column_key;
    };
    for (Operation& op : ops_) {
      if (!op.creates.empty()) {
        for (const std::string& k : std::vector<std::string>(
                 op.after_created.begin(), op.after_created.end())) {
          if (retyped_.count(k)) op.after_created.insert(retype_key(k));
        }
      }
      if (!op.drops.empty()) {
        for (const std::string& k : std::vector<std::string>(
                 op.before_dropped.begin(), op.before_dropped.end())) {
          if (retyped_.count(k)) op.before_dropped.insert(retype_key(k));
        }
      }
    }
    for (const auto& [column_key, index] : retype_ops_) {
      ops_[index].creates.insert(retype_key(column_key));
      ops_[index].drops.insert(retype_key(column_key));
    }
  }

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
                 std::string sql, std::string reverse_sql) {
    Operation op;
    op.kind = kind;
    op.reverse_kind = reverse_kind;
    op.object = std::move(object);
    op.sql = std::move(sql);
    op.reverse_sql = std::move(reverse_sql);
    ops_.push_back(std::move(op));
    return ops_.back();
  }

  // Dependencies recorded for `key` in `side`, as ordering constraints of a
  // create operation.
  void NeedsDeps(Operation& op, const Catalog& side, const std::string& key) {
    auto it = side.depends_on.find(key);
    if (it == side.depends_on.end()) return;
    op.after_created.insert(it->second.begin(), it->second.end());
  }

  void InSchema(Operation& op, std::string_view schema) {
    op.after_created.insert(SchemaKey(schema));
  }

  // Creates type `key` (an enum, domain or composite type) in `schema` with
  // `sql`, dropped by `reverse_sql`; its dependencies come from `side`. The
  // drop of a type loses the values of every column of that type.
  Operation& CreateTypeOp(const std::string& key, std::string_view schema,
                          std::string sql, std::string reverse_sql,
                          const Catalog& side) {
    Operation& op = Add(OpKind::kCreateType, OpKind::kDropType, key,
                        std::move(sql), std::move(reverse_sql));
    op.creates.insert(key);
    op.reverse_destructive = true;
    InSchema(op, schema);
    NeedsDeps(op, side, key);
    return op;
  }

  // COMMENT ON ... IS ...; `created` = the object is created by this diff,
  // so the reverse needs no statement (the drop takes the comment along).
  void CommentOp(const std::string& target, const std::string& object,
                 const std::optional<std::string>& old_comment,
                 const std::optional<std::string>& new_comment, bool created) {
    if (old_comment == new_comment) return;
    auto text = [](const std::optional<std::string>& c) {
      return c ? Literal(*c) : std::string("NULL");
    };
    Operation& op = Add(
        OpKind::kComment, OpKind::kComment, object,
        "COMMENT ON " + target + " IS " + text(new_comment) + ";\n",
        created ? ""
                : "COMMENT ON " + target + " IS " + text(old_comment) + ";\n");
    op.after_created.insert(object);
    // A created object's comment goes with its drop: ordering it before
    // the drop too would tie it in a cycle when the object is re-created.
    if (!created) op.before_dropped.insert(object);
  }

  // --- schemas and extensions ----------------------------------------------

  void DiffSchemas() {
    WalkMaps(from_.schemas, to_.schemas,
             [&](const std::string& key, const Schema* a, const Schema* b) {
               if (a && b) {
                 CommentOp("SCHEMA " + Q(b->name), key, a->comment, b->comment,
                           false);
                 return;
               }
               const Schema& s = a ? *a : *b;
               CreateOrDrop(a != nullptr, [&] {
                 Operation& op = Add(OpKind::kCreateSchema, OpKind::kDropSchema,
                                     key, "CREATE SCHEMA " + Q(s.name) + ";\n",
                                     "DROP SCHEMA " + Q(s.name) + ";\n");
                 op.creates.insert(key);
                 op.reverse_destructive = true;
                 CommentOp("SCHEMA " + Q(s.name), key, std::nullopt, s.comment,
                           true);
               });
             });
  }

  void DiffExtensions() {
    WalkMaps(
        from_.extensions, to_.extensions,
        [&](const std::string& key, const Extension* a, const Extension* b) {
          if (a && b) return;  // versions and schema moves: not compared
          const Extension& x = a ? *a : *b;
          CreateOrDrop(a != nullptr, [&] {
            Operation& op =
                Add(OpKind::kCreateExtension, OpKind::kDropExtension, key,
                    "CREATE EXTENSION IF NOT EXISTS " + Q(x.name) +
                        " WITH SCHEMA " + Q(x.schema) + ";\n",
                    "DROP EXTENSION " + Q(x.name) + ";\n");
            op.creates.insert(key);
            op.reverse_destructive = true;
            if (x.schema != "pg_catalog") InSchema(op, x.schema);
          });
        });
  }

  // --- collations ------------------------------------------------------------

  static std::string CreateCollationSql(const Collation& c) {
    std::string sql = "CREATE COLLATION " + QualifiedName(c.schema, c.name) +
                      " (provider = " + c.provider;
    if (c.provider == "icu") {
      sql += ", locale = " + Literal(c.locale);
    } else {
      sql += ", lc_collate = " + Literal(c.lc_collate) +
             ", lc_ctype = " + Literal(c.lc_ctype);
    }
    if (!c.deterministic) sql += ", deterministic = false";
    return sql + ");\n";
  }

  // Created and dropped; a changed definition cannot be altered (columns,
  // indexes and constraints use the collation by its OID), so it is a
  // manual step. Columns name the collation among what they need
  // (ColumnDeps, AlterColumn).
  void DiffCollations() {
    WalkMaps(
        from_.collations, to_.collations,
        [&](const std::string& key, const Collation* a, const Collation* b) {
          const std::string name =
              QualifiedName((a ? a : b)->schema, (a ? a : b)->name);
          if (a && b) {
            Collation x = *a, y = *b;
            x.comment = y.comment;
            if (x != y) {
              Operation& op =
                  Add(OpKind::kManual, OpKind::kManual, key, "", "");
              op.comments.push_back(
                  "-- manual: collation " + name + " changes from " +
                  CreateCollationSql(*a).substr(17) + "-- to " +
                  CreateCollationSql(*b).substr(17) +
                  "-- PostgreSQL cannot alter a collation's definition: "
                  "create one under a new name and move the columns, "
                  "indexes and constraints that use it");
              op.reverse_comments = op.comments;
            }
            CommentOp("COLLATION " + name, key, a->comment, b->comment, false);
            return;
          }
          const Collation& c = a ? *a : *b;
          CreateOrDrop(a != nullptr, [&] {
            Operation& op =
                Add(OpKind::kCreateType, OpKind::kDropType, key,
                    CreateCollationSql(c), "DROP COLLATION " + name + ";\n");
            op.creates.insert(key);
            InSchema(op, c.schema);
            CommentOp("COLLATION " + name, key, std::nullopt, c.comment, true);
          });
        });
  }

  // --- types -----------------------------------------------------------------

  void DiffEnums() {
    WalkMaps(from_.enums, to_.enums,
             [&](const std::string& key, const EnumType* a, const EnumType* b) {
               if (a && b) {
                 AlterEnum(key, *a, *b);
                 CommentOp("TYPE " + QualifiedName(b->schema, b->name), key,
                           a->comment, b->comment, false);
                 return;
               }
               const EnumType& e = a ? *a : *b;
               const Catalog& side = a ? from_ : to_;
               CreateOrDrop(a != nullptr, [&] {
                 std::string name = QualifiedName(e.schema, e.name);
                 std::string labels;
                 for (const std::string& l : e.labels) {
                   labels += (labels.empty() ? "" : ", ") + Literal(l);
                 }
                 CreateTypeOp(
                     key, e.schema,
                     "CREATE TYPE " + name + " AS ENUM (" + labels + ");\n",
                     "DROP TYPE " + name + ";\n", side);
                 CommentOp("TYPE " + name, key, std::nullopt, e.comment, true);
               });
             });
  }

  // Whether `labels` appear in `within` in the same order (not necessarily
  // next to each other).
  static bool IsSubsequence(const std::vector<std::string>& labels,
                            const std::vector<std::string>& within) {
    size_t j = 0;
    for (size_t i = 0; i < within.size() && j < labels.size(); ++i) {
      if (within[i] == labels[j]) ++j;
    }
    return j == labels.size();
  }

  // The label of `b` that `a`'s single missing label was renamed to: the
  // one new label that, put in the missing label's place, leaves every old
  // label where `b` has it (so the rest is ADD VALUE). "" when no label or
  // more than one fits, or when not exactly one label is missing: then
  // nothing is guessed.
  static std::string EnumRenameTarget(const EnumType& a, const EnumType& b,
                                      size_t* position) {
    std::set<std::string> in_a(a.labels.begin(), a.labels.end());
    std::set<std::string> in_b(b.labels.begin(), b.labels.end());
    size_t missing = a.labels.size();
    for (size_t i = 0; i < a.labels.size(); ++i) {
      if (in_b.count(a.labels[i])) continue;
      if (missing != a.labels.size()) return "";  // two or more missing
      missing = i;
    }
    if (missing == a.labels.size()) return "";
    std::string found;
    for (const std::string& label : b.labels) {
      if (in_a.count(label)) continue;
      std::vector<std::string> renamed = a.labels;
      renamed[missing] = label;
      if (!IsSubsequence(renamed, b.labels)) continue;
      if (!found.empty()) return "";  // ambiguous
      found = label;
    }
    *position = missing;
    return found;
  }

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
                  bool only_down = false) {
    const std::string name = QualifiedName(b.schema, b.name);
    const std::string temp_name = b.name + "__retort_swap";
    const std::string temp = QualifiedName(b.schema, temp_name);
    const std::vector<std::string> columns =
        only_down ? EnumColumns(key) : swapped_enums_[key];
    auto labels = [](const EnumType& e) {
      std::string out;
      for (const std::string& l : e.labels) {
        out += (out.empty() ? "" : ", ") + Literal(l);
      }
      return out;
    };
    auto swap = [&](const EnumType& to, const Catalog& to_side) {
      std::string sql =
          "CREATE TYPE " + temp + " AS ENUM (" + labels(to) + ");\n";
      std::string defaults;
      for (const std::string& column_key : columns) {
        const auto& [table, column] = SplitColumnKey(column_key);
        const std::string alter = "ALTER TABLE " +
                                  QualifiedName(table->schema, table->name) +
                                  " ALTER COLUMN " + Q(column->name) + " ";
        const std::string array = column->type.ends_with("[]") ? "[]" : "";
        if (only_down) {
          // The downgrade, from to_'s column to to_side's (from_'s).
          const Column* now = ColumnOf(to_, column_key);
          const Column* then = ColumnOf(to_side, column_key);
          if (now != nullptr && now->default_expr) {
            sql += alter + "DROP DEFAULT;\n";
          }
          if (then != nullptr && then->default_expr) {
            defaults += alter + "SET DEFAULT " + *then->default_expr + ";\n";
          }
        }
        sql += alter + "TYPE " + temp + array + " USING " + Q(column->name) +
               "::text" + array + "::" + temp + array + ";\n";
      }
      sql += "DROP TYPE " + name + ";\n";
      sql += "ALTER TYPE " + temp + " RENAME TO " + Q(b.name) + ";\n";
      sql += defaults;
      if (to.comment) {
        sql +=
            "COMMENT ON TYPE " + name + " IS " + Literal(*to.comment) + ";\n";
      }
      return sql;
    };
    Operation& op = Add(OpKind::kAlterType, OpKind::kAlterType, key,
                        only_down ? "" : swap(b, to_), swap(a, from_));
    auto removed = [&](const EnumType& from, const EnumType& to) {
      std::string out;
      for (const std::string& l : from.labels) {
        if (std::find(to.labels.begin(), to.labels.end(), l) ==
            to.labels.end()) {
          out += (out.empty() ? "" : ", ") + Literal(l);
        }
      }
      return out;
    };
    auto note = [&](const EnumType& from, const EnumType& to) {
      std::vector<std::string> lines = {
          "-- enum " + name + " changes from (" + labels(from) + ") to (" +
          labels(to) +
          "): PostgreSQL cannot remove or reorder enum values in place, so "
          "the type is recreated and its columns converted through text"};
      std::string gone = removed(from, to);
      if (!gone.empty()) {
        lines.push_back("-- rows still holding " + gone +
                        " make the conversion fail: update them first");
      }
      return lines;
    };
    if (!only_down) op.comments = note(a, b);
    op.reverse_comments = note(b, a);
    op.destructive = !removed(a, b).empty();
    op.reverse_destructive = !removed(b, a).empty();
    if (only_down) {
      // Only the downgrade runs: after the drops of the columns of the
      // type only the upgrade added, before the adds of those it dropped
      // (which come back with the recreated type). Keyed by those columns,
      // not by the type: the upgrade's statements that use the added
      // values (SET DEFAULT 'new'::type) need and keep the type as it is.
      for (const Catalog* side : {&from_, &to_}) {
        for (const auto& [table_key, t] : side->tables) {
          for (const Column& c : t.columns) {
            if (c.type_key != key) continue;
            std::string ck = ColumnKey(t.schema, t.name, c.name);
            if (std::find(columns.begin(), columns.end(), ck) !=
                columns.end()) {
              continue;
            }
            (side == &from_ ? op.creates : op.drops).insert(ck);
          }
        }
      }
      return;
    }
    op.creates.insert(key);
    op.drops.insert(key);
    for (const std::string& column_key : columns) {
      op.after_created.insert(column_key);
      op.before_dropped.insert(column_key);
      retype_ops_[column_key] = ops_.size() - 1;
    }
  }

  // Whether anything but columns uses enum `key` or its columns (views,
  // indexes, constraints, functions, ...), on either side.
  bool EnumHasDependents(const std::string& key) const {
    std::set<std::string> used = {key};
    for (const std::string& c : EnumColumns(key)) used.insert(c);
    for (const Catalog* side : {&from_, &to_}) {
      for (const auto& [object, needs] : side->depends_on) {
        if (object.starts_with("column:")) continue;
        for (const std::string& n : needs) {
          if (used.count(n)) return true;
        }
      }
    }
    return false;
  }

  // The column of `side` with key `column_key`; nullptr when none.
  static const Column* ColumnOf(const Catalog& side,
                                const std::string& column_key) {
    for (const auto& [table_key, t] : side.tables) {
      for (const Column& c : t.columns) {
        if (ColumnKey(t.schema, t.name, c.name) == column_key) return &c;
      }
    }
    return nullptr;
  }

  // The table and column of a column key of `from_` (FindEnumSwaps lists
  // only columns found there).
  std::pair<const Table*, const Column*> SplitColumnKey(
      const std::string& column_key) const {
    for (const auto& [table_key, t] : from_.tables) {
      for (const Column& c : t.columns) {
        if (ColumnKey(t.schema, t.name, c.name) == column_key) {
          return {&t, &c};
        }
      }
    }
    return {nullptr, nullptr};
  }

  // `swap_down`: the downgrade of added values may recreate the type (not
  // after a rename, which its downgrade undoes in place).
  void AlterEnum(const std::string& key, const EnumType& a, const EnumType& b,
                 bool may_swap_down = true) {
    if (a.labels == b.labels) return;
    std::string name = QualifiedName(b.schema, b.name);
    size_t position = 0;
    std::string renamed_to = EnumRenameTarget(a, b, &position);
    if (!renamed_to.empty()) {
      // Read as a rename, said so in a comment: PostgreSQL cannot drop an
      // enum value, so the only in-place change that loses a label is
      // RENAME VALUE; the downgrade renames it back.
      const std::string& old_label = a.labels[position];
      Operation& op =
          Add(OpKind::kAlterType, OpKind::kAlterType, key,
              "ALTER TYPE " + name + " RENAME VALUE " + Literal(old_label) +
                  " TO " + Literal(renamed_to) + ";\n",
              "ALTER TYPE " + name + " RENAME VALUE " + Literal(renamed_to) +
                  " TO " + Literal(old_label) + ";\n");
      op.comments.push_back(
          "-- enum " + name + ": " + Literal(old_label) +
          " is not in the models and " + Literal(renamed_to) +
          " is new in its place: read as a rename (if " + Literal(old_label) +
          " must go and its rows change, recreate the type instead)");
      op.reverse_comments.push_back("-- enum " + name + ": renaming back " +
                                    Literal(renamed_to) + " to " +
                                    Literal(old_label));
      op.after_created.insert(key);
      op.before_dropped.insert(key);
      EnumType renamed = a;
      renamed.labels[position] = renamed_to;
      // Values added around the renamed one follow it (same kind, later
      // input position: the ordering keeps them after).
      if (renamed.labels != b.labels) {
        AlterEnum(key, renamed, b, /*may_swap_down=*/false);
      }
      return;
    }
    // Labels can only be added in place: the old list must survive, in
    // order, inside the new one. Otherwise the type is recreated.
    if (swapped_enums_.count(key)) {
      EnumSwapOp(key, a, b);
      return;
    }
    // Values added: in place. The downgrade recreates the type without
    // them when nothing but columns uses it; otherwise it says what to do.
    const bool swap_down = may_swap_down && !EnumHasDependents(key);
    if (swap_down) EnumSwapOp(key, a, b, /*only_down=*/true);
    std::set<std::string> old_labels(a.labels.begin(), a.labels.end());
    for (size_t i = 0; i < b.labels.size(); ++i) {
      if (old_labels.count(b.labels[i])) continue;
      std::string where;
      if (i + 1 < b.labels.size() && old_labels.count(b.labels[i + 1])) {
        where = " BEFORE " + Literal(b.labels[i + 1]);
      } else if (i > 0) {
        where = " AFTER " + Literal(b.labels[i - 1]);
      }
      Operation& op = Add(OpKind::kAlterType,
                          swap_down ? OpKind::kAlterType : OpKind::kManual, key,
                          "ALTER TYPE " + name + " ADD VALUE " +
                              Literal(b.labels[i]) + where + ";\n",
                          "");
      old_labels.insert(b.labels[i]);
      // With swap_down, ordered by the swap's downgrade (EnumSwapOp), which
      // both creates and drops the type's key.
      if (swap_down) continue;
      op.reverse_comments.push_back(
          "-- manual: PostgreSQL cannot drop value " + Literal(b.labels[i]) +
          " from enum " + name +
          "; recreate the type to remove it (CREATE TYPE under a new name, "
          "ALTER its columns to it USING col::text::new, DROP the old type, "
          "RENAME the new one): views, indexes, constraints or functions "
          "use it, so retort leaves this to you");
      op.after_created.insert(key);
      op.before_dropped.insert(key);
    }
  }

  void DiffDomains() {
    WalkMaps(
        from_.domains, to_.domains,
        [&](const std::string& key, const Domain* a, const Domain* b) {
          if (a && b) {
            AlterDomain(key, *a, *b);
            return;
          }
          const Domain& d = a ? *a : *b;
          const Catalog& side = a ? from_ : to_;
          CreateOrDrop(a != nullptr, [&] {
            std::string name = QualifiedName(d.schema, d.name);
            std::string sql = "CREATE DOMAIN " + name + " AS " + d.base_type;
            if (!d.collation.empty()) sql += " COLLATE " + d.collation;
            if (d.default_expr) sql += " DEFAULT " + *d.default_expr;
            if (d.not_null) sql += " NOT NULL";
            for (const Constraint& k : d.checks) {
              sql += " CONSTRAINT " + Q(k.name) + " " + k.definition;
            }
            CreateTypeOp(key, d.schema, sql + ";\n",
                         "DROP DOMAIN " + name + ";\n", side);
            CommentOp("DOMAIN " + name, key, std::nullopt, d.comment, true);
          });
        });
  }

  void AlterDomain(const std::string& key, const Domain& a, const Domain& b) {
    std::string name = QualifiedName(b.schema, b.name);
    auto alter = [&](std::string up, std::string down) {
      Operation& op = Add(OpKind::kAlterType, OpKind::kAlterType, key,
                          "ALTER DOMAIN " + name + " " + up + ";\n",
                          "ALTER DOMAIN " + name + " " + down + ";\n");
      op.after_created.insert(key);
      op.before_dropped.insert(key);
    };
    if (a.base_type != b.base_type || a.collation != b.collation) {
      Operation& op = Add(OpKind::kManual, OpKind::kManual, key, "", "");
      op.comments.push_back("-- manual: domain " + name +
                            " changes its base type or collation from " +
                            a.base_type + " to " + b.base_type +
                            "; recreate it");
      op.reverse_comments = op.comments;
    }
    if (a.default_expr != b.default_expr) {
      auto set = [](const std::optional<std::string>& d) {
        return d ? "SET DEFAULT " + *d : std::string("DROP DEFAULT");
      };
      alter(set(b.default_expr), set(a.default_expr));
    }
    if (a.not_null != b.not_null) {
      alter(b.not_null ? "SET NOT NULL" : "DROP NOT NULL",
            a.not_null ? "SET NOT NULL" : "DROP NOT NULL");
    }
    std::map<std::string, const Constraint*> old_checks, new_checks;
    for (const auto& k : a.checks) old_checks[k.name] = &k;
    for (const auto& k : b.checks) new_checks[k.name] = &k;
    for (const auto& [n, k] : old_checks) {
      auto it = new_checks.find(n);
      if (it != new_checks.end() && it->second->definition == k->definition) {
        continue;
      }
      alter("DROP CONSTRAINT " + Q(n),
            "ADD CONSTRAINT " + Q(n) + " " + k->definition);
    }
    for (const auto& [n, k] : new_checks) {
      auto it = old_checks.find(n);
      if (it != old_checks.end() && it->second->definition == k->definition) {
        continue;
      }
      alter("ADD CONSTRAINT " + Q(n) + " " + k->definition,
            "DROP CONSTRAINT " + Q(n));
    }
    CommentOp("DOMAIN " + name, key, a.comment, b.comment, false);
  }

  void DiffComposites() {
    WalkMaps(from_.composites, to_.composites,
             [&](const std::string& key, const CompositeType* a,
                 const CompositeType* b) {
               if (a && b) {
                 AlterComposite(key, *a, *b);
                 return;
               }
               const CompositeType& c = a ? *a : *b;
               const Catalog& side = a ? from_ : to_;
               CreateOrDrop(a != nullptr, [&] {
                 std::string name = QualifiedName(c.schema, c.name);
                 std::string attrs;
                 for (const Column& col : c.attributes) {
                   attrs += (attrs.empty() ? "" : ", ") + Q(col.name) + " " +
                            col.type;
                   if (!col.collation.empty())
                     attrs += " COLLATE " + col.collation;
                 }
                 Operation& op = CreateTypeOp(
                     key, c.schema,
                     "CREATE TYPE " + name + " AS (" + attrs + ");\n",
                     "DROP TYPE " + name + ";\n", side);
                 for (const Column& col : c.attributes) {
                   if (!col.type_key.empty())
                     op.after_created.insert(col.type_key);
                 }
                 CommentOp("TYPE " + name, key, std::nullopt, c.comment, true);
               });
             });
  }

  void AlterComposite(const std::string& key, const CompositeType& a,
                      const CompositeType& b) {
    std::string name = QualifiedName(b.schema, b.name);
    auto attr = [](const Column& c) {
      std::string s = Q(c.name) + " " + c.type;
      if (!c.collation.empty()) s += " COLLATE " + c.collation;
      return s;
    };
    for (const Column& c : a.attributes) {
      bool kept = false;
      for (const Column& n : b.attributes) kept |= n.name == c.name;
      if (kept) continue;
      Operation& op =
          Add(OpKind::kAlterType, OpKind::kAlterType, key,
              "ALTER TYPE " + name + " DROP ATTRIBUTE " + Q(c.name) + ";\n",
              "ALTER TYPE " + name + " ADD ATTRIBUTE " + attr(c) + ";\n");
      op.destructive = true;
      op.before_dropped.insert(key);
      if (!c.type_key.empty()) op.before_dropped.insert(c.type_key);
    }
    for (const Column& c : b.attributes) {
      const Column* old = nullptr;
      for (const Column& o : a.attributes) {
        if (o.name == c.name) old = &o;
      }
      if (old && old->type == c.type && old->collation == c.collation) {
        continue;
      }
      Operation& op =
          old ? Add(OpKind::kAlterType, OpKind::kAlterType, key,
                    "ALTER TYPE " + name + " ALTER ATTRIBUTE " + Q(c.name) +
                        " TYPE " + c.type + ";\n",
                    "ALTER TYPE " + name + " ALTER ATTRIBUTE " + Q(c.name) +
                        " TYPE " + old->type + ";\n")
              : Add(OpKind::kAlterType, OpKind::kAlterType, key,
                    "ALTER TYPE " + name + " ADD ATTRIBUTE " + attr(c) + ";\n",
                    "ALTER TYPE " + name + " DROP ATTRIBUTE " + Q(c.name) +
                        ";\n");
      if (old) {
        op.destructive = !IsWideningTypeChange(old->type, c.type);
        op.reverse_destructive = !IsWideningTypeChange(c.type, old->type);
      } else {
        op.reverse_destructive = true;
      }
      op.after_created.insert(key);
      if (!c.type_key.empty()) op.after_created.insert(c.type_key);
    }
    CommentOp("TYPE " + name, key, a.comment, b.comment, false);
  }

  // --- sequences -------------------------------------------------------------

  static std::string SequenceOptions(const Sequence& s) {
    return " AS " + s.data_type + " INCREMENT BY " +
           std::to_string(s.increment) + " MINVALUE " +
           std::to_string(s.min_value) + " MAXVALUE " +
           std::to_string(s.max_value) + " START WITH " +
           std::to_string(s.start) + " CACHE " + std::to_string(s.cache) +
           (s.cycle ? " CYCLE" : " NO CYCLE");
  }

  void OwnerOp(const std::string& key, const Sequence& s, const Catalog& side,
               bool created) {
    if (s.owned_by_table.empty()) return;
    std::string name = QualifiedName(s.schema, s.name);
    std::string column_key;
    auto t = side.tables.find(s.owned_by_table);
    if (t != side.tables.end()) {
      column_key =
          ColumnKey(t->second.schema, t->second.name, s.owned_by_column);
    }
    Operation& op =
        Add(OpKind::kSetSequenceOwned, OpKind::kSetSequenceOwner, key,
            "ALTER SEQUENCE " + name + " OWNED BY " +
                RelationSql(side, s.owned_by_table) + "." +
                Q(s.owned_by_column) + ";\n",
            "ALTER SEQUENCE " + name + " OWNED BY NONE;\n");
    (void)created;
    op.after_created.insert(key);
    op.after_created.insert(s.owned_by_table);
    if (!column_key.empty()) op.after_created.insert(column_key);
  }

  void DiffSequences() {
    WalkMaps(
        from_.sequences, to_.sequences,
        [&](const std::string& key, const Sequence* a, const Sequence* b) {
          std::string name =
              QualifiedName((a ? a : b)->schema, (a ? a : b)->name);
          if (a && b) {
            std::string up, down;
            auto field = [&](bool differs, std::string u, std::string d) {
              if (!differs) return;
              up += u;
              down += d;
            };
            field(a->data_type != b->data_type, " AS " + b->data_type,
                  " AS " + a->data_type);
            field(a->increment != b->increment,
                  " INCREMENT BY " + std::to_string(b->increment),
                  " INCREMENT BY " + std::to_string(a->increment));
            field(a->min_value != b->min_value,
                  " MINVALUE " + std::to_string(b->min_value),
                  " MINVALUE " + std::to_string(a->min_value));
            field(a->max_value != b->max_value,
                  " MAXVALUE " + std::to_string(b->max_value),
                  " MAXVALUE " + std::to_string(a->max_value));
            field(a->start != b->start,
                  " START WITH " + std::to_string(b->start),
                  " START WITH " + std::to_string(a->start));
            field(a->cache != b->cache, " CACHE " + std::to_string(b->cache),
                  " CACHE " + std::to_string(a->cache));
            field(a->cycle != b->cycle, b->cycle ? " CYCLE" : " NO CYCLE",
                  a->cycle ? " CYCLE" : " NO CYCLE");
            if (!up.empty()) {
              Operation& op =
                  Add(OpKind::kAlterSequence, OpKind::kAlterSequence, key,
                      "ALTER SEQUENCE " + name + up + ";\n",
                      "ALTER SEQUENCE " + name + down + ";\n");
              op.after_created.insert(key);
              op.before_dropped.insert(key);
            }
            if (a->owned_by_table != b->owned_by_table ||
                a->owned_by_column != b->owned_by_column) {
              if (!a->owned_by_table.empty()) {
                size_t first = ops_.size();
                OwnerOp(key, *a, from_, false);
                ops_[first] = ops_[first].Reverse();
              }
              OwnerOp(key, *b, to_, false);
            }
            CommentOp("SEQUENCE " + name, key, a->comment, b->comment, false);
            return;
          }
          const Sequence& s = a ? *a : *b;
          const Catalog& side = a ? from_ : to_;
          CreateOrDrop(a != nullptr, [&] {
            Operation& op =
                Add(OpKind::kCreateSequence, OpKind::kDropSequence, key,
                    "CREATE SEQUENCE " + name + SequenceOptions(s) + ";\n",
                    "DROP SEQUENCE " + name + ";\n");
            op.creates.insert(key);
            op.reverse_destructive = true;
            InSchema(op, s.schema);
            NeedsDeps(op, side, key);
            OwnerOp(key, s, side, true);
            CommentOp("SEQUENCE " + name, key, std::nullopt, s.comment, true);
          });
        });
  }

  // --- functions -------------------------------------------------------------

  void DiffFunctions() {
    WalkMaps(
        from_.functions, to_.functions,
        [&](const std::string& key, const Function* a, const Function* b) {
          const Function& f = b ? *b : *a;
          std::string target =
              std::string(f.procedure ? "PROCEDURE " : "FUNCTION ") +
              QualifiedName(f.schema, f.name) + "(" + f.identity_args + ")";
          if (a && b && !NeedsRecreate(*a, *b) && !rebuild_.count(key)) {
            if (a->definition != b->definition) {
              Operation& op =
                  Add(OpKind::kReplaceFunction, OpKind::kReplaceFunction, key,
                      b->definition + ";\n", a->definition + ";\n");
              op.after_created.insert(key);
              op.before_dropped.insert(key);
              NeedsDeps(op, to_, key);
            }
            CommentOp(target, key, a->comment, b->comment, false);
            return;
          }
          // New, gone, or changed beyond CREATE OR REPLACE (result type,
          // parameter defaults, kind): dropped and created; what uses it
          // is rebuilt around that (FindRebuilds).
          auto create_ops = [&](const Function& fn, const Catalog& side) {
            std::string fn_target =
                std::string(fn.procedure ? "PROCEDURE " : "FUNCTION ") +
                QualifiedName(fn.schema, fn.name) + "(" + fn.identity_args +
                ")";
            Operation& op =
                Add(OpKind::kCreateFunction, OpKind::kDropFunction, key,
                    fn.definition + ";\n", "DROP " + fn_target + ";\n");
            op.creates.insert(key);
            // Same name and argument types under another key (parameters
            // renamed): the old one is dropped before the new one exists.
            op.creates.insert("signature:" + QualifiedName(fn.schema, fn.name) +
                              "(" + fn.signature_types + ")");
            InSchema(op, fn.schema);
            NeedsDeps(op, side, key);
            CommentOp(fn_target, key, std::nullopt, fn.comment, true);
          };
          if (a) CreateOrDrop(true, [&] { create_ops(*a, from_); });
          if (b) create_ops(*b, to_);
        });
  }

  // --- tables ----------------------------------------------------------------

  static std::string ColumnSql(const Column& c) {
    std::string s = Q(c.name) + " " + c.type;
    if (!c.collation.empty()) s += " COLLATE " + c.collation;
    if (!c.generated_expr.empty()) {
      s += " GENERATED ALWAYS AS (" + c.generated_expr + ") STORED";
    } else if (c.default_expr) {
      s += " DEFAULT " + *c.default_expr;
    }
    if (!c.identity.empty()) s += " " + IdentitySql(c);
    if (c.not_null) s += " NOT NULL";
    return s;
  }

  // "GENERATED ALWAYS AS IDENTITY (START WITH 10)" for column `c`.
  static std::string IdentitySql(const Column& c) {
    return std::string("GENERATED ") +
           (c.identity == "a" ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY" +
           (c.identity_options.empty() ? "" : " (" + c.identity_options + ")");
  }

  // After ADD ... AS IDENTITY on a column that has rows: the sequence moves
  // past them (its maximum, or minimum for a descending one), else the next
  // insert would collide. Nothing happens on an empty table.
  static std::string IdentitySetvalSql(const Table& t, const Column& c) {
    IdentitySequence seq = ParseIdentityOptions(c.type, c.identity_options);
    const std::string table = QualifiedName(t.schema, t.name);
    const std::string extreme =
        std::string(seq.increment < 0 ? "min" : "max") + "(" + Q(c.name) + ")";
    return "SELECT setval(pg_get_serial_sequence(" + Literal(table) + ", " +
           Literal(c.name) + "), " + extreme + ") FROM " + table + " HAVING " +
           extreme + " IS NOT NULL;\n";
  }

  // "SET INCREMENT BY 1 SET MINVALUE 1 ... SET NO CYCLE": every identity
  // sequence option of `c`, for ALTER COLUMN. All of them, since an option
  // left at its default in `c` may not be at it now.
  static std::string SetIdentityOptionsSql(const Column& c) {
    IdentitySequence seq = ParseIdentityOptions(c.type, c.identity_options);
    return "SET INCREMENT BY " + std::to_string(seq.increment) +
           " SET MINVALUE " + std::to_string(seq.min_value) + " SET MAXVALUE " +
           std::to_string(seq.max_value) + " SET START WITH " +
           std::to_string(seq.start) + " SET CACHE " +
           std::to_string(seq.cache) +
           (seq.cycle ? " SET CYCLE" : " SET NO CYCLE");
  }

  // "WITH (a=1, b=2)" for storage parameters; "" for none.
  static std::string WithOptions(const std::vector<std::string>& options) {
    if (options.empty()) return "";
    std::string out = " WITH (";
    for (size_t i = 0; i < options.size(); ++i) {
      out += (i ? ", " : "") + options[i];
    }
    return out + ")";
  }

  // ALTER <what> SET (...) / RESET (...) turning storage parameters `a`
  // into `b`; "" when equal.
  static std::string AlterOptionsSql(const std::string& what,
                                     const std::vector<std::string>& a,
                                     const std::vector<std::string>& b) {
    auto name = [](const std::string& option) {
      return option.substr(0, option.find('='));
    };
    std::set<std::string> b_names;
    for (const std::string& o : b) b_names.insert(name(o));
    std::string set, reset;
    for (const std::string& o : b) {
      if (std::find(a.begin(), a.end(), o) == a.end()) {
        set += (set.empty() ? "" : ", ") + o;
      }
    }
    for (const std::string& o : a) {
      if (!b_names.count(name(o))) {
        reset += (reset.empty() ? "" : ", ") + name(o);
      }
    }
    std::string sql;
    if (!reset.empty()) sql += "ALTER " + what + " RESET (" + reset + ");\n";
    if (!set.empty()) sql += "ALTER " + what + " SET (" + set + ");\n";
    return sql;
  }

  void ColumnDeps(Operation& op, const Catalog& side, const Table& t,
                  const Column& c) {
    if (!c.type_key.empty()) op.after_created.insert(c.type_key);
    if (!c.collation.empty()) op.after_created.insert(CollationKeyOf(c));
    NeedsDeps(op, side, ColumnKey(t.schema, t.name, c.name));
  }

  // The key of a column's collation (Column::collation prints one of a
  // user schema qualified, as CollationKey does).
  static std::string CollationKeyOf(const Column& c) {
    return "collation:" + c.collation;
  }

  static bool IsInline(const Constraint& k) {
    return k.kind != ConstraintKind::kForeignKey;
  }

  void ConstraintOp(const Catalog& side, const Table& t, const Constraint& k,
                    bool table_created) {
    std::string table = QualifiedName(t.schema, t.name);
    std::string key = ConstraintKey(t.schema, t.name, k.name);
    std::string table_key = RelationKey(t.schema, t.name);
    bool fk = k.kind == ConstraintKind::kForeignKey;
    if (!fk && table_created) {
      // Inline in CREATE TABLE; only its comment is separate.
      CommentOp("CONSTRAINT " + Q(k.name) + " ON " + table, key, std::nullopt,
                k.comment, true);
      return;
    }
    Operation& op =
        Add(fk ? OpKind::kAddForeignKey : OpKind::kAddConstraint,
            fk ? OpKind::kDropForeignKey : OpKind::kDropConstraint, key,
            "ALTER TABLE " + table + " ADD CONSTRAINT " + Q(k.name) + " " +
                k.definition + ";\n",
            "ALTER TABLE " + table + " DROP CONSTRAINT " + Q(k.name) + ";\n");
    op.creates.insert(key);
    op.after_created.insert(table_key);
    for (const Column& c : t.columns) {
      // Cheap and sufficient: the constraint may use any column.
      op.after_created.insert(ColumnKey(t.schema, t.name, c.name));
    }
    NeedsDeps(op, side, key);
    if (fk) {
      op.after_created.insert(k.referenced_table);
      op.after_created.insert(UniqueKeysKey(k.referenced_table));
    } else if (k.kind != ConstraintKind::kCheck) {
      op.creates.insert(UniqueKeysKey(table_key));
    }
    CommentOp("CONSTRAINT " + Q(k.name) + " ON " + table, key, std::nullopt,
              k.comment, true);
  }

  void TableCreateOps(const std::string& key, const Table& t,
                      const Catalog& side) {
    std::string name = QualifiedName(t.schema, t.name);
    std::string sql = std::string("CREATE ") + (t.unlogged ? "UNLOGGED " : "") +
                      "TABLE " + name;
    std::vector<std::string> items;
    for (const Column& c : t.columns) items.push_back(ColumnSql(c));
    for (const Constraint& k : t.constraints) {
      if (IsInline(k)) {
        items.push_back("CONSTRAINT " + Q(k.name) + " " + k.definition);
      }
    }
    if (!t.partition_of.empty()) {
      sql += " PARTITION OF " + RelationSql(side, t.partition_of);
    }
    if (!items.empty() || t.partition_of.empty()) {
      sql += " (\n";
      for (size_t i = 0; i < items.size(); ++i) {
        sql += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
      }
      sql += ")";
    }
    if (!t.partition_of.empty()) sql += " " + t.partition_bound;
    if (!t.inherits.empty()) {
      sql += " INHERITS (";
      for (size_t i = 0; i < t.inherits.size(); ++i) {
        sql += (i ? ", " : "") + RelationSql(side, t.inherits[i]);
      }
      sql += ")";
    }
    if (!t.partition_key.empty()) sql += " PARTITION BY " + t.partition_key;
    sql += WithOptions(t.options);
    Operation& op = Add(OpKind::kCreateTable, OpKind::kDropTable, key,
                        sql + ";\n", "DROP TABLE " + name + ";\n");
    op.creates.insert(key);
    op.reverse_destructive = true;
    InSchema(op, t.schema);
    NeedsDeps(op, side, key);
    if (!t.partition_of.empty()) {
      op.after_created.insert(t.partition_of);
      op.after_created.insert(UniqueKeysKey(t.partition_of));
    }
    // A child needs its parents (which then cannot be dropped before it).
    for (const std::string& parent : t.inherits) {
      op.after_created.insert(parent);
    }
    for (const Column& c : t.columns) {
      op.creates.insert(ColumnKey(t.schema, t.name, c.name));
      ColumnDeps(op, side, t, c);
    }
    for (const Constraint& k : t.constraints) {
      if (!IsInline(k)) continue;
      std::string ck = ConstraintKey(t.schema, t.name, k.name);
      op.creates.insert(ck);
      NeedsDeps(op, side, ck);
      if (k.kind != ConstraintKind::kCheck)
        op.creates.insert(UniqueKeysKey(key));
    }
    // A table's dependencies on things it creates itself are not edges.
    for (const std::string& c : op.creates) op.after_created.erase(c);
    CommentOp("TABLE " + name, key, std::nullopt, t.comment, true);
    for (const Column& c : t.columns) {
      CommentOp("COLUMN " + name + "." + Q(c.name),
                ColumnKey(t.schema, t.name, c.name), std::nullopt, c.comment,
                true);
    }
    for (const Constraint& k : t.constraints) ConstraintOp(side, t, k, true);
    RlsOps(key, name, Table{}, t, true);
    for (const Trigger& g : t.triggers) {
      TriggerOp(side, t.schema, t.name, g, true);
    }
    for (const Policy& p : t.policies) PolicyOp(side, t, p, true);
  }

  void RlsOps(const std::string& key, const std::string& name, const Table& a,
              const Table& b, bool created) {
    auto toggle = [&](bool from, bool to, const std::string& on,
                      const std::string& off) {
      if (from == to) return;
      Operation& op = Add(
          OpKind::kAlterTable, OpKind::kAlterTable, key,
          "ALTER TABLE " + name + " " + (to ? on : off) + ";\n",
          created ? ""
                  : "ALTER TABLE " + name + " " + (from ? on : off) + ";\n");
      op.after_created.insert(key);
      op.before_dropped.insert(key);
    };
    toggle(a.rls_enabled, b.rls_enabled, "ENABLE ROW LEVEL SECURITY",
           "DISABLE ROW LEVEL SECURITY");
    toggle(a.rls_forced, b.rls_forced, "FORCE ROW LEVEL SECURITY",
           "NO FORCE ROW LEVEL SECURITY");
  }

  void TriggerOp(const Catalog& side, const std::string& schema,
                 const std::string& relation, const Trigger& g,
                 bool table_created) {
    std::string table = QualifiedName(schema, relation);
    std::string key = TriggerKey(schema, relation, g.name);
    Operation& op = Add(
        OpKind::kCreateTrigger, OpKind::kDropTrigger, key, g.definition + ";\n",
        table_created ? ""
                      : "DROP TRIGGER " + Q(g.name) + " ON " + table + ";\n");
    op.creates.insert(key);
    op.after_created.insert(RelationKey(schema, relation));
    NeedsDeps(op, side, key);
    CommentOp("TRIGGER " + Q(g.name) + " ON " + table, key, std::nullopt,
              g.comment, true);
  }

  // Triggers of a table or view on both sides, compared by definition.
  void DiffTriggers(const std::string& schema, const std::string& relation,
                    const std::vector<Trigger>& a,
                    const std::vector<Trigger>& b) {
    std::string name = QualifiedName(schema, relation);
    auto same = [&](const std::vector<Trigger>& in, const Trigger& g) {
      auto it = std::find_if(in.begin(), in.end(), [&](const Trigger& x) {
        return x.name == g.name;
      });
      bool alike = it != in.end() && it->definition == g.definition &&
                   !rebuild_.count(TriggerKey(schema, relation, g.name));
      return alike ? &*it : nullptr;
    };
    for (const Trigger& g : a) {
      if (const Trigger* n = same(b, g)) {
        CommentOp("TRIGGER " + Q(g.name) + " ON " + name,
                  TriggerKey(schema, relation, g.name), g.comment, n->comment,
                  false);
        continue;
      }
      size_t first = ops_.size();
      TriggerOp(from_, schema, relation, g, false);
      for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
    }
    for (const Trigger& g : b) {
      if (!same(a, g)) TriggerOp(to_, schema, relation, g, false);
    }
  }

  void PolicyOp(const Catalog& side, const Table& t, const Policy& p,
                bool table_created) {
    std::string key = PolicyKey(t.schema, t.name, p.name);
    Operation& op = Add(
        OpKind::kCreatePolicy, OpKind::kDropPolicy, key, p.definition + ";\n",
        table_created ? ""
                      : "DROP POLICY " + Q(p.name) + " ON " +
                            QualifiedName(t.schema, t.name) + ";\n");
    op.creates.insert(key);
    op.after_created.insert(RelationKey(t.schema, t.name));
    NeedsDeps(op, side, key);
    CommentOp("POLICY " + Q(p.name) + " ON " + QualifiedName(t.schema, t.name),
              key, std::nullopt, p.comment, true);
  }

  void DiffTables() {
    WalkMaps(from_.tables, to_.tables,
             [&](const std::string& key, const Table* a, const Table* b) {
               if (a && b) {
                 AlterTable(key, *a, *b);
                 return;
               }
               const Table& t = a ? *a : *b;
               CreateOrDrop(a != nullptr,
                            [&] { TableCreateOps(key, t, a ? from_ : to_); });
             });
  }

  void AddColumnOp(const Catalog& side, const Table& t, const Column& c) {
    std::string table = QualifiedName(t.schema, t.name);
    std::string key = ColumnKey(t.schema, t.name, c.name);
    Operation& op =
        Add(OpKind::kAddColumn, OpKind::kDropColumn, key,
            "ALTER TABLE " + table + " ADD COLUMN " + ColumnSql(c) + ";\n",
            "ALTER TABLE " + table + " DROP COLUMN " + Q(c.name) + ";\n");
    op.reverse_destructive = true;
    op.creates.insert(key);
    op.after_created.insert(RelationKey(t.schema, t.name));
    ColumnDeps(op, side, t, c);
    CommentOp("COLUMN " + table + "." + Q(c.name), key, std::nullopt, c.comment,
              true);
  }

  void AlterColumn(const Table& t, const Column& a, const Column& b) {
    std::string table = QualifiedName(t.schema, t.name);
    std::string key = ColumnKey(t.schema, t.name, b.name);
    std::string prefix =
        "ALTER TABLE " + table + " ALTER COLUMN " + Q(b.name) + " ";
    auto alter = [&](std::string up, std::string down) -> Operation& {
      Operation& op = Add(OpKind::kAlterColumn, OpKind::kAlterColumn, key,
                          prefix + up + ";\n", prefix + down + ";\n");
      op.after_created.insert(key);
      op.before_dropped.insert(key);
      return op;
    };
    // An enum has no cast to or from another type but text: a column
    // changing from or to one goes through text (an array through text[]).
    auto is_enum = [&](const Column& c) {
      return !c.type_key.empty() &&
             (from_.enums.count(c.type_key) || to_.enums.count(c.type_key));
    };
    // Strings cast to and from an enum directly (by its I/O functions).
    auto is_string = [](const Column& c) {
      return c.type.starts_with("text") || c.type.starts_with("character");
    };
    auto type_sql = [&](const Column& from, const Column& c) {
      std::string via;
      if (from.type != c.type && (is_enum(from) || is_enum(c)) &&
          !is_string(from) && !is_string(c)) {
        via = c.type.ends_with("[]") ? "::text[]" : "::text";
      }
      return "TYPE " + c.type +
             (c.collation.empty() ? "" : " COLLATE " + c.collation) +
             " USING " + Q(c.name) + via + "::" + c.type;
    };
    auto set_default = [](const std::optional<std::string>& d) {
      return d ? "SET DEFAULT " + *d : std::string("DROP DEFAULT");
    };
    // A default that might not survive the type change (PostgreSQL casts
    // it and fails when no assignment cast exists; anything but a known
    // widening counts) is dropped before the ALTER ... TYPE and set after.
    // The type change then also carries any change of the default, in
    // both directions.
    bool default_moves = false;
    bool identity_in_retype = false;
    if (a.type != b.type || a.collation != b.collation) {
      auto moves = [](const Column& from, const Column& to) {
        return from.default_expr && !IsWideningTypeChange(from.type, to.type);
      };
      default_moves = moves(a, b) || moves(b, a);
      // Identity options changing with the type go with it, since the
      // sequence's values must fit its type at every step: the options
      // come first when the type narrows (the old MAXVALUE may not fit the
      // new type) and after when it widens (the new one may not fit the
      // old type).
      identity_in_retype = !a.identity.empty() && !b.identity.empty() &&
                           a.identity_options != b.identity_options;
      auto retype = [&](const Column& from, const Column& to) {
        std::string sql;
        std::optional<std::string> current = from.default_expr;
        if (default_moves && moves(from, to)) {
          sql += prefix + "DROP DEFAULT;\n";
          current.reset();
        }
        bool options_first =
            identity_in_retype && !IsWideningTypeChange(from.type, to.type);
        if (options_first) {
          sql += prefix + SetIdentityOptionsSql(to) + ";\n";
        }
        sql += prefix + type_sql(from, to) + ";\n";
        if (identity_in_retype && !options_first) {
          sql += prefix + SetIdentityOptionsSql(to) + ";\n";
        }
        if (default_moves && current != to.default_expr) {
          sql += prefix + set_default(to.default_expr) + ";\n";
        }
        return sql;
      };
      retype_ops_[key] = ops_.size();
      Operation& op = Add(OpKind::kAlterColumn, OpKind::kAlterColumn, key,
                          retype(a, b), retype(b, a));
      op.after_created.insert(key);
      op.before_dropped.insert(key);
      op.destructive = !IsWideningTypeChange(a.type, b.type);
      op.reverse_destructive = !IsWideningTypeChange(b.type, a.type);
      if (!b.type_key.empty()) op.after_created.insert(b.type_key);
      if (!a.type_key.empty()) op.before_dropped.insert(a.type_key);
      if (!b.collation.empty()) op.after_created.insert(CollationKeyOf(b));
      if (!a.collation.empty()) op.before_dropped.insert(CollationKeyOf(a));
      if (default_moves) {
        NeedsDeps(op, to_, key);
        auto old_deps = from_.depends_on.find(key);
        if (old_deps != from_.depends_on.end()) {
          op.before_dropped.insert(old_deps->second.begin(),
                                   old_deps->second.end());
        }
      }
    }
    if (!default_moves && reset_defaults_.count(key)) {
      // The default uses something dropped and created again (a function
      // whose result type changes): drop it before, set it after. Two
      // operations, since one cannot run both before the drop and after
      // the re-creation.
      if (a.default_expr) {
        Operation& op = alter("DROP DEFAULT", set_default(a.default_expr));
        op.drops.insert("default:" + key);
        auto old_deps = from_.depends_on.find(key);
        if (old_deps != from_.depends_on.end()) {
          op.before_dropped.insert(old_deps->second.begin(),
                                   old_deps->second.end());
        }
      }
      if (b.default_expr) {
        Operation& op = alter(set_default(b.default_expr), "DROP DEFAULT");
        op.creates.insert("default:" + key);
        NeedsDeps(op, to_, key);
      }
    } else if (!default_moves && a.default_expr != b.default_expr) {
      Operation& op =
          alter(set_default(b.default_expr), set_default(a.default_expr));
      NeedsDeps(op, to_, key);
      auto old_deps = from_.depends_on.find(key);
      if (old_deps != from_.depends_on.end()) {
        op.before_dropped.insert(old_deps->second.begin(),
                                 old_deps->second.end());
      }
    }
    bool not_null_done = false;
    if (a.identity != b.identity) {
      auto ident = [](const std::string& i) {
        return i == "a" ? std::string("ALWAYS") : std::string("BY DEFAULT");
      };
      if (a.identity.empty() || b.identity.empty()) {
        // ADD IDENTITY needs the column NOT NULL first, and its sequence
        // must start past the rows already there; DROP IDENTITY keeps NOT
        // NULL, which goes after it. One operation per direction, so the
        // statements keep that order both ways.
        auto add = [&](const Column& c, bool set_not_null) {
          return (set_not_null ? prefix + "SET NOT NULL;\n" : "") + prefix +
                 "ADD " + IdentitySql(c) + ";\n" + IdentitySetvalSql(t, c);
        };
        auto drop = [&](bool drop_not_null) {
          return prefix + "DROP IDENTITY;\n" +
                 (drop_not_null ? prefix + "DROP NOT NULL;\n" : "");
        };
        const bool nn = a.not_null != b.not_null;
        not_null_done = nn;
        const bool adding = a.identity.empty();
        Operation& op =
            Add(OpKind::kAlterColumn, OpKind::kAlterColumn, key,
                adding ? add(b, nn) : drop(nn), adding ? drop(nn) : add(a, nn));
        op.after_created.insert(key);
        op.before_dropped.insert(key);
        // The identity's sequence takes the name <table>_<column>_seq: a
        // sequence of that name (a serial's, dropped here) goes first, and
        // one created again in the downgrade comes after DROP IDENTITY.
        std::string seq = RelationKey(t.schema, t.name + "_" + b.name + "_seq");
        (adding ? op.creates : op.drops).insert(seq);
      } else {
        alter("SET GENERATED " + ident(b.identity),
              "SET GENERATED " + ident(a.identity));
      }
    }
    if (!a.identity.empty() && !b.identity.empty() &&
        a.identity_options != b.identity_options && !identity_in_retype) {
      alter(SetIdentityOptionsSql(b), SetIdentityOptionsSql(a));
    }
    if (a.not_null != b.not_null && !not_null_done) {
      alter(b.not_null ? "SET NOT NULL" : "DROP NOT NULL",
            a.not_null ? "SET NOT NULL" : "DROP NOT NULL");
    }
    CommentOp("COLUMN " + table + "." + Q(b.name), key, a.comment, b.comment,
              false);
  }

  void AlterTable(const std::string& key, const Table& a, const Table& b) {
    std::string name = QualifiedName(b.schema, b.name);
    if (std::string up = AlterOptionsSql("TABLE " + name, a.options, b.options);
        !up.empty()) {
      Operation& op =
          Add(OpKind::kAlterTable, OpKind::kAlterTable, key, up,
              AlterOptionsSql("TABLE " + name, b.options, a.options));
      op.after_created.insert(key);
      op.before_dropped.insert(key);
    }
    if (a.unlogged != b.unlogged) {
      Operation& op =
          Add(OpKind::kAlterTable, OpKind::kAlterTable, key,
              "ALTER TABLE " + name +
                  (b.unlogged ? " SET UNLOGGED" : " SET LOGGED") + ";\n",
              "ALTER TABLE " + name +
                  (a.unlogged ? " SET UNLOGGED" : " SET LOGGED") + ";\n");
      op.after_created.insert(key);
    }
    if (a.partition_key != b.partition_key) {
      Operation& op = Add(OpKind::kManual, OpKind::kManual, key, "", "");
      auto key_text = [](const std::string& k) {
        return k.empty() ? std::string("none") : k;
      };
      op.comments.push_back(
          "-- manual: the partition key of " + name + " changes from " +
          key_text(a.partition_key) + " to " + key_text(b.partition_key) +
          "; PostgreSQL has no ALTER for a partition key (the rows would have "
          "to move): create the new table, move the data or re-attach the "
          "partitions, then swap the names");
      op.reverse_comments = op.comments;
    }
    // The parents whose columns a table lists on one side only (a child
    // lists only its own columns): those columns stay where they are when
    // the table is attached to or detached from a parent, and are not
    // compared.
    std::set<std::string> parent_columns;
    auto columns_of = [&](const std::string& parent) {
      for (const Catalog* side : {&from_, &to_}) {
        auto it = side->tables.find(parent);
        if (it == side->tables.end()) continue;
        for (const Column& c : it->second.columns) {
          parent_columns.insert(c.name);
        }
      }
    };
    if (a.partition_of != b.partition_of) {
      // DETACH leaves the partition a table with all of its columns;
      // ATTACH requires it to have the parent's columns already.
      auto detach = [&](const Table& t, const Catalog& side) {
        return "ALTER TABLE " + RelationSql(side, t.partition_of) +
               " DETACH PARTITION " + name + ";\n";
      };
      auto attach = [&](const Table& t, const Catalog& side) {
        return "ALTER TABLE " + RelationSql(side, t.partition_of) +
               " ATTACH PARTITION " + name + " " + t.partition_bound + ";\n";
      };
      std::string up, down;
      if (!a.partition_of.empty()) {
        up += detach(a, from_);
        columns_of(a.partition_of);
      }
      if (!b.partition_of.empty()) {
        up += attach(b, to_);
        columns_of(b.partition_of);
      }
      if (!b.partition_of.empty()) down += detach(b, to_);
      if (!a.partition_of.empty()) down += attach(a, from_);
      Operation& op =
          Add(OpKind::kAlterTable, OpKind::kAlterTable, key, up, down);
      op.after_created.insert(key);
      op.before_dropped.insert(key);
      if (!b.partition_of.empty()) {
        op.after_created.insert(b.partition_of);
        op.after_created.insert(UniqueKeysKey(b.partition_of));
      }
      if (!a.partition_of.empty()) op.before_dropped.insert(a.partition_of);
    } else if (a.partition_bound != b.partition_bound) {
      // A bound cannot be altered, but a partition can be detached and
      // attached again with the new one (ATTACH checks the rows fit).
      std::string parent = RelationSql(to_, b.partition_of);
      auto reattach = [&](const std::string& bound) {
        return "ALTER TABLE " + parent + " DETACH PARTITION " + name +
               ";\nALTER TABLE " + parent + " ATTACH PARTITION " + name + " " +
               bound + ";\n";
      };
      Operation& op =
          Add(OpKind::kAlterTable, OpKind::kAlterTable, key,
              reattach(b.partition_bound), reattach(a.partition_bound));
      op.after_created.insert(key);
      op.before_dropped.insert(key);
      op.after_created.insert(b.partition_of);
      op.before_dropped.insert(b.partition_of);
    }
    // INHERITS parents joined or left: INHERIT requires the child to have
    // the parent's columns already, and NO INHERIT leaves them in the child,
    // its own.
    if (a.inherits != b.inherits) {
      auto has = [](const std::vector<std::string>& v, const std::string& k) {
        return std::find(v.begin(), v.end(), k) != v.end();
      };
      for (const std::string& p : a.inherits) {
        if (has(b.inherits, p)) continue;
        columns_of(p);
        Operation& op = Add(OpKind::kAlterTable, OpKind::kAlterTable, key,
                            "ALTER TABLE " + name + " NO INHERIT " +
                                RelationSql(from_, p) + ";\n",
                            "ALTER TABLE " + name + " INHERIT " +
                                RelationSql(from_, p) + ";\n");
        op.after_created.insert(key);
        op.before_dropped.insert(key);
        op.before_dropped.insert(p);
      }
      for (const std::string& p : b.inherits) {
        if (has(a.inherits, p)) continue;
        columns_of(p);
        Operation& op = Add(
            OpKind::kAlterTable, OpKind::kAlterTable, key,
            "ALTER TABLE " + name + " INHERIT " + RelationSql(to_, p) + ";\n",
            "ALTER TABLE " + name + " NO INHERIT " + RelationSql(to_, p) +
                ";\n");
        op.after_created.insert(key);
        op.after_created.insert(p);
        op.before_dropped.insert(key);
      }
    }
    // Columns dropped, added, changed.
    std::vector<const Column*> dropped, added;
    for (const Column& c : a.columns) {
      if (!b.FindColumn(c.name) && !parent_columns.count(c.name)) {
        dropped.push_back(&c);
      }
    }
    for (const Column& c : b.columns) {
      const Column* old = a.FindColumn(c.name);
      if (!old && parent_columns.count(c.name)) continue;
      if (!old) {
        added.push_back(&c);
      } else if (old->generated_expr != c.generated_expr ||
                 rebuild_.count(ColumnKey(b.schema, b.name, c.name))) {
        // A generation expression cannot be altered, nor can a column it
        // reads change type under it: drop and re-add.
        dropped.push_back(old);
        added.push_back(&c);
      } else {
        AlterColumn(b, *old, c);
      }
    }
    for (const Column* c : dropped) {
      size_t first = ops_.size();
      AddColumnOp(from_, a, *c);
      for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
      // Renames are never guessed; a same-typed add is only pointed out.
      for (const Column* n : added) {
        if (n->type != c->type || n->name == c->name) continue;
        ops_[first].comments.push_back(
            "-- " + Q(c->name) + " is dropped and " + Q(n->name) +
            " (same type) is added: if this is a rename, use instead:");
        ops_[first].comments.push_back("--   ALTER TABLE " + name +
                                       " RENAME COLUMN " + Q(c->name) + " TO " +
                                       Q(n->name) + ";");
        ops_[first].reverse_comments.push_back(
            "-- " + Q(n->name) + " is dropped and " + Q(c->name) +
            " (same type) is added: if this is a rename, use instead:");
        ops_[first].reverse_comments.push_back("--   ALTER TABLE " + name +
                                               " RENAME COLUMN " + Q(n->name) +
                                               " TO " + Q(c->name) + ";");
      }
    }
    for (const Column* c : added) AddColumnOp(to_, b, *c);
    // Constraints.
    auto rebuilt = [&](auto make_key, const std::string& object) {
      return rebuild_.count(make_key(b.schema, b.name, object)) > 0;
    };
    for (const Constraint& k : a.constraints) {
      const Constraint* n = b.FindConstraint(k.name);
      if (n && n->definition == k.definition &&
          !rebuilt(ConstraintKey, k.name)) {
        CommentOp("CONSTRAINT " + Q(k.name) + " ON " + name,
                  ConstraintKey(b.schema, b.name, k.name), k.comment,
                  n->comment, false);
        continue;
      }
      if (RenameConstraintOp(a, b, k)) continue;
      size_t first = ops_.size();
      ConstraintOp(from_, a, k, false);
      for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
    }
    for (const Constraint& k : b.constraints) {
      const Constraint* o = a.FindConstraint(k.name);
      if (o && o->definition == k.definition &&
          !rebuilt(ConstraintKey, k.name)) {
        continue;
      }
      if (IsRenameTarget(ConstraintKey(b.schema, b.name, k.name))) continue;
      ConstraintOp(to_, b, k, false);
    }
    // Triggers and policies: compared by definition.
    DiffTriggers(b.schema, b.name, a.triggers, b.triggers);
    RlsOps(key, name, a, b, false);
    for (const Policy& p : a.policies) {
      auto it = std::find_if(b.policies.begin(), b.policies.end(),
                             [&](const Policy& x) { return x.name == p.name; });
      if (it != b.policies.end() && it->definition == p.definition &&
          !rebuilt(PolicyKey, p.name)) {
        CommentOp("POLICY " + Q(p.name) + " ON " + name,
                  PolicyKey(b.schema, b.name, p.name), p.comment, it->comment,
                  false);
        continue;
      }
      size_t first = ops_.size();
      PolicyOp(from_, a, p, false);
      for (size_t i = first; i < ops_.size(); ++i) ops_[i] = ops_[i].Reverse();
    }
    for (const Policy& p : b.policies) {
      auto it = std::find_if(a.policies.begin(), a.policies.end(),
                             [&](const Policy& x) { return x.name == p.name; });
      if (it != a.policies.end() && it->definition == p.definition &&
          !rebuilt(PolicyKey, p.name)) {
        continue;
      }
      PolicyOp(to_, b, p, false);
    }
    CommentOp("TABLE " + name, key, a.comment, b.comment, false);
  }

  // --- indexes ---------------------------------------------------------------

  void IndexCreateOps(const std::string& key, const Index& x,
                      const Catalog& side, bool table_created) {
    std::string name = QualifiedName(x.schema, x.name);
    // pg_get_indexdef prints an index of a partitioned table "ON ONLY" the
    // parent; created so, it would stay invalid, its partitions without
    // one. Without ONLY, PostgreSQL builds and attaches an index on every
    // partition, which is what the catalog it was read from holds (the
    // partitions' indexes are not listed: they come with it).
    std::string definition = x.definition;
    if (size_t at = definition.find(" ON ONLY "); at != std::string::npos) {
      definition.replace(at, 9, " ON ");
    }
    Operation& op =
        Add(OpKind::kCreateIndex, OpKind::kDropIndex, key, definition + ";\n",
            table_created ? "" : "DROP INDEX " + name + ";\n");
    op.creates.insert(key);
    op.after_created.insert(x.table);
    NeedsDeps(op, side, key);
    if (x.unique) op.creates.insert(UniqueKeysKey(x.table));
    CommentOp("INDEX " + name, key, std::nullopt, x.comment, true);
  }

  void DiffIndexes() {
    WalkMaps(from_.indexes, to_.indexes,
             [&](const std::string& key, const Index* a, const Index* b) {
               if (a && b && a->definition == b->definition &&
                   !rebuild_.count(key)) {
                 CommentOp("INDEX " + QualifiedName(b->schema, b->name), key,
                           a->comment, b->comment, false);
                 return;
               }
               if (a && !b && RenameIndexOp(key, *a)) return;
               if (b && !a && IsRenameTarget(key)) return;
               // A partition's index, attached to its parent's on one side
               // and the table's own on the other: DETACH PARTITION leaves
               // it in place, ATTACH PARTITION adopts it. Nothing to run.
               if ((a && !b && to_.partition_indexes.count(key)) ||
                   (b && !a && from_.partition_indexes.count(key))) {
                 return;
               }
               if (a) {
                 // An index goes away with its table: no statement of its own
                 // then.
                 bool table_dropped =
                     !to_.tables.count(a->table) && !to_.views.count(a->table);
                 size_t first = ops_.size();
                 IndexCreateOps(key, *a, from_, table_dropped);
                 for (size_t i = first; i < ops_.size(); ++i) {
                   ops_[i] = ops_[i].Reverse();
                   if (table_dropped) ops_[i].sql.clear();
                 }
               }
               if (b) {
                 bool table_created = !from_.tables.count(b->table) &&
                                      !from_.views.count(b->table);
                 IndexCreateOps(key, *b, to_, table_created);
               }
             });
  }

  // --- views -----------------------------------------------------------------

  void ViewCreateOps(const std::string& key, const View& v,
                     const Catalog& side) {
    std::string name = QualifiedName(v.schema, v.name);
    std::string kind = v.materialized ? "MATERIALIZED VIEW " : "VIEW ";
    Operation& op = Add(OpKind::kCreateView, OpKind::kDropView, key,
                        "CREATE " + kind + name + WithOptions(v.options) +
                            " AS\n" + v.definition + ";\n",
                        "DROP " + kind + name + ";\n");
    op.creates.insert(key);
    op.reverse_destructive = v.materialized;
    InSchema(op, v.schema);
    NeedsDeps(op, side, key);
    CommentOp((v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + name, key,
              std::nullopt, v.comment, true);
    for (const Trigger& g : v.triggers) {
      TriggerOp(side, v.schema, v.name, g, true);
    }
  }

  void DiffViews() {
    // Changed views are dropped and created; so are views FindRebuilds
    // found depending on something that goes away for a while.
    WalkMaps(from_.views, to_.views,
             [&](const std::string& key, const View* a, const View* b) {
               if (a && b && a->definition == b->definition &&
                   a->materialized == b->materialized && !rebuild_.count(key)) {
                 std::string what =
                     (b->materialized ? "MATERIALIZED VIEW " : "VIEW ") +
                     QualifiedName(b->schema, b->name);
                 std::string up = AlterOptionsSql(what, a->options, b->options);
                 if (!up.empty()) {
                   Operation& op =
                       Add(OpKind::kAlterTable, OpKind::kAlterTable, key, up,
                           AlterOptionsSql(what, b->options, a->options));
                   op.after_created.insert(key);
                   op.before_dropped.insert(key);
                 }
                 CommentOp(what, key, a->comment, b->comment, false);
                 DiffTriggers(b->schema, b->name, a->triggers, b->triggers);
                 return;
               }
               if (a) {
                 size_t first = ops_.size();
                 ViewCreateOps(key, *a, from_);
                 for (size_t i = first; i < ops_.size(); ++i) {
                   ops_[i] = ops_[i].Reverse();
                 }
               }
               if (b) ViewCreateOps(key, *b, to_);
             });
  }

  // --- grants ----------------------------------------------------------------

  // A grantee's hold on one privilege: none, plain, or WITH GRANT OPTION.
  enum class Hold { kNone, kPlain, kGrantable };

  // Privileges in the order GRANT lists them, so statements are stable.
  static size_t PrivilegeRank(const std::string& privilege) {
    static constexpr std::string_view kOrder[] = {
        "SELECT",  "INSERT", "UPDATE", "DELETE",  "TRUNCATE",  "REFERENCES",
        "TRIGGER", "USAGE",  "CREATE", "EXECUTE", "TEMPORARY", "CONNECT"};
    for (size_t i = 0; i < std::size(kOrder); ++i) {
      if (privilege == kOrder[i]) return i;
    }
    return std::size(kOrder);
  }

  // What a newly created object of this kind holds without any GRANT:
  // functions and procedures give EXECUTE to PUBLIC; schemas, tables,
  // sequences and columns give nothing to anyone but the owner.
  static std::vector<Grant> DefaultGrants(const std::string& key) {
    if (key.starts_with("function:")) return {Grant{"PUBLIC", "EXECUTE"}};
    return {};
  }

  // GRANT/REVOKE operations turning grants `a` into `b` on one object.
  // `created`: the object is created by this diff, so the downgrade needs
  // no statement (dropping the object takes its grants along).
  void GrantOps(const std::string& key, const ObjectGrants& on,
                const std::vector<Grant>& a, const std::vector<Grant>& b,
                bool created) {
    std::map<std::pair<std::string, std::string>, std::pair<Hold, Hold>> holds;
    auto hold = [](const Grant& g) {
      return g.grantable ? Hold::kGrantable : Hold::kPlain;
    };
    for (const Grant& g : a) {
      holds[{g.grantee, g.privilege}].first = hold(g);
    }
    for (const Grant& g : b) {
      holds[{g.grantee, g.privilege}].second = hold(g);
    }
    // One statement per grantee and kind of change, privileges merged.
    std::map<std::pair<std::string, std::pair<Hold, Hold>>,
             std::vector<std::string>>
        groups;
    for (const auto& [gp, change] : holds) {
      if (change.first == change.second) continue;
      groups[{gp.first, change}].push_back(gp.second);
    }
    for (auto& [group, privileges] : groups) {
      const auto& [grantee, change] = group;
      std::sort(privileges.begin(), privileges.end(),
                [](const std::string& x, const std::string& y) {
                  return PrivilegeRank(x) < PrivilegeRank(y);
                });
      std::string list;
      for (const std::string& p : privileges) {
        list += (list.empty() ? "" : ", ") + p;
        if (!on.column.empty()) list += " (" + on.column + ")";
      }
      // The statement taking hold `from` to hold `to`.
      auto statement = [&](Hold from, Hold to) {
        if (to == Hold::kNone) {
          return "REVOKE " + list + " ON " + on.target + " FROM " + grantee +
                 ";\n";
        }
        if (from == Hold::kGrantable) {
          return "REVOKE GRANT OPTION FOR " + list + " ON " + on.target +
                 " FROM " + grantee + ";\n";
        }
        return "GRANT " + list + " ON " + on.target + " TO " + grantee +
               (to == Hold::kGrantable ? " WITH GRANT OPTION" : "") + ";\n";
      };
      // Losing privileges (or the grant option) is a REVOKE.
      auto kind = [](Hold from, Hold to) {
        return to < from ? OpKind::kRevoke : OpKind::kGrant;
      };
      Operation& op = Add(
          kind(change.first, change.second), kind(change.second, change.first),
          key, statement(change.first, change.second),
          created ? "" : statement(change.second, change.first));
      op.after_created.insert(key);
      // As for comments: a created object's grants go with its drop.
      if (!created) op.before_dropped.insert(key);
    }
  }

  // Grants are compared last: whether an object is created, dropped or
  // re-created (a rebuilt view, a function replaced by DROP + CREATE, a
  // generated column dropped and added) is known from the operations
  // already made. A created object starts from its kind's default grants; a
  // dropped one takes its grants along (only the downgrade, re-creating it,
  // needs statements); a re-created one is both.
  void DiffGrants() {
    std::set<std::string> created, dropped;
    for (const Operation& op : ops_) {
      created.insert(op.creates.begin(), op.creates.end());
      dropped.insert(op.drops.begin(), op.drops.end());
    }
    // Every object with grants on either side, and every function created
    // or dropped (a function has default grants even without an entry).
    std::set<std::string> keys;
    for (const auto& [key, g] : from_.grants) keys.insert(key);
    for (const auto& [key, g] : to_.grants) keys.insert(key);
    for (const auto& [key, f] : from_.functions) {
      if (dropped.count(key)) keys.insert(key);
    }
    for (const auto& [key, f] : to_.functions) {
      if (created.count(key)) keys.insert(key);
    }
    for (const std::string& key : keys) {
      ObjectGrants a = GrantsOf(from_, key);
      ObjectGrants b = GrantsOf(to_, key);
      bool is_created = created.count(key) > 0;
      bool is_dropped = dropped.count(key) > 0;
      if (!is_created && !is_dropped) {
        GrantOps(key, b.target.empty() ? a : b, a.grants, b.grants, false);
        continue;
      }
      if (is_dropped && !a.target.empty()) {
        size_t first = ops_.size();
        GrantOps(key, a, DefaultGrants(key), a.grants, true);
        for (size_t i = first; i < ops_.size(); ++i) {
          ops_[i] = ops_[i].Reverse();
        }
      }
      if (is_created && !b.target.empty()) {
        GrantOps(key, b, DefaultGrants(key), b.grants, true);
      }
    }
  }

  // The grants on `key` in `c`; an object without an entry has none. The
  // target is "" when `key` names nothing grants can be on.
  static ObjectGrants GrantsOf(const Catalog& c, const std::string& key) {
    auto it = c.grants.find(key);
    if (it != c.grants.end()) return it->second;
    ObjectGrants none;
    auto f = c.functions.find(key);
    if (f != c.functions.end()) {
      none.target =
          std::string(f->second.procedure ? "PROCEDURE " : "FUNCTION ") +
          QualifiedName(f->second.schema, f->second.name) + "(" +
          f->second.identity_args + ")";
    }
    return none;
  }

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

}  // namespace

std::vector<Operation> Compare(const Catalog& from, const Catalog& to) {
  return Comparer(from, to).Run();
}

}  // namespace retort
