// Messages and retry policy for interrupted and timed-out statements; see
// run_faults.h.
#include "runtime/run_faults.h"

#include <unistd.h>

#include <chrono>

#include "runtime/interrupt.h"

namespace retort {

std::string LockFailure::Describe() const {
  return "lock_timeout (" + lock_timeout + ") expired: blocked by " +
         DescribeBlockers(blockers,
                          "a session that let go before retort could see it");
}

Status StatementFailed(const std::string& site, const SqlStatement& statement,
                       const DbError& error, const Status& status,
                       const RunSettings& settings) {
  std::string said =
      error.message.empty() ? status.message() : error.ToStatus().message();
  std::string out = site + " failed: " + said;
  if (error.sqlstate == kQueryCanceled) {
    // statement_timeout, or a pg_cancel_backend() from another session:
    // either way the user needs to know which statement it was.
    out += "\nSTATEMENT: " + ShortenSql(statement.text);
    if (!settings.statement_timeout.empty()) {
      out += "\nHINT: statement_timeout is " + settings.statement_timeout +
             " (retort.toml); raise it for this revision's work, or split "
             "the work into smaller statements";
    }
  }
  return Status::Database(out);
}

Status InterruptedAt(const std::string& site, const std::string& statement) {
  std::string out = "interrupted by " + SignalName(InterruptSignal());
  if (site.empty()) return Status::Interrupted(out + " between statements");
  return Status::Interrupted(out + ": cancelled " + site +
                             (statement.empty() ? "" : " (" + statement + ")"));
}

Status LockRetriesExhausted(const LockFailure& failure, int attempts,
                            const std::string& rolled_back) {
  return Status::Database(
      failure.site + " failed: could not get a lock within lock_timeout " +
      failure.lock_timeout + " in " + std::to_string(attempts) + " attempt" +
      (attempts == 1 ? "" : "s") + " (" + failure.statement + "); blocked by " +
      DescribeBlockers(failure.blockers,
                       "a session that let go before retort could see it") +
      "; " + rolled_back +
      "; end or wait for the blocking session, or raise lock_timeout / "
      "lock_retries in retort.toml (or \"Lock Timeout:\" in the revision)");
}

LockRetry::LockRetry(const RunSettings& settings)
    : max_retries_(std::max(0, settings.lock_retries)),
      base_ms_(std::max(1, settings.lock_retry_base_ms)),
      cap_ms_(std::max(1, settings.lock_retry_max_ms)),
      random_(static_cast<uint32_t>(
          std::chrono::steady_clock::now().time_since_epoch().count() ^
          (getpid() << 16))) {}

bool LockRetry::Next() {
  if (retries_ >= max_retries_) return false;
  ++retries_;
  return true;
}

int LockRetry::DelayMs() {
  return BackoffMs(retries_, base_ms_, cap_ms_, &random_);
}

}  // namespace retort
