// Pieces shared by the online executor (run.cc) and the offline writer
// (offline.cc): reading the request, planning, and turning one migration
// step into statements that errors can trace back to a file line.
#ifndef RETORT_RUNTIME_RUN_INTERNAL_H_
#define RETORT_RUNTIME_RUN_INTERNAL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "dialect/splitter.h"
#include "revision/plan.h"
#include "runtime/placeholders.h"
#include "runtime/run.h"
#include "script/revision_file.h"

namespace retort {

// ParsedRequest is a RunRequest with Alembic's "from:to" split off.
struct ParsedRequest {
  std::vector<std::string> destinations;  // one for upgrade/downgrade
  // Offline only: the revision the SQL starts from ("base" = none).
  std::optional<std::string> starting_rev;
};

// Alembic's command-level checks: "Range revision not allowed" online,
// "downgrade with --sql requires <fromrev>:<torev>", "Can't use --purge
// with --sql mode", one starting revision for stamp --sql.
Result<ParsedRequest> ParseRequest(const RunRequest& request);

// The plan for `request` from `heads`; `scripts` says each revision's
// Phase (RunRequest::expand_only; null: phases are not looked at).
Result<std::vector<MigrationStep>> MakePlan(
    const RevisionMap& map, const ScriptDirectory* scripts,
    const RunRequest& request, const ParsedRequest& parsed,
    const std::vector<std::string>& heads);

// PreparedStep is one revision step's SQL, ready to run or print: the
// substituted body split into statements, plus where they came from.
struct PreparedStep {
  std::string path;           // the revision file
  std::string original_body;  // the section as written
  int body_line = 1;          // file line of the section's first line
  SubstitutedText substituted;
  std::vector<SqlStatement> statements;
  // Set when the revision must run outside a transaction, saying why
  // ("Transactional: false", "CREATE INDEX CONCURRENTLY at line 12").
  std::optional<std::string> outside_transaction;
  // Set when a statement is transaction control (a COMMIT in the body): the
  // revision may end the transaction it runs in.
  bool controls_transaction = false;
  // SQLite: the file line of the revision's PRAGMA foreign_keys = OFF, 0
  // when it has none. SQLite ignores that pragma inside a transaction, so
  // the runtime turns enforcement off before the revision's transaction
  // and checks the foreign keys before committing it.
  int foreign_keys_off_line = 0;
  // SQLite: the last statement is PRAGMA foreign_key_check over the whole
  // database, so the runtime need not run it again.
  bool ends_with_foreign_key_check = false;
  std::string checksum;  // SHA-256 hex, line endings normalised (checksum.h)
  // The file's "Lock Timeout:" ("" when it has none).
  std::string lock_timeout;
  // The line of the section's "-- retort: code": a C++ function runs it
  // (RunSettings::code) and it has no statements. 0 for SQL.
  int code_line = 0;
  // "-- retort: backfill" statements (runtime/backfill.h), by index into
  // `statements`; table and key with placeholders substituted.
  std::map<size_t, BackfillSpec> backfills;

  // The file line of `statement`, or of the character `position`
  // (1-based, as DbError reports it; 0 = unknown) inside it.
  int LineOf(const SqlStatement& statement, int position) const;
};

// Reads, substitutes and splits the SQL `step` runs. `server_version` is
// PostgreSQL's server_version_num (offline: the version we assume). With a
// `cache` (run.h), files are read and hashed once and identical SQL is
// parsed once.
Result<PreparedStep> PrepareStep(
    const ScriptDirectory& scripts, const MigrationStep& step,
    const std::map<std::string, std::string>& placeholders, Dialect dialect,
    int server_version, PreparedStepCache* cache = nullptr);

// Refuses, before anything runs, a plan with a step whose section says
// "-- retort: TODO" (an imported data migration, say): "PATH:LINE: upgrade
// ID is not ready to run: REASON; ...". Reads the files through `cache`
// when given, so PrepareStep does not read them again.
Status CheckStepsReady(const ScriptDirectory& scripts,
                       const std::vector<MigrationStep>& plan,
                       PreparedStepCache* cache = nullptr);

// Refuses a "-- retort: code" section (prep.code_line) that cannot run:
// offline (SQL cannot hold C++), or with no function in `code` for it (the
// CLI never has one). OK for SQL sections.
Status CheckCodeRunnable(const PreparedStep& prep, const MigrationStep& step,
                         const std::vector<CodeMigration>* code,
                         bool offline);

// Refuses registrations that could never run: a revision no file declares,
// the same revision twice, or a function for a section that does not say
// "-- retort: code" (its SQL would run instead, the function never).
Status CheckCodeMigrations(const ScriptDirectory& scripts,
                           const std::vector<CodeMigration>& code);

// The function registered for `id`'s upgrade or downgrade; null when none.
const CodeFunction* FindCode(const std::vector<CodeMigration>* code,
                             const std::string& id, bool upgrade);

// The placeholder values of a run: settings.placeholders plus "schema".
std::map<std::string, std::string> PlaceholderValues(
    const RunTarget& target, const RunSettings& settings);

// "Running upgrade a -> b, doc": Alembic's log line for a step, without
// "Running ".
std::string StepDescription(const MigrationStep& step);

// The revision a history row names: the revision run, or for a stamp the
// revisions stamped ("base" when none).
std::string HistoryRevision(const MigrationStep& step);
std::string HistoryDirection(const MigrationStep& step);

// Sends `message` to settings.log when `level` passes settings.log_level.
void Log(const RunSettings& settings, LogLevel level,
         const std::string& message);

// Offline: the whole run as SQL text (offline.cc).
Result<RunReport> RunOffline(const ScriptDirectory& scripts,
                             const RevisionMap& map, const RunTarget& target,
                             const RunSettings& settings,
                             const RunRequest& request, Dialect dialect);

}  // namespace retort

#endif  // RETORT_RUNTIME_RUN_INTERNAL_H_
