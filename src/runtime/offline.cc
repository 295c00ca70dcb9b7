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
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <utility>

#include "dialect/pg_scan.h"
#include "runtime/backfill.h"
#include "runtime/preflight.h"
#include "runtime/run_dialect.h"
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

// OfflineSecrets keeps secret placeholders out of --sql: each is substituted
// as a marker (an identifier no file holds), and a marker that ends up a
// whole string literal, quoted identifier or bare word becomes a psql
// variable (:'name', :"name", :name) that the DBA passes with psql -v. psql
// does not expand variables inside strings or dollar-quoted bodies, so a
// marker anywhere else is refused.
class OfflineSecrets {
 public:
  OfflineSecrets(const std::set<std::string>& names, Dialect dialect)
      : names_(names.begin(), names.end()), dialect_(dialect) {
    std::random_device random;
    char nonce[20];
    std::snprintf(nonce, sizeof(nonce), "%08x%08x", random(), random());
    prefix_ = std::string("retort_secret_") + nonce + "_";
  }

  // `values` with each secret's value replaced by its marker.
  std::map<std::string, std::string> Mask(
      std::map<std::string, std::string> values) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      auto it = values.find(names_[i]);
      if (it != values.end()) it->second = prefix_ + std::to_string(i);
    }
    return values;
  }

  // `statement`'s text with its markers as psql variables.
  Result<std::string> Rewrite(const PreparedStep& prep,
                              const SqlStatement& statement) {
    const std::string& text = statement.text;
    if (names_.empty() || text.find(prefix_) == std::string::npos) return text;
    const std::string where =
        prep.path + ":" + std::to_string(prep.LineOf(statement, 0)) + ": ";
    if (dialect_ != Dialect::kPostgres) {
      return Status::InvalidArgument(
          where + "--sql cannot write the secret placeholder ${" +
          NameIn(text, 0) +
          "} for SQLite, whose shell has no variables (nothing was "
          "written); run this upgrade online");
    }
    RETORT_ASSIGN_OR_RETURN(std::vector<PgToken> tokens, ScanPostgres(text));
    std::string out;
    size_t done = 0;
    for (const PgToken& token : tokens) {
      size_t at = token.text.find(prefix_);
      if (at == std::string_view::npos) continue;
      const std::string name = NameIn(text, token.begin + at);
      const std::string var = Variable(name);
      const std::string marker = prefix_ + Index(text, token.begin + at);
      std::string replacement;
      if (token.kind == PgToken::Kind::kString &&
          token.text == "'" + marker + "'") {
        replacement = ":'" + var + "'";
      } else if (token.kind == PgToken::Kind::kIdentifier &&
                 token.text == "\"" + marker + "\"") {
        replacement = ":\"" + var + "\"";
      } else if (token.text == marker) {
        replacement = ":" + var;
      } else {
        return Status::InvalidArgument(
            where + "--sql cannot write the secret placeholder ${" + name +
            "} inside a string, a dollar-quoted body or a longer name: psql "
            "does not expand variables there (nothing was written); use it "
            "as a whole value (${" +
            name +
            ":literal}) or run this upgrade "
            "online");
      }
      used_.insert(var);
      out.append(text, done, token.begin - done);
      out += replacement;
      done = token.end;
    }
    out.append(text, done, std::string::npos);
    return out;
  }

  // The script's opening comment: which variables to pass.
  std::string Header() const {
    if (used_.empty()) return "";
    std::string out =
        "-- Secret placeholders are psql variables in this script; pass "
        "their values to psql:\n--   psql";
    for (const std::string& var : used_) out += " -v " + var + "=...";
    return out + " -f <this file>\n\n";
  }

 private:
  std::string Index(const std::string& text, size_t at) const {
    size_t begin = at + prefix_.size(), end = begin;
    while (end < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    return text.substr(begin, end - begin);
  }
  std::string NameIn(const std::string& text, size_t from) const {
    size_t at = text.find(prefix_, from);
    size_t index = std::strtoul(Index(text, at).c_str(), nullptr, 10);
    return index < names_.size() ? names_[index] : "?";
  }
  // psql variable names: letters, digits and '_'.
  static std::string Variable(std::string name) {
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
  }

  std::vector<std::string> names_;
  Dialect dialect_;
  std::string prefix_;
  std::set<std::string> used_;
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
                          MakePlan(map, &scripts, request, parsed, heads));
  OfflineSecrets secrets(settings.secret_placeholders, dialect);
  const std::map<std::string, std::string> placeholders =
      secrets.Mask(PlaceholderValues(target, settings));
  // The SQL a DBA runs must not stop half-way either.
  RETORT_RETURN_IF_ERROR(PreflightPlan(scripts, plan, placeholders, dialect,
                                       kOfflineServerVersion, target, settings,
                                       /*offline=*/true));

  RunReport report;
  report.heads_before = heads;
  VersionTableSql sql(dialect, target.version_table,
                      target.version_table_schema);
  const std::string applied_by = AppliedBy();
  OfflineScript out(dialect);

  // The session an online run would have (RunDialect): its timeouts, and
  // with --schema the schema and search_path.
  const RunDialect& run_dialect = RunDialect::For(dialect);
  for (const std::string& sql : run_dialect.TimeoutStatements(settings)) {
    out.Statement(sql);
  }
  if (auto create = run_dialect.CreateSchemaStatement(target)) {
    out.Statement(*create);
  }
  if (auto search_path = run_dialect.SearchPathStatement(target)) {
    out.Statement(*search_path);
  }
  out.Begin();
  // As Alembic: the version table is created only when the script starts
  // from base; a script starting from a revision expects it to exist.
  if (heads.empty()) out.Statement(sql.CreateVersionTable());
  // The history table may be missing even then (a database Alembic
  // migrated), hence IF NOT EXISTS.
  if (settings.history_table) {
    out.Statement(sql.CreateHistoryTable());
    // The layout an online run leaves (history table version 2, with its
    // meta row; docs/safety.md), so a database migrated by the script is
    // the database an online run makes. SQLite has no ADD COLUMN IF NOT
    // EXISTS: its scripts keep version 1, which the next online run
    // upgrades in place.
    if (dialect == Dialect::kPostgres) {
      for (const auto& [column, alter] :
           sql.HistoryV2Columns(/*if_missing=*/true)) {
        out.Statement(alter);
      }
      out.Statement(sql.CreateMetaTable());
      out.Statement(sql.OfflineUpsertHistoryVersion(kHistoryTableVersion));
    }
  }

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
      for (size_t i = 0; i < prep->statements.size(); ++i) {
        const SqlStatement& statement = prep->statements[i];
        RETORT_ASSIGN_OR_RETURN(std::string text,
                                secrets.Rewrite(*prep, statement));
        if (auto backfill = prep->backfills.find(i);
            backfill != prep->backfills.end()) {
          // Batches that commit on their own (runtime/backfill.h).
          out.Comment("backfill in batches of " +
                      std::to_string(backfill->second.batch) + " by " +
                      backfill->second.key + " (\"-- retort: backfill\" at "
                      "line " + std::to_string(backfill->second.line) + ")");
          RETORT_ASSIGN_OR_RETURN(text,
                                  OfflineBackfill(text, backfill->second));
        }
        out.Statement(text);
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
  report.offline_sql = secrets.Header() + out.Take();
  return report;
}

}  // namespace retort
