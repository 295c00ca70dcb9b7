// The sections of a squashed revision (`retort squash`): the revisions'
// upgrade sections concatenated in order, their downgrade sections in
// reverse order. When every revision is transactional and none has steps,
// the bodies follow each other under a comment naming their revision; else
// each revision's body becomes a "-- retort: step" of its own with its
// transactional mode, so a non-transactional part still commits on its own.
#ifndef RETORT_SCRIPT_SQUASH_FILE_H_
#define RETORT_SCRIPT_SQUASH_FILE_H_

#include <string>
#include <vector>

#include "retort/status.h"
#include "script/revision_file.h"

namespace retort {

// One revision of the range: its header and its parsed sections.
struct SquashPart {
  RevisionFile header;
  RevisionSections sections;
};

// The new file's bodies and the header keys that follow from the parts.
struct SquashedSections {
  std::string upgrade;
  std::string downgrade;
  std::string lock_timeout;  // the parts' common "Lock Timeout", or ""
  std::string phase;         // the parts' common "Phase", or ""
};

// Refused (Conflict, "path:line: ...") for a section marked TODO or code,
// and for parts whose "Lock Timeout" or "Phase" differ.
Result<SquashedSections> ConcatenateSections(
    const std::vector<SquashPart>& parts);

}  // namespace retort

#endif  // RETORT_SCRIPT_SQUASH_FILE_H_
