// The progress bar of one upgrade or downgrade on a terminal: revisions
// done of the total, the revision and statement running, elapsed time and
// an estimate of what is left. It shows only once the run has taken a
// second (quick runs print what they always printed) and is redrawn by a
// ticker while a long statement runs. Log lines are written above it.
#ifndef RETORT_CLI_RUN_PROGRESS_H_
#define RETORT_CLI_RUN_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>

#include "retort/progress.h"

namespace retort {

// What the bar shows, from the run's events.
struct RunProgressState {
  int done = 0;   // steps finished
  int steps = 0;  // steps in the run
  std::string revision;
  std::string statement;  // the statement running, on one line
};

// The bar's text for `state` after `elapsed`, at most `width` columns:
//   upgrade 3/10 [######--------------] 1a2b3c4d: CREATE INDEX ... 0:05, ETA
//   0:12
// ETA is elapsed / done * (steps - done); "-" before the first step ends.
std::string RunProgressLine(const std::string& kind,
                            const RunProgressState& state,
                            std::chrono::milliseconds elapsed, size_t width);

class RunProgressBar {
 public:
  // `enabled`: draw at all (a terminal, not -q, not --sql). `out`: where
  // (stderr). `delay`: how long a run goes before the bar shows.
  RunProgressBar(bool enabled, std::string kind, std::ostream* out,
                 std::chrono::milliseconds delay = std::chrono::seconds(1));
  ~RunProgressBar();
  RunProgressBar(const RunProgressBar&) = delete;
  RunProgressBar& operator=(const RunProgressBar&) = delete;

  bool enabled() const { return enabled_; }
  // The run's progress callback (RunOptions::progress).
  void Update(const Progress& progress);
  // Runs `write` (which prints whole lines to the same terminal) with the
  // bar erased, then draws it again.
  void Above(const std::function<void()>& write);
  // Erases the bar for good (the run ended).
  void Finish();

 private:
  void Tick();
  void DrawLocked();
  void EraseLocked();

  const bool enabled_;
  const std::string kind_;
  std::ostream* const out_;
  const std::chrono::milliseconds delay_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable wake_;
  RunProgressState state_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  bool finished_ = false;
  std::thread ticker_;
};

}  // namespace retort

#endif  // RETORT_CLI_RUN_PROGRESS_H_
