// The fan-out engine; see fanout.h for the phases of a run.
#include "fanout/fanout.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "dialect/url.h"
#include "runtime/run_internal.h"
#include "runtime/session.h"
#include "runtime/version_survey.h"
#include "util/clock.h"

namespace retort {

namespace {

using Clock = std::chrono::steady_clock;

std::string JoinName(const std::string& target, const std::string& schema) {
  if (!target.empty() && !schema.empty()) return target + "/" + schema;
  if (!schema.empty()) return schema;
  if (!target.empty()) return target;
  return "default";
}

// Where a unit's version table is, as the survey must name it: the
// configured schema, else the unit's own schema (first on its search_path).
VersionTableRef RefOf(const RunTarget& t) {
  return {t.version_table_schema.empty() ? t.schema : t.version_table_schema,
          t.version_table};
}

// Units sharing a database, in the order they first appear.
struct Group {
  std::string url;
  std::vector<size_t> units;
};

std::vector<Group> GroupByUrl(const std::vector<FanoutUnit>& units) {
  std::vector<Group> groups;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < units.size(); ++i) {
    if (!units[i].preset_error.empty()) continue;
    auto [it, added] = index.emplace(units[i].target.url, groups.size());
    if (added) groups.push_back({units[i].target.url, {}});
    groups[it->second].units.push_back(i);
  }
  return groups;
}

// The survey of one database: every unit's rows (nullopt: no table), or
// nullopt when the database cannot be surveyed (SQLite).
using GroupRows =
    std::optional<std::vector<std::optional<std::vector<std::string>>>>;

Result<GroupRows> SurveyGroup(const Group& group,
                              const std::vector<FanoutUnit>& units,
                              ConnectionPool& pool) {
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, pool.Take(group.url));
  if (db->dialect() != Dialect::kPostgres) {
    pool.Give(group.url, std::move(db));
    return GroupRows();
  }
  std::vector<VersionTableRef> refs;
  for (size_t i : group.units) refs.push_back(RefOf(units[i].target));
  auto rows = SurveyVersionTables(*db, refs);
  pool.Give(group.url, std::move(db));
  if (!rows.ok()) return rows.status();
  return GroupRows(std::move(rows).value());
}

std::string SortedKey(std::vector<std::string> heads) {
  std::sort(heads.begin(), heads.end());
  std::string key;
  for (const std::string& h : heads) key += h + ",";
  return key;
}

// Progress shared by the workers; every change is reported under the lock,
// so the callback sees one consistent snapshot at a time.
class Tracker {
 public:
  Tracker(ProgressCallback callback, Clock::time_point start)
      : callback_(std::move(callback)), start_(start) {}

  template <typename Fn>
  void Update(Fn&& change) {
    std::lock_guard<std::mutex> lock(mu_);
    change(progress_);
    progress_.elapsed_seconds = MillisSince(start_) / 1000.0;
    if (callback_) callback_(progress_);
  }

 private:
  std::mutex mu_;
  FanoutProgress progress_;
  ProgressCallback callback_;
  Clock::time_point start_;
};

void Count(FanoutProgress& p, UnitStatus status, int delta) {
  size_t* field = nullptr;
  switch (status) {
    case UnitStatus::kMigrated:
      field = &p.migrated;
      break;
    case UnitStatus::kUpToDate:
      field = &p.up_to_date;
      break;
    case UnitStatus::kFailed:
      field = &p.failed;
      break;
    case UnitStatus::kNotStarted:
      field = &p.not_started;
      break;
  }
  *field = static_cast<size_t>(static_cast<long long>(*field) + delta);
}

// One fan-out in progress: the units, their results, and the workers.
class Fanout {
 public:
  Fanout(const ScriptDirectory& scripts, const std::vector<FanoutUnit>& units,
         const RunSettings& settings, const RunRequest& request,
         const EngineOptions& options, ConnectionPool& pool)
      : scripts_(scripts),
        units_(units),
        settings_(settings),
        request_(request),
        options_(options),
        pool_(pool),
        start_(Clock::now()),
        tracker_(options.progress, start_) {}

