// Migrator: wires configuration, the script directory and the revision graph
// into the commands of the public API. Graph answers come from revision/,
// files from script/; this file only orders the calls and shapes results.
#include "retort/migrator.h"

#include <glob.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include "autogen/autogen.h"
#include "autogen/drift.h"
#include "autogen/model_cache.h"
#include "autogen/model_scan.h"
#include "autogen/model_sources.h"
#include "autogen/naming.h"
#include "autogen/project_models.h"
#include "autogen/replay_scratch.h"
#include "autogen/stairway.h"
#include "autogen/sqlalchemy_models.h"
#include "autogen/sqlite_autogen.h"
#include "catalog/pg_introspect.h"
#include "catalog/sqlite_introspect.h"
#include "config/config.h"
#include "config/redact.h"
#include "config/templates.h"
#include "config/vault.h"
#include "dialect/postgres.h"
#include "dialect/sqlite.h"
#include "dialect/url.h"
#include "fanout/fanout.h"
#include "fanout/fanout_plan.h"
#include "importer/alembic_import.h"
#include "lint/lint_run.h"
#include "picture/schema_diagram.h"
#include "revision/new_revision.h"
#include "revision/branch_heads.h"
#include "revision/plan.h"
#include "revision/rebase_plan.h"
#include "revision/revision_map.h"
#include "revision/squash_plan.h"
#include "revision/stairway_plan.h"
#include "runtime/placeholders.h"
#include "runtime/run.h"
#include "runtime/run_internal.h"
#include "runtime/session.h"
#include "runtime/verify.h"
#include "runtime/version_table.h"
#include "schemas/schema_choice.h"
#include "schemas/schema_set.h"
#include "script/checksum.h"
#include "script/rebase_file.h"
#include "script/script_directory.h"
#include "script/squash_file.h"
#include "script/template.h"
#include "util/duration.h"
#include "util/strings.h"
#include "util/temp_dir.h"

namespace retort {

namespace fs = std::filesystem;

namespace {

// Which database a run works on, for its first log line: the URL with the
// password masked, or the application's connection.
// The last filter before a Status leaves the library: every registered
// secret and URL password masked (config/redact.h), so that no caller of
// the API -- the CLI or an application -- has to.
Status MaskedForApi(const Status& status) {
  if (status.ok()) return status;
  return status.WithMessage(Redact(status.message()));
}
template <typename T>
Result<T> MaskedForApi(Result<T> result) {
  if (result.ok()) return result;
  return MaskedForApi(result.status());
}

// Every public Migrator call runs through here: no exception crosses the
// API (one that escapes retort's code -- std::bad_alloc, a bug -- comes
// back as kInternal), and the Status is masked.
template <typename F>
auto ApiCall(F&& call) -> decltype(call()) {
  try {
    return MaskedForApi(call());
  } catch (const std::exception& e) {
    return MaskedForApi(
        Status::Internal(std::string("unexpected error: ") + e.what()));
  } catch (...) {
    return Status::Internal("unexpected error (not a std::exception)");
  }
}

std::string DatabaseName(const RunTarget& target) {
  if (target.borrowed == nullptr) return RedactedUrl(target.url);
  return "(the application's " +
         std::string(DialectName(target.borrowed->dialect())) + " connection)";
}

}  // namespace

// Hidden: libretort.so exports the API (include/retort/), not this.
struct __attribute__((visibility("hidden"))) Migrator::Impl {
  Options options;
  Config config;
  // Loaded on first need: cheap commands never read a revision file.
  std::optional<ScriptDirectory> scripts;
  std::optional<RevisionMap> map;
  // Schema per domain: the configured schemas' branches (after LoadGraph).
  std::optional<SchemaSet> schema_set;
  // Options::connection, wrapped (not owned); null without one.
  std::unique_ptr<Connection> borrowed;

  // vault: references of this Migrator's configuration, with its .env
  // (not another Migrator's) behind the environment; values cached for
  // the Migrator's life.
  std::unique_ptr<SecretResolver> secrets;
  Result<std::string> Resolve(const std::string& value) const {
    return secrets->Resolve(value, options.log, options.log_level);
  }

  Status LoadGraph();
  // Commands that write revision files cannot write into the application.
  Status RefuseEmbedded(const std::string& command) const {
    if (options.migrations == nullptr) return Status::OK();
    return Status::InvalidArgument(
        command +
        ": the revisions are compiled into the application "
        "(embedded set \"" +
        std::string(options.migrations->name ? options.migrations->name : "") +
        "\"); write revision files into its migrations folder and rebuild");
  }
  RevisionInfo Info(const RevisionNode& node) const;
  RevisionInfo Info(const RevisionMap& graph, const RevisionNode& node) const;
  std::vector<RevisionInfo> Infos(
      const std::vector<const RevisionNode*>& nodes) const;
  std::vector<RevisionInfo> Infos(
      const RevisionMap& graph,
      const std::vector<const RevisionNode*>& nodes) const;
  // The schema --schema / -x schema= names, when it has (or is configured
  // with) a branch of its own; nullptr otherwise. Loads the graph.
  Result<const SchemaEntry*> ActiveSchema();
  // The graph commands work on: the active schema's branch, else all.
  Result<const RevisionMap*> Graph();
  // Which database, version table and schema a run works on. Without
  // `resolve_url` the URL is left empty (not required, nor read from Vault).
  Result<RunTarget> Target(bool resolve_url = true) const;
  // The target of an offline (--sql) run: the URL is only read for its
  // dialect, and a Vault reference is not resolved.
  Result<RunTarget> OfflineTarget() const;
  // The target of a command the borrowed connection serves (runs,
  // current, verify): the application's connection when one was lent,
  // else Target().
  Result<RunTarget> SessionTarget() const;
  // The fan-out opens a session per unit: refused with a borrowed one.
  Status RefuseBorrowed(const std::string& command) const;
  // --schema must name something before `command` touches a version table
  // (schema_choice.h). Loads the graph; online, may list the database's
  // schemas.
  Status CheckSchema(const std::string& command, bool offline,
                     bool all_schemas_possible, bool graph_only = false);
  RunTarget TargetFor(std::string url) const;
  Result<RunSettings> Settings() const;
  // `options`: progress (none offline), allow_edited, in_flight.
  Result<MigrationResult> RunCommand(const RunRequest& request,
                                     const RunOptions& options);
  // RunCommand, with secret placeholders masked in its error.
  Result<MigrationResult> RunMasked(const RunRequest& request,
                                    const RunOptions& options);
  std::set<std::string> SecretPlaceholderNames() const;
  Result<FanoutResult> RunMany(const RunRequest& request,
                               const FanoutOptions& options);
  // RunMany's work, before secrets are masked in its errors.
  Result<FanoutResult> RunManyWith(const RunRequest& request,
                                   const FanoutOptions& options,
                                   const RunSettings& settings);
  Result<FanoutPlan> PlanMany(const RunRequest& request,
                              const FanoutOptions& options,
                              ConnectionPool& pool);
  // The model sources of the 'models' setting, in order: SQL files (each
  // run of SQL patterns globbed, sorted) and "sqlalchemy:" entries.
  Result<std::vector<std::string>> ModelFiles() const;
  // The models, read: SQL files (named by [naming], PostgreSQL only) and
  // the DDL of SQLAlchemy entries (sqlalchemy_models.h), in that order.
  // `sources`: ModelFiles(), when the caller has it already.
  Result<std::vector<ModelFile>> ReadModels(
      bool sqlite,
      const Result<std::vector<std::string>>* sources = nullptr) const;
  // The model files, read and parsed (nothing connects).
  // `normalize`: as for ScanModels (autogenerate needs it, `schemas` not).
  Result<ModelScan> ScanModelFiles(
      bool normalize,
      const Result<std::vector<std::string>>* sources = nullptr) const;
  // `models_diagram` set: nothing is compared with the models (an empty
  // scratch database stands in for the current schema) and the models'
  // SchemaDiagram goes there (`schema-graph`).
  Result<DiffResult> DiffImpl(
      const AutogenOptions& autogen,
      std::shared_ptr<const SchemaDiagram>* models_diagram = nullptr);
  // What autogenerate and drift compare: the configured schemas and tables
  // (--schema S: S only), never retort's own tables.
  IntrospectOptions CompareFilter() const;
  // Where scratch databases go, from --dev (AutogenOptions::dev) and
  // dev_url: sets options->ephemeral or options->dev_url.
  Status ChooseScratch(const std::string& dev, DiffOptions* options) const;
  // The replay of the migrations up to `revisions` into an empty scratch
  // database with `settings` (Settings()), as autogenerate's build_current;
  // quiet unless -v.
  std::function<Status(const std::string&)> Replayer(
      const RunTarget& target, RunSettings settings,
      std::vector<std::string> revisions) const;
  // verify --live: the live schema against the migrations replayed to the
  // revisions the database is at (`heads`, read by verify from `target`'s
  // version table), with the settings verify read.
  Status VerifyLive(const VerifyOptions& verify, const RunTarget& target,
                    const RunSettings& settings,
                    const std::vector<std::string>& heads, VerifyResult* out);
  // The revisions autogenerate's current schema stands for: "heads", or
  // with --schema S whose [schemas.S] branch is in the graph,
  // "<branch>@head". Needs the graph loaded.
  std::string AutogenHeads() const;
  // An empty scratch database for the history checks (stairway, squash),
  // where --dev (`dev`) and dev_url say; `*scratch_target` is the URL it
  // was chosen for (the configured one, "" when none or unresolved).
  Result<std::unique_ptr<ReplayScratch>> OpenReplayScratch(
      const std::string& dev, std::string* scratch_target);
  // Runs an upgrade or downgrade on a scratch database URL with
  // `settings`, this project's scripts and graph; quiet unless -v.
  // `other_scripts` / `other_map`: another history (squash's new one).
  std::function<Status(const std::string&, bool, const std::string&)>
  ScratchRunner(RunSettings settings,
                const ScriptDirectory* other_scripts = nullptr,
                const RevisionMap* other_map = nullptr) const;
  Result<std::vector<RevisionInfo>> HistoryImpl(
      const std::string& range, const std::vector<std::string>* current);

