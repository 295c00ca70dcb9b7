// BranchGraph: the part of the revision graph one branch label owns, as a
// graph of its own. A schema with its own version table (schema per domain)
// runs only its branch: revisions of other branches that it "Depends On"
// are recorded in *their* schema's version table, so they are not part of
// its plan; they become preconditions instead (external dependencies).
#ifndef RETORT_REVISION_SUBGRAPH_H_
#define RETORT_REVISION_SUBGRAPH_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// BranchGraph is one branch's revisions: the revision that declares the
// label, everything that revises it (transitively, through "Revises"), and
// every ancestor of those -- so a merge with another line pulls that line
// in, as it would in Alembic. "Depends On" edges to revisions outside are
// cut from `map` and kept in `external`.
struct BranchGraph {
  std::string label;
  RevisionMap map;
  // Member revision -> the revisions outside the branch it depends on.
  std::map<std::string, std::vector<std::string>> external;
  bool Contains(std::string_view id) const { return map.Find(id) != nullptr; }
};

// The branch of `label` in `full`. NotFound when no revision declares the
// label.
Result<BranchGraph> BuildBranchGraph(const RevisionMap& full,
                                     std::string_view label);

}  // namespace retort

#endif  // RETORT_REVISION_SUBGRAPH_H_
