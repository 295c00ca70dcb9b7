// The stairway check (`check --stairway`, pytest-alembic's "stairway"
// test, built in): in a scratch database, each revision is upgraded,
// downgraded and upgraded again, and the catalog after the downgrade is
// compared with the catalog before the upgrade. A downgrade that does not
// undo its upgrade shows as differences (or as the second upgrade
// failing).
#ifndef RETORT_AUTOGEN_STAIRWAY_H_
#define RETORT_AUTOGEN_STAIRWAY_H_

#include <functional>
#include <string>
#include <vector>

#include "autogen/drift.h"
#include "autogen/replay_scratch.h"
#include "retort/status.h"
#include "revision/stairway_plan.h"

namespace retort {

// Runs an upgrade (`upgrade` true) or a downgrade to `target` on the
// database at `url`.
using StairwayRunner = std::function<Status(const std::string& url,
                                            bool upgrade,
                                            const std::string& target)>;

// StairwayOutcome is what the check found.
struct StairwayOutcome {
  // Revisions checked, in order (those skipped left out).
  std::vector<std::string> checked;
  // A revision whose downgrade did not undo its upgrade.
  struct Failure {
    std::string revision;
    // What the database holds after the downgrade compared with before the
    // upgrade: kExtra = left behind, kMissing = removed, kChanged.
    std::vector<DriftItem> differences;
    // The upgrade run again after the downgrade failed: its error.
    std::string reupgrade_error;
  };
  std::vector<Failure> failures;
  // Revisions that cannot be checked alone, with why (StairwayStep).
  std::vector<std::pair<std::string, std::string>> skipped;
};

// Checks `steps` (PlanStairway) in `scratch`, stopping after the first
// failure unless `every`. A failing upgrade or downgrade is an error
// naming the revision.
Result<StairwayOutcome> RunStairway(ReplayScratch& scratch,
                                    const std::vector<StairwayStep>& steps,
                                    const StairwayRunner& run, bool every);

}  // namespace retort

#endif  // RETORT_AUTOGEN_STAIRWAY_H_