  Result<RevisionInfo> Write(const NewRevisionHeader& header,
                             const std::optional<std::string>& message,
                             const std::optional<std::string>& version_path,
                             const CreateRevisionOptions* body);
};

Status Migrator::Impl::LoadGraph() {
  if (map) return Status::OK();
  ScriptDirectoryOptions so;
  // Absolute paths, as Alembic prints them ("Path: ...", "Generating ...").
  auto absolute = [this](const std::string& p) {
    return fs::absolute(config.Resolve(p)).lexically_normal().string();
  };
  so.script_location = absolute(config.script_location);
  for (const auto& v : config.version_locations)
    so.version_locations.push_back(absolute(v));
  so.recursive_version_locations = config.recursive_version_locations;
  so.embedded = options.migrations;
  Result<ScriptDirectory> opened = ScriptDirectory::Open(so);
  if (!opened.ok() && config.path.empty() &&
      opened.status().code() == Status::Code::kNotFound) {
    // No project here at all: say that, not which folder is missing.
    std::error_code ec;
    return Status::NotFound(
        "no retort.toml in " + fs::current_path(ec).string() + " (and no " +
        config.script_location +
        "/ folder): run 'retort init migrations' to create a project, or "
        "pass -c FILE (or set RETORT_CONFIG)");
  }
  RETORT_ASSIGN_OR_RETURN(ScriptDirectory dir, std::move(opened));
  RETORT_RETURN_IF_ERROR(dir.Load());
  RETORT_ASSIGN_OR_RETURN(RevisionMap m, RevisionMap::Build(dir.Revisions()));
  scripts.emplace(std::move(dir));
  map.emplace(std::move(m));
  schema_set.reset();
  RETORT_ASSIGN_OR_RETURN(SchemaSet set, SchemaSet::Build(config, *map));
  schema_set.emplace(std::move(set));
  return Status::OK();
}

Result<const SchemaEntry*> Migrator::Impl::ActiveSchema() {
  if (options.schema.empty()) return static_cast<const SchemaEntry*>(nullptr);
  RETORT_RETURN_IF_ERROR(LoadGraph());
  RETORT_ASSIGN_OR_RETURN(const SchemaEntry* entry,
                          schema_set->Find(options.schema));
  if (entry && !entry->graph) return static_cast<const SchemaEntry*>(nullptr);
  return entry;
}

Result<const RevisionMap*> Migrator::Impl::Graph() {
  RETORT_RETURN_IF_ERROR(LoadGraph());
  RETORT_ASSIGN_OR_RETURN(const SchemaEntry* schema, ActiveSchema());
  if (schema) return &schema->graph->map;
  return &*map;
}

RevisionInfo Migrator::Impl::Info(const RevisionNode& node) const {
  return Info(*map, node);
}

RevisionInfo Migrator::Impl::Info(const RevisionMap& graph,
                                  const RevisionNode& node) const {
  RevisionInfo info;
  const Revision& r = node.revision;
  info.id = r.id;
  info.down_revisions = r.down_revisions;
  info.depends_on = r.depends_on;
  info.branch_labels = node.branch_labels;
  info.children = graph.Children(node);
  info.doc = r.doc;
  info.longdoc = r.doc;
  info.path = r.path;
  if (const RevisionFile* f = scripts->Find(r.id)) {
    if (!f->long_doc.empty()) info.longdoc += "\n" + f->long_doc;
    info.create_date = f->create_date;
    info.phase = f->phase;
  }
  info.is_head = node.is_head;
  info.is_real_head = node.is_real_head;
  info.is_base = node.is_base;
  info.is_branch_point = node.is_branch_point;
  info.is_merge_point = node.is_merge_point;
  return info;
}

std::vector<RevisionInfo> Migrator::Impl::Infos(
    const std::vector<const RevisionNode*>& nodes) const {
  return Infos(*map, nodes);
}

std::vector<RevisionInfo> Migrator::Impl::Infos(
    const RevisionMap& graph,
    const std::vector<const RevisionNode*>& nodes) const {
  std::vector<RevisionInfo> out;
  out.reserve(nodes.size());
  for (const RevisionNode* n : nodes)
    if (n) out.push_back(Info(graph, *n));  // nullptr stands for "base"
  return out;
}

Result<RevisionInfo> Migrator::Impl::Write(
    const NewRevisionHeader& header, const std::optional<std::string>& message,
    const std::optional<std::string>& version_path,
    const CreateRevisionOptions* body) {
  std::vector<std::string> head_paths;
  for (const auto& parent : header.down_revisions)
    if (const RevisionFile* f = scripts->Find(parent))
      head_paths.push_back(f->revision.path);
  RETORT_ASSIGN_OR_RETURN(std::string directory,
                          scripts->VersionPathFor(version_path, head_paths));
  NewRevisionFile file;
  file.directory = directory;
  file.file_template = config.file_template;
  file.truncate_slug_length = config.truncate_slug_length;
  file.script_template_path = scripts->template_path();
  RETORT_ASSIGN_OR_RETURN(file.script_template,
                          LoadScriptTemplate(file.script_template_path));
  for (const auto& [name, value] : config.placeholders)
    file.passthrough_placeholders.push_back(name);
  file.passthrough_placeholders.push_back("schema");
  file.message = message;
  file.rev_id = header.id;
  file.down_revisions = header.down_revisions;
  file.branch_labels = header.branch_labels;
  file.depends_on = header.depends_on;
  std::optional<std::string> tz;
  if (!config.timezone.empty()) tz = config.timezone;
  RETORT_ASSIGN_OR_RETURN(file.create_date,
                          MakeCreateDate(std::chrono::system_clock::now(), tz));
  if (body) {
    file.upgrades = body->upgrade_sql;
    file.downgrades = body->downgrade_sql;
    file.transactional = body->transactional;
    file.lock_timeout = body->lock_timeout;
    file.phase = body->phase;
  }
  RETORT_ASSIGN_OR_RETURN(std::string path, WriteRevisionFile(file));

  RevisionInfo info;
  info.id = header.id;
  info.down_revisions = header.down_revisions;
  info.depends_on = header.depends_on;
  info.branch_labels = header.branch_labels;
  info.doc = message.value_or("empty message");
  info.longdoc = info.doc;
  info.path = path;
  info.create_date = FormatCreateDate(file.create_date);
  info.phase = file.phase;
  info.is_head = info.is_real_head = true;
  info.is_base = header.down_revisions.empty();
  info.is_merge_point = header.down_revisions.size() > 1;
  // The graph changed on disk; reload on next use.
  schema_set.reset();
  map.reset();
  scripts.reset();
  return info;
}

Result<RunTarget> Migrator::Impl::SessionTarget() const {
  if (!borrowed) return Target();
  RunTarget target = TargetFor("");
  target.borrowed = borrowed.get();
  return target;
}

Status Migrator::Impl::RefuseBorrowed(const std::string& command) const {
  if (!borrowed) return Status::OK();
  return Status::InvalidArgument(
      command +
      ": the fan-out opens a session per unit from URLs and cannot use the "
      "borrowed connection (Options::connection); open another Migrator "
      "without it");
}

Result<RunTarget> Migrator::Impl::Target(bool resolve_url) const {
  if (config.url.empty() && resolve_url && borrowed) {
    return Status::InvalidArgument(
        "no database URL: this command opens sessions of its own, and the "
        "borrowed connection (Options::connection) serves only upgrade, "
        "downgrade, stamp, current, history and verify; set Options::url");
  }
  if (config.url.empty() && resolve_url &&
      (options.config_path.empty() || !options.config_text.empty())) {
    // An embedding application: neither a file nor DATABASE_URL is read.
    return Status::InvalidArgument(
        std::string("no database URL: set Options::url") +
        (options.config_text.empty() ? ""
                                     : ", or 'url' in Options::config_text"));
  }
  if (config.url.empty() && resolve_url) {
    return Status::InvalidArgument(
        "no database URL: set 'url' in " +
        (config.path.empty() ? std::string("retort.toml") : config.path) +
        ", set DATABASE_URL, or pass --url");
  }
  // Secrets are fetched only here, when a command needs the database.
  std::string url;
  if (resolve_url) {
    RETORT_ASSIGN_OR_RETURN(url, Resolve(config.url));
  }
  return TargetFor(std::move(url));
}

Status Migrator::Impl::CheckSchema(const std::string& command, bool offline,
                                   bool all_schemas_possible, bool graph_only) {
  RETORT_RETURN_IF_ERROR(LoadGraph());
  SchemaChoice choice;
  choice.config = &config;
  choice.map = &*map;
  choice.schema = options.schema;
  choice.command = command;
  choice.all_schemas_possible = all_schemas_possible;
  choice.graph_only = graph_only;
  if (!offline) {
    choice.database_schemas = [this]() -> Result<std::vector<std::string>> {
      RETORT_ASSIGN_OR_RETURN(RunTarget target, SessionTarget());
      RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
      RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                              OpenSession(target, settings, SessionUse::kRead));
      Connection& db = session->db();
      std::vector<std::string> names;
      if (db.dialect() != Dialect::kPostgres) {
        names.push_back("main");  // SQLite has one schema of its own
        return names;
      }
      RETORT_ASSIGN_OR_RETURN(
          QueryResult rows,
          db.Query("SELECT nspname FROM pg_namespace WHERE nspname !~ "
                   "'^pg_' AND nspname <> 'information_schema' ORDER BY 1"));
      for (const Row& row : rows.rows)
        if (!row.empty() && row[0]) names.push_back(*row[0]);
      RETORT_RETURN_IF_ERROR(session->End());
      return names;
    };
  }
  return CheckSchemaChoice(choice);
}

Result<RunTarget> Migrator::Impl::OfflineTarget() const {
  if (borrowed) return SessionTarget();     // its dialect
  if (config.url.empty()) return Target();  // the "no database URL" error
  // Offline SQL needs the dialect only: a Vault reference is not read.
  if (IsVaultReference(config.url)) {
    if (options.log && options.log_level <= LogLevel::kInfo) {
      options.log(LogLevel::kInfo,
                  "--sql: the url is a Vault reference, not read; writing "
                  "PostgreSQL SQL (pass --url sqlite:// for SQLite)");
    }
    return TargetFor("postgresql://");
  }
  return TargetFor(config.url);
}

RunTarget Migrator::Impl::TargetFor(std::string url) const {
  RunTarget t;
  t.url = std::move(url);
  t.version_table = config.version_table;
  t.version_table_schema = config.version_table_schema;
  if (!options.schema.empty()) {
    t.schema = options.schema;
    auto it = config.schemas.find(options.schema);
    if (it != config.schemas.end()) {
      t.version_table = it->second.version_table;
      t.version_table_schema = it->second.version_table_schema;
      t.create_schema = it->second.create;
    } else {
      t.version_table = "alembic_version_" + options.schema;
      t.version_table_schema.clear();
    }
  }
  return t;
}

