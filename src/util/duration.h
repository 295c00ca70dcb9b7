// Durations as retort.toml and revision headers write them, in
// PostgreSQL's own units ("5s", "500ms", "2min"), so a value means the same
// to retort and to the server it is handed to.
#ifndef RETORT_UTIL_DURATION_H_
#define RETORT_UTIL_DURATION_H_

#include <cstdint>
#include <string_view>

#include "retort/status.h"

namespace retort {

// Parses a duration as PostgreSQL writes timeouts: a number with an
// optional unit (us, ms, s, min, h, d; no unit = ms), "0" = off. Returns
// milliseconds (rounded up to 1 for a positive value under 1 ms), or an
// error saying what is accepted (the caller adds where it was written).
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace retort

#endif  // RETORT_UTIL_DURATION_H_
