// SQLite comparison: tables (ADD/DROP COLUMN or a rebuild, decided per
// direction), indexes, views and triggers (drop + create when their
// definition changes), with the same Operation model as PostgreSQL so
// ordering and downgrades work the same way.
#include "autogen/sqlite_diff.h"

#include <sqlite3.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "autogen/render.h"
#include "catalog/catalog.h"
#include "dialect/dialect.h"
#include "dialect/sqlite_tokenizer.h"
#include "util/walk_maps.h"

namespace retort {

std::string SqliteRelationKey(std::string_view name) {
  return RelationKey("main", SqliteFold(name));
}

namespace {

std::string Q(std::string_view name) { return QuoteSqliteIdentIfNeeded(name); }

std::string TriggerKeyOf(std::string_view name) {
  return "trigger:main." + QuoteIdentIfNeeded(SqliteFold(name));
}

// `sql` on one line, for a comment: whitespace runs become one space.
std::string OneLine(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool AnyStartsWith(const std::vector<std::string>& lines,
                   const std::string& prefix) {
  for (const std::string& l : lines) {
    if (l.starts_with(prefix)) return true;
  }
  return false;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// TablePlan is how one direction of a table's change is made.
struct TablePlan {
  std::vector<const SqliteColumn*> added;    // on the desired side
  std::vector<const SqliteColumn*> dropped;  // on the current side
  // (current, desired) pairs whose definitions differ.
  std::vector<std::pair<const SqliteColumn*, const SqliteColumn*>> changed;
  bool constraints_changed = false;
  bool options_changed = false;
  // Why ALTER TABLE cannot make the change; empty: ADD/DROP COLUMN can.
  std::vector<std::string> rebuild_reasons;

  bool rebuild() const { return !rebuild_reasons.empty(); }
  bool empty() const {
    return added.empty() && dropped.empty() && changed.empty() &&
           !constraints_changed && !options_changed;
  }
};

// Why ALTER TABLE ADD COLUMN refuses `c` (SQLite's documented
// restrictions, applied whether or not the table has rows, since the
// migration may run on a database that has), or "" when it accepts it.
std::string AddColumnRefusal(const SqliteColumn& c) {
  const SqliteColumnDef& d = c.def;
  if (c.pk > 0 || d.primary_key) return "a PRIMARY KEY column";
  if (d.unique) return "a UNIQUE column";
  if (d.stored) return "a STORED generated column";
  if (d.default_kind == SqliteDefaultKind::kExpression) {
    return "a column with a non-constant default";
  }
  if (d.not_null && (d.default_kind == SqliteDefaultKind::kNone ||
                     d.default_kind == SqliteDefaultKind::kNull)) {
    return "a NOT NULL column without a non-NULL default";
  }
  if (d.references && d.default_kind == SqliteDefaultKind::kConstant) {
    return "a REFERENCES column with a non-NULL default";
  }
  return "";
}

class SqliteComparer {
 public:
  SqliteComparer(const SqliteSchema& from, const SqliteSchema& to,
                 const SqliteDiffOptions& options)
      : from_(from), to_(to), options_(options) {
    if (options_.sqlite_version == 0) {
      options_.sqlite_version = sqlite3_libversion_number();
    }
  }

  SqliteOperations Run() {
    for (const SqliteSchema* s : {&from_, &to_}) {
      for (const auto& [key, t] : s->tables) {
        for (const SqliteForeignKey& fk : t.foreign_keys) {
          auto parent = s->tables.find(fk.parent);
          out_.referenced_tables.emplace(
              SqliteRelationKey(fk.parent),
              parent != s->tables.end() ? parent->second.name : fk.parent);
        }
      }
    }
    ForcedRecreations();
    DiffTables();
    DiffIndexes();
    DiffTriggers();
    DiffViews();
    return std::move(out_);
  }

 private:
  // --- helpers -------------------------------------------------------------

  Operation& Add(OpKind kind, OpKind reverse_kind, std::string object,
                 std::string sql, std::string reverse_sql) {
    out_.operations.push_back(Operation::Make(kind, reverse_kind,
                                              std::move(object), std::move(sql),
                                              std::move(reverse_sql)));
    return out_.operations.back();
  }

  // Replaces the operations from `first` on with their reverses: an object
  // only on the current side is dropped by undoing its creation.
  void ReverseFrom(size_t first) {
    for (size_t i = first; i < out_.operations.size(); ++i) {
      out_.operations[i] = out_.operations[i].Reverse();
    }
  }

  // Keys of the tables and views of `side` that `names` mention, `self`
  // excluded: what a view or trigger needs to exist first.
  std::set<std::string> Mentioned(const std::set<std::string>& names,
                                  const SqliteSchema& side,
                                  const std::string& self) const {
    std::set<std::string> keys;
    for (const std::string& n : names) {
      if (n == self) continue;
      if (side.tables.count(n) || side.views.count(n)) {
        keys.insert(SqliteRelationKey(n));
      }
    }
    return keys;
  }

  bool IndexChanged(const std::string& key) const {
    auto a = from_.indexes.find(key);
    auto b = to_.indexes.find(key);
    return a == from_.indexes.end() || b == to_.indexes.end() ||
           a->second.canonical != b->second.canonical ||
           a->second.table != b->second.table;
  }

  bool TriggerChanged(const std::string& key) const {
    auto a = from_.triggers.find(key);
    auto b = to_.triggers.find(key);
    return a == from_.triggers.end() || b == to_.triggers.end() ||
           a->second.canonical != b->second.canonical ||
           forced_triggers_.count(key);
  }

  // --- views and triggers that must be recreated ---------------------------

  // A view whose definition changes is dropped and created again; while it
  // is gone, views and triggers naming it would be dangling, and SQLite's
  // DROP COLUMN refuses to run while any part of the schema is. So they
  // are recreated around it too, transitively; so are the triggers of a
  // recreated view, which DROP VIEW takes along.
  void ForcedRecreations() {
    std::deque<std::string> work;
    for (const auto& [key, v] : from_.views) {
      auto it = to_.views.find(key);
      if (it != to_.views.end() && it->second.canonical != v.canonical) {
        work.push_back(key);
      }
    }
    auto names = [](const SqliteObject* a, const SqliteObject* b,
                    const std::string& k) {
      return a->names_used.count(k) || b->names_used.count(k);
    };
    std::set<std::string> seen;
    while (!work.empty()) {
      std::string key = std::move(work.front());
      work.pop_front();
      if (!seen.insert(key).second) continue;
      for (const auto& [vk, v] : from_.views) {
        auto it = to_.views.find(vk);
        if (vk == key || it == to_.views.end()) continue;
        if (names(&v, &it->second, key) && forced_views_.insert(vk).second) {
          work.push_back(vk);
        }
      }
      for (const auto& [tk, t] : from_.triggers) {
        auto it = to_.triggers.find(tk);
        if (it == to_.triggers.end()) continue;
        if (names(&t, &it->second, key)) forced_triggers_.insert(tk);
      }
    }
  }

  // --- tables ----------------------------------------------------------------

  // Creation of `t` of `side`; reversed, its drop.
  void TableCreateOps(const std::string& key, const SqliteTable& t,
                      const SqliteSchema& side) {
    Operation& op = Add(OpKind::kCreateTable, OpKind::kDropTable, key,
                        t.sql + ";\n", "DROP TABLE " + Q(t.name) + ";\n");
    op.reverse_destructive = true;
    op.creates.insert(key);
    op.after_created = TableNeeds(t, side);
  }

  // Why DROP COLUMN cannot drop `c` from `t` (SQLite's documented
  // restrictions; a name appearing in a view, trigger, index, CHECK or
  // generated column counts even when it may belong to another table, since
  // a needless rebuild is safe and a refused DROP COLUMN is not), or "".
  std::string DropColumnRefusal(const SqliteTable& t,
                                const SqliteColumn& c) const {
    if (options_.sqlite_version < 3035000) {
      return "DROP COLUMN needs SQLite 3.35";
    }
    std::string col = SqliteFold(c.name);
    std::string table = SqliteFold(t.name);
    if (c.pk > 0) return "it is part of the PRIMARY KEY";
    if (c.def.unique || t.indexed_columns.count(col)) {
      return "it is indexed or UNIQUE";
    }
    for (const SqliteForeignKey& fk : t.foreign_keys) {
      if (Contains(fk.from, col)) return "a foreign key uses it";
    }
    if (t.def.constraint_names_used.count(col)) {
      return "a table constraint names it";
    }
    for (const SqliteColumn& other : t.columns) {
      if (&other != &c && other.def.names_used.count(col)) {
        return "the definition of column " + other.name + " names it";
      }
    }
    for (const SqliteSchema* s : {&from_, &to_}) {
      for (const auto& [key, u] : s->tables) {
        for (const SqliteForeignKey& fk : u.foreign_keys) {
          if (fk.parent == table && Contains(fk.to, col)) {
            return "a foreign key of " + u.name + " references it";
          }
        }
      }
      for (const auto& [key, x] : s->indexes) {
        if (x.table == table && x.names_used.count(col)) {
          return "index " + x.name + " names it";
        }
      }
      for (const auto& [key, v] : s->views) {
        if (v.names_used.count(col)) return "view " + v.name + " names it";
      }
      for (const auto& [key, g] : s->triggers) {
        if (g.names_used.count(col)) return "trigger " + g.name + " names it";
      }
    }
    return "";
  }

  // How `x` (current) becomes `y` (desired).
  TablePlan Plan(const SqliteTable& x, const SqliteTable& y) const {
    TablePlan p;
    for (const SqliteColumn& c : x.columns) {
      if (!y.FindColumn(SqliteFold(c.name))) p.dropped.push_back(&c);
    }
    for (const SqliteColumn& c : y.columns) {
      const SqliteColumn* old = x.FindColumn(SqliteFold(c.name));
      if (old == nullptr) {
        p.added.push_back(&c);
      } else if (old->def.Canonical() != c.def.Canonical()) {
        p.changed.emplace_back(old, &c);
      }
    }
    p.constraints_changed =
        Sorted(x.def.constraints) != Sorted(y.def.constraints);
    p.options_changed = Sorted(x.def.options) != Sorted(y.def.options);
    for (const auto& [old, now] : p.changed) {
      p.rebuild_reasons.push_back("column " + Q(now->name) +
                                  " changes: " + OneLine(old->def.sql) +
                                  " -> " + OneLine(now->def.sql));
    }
    if (p.constraints_changed) {
      p.rebuild_reasons.push_back("its table constraints change");
    }
    if (p.options_changed) {
      p.rebuild_reasons.push_back("its table options change");
    }
    for (const SqliteColumn* c : p.added) {
      std::string why = AddColumnRefusal(*c);
      if (!why.empty()) {
        p.rebuild_reasons.push_back("column " + Q(c->name) +
                                    " is added: ADD COLUMN cannot add " + why);
      }
    }
    for (const SqliteColumn* c : p.dropped) {
      std::string why = DropColumnRefusal(x, *c);
      if (!why.empty()) {
        p.rebuild_reasons.push_back("column " + Q(c->name) +
                                    " is dropped: DROP COLUMN refuses, " + why);
      }
    }
    return p;
  }

  // The indexes and triggers of table `t` on `side`.
  std::vector<const SqliteObject*> IndexesOf(const SqliteSchema& side,
                                             const SqliteTable& t) const {
    std::vector<const SqliteObject*> out;
    for (const auto& [key, x] : side.indexes) {
      if (x.table == SqliteFold(t.name)) out.push_back(&x);
    }
    return out;
  }
  std::vector<const SqliteObject*> TriggersOf(const SqliteSchema& side,
                                              const SqliteTable& t) const {
    std::vector<const SqliteObject*> out;
    for (const auto& [key, g] : side.triggers) {
      if (g.table == SqliteFold(t.name)) out.push_back(&g);
    }
    return out;
  }

  // A name for the rebuilt table that nothing on either side uses.
  std::string FreeName(const std::string& base) const {
    std::string name = "new_" + base;
    auto used = [&](const std::string& n) {
      std::string k = SqliteFold(n);
      for (const SqliteSchema* s : {&from_, &to_}) {
        if (s->tables.count(k) || s->views.count(k) || s->indexes.count(k) ||
            s->triggers.count(k)) {
          return true;
        }
      }
      return false;
    };
    while (used(name)) name = "new_" + name;
    return name;
  }

  // SQLite's rebuild of `x` (on `xs`) into `y` (on `ys`).
  std::string RebuildSql(const SqliteTable& x, const SqliteTable& y,
                         const SqliteSchema& ys) const {
    std::string tmp = FreeName(y.name);
    std::string sql = RenameSqliteCreateTable(y.sql, y.def, tmp) + ";\n";
    std::string into, select;
    auto copy = [&](const std::string& to_col, const std::string& from_col) {
      into += (into.empty() ? "" : ", ") + to_col;
      select += (select.empty() ? "" : ", ") + from_col;
    };
    // Keep rowids when neither side names them: other data may point at
    // them (an external-content FTS table, an application's cache).
    bool rowid_named = false;
    for (const SqliteTable* t : {&x, &y}) {
      for (const SqliteColumn& c : t->columns) {
        std::string n = SqliteFold(c.name);
        if (n == "rowid" || n == "oid" || n == "_rowid_") rowid_named = true;
      }
    }
    if (!rowid_named && !x.def.without_rowid && !y.def.without_rowid &&
        !x.rowid_alias && !y.rowid_alias) {
      copy("rowid", "rowid");
    }
    for (const SqliteColumn& c : y.columns) {
      if (c.hidden != 0) continue;  // generated: computed, not copied
      const SqliteColumn* old = x.FindColumn(SqliteFold(c.name));
      if (old != nullptr) copy(Q(c.name), Q(old->name));
    }
    if (!select.empty() && select != "rowid") {
      sql += "INSERT INTO " + Q(tmp) + " (" + into + ")\n  SELECT " + select +
             " FROM " + Q(x.name) + ";\n";
    }
    auto autoincrement = [](const SqliteTable& t) {
      for (const SqliteColumn& c : t.columns) {
        if (c.def.autoincrement) return true;
      }
      return false;
    };
    if (autoincrement(x) && autoincrement(y)) {
      // The copy sets the counter to the largest id copied; the old counter
      // may be higher (rows deleted since), and ids must not be reused.
      sql += "DELETE FROM sqlite_sequence WHERE name = " +
             QuoteSqliteLiteral(tmp) + ";\n";
      sql += "INSERT INTO sqlite_sequence (name, seq)\n  SELECT " +
             QuoteSqliteLiteral(tmp) +
             ", seq FROM sqlite_sequence WHERE name = " +
             QuoteSqliteLiteral(x.name) + ";\n";
    }
    sql += "DROP TABLE " + Q(x.name) + ";\n";
    sql += "PRAGMA legacy_alter_table = ON;\n";
    sql += "ALTER TABLE " + Q(tmp) + " RENAME TO " + Q(y.name) + ";\n";
    sql += "PRAGMA legacy_alter_table = OFF;\n";
    for (const SqliteObject* i : IndexesOf(ys, y)) sql += i->sql + ";\n";
    for (const SqliteObject* g : TriggersOf(ys, y)) sql += g->sql + ";\n";
    return sql;
  }

  // ADD/DROP COLUMN for `p`, with the indexes and triggers of the table that
  // change dropped before and created after.
  std::string AlterSql(const SqliteTable& x, const SqliteSchema& xs,
                       const SqliteTable& y, const SqliteSchema& ys,
                       const TablePlan& p) const {
    std::string sql;
    for (const SqliteObject* g : TriggersOf(xs, x)) {
      if (TriggerChanged(SqliteFold(g->name))) {
        sql += "DROP TRIGGER " + Q(g->name) + ";\n";
      }
    }
    for (const SqliteObject* i : IndexesOf(xs, x)) {
      if (IndexChanged(SqliteFold(i->name))) {
        sql += "DROP INDEX " + Q(i->name) + ";\n";
      }
    }
    for (const SqliteColumn* c : p.dropped) {
      sql += "ALTER TABLE " + Q(x.name) + " DROP COLUMN " + Q(c->name) + ";\n";
    }
    for (const SqliteColumn* c : p.added) {
      sql += "ALTER TABLE " + Q(x.name) + " ADD COLUMN " + c->def.sql + ";\n";
    }
    for (const SqliteObject* i : IndexesOf(ys, y)) {
      if (IndexChanged(SqliteFold(i->name))) sql += i->sql + ";\n";
    }
    for (const SqliteObject* g : TriggersOf(ys, y)) {
      if (TriggerChanged(SqliteFold(g->name))) sql += g->sql + ";\n";
    }
    return sql;
  }

  std::vector<std::string> Comments(const SqliteTable& x, const SqliteTable& y,
                                    const TablePlan& p) const {
    std::vector<std::string> out;
    if (p.rebuild()) {
      out.push_back("-- " + Q(y.name) +
                    " is rebuilt (new table, rows copied, old table dropped, "
                    "new one renamed; its indexes and triggers recreated):");
      for (const std::string& r : p.rebuild_reasons) out.push_back("--   " + r);
      // The rest of the change, which ALTER TABLE alone could have made.
      for (const SqliteColumn* c : p.dropped) {
        std::string line = "column " + Q(c->name) + " is dropped";
        if (AnyStartsWith(p.rebuild_reasons, line)) continue;
        out.push_back("--   " + line);
      }
      for (const SqliteColumn* c : p.added) {
        std::string line = "column " + Q(c->name) + " is added";
        if (AnyStartsWith(p.rebuild_reasons, line)) continue;
        out.push_back("--   " + line);
      }
      for (const SqliteColumn* c : p.added) {
        const SqliteColumnDef& d = c->def;
        if (d.not_null && !d.generated &&
            (d.default_kind == SqliteDefaultKind::kNone ||
             d.default_kind == SqliteDefaultKind::kNull)) {
          out.push_back("-- " + Q(c->name) +
                        " is NOT NULL without a default: copying the rows "
                        "fails if " +
                        Q(x.name) + " has any; give it a DEFAULT");
        }
      }
    }
    // Renames are never guessed; a same-typed drop and add is pointed out.
    for (const SqliteColumn* d : p.dropped) {
      for (const SqliteColumn* a : p.added) {
        if (d->def.type != a->def.type) continue;
        out.push_back("-- " + Q(d->name) + " is dropped and " + Q(a->name) +
                      " (same type) is added: if this is a rename, use "
                      "instead:");
        out.push_back("--   ALTER TABLE " + Q(x.name) + " RENAME COLUMN " +
                      Q(d->name) + " TO " + Q(a->name) + ";");
      }
    }
    return out;
  }

  static bool Destroys(const TablePlan& p) {
    if (!p.dropped.empty()) return true;
    for (const auto& [old, now] : p.changed) {
      // Another declared type means another affinity: values may convert.
      if (old->def.type != now->def.type) return true;
    }
    return false;
  }

  static OpKind KindOf(const TablePlan& p) {
    if (p.rebuild()) return OpKind::kRebuildTable;
    return p.added.empty() ? OpKind::kDropColumn : OpKind::kAddColumn;
  }

  // What table `t` of `side` needs to exist before it is made (and, for
  // its drop, to still exist until it is gone): the tables its foreign keys
  // reference (with enforcement on, dropping a parent before its child
  // fails or cascades) and what its triggers name. Only what exists on
  // `side` alone counts, what this diff creates or drops: a table on both
  // sides is there before and after, and ordering against its own change
  // would only make cycles (two changed tables referencing each other).
  std::set<std::string> TableNeeds(const SqliteTable& t,
                                   const SqliteSchema& side) const {
    const SqliteSchema& other = &side == &from_ ? to_ : from_;
    std::string self = SqliteFold(t.name);
    std::set<std::string> names;
    for (const SqliteForeignKey& fk : t.foreign_keys) names.insert(fk.parent);
    for (const SqliteObject* g : TriggersOf(side, t)) {
      names.insert(g->names_used.begin(), g->names_used.end());
    }
    std::set<std::string> keys;
    for (const std::string& n : names) {
      if (n == self || !(side.tables.count(n) || side.views.count(n))) continue;
      if (other.tables.count(n) || other.views.count(n)) continue;
      keys.insert(SqliteRelationKey(n));
    }
    return keys;
  }

  void AlterTable(const std::string& key, const SqliteTable& a,
                  const SqliteTable& b) {
    TablePlan up = Plan(a, b);
    if (up.empty()) return;
    TablePlan down = Plan(b, a);
    altered_.insert(SqliteFold(a.name));
    Operation& op = Add(
        KindOf(up), KindOf(down), key,
        up.rebuild() ? RebuildSql(a, b, to_) : AlterSql(a, from_, b, to_, up),
        down.rebuild() ? RebuildSql(b, a, from_)
                       : AlterSql(b, to_, a, from_, down));
    op.comments = Comments(a, b, up);
    op.reverse_comments = Comments(b, a, down);
    op.destructive = Destroys(up);
    op.reverse_destructive = Destroys(down);
    op.creates.insert(key);
    op.drops.insert(key);
    op.after_created = TableNeeds(b, to_);
    op.before_dropped = TableNeeds(a, from_);
    // The indexes and triggers made or removed here, for ordering against
    // objects of the same name elsewhere.
    for (const SqliteObject* i : IndexesOf(to_, b)) {
      op.creates.insert(SqliteRelationKey(i->name));
    }
    for (const SqliteObject* i : IndexesOf(from_, a)) {
      op.drops.insert(SqliteRelationKey(i->name));
    }
    for (const SqliteObject* g : TriggersOf(to_, b)) {
      op.creates.insert(TriggerKeyOf(g->name));
    }
    for (const SqliteObject* g : TriggersOf(from_, a)) {
      op.drops.insert(TriggerKeyOf(g->name));
    }
  }

  void DiffTables() {
    WalkMaps(from_.tables, to_.tables,
             [&](const std::string& name, const SqliteTable* a,
                 const SqliteTable* b) {
               std::string key = SqliteRelationKey(name);
               if (a && b && !a->is_virtual && !b->is_virtual) {
                 AlterTable(key, *a, *b);
                 return;
               }
               // A virtual table's definition belongs to its module: a change
               // is a drop and a create.
               if (a && b && a->virtual_canonical == b->virtual_canonical &&
                   a->is_virtual == b->is_virtual) {
                 return;
               }
               if (a) {
                 dropped_.insert(name);
                 size_t first = out_.operations.size();
                 TableCreateOps(key, *a, from_);
                 ReverseFrom(first);
               }
               if (b) {
                 created_.insert(name);
                 TableCreateOps(key, *b, to_);
               }
             });
  }

  // --- indexes, triggers, views --------------------------------------------

  // Create (and, reversed, drop) operations for an index or trigger of
  // `side`; `table_created` = the table is created by this diff, so the
  // drop needs no statement of its own.
  void ObjectCreateOps(OpKind kind, OpKind reverse_kind, const char* what,
                       const std::string& key, const SqliteObject& o,
                       const SqliteSchema& side, bool table_created) {
    Operation& op = Add(
        kind, reverse_kind, key, o.sql + ";\n",
        table_created ? ""
                      : std::string("DROP ") + what + " " + Q(o.name) + ";\n");
    op.creates.insert(key);
    op.after_created.insert(SqliteRelationKey(o.table));
    std::set<std::string> m = Mentioned(o.names_used, side, o.table);
    op.after_created.insert(m.begin(), m.end());
  }

  // Objects keyed by name whose table may be altered (handled with the
  // table), dropped or created (statements only where needed).
  template <typename Changed>
  void DiffTableObjects(const std::map<std::string, SqliteObject>& from,
                        const std::map<std::string, SqliteObject>& to,
                        OpKind create, OpKind drop, const char* what,
                        std::string (*key_of)(std::string_view),
                        Changed&& changed) {
    WalkMaps(from, to,
             [&](const std::string& name, const SqliteObject* a,
                 const SqliteObject* b) {
               bool replaced = (a && (dropped_.count(a->table))) ||
                               (b && created_.count(b->table));
               if (a && b && !changed(name) && !replaced) return;
               std::string key = key_of(name);
               if (a && !altered_.count(a->table)) {
                 bool table_dropped = dropped_.count(a->table) > 0;
                 size_t first = out_.operations.size();
                 ObjectCreateOps(create, drop, what, key, *a, from_,
                                 table_dropped);
                 ReverseFrom(first);
                 if (table_dropped) out_.operations.back().sql.clear();
               }
               if (b && !altered_.count(b->table)) {
                 ObjectCreateOps(create, drop, what, key, *b, to_,
                                 created_.count(b->table) > 0);
               }
             });
  }

  void DiffIndexes() {
    DiffTableObjects(
        from_.indexes, to_.indexes, OpKind::kCreateIndex, OpKind::kDropIndex,
        "INDEX", &SqliteRelationKey,
        [&](const std::string& name) { return IndexChanged(name); });
  }

  void DiffTriggers() {
    DiffTableObjects(
        from_.triggers, to_.triggers, OpKind::kCreateTrigger,
        OpKind::kDropTrigger, "TRIGGER", &TriggerKeyOf,
        [&](const std::string& name) { return TriggerChanged(name); });
  }

  void ViewCreateOps(const std::string& key, const SqliteObject& v,
                     const SqliteSchema& side) {
    Operation& op = Add(OpKind::kCreateView, OpKind::kDropView, key,
                        v.sql + ";\n", "DROP VIEW " + Q(v.name) + ";\n");
    op.creates.insert(key);
    op.after_created = Mentioned(v.names_used, side, SqliteFold(v.name));
  }

  void DiffViews() {
    WalkMaps(from_.views, to_.views,
             [&](const std::string& name, const SqliteObject* a,
                 const SqliteObject* b) {
               if (a && b && a->canonical == b->canonical &&
                   !forced_views_.count(name)) {
                 return;
               }
               std::string key = SqliteRelationKey(name);
               if (a) {
                 size_t first = out_.operations.size();
                 ViewCreateOps(key, *a, from_);
                 ReverseFrom(first);
               }
               if (b) ViewCreateOps(key, *b, to_);
             });
  }

  const SqliteSchema& from_;
  const SqliteSchema& to_;
  SqliteDiffOptions options_;
  SqliteOperations out_;
  // Lower-cased names: tables changed in place or rebuilt (their indexes
  // and triggers go with them), dropped, created (both for a virtual table
  // replaced).
  std::set<std::string> altered_, dropped_, created_;
  std::set<std::string> forced_views_, forced_triggers_;
};

}  // namespace

SqliteOperations CompareSqlite(const SqliteSchema& from, const SqliteSchema& to,
                               const SqliteDiffOptions& options) {
  return SqliteComparer(from, to, options).Run();
}

std::string RenderSqliteSql(
    const std::vector<Operation>& ordered_ops,
    const std::map<std::string, std::string>& referenced_tables) {
  std::string body = RenderSql(ordered_ops);
  std::vector<std::string> rebuilt;
  for (const Operation& op : ordered_ops) {
    auto it = referenced_tables.find(op.object);
    if (op.kind == OpKind::kRebuildTable && it != referenced_tables.end()) {
      rebuilt.push_back(Q(it->second));
    }
  }
  if (rebuilt.empty()) return body;
  std::string names;
  for (const std::string& n : rebuilt) names += (names.empty() ? "" : ", ") + n;
  return "-- foreign keys reference " + names +
         ", which this revision rebuilds: it runs with\n"
         "-- enforcement off, in a transaction of its own, and fails if "
         "PRAGMA\n"
         "-- foreign_key_check finds a violation at the end.\n"
         "PRAGMA foreign_keys = OFF;\n\n" +
         body + "\nPRAGMA foreign_key_check;\n";
}

}  // namespace retort