Result<RunSettings> Migrator::Impl::Settings() const {
  RunSettings s;
  s.transaction_per_migration = config.transaction_per_migration;
  s.history_table = config.history_table;
  s.lock_timeout = config.lock_timeout;
  s.lock_retries = config.lock_retries;
  if (!config.max_replica_lag.empty()) {
    RETORT_ASSIGN_OR_RETURN(s.max_replica_lag_ms,
                            ParseDurationMs(config.max_replica_lag));
  }
  s.statement_timeout = config.statement_timeout;
  if (!config.migration_lock_timeout.empty()) {
    // Checked when the configuration was read.
    auto ms = ParseDurationMs(config.migration_lock_timeout);
    s.lock_wait_timeout_ms = ms.ok() ? static_cast<int>(*ms) : 0;
  }
  for (const auto& [name, value] : config.placeholders) {
    RETORT_ASSIGN_OR_RETURN(s.placeholders[name], Resolve(value));
  }
  s.secret_placeholders = SecretPlaceholderNames();
  s.on_edited_warn = config.on_edited == "warn";
  s.code = &options.code;
  s.tool_version = RETORT_VERSION;
  // The preflight (runtime/preflight.h) prepares every step before the
  // run; the run then takes them from here instead of parsing again.
  s.step_cache = NewPreparedStepCache();
  s.log = options.log;
  s.log_level = options.log_level;
  // -v and -x debug=true print statements: never a secret's value.
  SecretMask mask(s.placeholders, s.secret_placeholders);
  if (!mask.empty() && s.log) {
    s.log = [log = s.log, mask](LogLevel level, std::string_view message) {
      log(level, mask.Apply(std::string(message)));
    };
  }
  return s;
}

std::set<std::string> Migrator::Impl::SecretPlaceholderNames() const {
  std::set<std::string> names = config.secret_placeholders;
  for (const auto& [name, value] : config.placeholders) {
    if (IsVaultReference(value)) names.insert(name);
  }
  return names;
}

Result<MigrationResult> Migrator::Impl::RunMasked(const RunRequest& request,
                                                  const RunOptions& options) {
  Result<MigrationResult> result = RunCommand(request, options);
  if (result.ok() || SecretPlaceholderNames().empty()) return result;
  // A failing statement's error may quote the statement, value included.
  auto settings = Settings();
  if (!settings.ok()) return result;
  return SecretMask(settings->placeholders, settings->secret_placeholders)
      .Apply(result.status());
}

Result<MigrationResult> Migrator::Impl::RunCommand(
    const RunRequest& request, const RunOptions& run_options) {
  const bool stamp = request.command == RunRequest::Command::kStamp;
  // Before anything connects: `upgrade ''` from an unset shell variable.
  RETORT_RETURN_IF_ERROR(CheckRevisionArguments(
      stamp                                              ? "stamp"
      : request.command == RunRequest::Command::kUpgrade ? "upgrade"
                                                         : "downgrade",
      request.targets));
  RETORT_RETURN_IF_ERROR(LoadGraph());
  RETORT_RETURN_IF_ERROR(CheckCodeMigrations(*scripts, options.code));
  RETORT_RETURN_IF_ERROR(CheckSchema(
      stamp                                              ? "stamp"
      : request.command == RunRequest::Command::kUpgrade ? "upgrade"
                                                         : "downgrade",
      request.offline, !stamp));
  RETORT_ASSIGN_OR_RETURN(RunTarget target,
                          request.offline ? OfflineTarget() : SessionTarget());
  RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
  settings.progress = run_options.progress;
  if (run_options.allow_edited) settings.on_edited_warn = true;
  settings.in_flight = run_options.in_flight;
  RETORT_ASSIGN_OR_RETURN(const SchemaEntry* schema, ActiveSchema());
  if (!request.offline && options.log && options.log_level <= LogLevel::kInfo) {
    // Which database, always: a default URL must never be used by surprise.
    options.log(LogLevel::kInfo,
                "Database " + DatabaseName(target) + ", version table " +
                    (target.version_table_schema.empty()
                         ? std::string()
                         : target.version_table_schema + ".") +
                    target.version_table +
                    (target.schema.empty() ? std::string()
                                           : ", schema " + target.schema));
  }
  std::optional<RunReport> done;
  if (schema && !request.offline) {
    // The schema's branch alone, after checking its "Depends On" against
    // the other schemas' version tables (same connection, same database).
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                            OpenSession(target, settings, SessionUse::kRun));
    RETORT_RETURN_IF_ERROR(
        schema_set->CheckDependencies(session->db(), options.schema, request));
    auto ran = RunOnConnection(session->db(), *scripts, schema->graph->map,
                               target, settings, request);
    Status ended = session->End();
    if (!ran.ok()) return ran.status();
    RETORT_RETURN_IF_ERROR(ended);
    done = std::move(ran).value();
  } else {
    RETORT_ASSIGN_OR_RETURN(
        done, Run(*scripts, schema ? schema->graph->map : *map, target,
                  settings, request));
  }
  RunReport& report = *done;
  MigrationResult out;
  out.heads_before = std::move(report.heads_before);
  out.heads_after = std::move(report.heads_after);
  out.sql = std::move(report.offline_sql);
  for (auto& step : report.steps) {
    out.steps.push_back({std::move(step.revision), std::move(step.description),
                         step.upgrade, step.duration_ms});
  }
  return out;
}

Result<std::vector<RevisionInfo>> Migrator::Impl::HistoryImpl(
    const std::string& range, const std::vector<std::string>* current) {
  std::string base = "base", head = "heads";
  if (!range.empty()) {
    size_t colon = range.find(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument(
          "History range requires [start]:[end], [start]:, or :[end]");
    }
    std::string start(Trim(range.substr(0, colon)));
    std::string end(Trim(range.substr(colon + 1)));
    if (!start.empty()) base = start;
    if (!end.empty()) head = end;
  }
  if (base == "current" || head == "current") {
    if (!current) {
      return Status::InvalidArgument(
          "'current' in a history range needs the database: add "
          "-i/--indicate-current");
    }
    if (current->size() > 1) {
      return Status::InvalidArgument("the database has several heads (" +
                                     Join(*current, ", ") +
                                     "); name one instead of 'current'");
    }
    std::string cur = current->empty() ? "base" : current->front();
    if (base == "current") base = cur;
    if (head == "current") head = cur;
  }
  RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, Graph());
  RETORT_ASSIGN_OR_RETURN(auto nodes, WalkRevisions(*graph, base, head));
  std::vector<RevisionInfo> infos = Infos(*graph, nodes);
  if (current) {
    for (auto& info : infos)
      info.is_current = std::find(current->begin(), current->end(), info.id) !=
                        current->end();
  }
  return infos;
}

namespace {

bool SqliteUrl(const std::string& url) {
  auto parsed = ParseDatabaseUrl(url);
  return parsed.ok() && parsed->dialect == Dialect::kSqlite;
}

}  // namespace

Result<std::vector<std::string>> Migrator::Impl::ModelFiles() const {
  return ListModelSources(config);
}

Result<std::vector<ModelFile>> Migrator::Impl::ReadModels(
    bool sqlite, const Result<std::vector<std::string>>* listed) const {
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> sources,
                          listed != nullptr ? *listed : ModelFiles());
  return ReadModelSources(config, sources, sqlite, options.log,
                          options.log_level);
}

Result<ModelScan> Migrator::Impl::ScanModelFiles(
    bool normalize, const Result<std::vector<std::string>>* sources) const {
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                          ReadModels(SqliteUrl(config.url), sources));
  // Parsing 2,000 tables' models costs about 0.3 s: unchanged files are
  // not parsed again (model_cache.h).
  return ScanModelsCached(files, normalize);
}

std::string Migrator::Impl::AutogenHeads() const {
  if (!options.schema.empty()) {
    auto it = config.schemas.find(options.schema);
    if (it != config.schemas.end() && !it->second.branch.empty() &&
        map->FindBranchLabel(it->second.branch) != nullptr) {
      return it->second.branch + "@head";
    }
  }
  return "heads";
}

IntrospectOptions Migrator::Impl::CompareFilter() const {
  IntrospectOptions filter;
  filter.include_schemas = config.include_schemas;
  filter.exclude_schemas = config.exclude_schemas;
  filter.exclude_tables = config.exclude_tables;
  if (!options.schema.empty()) filter.include_schemas = {options.schema};
  // retort's own tables are never compared, whatever they are called.
  std::vector<std::string> version_tables = {config.version_table};
  for (const auto& [name, schema] : config.schemas)
    version_tables.push_back(schema.version_table);
  for (const std::string& table : version_tables) {
    VersionTableSql names(Dialect::kPostgres, table, "");
    filter.exclude_tables.push_back(table);
    filter.exclude_tables.push_back(names.history_table());
    filter.exclude_tables.push_back(names.meta_table());
  }
  return filter;
}

Status Migrator::Impl::ChooseScratch(const std::string& dev,
                                     DiffOptions* o) const {
  return ChooseScratchDatabases(
      dev, config, [this](const std::string& v) { return Resolve(v); }, o);
}

std::function<Status(const std::string&)> Migrator::Impl::Replayer(
    const RunTarget& target, RunSettings settings,
    std::vector<std::string> revisions) const {
  // The replay's own progress ("Running upgrade ...") is about a scratch
  // database: shown with -v only.
  if (settings.log_level > LogLevel::kDebug) {
    settings.log_level = std::max(settings.log_level, LogLevel::kWarn);
  }
  return [this, target, settings,
          revisions = std::move(revisions)](const std::string& scratch_url) {
    if (revisions.empty()) return Status::OK();  // nothing applied
    RunTarget replay = target;
    replay.url = scratch_url;
    RunRequest request;
    request.command = RunRequest::Command::kUpgrade;
    request.targets = revisions;
    return Run(*scripts, *map, replay, settings, request)
        .status()
        .WithContext("replaying the migrations (upgrade " +
                     Join(revisions, " ") + ") into a scratch database");
  };
}

