// Comparer: tables and what hangs off them -- columns, constraints,
// triggers, policies, row-level security, partitions, inheritance
// (comparer.h).
#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "autogen/comparer.h"

namespace retort {

using comparer_detail::Literal;
using comparer_detail::Q;
using comparer_detail::RelationSql;
using comparer_detail::SetvalPastRowsSql;

std::string Comparer::ColumnSql(const Column& c) {
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

std::string Comparer::IdentitySql(const Column& c) {
  return std::string("GENERATED ") +
         (c.identity == "a" ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY" +
         (c.identity_options.empty() ? "" : " (" + c.identity_options + ")");
}

std::string Comparer::IdentitySetvalSql(const Table& t, const Column& c) {
  IdentitySequence seq = ParseIdentityOptions(c.type, c.identity_options);
  const std::string table = QualifiedName(t.schema, t.name);
  return SetvalPastRowsSql(
      "pg_get_serial_sequence(" + Literal(table) + ", " + Literal(c.name) + ")",
      table, c.name, seq.increment < 0);
}

std::string Comparer::SetIdentityOptionsSql(const Column& c) {
  IdentitySequence seq = ParseIdentityOptions(c.type, c.identity_options);
  return "SET INCREMENT BY " + std::to_string(seq.increment) +
         " SET MINVALUE " + std::to_string(seq.min_value) + " SET MAXVALUE " +
         std::to_string(seq.max_value) + " SET START WITH " +
         std::to_string(seq.start) + " SET CACHE " + std::to_string(seq.cache) +
         (seq.cycle ? " SET CYCLE" : " SET NO CYCLE");
}

std::string Comparer::WithOptions(const std::vector<std::string>& options) {
  if (options.empty()) return "";
  std::string out = " WITH (";
  for (size_t i = 0; i < options.size(); ++i) {
    out += (i ? ", " : "") + options[i];
  }
  return out + ")";
}

std::string Comparer::AlterOptionsSql(const std::string& what,
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

void Comparer::ColumnDeps(Operation& op, const Catalog& side, const Table& t,
                          const Column& c) {
  if (!c.type_key.empty()) op.after_created.insert(c.type_key);
  if (!c.collation.empty()) op.after_created.insert(CollationKeyOf(c));
  NeedsDeps(op, side, ColumnKey(t.schema, t.name, c.name));
}

std::string Comparer::CollationKeyOf(const Column& c) {
  return "collation:" + c.collation;
}

bool Comparer::IsInline(const Constraint& k) {
  return k.kind != ConstraintKind::kForeignKey;
}

void Comparer::ConstraintOp(const Catalog& side, const Table& t,
                            const Constraint& k, bool table_created) {
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

void Comparer::TableCreateOps(const std::string& key, const Table& t,
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
    if (k.kind != ConstraintKind::kCheck) op.creates.insert(UniqueKeysKey(key));
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

void Comparer::RlsOps(const std::string& key, const std::string& name,
                      const Table& a, const Table& b, bool created) {
  auto toggle = [&](bool from, bool to, const std::string& on,
                    const std::string& off) {
    if (from == to) return;
    Operation& op = Add(
        OpKind::kAlterTable, OpKind::kAlterTable, key,
        "ALTER TABLE " + name + " " + (to ? on : off) + ";\n",
        created ? "" : "ALTER TABLE " + name + " " + (from ? on : off) + ";\n");
    op.after_created.insert(key);
    op.before_dropped.insert(key);
  };
  toggle(a.rls_enabled, b.rls_enabled, "ENABLE ROW LEVEL SECURITY",
         "DISABLE ROW LEVEL SECURITY");
  toggle(a.rls_forced, b.rls_forced, "FORCE ROW LEVEL SECURITY",
         "NO FORCE ROW LEVEL SECURITY");
}

void Comparer::TriggerOp(const Catalog& side, const std::string& schema,
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

void Comparer::DiffTriggers(const std::string& schema,
                            const std::string& relation,
                            const std::vector<Trigger>& a,
                            const std::vector<Trigger>& b) {
  std::string name = QualifiedName(schema, relation);
  auto same = [&](const std::vector<Trigger>& in, const Trigger& g) {
    auto it = std::find_if(in.begin(), in.end(),
                           [&](const Trigger& x) { return x.name == g.name; });
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

void Comparer::PolicyOp(const Catalog& side, const Table& t, const Policy& p,
                        bool table_created) {
  std::string key = PolicyKey(t.schema, t.name, p.name);
  Operation& op =
      Add(OpKind::kCreatePolicy, OpKind::kDropPolicy, key, p.definition + ";\n",
          table_created ? ""
                        : "DROP POLICY " + Q(p.name) + " ON " +
                              QualifiedName(t.schema, t.name) + ";\n");
  op.creates.insert(key);
  op.after_created.insert(RelationKey(t.schema, t.name));
  NeedsDeps(op, side, key);
  CommentOp("POLICY " + Q(p.name) + " ON " + QualifiedName(t.schema, t.name),
            key, std::nullopt, p.comment, true);
}

void Comparer::DiffTables() {
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

void Comparer::AddColumnOp(const Catalog& side, const Table& t,
                           const Column& c) {
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

void Comparer::AlterColumn(const Table& t, const Column& a, const Column& b) {
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
           (c.collation.empty() ? "" : " COLLATE " + c.collation) + " USING " +
           Q(c.name) + via + "::" + c.type;
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

void Comparer::AlterTable(const std::string& key, const Table& a,
                          const Table& b) {
  std::string name = QualifiedName(b.schema, b.name);
  if (std::string up = AlterOptionsSql("TABLE " + name, a.options, b.options);
      !up.empty()) {
    Operation& op = Add(OpKind::kAlterTable, OpKind::kAlterTable, key, up,
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
      Operation& op = Add(
          OpKind::kAlterTable, OpKind::kAlterTable, key,
          "ALTER TABLE " + name + " NO INHERIT " + RelationSql(from_, p) +
              ";\n",
          "ALTER TABLE " + name + " INHERIT " + RelationSql(from_, p) + ";\n");
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
          "ALTER TABLE " + name + " NO INHERIT " + RelationSql(to_, p) + ";\n");
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
  DiffConstraints(a, b);
  // Triggers and policies: compared by definition.
  DiffTriggers(b.schema, b.name, a.triggers, b.triggers);
  RlsOps(key, name, a, b, false);
  DiffPolicies(a, b);
  CommentOp("TABLE " + name, key, a.comment, b.comment, false);
}

void Comparer::DiffConstraints(const Table& a, const Table& b) {
  DiffTableObjects(
      a, b, a.constraints, b.constraints, "CONSTRAINT", ConstraintKey,
      [this](const Catalog& side, const Table& t, const Constraint& k,
             bool created) { ConstraintOp(side, t, k, created); },
      [&](const Constraint& k) { return RenameConstraintOp(a, b, k); },
      [&](const Constraint& k) {
        return IsRenameTarget(ConstraintKey(b.schema, b.name, k.name));
      });
}

void Comparer::DiffPolicies(const Table& a, const Table& b) {
  DiffTableObjects(
      a, b, a.policies, b.policies, "POLICY", PolicyKey,
      [this](const Catalog& side, const Table& t, const Policy& p,
             bool created) { PolicyOp(side, t, p, created); },
      [](const Policy&) { return false; }, [](const Policy&) { return false; });
}

}  // namespace retort
