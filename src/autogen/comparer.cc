// Comparer: Run(), the helpers every object family uses, schemas and
// extensions (comparer.h).
#include "autogen/comparer.h"

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

namespace retort {

using comparer_detail::Literal;
using comparer_detail::Q;

std::vector<Operation> Comparer::Run() {
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

Operation& Comparer::Add(OpKind kind, OpKind reverse_kind, std::string object,
                         std::string sql, std::string reverse_sql) {
  ops_.push_back(Operation::Make(kind, reverse_kind, std::move(object),
                                 std::move(sql), std::move(reverse_sql)));
  return ops_.back();
}

void Comparer::NeedsDeps(Operation& op, const Catalog& side,
                         const std::string& key) {
  auto it = side.depends_on.find(key);
  if (it == side.depends_on.end()) return;
  op.after_created.insert(it->second.begin(), it->second.end());
}

void Comparer::InSchema(Operation& op, std::string_view schema) {
  op.after_created.insert(SchemaKey(schema));
}

Operation& Comparer::CreateTypeOp(const std::string& key,
                                  std::string_view schema, std::string sql,
                                  std::string reverse_sql,
                                  const Catalog& side) {
  Operation& op = Add(OpKind::kCreateType, OpKind::kDropType, key,
                      std::move(sql), std::move(reverse_sql));
  op.creates.insert(key);
  op.reverse_destructive = true;
  InSchema(op, schema);
  NeedsDeps(op, side, key);
  return op;
}

void Comparer::CommentOp(const std::string& target, const std::string& object,
                         const std::optional<std::string>& old_comment,
                         const std::optional<std::string>& new_comment,
                         bool created) {
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

void Comparer::DiffSchemas() {
  WalkMaps(
      from_.schemas, to_.schemas,
      [&](const std::string& key, const Schema* a, const Schema* b) {
        if (a && b) {
          CommentOp("SCHEMA " + Q(b->name), key, a->comment, b->comment, false);
          return;
        }
        const Schema& s = a ? *a : *b;
        CreateOrDrop(a != nullptr, [&] {
          Operation& op = Add(OpKind::kCreateSchema, OpKind::kDropSchema, key,
                              "CREATE SCHEMA " + Q(s.name) + ";\n",
                              "DROP SCHEMA " + Q(s.name) + ";\n");
          op.creates.insert(key);
          op.reverse_destructive = true;
          CommentOp("SCHEMA " + Q(s.name), key, std::nullopt, s.comment, true);
        });
      });
}

void Comparer::DiffExtensions() {
  WalkMaps(from_.extensions, to_.extensions,
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

}  // namespace retort
