// Fan-out runs: the same migration applied to many schemas (every configured
// schema, or every tenant) and/or many database servers, with N connections
// in parallel, canaries first, a resume that skips what is already done,
// and a result per unit. See Migrator::UpgradeMany.
#ifndef RETORT_FANOUT_H_
#define RETORT_FANOUT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "retort/export.h"
#include "retort/status.h"

namespace retort {

// FanoutProgress is a snapshot of a running fan-out, handed to the progress
// callback whenever a unit starts or ends.
struct RETORT_EXPORT FanoutProgress {
  size_t total = 0;       // units in the run
  size_t migrated = 0;    // finished with steps applied
  size_t up_to_date = 0;  // nothing to do (most found so before starting)
  size_t failed = 0;
  size_t not_started = 0;  // left out after a failure or a failed canary
  size_t running = 0;
  // Units the workers finished (migrated, failed, or found up to date under
  // the lock): the basis of a rate, unlike those skipped up front.
  size_t finished_by_workers = 0;
  double elapsed_seconds = 0;
  bool canary_phase = false;

  size_t remaining() const {
    return total - migrated - up_to_date - failed - not_started;
  }
};

// Called from worker threads, one call at a time.
using ProgressCallback = std::function<void(const FanoutProgress&)>;

// FanoutOptions say what a fan-out covers and how it runs.
struct RETORT_EXPORT FanoutOptions {
  // --tenants: every tenant schema of the [tenants] section. Default: false.
  bool tenants = false;
  // --all-schemas: every [schemas.<name>] to its own branch, in
  // "Depends On" order, one at a time. Default: false.
  bool all_schemas = false;
  // --targets: names of [targets.<name>] (or targets_file lines), or
  // {"all"}. Default: empty (the configured url only).
  std::vector<std::string> targets;
  // --jobs: connections working in parallel. Default: 0 ([tenants] jobs,
  // which defaults to 4; 1 for --all-schemas, which runs in order).
  int jobs = 0;
  // --canary: units run first, before any other starts; if one fails, no
  // other starts. Default: -1 ([tenants] canary, which defaults to 0).
  int canary = -1;
  // --continue-on-error: a failure does not stop the others from
  // starting. Default: false (units already running finish; the rest are
  // not started).
  bool continue_on_error = false;
  // Where progress goes. Default: nowhere.
  ProgressCallback progress;
  // --sql: every unit's script into FanoutResult::sql; nothing connects
  // (tenants must be listed). UpgradeMany/DowngradeMany only. Default:
  // false.
  bool sql = false;
  // --allow-edited and --in-flight, for every unit (RunOptions).
  // Default: false, "".
  bool allow_edited = false;
  std::string in_flight;
  // upgrade --phase expand on every unit (RunOptions::phase). Default: "".
  std::string phase;

  // Whether these options can run with `schema` (the one --schema / -x
  // schema= names, "" for none): InvalidArgument when --tenants and
  // --all-schemas are both set, or either with a schema. The CLI reports
  // it as a malformed command line; UpgradeMany and the others check it
  // too.
  Status CheckCombination(const std::string& schema) const;
};

enum class UnitStatus {
  kMigrated,    // steps applied
  kUpToDate,    // nothing to do
  kFailed,      // error set; the unit's transaction was rolled back
  kNotStarted,  // a failure (or a failed canary) stopped the run first
};

// "migrated", "up to date", "failed", "not started".
RETORT_EXPORT const char* UnitStatusName(UnitStatus status);

// UnitResult is what happened to one (target, schema).
struct RETORT_EXPORT UnitResult {
  std::string target;  // [targets.<name>]; empty for the configured url
  std::string schema;  // tenant or configured schema; empty for none
  UnitStatus status = UnitStatus::kNotStarted;
  bool canary = false;
  std::vector<std::string> heads_before;  // known unless not started
  std::vector<std::string> heads_after;
  size_t steps = 0;
  double duration_ms = 0;
  // kFailed: the error, naming file:line and SQLSTATE when the database
  // said no.
  std::string error;

  // "target/schema", "schema", "target", or "default".
  std::string Name() const;
};

// What the units of a fan-out are.
enum class FanoutKind { kTenants, kSchemas, kTargets };

// "tenants", "schemas", "targets" (the plural the output uses).
RETORT_EXPORT const char* FanoutKindName(FanoutKind kind);

// FanoutResult is a whole fan-out: every unit, in run order.
struct RETORT_EXPORT FanoutResult {
  // What the units are. Default: kTenants.
  FanoutKind kind = FanoutKind::kTenants;
  std::vector<UnitResult> units;
  int jobs = 1;
  int canary = 0;
  double elapsed_ms = 0;
  // A canary failed, so the others never started.
  bool canary_failed = false;
  // --sql: every unit's script, one after the other; empty online.
  std::string sql;

  size_t Count(UnitStatus status) const;
  bool ok() const { return Count(UnitStatus::kFailed) == 0; }
};

// UnitVersions is one unit's version table (`current` over a fan-out).
struct RETORT_EXPORT UnitVersions {
  std::string target;
  std::string schema;
  std::vector<std::string> heads;  // empty: no version table, or empty
  bool at_head = false;            // exactly the graph's (branch's) heads
  std::string error;               // set when it could not be read

  std::string Name() const;
};

}  // namespace retort

#endif  // RETORT_FANOUT_H_
