// Choosing the parents of a new revision: the graph half of the `revision`
// and `merge` commands (Alembic's ScriptDirectory.generate_revision).
#ifndef RETORT_REVISION_NEW_REVISION_H_
#define RETORT_REVISION_NEW_REVISION_H_

#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// The directive a deliberately empty section holds (docs/revision-files.md):
// `merge` writes it in both sections, as does autogenerate when the models
// and the database agree; a blank `revision` does not, so that a section
// left unwritten is refused when it would run.
inline constexpr std::string_view kEmptyDirectiveLine = "-- retort: empty";

// NewRevisionOptions are the graph-related flags of `revision` / `merge`.
struct NewRevisionOptions {
  // The new revision's id (--rev-id, or a generated one). Required.
  std::string rev_id;
  // What to build on (--head; the revisions of `merge`). Each entry is any
  // identifier GetRevisions accepts. Default: {"head"}.
  std::vector<std::string> head = {"head"};
  // Allow a parent that is not a head, starting a new branch (--splice).
  // Default: false.
  bool splice = false;
  // Labels the new revision declares (--branch-label). Default: none.
  std::vector<std::string> branch_labels;
  // Cross-branch dependencies (--depends-on): ids, prefixes or labels.
  // Default: none.
  std::vector<std::string> depends_on;
};

// NewRevisionHeader is what goes into the new file's header.
struct NewRevisionHeader {
  std::string id;
  std::vector<std::string> down_revisions;  // "Revises"
  std::vector<std::string> branch_labels;   // "Branch Labels"
  // "Depends On": labels kept as given, prefixes expanded to full ids.
  std::vector<std::string> depends_on;
};

// Checks the options against `map` and picks the parents, with Alembic's
// errors ("Revision X is not a head revision; please specify --splice ...").
Result<NewRevisionHeader> PlanNewRevision(const RevisionMap& map,
                                          const NewRevisionOptions& options);

// `merge <revisions...>`: PlanNewRevision with `revisions` as the heads.
Result<NewRevisionHeader> PlanMerge(
    const RevisionMap& map, const std::vector<std::string>& revisions,
    const std::string& rev_id, const std::vector<std::string>& branch_labels,
    bool splice = false);

}  // namespace retort

#endif  // RETORT_REVISION_NEW_REVISION_H_