Result<DiffResult> Migrator::Impl::DiffImpl(
    const AutogenOptions& autogen,
    std::shared_ptr<const SchemaDiagram>* models_diagram) {
  const bool models_only = models_diagram != nullptr;
  const bool from_migrations =
      autogen.from == AutogenOptions::From::kMigrations && !models_only;
  // -v names every model source and unread file; otherwise long lists are
  // shortened (model_sources.h).
  const bool log_debug = options.log && options.log_level <= LogLevel::kDebug;
  const size_t shown =
      log_debug ? std::numeric_limits<size_t>::max() : kModelSourcesShown;
  // The model sources (an error, such as a pattern matching nothing, is
  // reported when the models are read, below).
  const Result<std::vector<std::string>> sources = ModelFiles();
  // The .sql files under the models' folders that no pattern reads: said
  // first, as they may explain what follows (an error, or no changes).
  std::vector<std::string> unmatched = UnmatchedModelSources(
      config, sources.ok() ? *sources : std::vector<std::string>{}, options.log,
      options.log_level, shown);
  // SQLite models may use SQLite's own syntax, which the PostgreSQL parser
  // behind ScanModels rejects; the SQLite loader checks them instead.
  auto parsed_url = ParseDatabaseUrl(config.url);
  const bool sqlite =
      parsed_url.ok() && parsed_url->dialect == Dialect::kSqlite;
  const bool online = autogen.online || config.online;
  if (online && sqlite) {
    return Status::InvalidArgument(
        std::string(autogen.online
                        ? "--online"
                        : "online = true in " +
                              (config.path.empty() ? std::string("retort.toml")
                                                   : config.path)) +
        ": online plans are for PostgreSQL, and the database is SQLite, "
        "which has no concurrent index builds or NOT VALID constraints and "
        "locks the whole file for every write; autogenerate without it");
  }
  DiffOptions o;
  o.online = online;
  o.filter = CompareFilter();
  // The live database is read (read-only, on a thread of its own) while
  // the model files are parsed: at 10,000 tables each takes most of a
  // second. A broken model file is still the error reported.
  RunTarget target;
  if (!sqlite && !from_migrations && !models_only) {
    RETORT_ASSIGN_OR_RETURN(target, Target());
    // Its server's identity keys the model cache and decides the
    // normaliser, unless the models go to a dev database or a throwaway
    // cluster.
    const bool scratch_on_target =
        autogen.dev.empty() && config.dev_url.empty();
    o.target_read = TargetRead::Start(target.url, o.filter, scratch_on_target);
  }
  ModelScan scan;
  std::vector<ModelFile> sqlite_models;
  if (sqlite) {
    RETORT_ASSIGN_OR_RETURN(sqlite_models,
                            ReadModels(/*sqlite=*/true, &sources));
    for (const ModelFile& file : sqlite_models) scan.files.push_back(file.path);
  } else {
    RETORT_ASSIGN_OR_RETURN(scan, ScanModelFiles(/*normalize=*/true, &sources));
  }
  o.models_setting =
      "the 'models' setting in " +
      (config.path.empty() ? std::string("retort.toml") : config.path);
  if (!sqlite) {
    RETORT_RETURN_IF_ERROR(
        CheckModelsDefineSomething(scan, o.filter, o.models_setting));
  }

  RETORT_RETURN_IF_ERROR(ChooseScratch(autogen.dev, &o));
  // Seed 001: with per-schema sections, schemas come from the models and
  // are created idempotently; a downgrade never drops one.
  o.idempotent_schemas = !config.schemas.empty();
  o.log = options.log;
  o.log_level = options.log_level;

  if (from_migrations || models_only) {
    if (!models_only) RETORT_RETURN_IF_ERROR(LoadGraph());
    RETORT_ASSIGN_OR_RETURN(target, Target(/*resolve_url=*/false));
    if (!config.url.empty() && !o.ephemeral && o.dev_url.empty()) {
      // Only a server to create scratch databases on: when the URL cannot
      // be resolved, a throwaway cluster does as well.
      auto url = Resolve(config.url);
      if (url.ok()) {
        target.url = *url;
      } else if (options.log && options.log_level <= LogLevel::kWarn) {
        options.log(LogLevel::kWarn, url.status().message());
      }
    }
    if (models_only) {
      o.build_current = [](const std::string&) { return Status::OK(); };
    } else {
      RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
      o.build_current =
          Replayer(target, std::move(settings), {AutogenHeads()});
    }
  } else if (sqlite) {
    RETORT_ASSIGN_OR_RETURN(target, Target());
  }

  o.keep_diagram = models_only;
  AutogenResult r;
  if (sqlite) {
    RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target.url));
    RETORT_ASSIGN_OR_RETURN(r, DiffSqliteModelFiles(url, sqlite_models, o));
  } else {
    RETORT_ASSIGN_OR_RETURN(r, DiffScannedModels(target.url, scan, o));
  }
  if (models_only) *models_diagram = r.desired_diagram;
  DiffResult out;
  out.upgrade_sql = std::move(r.upgrade_sql);
  out.downgrade_sql = std::move(r.downgrade_sql);
  out.contract_upgrade_sql = std::move(r.contract_upgrade_sql);
  out.contract_downgrade_sql = std::move(r.contract_downgrade_sql);
  out.operations = r.operations.size();
  out.model_files = scan.files;
  out.unmatched_model_files = std::move(unmatched);
  out.compared_with =
      from_migrations ? ComparedWith::kMigrations : ComparedWith::kDatabase;
  out.scratch = std::move(r.scratch);
  out.online = online;
  // What was read, once the comparison is done (text and JSON alike, on
  // the log: `revision --autogenerate` prints it too).
  if (options.log && options.log_level <= LogLevel::kInfo) {
    options.log(LogLevel::kInfo, ModelSourcesLine(scan.files, shown));
  }
  return out;
}

Migrator::Migrator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Migrator::~Migrator() = default;

const char* ComparedWithName(ComparedWith with) {
  return with == ComparedWith::kMigrations ? "migrations" : "database";
}

Result<std::unique_ptr<Migrator>> Migrator::Open(const Options& options) {
  return ApiCall([&]() -> Result<std::unique_ptr<Migrator>> {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    if (options.log) {
      // Log lines leave the library masked, as Status messages do.
      impl->options.log = [log = options.log](LogLevel level,
                                              std::string_view line) {
        log(level, Redact(line));
      };
    }
    LoadOptions lo;
    lo.name = options.name;
    lo.x_args = options.x_args;
    if (!options.config_text.empty()) {
      // A retort.toml compiled into the application: parsed as if read from
      // config_path (which names it and anchors its relative paths); no
      // .env, and DATABASE_URL is not read unless the text says so.
      lo.database_url_default = false;
      RETORT_ASSIGN_OR_RETURN(
          impl->config,
          ParseConfig(options.config_text,
                      options.config_path.empty() ? std::string("retort.toml")
                                                  : options.config_path,
                      lo));
    } else if (options.config_path.empty()) {
      // No configuration file (an embedding application): the defaults and
      // what the options say; no .env, and DATABASE_URL is not read.
      if (options.config_must_exist) {
        return Status::InvalidArgument(
            "config_must_exist with no config_path: name the configuration "
            "file, or leave config_must_exist false");
      }
      impl->config = Config();
    } else {
      RETORT_ASSIGN_OR_RETURN(
          impl->config,
          LoadConfig(options.config_path, lo, options.config_must_exist));
    }
    if (!options.url.empty()) impl->config.url = options.url;
    if (options.connection.postgres != nullptr &&
        options.connection.sqlite != nullptr) {
      return Status::InvalidArgument(
          "Options::connection: lend a PostgreSQL or an SQLite connection, "
          "not both");
    }
    if (options.connection.postgres != nullptr) {
      RETORT_ASSIGN_OR_RETURN(impl->borrowed, PostgresConnection::Borrow(
                                                  options.connection.postgres));
    } else if (options.connection.sqlite != nullptr) {
      RETORT_ASSIGN_OR_RETURN(
          impl->borrowed, SqliteConnection::Borrow(options.connection.sqlite));
    }
    SecretResolverOptions secret_options;
    secret_options.getenv =
        [dotenv = impl->config.dotenv](
            const std::string& name) -> std::optional<std::string> {
      if (const char* v = std::getenv(name.c_str())) return std::string(v);
      auto it = dotenv.find(name);
      if (it == dotenv.end()) return std::nullopt;
      return it->second;
    };
    impl->secrets = std::make_unique<SecretResolver>(std::move(secret_options));
    return std::unique_ptr<Migrator>(new Migrator(std::move(impl)));
  });
}

std::vector<TemplateInfo> Migrator::ListTemplates() {
  std::vector<TemplateInfo> out;
  for (const auto& t : ProjectTemplates())
    out.push_back({t.name, t.description});
  return out;
}

namespace {

Status WriteNewFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError(path.string() + ": cannot write");
  return Status::OK();
}

}  // namespace

Status Migrator::Init(const std::string& directory,
                      const std::string& template_name,
                      const std::string& config_path) {
  return ApiCall([&]() -> Status {
    const ProjectTemplate* tmpl = FindProjectTemplate(template_name);
    if (!tmpl) {
      std::vector<std::string> names;
      for (const auto& t : ProjectTemplates()) names.push_back(t.name);
      return Status::InvalidArgument("no template named '" + template_name +
                                     "'" + DidYouMean(template_name, names) +
                                     " (available: " + Join(names, ", ") +
                                     "; see 'retort list-templates')");
    }
    std::error_code ec;
    fs::path dir(directory);
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
      return Status::AlreadyExists("directory '" + directory +
                                   "' already exists and is not empty; choose "
                                   "another directory or empty it");
    }
    if (fs::exists(config_path, ec)) {
      return Status::AlreadyExists(
          "'" + config_path +
          "' already exists; remove it, or pass -c FILE to write another one");
    }
    fs::create_directories(dir / "versions", ec);
    if (ec) {
      return Status::IOError("cannot create '" + (dir / "versions").string() +
                             "': " + ec.message());
    }
    // script_location is written relative to the config file's folder.
    fs::path config_dir = fs::absolute(config_path).parent_path();
    std::string location = fs::absolute(dir)
                               .lexically_normal()
                               .lexically_relative(config_dir)
                               .generic_string();
    if (!location.empty() && location.back() == '/') location.pop_back();
    std::string config = tmpl->config;
    for (size_t at = config.find("@SCRIPT_LOCATION@"); at != std::string::npos;
         at = config.find("@SCRIPT_LOCATION@"))
      config.replace(at, 17, location);
    RETORT_RETURN_IF_ERROR(WriteNewFile(dir / kScriptTemplateName,
                                        std::string(kDefaultScriptTemplate)));
    RETORT_RETURN_IF_ERROR(WriteNewFile(dir / "README.md", tmpl->readme));
    if (!config_dir.empty()) fs::create_directories(config_dir, ec);
    return WriteNewFile(config_path, config);
  });
}

namespace {

// Where a new revision goes when a schema is involved (schema per domain).
struct Placement {
  std::string head;
  std::vector<std::string> branch_labels;
  // Set when the revision starts the schema's branch: its default bodies
  // create the schema.
  std::string new_schema;
};

Placement PlaceRevision(const Config& config, const RevisionMap& map,
                        const std::string& schema_flag,
                        const CreateRevisionOptions& options) {
  Placement out;
  out.head = options.head.empty() ? "head" : options.head;
  out.branch_labels = options.branch_labels;
  // The schema: --schema / -x schema=, or (the seeds' "revision
  // --branch-label auth") a new label that is a configured schema's branch.
  std::string schema = schema_flag;
  std::string branch;
  if (!schema.empty()) {
    auto it = config.schemas.find(schema);
    branch = it != config.schemas.end() ? it->second.branch : schema;
  } else {
    for (const std::string& label : options.branch_labels) {
      if (map.FindBranchLabel(label)) continue;
      for (const auto& [name, sc] : config.schemas) {
        if (sc.branch == label) {
          schema = name;
          branch = label;
        }
      }
      if (!schema.empty()) break;
    }
  }
  // An explicit --head wins; a schema configured with branch = "" shares
  // the whole graph.
  if (schema.empty() || branch.empty() || !options.head.empty()) return out;
  if (map.FindBranchLabel(branch)) {
    out.head = branch + "@head";
    return out;
  }
  out.head = "base";
  if (std::find(out.branch_labels.begin(), out.branch_labels.end(), branch) ==
      out.branch_labels.end()) {
    out.branch_labels.push_back(branch);
  }
  out.new_schema = schema;
  return out;
}

}  // namespace

