// What `retort rebase REV --onto TARGET` moves, and whether it may: pure
// graph logic (the file rewrite and the database check are the caller's).
//
// REV is the first revision of a plain line of unreleased revisions (REV
// and its descendants up to the head of its line). The rebase rewrites only
// REV's "Revises" so that its parent becomes TARGET; the rest of the line
// follows it unchanged.
#ifndef RETORT_REVISION_REBASE_PLAN_H_
#define RETORT_REVISION_REBASE_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// A revision outside the moved line whose "Depends On" names one inside it:
// dependencies are not parents, so it is left as it is.
struct LineDependency {
  std::string revision;    // outside the line
  std::string depends_on;  // inside it
};

// RebasePlan is the line that moves and REV's parents before and after.
struct RebasePlan {
  std::string revision;                  // REV's id
  std::string path;                      // REV's file ("" in memory)
  std::vector<std::string> old_parents;  // REV's "Revises" before
  std::string onto;                      // TARGET's id: REV's new parent
  std::vector<std::string> line;         // REV..head, in upgrade order
  std::vector<LineDependency> dependencies;
  // REV already revises TARGET alone: nothing to do.
  bool nothing_to_do = false;
};

// Refuses (Conflict, naming the revision and its file): REV or a revision
// after it being a merge point, a branch point in the line, REV being the
// base of a branch label, TARGET inside the line or descending from it
// through "Depends On" (a cycle), and TARGET on another branch than REV.
// "base" as REV or TARGET is InvalidArgument.
Result<RebasePlan> PlanRebase(const RevisionMap& map, std::string_view rev,
                              std::string_view onto);

// `revisions` with REV's "Revises" replaced by TARGET, as the files will be
// after the rewrite.
std::vector<Revision> RebasedRevisions(std::vector<Revision> revisions,
                                       const RebasePlan& plan);

// The graph after the rewrite, checked: REV revises TARGET alone and every
// revision of the line descends from TARGET. Internal otherwise.
Status CheckRebased(const RevisionMap& rebased, const RebasePlan& plan);

}  // namespace retort

#endif  // RETORT_REVISION_REBASE_PLAN_H_
