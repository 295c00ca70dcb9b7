// The online executor: runs a plan against a live database under the
// migration lock, moving the version rows and appending history rows; see
// run.h for the order of a run.
//
// Bookkeeping is written once per transaction, just before it commits: the
// version-row changes as their net effect (one UPDATE, or one DELETE and
// one INSERT) and every step's history row in one multi-row INSERT. Inside
// the transaction nobody else can see the rows, so the result is the same
// as writing them step by step (Alembic's way) with two statements fewer
// per revision -- a quarter of the time of a tenant's 20 small revisions.
// The exceptions keep Alembic's result: a revision with a COMMIT of its own
// gets what came before written first (its COMMIT then commits the rows
// with the work, as it would have step by step), and a revision that left
// no transaction open gets its own rows in a short transaction.
//
// Transactions (PostgreSQL): one around the whole run by default, or one per
// revision. A revision that cannot run in a transaction commits what came
// before, runs statement by statement in autocommit, and records its version
// and history rows in a short transaction of its own. The advisory lock is
// session-level, so it is held across all of these.
//
// SQLite has no session lock: BEGIN IMMEDIATE is the lock, so whenever a
// run must let go of its transaction (per-revision transactions, VACUUM) it
// checks on the next BEGIN IMMEDIATE that nobody moved the version table.
//
// SQLite foreign keys: a revision containing PRAGMA foreign_keys = OFF (the
// table rebuilds autogenerate writes) needs enforcement off, which SQLite
// only allows between transactions. It commits what came before, turns
// enforcement off, runs in a transaction of its own (its statements, version
// and history rows), runs PRAGMA foreign_key_check before committing, and
// turns enforcement back on. In any SQLite revision, PRAGMA
// foreign_key_check fails the revision when it returns a row.
#include "runtime/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <thread>
#include <utility>

#include "config/redact.h"
#include "dialect/postgres.h"
#include "dialect/sqlite.h"
#include "dialect/sqlite_tokenizer.h"
#include "dialect/url.h"
#include "runtime/code_session.h"
#include "runtime/history.h"
#include "runtime/interrupt.h"
#include "runtime/lock_wait.h"
#include "runtime/migration_lock.h"
#include "runtime/placeholders.h"
#include "runtime/preflight.h"
#include "runtime/progress.h"
#include "runtime/run_dialect.h"
#include "runtime/run_faults.h"
#include "runtime/run_internal.h"
#include "runtime/session.h"
#include "runtime/settle.h"
#include "runtime/verify.h"
#include "runtime/version_table.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/strings.h"

namespace retort {

namespace {

using Clock = std::chrono::steady_clock;

// A bookkeeping statement for debug logs, with its parameters (revision
// ids, timestamps, the checksum: never a secret) after it.
std::string WithParams(const std::string& sql, const Params& params) {
  if (params.empty()) return sql;
  std::string out = sql + "  -- [";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += ", ";
    out += params[i] ? "'" + *params[i] + "'" : "NULL";
  }
  return out + "]";
}

std::string SortedJoin(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out.empty() ? "(none)" : out;
}

// --schema: the session's search_path (RunDialect::SearchPathStatement).
Status SetSearchPath(Connection& db, const RunTarget& target) {
  std::optional<std::string> sql =
      RunDialect::For(db.dialect()).SearchPathStatement(target);
  if (!sql) return Status::OK();
  return db.Execute(*sql).WithContext("setting search_path");
}

Result<std::vector<std::string>> SelectHeads(Connection& db,
                                             const VersionTableSql& sql) {
  RETORT_ASSIGN_OR_RETURN(QueryResult rows, db.Query(sql.SelectHeads()));
  std::vector<std::string> heads;
  for (const Row& row : rows.rows) {
    if (row.empty() || !row[0]) {
      return Status::Corruption("version table " + sql.qualified() +
                                " holds a NULL version_num");
    }
    heads.push_back(*row[0]);
  }
  return heads;
}

Result<bool> VersionTableExists(Connection& db, const VersionTableSql& sql) {
  Params params;
  std::string query = sql.VersionTableExistsQuery(&params);
  RETORT_ASSIGN_OR_RETURN(QueryResult rows, db.Query(query, params));
  return !rows.rows.empty();
}

// OnlineRun executes one request on an open, configured connection; the
// caller holds the lock (PostgreSQL) and cleans up after an error.
class OnlineRun {
 public:
  OnlineRun(const ScriptDirectory& scripts, const RevisionMap& map,
            const RunTarget& target, const RunSettings& settings,
            const RunRequest& request, Connection* db,
            BlockerWatch* watch = nullptr)
      : scripts_(scripts),
        map_(map),
        target_(target),
        settings_(settings),
        request_(request),
        db_(db),
        sql_(db->dialect(), target.version_table, target.version_table_schema),
        placeholders_(PlaceholderValues(target, settings)),
        applied_by_(AppliedBy()),
        watch_(watch),
        mask_(settings.placeholders, settings.secret_placeholders) {}

