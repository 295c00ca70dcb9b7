// Parsing "5s"-style durations; see duration.h.
#include "util/duration.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace retort {

Result<int64_t> ParseDurationMs(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not a duration: write a number with a unit (us, ms, s, min, "
        "h, d), e.g. \"5s\" or \"500ms\"; \"0\" turns it off");
  };
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  while (i < text.size() &&
         ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
    ++i;
  }
  if (i == start) return bad();
  std::string number(text.substr(start, i - start));
  if (std::count(number.begin(), number.end(), '.') > 1) return bad();
  // "." alone: std::stod would throw (found by fuzz/revision_header_fuzzer).
  if (number == ".") return bad();
  while (i < text.size() && text[i] == ' ') ++i;
  size_t unit_start = i;
  while (i < text.size() && text[i] != ' ') ++i;
  std::string unit(text.substr(unit_start, i - unit_start));
  while (i < text.size() && text[i] == ' ') ++i;
  if (i != text.size()) return bad();
  double factor;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "us") {
    factor = 0.001;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "min") {
    factor = 60000;
  } else if (unit == "h") {
    factor = 3600000;
  } else if (unit == "d") {
    factor = 86400000;
  } else {
    return bad();
  }
  double ms = std::stod(number) * factor;
  // PostgreSQL's timeouts are int milliseconds.
  if (ms > 2147483647.0) return bad();
  if (ms > 0 && ms < 1) return int64_t{1};
  return static_cast<int64_t>(std::llround(ms));
}

}  // namespace retort
