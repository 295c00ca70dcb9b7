// Who blocks a migration statement, backoff, short SQL; see lock_wait.h.
#include "runtime/lock_wait.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dialect/postgres.h"

namespace retort {

std::string ShortenSql(std::string_view sql, size_t max_chars) {
  std::string flat;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  size_t chars = 0;
  for (size_t i = 0; i < flat.size(); ++i) {
    if ((static_cast<unsigned char>(flat[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) return flat.substr(0, i) + "...";
    ++chars;
  }
  return flat;
}

std::string Blocker::Describe() const {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.0f s", xact_seconds);
  std::string out = "pid " + pid + " (application '" + application_name +
                    "', user " + (user.empty() ? "?" : user) + ", " +
                    (state.empty() ? "state unknown" : state) +
                    ", transaction open for " + seconds;
  if (!query.empty()) out += ", last query: " + query;
  return out + ")";
}

std::string DescribeBlockers(const std::vector<Blocker>& blockers,
                             const std::string& none) {
  if (blockers.empty()) return none;
  std::string out;
  for (size_t i = 0; i < blockers.size(); ++i) {
    if (i) out += ", ";
    out += blockers[i].Describe();
  }
  return out;
}

Result<std::vector<Blocker>> QueryBlockers(PostgresConnection& db, int pid) {
  RETORT_ASSIGN_OR_RETURN(
      QueryResult rows,
      db.Query("SELECT a.pid, coalesce(a.application_name, ''), "
               "coalesce(a.usename, ''), coalesce(a.state, ''), "
               "coalesce(a.query, ''), coalesce(extract(epoch FROM "
               "pg_catalog.now() - coalesce(a.xact_start, a.query_start, "
               "a.backend_start)), 0) "
               "FROM pg_catalog.pg_stat_activity a "
               "WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1::int)) "
               "ORDER BY a.pid",
               {std::to_string(pid)}));
  std::vector<Blocker> out;
  for (const Row& r : rows.rows) {
    auto cell = [&r](size_t i) { return r.at(i).value_or(""); };
    Blocker b;
    b.pid = cell(0);
    b.application_name = cell(1);
    b.user = cell(2);
    b.state = cell(3);
    b.query = ShortenSql(cell(4));
    b.xact_seconds = std::atof(cell(5).c_str());
    out.push_back(std::move(b));
  }
  return out;
}

BlockerWatch::BlockerWatch(PostgresConnection* watched)
    : watched_(watched), pid_(watched->backend_pid()) {
  thread_ = std::thread([this] { Loop(); });
}

std::chrono::milliseconds BlockerWatch::IntervalFor(int64_t lock_timeout_ms) {
  return std::chrono::milliseconds(
      std::clamp<int64_t>(lock_timeout_ms / 2, 20, 1000));
}

BlockerWatch::~BlockerWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (monitor_) monitor_->Close();
}

void BlockerWatch::Start(std::chrono::milliseconds interval) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    interval_ = std::max(interval, std::chrono::milliseconds(10));
    running_ = true;
    ++generation_;
    last_.clear();
  }
  cv_.notify_all();
}

void BlockerWatch::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
}

std::vector<Blocker> BlockerWatch::LastSeen() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

void BlockerWatch::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool monitor_failed = false;
  while (!quit_) {
    cv_.wait(lock, [this] { return quit_ || running_; });
    if (quit_) return;
    const uint64_t generation = generation_;
    // Sample every interval until this statement ends.
    while (!quit_ && running_ && generation_ == generation) {
      if (cv_.wait_for(lock, interval_, [&] {
            return quit_ || !running_ || generation_ != generation;
          })) {
        break;
      }
      if (monitor_failed) continue;
      lock.unlock();
      if (!monitor_) {
        auto opened = watched_->OpenAnother();
        if (opened.ok()) {
          monitor_ = std::move(opened).value();
        } else {
          monitor_failed = true;  // the error message says none was seen
        }
      }
      Result<std::vector<Blocker>> seen =
          monitor_ ? QueryBlockers(*monitor_, pid_)
                   : Result<std::vector<Blocker>>(std::vector<Blocker>{});
      lock.lock();
      if (seen.ok() && !seen->empty() && generation_ == generation) {
        last_ = std::move(seen).value();
      }
    }
  }
}

int BackoffMs(int attempt, int base_ms, int cap_ms, std::mt19937* random) {
  double whole = base_ms * std::pow(2.0, std::max(0, attempt - 1));
  whole = std::min<double>(whole, cap_ms);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max(1, static_cast<int>(whole * jitter(*random)));
}

}  // namespace retort
