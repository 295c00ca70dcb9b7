// Checksums of revision files as the history table records them: SHA-256
// over the file's text with its line endings normalised (CRLF and lone CR
// read as LF), so a checkout that converts line endings does not turn an
// applied revision into an "edited" one.
#ifndef RETORT_SCRIPT_CHECKSUM_H_
#define RETORT_SCRIPT_CHECKSUM_H_

#include <string>
#include <string_view>

#include "retort/status.h"

namespace retort {

// SHA-256 hex of `text` with "\r\n" and lone "\r" read as "\n".
std::string TextChecksum(std::string_view text);

// TextChecksum of the file at `path`.
Result<std::string> RevisionFileChecksum(const std::string& path);

// True when `recorded` (a history row's checksum) matches the file
// `bytes`. Rows written before checksums were normalised hold the SHA-256
// of the raw bytes; both forms are accepted (for a file with LF line ends
// they are the same).
bool ChecksumMatches(std::string_view recorded, std::string_view bytes);

// "sha256:" + TextChecksum of `text` without its first line that starts
// with "-- Squash Checksum:" (the header line `retort squash` writes, which
// holds this value; docs/revision-files.md).
std::string SquashChecksum(std::string_view text);

}  // namespace retort

#endif  // RETORT_SCRIPT_CHECKSUM_H_