Result<RevisionInfo> Migrator::CreateRevision(
    const CreateRevisionOptions& options) {
  return ApiCall([&]() -> Result<RevisionInfo> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseEmbedded("revision"));
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    CreateRevisionOptions body = options;
    const Placement place = PlaceRevision(impl_->config, *impl_->map,
                                          impl_->options.schema, options);
    if (!place.new_schema.empty() && !options.autogenerate &&
        options.upgrade_sql.empty() && options.downgrade_sql.empty()) {
      // The seeds' "init <schema> schema" revision. The downgrade is left
      // commented out: dropping a schema drops its data.
      std::string name = MaybeQuoteIdent(place.new_schema);
      body.upgrade_sql = "CREATE SCHEMA IF NOT EXISTS " + name + ";";
      body.downgrade_sql =
          "-- Dropping the schema drops every table in it, data included;\n"
          "-- uncomment if that is what a downgrade should do, or replace\n"
          "-- these lines with \"-- retort: empty\" to keep the schema (a\n"
          "-- section with neither is refused as irreversible).\n"
          "-- DROP SCHEMA IF EXISTS " +
          name + " CASCADE;";
    }
    if (options.autogenerate &&
        options.autogen.from == AutogenOptions::From::kDatabase) {
      // Alembic's rule: compare against a database that has every revision,
      // or the new file would repeat what a pending revision does. (Replayed
      // migrations are at every head by construction.)
      RETORT_RETURN_IF_ERROR(
          impl_->CheckSchema("revision --autogenerate", false, false));
      RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->Target());
      RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
      RETORT_ASSIGN_OR_RETURN(std::vector<std::string> current,
                              ReadCurrentHeads(target, settings));
      // With a schema, "up to date" means at its branch's heads.
      RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
      std::vector<std::string> heads = graph->Heads();
      std::sort(current.begin(), current.end());
      std::sort(heads.begin(), heads.end());
      if (current != heads) {
        return Status::Conflict("Target database is not up to date.");
      }
    }
    // An online plan with removals: the rest is an expand revision, the
    // removals a contract revision after it (docs/online.md).
    std::optional<CreateRevisionOptions> contract;
    if (options.autogenerate) {
      RETORT_ASSIGN_OR_RETURN(DiffResult diff,
                              impl_->DiffImpl(options.autogen));
      body.upgrade_sql = diff.upgrade_sql;
      body.downgrade_sql = diff.downgrade_sql;
      if (!diff.contract_upgrade_sql.empty()) {
        contract = body;
        contract->upgrade_sql = diff.contract_upgrade_sql;
        contract->downgrade_sql = diff.contract_downgrade_sql;
        contract->phase = "contract";
        contract->lock_timeout = impl_->config.online_lock_timeout;
        if (diff.upgrade_sql.empty()) {  // nothing to expand: one revision
          body = *contract;
          contract.reset();
        } else {
          body.phase = "expand";
        }
      }
      // Every step of an online plan waits for a lock only briefly, then
      // retries (lock_retries), so writers never queue long behind it.
      if (diff.online && !diff.empty()) {
        body.lock_timeout = impl_->config.online_lock_timeout;
      }
      const Options& o = impl_->options;
      if (diff.empty() && o.log && o.log_level <= LogLevel::kInfo) {
        o.log(LogLevel::kInfo,
              "No changes in schema detected; the new revision is empty");
      }
      if (diff.empty()) {
        // Alembic's "pass": deliberately empty, so it runs (an empty section
        // without the directive is irreversible).
        body.upgrade_sql = std::string(kEmptyDirectiveLine);
        body.downgrade_sql = std::string(kEmptyDirectiveLine);
      }
    }
    retort::NewRevisionOptions plan;
    plan.rev_id = options.rev_id.empty() ? NewRevisionId() : options.rev_id;
    plan.head = {place.head};
    plan.splice = options.splice;
    plan.branch_labels = place.branch_labels;
    plan.depends_on = options.depends_on;
    RETORT_ASSIGN_OR_RETURN(NewRevisionHeader header,
                            PlanNewRevision(*impl_->map, plan));
    std::optional<std::string> message;
    if (!options.message.empty()) message = options.message;
    std::optional<std::string> version_path;
    if (!options.version_path.empty()) version_path = options.version_path;
    if (!contract) return impl_->Write(header, message, version_path, &body);
    RETORT_ASSIGN_OR_RETURN(RevisionInfo expand,
                            impl_->Write(header, message, version_path, &body));
    // The contract revision revises the expand one; what the caller gets
    // back (its parent is the expand revision).
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    retort::NewRevisionOptions next;
    next.rev_id = NewRevisionId();
    next.head = {expand.id};
    RETORT_ASSIGN_OR_RETURN(NewRevisionHeader contract_header,
                            PlanNewRevision(*impl_->map, next));
    std::optional<std::string> contract_message =
        message.value_or("empty message") + " (contract)";
    return impl_->Write(contract_header, contract_message, version_path,
                        &*contract);
  });
}

Result<RevisionInfo> Migrator::Merge(const MergeOptions& options) {
  return ApiCall([&]() -> Result<RevisionInfo> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseEmbedded("merge"));
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    std::string rev_id =
        options.rev_id.empty() ? NewRevisionId() : options.rev_id;
    RETORT_ASSIGN_OR_RETURN(NewRevisionHeader header,
                            PlanMerge(*impl_->map, options.revisions, rev_id,
                                      options.branch_labels));
    std::optional<std::string> message;
    if (!options.message.empty()) message = options.message;
    // A merge joins branches and runs nothing: both sections say so, or
    // running through it would be refused as irreversible.
    CreateRevisionOptions body;
    body.upgrade_sql = std::string(kEmptyDirectiveLine);
    body.downgrade_sql = std::string(kEmptyDirectiveLine);
    return impl_->Write(header, message, std::nullopt, &body);
  });
}

Result<std::vector<RevisionInfo>> Migrator::Heads(const HeadsOptions& options) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    // With --schema S, the heads of S's branch (S must name one).
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("heads", true, false, true));
    RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
    const RevisionMap& map = *graph;
    if (options.resolve_dependencies) {
      RETORT_ASSIGN_OR_RETURN(auto nodes, ResolveRevisions(map, "heads"));
      return impl_->Infos(map, nodes);
    }
    std::vector<const RevisionNode*> nodes;
    for (const auto& id : map.Heads()) nodes.push_back(map.Find(id));
    return impl_->Infos(map, nodes);
  });
}

Result<std::vector<BranchPoint>> Migrator::Branches() {
  return ApiCall([&]() -> Result<std::vector<BranchPoint>> {
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    const RevisionMap& map = *impl_->map;
    RETORT_ASSIGN_OR_RETURN(auto walk, WalkRevisions(map));
    std::vector<BranchPoint> out;
    for (const RevisionNode* n : walk) {
      if (!n || !n->is_branch_point) continue;
      BranchPoint bp;
      bp.revision = impl_->Info(*n);
      for (const auto& child : map.Children(*n))
        bp.children.push_back(impl_->Info(*map.Find(child)));
      out.push_back(std::move(bp));
    }
    return out;
  });
}

Result<std::vector<RevisionInfo>> Migrator::History(const std::string& range) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("history", true, false, true));
    return impl_->HistoryImpl(range, nullptr);
  });
}

Result<std::vector<RevisionInfo>> Migrator::HistoryWithCurrent(
    const std::string& range) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("history -i", false, false));
    RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->SessionTarget());
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                            ReadCurrentHeads(target, settings));
    return impl_->HistoryImpl(range, &heads);
  });
}

namespace {

// The request of an upgrade or downgrade to `target`.
RunRequest MoveRequest(RunRequest::Command command, const std::string& target,
                       bool sql) {
  RunRequest r;
  r.command = command;
  r.targets = {target};
  r.offline = sql;
  return r;
}

// An upgrade's request; `phase` "expand" stops before contract revisions.
Result<RunRequest> UpgradeRequest(const std::string& target, bool sql,
                                  const std::string& phase) {
  RunRequest request = MoveRequest(RunRequest::Command::kUpgrade, target, sql);
  if (!phase.empty() && phase != "expand") {
    return Status::InvalidArgument(
        "--phase " + phase +
        ": upgrade stops only at \"expand\" (a plain upgrade runs the "
        "contract revisions too)");
  }
  request.expand_only = phase == "expand";
  return request;
}

}  // namespace

Result<MigrationResult> Migrator::Upgrade(const std::string& target,
                                          const RunOptions& options) {
  return ApiCall([&]() -> Result<MigrationResult> {
    RETORT_ASSIGN_OR_RETURN(RunRequest request,
                            UpgradeRequest(target, options.sql, options.phase));
    return impl_->RunMasked(request, options);
  });
}

Result<MigrationResult> Migrator::Downgrade(const std::string& target,
                                            const RunOptions& options) {
  return ApiCall([&]() -> Result<MigrationResult> {
    return impl_->RunMasked(
        MoveRequest(RunRequest::Command::kDowngrade, target, options.sql),
        options);
  });
}

Result<MigrationResult> Migrator::Stamp(
    const std::vector<std::string>& revisions, const RunOptions& options) {
  return ApiCall([&]() -> Result<MigrationResult> {
    RunRequest r;
    r.command = RunRequest::Command::kStamp;
    r.targets = revisions;
    r.offline = options.sql;
    r.purge = options.purge;
    return impl_->RunMasked(r, options);
  });
}

