// Batched backfills; see backfill.h. The UPDATE is read with PostgreSQL's
// own lexer (dialect/pg_scan.h) to find its top-level WHERE and RETURNING.
#include "runtime/backfill.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "dialect/pg_scan.h"
#include "runtime/interrupt.h"
#include "runtime/lock_wait.h"
#include "runtime/run_faults.h"
#include "runtime/run_internal.h"
#include "util/strings.h"

namespace retort {
namespace {

bool IsWord(const PgToken& t, std::string_view word) {
  return t.kind == PgToken::Kind::kKeyword && AsciiLower(t.text) == word;
}

}  // namespace

Result<std::string> BatchedUpdate(std::string_view update, std::string_view key,
                                  std::string_view lower_op,
                                  std::string_view lower,
                                  std::string_view upper) {
  RETORT_ASSIGN_OR_RETURN(std::vector<PgToken> tokens, ScanPostgres(update));
  std::vector<const PgToken*> code;  // without comments
  for (const PgToken& t : tokens) {
    if (t.kind != PgToken::Kind::kComment) code.push_back(&t);
  }
  if (code.empty() || !IsWord(*code.front(), "update")) {
    return Status::InvalidArgument(
        "the statement after \"-- retort: backfill\" must be an UPDATE (a "
        "plain one: no WITH before it)");
  }
  // Token indexes into `code`: the statement ends before a final ';'.
  size_t stop = code.size();
  if (code.back()->text == ";") --stop;
  size_t where = stop, returning = stop;
  int depth = 0;
  for (size_t i = 0; i < stop; ++i) {
    const PgToken& t = *code[i];
    if (t.text == "(" || t.text == "[") ++depth;
    if (t.text == ")" || t.text == "]") --depth;
    if (depth != 0) continue;
    if (IsWord(t, "where") && where == stop) {
      where = i;
      if (i + 1 < stop && IsWord(*code[i + 1], "current")) {
        return Status::InvalidArgument(
            "a backfill's UPDATE cannot use WHERE CURRENT OF");
      }
    }
    if (IsWord(t, "returning") && returning == stop) returning = i;
  }
  // Pieces end at their last token, never after a trailing comment, which
  // would swallow what is appended to them.
  auto span = [&](size_t first, size_t last) {  // tokens [first, last)
    return std::string(update.substr(code[first]->begin,
                                     code[last - 1]->end - code[first]->begin));
  };
  const std::string range = std::string(key) + " " + std::string(lower_op) +
                            " " + std::string(lower) + " AND " +
                            std::string(key) + " <= " + std::string(upper);
  const size_t body_end = std::min(where, returning);
  std::string out = span(0, body_end);
  if (where < returning) {
    if (where + 1 == returning) {
      return Status::InvalidArgument("the UPDATE's WHERE has no condition");
    }
    out += " WHERE (" + span(where + 1, returning) + ") AND " + range;
  } else {
    out += " WHERE " + range;
  }
  if (returning < stop) out += " " + span(returning, stop);
  return out;
}

Result<std::string> OfflineBackfill(std::string_view update,
                                    const BackfillSpec& spec) {
  const std::string& t = spec.table;
  const std::string& k = spec.key;
  RETORT_ASSIGN_OR_RETURN(
      std::string batch,
      BatchedUpdate(update, k, ">", "retort_last", "retort_upper"));
  RETORT_ASSIGN_OR_RETURN(
      std::string first,
      BatchedUpdate(update, k, ">=", "retort_last", "retort_upper"));
  const std::string type = t + "." + k + "%TYPE";
  char sleep[32];
  std::snprintf(sleep, sizeof(sleep), "%.3f",
                static_cast<double>(spec.sleep_ms) / 1000.0);
  return "DO $retort_backfill$\n"
         "DECLARE\n"
         "  retort_hi " +
         type +
         ";\n"
         "  retort_last " +
         type +
         ";\n"
         "  retort_upper " +
         type +
         ";\n"
         "  retort_first boolean := true;\n"
         "BEGIN\n"
         "  SELECT min(" +
         k + "), max(" + k + ") INTO retort_last, retort_hi FROM " + t +
         ";\n"
         "  WHILE retort_hi IS NOT NULL AND (retort_first OR retort_last < "
         "retort_hi) LOOP\n"
         "    SELECT " +
         k + " INTO retort_upper FROM " + t + " WHERE " + k +
         (std::string(" >") + " retort_last OR (retort_first AND " + k +
          " = retort_last)") +
         " ORDER BY " + k + " OFFSET " + std::to_string(spec.batch - 1) +
         " LIMIT 1;\n"
         "    IF retort_upper IS NULL OR retort_upper > retort_hi THEN "
         "retort_upper := retort_hi; END IF;\n"
         "    IF retort_first THEN\n      " +
         first +
         ";\n"
         "    ELSE\n      " +
         batch +
         ";\n    END IF;\n"
         "    retort_first := false;\n"
         "    retort_last := retort_upper;\n"
         "    COMMIT;\n" +
         (spec.sleep_ms > 0
              ? "    PERFORM pg_sleep(" + std::string(sleep) + ");\n"
              : std::string()) +
         "  END LOOP;\n"
         "END\n"
         "$retort_backfill$";
}

Status RunBackfill(const BackfillRun& run) {
  Connection& db = *run.db;
  const BackfillSpec& spec = run.spec;
  const std::string what = run.where + ": backfill of " + spec.table;
  const std::string key_name = IdentifierName(spec.key);
  auto query = [&](const std::string& sql,
                   const Params& params) -> Result<QueryResult> {
    Result<QueryResult> r = db.Query(sql, params);
    if (!r.ok()) return r.status().WithContext(what);
    return r;
  };
  RETORT_ASSIGN_OR_RETURN(
      QueryResult unique,
      query("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = $1::regclass AND i.indisunique "
            "AND i.indisvalid AND i.indpred IS NULL AND i.indnatts = 1 "
            "AND i.indexprs IS NULL AND a.attname = $2)",
            {spec.table, key_name}));
  if (unique.rows.empty() || unique.rows[0][0].value_or("f") != "t") {
    return Status::InvalidArgument(
        what + ": key " + spec.key +
        " is not unique on its own there (no primary key or valid unique "
        "index on that column alone), so its ranges could miss or repeat "
        "rows; name such a column in key=");
  }
  // Keys travel as text and are compared in the key's own type.
  RETORT_ASSIGN_OR_RETURN(
      QueryResult typed,
      query("SELECT pg_catalog.format_type(atttypid, atttypmod) FROM "
            "pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND "
            "attname = $2",
            {spec.table, key_name}));
  const std::string type = typed.rows.at(0)[0].value_or("text");
  const std::string p1 = "$1::" + type, p2 = "$2::" + type;
  RETORT_ASSIGN_OR_RETURN(std::string first,
                          BatchedUpdate(run.update, spec.key, ">=", p1, p2));
  RETORT_ASSIGN_OR_RETURN(std::string next,
                          BatchedUpdate(run.update, spec.key, ">", p1, p2));
  const std::string& k = spec.key;
  RETORT_ASSIGN_OR_RETURN(QueryResult bounds,
                          query("SELECT min(" + k + ")::text, max(" + k +
                                    ")::text FROM " + spec.table,
                                {}));
  const std::optional<std::string> hi = bounds.rows.at(0)[1];
  if (!hi) return Status::OK();  // an empty table
  std::optional<std::string> last = run.resume_after;
  bool inclusive = !last.has_value();  // the first batch takes the minimum
  if (inclusive) last = bounds.rows[0][0];
  // The batch's last key: N rows on, capped at the largest key there was
  // at the start (LEAST ignores the NULL of a short tail).
  const std::string upper_sql =
      "SELECT LEAST((SELECT " + k + " FROM " + spec.table + " WHERE " + k +
      " > " + p1 + " OR ($3::boolean AND " + k + " = " + p1 + ") ORDER BY " +
      k + " OFFSET " + std::to_string(spec.batch - 1) + " LIMIT 1), " + p2 +
      ")::text";
  std::function<Result<int64_t>()> replica_lag = run.replica_lag_ms;
  const int64_t max_lag = run.settings->max_replica_lag_ms;
  if (max_lag > 0 && !replica_lag) {
    RETORT_ASSIGN_OR_RETURN(QueryResult allowed,
                            query("SELECT pg_catalog.pg_has_role(current_user, "
                                  "'pg_read_all_stats', 'USAGE')",
                                  {}));
    if (allowed.rows.at(0)[0].value_or("f") != "t") {
      return Status::InvalidArgument(
          what +
          ": max_replica_lag needs to read the replicas' replay lag "
          "in pg_stat_replication, which only members of "
          "pg_read_all_stats see; GRANT pg_read_all_stats TO the "
          "migration user, or unset max_replica_lag (nothing was "
          "updated)");
    }
    replica_lag = [&]() -> Result<int64_t> {
      RETORT_ASSIGN_OR_RETURN(
          QueryResult lag,
          query("SELECT COALESCE((EXTRACT(epoch FROM max(replay_lag)) * "
                "1000)::bigint, 0)::text FROM pg_catalog.pg_stat_replication",
                {}));
      return std::atoll(lag.rows.at(0)[0].value_or("0").c_str());
    };
  }
  // Before each batch: wait while a replica is too far behind.
  auto wait_for_replicas = [&]() -> Status {
    if (max_lag <= 0) return Status::OK();
    auto said = std::chrono::steady_clock::time_point();
    while (true) {
      RETORT_ASSIGN_OR_RETURN(int64_t lag, replica_lag());
      if (lag <= max_lag) return Status::OK();
      const auto now = std::chrono::steady_clock::now();
      if (run.log && now - said >= std::chrono::seconds(10)) {
        run.log("backfill of " + spec.table + ": pausing, a replica is " +
                std::to_string(lag) + " ms behind (max_replica_lag " +
                std::to_string(max_lag) + " ms)");
        said = now;
      }
      if (SleepUnlessInterrupted(200)) {
        return InterruptedAt(what, "waiting for replicas");
      }
    }
  };
  int64_t rows = 0;
  int batches = 0;
  while (true) {
    if (!inclusive) {
      RETORT_ASSIGN_OR_RETURN(QueryResult done,
                              query("SELECT " + p1 + " >= " + p2, {last, hi}));
      if (done.rows.at(0)[0].value_or("t") == "t") break;
    }
    RETORT_RETURN_IF_ERROR(wait_for_replicas());
    RETORT_ASSIGN_OR_RETURN(
        QueryResult up,
        query(upper_sql,
              {last, hi, std::string(inclusive ? "true" : "false")}));
    const std::optional<std::string> upper = up.rows.at(0)[0];
    if (!upper) break;
    int64_t affected = 0;
    for (LockRetry retry(*run.settings);;) {
      RETORT_RETURN_IF_ERROR(db.Begin().WithContext(what));
      Result<QueryResult> r = db.Query(inclusive ? first : next, {last, upper});
      Status status = r.status().WithContext(what);
      const bool lock_wait =
          !r.ok() && db.last_error().sqlstate == kLockNotAvailable;
      if (r.ok()) affected = r->affected_rows;
      if (status.ok()) status = run.record(*upper);
      if (status.ok()) status = db.Commit();
      if (status.ok()) break;
      if (db.InTransaction()) (void)db.Rollback();
      if (!lock_wait || !retry.Next()) return status;
      const int delay = retry.DelayMs();
      Log(*run.settings, LogLevel::kWarn,
          what + ": a batch waited too long for a row lock; retrying it (" +
              std::to_string(retry.retries()) + " of " +
              std::to_string(retry.max_retries()) + ") in " +
              std::to_string(delay) + " ms");
      if (SleepUnlessInterrupted(delay)) {
        return InterruptedAt(what, "between batches");
      }
    }
    inclusive = false;
    last = upper;
    rows += affected > 0 ? affected : 0;
    ++batches;
    if (run.log && batches % 20 == 0) {
      run.log("backfill of " + spec.table + ": " + std::to_string(rows) +
              " rows in " + std::to_string(batches) + " batches, keys up to " +
              *last);
    }
    if (Interrupted()) return InterruptedAt(what, "between batches");
    if (spec.sleep_ms > 0 &&
        SleepUnlessInterrupted(static_cast<int>(spec.sleep_ms))) {
      return InterruptedAt(what, "between batches");
    }
  }
  if (run.log) {
    run.log("backfill of " + spec.table + ": " + std::to_string(rows) +
            " rows in " + std::to_string(batches) + " batches");
  }
  return Status::OK();
}

}  // namespace retort
