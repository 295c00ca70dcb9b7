// Comparer: constraints and indexes renamed instead of dropped and created
// again (comparer.h).
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

using comparer_detail::Q;

void Comparer::FindRenames() {
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

void Comparer::MatchConstraintRenames(
    std::vector<RenameCandidate>* found) const {
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

void Comparer::MatchIndexRenames(std::vector<RenameCandidate>* found) const {
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

bool Comparer::HasIndex(ConstraintKind kind) {
  return kind == ConstraintKind::kPrimaryKey ||
         kind == ConstraintKind::kUnique || kind == ConstraintKind::kExclusion;
}

bool Comparer::SameIndexButName(const Index& a, const Index& b) {
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

bool Comparer::IsRenamed(const std::string& key) const {
  return renamed_.count(key) > 0 || renamed_back_.count(key) > 0;
}

const Comparer::RenameTarget* Comparer::ActiveRename(
    const std::string& old_key) const {
  auto it = renamed_.find(old_key);
  if (it == renamed_.end() || rebuild_.count(old_key) ||
      rebuild_.count(it->second.key)) {
    return nullptr;
  }
  return &it->second;
}

bool Comparer::IsRenameTarget(const std::string& new_key) const {
  auto it = renamed_back_.find(new_key);
  return it != renamed_back_.end() && ActiveRename(it->second) != nullptr;
}

bool Comparer::RenameConstraintOp(const Table& a, const Table& b,
                                  const Constraint& k) {
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
  CommentOp("CONSTRAINT " + Q(n->name) + " ON " + table, target->key, k.comment,
            n->comment, false);
  return true;
}

bool Comparer::RenameIndexOp(const std::string& old_key, const Index& x) {
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
  CommentOp("INDEX " + QualifiedName(n.schema, n.name), target->key, x.comment,
            n.comment, false);
  return true;
}

}  // namespace retort
