// The offline (--sql) writer: the same walk as an online run, written as the
// SQL script a DBA would run, in Alembic's layout:
//
//   BEGIN;
//
//   CREATE TABLE alembic_version (...);        <- only when starting at base
//
//   CREATE TABLE IF NOT EXISTS alembic_version_history (...);
//
//   -- Running upgrade  -> 1a2b3c4d5e6f
//
//   CREATE TABLE t (...);
//
//   INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f') ...;
//
//   INSERT INTO alembic_version_history (...) VALUES (..., now(), ...);
//
//   COMMIT;
//
// Every statement ends with ";" and a blank line. Per-revision transactions
// get their own BEGIN/COMMIT; a revision that cannot run in a transaction
// is written between a COMMIT and the next BEGIN. An SQLite revision that
// turns foreign keys off gets a transaction of its own, with PRAGMA
// foreign_keys = OFF before its BEGIN and = ON after its COMMIT.
#include <utility>

#include "runtime/run_internal.h"
#include "runtime/version_table.h"

namespace retort {

namespace {

// What OutsideTransactionReason assumes offline, where there is no server
// to ask: the newest grammar libpg_query knows.
constexpr int kOfflineServerVersion = 150000;

// OfflineScript accumulates the script and tracks whether a transaction is
// open, so BEGIN and COMMIT come out only where they are needed.
class OfflineScript {
 public:
  explicit OfflineScript(Dialect dialect) : dialect_(dialect) {}

  void Comment(const std::string& text) { out_ += "-- " + text + "\n\n"; }
  // `sql` without its terminator. When a trailing "--" comment would eat a
  // ';' written on the same line, the ';' goes on a line of its own: the
  // splitter tells, as a statement after a swallowed ';' is swallowed too.
  void Statement(const std::string& sql) {
    auto split = SplitScript(dialect_, sql + ";SELECT 1");
    bool clean = split.ok() && split->size() == 2;
    out_ += clean ? sql + ";" : sql + "\n;";
    out_ += "\n\n";
  }
  void Begin() {
    if (in_transaction_) return;
    Statement("BEGIN");
    in_transaction_ = true;
  }
  void Commit() {
    if (!in_transaction_) return;
    Statement("COMMIT");
    in_transaction_ = false;
  }
  std::string Take() { return std::move(out_); }

 private:
  Dialect dialect_;
  std::string out_;
  bool in_transaction_ = false;
};

}  // namespace

Result<RunReport> RunOffline(const ScriptDirectory& scripts,
                             const RevisionMap& map, const RunTarget& target,
                             const RunSettings& settings,
                             const RunRequest& request, Dialect dialect) {
  RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request));
  // Without a database the starting heads are what "from:" says (Alembic's
  // starting_rev, resolved to one revision), else base.
  std::vector<std::string> heads;
  if (parsed.starting_rev && *parsed.starting_rev != "base" &&
      !parsed.starting_rev->empty()) {
    RETORT_ASSIGN_OR_RETURN(const RevisionNode* start,
                            map.GetRevision(*parsed.starting_rev));
    if (start != nullptr) heads.push_back(start->id());
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<MigrationStep> plan,
                          MakePlan(map, request, parsed, heads));
  RETORT_RETURN_IF_ERROR(
      CheckStepsReady(scripts, plan, settings.step_cache.get()));

  RunReport report;
  report.heads_before = heads;
  VersionTableSql sql(dialect, target.version_table,
                      target.version_table_schema);
  const std::map<std::string, std::string> placeholders =
      PlaceholderValues(target, settings);
  const std::string applied_by = AppliedBy();
  OfflineScript out(dialect);

  if (dialect == Dialect::kPostgres) {
    if (!settings.lock_timeout.empty()) {
      out.Statement("SET lock_timeout = " +
                    QuotePgLiteral(settings.lock_timeout));
    }
    if (!settings.statement_timeout.empty()) {
      out.Statement("SET statement_timeout = " +
                    QuotePgLiteral(settings.statement_timeout));
    }
    if (!target.schema.empty()) {
      if (target.create_schema) {
        out.Statement("CREATE SCHEMA IF NOT EXISTS " +
                      QuoteSqlIdent(target.schema));
      }
      out.Statement("SET search_path TO " + QuoteSqlIdent(target.schema) +
                    ", public");
    }
  }
  out.Begin();
  // As Alembic: the version table is created only when the script starts
  // from base; a script starting from a revision expects it to exist.
  if (heads.empty()) out.Statement(sql.CreateVersionTable());
  // The history table may be missing even then (a database Alembic
  // migrated), hence IF NOT EXISTS.
  if (settings.history_table) out.Statement(sql.CreateHistoryTable());

  HeadMaintainer maintainer(map, heads);
  const bool per_migration = settings.transaction_per_migration;
  for (const MigrationStep& step : plan) {
    StepReport step_report;
    step_report.revision = step.revision ? step.revision->id() : "";
    step_report.description = StepDescription(step);
    step_report.upgrade = step.is_upgrade;

    std::optional<PreparedStep> prep;
    if (step.kind == MigrationStep::Kind::kRevision) {
      RETORT_ASSIGN_OR_RETURN(
          prep, PrepareStep(scripts, step, placeholders, dialect,
                            kOfflineServerVersion, settings.step_cache.get()));
    }
    const bool outside = prep && prep->outside_transaction.has_value();
    const bool fk_off = prep && dialect == Dialect::kSqlite &&
                        prep->foreign_keys_off_line > 0 && !outside;
    if (fk_off) {
      // As online: enforcement goes off between transactions, since SQLite
      // ignores the pragma inside one.
      out.Commit();
      out.Statement("PRAGMA foreign_keys = OFF");
      out.Begin();
      out.Comment("Running " + step.ShortLog());
    } else if (outside) {
      out.Commit();
      out.Comment("Running " + step.ShortLog());
      out.Comment("outside a transaction: " + *prep->outside_transaction);
    } else {
      out.Begin();
      out.Comment("Running " + step.ShortLog());
    }
    if (prep) {
      for (const SqlStatement& statement : prep->statements) {
        out.Statement(statement.text);
      }
    }
    out.Begin();
    RETORT_ASSIGN_OR_RETURN(std::vector<VersionOp> ops,
                            maintainer.UpdateToStep(step));
    for (const VersionOp& op : ops) out.Statement(sql.OfflineOp(op));
    if (settings.history_table) {
      out.Statement(sql.OfflineInsertHistory(
          HistoryRevision(step), HistoryDirection(step),
          prep ? std::optional<std::string>(prep->checksum) : std::nullopt,
          applied_by, settings.tool_version));
    }
    if (per_migration || fk_off) out.Commit();
    if (fk_off) out.Statement("PRAGMA foreign_keys = ON");
    report.steps.push_back(std::move(step_report));
  }
  // As Alembic: a script that ends at base drops the version table.
  if (maintainer.heads().empty()) {
    out.Begin();
    out.Statement(sql.DropVersionTable());
  }
  out.Commit();
  report.heads_after = maintainer.heads();
  report.offline_sql = out.Take();
  return report;
}

}  // namespace retort
