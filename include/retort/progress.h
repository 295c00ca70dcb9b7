// Progress of an upgrade, downgrade or stamp, for an embedding
// application's own display (the CLI's progress lines use the same
// events), and the way to stop a run from the application.
#ifndef RETORT_PROGRESS_H_
#define RETORT_PROGRESS_H_

#include <functional>
#include <string>

#include "retort/export.h"
#include "retort/interrupt.h"

namespace retort {

// One event of a run against a database (offline --sql runs report none).
struct RETORT_EXPORT Progress {
  enum class Event {
    // A migration step -- one revision, or the version-table change of a
    // stamp -- is about to run.
    kStepStarted,
    // One statement of that step is about to run.
    kStatement,
    // The step's statements ran (it commits with its transaction: at the
    // end of the run, or at once with transaction_per_migration).
    kStepFinished,
  };
  Event event = Event::kStepStarted;
  // 1-based position of the step in this run, and how many it takes. A
  // run retried after lock_timeout (lock_retries) reports its steps again.
  int step = 0;
  int steps = 0;
  // The revision id; "" for a stamp step.
  std::string revision;
  // Alembic's short log line: "upgrade 1a2b -> 3c4d, add users".
  std::string description;
  // kStatement: the statement on one line, shortened, secret placeholder
  // values masked; and its line in the revision file.
  std::string statement;
  int line = 0;
  // kStepFinished: how long the step's statements took.
  double duration_ms = 0;
};

// Called on the thread running the migration, as it goes. It must not
// call back into the Migrator.
using ProgressSink = std::function<void(const Progress&)>;

// RequestInterrupt() and ClearInterrupt(): retort/interrupt.h.

}  // namespace retort

#endif  // RETORT_PROGRESS_H_