  Result<RunReport> Execute();

  // Set when the run failed because a statement in a transaction hit
  // lock_timeout: the caller rolls back and retries.
  const std::optional<LockFailure>& lock_failure() const {
    return lock_failure_;
  }
  // The steps committed before the run ended, and the version table's rows
  // they left.
  std::vector<StepReport> CommittedSteps() const {
    return {report_.steps.begin(), report_.steps.begin() + committed_steps_};
  }
  const std::vector<std::string>& committed_heads() const {
    return committed_heads_;
  }
  // Whether the statement that failed ran outside a transaction.
  bool failed_outside() const { return failed_outside_; }
  const std::vector<std::string>& heads_before() const {
    return report_.heads_before;
  }

 private:
  // Opens a transaction unless one is open. After the run has let go of
  // one on SQLite, checks that the version table still holds our heads.
  Status EnsureTransaction();
  // Writes the pending bookkeeping, then commits. With no transaction open
  // and bookkeeping pending, opens one for it.
  Status CommitTransaction();
  Status EnsureTables();
  Status RunStatements(const MigrationStep& step, const PreparedStep& prep);
  Status RunEachStatement(const MigrationStep& step, const PreparedStep& prep);
  // A "-- retort: code" section: the application's function, on this
  // session (PreflightPlan checked that it is registered).
  Status RunCode(const MigrationStep& step, const PreparedStep& prep);
  // One statement of a revision: its failure names the file:line; an
  // interrupt, a lock timeout (retried here outside a transaction) and a
  // statement timeout get their own messages (run_faults.h).
  Status ExecuteStatement(const MigrationStep& step, const PreparedStep& prep,
                          const SqlStatement& statement);
  // Queues `step`'s history row for the transaction's end.
  void AddHistory(const MigrationStep& step, const std::string* checksum,
                  std::chrono::system_clock::time_point started,
                  double duration_ms);
  // The version rows and history rows of the open transaction.
  Status FlushBookkeeping();
  // SQLite: PRAGMA foreign_key_check (`sql`) as a test; any row it returns
  // fails the step, reported at file line `line`.
  Status CheckForeignKeys(const MigrationStep& step, const PreparedStep& prep,
                          const std::string& sql, int line);

  const ScriptDirectory& scripts_;
  const RevisionMap& map_;
  const RunTarget& target_;
  const RunSettings& settings_;
  const RunRequest& request_;
  Connection* db_;
  VersionTableSql sql_;
  std::map<std::string, std::string> placeholders_;
  std::string applied_by_;
  std::optional<HeadMaintainer> heads_;
  // The version table's rows as of the last flush (what the database
  // holds), and the history rows not written yet.
  std::vector<std::string> flushed_heads_;
  std::vector<Params> pending_history_;
  bool released_once_ = false;
  BlockerWatch* watch_;  // PostgreSQL: who blocks a statement; may be null
  // Secret placeholder values, masked in statement log lines and
  // progress events.
  SecretMask mask_;
  // The step running (Progress::step) and how many the run takes.
  Progress progress_;
  // Sends settings_.progress an `event` of the step running, with the
  // statement and its line (kStatement) or the step's duration
  // (kStepFinished).
  void Report(Progress::Event event, std::string statement = "", int line = 0,
              double duration_ms = 0) const {
    if (!settings_.progress) return;
    Progress p = progress_;
    p.event = event;
    p.statement = std::move(statement);
    p.line = line;
    p.duration_ms = duration_ms;
    settings_.progress(p);
  }
  std::optional<LockFailure> lock_failure_;
  bool failed_outside_ = false;
  RunReport report_;
  // report_.steps[0, committed_steps_) are committed, leaving these rows.
  size_t committed_steps_ = 0;
  std::vector<std::string> committed_heads_;
};

Status OnlineRun::EnsureTransaction() {
  if (db_->InTransaction()) return Status::OK();
  const RunDialect& dialect = RunDialect::For(db_->dialect());
  RETORT_RETURN_IF_ERROR(db_->Begin(dialect.MigrationBegin()));
  if (released_once_ && !dialect.LockOutlivesTransactions() && heads_) {
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> now,
                            SelectHeads(*db_, sql_));
    // What the last flush wrote; steps since then are not in the table.
    const std::vector<std::string>& expected = flushed_heads_;
    if (SortedJoin(now) != SortedJoin(expected)) {
      return Status::Conflict(
          "the version table " + sql_.qualified() +
          " was changed by another run while this one was between "
          "transactions: expected " +
          SortedJoin(expected) + ", found " + SortedJoin(now));
    }
  }
  return Status::OK();
}

Status OnlineRun::CommitTransaction() {
  if (!db_->InTransaction()) {
    if (pending_history_.empty()) return Status::OK();
    // Every path that ends a transaction flushes first; should one not,
    // the rows are still written rather than dropped.
    released_once_ = true;
    RETORT_RETURN_IF_ERROR(EnsureTransaction());
  }
  RETORT_RETURN_IF_ERROR(FlushBookkeeping());
  released_once_ = true;
  RETORT_RETURN_IF_ERROR(db_->Commit());
  committed_steps_ = report_.steps.size();
  committed_heads_ = flushed_heads_;
  return Status::OK();
}

