// Migrator: wires configuration, the script directory and the revision graph
// into the commands of the public API. Graph answers come from revision/,
// files from script/; this file only orders the calls and shapes results.
#include "retort/migrator.h"

#include <glob.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "autogen/autogen.h"
#include "autogen/model_cache.h"
#include "autogen/model_scan.h"
#include "config/config.h"
#include "config/templates.h"
#include "config/vault.h"
#include "dialect/url.h"
#include "revision/new_revision.h"
#include "revision/plan.h"
#include "revision/revision_map.h"
#include "runtime/run.h"
#include "script/script_directory.h"
#include "script/template.h"
#include "util/strings.h"

namespace retort {

namespace fs = std::filesystem;

struct Migrator::Impl {
  Options options;
  Config config;
  // Loaded on first need: cheap commands never read a revision file.
  std::optional<ScriptDirectory> scripts;
  std::optional<RevisionMap> map;

  Status LoadGraph();
  RevisionInfo Info(const RevisionNode& node) const;
  std::vector<RevisionInfo> Infos(
      const std::vector<const RevisionNode*>& nodes) const;
  // Which database, version table and schema a run works on. Without
  // `resolve_url` the URL is left empty (not required, nor read from Vault).
  Result<RunTarget> Target(bool resolve_url = true) const;
  Result<RunSettings> Settings() const;
  Result<MigrationResult> RunCommand(const RunRequest& request);
  Result<std::vector<std::string>> ModelFiles() const;
  // The model files, read and parsed (nothing connects).
  Result<ModelScan> ScanModelFiles() const;
  Result<DiffResult> DiffImpl(const AutogenOptions& autogen);
  // The revisions autogenerate's current schema stands for: "heads", or
  // with --schema S whose [schemas.S] branch is in the graph,
  // "<branch>@head". Needs the graph loaded.
  std::string AutogenHeads() const;
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
  RETORT_ASSIGN_OR_RETURN(ScriptDirectory dir, ScriptDirectory::Open(so));
  RETORT_RETURN_IF_ERROR(dir.Load());
  RETORT_ASSIGN_OR_RETURN(RevisionMap m, RevisionMap::Build(dir.Revisions()));
  scripts.emplace(std::move(dir));
  map.emplace(std::move(m));
  return Status::OK();
}

RevisionInfo Migrator::Impl::Info(const RevisionNode& node) const {
  RevisionInfo info;
  const Revision& r = node.revision;
  info.id = r.id;
  info.down_revisions = r.down_revisions;
  info.depends_on = r.depends_on;
  info.branch_labels = node.branch_labels;
  info.children = map->Children(node);
  info.doc = r.doc;
  info.longdoc = r.doc;
  info.path = r.path;
  if (const RevisionFile* f = scripts->Find(r.id)) {
    if (!f->long_doc.empty()) info.longdoc += "\n" + f->long_doc;
    info.create_date = f->create_date;
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
  std::vector<RevisionInfo> out;
  out.reserve(nodes.size());
  for (const RevisionNode* n : nodes)
    if (n) out.push_back(Info(*n));  // nullptr stands for "base"
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
  info.is_head = info.is_real_head = true;
  info.is_base = header.down_revisions.empty();
  info.is_merge_point = header.down_revisions.size() > 1;
  // The graph changed on disk; reload on next use.
  map.reset();
  scripts.reset();
  return info;
}

Result<RunTarget> Migrator::Impl::Target(bool resolve_url) const {
  RunTarget t;
  if (config.url.empty() && resolve_url) {
    return Status::InvalidArgument(
        "no database URL: set 'url' in " +
        (config.path.empty() ? std::string("retort.toml") : config.path) +
        ", set DATABASE_URL, or pass --url");
  }
  // Secrets are fetched only here, when a command needs the database.
  if (resolve_url) {
    RETORT_ASSIGN_OR_RETURN(
        t.url, ResolveSecret(config.url, options.log, options.log_level));
  }
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
  s.lock_timeout = config.lock_timeout;
  s.statement_timeout = config.statement_timeout;
  for (const auto& [name, value] : config.placeholders) {
    RETORT_ASSIGN_OR_RETURN(
        s.placeholders[name],
        ResolveSecret(value, options.log, options.log_level));
  }
  s.tool_version = RETORT_VERSION;
  s.log = options.log;
  s.log_level = options.log_level;
  return s;
}

Result<MigrationResult> Migrator::Impl::RunCommand(const RunRequest& request) {
  RETORT_RETURN_IF_ERROR(LoadGraph());
  RETORT_ASSIGN_OR_RETURN(RunTarget target, Target());
  RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
  RETORT_ASSIGN_OR_RETURN(RunReport report,
                          Run(*scripts, *map, target, settings, request));
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
  RETORT_RETURN_IF_ERROR(LoadGraph());
  RETORT_ASSIGN_OR_RETURN(auto nodes, WalkRevisions(*map, base, head));
  std::vector<RevisionInfo> infos = Infos(nodes);
  if (current) {
    for (auto& info : infos)
      info.is_current = std::find(current->begin(), current->end(), info.id) !=
                        current->end();
  }
  return infos;
}

Result<std::vector<std::string>> Migrator::Impl::ModelFiles() const {
  if (config.models.empty()) {
    return Status::InvalidArgument(
        "no models configured: autogenerate compares SQL model files with the "
        "database; add models = [\"models/*.sql\"] to " +
        (config.path.empty() ? std::string("retort.toml") : config.path));
  }
  std::vector<std::string> files;
  for (const std::string& pattern : config.models) {
    std::string resolved = config.Resolve(pattern);
    glob_t g{};
    int rc = glob(resolved.c_str(), 0, nullptr, &g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
      globfree(&g);
      // The "empty migration" trap: a glob that matches nothing would make
      // the models look empty and every table look like a drop.
      return Status::NotFound("models pattern '" + pattern +
                              "' matched no file (looked for '" + resolved +
                              "'); fix the 'models' setting");
    }
    if (rc != 0) {
      globfree(&g);
      return Status::IOError("models pattern '" + pattern +
                             "': cannot list files");
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<ModelScan> Migrator::Impl::ScanModelFiles() const {
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> paths, ModelFiles());
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files, ReadModelFiles(paths));
  // Parsing 2,000 tables' models costs about 0.3 s: unchanged files are
  // not parsed again (model_cache.h).
  return ScanModelsCached(files);
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

Result<DiffResult> Migrator::Impl::DiffImpl(const AutogenOptions& autogen) {
  const bool from_migrations =
      autogen.from == AutogenOptions::From::kMigrations;
  // SQLite models may use SQLite's own syntax, which the PostgreSQL parser
  // behind ScanModels rejects; the SQLite loader checks them instead.
  auto parsed_url = ParseDatabaseUrl(config.url);
  const bool sqlite =
      parsed_url.ok() && parsed_url->dialect == Dialect::kSqlite;
  // Everything that needs no server first: a broken model file or a trap
  // in the settings is reported before anything connects.
  ModelScan scan;
  if (sqlite) {
    RETORT_ASSIGN_OR_RETURN(scan.files, ModelFiles());
  } else {
    RETORT_ASSIGN_OR_RETURN(scan, ScanModelFiles());
  }
  DiffOptions o;
  o.filter.include_schemas = config.include_schemas;
  o.filter.exclude_schemas = config.exclude_schemas;
  o.filter.exclude_tables = config.exclude_tables;
  if (!options.schema.empty()) o.filter.include_schemas = {options.schema};
  // retort's own tables are never compared, whatever they are called.
  std::vector<std::string> version_tables = {config.version_table};
  for (const auto& [name, schema] : config.schemas)
    version_tables.push_back(schema.version_table);
  for (const std::string& table : version_tables) {
    o.filter.exclude_tables.push_back(table);
    o.filter.exclude_tables.push_back(table + "_history");
  }
  o.models_setting =
      "the 'models' setting in " +
      (config.path.empty() ? std::string("retort.toml") : config.path);
  if (!sqlite) {
    RETORT_RETURN_IF_ERROR(
        CheckModelsDefineSomething(scan, o.filter, o.models_setting));
  }

  if (autogen.dev == "ephemeral") {
    o.ephemeral = true;
  } else if (!autogen.dev.empty()) {
    auto dev = ParseDatabaseUrl(autogen.dev);
    if (!dev.ok() || dev->dialect != Dialect::kPostgres) {
      return Status::InvalidArgument(
          "--dev '" + ::retort::RedactedUrl(autogen.dev) +
          "': expected 'ephemeral' or the postgresql:// URL of a dev "
          "database");
    }
    o.dev_url = autogen.dev;
  } else if (!config.dev_url.empty()) {
    RETORT_ASSIGN_OR_RETURN(
        o.dev_url,
        ResolveSecret(config.dev_url, options.log, options.log_level));
  }
  // Seed 001: with per-schema sections, schemas come from the models and
  // are created idempotently; a downgrade never drops one.
  o.idempotent_schemas = !config.schemas.empty();
  o.log = options.log;
  o.log_level = options.log_level;

  RunTarget target;
  if (from_migrations) {
    RETORT_RETURN_IF_ERROR(LoadGraph());
    RETORT_ASSIGN_OR_RETURN(target, Target(/*resolve_url=*/false));
    if (!config.url.empty() && !o.ephemeral && o.dev_url.empty()) {
      // Only a server to create scratch databases on: when the URL cannot
      // be resolved, a throwaway cluster does as well.
      auto url = ResolveSecret(config.url, options.log, options.log_level);
      if (url.ok()) {
        target.url = *url;
      } else if (options.log && options.log_level <= LogLevel::kWarn) {
        options.log(LogLevel::kWarn, url.status().message());
      }
    }
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, Settings());
    // The replay's own progress ("Running upgrade ...") is about a scratch
    // database: shown with -v only.
    if (settings.log_level > LogLevel::kDebug) {
      settings.log_level = std::max(settings.log_level, LogLevel::kWarn);
    }
    std::string destination = AutogenHeads();
    o.build_current = [this, target, settings,
                       destination](const std::string& scratch_url) {
      RunTarget replay = target;
      replay.url = scratch_url;
      RunRequest request;
      request.command = RunRequest::Command::kUpgrade;
      request.targets = {destination};
      return Run(*scripts, *map, replay, settings, request)
          .status()
          .WithContext("replaying the migrations (upgrade " + destination +
                       ") into a scratch database");
    };
  } else {
    RETORT_ASSIGN_OR_RETURN(target, Target());
  }

  RETORT_ASSIGN_OR_RETURN(AutogenResult r,
                          DiffScannedModels(target.url, scan, o));
  DiffResult out;
  out.upgrade_sql = std::move(r.upgrade_sql);
  out.downgrade_sql = std::move(r.downgrade_sql);
  out.operations = r.operations.size();
  out.model_files = scan.files;
  out.compared_with = from_migrations ? "migrations" : "database";
  out.scratch = std::move(r.scratch);
  return out;
}

Migrator::Migrator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Migrator::~Migrator() = default;

Result<std::unique_ptr<Migrator>> Migrator::Open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  LoadOptions lo;
  lo.name = options.name;
  lo.x_args = options.x_args;
  RETORT_ASSIGN_OR_RETURN(impl->config, LoadConfig(options.config_path, lo,
                                                   options.config_must_exist));
  if (!options.url.empty()) impl->config.url = options.url;
  return std::unique_ptr<Migrator>(new Migrator(std::move(impl)));
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
  const ProjectTemplate* tmpl = FindProjectTemplate(template_name);
  if (!tmpl) {
    std::vector<std::string> names;
    for (const auto& t : ProjectTemplates()) names.push_back(t.name);
    return Status::InvalidArgument("no template named '" + template_name + "'" +
                                   DidYouMean(template_name, names) +
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
}

Result<RevisionInfo> Migrator::CreateRevision(
    const CreateRevisionOptions& options) {
  RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
  CreateRevisionOptions body = options;
  if (options.autogenerate &&
      options.autogen.from == AutogenOptions::From::kDatabase) {
    // Alembic's rule: compare against a database that has every revision,
    // or the new file would repeat what a pending revision does. (Replayed
    // migrations are at every head by construction.)
    RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->Target());
    RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
    RETORT_ASSIGN_OR_RETURN(std::vector<std::string> current,
                            ReadCurrentHeads(target, settings));
    std::vector<std::string> heads = impl_->map->Heads();
    if (std::string branch = impl_->AutogenHeads(); branch != "heads") {
      // With --schema S, the version table of S tracks S's branch only.
      RETORT_ASSIGN_OR_RETURN(
          std::vector<const RevisionNode*> expected,
          ResolveRevisions(*impl_->map, RevisionArg(branch)));
      heads.clear();
      for (const RevisionNode* node : expected)
        if (node != nullptr) heads.push_back(node->id());
    }
    std::sort(current.begin(), current.end());
    std::sort(heads.begin(), heads.end());
    if (current != heads) {
      return Status::Conflict("Target database is not up to date.");
    }
  }
  if (options.autogenerate) {
    RETORT_ASSIGN_OR_RETURN(DiffResult diff, impl_->DiffImpl(options.autogen));
    body.upgrade_sql = diff.upgrade_sql;
    body.downgrade_sql = diff.downgrade_sql;
    const Options& o = impl_->options;
    if (diff.empty() && o.log && o.log_level <= LogLevel::kInfo) {
      o.log(LogLevel::kInfo,
            "No changes in schema detected; the new revision is empty");
    }
  }
  retort::NewRevisionOptions plan;
  plan.rev_id = options.rev_id.empty() ? NewRevisionId() : options.rev_id;
  plan.head = {options.head.empty() ? "head" : options.head};
  plan.splice = options.splice;
  plan.branch_labels = options.branch_labels;
  plan.depends_on = options.depends_on;
  RETORT_ASSIGN_OR_RETURN(NewRevisionHeader header,
                          PlanNewRevision(*impl_->map, plan));
  std::optional<std::string> message;
  if (!options.message.empty()) message = options.message;
  std::optional<std::string> version_path;
  if (!options.version_path.empty()) version_path = options.version_path;
  return impl_->Write(header, message, version_path, &body);
}

Result<RevisionInfo> Migrator::Merge(const MergeOptions& options) {
  RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
  std::string rev_id =
      options.rev_id.empty() ? NewRevisionId() : options.rev_id;
  RETORT_ASSIGN_OR_RETURN(
      NewRevisionHeader header,
      PlanMerge(*impl_->map, options.revisions, rev_id, options.branch_labels));
  std::optional<std::string> message;
  if (!options.message.empty()) message = options.message;
  return impl_->Write(header, message, std::nullopt, nullptr);
}

Result<std::vector<RevisionInfo>> Migrator::Heads(bool resolve_dependencies) {
  RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
  const RevisionMap& map = *impl_->map;
  if (resolve_dependencies) {
    RETORT_ASSIGN_OR_RETURN(auto nodes, ResolveRevisions(map, "heads"));
    return impl_->Infos(nodes);
  }
  std::vector<const RevisionNode*> nodes;
  for (const auto& id : map.Heads()) nodes.push_back(map.Find(id));
  return impl_->Infos(nodes);
}

Result<std::vector<BranchPoint>> Migrator::Branches() {
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
}

Result<std::vector<RevisionInfo>> Migrator::History(const std::string& range) {
  return impl_->HistoryImpl(range, nullptr);
}

Result<std::vector<RevisionInfo>> Migrator::HistoryWithCurrent(
    const std::string& range) {
  RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->Target());
  RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                          ReadCurrentHeads(target, settings));
  return impl_->HistoryImpl(range, &heads);
}

Result<MigrationResult> Migrator::Upgrade(const std::string& target, bool sql) {
  RunRequest r;
  r.command = RunRequest::Command::kUpgrade;
  r.targets = {target};
  r.offline = sql;
  return impl_->RunCommand(r);
}

Result<MigrationResult> Migrator::Downgrade(const std::string& target,
                                            bool sql) {
  RunRequest r;
  r.command = RunRequest::Command::kDowngrade;
  r.targets = {target};
  r.offline = sql;
  return impl_->RunCommand(r);
}

Result<MigrationResult> Migrator::Stamp(
    const std::vector<std::string>& revisions, bool sql, bool purge) {
  RunRequest r;
  r.command = RunRequest::Command::kStamp;
  r.targets = revisions;
  r.offline = sql;
  r.purge = purge;
  return impl_->RunCommand(r);
}

Result<std::vector<RevisionInfo>> Migrator::Current(bool check_heads) {
  RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
  RETORT_ASSIGN_OR_RETURN(RunTarget target, impl_->Target());
  RETORT_ASSIGN_OR_RETURN(RunSettings settings, impl_->Settings());
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> heads,
                          ReadCurrentHeads(target, settings));
  const RevisionMap& map = *impl_->map;
  if (check_heads) {
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
  std::vector<RevisionInfo> infos = impl_->Infos(nodes);
  for (auto& info : infos) info.is_current = false;  // Alembic shows no marker
  return infos;
}

Result<DiffResult> Migrator::Diff(const AutogenOptions& options) {
  return impl_->DiffImpl(options);
}

Result<std::vector<ModelSchemaInfo>> Migrator::ModelSchemas() {
  RETORT_ASSIGN_OR_RETURN(ModelScan scan, impl_->ScanModelFiles());
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
}

std::string Migrator::RedactedUrl() const {
  return ::retort::RedactedUrl(impl_->config.url);
}

Result<std::vector<RevisionInfo>> Migrator::Show(const std::string& revision) {
  if (revision == "current") {
    return Status::InvalidArgument(
        "'show current' needs a database connection, which this version of "
        "retort cannot make yet");
  }
  RETORT_RETURN_IF_ERROR(impl_->LoadGraph());
  RETORT_ASSIGN_OR_RETURN(auto nodes,
                          ResolveRevisions(*impl_->map, RevisionArg(revision)));
  return impl_->Infos(nodes);
}

std::string Migrator::VersionsDirectory() const {
  return impl_->config.VersionsDirectory();
}

}  // namespace retort
