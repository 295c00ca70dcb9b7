// What `retort squash START:END` replaces, and whether it may: pure graph
// logic (the files and the replay are the caller's).
//
// The squashed revision keeps END's id, so a database at END stays valid,
// and START's parents. Its branch labels are every label the range's
// revisions declare (a label declared inside the range covered END and its
// descendants, and still does); its "Depends On" is every dependency of the
// range's revisions on a revision outside the range, as written, each once.
#ifndef RETORT_REVISION_SQUASH_PLAN_H_
#define RETORT_REVISION_SQUASH_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// SquashPlan is the range and the header of the revision replacing it.
struct SquashPlan {
  std::vector<std::string> range;  // START..END, in upgrade order
  std::string end;                 // the id kept
  std::vector<std::string> down_revisions;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
};

// Refuses (Conflict, naming the revision and its file) a range that is not
// a line: START not an ancestor of END, a merge point after START, a
// branch point before END, or a revision outside the range whose
// "Revises" or "Depends On" names a revision of the range other than END.
// A range of one revision is refused too (nothing to squash).
Result<SquashPlan> PlanSquash(const RevisionMap& map, std::string_view start,
                              std::string_view end);

// "START:END" split; InvalidArgument naming `range` otherwise.
Status SplitRange(std::string_view range, std::string* start,
                  std::string* end);

}  // namespace retort

#endif  // RETORT_REVISION_SQUASH_PLAN_H_