Status OnlineRun::FlushBookkeeping() {
  if (!heads_) return Status::OK();
  const std::vector<std::string>& now = heads_->heads();
  auto missing_from = [](const std::vector<std::string>& a,
                         const std::vector<std::string>& b) {
    std::vector<std::string> out;
    for (const std::string& x : a)
      if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
    return out;
  };
  std::vector<std::string> removed = missing_from(flushed_heads_, now);
  std::vector<std::string> added = missing_from(now, flushed_heads_);
  if (removed.empty() && added.empty() && pending_history_.empty()) {
    return Status::OK();
  }
  if (now.empty()) {
    // A downgrade to base may have dropped the version table with its
    // schema (the seeds' "DROP SCHEMA IF EXISTS auth CASCADE" when the
    // table lives in auth): no row is left to delete, no history to add.
    RETORT_ASSIGN_OR_RETURN(bool exists, VersionTableExists(*db_, sql_));
    if (!exists) {
      Log(settings_, LogLevel::kInfo,
          "the version table " + sql_.qualified() +
              " was dropped by the downgrade; nothing left to record");
      pending_history_.clear();
      flushed_heads_ = now;
      return Status::OK();
    }
  }
  if (removed.size() == 1 && added.size() == 1) {
    Params params = {added.front(), removed.front()};
    Log(settings_, LogLevel::kDebug, WithParams(sql_.UpdateParam(), params));
    RETORT_ASSIGN_OR_RETURN(QueryResult r,
                            db_->Query(sql_.UpdateParam(), params));
    if (r.affected_rows != 1) {
      return Status::Conflict(
          "Online migration expected to match one row when updating '" +
          removed.front() + "' to '" + added.front() + "' in '" + sql_.table() +
          "'; " + std::to_string(r.affected_rows) + " found");
    }
  } else {
    if (!removed.empty()) {
      Params params(removed.begin(), removed.end());
      Log(settings_, LogLevel::kDebug,
          WithParams(sql_.DeleteManyParam(removed.size()), params));
      RETORT_ASSIGN_OR_RETURN(
          QueryResult r,
          db_->Query(sql_.DeleteManyParam(removed.size()), params));
      if (r.affected_rows != static_cast<int64_t>(removed.size())) {
        // Alembic's words for one row (its delete is one row at a time).
        std::string expected = removed.size() == 1
                                   ? "one row"
                                   : std::to_string(removed.size()) + " rows";
        return Status::Conflict(
            "Online migration expected to match " + expected +
            " when deleting '" + Join(removed, "', '") + "' in '" +
            sql_.table() + "'; " + std::to_string(r.affected_rows) + " found");
      }
    }
    if (!added.empty()) {
      Params params(added.begin(), added.end());
      Log(settings_, LogLevel::kDebug,
          WithParams(sql_.InsertManyParam(added.size()), params));
      RETORT_RETURN_IF_ERROR(
          db_->Query(sql_.InsertManyParam(added.size()), params)
              .status()
              .WithContext("inserting '" + Join(added, "', '") + "' into " +
                           sql_.qualified()));
    }
  }
  // Up to 1,000 rows (8,000 parameters) per statement; PostgreSQL takes at
  // most 65,535 parameters and SQLite 32,766.
  constexpr size_t kRowsPerInsert = 1000;
  for (size_t begin = 0; begin < pending_history_.size();
       begin += kRowsPerInsert) {
    size_t end = std::min(pending_history_.size(), begin + kRowsPerInsert);
    Params params;
    params.reserve((end - begin) * 8);
    for (size_t i = begin; i < end; ++i) {
      params.insert(params.end(), pending_history_[i].begin(),
                    pending_history_[i].end());
    }
    Log(settings_, LogLevel::kDebug,
        WithParams(sql_.InsertHistoryParam(end - begin), params));
    RETORT_RETURN_IF_ERROR(
        db_->Query(sql_.InsertHistoryParam(end - begin), params)
            .status()
            .WithContext("appending to " + sql_.qualified_history()));
  }
  pending_history_.clear();
  flushed_heads_ = now;
  return Status::OK();
}

Status OnlineRun::EnsureTables() {
  RETORT_ASSIGN_OR_RETURN(bool exists, VersionTableExists(*db_, sql_));
  if (!exists) {
    Log(settings_, LogLevel::kInfo,
        "creating the version table " + sql_.qualified());
    Log(settings_, LogLevel::kDebug, sql_.CreateVersionTable());
    RETORT_RETURN_IF_ERROR(db_->Execute(sql_.CreateVersionTable())
                               .WithContext("creating " + sql_.qualified()));
  }
  if (!settings_.history_table) return Status::OK();
  // Created, or upgraded in place to this retort's layout (history.h).
  return EnsureHistoryTables(*db_, sql_, settings_);
}

