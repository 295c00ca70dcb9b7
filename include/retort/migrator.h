// Migrator: retort's public engine. The command-line tool is a thin client of
// this class, and C++ applications embed it the same way.
#ifndef RETORT_MIGRATOR_H_
#define RETORT_MIGRATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "retort/export.h"
#include "retort/fanout.h"
#include "retort/hygiene.h"
#include "retort/import.h"
#include "retort/lint.h"
#include "retort/options.h"
#include "retort/pictures.h"
#include "retort/progress.h"
#include "retort/revision_info.h"
#include "retort/status.h"
#include "retort/verify.h"

namespace retort {

// A project template for `init` (generic, multischema, ...).
struct RETORT_EXPORT TemplateInfo {
  std::string name;
  std::string description;
};

// How autogenerate (`diff`, `check`, `revision --autogenerate`) builds the
// two sides it compares: the models, loaded into a scratch database, and
// the current schema.
struct RETORT_EXPORT AutogenOptions {
  enum class From {
    // The live database at `url`, which `revision --autogenerate` requires
    // to be at head.
    kDatabase,
    // The schema the revisions produce: `upgrade heads` (or, with --schema
    // S and a [schemas.S] branch that exists, `<branch>@head`) replayed
    // into a scratch database, placeholders applied. The database at `url`
    // is never read or changed.
    kMigrations,
  };
  // --from database|migrations. Default: kDatabase.
  From from = From::kDatabase;
  // --dev: where scratch databases live.
  //   ""           dev_url from the config (the models load inside a
  //                transaction that is rolled back); else temporary
  //                databases on the server of `url`; with kMigrations, when
  //                no url is set or its server cannot be reached, a
  //                throwaway cluster (as "ephemeral").
  //   "ephemeral"  a throwaway PostgreSQL cluster started from the
  //                installed server binaries (initdb + pg_ctl in a temporary
  //                directory, $RETORT_PG_BINDIR to choose them), stopped
  //                and deleted afterwards.
  //   a URL        a PostgreSQL dev database, instead of dev_url.
  // Default: "".
  std::string dev;
  // --online: plan every change to an existing table so that it takes only
  // brief locks, as "-- retort: step" blocks (docs/online.md); PostgreSQL
  // only. The config's `online = true` sets it too. Default: false.
  bool online = false;
};

// What `schema-graph` draws (Migrator::Diagram).
struct RETORT_EXPORT DiagramOptions {
  enum class From {
    // The models, loaded into a scratch database as autogenerate loads
    // them (AutogenOptions::dev says where); no database is read.
    kModels,
    // The live database at `url`, only read. A SQLite file that does not
    // exist yet is an empty schema.
    kDatabase,
  };
  // Default: kModels.
  From from = From::kModels;
  // As AutogenOptions::dev, for kModels. Default: "".
  std::string dev;
};

// One schema the models define or mention (`schemas`), found by parsing
// the model files; no database is involved.
struct RETORT_EXPORT ModelSchemaInfo {
  std::string name;
  // CREATE TABLE statements putting a table in it.
  int tables = 0;
  // Every object created in it (tables, views, indexes, types, ...).
  int objects = 0;
  // The models run CREATE SCHEMA for it.
  bool created = false;
  // Only referred to (a foreign key, a type of another schema).
  bool mentioned_only = false;
  // retort.toml has a [schemas.<name>] section for it.
  bool configured = false;
  // The model files that create something in it or refer to it.
  std::vector<std::string> files;
};

// Options of `revision`, named after Alembic's flags.
struct RETORT_EXPORT CreateRevisionOptions {
  std::string message;  // -m
  // --head. Default: empty, meaning "head"; with a schema (--schema S, or
  // --branch-label naming a configured schema's branch) S's branch head,
  // or a new base starting S's branch when it has no revision yet.
  std::string head;
  bool splice = false;                     // --splice
  std::vector<std::string> branch_labels;  // --branch-label
  std::vector<std::string> depends_on;     // --depends-on (repeatable)
  std::string rev_id;                      // --rev-id; default: random
  std::string version_path;                // --version-path
  bool autogenerate = false;               // --autogenerate: bodies from Diff()
  AutogenOptions autogen;                  // --from, --dev (with autogenerate)
  bool transactional = true;  // false writes "Transactional: false"
  // Writes "Lock Timeout: ..." (e.g. "100ms"); "" writes none. An online
  // autogenerate sets it to the config's online_lock_timeout.
  std::string lock_timeout;
  // Writes "Phase: expand" or "Phase: contract"; "" writes none.
  std::string phase;
  std::string upgrade_sql;    // body of "-- migrate:upgrade"
  std::string downgrade_sql;  // body of "-- migrate:downgrade"
};

// Options of `merge`.
struct RETORT_EXPORT MergeOptions {
  std::vector<std::string> revisions;      // what to merge (e.g. "heads")
  std::string message;                     // -m
  std::vector<std::string> branch_labels;  // --branch-label
  std::string rev_id;                      // --rev-id
};

// Options of `heads`.
struct RETORT_EXPORT HeadsOptions {
  // --resolve-dependencies: the effective heads -- a revision that another
  // one depends on ("Depends On") is not counted as a head. Default: false.
  bool resolve_dependencies = false;
};

// Options of `current`.
struct RETORT_EXPORT CurrentOptions {
  // --check-heads: kConflict unless the database is at exactly the graph's
  // heads. Default: false.
  bool check_heads = false;
};

// One migration step a run executed (or, offline, wrote out).
struct RETORT_EXPORT StepResult {
  std::string revision;     // empty for a stamp step
  std::string description;  // "upgrade 1a2b -> 3c4d, add users"
  bool upgrade = true;
  double duration_ms = 0;
};

// How Upgrade, Downgrade and Stamp run.
struct RETORT_EXPORT RunOptions {
  // --sql: nothing is executed and nothing connects; MigrationResult::sql
  // holds the script a DBA would run, and the target may be "from:to"
  // (Alembic's starting revision; a downgrade requires it). Default: false.
  bool sql = false;
  // Stamp only (--purge): empty the version table first. Default: false.
  bool purge = false;
  // Step and statement events as the run goes (progress.h); none offline.
  // Default: none.
  ProgressSink progress;
  // --allow-edited: upgrade over applied revisions whose file was edited
  // since they ran, with a warning (as on_edited = "warn" in retort.toml).
  // Default: false (refused, nothing run).
  bool allow_edited = false;
  // --in-flight done|rerun: how to settle the statement an interrupted
  // non-transactional revision was running when the catalog cannot tell
  // whether it finished (docs/safety.md). Default: "" (stop and say what to
  // check).
  std::string in_flight;
  // upgrade --phase expand: stop on each branch before its first pending
  // "Phase: contract" revision (docs/online.md); "" runs everything.
  // Default: "".
  std::string phase;
};

// What upgrade / downgrade / stamp did.
struct RETORT_EXPORT MigrationResult {
  std::vector<std::string> heads_before;
  std::vector<std::string> heads_after;
  std::vector<StepResult> steps;
  // --sql: the SQL script a DBA would run; empty online.
  std::string sql;
};

// What the models were compared with (AutogenOptions::From).
enum class ComparedWith { kDatabase, kMigrations };

// "database", "migrations" (as --format json prints it).
RETORT_EXPORT const char* ComparedWithName(ComparedWith with);

// What autogenerate found: the models compared with the database.
struct RETORT_EXPORT DiffResult {
  std::string upgrade_sql;    // "" when the two agree
  std::string downgrade_sql;  // the upgrade reversed
  size_t operations = 0;
  // The model sources read, in order: the files the `models` globs
  // matched and the "sqlalchemy:" entries.
  std::vector<std::string> model_files;
  // The .sql files under the folders of the `models` patterns (searched
  // recursively, the revisions' folders left out) that no pattern matched,
  // so were not read; sorted.
  std::vector<std::string> unmatched_model_files;
  // What the models were compared with. Default: kDatabase.
  ComparedWith compared_with = ComparedWith::kDatabase;
  // Where the models were loaded, e.g. "a throwaway PostgreSQL 15 cluster".
  std::string scratch;
  // The plan is online (AutogenOptions::online or the config's `online`).
  bool online = false;
  // Online plans: the removals an application version still running may
  // use (dropped columns, tables, views, functions, sequences, types), left
  // out of upgrade_sql for a "Phase: contract" revision after it; "" when
  // there are none (docs/online.md#expand-and-contract).
  std::string contract_upgrade_sql;
  std::string contract_downgrade_sql;
  bool empty() const { return operations == 0; }
};

// A branch point with the revisions it branches into (`branches`).
struct RETORT_EXPORT BranchPoint {
  RevisionInfo revision;
  std::vector<RevisionInfo> children;
};

class RETORT_EXPORT Migrator {
 public:
  // Reads the configuration; revision files are read on first need.
  static Result<std::unique_ptr<Migrator>> Open(const Options& options);
  ~Migrator();
  Migrator(const Migrator&) = delete;
  Migrator& operator=(const Migrator&) = delete;

