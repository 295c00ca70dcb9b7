// Writing a whole file so that readers (and a crash) see either the old
// content or the new, never a half-written file: a temporary file beside
// the target, fsync, then rename.
#ifndef RETORT_UTIL_ATOMIC_FILE_H_
#define RETORT_UTIL_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "retort/status.h"

namespace retort {

// Writes `content` to `path` atomically. Without `replace`, an existing
// `path` is never overwritten (AlreadyExists "PATH: already exists"), even
// by a concurrent writer. The folder must exist.
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           bool replace);

}  // namespace retort

#endif  // RETORT_UTIL_ATOMIC_FILE_H_
