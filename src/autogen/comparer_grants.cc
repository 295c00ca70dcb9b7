// Comparer: privileges (comparer.h).
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

size_t Comparer::PrivilegeRank(const std::string& privilege) {
  static constexpr std::string_view kOrder[] = {
      "SELECT",  "INSERT", "UPDATE", "DELETE",  "TRUNCATE",  "REFERENCES",
      "TRIGGER", "USAGE",  "CREATE", "EXECUTE", "TEMPORARY", "CONNECT"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (privilege == kOrder[i]) return i;
  }
  return std::size(kOrder);
}

std::vector<Grant> Comparer::DefaultGrants(const std::string& key) {
  if (key.starts_with("function:")) return {Grant{"PUBLIC", "EXECUTE"}};
  return {};
}

void Comparer::GrantOps(const std::string& key, const ObjectGrants& on,
                        const std::vector<Grant>& a,
                        const std::vector<Grant>& b, bool created) {
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
    Operation& op = Add(kind(change.first, change.second),
                        kind(change.second, change.first), key,
                        statement(change.first, change.second),
                        created ? "" : statement(change.second, change.first));
    op.after_created.insert(key);
    // As for comments: a created object's grants go with its drop.
    if (!created) op.before_dropped.insert(key);
  }
}

void Comparer::DiffGrants() {
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

ObjectGrants Comparer::GrantsOf(const Catalog& c, const std::string& key) {
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

}  // namespace retort
