// The fan-out engine: runs one request (upgrade, downgrade) over many units
// -- (database, schema) pairs -- with a fixed number of worker threads, each
// keeping its own connection, on top of the ordinary per-target run
// (RunOnConnection). It adds no migration logic of its own:
//
//   survey    per database, one query reads every unit's version table
//             (version_survey.h); units whose plan is empty are up to date
//             and never take a lock or a transaction (the resume path);
//   canary    the first K units that have work run first, alone; if one
//             fails nothing else starts;
//   the rest  N workers pull units from a queue; a failure stops new units
//             from starting unless continue_on_error;
//   report    one UnitResult per unit, progress snapshots along the way.
//
// Each unit runs in its own transaction(s) under its own advisory lock (the
// key covers database, schema and version table), so jobs never wait on
// each other, while two fan-outs over the same tenants still apply each
// revision once per tenant.
#ifndef RETORT_FANOUT_FANOUT_H_
#define RETORT_FANOUT_FANOUT_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/fanout.h"
#include "retort/status.h"
#include "revision/revision_map.h"
#include "runtime/run.h"
#include "script/script_directory.h"

namespace retort {

// FanoutUnit is one (database, schema) to migrate.
struct FanoutUnit {
  // Reported as UnitResult::target / ::schema.
  std::string target_name;
  std::string schema_name;
  // The run target; target.url is the resolved database URL (units with the
  // same url share connections).
  RunTarget target;
  // The graph to plan on (the whole graph, or one branch's); not owned.
  const RevisionMap* map = nullptr;
  // Checked on the unit's connection just before its run; an error fails
  // the unit (cross-schema dependencies). Optional.
  std::function<Status(Connection&)> precondition;
  // Set when the unit could not even be listed (its server is down): the
  // unit fails with this error without running.
  std::string preset_error;
};

// EngineOptions are FanoutOptions resolved to numbers.
struct EngineOptions {
  // Worker threads (and connections). Default: 1.
  int jobs = 1;
  // Units with work that run first, alone. Default: 0.
  int canary = 0;
  bool continue_on_error = false;
  // Read every version table first and skip units with nothing to do.
  // Default: true.
  bool survey = true;
  ProgressCallback progress;
};

// ConnectionPool keeps idle connections per database URL for the survey
// and the workers. A URL that failed to connect fails every later Take at
// once, so a server that is down costs one timeout, not one per tenant.
// Thread-safe.
class ConnectionPool {
 public:
  explicit ConnectionPool(RunSettings settings)
      : settings_(std::move(settings)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  Result<std::unique_ptr<Connection>> Take(const std::string& url);
  // Keeps `db` for the next Take when it is open and outside a
  // transaction; closes it otherwise.
  void Give(const std::string& url, std::unique_ptr<Connection> db);

 private:
  RunSettings settings_;
  std::mutex mu_;
  std::multimap<std::string, std::unique_ptr<Connection>> idle_;
  std::map<std::string, Status> dead_;
};

// Calls fn(i) for every i in [0, n) on up to `jobs` threads.
void ParallelFor(size_t n, int jobs, const std::function<void(size_t)>& fn);

// Runs `request` (online) on every unit. Never fails as a whole for a
// unit's error: those are in the result; a Status error means the request
// itself is malformed.
Result<FanoutResult> RunFanout(const ScriptDirectory& scripts,
                               const std::vector<FanoutUnit>& units,
                               const RunSettings& settings,
                               const RunRequest& request,
                               const EngineOptions& options,
                               ConnectionPool& pool);

// The version rows of every unit, surveyed per database in one query
// (SQLite targets are read one by one); `jobs` databases at a time.
std::vector<UnitVersions> SurveyUnits(const std::vector<FanoutUnit>& units,
                                      const RunSettings& settings, int jobs,
                                      ConnectionPool& pool);

}  // namespace retort

#endif  // RETORT_FANOUT_FANOUT_H_