  // Writes a new project into `directory` from a template (`init`). Refuses
  // a non-empty directory. `config_path` is where retort.toml goes.
  static Status Init(const std::string& directory,
                     const std::string& template_name,
                     const std::string& config_path);
  static std::vector<TemplateInfo> ListTemplates();

  // Writes a new revision file and returns it (`revision`).
  Result<RevisionInfo> CreateRevision(const CreateRevisionOptions& options);
  // Writes a merge revision of `options.revisions` (`merge`).
  Result<RevisionInfo> Merge(const MergeOptions& options);

  // `heads`: the heads, or with options.resolve_dependencies the effective
  // heads.
  Result<std::vector<RevisionInfo>> Heads(const HeadsOptions& options = {});
  // `branches`: every branch point, newest first.
  Result<std::vector<BranchPoint>> Branches();
  // `history -r start:end`: revisions newest first. An empty range is all.
  Result<std::vector<RevisionInfo>> History(const std::string& range);
  // `show REV`: the revisions REV names ("heads" may name several).
  Result<std::vector<RevisionInfo>> Show(const std::string& revision);

  // `upgrade TARGET` ("head", "+1", "auth@head", ...).
  Result<MigrationResult> Upgrade(const std::string& target,
                                  const RunOptions& options = {});
  // `downgrade TARGET` ("-1", "base", ...); offline it must be "from:to".
  Result<MigrationResult> Downgrade(const std::string& target,
                                    const RunOptions& options = {});
  // `stamp REV...`: sets the version table without running migrations
  // (options.purge empties it first).
  Result<MigrationResult> Stamp(const std::vector<std::string>& revisions,
                                const RunOptions& options = {});
  // `current`: the revisions the database is at (is_current set). With
  // options.check_heads, an error unless they are exactly the graph's heads.
  Result<std::vector<RevisionInfo>> Current(const CurrentOptions& options = {});
  // The revisions Upgrade(target) would apply now, in the order it would
  // apply them: the database's version table is read, nothing changes.
  // Empty when it is up to date.
  Result<std::vector<RevisionInfo>> Pending(
      const std::string& target = "heads");
  // `history -i`: like History, with is_current marking the database's
  // revisions; "current" may be used in the range.
  Result<std::vector<RevisionInfo>> HistoryWithCurrent(
      const std::string& range);
  // `diff` / `check`: the configured models compared with the database, or
  // with the migrations (see AutogenOptions); with --schema S, only schema
  // S. The model files are parsed before anything connects: a syntax error
  // is "models/auth.sql:3: syntax error at or near ...". Fails, instead of
  // proposing to drop everything, when the models define nothing (no
  // CREATE statement) or nothing in the compared schemas.
  Result<DiffResult> Diff(const AutogenOptions& options = {});

