// Waiting on locks without blocking production (PostgreSQL): who blocks a
// migration statement, how long to back off before retrying it, and the
// short forms of SQL that messages quote.
//
// lock_timeout makes a blocked migration statement fail with SQLSTATE
// 55P03 instead of queueing (and making every reader queue behind it). By
// then the statement no longer waits, so pg_blocking_pids() cannot say who
// blocked it: a BlockerWatch samples that, from a second session, while a
// statement runs, and keeps the last answer for the error message.
#ifndef RETORT_RUNTIME_LOCK_WAIT_H_
#define RETORT_RUNTIME_LOCK_WAIT_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "retort/status.h"

namespace retort {

class PostgresConnection;

// SQLSTATEs the runtime branches on.
inline constexpr std::string_view kLockNotAvailable = "55P03";
inline constexpr std::string_view kQueryCanceled = "57014";

// `sql` on one line (runs of whitespace become one space), cut to
// `max_chars` characters (UTF-8 aware) with "..." when longer.
std::string ShortenSql(std::string_view sql, size_t max_chars = 60);

// Blocker is a session that blocked a migration statement, from
// pg_stat_activity.
struct Blocker {
  std::string pid;
  std::string application_name;
  std::string user;
  std::string state;        // "idle in transaction", "active", ...
  std::string query;        // shortened (ShortenSql)
  double xact_seconds = 0;  // how long its transaction has been open

  // "pid 123 (application 'psql', user alice, idle in transaction for
  // 12 s, last query: LOCK TABLE t ...)".
  std::string Describe() const;
};

// "pid 1 (...), pid 2 (...)", or `none` when empty.
std::string DescribeBlockers(const std::vector<Blocker>& blockers,
                             const std::string& none);

// The sessions blocking backend `pid` right now (pg_blocking_pids), read
// on `db` (another session).
Result<std::vector<Blocker>> QueryBlockers(PostgresConnection& db, int pid);

// BlockerWatch samples who blocks one session while it runs a statement.
// Start(interval) before the statement, Stop() after it; while a statement
// runs longer than `interval`, a thread asks, from a second session opened
// then (once per watch), pg_blocking_pids() of the watched backend every
// `interval`. LastSeen() is the last non-empty answer of the statement.
class BlockerWatch {
 public:
  // `watched` must outlive the watch; its OpenAnother() gives the second
  // session.
  explicit BlockerWatch(PostgresConnection* watched);
  ~BlockerWatch();
  BlockerWatch(const BlockerWatch&) = delete;
  BlockerWatch& operator=(const BlockerWatch&) = delete;

  void Start(std::chrono::milliseconds interval);
  void Stop();

  // The sampling period for a statement under `lock_timeout_ms`: half of
  // it, between 20 ms and 1 s.
  static std::chrono::milliseconds IntervalFor(int64_t lock_timeout_ms);
  std::vector<Blocker> LastSeen();

 private:
  void Loop();

  PostgresConnection* watched_;
  int pid_ = 0;
  std::chrono::milliseconds interval_{1000};
  std::unique_ptr<PostgresConnection> monitor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;  // a statement runs
  bool quit_ = false;
  uint64_t generation_ = 0;  // counts Start() calls
  std::vector<Blocker> last_;
  std::thread thread_;
};

// Backoff before retry `attempt` (1-based) of a statement that hit
// lock_timeout: exponential from `base_ms` (doubling, capped at
// `cap_ms`), with full jitter in [half, whole] so that runners retrying
// together spread out.
int BackoffMs(int attempt, int base_ms, int cap_ms, std::mt19937* random);

}  // namespace retort

#endif  // RETORT_RUNTIME_LOCK_WAIT_H_
