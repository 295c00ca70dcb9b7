// Integrity of applied revisions: each applied revision's file against the
// checksum the history table recorded when it ran (`retort verify`, and the
// check `upgrade` makes before running over edited files).
#ifndef RETORT_RUNTIME_VERIFY_H_
#define RETORT_RUNTIME_VERIFY_H_

#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "revision/revision_map.h"
#include "runtime/run.h"
#include "runtime/version_table.h"
#include "script/script_directory.h"

namespace retort {

// IntegrityFinding is one applied revision that is not as it ran.
struct IntegrityFinding {
  enum class Kind {
    // The file changed since it was applied (checksum differs).
    kEdited,
    // The history says it is applied but no file declares it.
    kMissing,
    // The version table names it, no file declares it and retort never ran
    // it.
    kUnknown,
    // Applied, but no checksum recorded: applied before retort took over
    // (Alembic), or stamped. Informational.
    kUnverified,
    // Ran before `retort squash` folded it into a file whose "Squashes"
    // header lists the checksum recorded then (the squashed file's own id,
    // or a revision squashed away). Informational: it matches.
    kSquashed,
  };
  Kind kind = Kind::kEdited;
  std::string revision;
  std::string path;        // the file, when one declares the revision
  std::string recorded;    // checksum in the history table; "" if none
  std::string actual;      // checksum of the file now; "" if no file
  std::string applied_at;  // finished_at of the recorded run; "" if none
  std::string applied_by;  // user@host of the recorded run; "" if none
  std::string next_step;   // what to do about it, one sentence
};

// "edited", "missing", "unknown", "unverified", "squashed".
const char* IntegrityKindName(IntegrityFinding::Kind kind);

// IntegrityReport is what VerifyApplied found.
struct IntegrityReport {
  std::vector<std::string> heads;  // the version table's rows
  size_t applied = 0;              // applied revisions that have a file
  // Of those, with a recorded checksum that matches (the file's, or the
  // one its "Squashes" header lists for it).
  size_t verified = 0;
  bool history_table = false;              // the history table exists
  std::vector<IntegrityFinding> findings;  // in graph order
  // No edited, missing or unknown revision (unverified and squashed ones
  // are allowed).
  bool clean() const;
};

// Compares every applied revision (the version table's heads and their
// ancestors) with its file. Reads only; opens its own connection (SQLite
// read-only; a database file that does not exist has nothing applied).
Result<IntegrityReport> VerifyApplied(const ScriptDirectory& scripts,
                                      const RevisionMap& map,
                                      const RunTarget& target,
                                      const RunSettings& settings);

// The same on an open connection, given the heads already read.
Result<IntegrityReport> VerifyAppliedOn(Connection& db,
                                        const VersionTableSql& sql,
                                        const ScriptDirectory& scripts,
                                        const RevisionMap& map,
                                        const std::vector<std::string>& heads);

// Before an upgrade runs: refuses when an applied revision's file was
// edited (unless settings.on_edited_warn, which logs a warning instead).
// Missing and unknown revisions are left to the plan, which reports them.
Status CheckAppliedUnedited(Connection& db, const VersionTableSql& sql,
                            const ScriptDirectory& scripts,
                            const RevisionMap& map,
                            const std::vector<std::string>& heads,
                            const RunSettings& settings);

}  // namespace retort

#endif  // RETORT_RUNTIME_VERIFY_H_
