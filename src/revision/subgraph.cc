// Cutting one branch out of the revision graph; see subgraph.h.
#include "revision/subgraph.h"

#include <algorithm>
#include <unordered_set>

namespace retort {

Result<BranchGraph> BuildBranchGraph(const RevisionMap& full,
                                     std::string_view label) {
  const RevisionNode* declarer = full.FindBranchLabel(label);
  if (declarer == nullptr) {
    return Status::NotFound("no revision has the branch label '" +
                            std::string(label) + "'");
  }
  std::vector<std::string> line =
      full.Descendants({declarer->id()}, /*include_dependencies=*/false);
  std::vector<std::string> members =
      full.Ancestors(line, /*include_dependencies=*/false);
  std::unordered_set<std::string> in(members.begin(), members.end());

  BranchGraph out;
  out.label = std::string(label);
  std::vector<Revision> revisions;
  // Input order, as in the full graph: it is the graph's tie-break order.
  for (const RevisionNode& node : full.nodes()) {
    if (!in.count(node.id())) continue;
    Revision rev = node.revision;
    rev.depends_on.clear();
    for (const std::string& dep : full.ResolvedDependencies(node)) {
      if (in.count(dep)) {
        rev.depends_on.push_back(dep);
      } else {
        out.external[node.id()].push_back(dep);
      }
    }
    revisions.push_back(std::move(rev));
  }
  auto map = RevisionMap::Build(std::move(revisions));
  if (!map.ok()) {
    return map.status().WithContext("branch '" + std::string(label) + "'");
  }
  out.map = std::move(map).value();
  return out;
}

}  // namespace retort