  Result<FanoutResult> Execute();

 private:
  void Survey(const ParsedRequest& parsed);
  // Runs `order` on up to options_.jobs workers. With `stop_on_failure`,
  // the first failure keeps further units from starting.
  void Phase(const std::vector<size_t>& order, bool stop_on_failure);
  void RunUnit(size_t i);
  void Decide(size_t i, UnitStatus status);
  RunSettings SettingsFor(const FanoutUnit& unit) const;

  const ScriptDirectory& scripts_;
  const std::vector<FanoutUnit>& units_;
  const RunSettings& settings_;
  const RunRequest& request_;
  const EngineOptions& options_;
  ConnectionPool& pool_;
  Clock::time_point start_;
  Tracker tracker_;
  FanoutResult result_;
  // decided_[i]: unit i has its final status. Written before the workers
  // start or by the one worker that ran the unit.
  std::vector<char> decided_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> phase_failed_{false};
};

void Fanout::Decide(size_t i, UnitStatus status) {
  result_.units[i].status = status;
  decided_[i] = 1;
  tracker_.Update([status](FanoutProgress& p) { Count(p, status, 1); });
}

RunSettings Fanout::SettingsFor(const FanoutUnit& unit) const {
  RunSettings s = settings_;
  if (settings_.log) {
    // Lines from many units interleave: each names its unit.
    std::string name = JoinName(unit.target_name, unit.schema_name);
    LogSink sink = settings_.log;
    s.log = [name, sink](LogLevel level, std::string_view text) {
      sink(level, name + ": " + std::string(text));
    };
  }
  return s;
}

void Fanout::Survey(const ParsedRequest& parsed) {
  std::vector<Group> groups = GroupByUrl(units_);
  std::vector<Result<GroupRows>> rows(groups.size(), GroupRows());
  ParallelFor(groups.size(), options_.jobs, [&](size_t g) {
    rows[g] = SurveyGroup(groups[g], units_, pool_);
  });
  // Plans depend only on the graph and the heads: thousands of tenants at
  // the same revision cost one plan.
  std::map<std::pair<const RevisionMap*, std::string>, bool> nothing_to_do;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!rows[g].ok()) {
      const Status& error = rows[g].status();
      if (error.code() == Status::Code::kDatabase &&
          error.message().rfind("cannot connect", 0) == 0) {
        // The server is down: every unit on it fails now, with the reason.
        for (size_t i : groups[g].units) {
          result_.units[i].error = error.message();
          Decide(i, UnitStatus::kFailed);
        }
      } else {
        Log(settings_, LogLevel::kDebug,
            "version table survey failed, reading each table as its run "
            "starts: " +
                error.message());
      }
      continue;
    }
    if (!rows[g].value()) continue;  // not surveyable: every unit runs
    const auto& tables = *rows[g].value();
    for (size_t k = 0; k < groups[g].units.size(); ++k) {
      size_t i = groups[g].units[k];
      std::vector<std::string> heads =
          tables[k].value_or(std::vector<std::string>{});
      result_.units[i].heads_before = heads;
      auto key = std::make_pair(units_[i].map, SortedKey(heads));
      auto it = nothing_to_do.find(key);
      if (it == nothing_to_do.end()) {
        auto plan =
            MakePlan(*units_[i].map, &scripts_, request_, parsed, heads);
        // A plan that fails (an unknown revision in the table) is left to
        // the run, which reports it with its context.
        it = nothing_to_do.emplace(key, plan.ok() && plan->empty()).first;
      }
      if (it->second) {
        result_.units[i].heads_after = heads;
        Decide(i, UnitStatus::kUpToDate);
      }
    }
  }
}