Status OnlineRun::RunStatements(const MigrationStep& step,
                                const PreparedStep& prep) {
  // The revision's "Lock Timeout:" for its own statements, then back to
  // the session's (a rolled-back transaction undoes the SET by itself).
  const bool own_lock_timeout =
      RunDialect::For(db_->dialect()).HasLockTimeout() &&
      !prep.lock_timeout.empty() && prep.lock_timeout != settings_.lock_timeout;
  if (own_lock_timeout) {
    RETORT_RETURN_IF_ERROR(
        db_->Execute("SET lock_timeout = " + QuotePgLiteral(prep.lock_timeout))
            .WithContext(prep.path + ": setting \"Lock Timeout: " +
                         prep.lock_timeout + "\""));
  }
  Status status = RunEachStatement(step, prep);
  if (own_lock_timeout && (status.ok() || !db_->InTransaction())) {
    Status restored = db_->Execute(
        settings_.lock_timeout.empty()
            ? std::string("RESET lock_timeout")
            : "SET lock_timeout = " + QuotePgLiteral(settings_.lock_timeout));
    if (status.ok()) status = restored.WithContext("restoring lock_timeout");
  }
  return status;
}

Status OnlineRun::RunCode(const MigrationStep& step, const PreparedStep& prep) {
  const std::string site = prep.path + ":" + std::to_string(prep.code_line) +
                           ": " + step.name() + " " + step.revision->id();
  const CodeFunction* function =
      FindCode(settings_.code, step.revision->id(), step.is_upgrade);
  if (function == nullptr) {
    return Status::Internal(site + ": no function registered");
  }
  Report(Progress::Event::kStatement, "-- retort: code", prep.code_line);
  if (Interrupted()) return InterruptedAt(site, "-- retort: code");
  ConnectionCodeSession session(db_, step.revision->id(), step.is_upgrade);
  const auto start = Clock::now();
  Status status = CallCode(*function, session);
  Log(settings_, LogLevel::kDebug,
      std::to_string(MillisSince(start)) + " ms  " + site + " (C++ code)");
  if (status.ok()) return status;
  failed_outside_ = !db_->InTransaction();
  if (Interrupted()) return InterruptedAt(site, "-- retort: code");
  const DbError& error = session.last_failure();
  if (error.sqlstate == kLockNotAvailable &&
      RunDialect::For(db_->dialect()).HasLockTimeout() && !failed_outside_) {
    // As for a statement: the transaction is lost; the run rolls back and
    // calls the function again.
    LockFailure failure;
    failure.site = site;
    failure.statement = ShortenSql(error.statement);
    failure.lock_timeout =
        prep.lock_timeout.empty() ? settings_.lock_timeout : prep.lock_timeout;
    lock_failure_ = std::move(failure);
  }
  return status.WithContext(site + " (C++ code)");
}

Status OnlineRun::RunEachStatement(const MigrationStep& step,
                                   const PreparedStep& prep) {
  if (prep.code_line != 0) return RunCode(step, prep);
  for (const SqlStatement& statement : prep.statements) {
    // A check that only printed its findings would let a broken revision
    // commit: the rows it returns are the failure.
    if (db_->dialect() == Dialect::kSqlite &&
        SqliteForeignKeyCheckTarget(statement.text).has_value()) {
      RETORT_RETURN_IF_ERROR(CheckForeignKeys(step, prep, statement.text,
                                              prep.LineOf(statement, 0)));
      continue;
    }
    RETORT_RETURN_IF_ERROR(ExecuteStatement(step, prep, statement));
  }
  return Status::OK();
}

