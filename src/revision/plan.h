// Migration plans: the steps of upgrade / downgrade / stamp and the
// version-table rows each step changes (Alembic's ScriptDirectory._*_revs,
// RevisionStep, StampStep and HeadMaintainer). Pure logic, no database.
#ifndef RETORT_REVISION_PLAN_H_
#define RETORT_REVISION_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// MigrationStep is one unit of a plan: running a revision's upgrade or
// downgrade (kRevision), or moving version rows without running anything
// (kStamp). Which rows move is decided by HeadMaintainer.
struct MigrationStep {
  enum class Kind { kRevision, kStamp };
  Kind kind = Kind::kRevision;
  bool is_upgrade = true;
  // kRevision: the revision run; points into the RevisionMap, which must
  // outlive the step. nullptr for kStamp.
  const RevisionNode* revision = nullptr;
  // kStamp: the step adds or removes a whole branch.
  bool branch_move = false;

  // Revisions the version table moves from / to. For a revision step these
  // include normalized dependencies; the *_no_deps variants are what logs
  // show ("upgrade a -> b").
  std::vector<std::string> from_revisions;
  std::vector<std::string> to_revisions;
  std::vector<std::string> from_revisions_no_deps;
  std::vector<std::string> to_revisions_no_deps;

  bool is_downgrade() const { return !is_upgrade; }
  // "upgrade", "downgrade" or "stamp_revision", as Alembic names the step.
  std::string name() const;
  // Alembic's short_log: "upgrade a, b -> c".
  std::string ShortLog() const;

  static MigrationStep Upgrade(const RevisionMap& map,
                               const RevisionNode& revision);
  static MigrationStep Downgrade(const RevisionMap& map,
                                 const RevisionNode& revision);
  static MigrationStep Stamp(std::vector<std::string> from,
                             std::vector<std::string> to, bool is_upgrade,
                             bool branch_move);
};

bool operator==(const MigrationStep& a, const MigrationStep& b);

// VersionOp is one change to the version table.
struct VersionOp {
  enum class Kind { kInsert, kDelete, kUpdate };
  Kind kind = Kind::kInsert;
  std::string from;  // kDelete, kUpdate: the row's current version_num
  std::string to;    // kInsert, kUpdate: the new version_num

  // "insert X", "delete X", "update X -> Y" (for logs and tests).
  std::string ToString() const;
};

bool operator==(const VersionOp& a, const VersionOp& b);

// HeadMaintainer tracks the version table's rows (the current heads) while a
// plan runs, and decides for each step which rows to insert, delete or
// update: insert when a new branch starts, delete + update on a merge,
// update + insert when a merge is undone, delete when a branch ends.
// Starting from rows that are the applied revisions no other applied
// revision implies (through "Revises" or "Depends On"), every step keeps
// them so. Alembic's rules break that when a revision's parents and
// dependencies imply one another (a merge naming an ancestor of another
// parent, a dependency on one): Alembic fails there (KeyError) or leaves an
// implied row behind; retort skips the implied parents (see plan.cc).
class HeadMaintainer {
 public:
  HeadMaintainer(const RevisionMap& map, std::vector<std::string> heads);

  // Applies `step` and returns the row changes, in order. On error the
  // heads are left unchanged.
  Result<std::vector<VersionOp>> UpdateToStep(const MigrationStep& step);

  // The current rows, in the order they were added.
  const std::vector<std::string>& heads() const { return heads_; }

 private:
  const RevisionMap* map_;
  std::vector<std::string> heads_;
};

// `upgrade <destination>` from the version table's `current_heads`.
// Errors are worded as Alembic's commands word them.
Result<std::vector<MigrationStep>> PlanUpgrade(
    const RevisionMap& map, std::string_view destination,
    const std::vector<std::string>& current_heads);

// `downgrade <destination>` from `current_heads`.
Result<std::vector<MigrationStep>> PlanDowngrade(
    const RevisionMap& map, std::string_view destination,
    const std::vector<std::string>& current_heads);

// Refuses a revision argument of `command` ("upgrade", "downgrade",
// "stamp") that is empty or blank, as `upgrade ''` from a shell variable
// that was never set: Alembic walks it as "no revision" ("Walked too far",
// or a stamp that removes every row). InvalidArgument, naming what to give.
// The Plan* functions check their destinations with it.
Status CheckRevisionArguments(std::string_view command,
                              const std::vector<std::string>& arguments);

// `stamp <destinations...> [--purge]`. With `purge` the version table is
// emptied first, so the plan starts from no heads.
Result<std::vector<MigrationStep>> PlanStamp(
    const RevisionMap& map, const std::vector<std::string>& destinations,
    const std::vector<std::string>& current_heads, bool purge = false);

// `history -r base:head`: revisions from `head` down to `base`, inclusive
// (Alembic's ScriptDirectory.walk_revisions).
Result<std::vector<const RevisionNode*>> WalkRevisions(
    const RevisionMap& map, std::string_view base = "base",
    std::string_view head = "heads");

// `show <id>` and friends: ScriptDirectory.get_revisions, with the command
// wording of errors ("Can't locate revision identified by '...'").
Result<std::vector<const RevisionNode*>> ResolveRevisions(
    const RevisionMap& map, const RevisionArg& id);

// How ScriptDirectory._catch_revision_errors rewords a RevisionError; an
// empty string keeps Alembic's default for that kind.
struct CommandErrorWording {
  std::string ancestor;        // may use %(start)s and %(end)s
  std::string multiple_heads;  // may use %(head_arg)s and %(heads)s
  std::string start, end;
  std::string resolution;
};
Status CommandError(const RevisionError& err,
                    const CommandErrorWording& wording = {});

}  // namespace retort

#endif  // RETORT_REVISION_PLAN_H_
