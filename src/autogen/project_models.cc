// The models of a project, as its configuration names them; see
// project_models.h.
#include "autogen/project_models.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "autogen/model_sources.h"
#include "autogen/naming.h"
#include "autogen/sqlalchemy_models.h"
#include "dialect/url.h"
#include "util/strings.h"

namespace retort {

namespace fs = std::filesystem;

namespace {

// `p` resolved against the config's folder, absolute, without a trailing
// slash.
std::string AbsoluteFolder(const Config& config, const std::string& p) {
  std::string out =
      fs::absolute(config.Resolve(p)).lexically_normal().generic_string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

SqlalchemyModelsOptions SqlalchemyOptions(const Config& config, bool sqlite,
                                          const LogSink& log,
                                          LogLevel log_level) {
  SqlalchemyModelsOptions o;
  o.python = PythonFor(config);
  o.project_dir = AbsoluteFolder(config, ".");
  for (const std::string& p : config.python_path) {
    o.python_path.push_back(AbsoluteFolder(config, p));
  }
  o.dialect = sqlite ? "sqlite" : "postgresql";
  o.log = log;
  o.log_level = log_level;
  return o;
}

}  // namespace

// The interpreter of the 'python' setting (a relative path with a slash
// taken from the config's folder, a bare name looked up on PATH), and where
// it was chosen, for messages. Every use of Python goes through it.
PythonCommand PythonFor(const Config& config) {
  PythonCommand python;
  python.interpreter = config.python;
  if (config.python.find('/') != std::string::npos &&
      !fs::path(config.python).is_absolute()) {
    python.interpreter = AbsoluteFolder(config, config.python);
  }
  python.origin = config.python_where.empty()
                      ? "the default"
                      : "the 'python' setting, " + config.python_where;
  return python;
}

Result<std::vector<std::string>> ListModelSources(const Config& config) {
  if (config.models.empty()) {
    return Status::InvalidArgument(
        "no models configured: autogenerate compares SQL model files or "
        "SQLAlchemy models with the database; add models = "
        "[\"models/*.sql\"] or models = "
        "[\"sqlalchemy:app.models:Base.metadata\"] to " +
        (config.path.empty() ? std::string("retort.toml") : config.path));
  }
  // SQL files matched by the patterns before a SQLAlchemy entry run before
  // its DDL, those after it after; each run of patterns is sorted, as when
  // there is no entry.
  std::vector<std::string> files, group;
  std::set<std::string> seen;
  auto flush = [&] {
    std::sort(group.begin(), group.end());
    for (std::string& f : group) {
      if (seen.insert(f).second) files.push_back(std::move(f));
    }
    group.clear();
  };
  for (const std::string& pattern : config.models) {
    if (IsSqlalchemyEntry(pattern)) {
      RETORT_RETURN_IF_ERROR(CheckSqlalchemyEntry(pattern));
      flush();
      if (seen.insert(pattern).second) files.push_back(pattern);
      continue;
    }
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
    for (size_t i = 0; i < g.gl_pathc; ++i) group.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  flush();
  return files;
}

Result<std::vector<ModelFile>> ReadModelSources(
    const Config& config, const std::vector<std::string>& sources, bool sqlite,
    const LogSink& log, LogLevel log_level) {
  std::vector<std::string> paths, entries;
  for (const std::string& source : sources) {
    (IsSqlalchemyEntry(source) ? entries : paths).push_back(source);
  }
  // [naming] is checked whenever the models are read, SQL files or not.
  NamingConvention naming;
  if (!config.naming.empty()) {
    RETORT_ASSIGN_OR_RETURN(
        naming, MakeNamingConvention(config.naming, config.naming_where));
    if (sqlite && !naming.empty() && !paths.empty()) {
      return Status::InvalidArgument(
          config.naming_where +
          ": [naming] names the constraints and indexes of PostgreSQL model "
          "files; this project's database is SQLite: name them in the model "
          "files instead, or remove [naming]");
    }
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files, ReadModelFiles(paths));
  // The caches key on the text scanned, so the rewritten text keys them:
  // a change to [naming] is never served a stale entry.
  for (ModelFile& file : files) {
    RETORT_ASSIGN_OR_RETURN(
        file.text, ApplyNamingConvention(file.text, file.path, naming));
  }
  std::vector<ModelFile> emitted;
  if (!entries.empty()) {
    // SQLAlchemy has named everything already: its DDL is not rewritten.
    RETORT_ASSIGN_OR_RETURN(
        emitted,
        EmitSqlalchemyModels(
            entries, SqlalchemyOptions(config, sqlite, log, log_level)));
  }
  std::vector<ModelFile> out;
  out.reserve(sources.size());
  size_t next_file = 0, next_entry = 0;
  for (const std::string& source : sources) {
    if (IsSqlalchemyEntry(source)) {
      out.push_back(std::move(emitted[next_entry++]));
    } else {
      out.push_back(std::move(files[next_file++]));
    }
  }
  return out;
}

Status ChooseScratchDatabases(
    const std::string& dev, const Config& config,
    const std::function<Result<std::string>(const std::string&)>& resolve,
    DiffOptions* o) {
  if (dev == "ephemeral") {
    o->ephemeral = true;
  } else if (!dev.empty()) {
    auto parsed = ParseDatabaseUrl(dev);
    if (!parsed.ok() || parsed->dialect != Dialect::kPostgres) {
      return Status::InvalidArgument(
          "--dev '" + ::retort::RedactedUrl(dev) +
          "': expected 'ephemeral' or the postgresql:// URL of a dev "
          "database");
    }
    o->dev_url = dev;
  } else if (!config.dev_url.empty()) {
    RETORT_ASSIGN_OR_RETURN(o->dev_url, resolve(config.dev_url));
  }
  return Status::OK();
}

std::vector<std::string> UnmatchedModelSources(
    const Config& config, const std::vector<std::string>& sources,
    const LogSink& log, LogLevel log_level, size_t shown) {
  std::vector<std::string> folders;
  for (const std::string& pattern : config.models) {
    if (IsSqlalchemyEntry(pattern) || !ModelPatternHasWildcard(pattern)) {
      continue;
    }
    folders.push_back(ModelPatternFolder(config.Resolve(pattern)));
  }
  if (folders.empty()) return {};
  std::vector<std::string> skip = config.VersionDirectories();
  if (!config.script_location.empty()) {
    skip.push_back(config.Resolve(config.script_location));
  }
  // When a pattern matches nothing, every file there is unread.
  bool truncated = false;
  std::vector<std::string> unmatched = UnmatchedModelFiles(
      folders, sources, skip, kUnmatchedScanLimit, &truncated);
  if (truncated && log && log_level <= LogLevel::kInfo) {
    log(LogLevel::kInfo,
        "stopped looking for .sql files no models pattern reads after " +
            std::to_string(kUnmatchedScanLimit) + " entries under " +
            Join(folders, ", ") +
            " (narrow the patterns' folders to search them all)");
  }
  if (!unmatched.empty() && log && log_level <= LogLevel::kWarn) {
    for (const std::string& line : UnmatchedModelWarnings(
             unmatched,
             config.path.empty() ? std::string("retort.toml") : config.path,
             shown)) {
      log(LogLevel::kWarn, line);
    }
  }
  return unmatched;
}

}  // namespace retort
