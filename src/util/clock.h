// Milliseconds since a steady_clock time point, for durations in reports
// and logs.
#ifndef RETORT_UTIL_CLOCK_H_
#define RETORT_UTIL_CLOCK_H_

#include <chrono>

namespace retort {

inline double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace retort

#endif  // RETORT_UTIL_CLOCK_H_
