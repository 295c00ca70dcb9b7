// What the command line prints for fan-outs (--tenants, --all-schemas,
// --targets): the progress line drawn on a terminal, the summary table at
// the end, `current` across units, and their JSON forms. Pure formatting,
// so the texts are tested exactly; main.cc decides where they go.
#ifndef RETORT_CLI_FANOUT_OUTPUT_H_
#define RETORT_CLI_FANOUT_OUTPUT_H_

#include <chrono>
#include <iosfwd>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "retort/fanout.h"

namespace retort {

// One progress line, without "\r" or colour:
//   tenants 523/1000 [#########-----------] done 520, failed 3,
//   remaining 477, 41.2/s, ETA 12s
// (one line; wrapped here). "canary " is prepended during the canary phase;
// rate and ETA are "-" until a worker has finished a unit.
std::string ProgressLine(const FanoutProgress& progress,
                         const std::string& kind, int bar_width = 20);

// "12s", "3m05s", "1h02m".
std::string FormatEta(double seconds);

// The summary printed after a fan-out, e.g.
//   upgrade head: 20 tenants, 4 jobs, 1.3 s
//     migrated       17
//     up to date      2
//     failed          1
//     not started     0
//   failed:
//     tenant_07: versions/3.sql:11: upgrade 3 failed: ERROR 23505: ...
// With `verbose`, a row per unit (status, revisions before and after,
// steps, time) comes before the counts.
std::string FanoutSummary(const FanoutResult& result,
                          const std::string& command, bool verbose);

// The same as JSON: command, counts, and every unit's status.
nlohmann::ordered_json FanoutJson(const FanoutResult& result,
                                  const std::string& command);

// `current --tenants` / `--targets`: how many units are at each revision,
// e.g.
//   revision              tenants
//   000000000014 (head)        17
//   000000000013                2
//   (none)                      1
// then units that could not be read, with the reason. With `verbose`, the
// units of each revision are listed under it.
std::string CurrentSummary(const std::vector<UnitVersions>& units,
                           const std::string& kind, bool verbose);

// `current --all-schemas`: one line per schema, "auth: a0a0a0a0a0a0 (head)"
// ("(none)" when nothing is applied).
std::string CurrentPerUnit(const std::vector<UnitVersions>& units);

nlohmann::ordered_json CurrentJson(const std::vector<UnitVersions>& units);

// TtyProgress draws the progress line on a terminal's stderr, redrawing at
// most every 100 ms (and always the final state), and keeps log lines from
// landing in the middle of it. Disabled, it does nothing.
class TtyProgress {
 public:
  TtyProgress(bool enabled, std::ostream* out);
  bool enabled() const { return enabled_; }
  void set_kind(std::string kind) { kind_ = std::move(kind); }
  // The progress callback's body.
  void Update(const FanoutProgress& progress);
  // Erases the line (before a log line, and at the end).
  void Clear();
  // Writes `text` (a whole line) above the progress line.
  void Print(const std::string& text);

 private:
  void DrawLocked();

  bool enabled_;
  std::ostream* out_;
  std::string kind_;
  std::mutex mu_;
  FanoutProgress last_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace retort

#endif  // RETORT_CLI_FANOUT_OUTPUT_H_
