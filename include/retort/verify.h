// What `retort verify` reports: the applied revisions compared with their
// files through the checksums the history table recorded.
#ifndef RETORT_VERIFY_H_
#define RETORT_VERIFY_H_

#include <string>
#include <vector>

namespace retort {

// One applied revision that is not as it ran.
struct VerifyFinding {
  // "edited": the file changed since it was applied. "missing": the
  // history says it is applied but no file declares it. "unknown": the
  // version table names it, no file declares it, retort never ran it.
  // "unverified": applied with no checksum recorded (before retort took
  // over, or stamped) -- informational, not a failure.
  std::string kind;
  std::string revision;
  std::string path;        // "" when no file declares it
  std::string recorded;    // checksum in the history table, "" if none
  std::string actual;      // checksum of the file now, "" if no file
  std::string applied_at;  // when the recorded run finished, "" if none
  std::string applied_by;  // user@host of the recorded run, "" if none
  std::string message;     // one line: what and the next step
};

// VerifyResult is what `verify` found for one version table.
struct VerifyResult {
  std::string version_table;       // as qualified in SQL
  std::vector<std::string> heads;  // its rows
  size_t applied = 0;              // applied revisions that have a file
  size_t verified = 0;             // ... whose recorded checksum matches
  bool history_table = false;      // the history table exists
  std::vector<VerifyFinding> findings;
  // True when no finding is edited, missing or unknown.
  bool clean = true;
};

}  // namespace retort

#endif  // RETORT_VERIFY_H_
