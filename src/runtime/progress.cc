// Resumable non-transactional revisions and steps; see progress.h.
#include "runtime/progress.h"

#include <chrono>
#include <ctime>
#include <optional>
#include <vector>

#include "dialect/splitter.h"
#include "runtime/backfill.h"
#include "runtime/settle.h"
#include "script/checksum.h"
#include "util/clock.h"

namespace retort {

namespace {

// The progress of a backfill's batch, committed with the batch; its
// checksum column holds the last key the batch covered.
constexpr std::string_view kBatch = "batch";
// The checksum column's width (version_table.cc).
constexpr size_t kMaxRecordedKey = 64;

// Unit is what commits at once: one statement in autocommit, or a
// transactional step's statements. Indexes are 0-based into
// PreparedStep::statements.
struct Unit {
  size_t first = 0;
  size_t last = 0;
  bool transactional = false;
  int line = 0;  // file line of its first statement
};

// The checksum a progress row holds for `unit`.
std::string UnitChecksum(const PreparedStep& prep, const Unit& unit) {
  std::string text;
  for (size_t i = unit.first; i <= unit.last; ++i) {
    if (i > unit.first) text += '\0';
    text += prep.statements[i].text;
  }
  return TextChecksum(text);
}

Result<std::vector<Unit>> MakeUnits(Connection& db,
                                    const ScriptDirectory& scripts,
                                    const MigrationStep& step,
                                    const PreparedStep& prep) {
  std::vector<Unit> units;
  const std::string& id = step.revision->id();
  const RevisionFile* file = scripts.Find(id);
  if (file == nullptr) {
    return Status::NotFound("no revision file declares revision '" + id + "'");
  }
  RETORT_ASSIGN_OR_RETURN(RevisionSections sections,
                          scripts.ReadSections(file->revision));
  const SectionDirectives& directives = step.is_upgrade
                                            ? sections.upgrade_directives
                                            : sections.downgrade_directives;
  std::vector<const Directive*> steps = directives.steps();
  const bool default_tx =
      !(file->transactional.has_value() && !*file->transactional);
  for (size_t i = 0; i < prep.statements.size(); ++i) {
    const int line = prep.LineOf(prep.statements[i], 0);
    if (steps.empty()) {
      units.push_back({i, i, false, line});
      continue;
    }
    // The step a statement belongs to: the last directive above it.
    const Directive* owner = nullptr;
    for (const Directive* d : steps)
      if (d->line < line) owner = d;
    bool tx = default_tx;
    if (owner != nullptr && owner->argument == "false") tx = false;
    if (owner != nullptr && owner->argument == "true") tx = true;
    const int owner_line = owner ? owner->line : 0;
    if (tx) {
      std::optional<std::string> reason = OutsideTransactionReason(
          db.dialect(), prep.statements[i].text, db.ServerVersion());
      if (reason) {
        return Status::InvalidArgument(
            prep.path + ":" + std::to_string(line) + ": " + *reason +
            " cannot run inside a transaction, and this statement is in a "
            "transactional step" +
            (owner ? " (line " + std::to_string(owner_line) + ")"
                   : std::string(" (before the first \"-- retort: step\")")) +
            "; start its step with \"-- retort: step transactional=false\" "
            "(nothing was run)");
      }
      // Same step as the unit before: extend it.
      if (!units.empty() && units.back().transactional &&
          units.back().last + 1 == i) {
        bool same = true;
        const int prev_line = units.back().line;
        for (const Directive* d : steps)
          if (d->line > prev_line && d->line < line) same = false;
        if (same) {
          units.back().last = i;
          continue;
        }
      }
    }
    units.push_back({i, i, tx, line});
  }
  return units;
}

// A progress row as read back.
struct ProgressRow {
  std::string direction;
  std::string progress;
  size_t statement = 0;  // 1-based
  std::string checksum;
};

Result<std::vector<ProgressRow>> ReadProgress(Connection& db,
                                              const VersionTableSql& sql,
                                              const std::string& revision,
                                              const std::string& direction) {
  RETORT_ASSIGN_OR_RETURN(QueryResult r,
                          db.Query(sql.SelectProgressParam(), {revision}));
  std::vector<ProgressRow> rows;
  for (const Row& row : r.rows) {
    ProgressRow p;
    p.direction = row[1].value_or("");
    p.progress = row[2].value_or("");
    p.statement = static_cast<size_t>(std::atoll(row[3].value_or("0").c_str()));
    p.checksum = row[4].value_or("");
    // Rows of the other direction belong to an attempt that is over.
    if (p.direction != direction) {
      rows.clear();
      continue;
    }
    rows.push_back(std::move(p));
  }
  return rows;
}

class Resumer {
 public:
  Resumer(Connection& db, const VersionTableSql& sql,
          const RunSettings& settings, const MigrationStep& step,
          const PreparedStep& prep, const std::string& applied_by)
      : db_(db),
        sql_(sql),
        settings_(settings),
        step_(step),
        prep_(prep),
        applied_by_(applied_by),
        what_(std::string(step.is_upgrade ? "upgrade " : "downgrade ") +
              step.revision->id()) {}

