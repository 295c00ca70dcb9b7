// The stairway check's walk (`check --stairway`): for each revision, the
// database state to start from and the downgrade that undoes that revision
// alone. Pure graph logic; the runner is autogen/stairway.h.
//
// A downgrade to revision P undoes every applied descendant of P, not only
// the revision just upgraded. So each step starts from exactly the
// revision's ancestors applied: on a linear history that is the previous
// step's end state; after a branch point the next line starts over in an
// empty database (`fresh`) and its ancestors are upgraded first (`setup`).
#ifndef RETORT_REVISION_STAIRWAY_PLAN_H_
#define RETORT_REVISION_STAIRWAY_PLAN_H_

#include <string>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// StairwayStep is one revision's check: [fresh database], upgrade each of
// `setup`, read the catalog, upgrade `revision`, downgrade to
// `downgrade_to`, read the catalog again and compare, upgrade `revision`
// again.
struct StairwayStep {
  std::string revision;
  // Start from an empty database: the one before holds revisions the
  // downgrade would undo too.
  bool fresh = false;
  // Upgrade targets that apply exactly the revision's ancestors (its
  // parents and "Depends On"), run after `fresh`; empty when applied.
  std::vector<std::string> setup;
  // The upgrade targets that apply the revision's ancestors from an empty
  // database (its parents and "Depends On"), whether or not needed now.
  std::vector<std::string> ancestors;
  // A parent no other applied revision descends from, or "base" for a base
  // revision with no dependencies.
  std::string downgrade_to;
  // Why the revision cannot be checked alone ("" when it can): a base
  // revision with "Depends On" (downgrading to base would undo the
  // dependencies as well), or a merge of parents descending from one
  // another.
  std::string skipped;
};

// The steps for `revisions` (ids, in upgrade order, e.g. WalkRevisions
// reversed). Unknown ids are an error.
Result<std::vector<StairwayStep>> PlanStairway(
    const RevisionMap& map, const std::vector<std::string>& revisions);

// The revisions of `range` in upgrade order: "" is every revision,
// "START:END" both included (either side may be empty: base / heads), a
// single revision "REV" stands for "REV:REV".
Result<std::vector<std::string>> RevisionsInRange(const RevisionMap& map,
                                                  const std::string& range);

}  // namespace retort

#endif  // RETORT_REVISION_STAIRWAY_PLAN_H_