void Fanout::RunUnit(size_t i) {
  const FanoutUnit& unit = units_[i];
  UnitResult& r = result_.units[i];
  const auto started = Clock::now();
  tracker_.Update([](FanoutProgress& p) { ++p.running; });
  auto db = pool_.Take(unit.target.url);
  if (!db.ok()) {
    r.error = db.status().message();
    r.status = UnitStatus::kFailed;
  } else {
    Status pre = unit.precondition ? unit.precondition(**db) : Status::OK();
    if (!pre.ok()) {
      r.error = pre.message();
      r.status = UnitStatus::kFailed;
    } else {
      auto report = RunOnConnection(**db, scripts_, *unit.map, unit.target,
                                    SettingsFor(unit), request_);
      if (report.ok()) {
        r.heads_before = report->heads_before;
        r.heads_after = report->heads_after;
        r.steps = report->steps.size();
        r.status = r.steps ? UnitStatus::kMigrated : UnitStatus::kUpToDate;
      } else {
        r.error = report.status().message();
        r.status = UnitStatus::kFailed;
      }
    }
    pool_.Give(unit.target.url, std::move(db).value());
  }
  r.duration_ms = MillisSince(started);
  decided_[i] = 1;
  const UnitStatus status = r.status;
  tracker_.Update([status](FanoutProgress& p) {
    --p.running;
    ++p.finished_by_workers;
    Count(p, status, 1);
  });
}

void Fanout::Phase(const std::vector<size_t>& order, bool stop_on_failure) {
  std::atomic<size_t> next{0};
  const size_t threads =
      std::min(order.size(), static_cast<size_t>(std::max(1, options_.jobs)));
  auto work = [&] {
    while (!stop_.load()) {
      size_t k = next.fetch_add(1);
      if (k >= order.size()) return;
      RunUnit(order[k]);
      if (result_.units[order[k]].status == UnitStatus::kFailed) {
        phase_failed_.store(true);
        if (stop_on_failure) stop_.store(true);
      }
    }
  };
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  if (threads > 0) work();  // this thread is a worker too
}

Result<FanoutResult> Fanout::Execute() {
  if (request_.offline) {
    return Status::Internal("a fan-out runs online; --sql is handled apart");
  }
  RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request_));
  const size_t n = units_.size();
  result_.units.resize(n);
  result_.jobs = std::max(1, options_.jobs);
  result_.canary = std::max(0, options_.canary);
  decided_.assign(n, 0);
  tracker_.Update([n](FanoutProgress& p) { p.total = n; });
  for (size_t i = 0; i < n; ++i) {
    result_.units[i].target = units_[i].target_name;
    result_.units[i].schema = units_[i].schema_name;
    if (!units_[i].preset_error.empty()) {
      result_.units[i].error = units_[i].preset_error;
      Decide(i, UnitStatus::kFailed);
    }
  }
  if (options_.survey) Survey(parsed);

  std::vector<size_t> pending;
  for (size_t i = 0; i < n; ++i)
    if (!decided_[i]) pending.push_back(i);
  const bool failed_already = result_.Count(UnitStatus::kFailed) > 0;
  if (!failed_already || options_.continue_on_error) {
    size_t k = std::min(pending.size(), static_cast<size_t>(result_.canary));
    std::vector<size_t> canaries(pending.begin(), pending.begin() + k);
    std::vector<size_t> rest(pending.begin() + k, pending.end());
    for (size_t i : canaries) result_.units[i].canary = true;
    if (!canaries.empty()) {
      tracker_.Update([](FanoutProgress& p) { p.canary_phase = true; });
      Phase(canaries, /*stop_on_failure=*/true);
      tracker_.Update([](FanoutProgress& p) { p.canary_phase = false; });
      result_.canary_failed = phase_failed_.load();
    }
    if (!result_.canary_failed) {
      Phase(rest, /*stop_on_failure=*/!options_.continue_on_error);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!decided_[i]) Decide(i, UnitStatus::kNotStarted);
  }
  result_.elapsed_ms = MillisSince(start_);
  return std::move(result_);
}

}  // namespace

const char* FanoutKindName(FanoutKind kind) {
  switch (kind) {
    case FanoutKind::kTenants:
      return "tenants";
    case FanoutKind::kSchemas:
      return "schemas";
    case FanoutKind::kTargets:
      return "targets";
  }
  return "units";
}

