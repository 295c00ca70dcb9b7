// Running migrations: turns a plan from the revision graph into changes in a
// real database (or, offline, into the SQL a DBA would run). This is the
// engine behind upgrade, downgrade, stamp and current.
//
// A run, online:
//   connect -> take the lock (PostgreSQL: session advisory lock polled with
//   pg_try_advisory_lock; SQLite: BEGIN IMMEDIATE) -> create the schema and
//   version/history tables if missing -> read the heads -> plan (plan.h) ->
//   for each step: run the revision's SQL and move the version rows in
//   memory (HeadMaintainer) -> before each commit, write the version rows'
//   net change and the steps' history rows -> commit -> unlock.
// Offline (--sql) the same walk writes SQL text instead of executing it,
// with the version row and a history row after every revision.
#ifndef RETORT_RUNTIME_RUN_H_
#define RETORT_RUNTIME_RUN_H_

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/options.h"
#include "retort/progress.h"
#include "retort/status.h"
#include "revision/revision_map.h"
#include "script/script_directory.h"

namespace retort {

// RunTarget says which database and which version table a run works on.
struct RunTarget {
  // Database URL (any form dialect/url.h accepts). Offline, only its dialect
  // matters. Required.
  std::string url;
  // Default: "alembic_version".
  std::string version_table = "alembic_version";
  // Schema of the version table; empty means unqualified (the search_path,
  // which is `schema` when that is set). Default: empty.
  std::string version_table_schema;
  // PostgreSQL: when set, the session runs with search_path = schema, public
  // (--schema / -x schema=S). Default: empty.
  std::string schema;
  // Run CREATE SCHEMA IF NOT EXISTS <schema> first. Default: false.
  bool create_schema = false;
  // The application's own session (Options::connection), used instead of
  // connecting to `url`; not owned, and handed back as it was lent
  // (runtime/session.h). Default: none.
  Connection* borrowed = nullptr;
};

class PreparedStepCache;

// Makes a PreparedStepCache (run_internal.cc) for RunSettings::step_cache.
std::shared_ptr<PreparedStepCache> NewPreparedStepCache();

// RunSettings are how a run behaves, from retort.toml.
struct RunSettings {
  // One transaction per revision instead of one around the run.
  // Default: false.
  bool transaction_per_migration = false;
  // PostgreSQL SET lock_timeout for the session: how long a migration
  // statement may wait for a table lock before it fails (and the run
  // retries, see lock_retries) instead of queueing every reader behind it.
  // A revision's "Lock Timeout:" header overrides it for its statements.
  // "0" waits forever; empty leaves the server's setting. Default: "5s".
  std::string lock_timeout = "5s";
  // PostgreSQL SET statement_timeout for the session. Default: empty (the
  // server's).
  std::string statement_timeout;
  // After lock_timeout expired: roll back and try again this many times,
  // after an exponential backoff with jitter (base, doubling, capped):
  // the whole run with one transaction, the revision with
  // transaction_per_migration, the statement outside a transaction.
  // Default: 5, 250 ms, 10 s.
  int lock_retries = 5;
  // A backfill pauses between batches while a streaming replica's
  // replay_lag exceeds this many ms. 0 = never. Default: 0.
  int64_t max_replica_lag_ms = 0;
  int lock_retry_base_ms = 250;
  int lock_retry_max_ms = 10000;
  // Values for ${name} in revision files ("schema" is added from the
  // target). Default: none.
  std::map<std::string, std::string> placeholders;
  // Names in `placeholders` whose values are secret (runtime/placeholders.h
  // masks them; --sql writes them as psql variables). Default: none.
  std::set<std::string> secret_placeholders;
  // How often a waiting process polls the advisory lock. Default: 200 ms.
  int lock_poll_ms = 200;
  // Give up waiting for the migration lock (another run holds it) after
  // this long; 0 waits forever, saying who holds it every
  // lock_report_ms. lock_timeout does not apply to this wait
  // (migration_lock_timeout in retort.toml). Default: 0, 10 s.
  int lock_wait_timeout_ms = 0;
  int lock_report_ms = 10000;
  // Keep the history table (<version table>_history): what ran, when,
  // the file's checksum. Default: true.
  bool history_table = true;
  // Recorded in the history table. Default: "".
  std::string tool_version;
  // Shared by the runs of a fan-out, where thousands of tenants run the
  // same revisions: each file is read and hashed once, and SQL that comes
  // out the same after substitution is parsed once. Default: none.
  std::shared_ptr<PreparedStepCache> step_cache;
  // Log lines (statements with durations at kDebug; steps at kInfo; lock
  // waits at kWarn). Never contain a password, nor the values of
  // `secret_placeholders`. Default: nowhere.
  LogSink log;
  LogLevel log_level = LogLevel::kInfo;
  // Step and statement events of an online run (retort/progress.h), secret
  // placeholder values masked. Default: none.
  ProgressSink progress;
  // An upgrade over an applied revision whose file was edited since it ran
  // logs a warning instead of failing (on_edited = "warn",
  // --allow-edited; runtime/verify.h). Default: false.
  bool on_edited_warn = false;
  // The application's C++ functions for "-- retort: code" sections
  // (Options::code); must outlive the run. Default: none (a code section
  // is refused, naming its file).
  const std::vector<CodeMigration>* code = nullptr;
  // How a rerun settles the statement an interrupted non-transactional
  // revision was running when the catalog cannot tell whether it finished
  // (--in-flight; runtime/progress.h): "done" or "rerun". Default: ""
  // (stop and say what to check).
  std::string in_flight;
};

// What a run is asked to do.
struct RunRequest {
  enum class Command { kUpgrade, kDowngrade, kStamp };
  Command command = Command::kUpgrade;
  // upgrade/downgrade: exactly one target ("head", "-1", "auth@head", ...).
  // stamp: one or more revisions. Offline, a target may be "from:to"
  // (Alembic's starting revision); offline downgrade requires it.
  std::vector<std::string> targets;
  // stamp --purge: empty the version table first.
  bool purge = false;
  // --sql: write SQL to `offline_sql` instead of touching a database.
  bool offline = false;
  // upgrade --phase expand: leave out each "Phase: contract" revision and
  // every revision after it (by Revises or Depends On).
  bool expand_only = false;
};

// StepReport is one executed (or, offline, rendered) migration step.
struct StepReport {
  std::string revision;     // empty for a stamp step
  std::string description;  // Alembic's short log: "upgrade a -> b, msg"
  bool upgrade = true;
  double duration_ms = 0;
};

// RunReport is what a run did.
struct RunReport {
  std::vector<std::string> heads_before;
  std::vector<std::string> heads_after;
  std::vector<StepReport> steps;
  // Offline only: the SQL script.
  std::string offline_sql;
};

// Runs `request` against `target`. Online, on error the database is left as
// it was before the failing transaction (all of it with the default single
// transaction) and the Status names the revision file, the line of the
// failing statement, and what the database said (SQLSTATE, message, detail,
// hint).
Result<RunReport> Run(const ScriptDirectory& scripts, const RevisionMap& map,
                      const RunTarget& target, const RunSettings& settings,
                      const RunRequest& request);

// Run() on an open connection from ConnectForRun() or OpenSession()
// (runtime/session.h; online only, the target's url is not used). The connection stays open and outside any
// transaction; on PostgreSQL its search_path is the target's afterwards.
Result<RunReport> RunOnConnection(Connection& db,
                                  const ScriptDirectory& scripts,
                                  const RevisionMap& map,
                                  const RunTarget& target,
                                  const RunSettings& settings,
                                  const RunRequest& request);

// The heads recorded in the version table; empty when the table does not
// exist. Never creates anything (`current`).
Result<std::vector<std::string>> ReadCurrentHeads(const RunTarget& target,
                                                  const RunSettings& settings);

}  // namespace retort

#endif  // RETORT_RUNTIME_RUN_H_
