// What a run says and does when a statement is interrupted, hits
// lock_timeout or statement_timeout: the messages (each names the revision,
// the file:line and the statement, shortened) and the retry policy for
// lock timeouts. Kept apart from run.cc so the executor stays a walk over
// the plan.
#ifndef RETORT_RUNTIME_RUN_FAULTS_H_
#define RETORT_RUNTIME_RUN_FAULTS_H_

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "dialect/splitter.h"
#include "retort/status.h"
#include "runtime/lock_wait.h"
#include "runtime/run.h"

namespace retort {

// LockFailure is a migration statement that failed with lock_not_available
// (SQLSTATE 55P03) because lock_timeout expired.
struct LockFailure {
  std::string site;               // "PATH:LINE: upgrade ID"
  std::string statement;          // shortened
  std::string lock_timeout;       // the effective setting, "5s"
  std::vector<Blocker> blockers;  // as last seen while it waited
  bool outside_transaction = false;

  // "lock_timeout (5s) expired: blocked by pid 1 (...)".
  std::string Describe() const;
};

// The Status for a statement that failed at `site` ("PATH:LINE: upgrade
// ID"): the database's error, plus the statement when it timed out
// (statement_timeout) or was cancelled by someone else.
Status StatementFailed(const std::string& site, const SqlStatement& statement,
                       const DbError& error, const Status& status,
                       const RunSettings& settings);

// The Status of a run the user interrupted at `site` (the statement in
// flight, or "" between statements): "interrupted by SIGINT: upgrade ID
// cancelled at PATH:LINE (STATEMENT)".
Status InterruptedAt(const std::string& site, const std::string& statement);

// The final error after `attempts` tries of `failure`.
Status LockRetriesExhausted(const LockFailure& failure, int attempts,
                            const std::string& rolled_back);

// LockRetry counts lock-timeout retries of one unit (the run, a revision,
// a statement) and computes the backoff.
class LockRetry {
 public:
  explicit LockRetry(const RunSettings& settings);
  // Whether one more attempt is allowed; counts it.
  bool Next();
  // Progress was committed: the next failure is another unit's.
  void Reset() { retries_ = 0; }
  int attempts() const { return retries_ + 1; }
  int max_retries() const { return max_retries_; }
  int retries() const { return retries_; }
  // Backoff before the current retry, in ms.
  int DelayMs();

 private:
  int max_retries_;
  int base_ms_;
  int cap_ms_;
  int retries_ = 0;
  std::mt19937 random_;
};

}  // namespace retort

#endif  // RETORT_RUNTIME_RUN_FAULTS_H_
