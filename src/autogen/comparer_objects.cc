// Comparer: sequences, functions, indexes and views (comparer.h).
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

std::string Comparer::SequenceOptions(const Sequence& s) {
  return " AS " + s.data_type + " INCREMENT BY " + std::to_string(s.increment) +
         " MINVALUE " + std::to_string(s.min_value) + " MAXVALUE " +
         std::to_string(s.max_value) + " START WITH " +
         std::to_string(s.start) + " CACHE " + std::to_string(s.cache) +
         (s.cycle ? " CYCLE" : " NO CYCLE");
}

void Comparer::OwnerOp(const std::string& key, const Sequence& s,
                       const Catalog& side, bool created) {
  if (s.owned_by_table.empty()) return;
  std::string name = QualifiedName(s.schema, s.name);
  std::string column_key;
  auto t = side.tables.find(s.owned_by_table);
  if (t != side.tables.end()) {
    column_key = ColumnKey(t->second.schema, t->second.name, s.owned_by_column);
  }
  Operation& op = Add(OpKind::kSetSequenceOwned, OpKind::kSetSequenceOwner, key,
                      "ALTER SEQUENCE " + name + " OWNED BY " +
                          RelationSql(side, s.owned_by_table) + "." +
                          Q(s.owned_by_column) + ";\n",
                      "ALTER SEQUENCE " + name + " OWNED BY NONE;\n");
  // A sequence created for a column whose table (and rows) exist on both
  // sides -- a serial's sequence coming back in a downgrade, say -- moves
  // past the rows, or the next insert would collide.
  if (created && t != side.tables.end() &&
      from_.tables.count(s.owned_by_table) &&
      to_.tables.count(s.owned_by_table)) {
    op.sql +=
        SetvalPastRowsSql(Literal(name), RelationSql(side, s.owned_by_table),
                          s.owned_by_column, s.increment < 0);
  }
  op.after_created.insert(key);
  op.after_created.insert(s.owned_by_table);
  if (!column_key.empty()) op.after_created.insert(column_key);
}

void Comparer::DiffSequences() {
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
          field(a->start != b->start, " START WITH " + std::to_string(b->start),
                " START WITH " + std::to_string(a->start));
          field(a->cache != b->cache, " CACHE " + std::to_string(b->cache),
                " CACHE " + std::to_string(a->cache));
          field(a->cycle != b->cycle, b->cycle ? " CYCLE" : " NO CYCLE",
                a->cycle ? " CYCLE" : " NO CYCLE");
          if (!up.empty()) {
            Operation& op = Add(OpKind::kAlterSequence, OpKind::kAlterSequence,
                                key, "ALTER SEQUENCE " + name + up + ";\n",
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

void Comparer::DiffFunctions() {
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
              QualifiedName(fn.schema, fn.name) + "(" + fn.identity_args + ")";
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

void Comparer::IndexCreateOps(const std::string& key, const Index& x,
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

void Comparer::DiffIndexes() {
  WalkMaps(
      from_.indexes, to_.indexes,
      [&](const std::string& key, const Index* a, const Index* b) {
        if (a && b && a->definition == b->definition && !rebuild_.count(key)) {
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
          bool table_created =
              !from_.tables.count(b->table) && !from_.views.count(b->table);
          IndexCreateOps(key, *b, to_, table_created);
        }
      });
}

void Comparer::ViewCreateOps(const std::string& key, const View& v,
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
  // A view the database has that is created again (changed, or rebuilt
  // around a change it depends on) gets its owner back, both ways: the new
  // one would belong to whoever runs the migration. New views are theirs.
  auto now = from_.views.find(key);
  if (now != from_.views.end() && !now->second.owner.empty()) {
    Operation& owner = Add(OpKind::kComment, OpKind::kComment, key,
                           "ALTER " + kind + name + " OWNER TO " +
                               now->second.owner + ";\n",
                           "");
    owner.after_created.insert(key);
  }
  for (const Trigger& g : v.triggers) {
    TriggerOp(side, v.schema, v.name, g, true);
  }
}

void Comparer::DiffViews() {
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

}  // namespace retort
