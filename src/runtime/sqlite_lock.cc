// flock() on the lock file beside a SQLite database; see sqlite_lock.h.
#include "runtime/sqlite_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "runtime/interrupt.h"
#include "runtime/run_internal.h"

namespace retort {

std::string SqliteRunLock::LockPath(const std::string& database_path) {
  return database_path + "-retort.lock";
}

Status SqliteRunLock::Acquire(const std::string& path,
                              const RunSettings& settings) {
  Release();
  const std::string lock_path = LockPath(path);
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return Status::IOError("cannot open the migration lock file " + lock_path +
                           ": " + std::strerror(errno) +
                           "; the folder of the database must be writable");
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::optional<Clock::time_point> last_report;
  while (true) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fd_ = fd;
      if (last_report) {
        Log(settings, LogLevel::kInfo,
            "acquired the migration lock on " + path);
      }
      return Status::OK();
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      std::string error = std::strerror(errno);
      close(fd);
      return Status::IOError("cannot lock " + lock_path + ": " + error);
    }
    if (Interrupted()) {
      close(fd);
      return Status::Interrupted("interrupted by " +
                                 SignalName(InterruptSignal()) +
                                 " while waiting for the migration lock on " +
                                 path + "; nothing was run");
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                            Clock::now() - start)
                            .count();
    if (settings.lock_wait_timeout_ms > 0 &&
        waited >= settings.lock_wait_timeout_ms) {
      close(fd);
      return Status::Conflict(
          "timed out after " + std::to_string(settings.lock_wait_timeout_ms) +
          " ms waiting for the migration lock on " + path +
          ", held by another retort run (it holds " + lock_path + ")");
    }
    if (!last_report ||
        Clock::now() - *last_report >=
            std::chrono::milliseconds(std::max(1, settings.lock_report_ms))) {
      last_report = Clock::now();
      Log(settings, LogLevel::kWarn,
          "waiting for the migration lock on " + path +
              ", held by another retort run (it holds " + lock_path + ")");
    }
    SleepUnlessInterrupted(std::max(1, settings.lock_poll_ms));
  }
}

void SqliteRunLock::Release() {
  if (fd_ < 0) return;
  flock(fd_, LOCK_UN);
  close(fd_);
  fd_ = -1;
}

}  // namespace retort