Status OnlineRun::ExecuteStatement(const MigrationStep& step,
                                   const PreparedStep& prep,
                                   const SqlStatement& statement) {
  auto site = [&](int position) {
    return prep.path + ":" + std::to_string(prep.LineOf(statement, position)) +
           ": " + step.name() + " " + step.revision->id();
  };
  if (settings_.progress) {  // masking and shortening cost nothing else
    Report(Progress::Event::kStatement,
           // Every known secret, not only the placeholders' (config/redact.h).
           ShortenSql(Redact(mask_.Apply(statement.text)), 200),
           prep.LineOf(statement, 0));
  }
  // After the event: an application's RequestInterrupt() from it stops
  // this statement.
  if (Interrupted()) return InterruptedAt(site(0), ShortenSql(statement.text));
  const std::string& lock_timeout =
      prep.lock_timeout.empty() ? settings_.lock_timeout : prep.lock_timeout;
  Result<int64_t> lock_timeout_ms = ParseDurationMs(lock_timeout);
  const bool watch = watch_ && lock_timeout_ms.ok() && *lock_timeout_ms > 0;
  LockRetry retry(settings_);
  std::vector<std::string> cleanup;  // before the next attempt
  while (true) {
    const auto start = Clock::now();
    if (watch) watch_->Start(BlockerWatch::IntervalFor(*lock_timeout_ms));
    Status status;
    while (!cleanup.empty() && status.ok()) {
      Log(settings_, LogLevel::kInfo, site(0) + ": " + cleanup.front());
      status = db_->Execute(cleanup.front());
      if (status.ok()) cleanup.erase(cleanup.begin());
    }
    if (status.ok()) status = db_->Execute(statement.text);
    if (watch) watch_->Stop();
    if (settings_.log && settings_.log_level <= LogLevel::kDebug) {
      char took[32];
      std::snprintf(took, sizeof(took), "%.1f ms  ", MillisSince(start));
      Log(settings_, LogLevel::kDebug, took + mask_.Apply(statement.text));
    }
    if (status.ok()) return status;
    const DbError& error = db_->last_error();
    failed_outside_ = !db_->InTransaction();
    if (Interrupted()) {
      return InterruptedAt(site(error.position), ShortenSql(statement.text));
    }
    if (error.sqlstate != kLockNotAvailable ||
        !RunDialect::For(db_->dialect()).HasLockTimeout()) {
      return StatementFailed(site(error.position), statement, error, status,
                             settings_);
    }
    LockFailure failure;
    failure.site = site(0);
    failure.statement = ShortenSql(statement.text);
    failure.lock_timeout = lock_timeout;
    if (watch) failure.blockers = watch_->LastSeen();
    failure.outside_transaction = failed_outside_;
    if (!failed_outside_) {
      // The transaction is lost: the caller rolls back and runs it again.
      lock_failure_ = std::move(failure);
      return StatementFailed(site(error.position), statement, error, status,
                             settings_);
    }
    // Outside a transaction only this statement failed: try it again.
    const std::string before =
        "it runs outside a transaction: the statements before it stay "
        "applied";
    if (!retry.Next()) {
      return LockRetriesExhausted(failure, retry.attempts(), before);
    }
    const int delay = retry.DelayMs();
    Log(settings_, LogLevel::kWarn,
        failure.site + ": " + failure.Describe() + "; " + before +
            "; retrying the statement (" + std::to_string(retry.retries()) +
            " of " + std::to_string(retry.max_retries()) + ") in " +
            std::to_string(delay) + " ms");
    if (SleepUnlessInterrupted(delay)) {
      return InterruptedAt(site(0), ShortenSql(statement.text));
    }
    // What the failed attempt left behind goes first: CREATE INDEX
    // CONCURRENTLY that timed out waiting for older transactions leaves an
    // INVALID index whose name the retry needs (runtime/settle.h).
    Result<Settlement> settled = SettleStatement(*db_, statement.text, true);
    if (settled.ok()) cleanup = std::move(settled->cleanup);
  }
}

Status OnlineRun::CheckForeignKeys(const MigrationStep& step,
                                   const PreparedStep& prep,
                                   const std::string& sql, int line) {
  Result<QueryResult> r = db_->Query(sql);
  Log(settings_, LogLevel::kDebug, sql);
  std::string failed = prep.path + ":" + std::to_string(line) + ": " +
                       step.name() + " " + step.revision->id() + " failed: ";
  if (!r.ok()) return Status::Database(failed + r.status().message());
  if (r->rows.empty()) return Status::OK();
  // Columns: table, rowid, parent, fkid.
  std::string found;
  constexpr size_t kShown = 5;
  for (size_t i = 0; i < r->rows.size() && i < kShown; ++i) {
    const Row& row = r->rows[i];
    found += (i == 0 ? "" : "; ") + row[0].value_or("?") + " rowid " +
             row[1].value_or("NULL") + " references a missing row of " +
             row[2].value_or("?");
  }
  if (r->rows.size() > kShown) {
    found += "; and " + std::to_string(r->rows.size() - kShown) + " more";
  }
  return Status::Database(failed + "PRAGMA foreign_key_check found " +
                          std::to_string(r->rows.size()) +
                          " foreign key violation" +
                          (r->rows.size() == 1 ? "" : "s") + ": " + found);
}

void OnlineRun::AddHistory(const MigrationStep& step,
                           const std::string* checksum,
                           std::chrono::system_clock::time_point started,
                           double duration_ms) {
  if (!settings_.history_table) return;
  pending_history_.push_back({
      HistoryRevision(step),
      HistoryDirection(step),
      checksum ? std::optional<std::string>(*checksum) : std::nullopt,
      UtcTimestamp(started),
      UtcTimestamp(std::chrono::system_clock::now()),
      std::to_string(std::llround(duration_ms)),
      applied_by_,
      settings_.tool_version,
  });
}