Result<std::vector<RevisionInfo>> Migrator::Pending(const std::string& target) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    RETORT_RETURN_IF_ERROR(CheckRevisionArguments("upgrade", {target}));
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("upgrade", false, true));
    RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
    RETORT_ASSIGN_OR_RETURN(RunTarget run_target, impl_->SessionTarget());
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                            ReadCurrentHeads(run_target, settings));
    // The plan an upgrade would make from these heads (run_internal.h).
    const RunRequest request =
        MoveRequest(RunRequest::Command::kUpgrade, target, /*sql=*/false);
    RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request));
    RETORT_ASSIGN_OR_RETURN(
        std::vector<MigrationStep> plan,
        MakePlan(*graph, impl_->scripts ? &*impl_->scripts : nullptr, request,
                 parsed, heads));
    std::vector<const RevisionNode*> nodes;
    for (const MigrationStep& step : plan) {
      if (step.kind == MigrationStep::Kind::kRevision) {
        nodes.push_back(step.revision);
      }
    }
    return impl_->Infos(*graph, nodes);
  });
}

Result<std::vector<RevisionInfo>> Migrator::Current(
    const CurrentOptions& options) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("current", false, true));
    RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
    RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->SessionTarget());
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                            ReadCurrentHeads(target, settings));
    const RevisionMap& map = *graph;
    if (options.check_heads) {
      std::vector<std::string> a = heads, b = map.Heads();
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (a != b)
        return Status::Conflict("Database is not on all head revisions");
    }
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> all,
                            map.GetAllCurrent(heads));
    std::vector<const RevisionNode*> nodes;
    for (const auto& id : all) nodes.push_back(map.Find(id));
    std::vector<RevisionInfo> infos = impl_->Infos(map, nodes);
    for (auto& info : infos)
      info.is_current = false;  // Alembic shows no marker
    return infos;
  });
}

Result<VerifyResult> Migrator::Verify(const VerifyOptions& verify) {
  return ApiCall([&]() -> Result<VerifyResult> {
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("verify", false, false));
    RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
    RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->SessionTarget());
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(
        IntegrityReport report,
        VerifyApplied(*impl_->scripts, *graph, target, settings));
    VerifyResult out;
    out.version_table = (target.version_table_schema.empty()
                             ? std::string()
                             : target.version_table_schema + ".") +
                        target.version_table;
    out.heads = report.heads;
    out.applied = report.applied;
    out.verified = report.verified;
    out.history_table = report.history_table;
    out.clean = report.clean();
    for (IntegrityFinding& f : report.findings) {
      out.findings.push_back({IntegrityKindName(f.kind), std::move(f.revision),
                              std::move(f.path), std::move(f.recorded),
                              std::move(f.actual), std::move(f.applied_at),
                              std::move(f.applied_by), std::move(f.next_step)});
    }
    if (verify.live) {
      // The live comparison opens its own sessions: it needs the URL.
      RETORT_ASSIGN_OR_RETURN(RunTarget live, impl_->Target());
      RETORT_RETURN_IF_ERROR(
          impl_->VerifyLive(verify, live, settings, report.heads, &out));
    }
    return out;
  });
}

Status Migrator::Impl::VerifyLive(const VerifyOptions& verify,
                                  const RunTarget& target,
                                  const RunSettings& settings,
                                  const std::vector<std::string>& heads,
                                  VerifyResult* out) {
  // Where the database is: the rows of the version table verify read (a
  // project of schemas names one with --schema, so one branch is compared).
  out->replayed_to = heads;
  std::sort(out->replayed_to.begin(), out->replayed_to.end());
  DiffOptions o;
  o.filter = CompareFilter();
  RETORT_RETURN_IF_ERROR(ChooseScratch(verify.dev, &o));
  o.log = options.log;
  o.log_level = options.log_level;
  o.build_current = Replayer(target, settings, out->replayed_to);
  RETORT_ASSIGN_OR_RETURN(AutogenResult diff,
                          DiffLiveWithReplay(target.url, o));
  out->live = true;
  out->scratch = diff.scratch;
  for (DriftItem& item : DescribeDrift(diff.operations)) {
    out->drift.push_back({DriftKindName(item.kind), std::move(item.object),
                          std::move(item.operation), std::move(item.sql),
                          std::move(item.message)});
  }
  if (!out->drift.empty()) out->clean = false;
  return Status::OK();
}

Result<SingleHeadResult> Migrator::CheckSingleHead() {
  return ApiCall([&]() -> Result<SingleHeadResult> {
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    SingleHeadResult out;
    for (BranchHeadList& branch : HeadsPerBranch(*impl_->map)) {
      BranchHeads b;
      b.branch = std::move(branch.label);
      for (const auto& [name, schema] : impl_->config.schemas) {
        if (!b.branch.empty() && schema.branch == b.branch) b.schema = name;
      }
      b.heads = std::move(branch.heads);
      out.branches.push_back(std::move(b));
    }
    return out;
  });
}

Result<RebaseResult> Migrator::Rebase(const RebaseOptions& options) {
  return ApiCall([&]() -> Result<RebaseResult> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseEmbedded("rebase"));
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    RETORT_ASSIGN_OR_RETURN(
        RebasePlan plan,
        PlanRebase(*impl_->map, options.revision, options.onto));
    RebaseResult out;
    out.revision = plan.revision;
    out.path = plan.path;
    out.old_revises = plan.old_parents;
    out.onto = plan.onto;
    out.moved = plan.line;
    for (const LineDependency& d : plan.dependencies) {
      out.dependencies.push_back({d.revision, d.depends_on});
    }
    out.nothing_to_do = plan.nothing_to_do;
    out.dry_run = options.dry_run;
    if (plan.nothing_to_do) {
      out.heads = impl_->map->Heads();
      return out;
    }
    // Released revisions do not move: none of the line may be applied (an
    // ancestor, or a dependency, of a version row) in the database.
    if (!impl_->config.url.empty()) {
      auto current = Current();
      if (!current.ok()) {
        return current.status().WithContext(
            "rebase: reading the version table of the database, to make "
            "sure no revision of the line is applied there (pass --url of a "
            "reachable database)");
      }
      out.database_checked = RedactedUrl();
      std::vector<std::string> rows;
      for (const RevisionInfo& info : *current) rows.push_back(info.id);
      const std::vector<std::string> applied =
          impl_->map->Ancestors(rows, true);
      for (const std::string& id : plan.line) {
        if (std::find(applied.begin(), applied.end(), id) == applied.end()) {
          continue;
        }
        return Status::Conflict(
            "rebase: revision " + id +
            " of the line being moved is applied "
            "in the database " +
            out.database_checked + " (it is at " + Join(rows, ", ") +
            "); released revisions must not move: merge the heads instead "
            "('retort merge')");
      }
    }
    // The graph as it will be, checked before the file changes.
    const RevisionFile* file = impl_->scripts->Find(plan.revision);
    if (file == nullptr)
      return Status::Internal("no file for " + plan.revision);
    RETORT_ASSIGN_OR_RETURN(RevisionMap rebased,
                            RevisionMap::Build(RebasedRevisions(
                                impl_->scripts->Revisions(), plan)));
    RETORT_RETURN_IF_ERROR(CheckRebased(rebased, plan));
    out.heads = rebased.Heads();
    RETORT_ASSIGN_OR_RETURN(std::string before, ReadFileBytes(plan.path));
    RETORT_ASSIGN_OR_RETURN(std::string after,
                            ReplaceRevises(before, file->revision.revises_line,
                                           plan.onto, plan.path));
    if (options.dry_run) return out;
    RETORT_RETURN_IF_ERROR(ReplaceFileAtomically(plan.path, after));
    // Verified from the files: reloaded, REV's line descends from TARGET.
    impl_->schema_set.reset();
    impl_->map.reset();
    impl_->scripts.reset();
    Status loaded = impl_->LoadGraph();
    if (loaded.ok()) loaded = CheckRebased(*impl_->map, plan);
    if (!loaded.ok()) {
      Status restored = ReplaceFileAtomically(plan.path, before);
      impl_->schema_set.reset();
      impl_->map.reset();
      impl_->scripts.reset();
      return loaded.WithContext(
          restored.ok()
              ? "rebase: the rewritten history did not load; " + plan.path +
                    " was restored"
              : "rebase: the rewritten history did not load, and restoring " +
                    plan.path + " failed (" + restored.ToString() +
                    "): set its 'Revises' back to " +
                    Join(plan.old_parents, ", "));
    }
    return out;
  });
}

Result<std::unique_ptr<ReplayScratch>> Migrator::Impl::OpenReplayScratch(
    const std::string& dev, std::string* scratch_target) {
  DiffOptions where;
  where.filter = CompareFilter();
  RETORT_RETURN_IF_ERROR(ChooseScratch(dev, &where));
  where.log = options.log;
  where.log_level = options.log_level;
  // Only a server to create scratch databases on (or SQLite's dialect):
  // when the URL cannot be resolved, a throwaway cluster does as well.
  std::string url;
  if (!config.url.empty() && !where.ephemeral && where.dev_url.empty()) {
    auto resolved = Resolve(config.url);
    if (resolved.ok()) {
      url = *resolved;
    } else if (options.log && options.log_level <= LogLevel::kWarn) {
      options.log(LogLevel::kWarn, resolved.status().message());
    }
  } else if (!config.url.empty() && !IsVaultReference(config.url)) {
    url = config.url;  // its dialect
  }
  *scratch_target = url;
  return ReplayScratch::Open(url, where);
}

std::function<Status(const std::string&, bool, const std::string&)>
Migrator::Impl::ScratchRunner(RunSettings settings,
                              const ScriptDirectory* other_scripts,
                              const RevisionMap* other_map) const {
  const ScriptDirectory* run_scripts =
      other_scripts ? other_scripts : &*scripts;
  const RevisionMap* run_map = other_map ? other_map : &*map;
  // The runs' own progress is about a scratch database: -v only.
  if (settings.log_level > LogLevel::kDebug) {
    settings.log_level = std::max(settings.log_level, LogLevel::kWarn);
  }
  RunTarget target = TargetFor("");
  return [run_scripts, run_map, target, settings](
             const std::string& url, bool upgrade, const std::string& to) {
    RunTarget t = target;
    t.url = url;
    RunRequest request;
    request.command = upgrade ? RunRequest::Command::kUpgrade
                              : RunRequest::Command::kDowngrade;
    request.targets = {to};
    return Run(*run_scripts, *run_map, t, settings, request).status();
  };
}