  Status Run(const std::vector<Unit>& units, const StatementsRunner& run);

 private:
  // `key`: a backfill batch's row ("batch"), which holds the last key it
  // covered where other rows hold their statement's checksum (the
  // backfill's 'started' row has that).
  Status Record(const std::string& progress, const Unit& unit,
                const std::string* key = nullptr);
  // Where the earlier attempt stopped: the first unit to run; settles the
  // statement in flight.
  Result<size_t> Resume(const std::vector<Unit>& units);
  std::string At(int line) const {
    return prep_.path + ":" + std::to_string(line) + ": ";
  }
  std::string Count() const { return std::to_string(prep_.statements.size()); }
  Status Failure(const Status& status, const std::vector<Unit>& units,
                 size_t u) const;

  Connection& db_;
  const VersionTableSql& sql_;
  const RunSettings& settings_;
  const MigrationStep& step_;
  const PreparedStep& prep_;
  const std::string& applied_by_;
  const std::string what_;
  // A backfill interrupted after some batches: the last key they covered.
  std::optional<std::string> resume_after_;
};

Status Resumer::Record(const std::string& progress, const Unit& unit,
                       const std::string* key) {
  if (!settings_.history_table) return Status::OK();
  std::string now = UtcTimestamp(std::chrono::system_clock::now());
  Params params = {step_.revision->id(),
                   std::string(step_.is_upgrade ? "upgrade" : "downgrade"),
                   key ? *key : UnitChecksum(prep_, unit),
                   now,
                   now,
                   std::string("0"),
                   applied_by_,
                   settings_.tool_version,
                   progress,
                   std::to_string(unit.last + 1)};
  return db_.Query(sql_.InsertProgressParam(), params)
      .status()
      .WithContext("recording the progress of " + what_ + " in " +
                   sql_.qualified_history());
}

Result<size_t> Resumer::Resume(const std::vector<Unit>& units) {
  if (!settings_.history_table) return size_t{0};
  RETORT_ASSIGN_OR_RETURN(
      std::vector<ProgressRow> rows,
      ReadProgress(db_, sql_, step_.revision->id(),
                   step_.is_upgrade ? "upgrade" : "downgrade"));
  if (rows.empty()) return size_t{0};
  // Units whose last statement a 'done' row names ran; they must be the
  // units of the file as it is now.
  size_t next = 0;  // first unit not done
  for (const ProgressRow& row : rows) {
    if (row.progress != "done") continue;
    size_t u = 0;
    while (u < units.size() && units[u].last + 1 != row.statement) ++u;
    if (u == units.size() || UnitChecksum(prep_, units[u]) != row.checksum) {
      const int line =
          u < units.size()
              ? units[u].line
              : (row.statement <= prep_.statements.size()
                     ? prep_.LineOf(prep_.statements[row.statement - 1], 0)
                     : prep_.body_line);
      return Status::Conflict(
          At(line) + what_ +
          " stopped half way in an earlier run, and "
          "statement " +
          std::to_string(row.statement) +
          ", which ran then, has changed since (or the steps around it "
          "did); restore the file as it was for the statements that ran "
          "(only those after the last one that ran may change), then rerun");
    }
    next = std::max(next, u + 1);
  }
  const ProgressRow& last = rows.back();
  std::optional<size_t> in_flight;  // unit index
  bool failed = false;
  const bool batch_row = last.progress == kBatch;
  if (last.progress == "started" || last.progress == "failed" || batch_row) {
    for (size_t u = next; u < units.size(); ++u) {
      if (units[u].last + 1 == last.statement) in_flight = u;
    }
    failed = last.progress == "failed";
    if (!in_flight) {
      return Status::Conflict(
          At(prep_.body_line) + what_ + " was interrupted at statement " +
          std::to_string(last.statement) +
          " in an earlier run, and the file no longer has that statement "
          "where it was; restore the file as it was, then rerun");
    }
    if (!failed && !batch_row &&
        UnitChecksum(prep_, units[*in_flight]) != last.checksum) {
      return Status::Conflict(
          At(units[*in_flight].line) + what_ +
          " was interrupted while this statement ran in an earlier run, "
          "and it has changed since; restore it as it was so its state can "
          "be settled, then rerun");
    }
  }
  if (next > 0) {
    Log(settings_, LogLevel::kInfo,
        "resuming " + what_ + ": statements 1-" +
            std::to_string(units[next - 1].last + 1) + " of " + Count() +
            " ran in an earlier run" +
            (next < units.size()
                 ? "; continuing with statement " +
                       std::to_string(units[next].first + 1) + " (line " +
                       std::to_string(units[next].line) + ")"
                 : std::string("; nothing is left to run")));
  }
  if (!in_flight) return next;
  if (prep_.backfills.count(units[*in_flight].first)) {
    // Each batch committed with its row: continue after the last one.
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
      if (row->statement != last.statement || row->progress == "started") {
        break;
      }
      if (row->progress == kBatch) {
        resume_after_ = row->checksum;
        break;
      }
    }
    Log(settings_, LogLevel::kInfo,
        what_ + ": the backfill at line " +
            std::to_string(units[*in_flight].line) + " was interrupted; " +
            (resume_after_ ? "continuing after key " + *resume_after_
                           : std::string("no batch had committed; starting "
                                         "again")));
    return *in_flight;
  }
  const Unit& unit = units[*in_flight];
  const SqlStatement& statement = prep_.statements[unit.first];
  RETORT_ASSIGN_OR_RETURN(Settlement settled,
                          SettleStatement(db_, statement.text, failed));
  const std::string which = "statement " + std::to_string(unit.first + 1) +
                            " of " + Count() + " (line " +
                            std::to_string(unit.line) + ")";
  if (settled.outcome == Settlement::Outcome::kUnknown) {
    if (settings_.in_flight == "done") {
      settled.outcome = Settlement::Outcome::kDone;
      settled.said = "--in-flight=done";
    } else if (settings_.in_flight == "rerun") {
      settled.outcome = Settlement::Outcome::kRerun;
      settled.said = "--in-flight=rerun";
    } else {
      return Status::Conflict(
          At(unit.line) + what_ + " was interrupted in an earlier run while " +
          which +
          " was running, and the catalog cannot tell whether it finished: " +
          settled.said +
          ". Then rerun with --in-flight=done if it did, or "
          "--in-flight=rerun if it did not (nothing was run)");
    }
  }
  if (settled.outcome == Settlement::Outcome::kDone) {
    Log(settings_, LogLevel::kInfo,
        what_ + ": " + which + " was running when an earlier run stopped; " +
            settled.said + "; not running it again");
    RETORT_RETURN_IF_ERROR(Record("done", unit));
    return *in_flight + 1;
  }
  Log(settings_, LogLevel::kInfo,
      what_ + ": " + which + " was " + (failed ? "failing" : "running") +
          " when an earlier run stopped; " + settled.said);
  for (const std::string& cleanup : settled.cleanup) {
    Log(settings_, LogLevel::kInfo, "  " + cleanup);
    RETORT_RETURN_IF_ERROR(db_.Execute(cleanup).WithContext(
        At(unit.line) + "settling the interrupted " + which + " of " + what_));
  }
  return *in_flight;
}

Status Resumer::Failure(const Status& status, const std::vector<Unit>& units,
                        size_t u) const {
  const Unit& unit = units[u];
  std::string ran =
      unit.first == 0 ? "Nothing of " + what_ + " had run before it"
      : unit.first == 1
          ? "Statement 1 of " + Count() + " of " + what_ +
                " ran and stays committed"
          : "Statements 1-" + std::to_string(unit.first) + " of " + Count() +
                " of " + what_ + " ran and stay committed";
  return status.WithNote(
      ran + (unit.transactional ? "; this step was rolled back" : "") +
      ". Fix the cause and rerun: the run continues with statement " +
      std::to_string(unit.first + 1) + " (line " + std::to_string(unit.line) +
      ")" + (unit.transactional ? "" : ", settling what this one left") + ".");
}

Status Resumer::Run(const std::vector<Unit>& units,
                    const StatementsRunner& run) {
  RETORT_ASSIGN_OR_RETURN(size_t next, Resume(units));
  PreparedStep part = prep_;
  for (size_t u = next; u < units.size(); ++u) {
    const Unit& unit = units[u];
    part.statements.assign(prep_.statements.begin() + unit.first,
                           prep_.statements.begin() + unit.last + 1);
    if (unit.transactional) {
      RETORT_RETURN_IF_ERROR(db_.Begin());
      Status status = run(part);
      if (status.ok()) status = Record("done", unit);
      if (status.ok()) status = db_.Commit();
      if (!status.ok()) {
        if (db_.InTransaction()) (void)db_.Rollback();
        return Failure(status, units, u);
      }
      continue;
    }
    Status status;
    auto backfill = prep_.backfills.find(unit.first);
    if (backfill != prep_.backfills.end()) {
      if (!resume_after_) RETORT_RETURN_IF_ERROR(Record("started", unit));
      BackfillRun b;
      b.db = &db_;
      b.spec = backfill->second;
      b.update = prep_.statements[unit.first].text;
      b.where = At(unit.line) + what_;
      b.resume_after = std::exchange(resume_after_, std::nullopt);
      b.record = [&](const std::string& key) {
        if (key.size() > kMaxRecordedKey) {
          return Status::InvalidArgument(
              b.where + ": key value \"" + key.substr(0, 20) +
              "...\" is longer than " + std::to_string(kMaxRecordedKey) +
              " characters, more than a progress row can hold; use a "
              "shorter key (an id column) in key=");
        }
        return Record(std::string(kBatch), unit, &key);
      };
      b.settings = &settings_;
      b.log = [&](const std::string& line) {
        Log(settings_, LogLevel::kInfo, what_ + ": " + line);
      };
      status = RunBackfill(b);
    } else {
      RETORT_RETURN_IF_ERROR(Record("started", unit));
      status = run(part);
    }
    if (!status.ok()) {
      Status recorded = Record("failed", unit);
      if (!recorded.ok()) {
        Log(settings_, LogLevel::kWarn, recorded.message());
      }
      return Failure(status, units, u);
    }
    RETORT_RETURN_IF_ERROR(Record("done", unit));
  }
  return Status::OK();
}

}  // namespace

Status RunResumable(Connection& db, const VersionTableSql& sql,
                    const RunSettings& settings, const ScriptDirectory& scripts,
                    const MigrationStep& step, const PreparedStep& prep,
                    const std::string& applied_by,
                    const StatementsRunner& run_statements) {
  RETORT_ASSIGN_OR_RETURN(std::vector<Unit> units,
                          MakeUnits(db, scripts, step, prep));
  Resumer resumer(db, sql, settings, step, prep, applied_by);
  return resumer.Run(units, run_statements);
}

}  // namespace retort
