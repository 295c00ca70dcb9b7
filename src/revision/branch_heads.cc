// Heads per branch label.
#include "revision/branch_heads.h"

#include <algorithm>

namespace retort {

std::vector<BranchHeadList> HeadsPerBranch(const RevisionMap& map) {
  std::vector<BranchHeadList> out;
  for (const RevisionNode& node : map.nodes()) {
    for (const std::string& label : node.revision.branch_labels) {
      BranchHeadList branch;
      branch.label = label;
      for (const std::string& head : map.Heads()) {
        const RevisionNode* h = map.Find(head);
        if (h != nullptr && std::binary_search(h->branch_labels.begin(),
                                               h->branch_labels.end(), label)) {
          branch.heads.push_back(head);
        }
      }
      out.push_back(std::move(branch));
    }
  }
  BranchHeadList unlabelled;
  for (const std::string& head : map.Heads()) {
    const RevisionNode* h = map.Find(head);
    if (h != nullptr && h->branch_labels.empty()) {
      unlabelled.heads.push_back(head);
    }
  }
  if (!unlabelled.heads.empty() || out.empty()) {
    out.push_back(std::move(unlabelled));
  }
  return out;
}

}  // namespace retort
