// Dependency ordering (Kahn's algorithm over key-derived edges, a heap for
// deterministic tie-breaking) and SQL text output.
#include "autogen/render.h"

#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>

namespace retort {

OrderedOperations OrderOperations(std::vector<Operation> ops) {
  const size_t n = ops.size();
  std::unordered_map<std::string, std::vector<size_t>> creators, droppers;
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& k : ops[i].creates) creators[k].push_back(i);
    for (const std::string& k : ops[i].drops) droppers[k].push_back(i);
  }
  std::vector<std::vector<size_t>> next(n);
  std::vector<size_t> indegree(n, 0);
  auto edge = [&](size_t a, size_t b) {
    if (a == b) return;
    next[a].push_back(b);
    ++indegree[b];
  };
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& k : ops[i].after_created) {
      auto it = creators.find(k);
      if (it == creators.end()) continue;
      for (size_t c : it->second) edge(c, i);
    }
    for (const std::string& k : ops[i].before_dropped) {
      auto it = droppers.find(k);
      if (it == droppers.end()) continue;
      for (size_t d : it->second) edge(i, d);
    }
    // A key is dropped before it is created again (a changed view or
    // constraint is dropped and re-added under the same name).
    for (const std::string& k : ops[i].drops) {
      auto it = creators.find(k);
      if (it == creators.end()) continue;
      for (size_t c : it->second) edge(i, c);
    }
  }
  using Entry = std::pair<int, size_t>;  // (kind, input position)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push({static_cast<int>(ops[i].kind), i});
  }
  OrderedOperations out;
  out.operations.reserve(n);
  std::vector<bool> done(n, false);
  while (!ready.empty()) {
    size_t i = ready.top().second;
    ready.pop();
    done[i] = true;
    for (size_t j : next[i]) {
      if (--indegree[j] == 0) {
        ready.push({static_cast<int>(ops[j].kind), j});
      }
    }
    out.operations.push_back(std::move(ops[i]));
  }
  for (size_t i = 0; i < n; ++i) {
    if (done[i]) continue;
    out.cycle = true;
    ops[i].comments.insert(ops[i].comments.begin(),
                           "-- dependency cycle: this statement may "
                           "need to move");
    out.operations.push_back(std::move(ops[i]));
  }
  return out;
}

OrderedOperations ReverseOperations(const std::vector<Operation>& upgrade_ops) {
  std::vector<Operation> reversed;
  reversed.reserve(upgrade_ops.size());
  // Reversing in reverse order keeps ties in "undo last change first".
  for (auto it = upgrade_ops.rbegin(); it != upgrade_ops.rend(); ++it) {
    reversed.push_back(it->Reverse());
  }
  return OrderOperations(std::move(reversed));
}

std::string RenderSql(const std::vector<Operation>& ordered_ops) {
  std::string out;
  for (const Operation& op : ordered_ops) {
    if (op.sql.empty() && op.comments.empty()) continue;
    if (!out.empty()) out += '\n';
    for (const std::string& c : op.comments) out += c + "\n";
    if (op.destructive && !op.sql.empty()) out += "-- retort: destructive\n";
    out += op.sql;
  }
  return out;
}

}  // namespace retort