Result<RunReport> OnlineRun::Execute() {
  RunReport& report = report_;
  RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request_));
  RETORT_RETURN_IF_ERROR(EnsureTransaction());
  if (std::optional<std::string> create =
          RunDialect::For(db_->dialect()).CreateSchemaStatement(target_)) {
    // Inside the run's first transaction, so a run that fails leaves no
    // empty schema behind (a tenant that did not exist stays absent).
    RETORT_RETURN_IF_ERROR(db_->Execute(*create).WithContext(
        "creating schema " + QuoteSqlIdent(target_.schema)));
  }
  RETORT_RETURN_IF_ERROR(EnsureTables());
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                          SelectHeads(*db_, sql_));
  report.heads_before = heads;
  if (request_.command == RunRequest::Command::kStamp && request_.purge) {
    RETORT_RETURN_IF_ERROR(db_->Execute(sql_.DeleteAll()));
    heads.clear();
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<MigrationStep> plan,
                          MakePlan(map_, &scripts_, request_, parsed, heads));
  RETORT_RETURN_IF_ERROR(PreflightPlan(scripts_, plan, placeholders_,
                                       db_->dialect(), db_->ServerVersion(),
                                       target_, settings_, /*offline=*/false));
  if (request_.command == RunRequest::Command::kUpgrade && !plan.empty() &&
      settings_.history_table) {
    // Never build on an applied revision whose file changed (verify.h).
    RETORT_RETURN_IF_ERROR(
        CheckAppliedUnedited(*db_, sql_, scripts_, map_, heads, settings_));
  }
  heads_.emplace(map_, heads);
  flushed_heads_ = heads;
  committed_heads_ = heads;
  const bool per_migration = settings_.transaction_per_migration;

  progress_.steps = static_cast<int>(plan.size());
  progress_.step = 0;
  for (const MigrationStep& step : plan) {
    StepReport step_report;
    step_report.revision = step.revision ? step.revision->id() : "";
    step_report.description = StepDescription(step);
    step_report.upgrade = step.is_upgrade;
    if (Interrupted()) {
      return Status::Interrupted("interrupted by " +
                                 SignalName(InterruptSignal()) + " before " +
                                 step_report.description);
    }
    Log(settings_, LogLevel::kInfo, "Running " + step_report.description);
    ++progress_.step;
    progress_.revision = step_report.revision;
    progress_.description = step_report.description;
    Report(Progress::Event::kStepStarted);

    std::optional<PreparedStep> prep;
    if (step.kind == MigrationStep::Kind::kRevision) {
      RETORT_ASSIGN_OR_RETURN(
          prep, PrepareStep(scripts_, step, placeholders_, db_->dialect(),
                            db_->ServerVersion(), settings_.step_cache.get()));
    }
    const bool outside = prep && prep->outside_transaction.has_value();
    const bool fk_off = prep && db_->dialect() == Dialect::kSqlite &&
                        prep->foreign_keys_off_line > 0;
    const auto started = std::chrono::system_clock::now();
    const auto start = Clock::now();
    bool ended_by_revision = false;
    if (fk_off && !outside) {
      // SQLite ignores PRAGMA foreign_keys inside a transaction: turn it off
      // between transactions, run the revision in one of its own, and check
      // every foreign key before that transaction commits.
      Log(settings_, LogLevel::kInfo,
          step.revision->id() + " turns foreign keys off (line " +
              std::to_string(prep->foreign_keys_off_line) +
              "): committing what came before, then a transaction of its "
              "own, checked with PRAGMA foreign_key_check");
      RETORT_RETURN_IF_ERROR(CommitTransaction());
      RETORT_RETURN_IF_ERROR(db_->Execute("PRAGMA foreign_keys = OFF"));
      RETORT_RETURN_IF_ERROR(EnsureTransaction());
      RETORT_RETURN_IF_ERROR(RunStatements(step, *prep));
      if (!prep->ends_with_foreign_key_check) {
        RETORT_RETURN_IF_ERROR(CheckForeignKeys(step, *prep,
                                                "PRAGMA foreign_key_check",
                                                prep->foreign_keys_off_line));
      }
      step_report.duration_ms = MillisSince(start);
    } else if (outside) {
      Log(settings_, LogLevel::kInfo,
          step.revision->id() + " runs outside a transaction (" +
              *prep->outside_transaction +
              "): committing what came before, then autocommit");
      RETORT_RETURN_IF_ERROR(CommitTransaction());
      // Statement by statement (or step by step) with progress rows, so
      // an interrupted run resumes (progress.h).
      RETORT_RETURN_IF_ERROR(RunResumable(
          *db_, sql_, settings_, scripts_, step, *prep, applied_by_,
          [&](const PreparedStep& part) { return RunStatements(step, part); }));
      step_report.duration_ms = MillisSince(start);
      RETORT_RETURN_IF_ERROR(EnsureTransaction());
    } else {
      RETORT_RETURN_IF_ERROR(EnsureTransaction());
      // A COMMIT in the body would commit the steps before it without
      // their rows: write them now, as a step-by-step run would have.
      if (prep && prep->controls_transaction) {
        RETORT_RETURN_IF_ERROR(FlushBookkeeping());
      }
      if (prep) RETORT_RETURN_IF_ERROR(RunStatements(step, *prep));
      step_report.duration_ms = MillisSince(start);
      if (!db_->InTransaction()) {
        // It did commit (or roll back): this step's rows get a short
        // transaction of their own, committed below.
        ended_by_revision = true;
        released_once_ = true;
        RETORT_RETURN_IF_ERROR(EnsureTransaction());
      }
    }
    Report(Progress::Event::kStepFinished, "", 0, step_report.duration_ms);
    // The version rows move in memory now and in the table at the
    // transaction's end (FlushBookkeeping).
    RETORT_RETURN_IF_ERROR(heads_->UpdateToStep(step).status());
    AddHistory(step, prep ? &prep->checksum : nullptr, started,
               step_report.duration_ms);
    // Listed before its commit, so that the commit counts it
    // (committed_steps_).
    report.steps.push_back(std::move(step_report));
    if (per_migration || outside || fk_off || ended_by_revision) {
      RETORT_RETURN_IF_ERROR(CommitTransaction());
    }
    if (fk_off) {
      RETORT_RETURN_IF_ERROR(db_->Execute("PRAGMA foreign_keys = ON"));
    }
  }
  RETORT_RETURN_IF_ERROR(CommitTransaction());
  report.heads_after = heads_->heads();
  return report;
}

