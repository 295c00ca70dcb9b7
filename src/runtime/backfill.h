// Batched backfills ("-- retort: backfill table=T key=K batch=N [sleep=D]"
// before an UPDATE; docs/online.md). The UPDATE runs in ranges of the
// unique key K -- each range its own transaction, N rows at most, D apart --
// from the smallest key to the largest one there was when it started (rows
// written after that are the application's). Online, each batch commits
// with a progress row naming the last key it covered, so an interrupted
// backfill resumes after it exactly; offline (--sql) it is a DO block that
// commits per batch.
#ifndef RETORT_RUNTIME_BACKFILL_H_
#define RETORT_RUNTIME_BACKFILL_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "runtime/run.h"
#include "script/revision_file.h"

namespace retort {

// The UPDATE with the key range added to its WHERE clause (ANDed with the
// statement's own condition, before any RETURNING), `lower` and `upper`
// being the SQL of the bounds: "key <op> lower AND key <= upper".
// InvalidArgument when the statement is not a plain UPDATE (a WITH query,
// WHERE CURRENT OF, another command), saying so.
Result<std::string> BatchedUpdate(std::string_view update, std::string_view key,
                                  std::string_view lower_op,
                                  std::string_view lower,
                                  std::string_view upper);

// The offline form: a DO block looping over key ranges, committing each
// (PostgreSQL 11+, outside a transaction block), sleeping between them.
Result<std::string> OfflineBackfill(std::string_view update,
                                    const BackfillSpec& spec);

// BackfillRun runs one backfill online.
struct BackfillRun {
  Connection* db = nullptr;
  BackfillSpec spec;   // table and key with placeholders substituted
  std::string update;  // the statement as written (substituted)
  std::string where;   // "path:line" of the statement, for errors
  // The last key a batch of an earlier, interrupted attempt covered (text);
  // unset to start from the smallest key.
  std::optional<std::string> resume_after;
  // Called inside each batch's transaction, after its UPDATE, with the
  // last key it covered: records the progress row.
  std::function<Status(const std::string& last_key)> record;
  // Progress lines ("backfill of T: 25000 rows, keys up to 25000").
  std::function<void(const std::string& line)> log;
  // A batch that waits longer than lock_timeout for a row lock is rolled
  // back and tried again after a backoff, as a statement is (lock_retries);
  // with max_replica_lag_ms, batches wait while a replica lags.
  const RunSettings* settings = nullptr;
  // How far the furthest streaming replica's replay is behind, in ms.
  // Default (unset): pg_stat_replication's replay_lag, which needs the
  // pg_read_all_stats role (checked first; an error names it).
  std::function<Result<int64_t>()> replica_lag_ms;
};

// Checks that the key is a single-column unique key of the table (a
// primary key or a valid, non-partial unique index on it alone), then runs
// the batches. Stops between batches on an interrupt. Leaves the
// connection outside any transaction.
Status RunBackfill(const BackfillRun& run);

}  // namespace retort

#endif  // RETORT_RUNTIME_BACKFILL_H_
