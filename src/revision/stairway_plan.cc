// The stairway check's walk over the graph.
#include "revision/stairway_plan.h"

#include <algorithm>
#include <set>

#include "revision/plan.h"

namespace retort {

Result<std::vector<StairwayStep>> PlanStairway(
    const RevisionMap& map, const std::vector<std::string>& revisions) {
  std::vector<StairwayStep> steps;
  std::set<std::string> applied;
  for (const std::string& id : revisions) {
    const RevisionNode* node = map.Find(id);
    if (node == nullptr) {
      return Status::NotFound("no revision '" + id + "' in the graph");
    }
    StairwayStep step;
    step.revision = id;
    std::vector<std::string> ancestors = map.Ancestors({id});
    std::set<std::string> needed(ancestors.begin(), ancestors.end());
    needed.erase(id);
    const bool extra = std::any_of(
        applied.begin(), applied.end(),
        [&](const std::string& a) { return needed.count(a) == 0; });
    if (extra) {
      step.fresh = true;
      applied.clear();
    }
    step.ancestors = map.Parents(*node);
    for (const std::string& d : map.ResolvedDependencies(*node)) {
      if (std::find(step.ancestors.begin(), step.ancestors.end(), d) ==
          step.ancestors.end()) {
        step.ancestors.push_back(d);
      }
    }
    if (applied != needed) step.setup = step.ancestors;
    applied = needed;
    applied.insert(id);
    std::vector<std::string> parents = map.Parents(*node);
    if (parents.empty()) {
      if (needed.empty()) {
        step.downgrade_to = "base";
      } else {
        step.skipped =
            "a base revision with Depends On: downgrading it to base would "
            "undo its dependencies too";
      }
    } else {
      // A parent whose only applied descendants are itself and `id`.
      for (const std::string& p : parents) {
        std::vector<std::string> below = map.Descendants({p});
        const bool alone =
            std::all_of(below.begin(), below.end(), [&](const std::string& d) {
              return d == p || d == id || applied.count(d) == 0;
            });
        if (alone) {
          step.downgrade_to = p;
          break;
        }
      }
      if (step.downgrade_to.empty()) {
        step.skipped =
            "every parent has another applied descendant, so no downgrade "
            "undoes this revision alone";
      }
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Result<std::vector<std::string>> RevisionsInRange(const RevisionMap& map,
                                                  const std::string& range) {
  std::string start = "base", end = "heads";
  if (!range.empty()) {
    size_t colon = range.find(':');
    if (colon == std::string::npos) {
      start = end = range;
    } else {
      if (colon > 0) start = range.substr(0, colon);
      if (colon + 1 < range.size()) end = range.substr(colon + 1);
    }
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<const RevisionNode*> walk,
                          WalkRevisions(map, start, end));
  std::vector<std::string> ids;
  for (auto it = walk.rbegin(); it != walk.rend(); ++it) {
    if (*it != nullptr) ids.push_back((*it)->id());
  }
  return ids;
}

}  // namespace retort