  // `schemas`: the schemas the model files define or mention, by name,
  // with their table counts. Parses the files; connects to nothing.
  Result<std::vector<ModelSchemaInfo>> ModelSchemas();
  // The tables, key columns and foreign keys of the models or of the live
  // database, filtered as autogenerate compares (include_schemas,
  // exclude_tables, --schema S: S only).
  Result<SchemaDiagram> Diagram(const DiagramOptions& options = {});

  // `upgrade TARGET` over many units -- every tenant (--tenants), every
  // configured schema to its branch in dependency order (--all-schemas),
  // and/or several servers (--targets) -- each in its own transaction,
  // options.jobs at a time. A unit's failure is in the result (ok() is
  // false), not in the Status; a Status error means nothing ran (a bad
  // flag, configuration or target). With `sql`, result.sql holds every
  // unit's script and nothing connects (tenants must be listed).
  Result<FanoutResult> UpgradeMany(const std::string& target,
                                   const FanoutOptions& options);
  // `downgrade TARGET` over the same units.
  Result<FanoutResult> DowngradeMany(const std::string& target,
                                     const FanoutOptions& options);
  // `current` over the same units: each unit's version rows, read with one
  // query per database.
  Result<std::vector<UnitVersions>> CurrentMany(const FanoutOptions& options);