const char* UnitStatusName(UnitStatus status) {
  switch (status) {
    case UnitStatus::kMigrated:
      return "migrated";
    case UnitStatus::kUpToDate:
      return "up to date";
    case UnitStatus::kFailed:
      return "failed";
    case UnitStatus::kNotStarted:
      return "not started";
  }
  return "?";
}

Status FanoutOptions::CheckCombination(const std::string& schema) const {
  if (tenants && all_schemas) {
    return Status::InvalidArgument(
        "--tenants and --all-schemas cannot be combined");
  }
  if (!schema.empty() && (tenants || all_schemas)) {
    return Status::InvalidArgument(
        std::string("--schema (or -x schema=) cannot be combined with ") +
        (tenants ? "--tenants" : "--all-schemas") +
        ": it names one schema, they name many");
  }
  return Status::OK();
}

std::string UnitResult::Name() const { return JoinName(target, schema); }
std::string UnitVersions::Name() const { return JoinName(target, schema); }

size_t FanoutResult::Count(UnitStatus status) const {
  return static_cast<size_t>(std::count_if(
      units.begin(), units.end(),
      [status](const UnitResult& u) { return u.status == status; }));
}

Result<std::unique_ptr<Connection>> ConnectionPool::Take(
    const std::string& url) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto dead = dead_.find(url); dead != dead_.end()) return dead->second;
    if (auto it = idle_.find(url); it != idle_.end()) {
      std::unique_ptr<Connection> db = std::move(it->second);
      idle_.erase(it);
      return db;
    }
  }
  auto db = ConnectForRun(url, settings_);
  if (!db.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    dead_.emplace(url, db.status());
  }
  return db;
}

void ConnectionPool::Give(const std::string& url,
                          std::unique_ptr<Connection> db) {
  if (!db) return;
  if (!db->IsOpen() || db->InTransaction()) {
    db->Close();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  idle_.emplace(url, std::move(db));
}

void ParallelFor(size_t n, int jobs, const std::function<void(size_t)>& fn) {
  const size_t threads = std::min(n, static_cast<size_t>(std::max(1, jobs)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
}

Result<FanoutResult> RunFanout(const ScriptDirectory& scripts,
                               const std::vector<FanoutUnit>& units,
                               const RunSettings& settings,
                               const RunRequest& request,
                               const EngineOptions& options,
                               ConnectionPool& pool) {
  Fanout fanout(scripts, units, settings, request, options, pool);
  return fanout.Execute();
}

std::vector<UnitVersions> SurveyUnits(const std::vector<FanoutUnit>& units,
                                      const RunSettings& settings, int jobs,
                                      ConnectionPool& pool) {
  std::vector<UnitVersions> out(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    out[i].target = units[i].target_name;
    out[i].schema = units[i].schema_name;
    out[i].error = units[i].preset_error;
  }
  std::vector<Group> groups = GroupByUrl(units);
  ParallelFor(groups.size(), jobs, [&](size_t g) {
    auto rows = SurveyGroup(groups[g], units, pool);
    if (!rows.ok()) {
      for (size_t i : groups[g].units) out[i].error = rows.status().message();
      return;
    }
    if (!rows.value()) {
      // SQLite: one file per unit, read as `current` reads it.
      for (size_t i : groups[g].units) {
        auto heads = ReadCurrentHeads(units[i].target, settings);
        if (heads.ok()) {
          out[i].heads = std::move(heads).value();
        } else {
          out[i].error = heads.status().message();
        }
      }
      return;
    }
    const auto& tables = *rows.value();
    for (size_t k = 0; k < groups[g].units.size(); ++k) {
      out[groups[g].units[k]].heads =
          tables[k].value_or(std::vector<std::string>{});
    }
  });
  for (size_t i = 0; i < units.size(); ++i) {
    if (!out[i].error.empty() || units[i].map == nullptr) continue;
    out[i].at_head =
        SortedKey(out[i].heads) == SortedKey(units[i].map->Heads());
  }
  return out;
}

}  // namespace retort
