// Heads per branch, for `check --single-head`: the CI gate that fails when
// two people added a revision on the same line. Pure graph logic.
#ifndef RETORT_REVISION_BRANCH_HEADS_H_
#define RETORT_REVISION_BRANCH_HEADS_H_

#include <string>
#include <vector>

#include "revision/revision_map.h"

namespace retort {

// BranchHeadList is one branch with its heads. A branch is a branch label's
// line (every revision the label covers, as `label@head` resolves it), or,
// with an empty `label`, the heads no label covers: a graph without labels
// is that one branch.
struct BranchHeadList {
  std::string label;
  std::vector<std::string> heads;  // in the map's order
};

// Every branch of `map`: the labels in the order their revisions appear,
// then the unlabelled heads (listed when there are some, or when the graph
// has no label at all; an empty graph is one branch without heads).
std::vector<BranchHeadList> HeadsPerBranch(const RevisionMap& map);

}  // namespace retort

#endif  // RETORT_REVISION_BRANCH_HEADS_H_
