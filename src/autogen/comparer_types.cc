// Comparer: collations, enums, domains and composite types (comparer.h).
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

std::string Comparer::CreateCollationSql(const Collation& c) {
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

void Comparer::DiffCollations() {
  WalkMaps(
      from_.collations, to_.collations,
      [&](const std::string& key, const Collation* a, const Collation* b) {
        const std::string name =
            QualifiedName((a ? a : b)->schema, (a ? a : b)->name);
        if (a && b) {
          Collation x = *a, y = *b;
          x.comment = y.comment;
          if (x != y) {
            Operation& op = Add(OpKind::kManual, OpKind::kManual, key, "", "");
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

void Comparer::DiffEnums() {
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

bool Comparer::IsSubsequence(const std::vector<std::string>& labels,
                             const std::vector<std::string>& within) {
  size_t j = 0;
  for (size_t i = 0; i < within.size() && j < labels.size(); ++i) {
    if (within[i] == labels[j]) ++j;
  }
  return j == labels.size();
}

std::string Comparer::EnumRenameTarget(const EnumType& a, const EnumType& b,
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

void Comparer::EnumSwapOp(const std::string& key, const EnumType& a,
                          const EnumType& b, bool only_down) {
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
      // FindEnumSwaps and EnumColumns list columns both sides have.
      const auto& [table, column] = FindColumn(from_, column_key);
      const std::string alter = "ALTER TABLE " +
                                QualifiedName(table->schema, table->name) +
                                " ALTER COLUMN " + Q(column->name) + " ";
      const std::string array = column->type.ends_with("[]") ? "[]" : "";
      if (only_down) {
        // The downgrade, from to_'s column to to_side's (from_'s).
        const Column* now = FindColumn(to_, column_key).second;
        const Column* then = FindColumn(to_side, column_key).second;
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
      sql += "COMMENT ON TYPE " + name + " IS " + Literal(*to.comment) + ";\n";
    }
    return sql;
  };
  Operation& op = Add(OpKind::kAlterType, OpKind::kAlterType, key,
                      only_down ? "" : swap(b, to_), swap(a, from_));
  auto removed = [&](const EnumType& from, const EnumType& to) {
    std::string out;
    for (const std::string& l : from.labels) {
      if (std::find(to.labels.begin(), to.labels.end(), l) == to.labels.end()) {
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
          if (std::find(columns.begin(), columns.end(), ck) != columns.end()) {
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

bool Comparer::EnumHasDependents(const std::string& key) const {
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

std::pair<const Table*, const Column*> Comparer::FindColumn(
    const Catalog& side, const std::string& column_key) {
  for (const auto& [table_key, t] : side.tables) {
    for (const Column& c : t.columns) {
      if (ColumnKey(t.schema, t.name, c.name) == column_key) {
        return {&t, &c};
      }
    }
  }
  return {nullptr, nullptr};
}

void Comparer::AlterEnum(const std::string& key, const EnumType& a,
                         const EnumType& b, bool may_swap_down) {
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
    op.creates.insert(std::string(kEnumValueKeyPrefix) + Literal(b.labels[i]));
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

void Comparer::DiffDomains() {
  WalkMaps(from_.domains, to_.domains,
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

void Comparer::AlterDomain(const std::string& key, const Domain& a,
                           const Domain& b) {
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
                          a.base_type + " to " + b.base_type + "; recreate it");
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

void Comparer::DiffComposites() {
  WalkMaps(
      from_.composites, to_.composites,
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
            attrs += (attrs.empty() ? "" : ", ") + Q(col.name) + " " + col.type;
            if (!col.collation.empty()) attrs += " COLLATE " + col.collation;
          }
          Operation& op = CreateTypeOp(
              key, c.schema, "CREATE TYPE " + name + " AS (" + attrs + ");\n",
              "DROP TYPE " + name + ";\n", side);
          for (const Column& col : c.attributes) {
            if (!col.type_key.empty()) op.after_created.insert(col.type_key);
          }
          CommentOp("TYPE " + name, key, std::nullopt, c.comment, true);
        });
      });
}

void Comparer::AlterComposite(const std::string& key, const CompositeType& a,
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

}  // namespace retort
