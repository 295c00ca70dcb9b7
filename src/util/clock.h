// Durations since a steady_clock time point, for reports and logs.
#ifndef RETORT_UTIL_CLOCK_H_
#define RETORT_UTIL_CLOCK_H_

#include <chrono>
#include <cstdio>
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

}  // namespace retort

#endif  // RETORT_UTIL_CLOCK_H_
