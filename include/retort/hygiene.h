// History hygiene: `check --single-head`, `check --stairway`, `squash` and
// `rebase` (docs/hygiene.md).
#ifndef RETORT_HYGIENE_H_
#define RETORT_HYGIENE_H_

#include <string>
#include <vector>

#include "retort/export.h"
#include "retort/verify.h"

namespace retort {

// One branch of the revision graph with its heads (`check --single-head`).
struct RETORT_EXPORT BranchHeads {
  // The branch label whose line this is; "" for the heads no label covers
  // (a graph without labels is that one branch).
  std::string branch;
  // The [schemas.<name>] section whose branch the label is; "" if none.
  std::string schema;
  std::vector<std::string> heads;
};

// What `check --single-head` found: every branch, in graph order.
struct RETORT_EXPORT SingleHeadResult {
  std::vector<BranchHeads> branches;
  // Every branch has at most one head.
  bool ok() const {
    for (const BranchHeads& b : branches)
      if (b.heads.size() > 1) return false;
    return true;
  }
};

// Options of `check --stairway`.
struct RETORT_EXPORT StairwayOptions {
  // "START:END" (both included; either side may be empty for base /
  // heads), "REV" for that revision alone. Default: "" (every revision).
  std::string range;
  // Where the scratch database goes, as AutogenOptions::dev. Default: "".
  std::string dev;
  // --all: check every revision instead of stopping at the first failure.
  // Default: false.
  bool every = false;
};

// A revision whose downgrade does not undo its upgrade.
struct RETORT_EXPORT StairwayFailure {
  std::string revision;
  std::string path;  // its file
  // The schema after upgrade + downgrade compared with before the upgrade:
  // "extra" is left behind by the downgrade, "missing" was removed by it,
  // "changed" differs; `sql` is what would restore the state before.
  std::vector<DriftFinding> differences;
  // The upgrade run again after the downgrade failed (e.g. "relation
  // already exists" for an object the comparison does not read); "" if it
  // ran.
  std::string reupgrade_error;
};

// A revision the stairway cannot check on its own, and why.
struct RETORT_EXPORT StairwaySkip {
  std::string revision;
  std::string reason;
};

// What `check --stairway` found.
struct RETORT_EXPORT StairwayResult {
  std::vector<std::string> checked;  // in upgrade order
  std::vector<StairwayFailure> failures;
  std::vector<StairwaySkip> skipped;
  // Where it ran, e.g. "a throwaway PostgreSQL 16 cluster".
  std::string scratch;
  bool ok() const { return failures.empty(); }
};

// Options of `squash START:END -m MSG`.
struct RETORT_EXPORT SquashOptions {
  std::string range;    // "START:END", both included
  std::string message;  // -m: the new revision's message
  // Where the verification's scratch databases go, as
  // AutogenOptions::dev. Default: "".
  std::string dev;
  // --dry-run: check and verify, write nothing. Default: false.
  bool dry_run = false;
};

// What `squash` did (or, with dry_run, would do).
struct RETORT_EXPORT SquashResult {
  std::string revision;                      // END's id, kept
  std::string path;                          // the new file
  std::vector<std::string> down_revisions;   // START's parents
  std::vector<std::string> branch_labels;    // merged (docs/hygiene.md)
  std::vector<std::string> depends_on;       // merged
  std::vector<std::string> replaced;         // ids, START..END
  std::vector<std::string> removed_files;    // the range's files
  // The database checked for a version row inside the range; "" when no
  // URL is configured (redacted).
  std::string database_checked;
  std::string scratch;  // where the verification replayed
  std::string text;     // the new file's text
  bool dry_run = false;
};

// Options of `rebase REV --onto TARGET`.
struct RETORT_EXPORT RebaseOptions {
  std::string revision;  // REV: the first revision of the line to move
  std::string onto;      // --onto TARGET: REV's new parent
  // --dry-run: check, print the plan, write nothing. Default: false.
  bool dry_run = false;
};

// A revision outside the moved line that depends on one inside it; it is
// left as it is (dependencies are not parents).
struct RETORT_EXPORT RebaseDependency {
  std::string revision;
  std::string depends_on;
};

// What `rebase` did (or, with dry_run, would do).
struct RETORT_EXPORT RebaseResult {
  std::string revision;                  // REV's id
  std::string path;                      // REV's file, the one rewritten
  std::vector<std::string> old_revises;  // REV's parents before
  std::string onto;                      // TARGET's id
  std::vector<std::string> moved;        // REV..head, in upgrade order
  std::vector<RebaseDependency> dependencies;
  // The heads after the rebase (with dry_run: as they would be).
  std::vector<std::string> heads;
  // The database checked for an applied revision of the line; "" when no
  // URL is configured (redacted).
  std::string database_checked;
  // REV already revised TARGET alone: nothing was written.
  bool nothing_to_do = false;
  bool dry_run = false;
};

}  // namespace retort

#endif  // RETORT_HYGIENE_H_
