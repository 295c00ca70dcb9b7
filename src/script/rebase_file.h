// The file rewrite of `retort rebase`: one header value replaced, every
// other byte kept, written atomically.
#ifndef RETORT_SCRIPT_REBASE_FILE_H_
#define RETORT_SCRIPT_REBASE_FILE_H_

#include <string>
#include <string_view>

#include "retort/status.h"

namespace retort {

// `text` with the value of its "Revises" header (on 1-based line `line`, as
// Revision::revises_line records it) replaced by `revises`; the key, the
// line end (LF or CRLF) and every other line kept byte for byte.
// InvalidArgument naming `path`:`line` when that line is not the header.
Result<std::string> ReplaceRevises(std::string_view text, int line,
                                   std::string_view revises,
                                   const std::string& path);

// The bytes of the file at `path`; IOError naming it.
Result<std::string> ReadFileBytes(const std::string& path);

// `text` written over `path` atomically (util/atomic_file.h: a hidden
// temporary beside it, fsync, rename): the file changes whole or not at
// all.
Status ReplaceFileAtomically(const std::string& path, std::string_view text);

}  // namespace retort

#endif  // RETORT_SCRIPT_REBASE_FILE_H_