Result<StairwayResult> Migrator::Stairway(const StairwayOptions& options) {
  return ApiCall([&]() -> Result<StairwayResult> {
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    const RevisionMap& map = *impl_->map;
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                            RevisionsInRange(map, options.range));
    RETORT_ASSIGN_OR_RETURN(std::vector<StairwayStep> steps,
                            PlanStairway(map, ids));
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    std::string scratch_target;
    RETORT_ASSIGN_OR_RETURN(
        std::unique_ptr<ReplayScratch> scratch,
        impl_->OpenReplayScratch(options.dev, &scratch_target));
    RETORT_ASSIGN_OR_RETURN(
        StairwayOutcome outcome,
        RunStairway(*scratch, steps, impl_->ScratchRunner(std::move(settings)),
                    options.every));
    StairwayResult out;
    out.scratch = scratch->description();
    out.checked = std::move(outcome.checked);
    for (auto& [id, reason] : outcome.skipped) {
      out.skipped.push_back({id, std::move(reason)});
    }
    for (StairwayOutcome::Failure& f : outcome.failures) {
      StairwayFailure failure;
      failure.revision = f.revision;
      if (const RevisionNode* node = map.Find(f.revision)) {
        failure.path = node->revision.path;
      }
      for (DriftItem& item : f.differences) {
        failure.differences.push_back(
            {DriftKindName(item.kind), std::move(item.object),
             std::move(item.operation), std::move(item.sql),
             std::move(item.message)});
      }
      failure.reupgrade_error = std::move(f.reupgrade_error);
      out.failures.push_back(std::move(failure));
    }
    return out;
  });
}

namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The schema after `run` upgrades an empty scratch database to `end` and
// (when `down` is set) downgrades it to `down`.
Result<SchemaSnapshot> Replayed(
    ReplayScratch& scratch,
    const std::function<Status(const std::string&, bool, const std::string&)>&
        run,
    const std::string& end, const std::string& down) {
  RETORT_RETURN_IF_ERROR(scratch.Reset());
  RETORT_RETURN_IF_ERROR(run(scratch.url(), true, end));
  if (!down.empty()) RETORT_RETURN_IF_ERROR(run(scratch.url(), false, down));
  return scratch.Read();
}

std::string DifferenceLines(const std::vector<DriftItem>& items) {
  std::string out;
  for (const DriftItem& item : items) out += "\n  " + item.object;
  return out;
}

}  // namespace

Result<SquashResult> Migrator::Squash(const SquashOptions& options) {
  return ApiCall([&]() -> Result<SquashResult> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseEmbedded("squash"));
    if (options.message.empty()) {
      return Status::InvalidArgument(
          "squash: give the new revision's message with -m MESSAGE");
    }
    std::string start, end;
    RETORT_RETURN_IF_ERROR(SplitRange(options.range, &start, &end));
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    RETORT_ASSIGN_OR_RETURN(SquashPlan plan,
                            PlanSquash(*impl_->map, start, end));
    SquashResult out;
    out.revision = plan.end;
    out.down_revisions = plan.down_revisions;
    out.branch_labels = plan.branch_labels;
    out.depends_on = plan.depends_on;
    out.replaced = plan.range;
    out.dry_run = options.dry_run;

    // A database whose version table points inside the range would name a
    // revision that no longer exists.
    if (!impl_->config.url.empty()) {
      auto current = Current();
      if (!current.ok()) {
        return current.status().WithContext(
            "squash: reading the version table of the database, to make "
            "sure no row points inside the range (pass --url of a "
            "reachable database)");
      }
      out.database_checked = RedactedUrl();
      for (const RevisionInfo& info : *current) {
        if (info.id != plan.end &&
            std::find(plan.range.begin(), plan.range.end(), info.id) !=
                plan.range.end()) {
          return Status::Conflict(
              "squash: the database " + out.database_checked +
              " is at revision " + info.id + ", inside " + options.range +
              "; upgrade it to " + plan.end +
              " first, or squash a range it is not inside");
        }
      }
    }

    // The new file, staged in a temporary folder.
    std::vector<SquashPart> parts;
    std::vector<std::string> range_paths;
    for (const std::string& id : plan.range) {
      const RevisionFile* f = impl_->scripts->Find(id);
      if (f == nullptr) return Status::Internal("no file for " + id);
      SquashPart part;
      part.header = *f;
      RETORT_ASSIGN_OR_RETURN(part.sections,
                              impl_->scripts->ReadSections(f->revision));
      range_paths.push_back(f->revision.path);
      parts.push_back(std::move(part));
    }
    // What a database that ran the range recorded: each file's checksum
    // now (and what a file squashed before lists), so verify and the
    // edited-file check accept the squashed file where they ran.
    std::vector<SquashedRevision> squashes;
    for (const SquashPart& part : parts) {
      for (const SquashedRevision& s : part.header.squashes) {
        if (std::find(squashes.begin(), squashes.end(), s) == squashes.end()) {
          squashes.push_back(s);
        }
      }
      RETORT_ASSIGN_OR_RETURN(
          std::string checksum,
          RevisionFileChecksum(part.header.revision.path));
      SquashedRevision self{part.header.revision.id, std::move(checksum)};
      if (std::find(squashes.begin(), squashes.end(), self) ==
          squashes.end()) {
        squashes.push_back(std::move(self));
      }
    }
    RETORT_ASSIGN_OR_RETURN(SquashedSections bodies,
                            ConcatenateSections(parts));
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<TempDir> stage,
                            TempDir::Create("retort-squash-"));
    const std::string staged_versions = stage->path() + "/versions";
    NewRevisionFile file;
    file.directory = staged_versions;
    file.file_template = impl_->config.file_template;
    file.truncate_slug_length = impl_->config.truncate_slug_length;
    file.script_template_path = impl_->scripts->template_path();
    RETORT_ASSIGN_OR_RETURN(file.script_template,
                            LoadScriptTemplate(file.script_template_path));
    for (const auto& [name, value] : impl_->config.placeholders)
      file.passthrough_placeholders.push_back(name);
    file.passthrough_placeholders.push_back("schema");
    file.message = options.message;
    file.rev_id = plan.end;
    file.down_revisions = plan.down_revisions;
    file.branch_labels = plan.branch_labels;
    file.depends_on = plan.depends_on;
    std::optional<std::string> tz;
    if (!impl_->config.timezone.empty()) tz = impl_->config.timezone;
    RETORT_ASSIGN_OR_RETURN(
        file.create_date, MakeCreateDate(std::chrono::system_clock::now(), tz));
    file.upgrades = bodies.upgrade;
    file.downgrades = bodies.downgrade;
    file.lock_timeout = bodies.lock_timeout;
    file.phase = bodies.phase;
    file.squashes = std::move(squashes);
    RETORT_ASSIGN_OR_RETURN(std::string staged, WriteRevisionFile(file));
    RETORT_ASSIGN_OR_RETURN(out.text, ReadWholeFile(staged));
    // The new history: every other file, copied beside the staged one.
    int n = 0;
    for (const RevisionFile& f : impl_->scripts->files()) {
      if (std::find(plan.range.begin(), plan.range.end(), f.revision.id) !=
          plan.range.end()) {
        continue;
      }
      std::error_code ec;
      fs::copy_file(f.revision.path,
                    staged_versions + "/" + std::to_string(n++) + "_" +
                        fs::path(f.revision.path).filename().string(),
                    ec);
      if (ec) {
        return Status::IOError("squash: copying " + f.revision.path + ": " +
                               ec.message());
      }
    }
    ScriptDirectoryOptions so;
    so.script_location = impl_->scripts->script_location();
    so.version_locations = {staged_versions};
    RETORT_ASSIGN_OR_RETURN(ScriptDirectory new_scripts,
                            ScriptDirectory::Open(so));
    RETORT_RETURN_IF_ERROR(new_scripts.Load());
    RETORT_ASSIGN_OR_RETURN(RevisionMap new_map,
                            RevisionMap::Build(new_scripts.Revisions()));

    // Verified before any file changes: the old and the new history give
    // the same schema at END, and again after downgrading below START.
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    std::string scratch_target;
    RETORT_ASSIGN_OR_RETURN(
        std::unique_ptr<ReplayScratch> scratch,
        impl_->OpenReplayScratch(options.dev, &scratch_target));
    out.scratch = scratch->description();
    auto old_run = impl_->ScratchRunner(settings);
    auto new_run = impl_->ScratchRunner(settings, &new_scripts, &new_map);
    const std::string below =
        plan.down_revisions.empty() ? "base" : plan.down_revisions.front();
    for (const std::string& down : {std::string(), below}) {
      Result<SchemaSnapshot> old_schema =
          Replayed(*scratch, old_run, plan.end, down);
      if (!old_schema.ok()) {
        return old_schema.status().WithContext(
            "squash: replaying the revisions being squashed (nothing was "
            "changed)");
      }
      Result<SchemaSnapshot> new_schema =
          Replayed(*scratch, new_run, plan.end, down);
      if (!new_schema.ok()) {
        return new_schema.status().WithContext(
            "squash: replaying the squashed revision (nothing was changed)");
      }
      std::vector<DriftItem> diff = CompareSnapshots(*new_schema, *old_schema);
      if (!diff.empty()) {
        return Status::Conflict(
            "squash: the squashed revision " +
            (down.empty() ? "upgraded to " + plan.end
                          : "downgraded to " + below) +
            " gives another schema than the revisions it replaces (nothing "
            "was changed); these differ:" +
            DifferenceLines(diff));
      }
    }

    const fs::path end_path = range_paths.back();
    const fs::path final_path =
        end_path.parent_path() / fs::path(staged).filename();
    out.path = final_path.string();
    for (const std::string& path : range_paths) {
      if (fs::path(path) != final_path) out.removed_files.push_back(path);
    }
    if (options.dry_run) return out;
    std::error_code ec;
    const bool own_name = std::find(range_paths.begin(), range_paths.end(),
                                    out.path) != range_paths.end();
    if (!own_name && fs::exists(final_path, ec)) {
      return Status::AlreadyExists(
          "squash: " + out.path +
          " exists already; choose another message (-m) or move that file");
    }
    // Copied beside its final place under a hidden name (never read as a
    // revision), then renamed: the new file appears whole or not at all.
    const fs::path hidden =
        final_path.parent_path() / ("." + final_path.filename().string() +
                                    ".retort-squash");
    fs::copy_file(staged, hidden, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(hidden, final_path, ec);
    if (ec) {
      std::error_code ignored;
      fs::remove(hidden, ignored);
      return Status::IOError("squash: writing " + out.path + ": " +
                             ec.message() + " (nothing was changed)");
    }
    for (const std::string& path : out.removed_files) {
      fs::remove(path, ec);
      if (ec) {
        return Status::IOError(
            "squash: " + out.path + " is written, but removing " + path +
            " failed: " + ec.message() + "; remove it by hand");
      }
    }
    impl_->schema_set.reset();
    impl_->map.reset();
    impl_->scripts.reset();
    return out;
  });
}

Result<DiffResult> Migrator::Diff(const AutogenOptions& options) {
  return MaskedForApi(
      [&]() -> Result<DiffResult> { return impl_->DiffImpl(options); }());
}