// What an interrupt or a lock timeout hands to another thread to cancel
// the statement `db` runs: PQcancel or sqlite3_interrupt, both safe from
// another thread.
std::function<void()> CancelHookFor(Connection& db) {
  if (auto* pg = dynamic_cast<PostgresConnection*>(&db)) {
    return [pg] {
      std::string error;
      pg->RequestCancel(&error);  // failing, the second signal still exits
    };
  }
  if (auto* lite = dynamic_cast<SqliteConnection*>(&db)) {
    return [lite] { lite->Interrupt(); };
  }
  return [] {};
}

// Whether `target` counts from the database's heads ("-1", "+2",
// "auth@-1"): a sign then digits at its end.
bool IsRelativeTarget(const std::string& target) {
  size_t sign = target.find_last_of("+-");
  return sign != std::string::npos && sign + 1 < target.size() &&
         target.find_first_not_of("0123456789", sign + 1) == std::string::npos;
}

// A relative upgrade/downgrade target counts from the heads the command
// saw when it started -- read here, before waiting for the migration lock
// -- so that runs started together agree where they go: eight `downgrade
// -1` remove one revision, not one each. The request comes back with the
// revision it resolved to (or "base"); unchanged when the target is not
// relative, or when the plan from those heads does not come to one
// revision (the run then plans, and reports, as before).
Result<RunRequest> PinRelativeTarget(Connection& db, const RevisionMap& map,
                                     const RunTarget& target,
                                     const RunSettings& settings,
                                     const RunRequest& request) {
  if (request.command == RunRequest::Command::kStamp ||
      request.targets.size() != 1 || !IsRelativeTarget(request.targets[0])) {
    return request;
  }
  RETORT_RETURN_IF_ERROR(SetSearchPath(db, target));
  VersionTableSql sql(db.dialect(), target.version_table,
                      target.version_table_schema);
  RETORT_ASSIGN_OR_RETURN(bool exists, VersionTableExists(db, sql));
  std::vector<std::string> heads;
  if (exists) {
    RETORT_ASSIGN_OR_RETURN(heads, SelectHeads(db, sql));
  }
  RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request));
  auto plan = MakePlan(map, nullptr, request, parsed, heads);
  if (!plan.ok()) return request;
  HeadMaintainer after(map, heads);
  for (const MigrationStep& step : *plan) {
    if (!after.UpdateToStep(step).ok()) return request;
  }
  if (after.heads().size() > 1) return request;
  RunRequest pinned = request;
  pinned.targets = {after.heads().empty() ? "base" : after.heads()[0]};
  Log(settings, LogLevel::kDebug,
      "'" + request.targets[0] + "' from " + SortedJoin(heads) + " is " +
          pinned.targets[0]);
  return pinned;
}

// After a failed run was rolled back: what stays applied.
std::string WhatIsLeft(const std::vector<StepReport>& committed,
                       const std::vector<std::string>& heads,
                       bool failed_outside) {
  std::string out;
  if (failed_outside) {
    out =
        "it ran outside a transaction: the statements before it stay "
        "applied; ";
  }
  if (committed.empty()) {
    return out +
           "the transaction was rolled back, nothing of this run was "
           "committed";
  }
  std::string ids;
  for (const StepReport& step : committed) {
    if (!ids.empty()) ids += ", ";
    ids += step.revision.empty() ? step.description : step.revision;
  }
  return out + "the transaction was rolled back; " +
         std::to_string(committed.size()) + " step" +
         (committed.size() == 1 ? "" : "s") + " committed before it stay" +
         (committed.size() == 1 ? "s" : "") + " applied (" + ids +
         "; the version table holds " + SortedJoin(heads) + ")";
}

}  // namespace

