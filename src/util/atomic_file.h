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
// by a concurrent writer. The folder must exist. Without `sync` the data
// is not flushed to disk before the rename (for many files written at
// once, followed by one SyncFilesystem()).
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           bool replace, bool sync = true);

// Flushes the filesystem holding `path` (syncfs).
Status SyncFilesystem(const std::string& path);

}  // namespace retort

#endif  // RETORT_UTIL_ATOMIC_FILE_H_
