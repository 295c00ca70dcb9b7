// Durations since a steady_clock time point, for reports and logs; UTC
// timestamps for the history table.
#ifndef RETORT_UTIL_CLOCK_H_
#define RETORT_UTIL_CLOCK_H_

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace retort {

inline double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// "1.23": seconds with two decimals, for log lines.
inline std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", seconds);
  return text;
}

// ISO 8601 UTC with microseconds, "2026-12-06T08:14:13.123456Z": what the
// history table's timestamps get (PostgreSQL parses it into timestamptz;
// SQLite stores the text).
inline std::string UtcTimestamp(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    t.time_since_epoch())
                    .count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(micros % 1000000));
  return buf;
}

}  // namespace retort

#endif  // RETORT_UTIL_CLOCK_H_
