// The stairway check's runner.
#include "autogen/stairway.h"

namespace retort {
namespace {

// DescribeDrift words items for a live database against its migrations;
// here the two sides are before the upgrade and after the downgrade.
void RewordForStairway(std::vector<DriftItem>* items) {
  for (DriftItem& item : *items) {
    switch (item.kind) {
      case DriftItem::Kind::kExtra:
        item.message = item.object + " is left behind by the downgrade";
        break;
      case DriftItem::Kind::kMissing:
        item.message = item.object +
                       " was there before the upgrade and is gone after the "
                       "downgrade";
        break;
      case DriftItem::Kind::kChanged:
        item.message = item.object +
                       " differs after the downgrade from before the upgrade";
        break;
    }
  }
}

}  // namespace

Result<StairwayOutcome> RunStairway(ReplayScratch& scratch,
                                    const std::vector<StairwayStep>& steps,
                                    const StairwayRunner& run, bool every) {
  StairwayOutcome out;
  // After a failure the database holds whatever the bad downgrade left:
  // the next revision starts over.
  bool dirty = false;
  for (const StairwayStep& step : steps) {
    if (!step.skipped.empty()) {
      out.skipped.emplace_back(step.revision, step.skipped);
      // Its state is not the plan's any more than a failure's is.
      dirty = true;
      continue;
    }
    const std::string context = "stairway at revision " + step.revision;
    const std::vector<std::string>* setup = &step.setup;
    if (step.fresh || dirty) {
      RETORT_RETURN_IF_ERROR(scratch.Reset());
      setup = &step.ancestors;
      dirty = false;
    }
    for (const std::string& target : *setup) {
      RETORT_RETURN_IF_ERROR(
          run(scratch.url(), true, target)
              .WithContext(context + ": upgrading to its parent " + target));
    }
    RETORT_ASSIGN_OR_RETURN(SchemaSnapshot before, scratch.Read());
    RETORT_RETURN_IF_ERROR(run(scratch.url(), true, step.revision)
                               .WithContext(context + ": upgrade"));
    RETORT_RETURN_IF_ERROR(
        run(scratch.url(), false, step.downgrade_to)
            .WithContext(context + ": downgrade to " + step.downgrade_to));
    RETORT_ASSIGN_OR_RETURN(SchemaSnapshot after, scratch.Read());
    out.checked.push_back(step.revision);
    StairwayOutcome::Failure failure;
    failure.revision = step.revision;
    failure.differences = CompareSnapshots(after, before);
    RewordForStairway(&failure.differences);
    if (failure.differences.empty()) {
      Status again = run(scratch.url(), true, step.revision);
      if (again.ok()) continue;
      failure.reupgrade_error = again.message();
    }
    out.failures.push_back(std::move(failure));
    dirty = true;
    if (!every) break;
  }
  return out;
}

}  // namespace retort