Result<SchemaDiagram> Migrator::Diagram(const DiagramOptions& options) {
  return MaskedForApi([&]() -> Result<SchemaDiagram> {
    if (options.from == DiagramOptions::From::kModels) {
      if (impl_->config.models.empty()) {
        return Status::InvalidArgument(
            "schema-graph: no models configured to draw; draw the live "
            "database with --from database, or add models = "
            "[\"models/*.sql\"] (or a sqlalchemy: entry) to " +
            (impl_->config.path.empty() ? std::string("retort.toml")
                                        : impl_->config.path));
      }
      AutogenOptions autogen;
      autogen.dev = options.dev;
      std::shared_ptr<const SchemaDiagram> diagram;
      RETORT_RETURN_IF_ERROR(impl_->DiffImpl(autogen, &diagram).status());
      if (diagram == nullptr) return Status::Internal("no diagram was kept");
      return *diagram;
    }
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("schema-graph", false, false));
    RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->SessionTarget());
    RETORT_ASSIGN_OR_RETURN(bool nothing, NoDatabaseYet(target));
    if (nothing) return SchemaDiagram{};
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                            OpenSession(target, settings, SessionUse::kRead));
    Connection& db = session->db();
    const IntrospectOptions filter = impl_->CompareFilter();
    SchemaDiagram diagram;
    if (db.dialect() == Dialect::kSqlite) {
      RETORT_ASSIGN_OR_RETURN(SqliteSchema schema, IntrospectSqlite(db, filter));
      diagram = DiagramOf(schema);
    } else {
      RETORT_ASSIGN_OR_RETURN(Catalog catalog, IntrospectPostgres(db, filter));
      diagram = DiagramOf(catalog);
    }
    RETORT_RETURN_IF_ERROR(session->End());
    return diagram;
  }());
}

Result<std::vector<ModelSchemaInfo>> Migrator::ModelSchemas() {
  return ApiCall([&]() -> Result<std::vector<ModelSchemaInfo>> {
    RETORT_ASSIGN_OR_RETURN(ModelScan scan,
                            impl_->ScanModelFiles(/*normalize=*/false));
    RETORT_RETURN_IF_ERROR(CheckModelsDefineSomething(
        scan, {},
        "the 'models' setting in " + (impl_->config.path.empty()
                                          ? std::string("retort.toml")
                                          : impl_->config.path)));
    std::vector<ModelSchemaInfo> out;
    for (const auto& [name, schema] : scan.schemas) {
      ModelSchemaInfo info;
      info.name = name;
      info.tables = schema.tables;
      info.objects = schema.objects;
      info.created = schema.created;
      info.mentioned_only = schema.mentioned_only();
      info.configured = impl_->config.schemas.count(name) > 0;
      info.files = schema.files;
      out.push_back(std::move(info));
    }
    return out;
  });
}

Result<FanoutPlan> Migrator::Impl::PlanMany(const RunRequest& request,
                                            const FanoutOptions& fanout,
                                            ConnectionPool& pool) {
  RETORT_RETURN_IF_ERROR(LoadGraph());
  FanoutInputs in;
  in.config = &config;
  in.full = &*map;
  in.schemas = &*schema_set;
  in.schema = options.schema;
  in.log = options.log;
  in.secrets = secrets.get();
  in.log_level = options.log_level;
  RETORT_ASSIGN_OR_RETURN(const SchemaEntry* schema, ActiveSchema());
  in.base_target = TargetFor("");
  in.base_map = schema ? &schema->graph->map : &*map;
  if (schema) {
    SchemaSet* set = &*schema_set;
    std::string name = options.schema;
    in.base_precondition = [set, name, request](Connection& db) {
      return set->CheckDependencies(db, name, request);
    };
  }
  return PlanFanout(in, fanout, request, pool);
}

Result<FanoutResult> Migrator::Impl::RunMany(const RunRequest& request,
                                             const FanoutOptions& fanout) {
  RETORT_RETURN_IF_ERROR(RefuseBorrowed(
      request.command == RunRequest::Command::kUpgrade ? "upgrade"
                                                       : "downgrade"));
  RETORT_RETURN_IF_ERROR(CheckRevisionArguments(
      request.command == RunRequest::Command::kUpgrade ? "upgrade"
                                                       : "downgrade",
      request.targets));
  RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
  if (fanout.allow_edited) settings.on_edited_warn = true;
  settings.in_flight = fanout.in_flight;
  // Per-step lines from hundreds of units would bury the summary: a
  // fan-out logs warnings and errors unless asked for debug output.
  if (settings.log_level != LogLevel::kDebug &&
      settings.log_level < LogLevel::kWarn) {
    settings.log_level = LogLevel::kWarn;
  }
  // Thousands of units run the same revisions: read and parse them once.
  settings.step_cache = NewPreparedStepCache();
  // A unit's error may quote a failing statement, secret values included
  // (the server's own message does: invalid input syntax ... "<value>").
  const SecretMask mask(settings.placeholders, settings.secret_placeholders);
  Result<FanoutResult> result = RunManyWith(request, fanout, settings);
  if (!result.ok()) return mask.Apply(result.status());
  for (UnitResult& unit : result->units) {
    unit.error = Redact(mask.Apply(unit.error));
  }
  return result;
}

Result<FanoutResult> Migrator::Impl::RunManyWith(const RunRequest& request,
                                                 const FanoutOptions& fanout,
                                                 const RunSettings& settings) {
  ConnectionPool pool(settings);
  RETORT_ASSIGN_OR_RETURN(FanoutPlan plan, PlanMany(request, fanout, pool));
  // As for one database: registrations that could never run are refused
  // before any unit starts (PlanMany has loaded the graph).
  RETORT_RETURN_IF_ERROR(CheckCodeMigrations(*scripts, options.code));
  if (request.offline) {
    FanoutResult result;
    result.kind = plan.kind;
    for (const FanoutUnit& unit : plan.units) {
      UnitResult r;
      r.target = unit.target_name;
      r.schema = unit.schema_name;
      auto report = Run(*scripts, *unit.map, unit.target, settings, request);
      if (!report.ok()) return report.status().WithContext(r.Name());
      r.heads_before = report->heads_before;
      r.heads_after = report->heads_after;
      r.steps = report->steps.size();
      r.status = r.steps ? UnitStatus::kMigrated : UnitStatus::kUpToDate;
      result.sql += "-- " + std::string(FanoutKindName(plan.kind)) + ": " +
                    r.Name() + "\n\n" + report->offline_sql;
      result.units.push_back(std::move(r));
    }
    return result;
  }
  RETORT_ASSIGN_OR_RETURN(
      FanoutResult result,
      RunFanout(*scripts, plan.units, settings, request, plan.engine, pool));
  result.kind = plan.kind;
  return result;
}

Result<FanoutResult> Migrator::UpgradeMany(const std::string& target,
                                           const FanoutOptions& options) {
  return ApiCall([&]() -> Result<FanoutResult> {
    RETORT_ASSIGN_OR_RETURN(RunRequest request,
                            UpgradeRequest(target, options.sql, options.phase));
    return impl_->RunMany(request, options);
  });
}

Result<FanoutResult> Migrator::DowngradeMany(const std::string& target,
                                             const FanoutOptions& options) {
  return ApiCall([&]() -> Result<FanoutResult> {
    return impl_->RunMany(
        MoveRequest(RunRequest::Command::kDowngrade, target, options.sql),
        options);
  });
}

Result<std::vector<UnitVersions>> Migrator::CurrentMany(
    const FanoutOptions& options) {
  return ApiCall([&]() -> Result<std::vector<UnitVersions>> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseBorrowed("current"));
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    ConnectionPool pool(settings);
    // The request only shapes the units' preconditions, which `current`
    // never runs.
    RunRequest request;
    request.targets = {"heads"};
    RETORT_ASSIGN_OR_RETURN(FanoutPlan plan,
                            impl_->PlanMany(request, options, pool));
    return SurveyUnits(plan.units, settings, plan.engine.jobs, pool);
  });
}

Result<LintResult> Migrator::Lint(const LintOptions& options) {
  return ApiCall([&]() -> Result<LintResult> {
    RETORT_RETURN_IF_ERROR(impl_->CheckSchema("lint", true, false, true));
    RETORT_ASSIGN_OR_RETURN(const RevisionMap* graph, impl_->Graph());
    const Config& config = impl_->config;
    LintProjectInputs in;
    in.scripts = &*impl_->scripts;
    in.map = graph;
    in.options = options;
    in.target = impl_->TargetFor("");
    if ((!config.url.empty() || impl_->borrowed) && options.use_database) {
      auto target = impl_->SessionTarget();
      if (target.ok()) {
        in.target = *target;
      } else {
        in.url_error = target.status().message();
      }
    } else if (!IsVaultReference(config.url)) {
      in.target.url = config.url;  // for its dialect only
    }
    RETORT_ASSIGN_OR_RETURN(in.settings, impl_->Settings());
    in.placeholders = in.settings.placeholders;
    if (!in.target.schema.empty()) in.placeholders["schema"] = in.target.schema;
    in.lock_timeout = config.lock_timeout;
    in.config_name = config.path.empty() ? "retort.toml" : config.path;
    return LintProject(in);
  });
}

std::string Migrator::RedactedUrl() const {
  if (impl_->borrowed) {
    return "the application's " +
           std::string(DialectName(impl_->borrowed->dialect())) + " connection";
  }
  return ::retort::RedactedUrl(impl_->config.url);
}

Result<std::vector<RevisionInfo>> Migrator::Show(const std::string& revision) {
  return ApiCall([&]() -> Result<std::vector<RevisionInfo>> {
    if (revision == "current") {
      return Status::InvalidArgument(
          "'show current' needs a database connection, which this version of "
          "retort cannot make yet");
    }
    RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
    RETORT_ASSIGN_OR_RETURN(
        auto nodes, ResolveRevisions(*impl_->map, RevisionArg(revision)));
    return impl_->Infos(nodes);
  });
}

std::string Migrator::VersionsDirectory() const {
  return impl_->config.VersionsDirectory();
}

Result<ImportAlembicResult> Migrator::ImportAlembic(
    const ImportAlembicOptions& options) {
  return ApiCall([&]() -> Result<ImportAlembicResult> {
    RETORT_RETURN_IF_ERROR(impl_->RefuseEmbedded("import-alembic"));
    const Config& config = impl_->config;
    if (config.path.empty()) {
      std::error_code ec;
      return Status::NotFound(
          "no retort.toml in " + fs::current_path(ec).string() +
          ": import-alembic writes into a retort project; create one with "
          "'retort init migrations' (then set its url) and import again");
    }
    AlembicImportContext context;
    context.config = &config;
    context.python = PythonFor(config);
    context.x_args = impl_->options.x_args;
    context.log = impl_->options.log;
    context.log_level = impl_->options.log_level;
    return ImportAlembicProject(options, context);
  });
}

}  // namespace retort