  // `import-alembic PATH`: the Alembic project's revisions as retort
  // revision files in this project's versions folder (import.h). Needs a
  // configuration file (retort.toml) and a Python that can import alembic
  // (the `python` setting). The project's code runs only to render revision
  // bodies, never its env.py.
  Result<ImportAlembicResult> ImportAlembic(
      const ImportAlembicOptions& options);

  // `lint [REV...]`: the rules of docs/lint.md over the revisions named,
  // else the pending ones (when the database answers) or every revision.
  // Findings are in the result; a Status error means lint could not run (a
  // revision that does not exist, a placeholder without a value, an unknown
  // rule in "-- retort: lint disable=").
  Result<LintResult> Lint(const LintOptions& options);

  // `verify`: every applied revision of the version table (--schema S:
  // S's) against its file, by the checksum recorded when it ran; with
  // options.live, also the live schema against the migrations' (drift).
  // Reads only (the replay goes to a scratch database).
  Result<VerifyResult> Verify(const VerifyOptions& options = {});

  // `check --single-head`: every branch (branch label line, or the
  // unlabelled heads) with its heads. Reads the revision files only: no
  // database, no models.
  Result<SingleHeadResult> CheckSingleHead();
  // `check --stairway`: each revision of options.range upgraded, downgraded
  // and upgraded again in a scratch database, the catalog after the
  // downgrade compared with the one before the upgrade (docs/hygiene.md).
  // The database at `url` is never read or changed.
  Result<StairwayResult> Stairway(const StairwayOptions& options = {});
  // `squash START:END -m MSG`: the revisions START..END replaced by one
  // keeping END's id and START's parents, after replaying the old and the
  // new history into scratch databases and comparing their schemas.
  // Refused, with nothing changed, when the range is not a plain line, a
  // revision outside hangs on one inside, or the database (when a URL is
  // configured) has a version row inside the range (docs/hygiene.md).
  Result<SquashResult> Squash(const SquashOptions& options);
  // `rebase REV --onto TARGET`: REV's "Revises" rewritten to TARGET (its
  // line, REV up to its head, follows), then the graph reloaded and
  // checked. Refused, with nothing changed, when the line is not plain, the
  // move would make a cycle or change the line's branch, or a revision of
  // the line is applied in the database (when a URL is configured)
  // (docs/hygiene.md).
  Result<RebaseResult> Rebase(const RebaseOptions& options);

  // The database URL with any password masked, for messages.
  std::string RedactedUrl() const;

  // The configured project folder for new revision files.
  std::string VersionsDirectory() const;

 private:
  struct Impl;
  explicit Migrator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace retort

#endif  // RETORT_MIGRATOR_H_
