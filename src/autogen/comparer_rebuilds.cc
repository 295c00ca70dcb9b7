// Comparer: what is dropped and created again around a change it depends
// on, enum recreation, and the ordering around column type changes
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

using comparer_detail::AddDependents;
using comparer_detail::DependentsMap;

bool Comparer::NeedsRecreate(const Function& a, const Function& b) {
  return a.result != b.result || a.arguments != b.arguments ||
         a.procedure != b.procedure;
}

void Comparer::FindEnumSwaps() {
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

std::vector<std::string> Comparer::EnumColumns(const std::string& key) const {
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

bool Comparer::IsSwappedEnumColumn(const std::string& column_key) const {
  for (const auto& [key, columns] : swapped_enums_) {
    if (std::find(columns.begin(), columns.end(), column_key) !=
        columns.end()) {
      return true;
    }
  }
  return false;
}

void Comparer::FindRebuilds() {
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

void Comparer::OrderAroundTypeChanges() {
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

}  // namespace retort