Result<RunReport> RunOnConnection(Connection& db,
                                  const ScriptDirectory& scripts,
                                  const RevisionMap& map,
                                  const RunTarget& target,
                                  const RunSettings& settings,
                                  const RunRequest& request) {
  if (request.offline) {
    return Status::Internal("RunOnConnection called for an offline run");
  }
  RETORT_RETURN_IF_ERROR(ParseRequest(request).status());
  // Ctrl-C / SIGTERM cancel the statement in flight (interrupt.h); the
  // run then rolls back below and releases the lock.
  ScopedCancelHook cancel_hook(CancelHookFor(db));
  RETORT_ASSIGN_OR_RETURN(
      const RunRequest pinned,
      PinRelativeTarget(db, map, target, settings, request));
  std::optional<BlockerWatch> watch;
  Result<RunReport> result = Status::Internal("run did not start");
  // Held for the whole run, across its transactions (migration_lock.h).
  std::unique_ptr<MigrationLock> lock = NewMigrationLock(db, settings);
  Status status = lock->Acquire(target);
  if (status.ok()) status = SetSearchPath(db, target);
  if (auto* pg = dynamic_cast<PostgresConnection*>(&db)) watch.emplace(pg);
  // A statement that hit lock_timeout in a transaction loses the
  // transaction: roll back, back off, and run again -- the whole run, or
  // with transaction_per_migration the revision (what committed stays).
  LockRetry retry(settings);
  std::vector<StepReport> committed;  // by attempts that failed
  std::optional<std::vector<std::string>> heads_before;
  while (status.ok()) {
    OnlineRun run(scripts, map, target, settings, pinned, &db,
                  watch ? &*watch : nullptr);
    result = run.Execute();
    if (!heads_before) heads_before = run.heads_before();
    status = result.status();
    if (status.ok()) {
      result->steps.insert(result->steps.begin(), committed.begin(),
                           committed.end());
      result->heads_before = *heads_before;
      break;
    }
    if (db.InTransaction()) {
      Status rolled_back = db.Rollback();
      if (!rolled_back.ok()) {
        Log(settings, LogLevel::kWarn,
            "rolling back: " + rolled_back.message());
      }
    }
    std::vector<StepReport> now_committed = run.CommittedSteps();
    committed.insert(committed.end(), now_committed.begin(),
                     now_committed.end());
    const std::string left =
        WhatIsLeft(committed, run.committed_heads(), run.failed_outside());
    if (status.code() == Status::Code::kInterrupted) {
      status = Status::Interrupted(status.message() + "; " + left);
      break;
    }
    if (!run.lock_failure()) break;
    if (!now_committed.empty()) retry.Reset();  // another revision's turn
    const LockFailure& failure = *run.lock_failure();
    if (!retry.Next()) {
      status = LockRetriesExhausted(failure, retry.attempts(), left);
      break;
    }
    const int delay = retry.DelayMs();
    Log(settings, LogLevel::kWarn,
        failure.site + ": " + failure.Describe() + "; " + left +
            "; retrying (" + std::to_string(retry.retries()) + " of " +
            std::to_string(retry.max_retries()) + ") in " +
            std::to_string(delay) + " ms");
    if (SleepUnlessInterrupted(delay)) {
      status = Status::Interrupted("interrupted by " +
                                   SignalName(InterruptSignal()) +
                                   " while waiting to retry after " +
                                   failure.site + " hit lock_timeout; " + left);
      break;
    }
    status = Status::OK();  // the next attempt
  }
  watch.reset();  // closes its session
  lock->Release();
  if (!status.ok()) return status;
  return result;
}

Result<RunReport> Run(const ScriptDirectory& scripts, const RevisionMap& map,
                      const RunTarget& target, const RunSettings& settings,
                      const RunRequest& request) {
  if (request.offline) {
    Dialect dialect =
        target.borrowed ? target.borrowed->dialect() : Dialect::kPostgres;
    if (!target.borrowed) {
      RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target.url));
      dialect = url.dialect;
    }
    return RunOffline(scripts, map, target, settings, request, dialect);
  }
  // Request errors need no connection.
  RETORT_RETURN_IF_ERROR(ParseRequest(request).status());
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                          OpenSession(target, settings, SessionUse::kRun));
  Result<RunReport> result =
      RunOnConnection(session->db(), scripts, map, target, settings, request);
  Status ended = session->End();
  if (result.ok() && !ended.ok()) return ended;
  return result;
}

Result<std::vector<std::string>> ReadCurrentHeads(const RunTarget& target,
                                                  const RunSettings& settings) {
  RETORT_ASSIGN_OR_RETURN(bool nothing, NoDatabaseYet(target));
  if (nothing) return std::vector<std::string>{};
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                          OpenSession(target, settings, SessionUse::kRead));
  Connection& db = session->db();
  RETORT_RETURN_IF_ERROR(SetSearchPath(db, target));
  VersionTableSql sql(db.dialect(), target.version_table,
                      target.version_table_schema);
  RETORT_ASSIGN_OR_RETURN(bool exists, VersionTableExists(db, sql));
  std::vector<std::string> heads;
  if (exists) {
    RETORT_ASSIGN_OR_RETURN(heads, SelectHeads(db, sql));
  }
  RETORT_RETURN_IF_ERROR(session->End());
  return heads;
}

}  // namespace retort
