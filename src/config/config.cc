// Loading retort.toml with toml++: known keys only (unknown ones are errors
// with file:line and a suggestion), [env.<name>] overrides, interpolation
// from the environment and the .env file beside retort.toml.
#include "config/config.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/dotenv.h"
#include "config/redact.h"
#include "config/vault.h"
#include "dialect/url.h"
#include "util/duration.h"
#include "util/strings.h"

namespace retort {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& TopLevelKeys() {
  static const std::vector<std::string> keys = {"script_location",
                                                "version_locations",
                                                "recursive_version_locations",
                                                "file_template",
                                                "truncate_slug_length",
                                                "timezone",
                                                "url",
                                                "version_table",
                                                "version_table_schema",
                                                "transaction_per_migration",
                                                "models",
                                                "dev_url",
                                                "include_schemas",
                                                "exclude_schemas",
                                                "exclude_tables",
                                                "lock_timeout",
                                                "lock_retries",
                                                "migration_lock_timeout",
                                                "statement_timeout",
                                                "online",
                                                "online_lock_timeout",
                                                "max_replica_lag",
                                                "schemas",
                                                "placeholders",
                                                "env",
                                                "tenants",
                                                "targets",
                                                "targets_file",
                                                "python",
                                                "history_table",
                                                "on_edited",
                                                "python_path",
                                                "naming"};
  return keys;
}

const std::vector<std::string>& SchemaKeys() {
  static const std::vector<std::string> keys = {
      "version_table", "version_table_schema", "branch", "create"};
  return keys;
}

const std::vector<std::string>& TenantKeys() {
  static const std::vector<std::string> keys = {
      "branch",  "version_table", "version_table_schema",
      "schemas", "schemas_query", "schemas_like",
      "create",  "jobs",          "canary"};
  return keys;
}

std::string Where(const std::string& path, const toml::node& node) {
  const auto& src = node.source();
  if (src.begin.line == 0) return path;
  return path + ":" + std::to_string(src.begin.line);
}

// Reads typed values, interpolating strings; every error names file:line.
class Reader {
 public:
  Reader(const std::string& path, const LoadOptions& options)
      : path_(path), options_(options) {}

  Status String(const toml::node& node, const std::string& key,
                std::string* out) {
    const auto* v = node.as_string();
    if (!v) return TypeError(node, key, "a string");
    RETORT_ASSIGN_OR_RETURN(
        *out, Interpolate(v->get(), Where(path_, node), options_));
    return Status::OK();
  }

  // A string naming a table: empty is an error, never "the default".
  Status TableName(const toml::node& node, const std::string& key,
                   std::string* out) {
    RETORT_RETURN_IF_ERROR(String(node, key, out));
    if (!out->empty()) return Status::OK();
    return Status::InvalidArgument(Where(path_, node) + ": '" + key +
                                   "' is empty; name the table, or leave "
                                   "the key out for the default");
  }

  Status Bool(const toml::node& node, const std::string& key, bool* out) {
    if (const auto* v = node.as_boolean()) {
      *out = v->get();
      return Status::OK();
    }
    return TypeError(node, key, "true or false");
  }

  Status Int(const toml::node& node, const std::string& key, int* out) {
    const auto* v = node.as_integer();
    if (!v) return TypeError(node, key, "a whole number");
    // Never wrapped: 4294967297 is not 1.
    if (v->get() < std::numeric_limits<int>::min() ||
        v->get() > std::numeric_limits<int>::max()) {
      return Status::InvalidArgument(
          Where(path_, node) + ": '" + key + "' is " +
          std::to_string(v->get()) + ", out of range (from " +
          std::to_string(std::numeric_limits<int>::min()) + " to " +
          std::to_string(std::numeric_limits<int>::max()) + ")");
    }
    *out = static_cast<int>(v->get());
    return Status::OK();
  }

  // Accepts a list of strings, or one string holding a comma- or
  // space-separated list (as alembic.ini writes version_locations).
  Status StringList(const toml::node& node, const std::string& key,
                    std::vector<std::string>* out) {
    out->clear();
    if (node.is_string()) {
      std::string s;
      RETORT_RETURN_IF_ERROR(String(node, key, &s));
      for (char& c : s)
        if (c == ' ') c = ',';
      *out = SplitList(s);
      return Status::OK();
    }
    const auto* arr = node.as_array();
    if (!arr) return TypeError(node, key, "a list of strings");
    for (const auto& item : *arr) {
      std::string s;
      RETORT_RETURN_IF_ERROR(String(item, key, &s));
      out->push_back(std::move(s));
    }
    return Status::OK();
  }

  Status UnknownKey(const toml::node& node, const std::string& key,
                    const std::vector<std::string>& known,
                    const std::string& section) {
    return Status::InvalidArgument(
        Where(path_, node) + ": unknown key '" + key + "'" +
        (section.empty() ? "" : " in [" + section + "]") +
        DidYouMean(key, known));
  }

  Status TypeError(const toml::node& node, const std::string& key,
                   const std::string& expected) {
    return Status::InvalidArgument(Where(path_, node) + ": '" + key +
                                   "' must be " + expected);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const LoadOptions& options_;
};

Status ApplySchemas(Reader& r, const toml::node& node, Config* config) {
  const auto* table = node.as_table();
  if (!table)
    return r.TypeError(node, "schemas", "a table of [schemas.<name>]");
  for (const auto& [k, v] : *table) {
    std::string name(k.str());
    const auto* st = v.as_table();
    if (!st) {
      return Status::InvalidArgument(Where(r.path(), v) + ": 'schemas." + name +
                                     "' must be a [schemas." + name +
                                     "] table");
    }
    SchemaConfig sc;
    sc.name = name;
    sc.version_table = "alembic_version_" + name;
    sc.branch = name;
    for (const auto& [sk, sv] : *st) {
      std::string key(sk.str());
      if (key == "version_table") {
        RETORT_RETURN_IF_ERROR(r.TableName(sv, key, &sc.version_table));
      } else if (key == "version_table_schema") {
        RETORT_RETURN_IF_ERROR(r.String(sv, key, &sc.version_table_schema));
      } else if (key == "branch") {
        RETORT_RETURN_IF_ERROR(r.String(sv, key, &sc.branch));
      } else if (key == "create") {
        RETORT_RETURN_IF_ERROR(r.Bool(sv, key, &sc.create));
      } else {
        return r.UnknownKey(sv, key, SchemaKeys(), "schemas." + name);
      }
    }
    config->schemas[name] = std::move(sc);
  }
  return Status::OK();
}

// [tenants]; an [env.<name>] section's [tenants] overrides key by key.
Status ApplyTenants(Reader& r, const toml::node& node, Config* config) {
  const auto* table = node.as_table();
  if (!table) return r.TypeError(node, "tenants", "a [tenants] table");
  TenantsConfig& t = config->tenants;
  t.configured = true;
  for (const auto& [k, v] : *table) {
    std::string key(k.str());
    if (key == "branch") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &t.branch));
    } else if (key == "version_table") {
      RETORT_RETURN_IF_ERROR(r.TableName(v, key, &t.version_table));
    } else if (key == "version_table_schema") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &t.version_table_schema));
    } else if (key == "schemas") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &t.schemas));
      t.schemas_query.clear();
      t.schemas_like.clear();
    } else if (key == "schemas_query") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &t.schemas_query));
      t.schemas.clear();
      t.schemas_like.clear();
    } else if (key == "schemas_like") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &t.schemas_like));
      t.schemas.clear();
      t.schemas_query.clear();
    } else if (key == "create") {
      RETORT_RETURN_IF_ERROR(r.Bool(v, key, &t.create));
    } else if (key == "jobs") {
      RETORT_RETURN_IF_ERROR(r.Int(v, key, &t.jobs));
      // As --jobs: one connection each.
      if (t.jobs < 1 || t.jobs > 1000) {
        return r.TypeError(v, key, "from 1 to 1000");
      }
    } else if (key == "canary") {
      RETORT_RETURN_IF_ERROR(r.Int(v, key, &t.canary));
      if (t.canary < 0 || t.canary > 1000000) {
        return r.TypeError(v, key, "from 0 to 1000000");
      }
    } else {
      return r.UnknownKey(v, key, TenantKeys(), "tenants");
    }
  }
  // Within one section the three sources exclude each other; across
  // sections the later one replaces the earlier (see above).
  int sources = (table->contains("schemas") ? 1 : 0) +
                (table->contains("schemas_query") ? 1 : 0) +
                (table->contains("schemas_like") ? 1 : 0);
  if (sources > 1) {
    return Status::InvalidArgument(
        Where(r.path(), node) +
        ": [tenants] takes one of 'schemas', 'schemas_query' or "
        "'schemas_like', not several");
  }
  if (!t.version_table_schema.empty() &&
      t.version_table.find("{schema}") == std::string::npos) {
    return Status::InvalidArgument(
        Where(r.path(), node) +
        ": [tenants] version_table_schema puts every tenant's version table "
        "in one schema, so version_table must contain {schema} (e.g. "
        "\"alembic_version_{schema}\")");
  }
  return Status::OK();
}

Status ApplyTargets(Reader& r, const toml::node& node, Config* config) {
  const auto* table = node.as_table();
  if (!table)
    return r.TypeError(node, "targets", "a table of [targets.<name>]");
  for (const auto& [k, v] : *table) {
    std::string name(k.str());
    const auto* tt = v.as_table();
    if (!tt) {
      return Status::InvalidArgument(Where(r.path(), v) + ": 'targets." + name +
                                     "' must be a [targets." + name +
                                     "] table");
    }
    TargetConfig target;
    target.name = name;
    for (const auto& [tk, tv] : *tt) {
      std::string key(tk.str());
      if (key == "url") {
        RETORT_RETURN_IF_ERROR(r.String(tv, key, &target.url));
      } else {
        return r.UnknownKey(tv, key, {"url"}, "targets." + name);
      }
    }
    if (target.url.empty()) {
      return Status::InvalidArgument(Where(r.path(), v) + ": [targets." + name +
                                     "] needs a url");
    }
    config->targets[name] = std::move(target);
  }
  return Status::OK();
}

// Applies the keys of `table` (the top level, or one [env.<name>]).
Status ApplyTable(Reader& r, const toml::table& table, bool is_env,
                  Config* config) {
  for (const auto& [k, v] : table) {
    std::string key(k.str());
    if (key == "script_location") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->script_location));
    } else if (key == "version_locations") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->version_locations));
    } else if (key == "recursive_version_locations") {
      RETORT_RETURN_IF_ERROR(
          r.Bool(v, key, &config->recursive_version_locations));
    } else if (key == "file_template") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->file_template));
    } else if (key == "truncate_slug_length") {
      RETORT_RETURN_IF_ERROR(r.Int(v, key, &config->truncate_slug_length));
    } else if (key == "timezone") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->timezone));
    } else if (key == "url") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->url));
    } else if (key == "version_table") {
      RETORT_RETURN_IF_ERROR(r.TableName(v, key, &config->version_table));
    } else if (key == "version_table_schema") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->version_table_schema));
    } else if (key == "history_table") {
      RETORT_RETURN_IF_ERROR(r.Bool(v, key, &config->history_table));
    } else if (key == "on_edited") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->on_edited));
      if (config->on_edited != "fail" && config->on_edited != "warn") {
        return Status::InvalidArgument(
            Where(r.path(), v) + ": 'on_edited' is \"" + config->on_edited +
            "\"; use \"fail\" (refuse to upgrade over an applied revision "
            "whose file was edited) or \"warn\"");
      }
    } else if (key == "transaction_per_migration") {
      RETORT_RETURN_IF_ERROR(
          r.Bool(v, key, &config->transaction_per_migration));
    } else if (key == "models") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->models));
    } else if (key == "dev_url") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->dev_url));
    } else if (key == "include_schemas") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->include_schemas));
    } else if (key == "exclude_schemas") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->exclude_schemas));
    } else if (key == "exclude_tables") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->exclude_tables));
    } else if (key == "online") {
      RETORT_RETURN_IF_ERROR(r.Bool(v, key, &config->online));
    } else if (key == "lock_timeout" || key == "statement_timeout" ||
               key == "migration_lock_timeout" ||
               key == "online_lock_timeout" || key == "max_replica_lag") {
      std::string* out =
          key == "lock_timeout"          ? &config->lock_timeout
          : key == "statement_timeout"   ? &config->statement_timeout
          : key == "online_lock_timeout" ? &config->online_lock_timeout
          : key == "max_replica_lag"     ? &config->max_replica_lag
                                         : &config->migration_lock_timeout;
      RETORT_RETURN_IF_ERROR(r.String(v, key, out));
      if (auto ms = ParseDurationMs(*out); !out->empty() && !ms.ok()) {
        std::string why = ms.status().message();
        const std::string raw =
            v.as_string() != nullptr ? v.as_string()->get() : *out;
        if (raw != *out) {
          // An interpolated value may be a secret: name what was written.
          why = "the value of '" + raw + "'" +
                why.substr(why.find("' is not a duration") + 1);
        }
        return Status::InvalidArgument(Where(r.path(), v) + ": '" + key +
                                       "': " + why);
      }
    } else if (key == "lock_retries") {
      RETORT_RETURN_IF_ERROR(r.Int(v, key, &config->lock_retries));
      if (config->lock_retries < 0 || config->lock_retries > 100) {
        return Status::InvalidArgument(
            Where(r.path(), v) + ": 'lock_retries' is " +
            std::to_string(config->lock_retries) +
            "; use 0 (fail at the first lock timeout) to 100");
      }
    } else if (key == "schemas") {
      RETORT_RETURN_IF_ERROR(ApplySchemas(r, v, config));
    } else if (key == "placeholders") {
      const auto* pt = v.as_table();
      if (!pt) return r.TypeError(v, key, "a [placeholders] table");
      for (const auto& [pk, pv] : *pt) {
        const std::string name(pk.str());
        std::string value;
        if (const auto* entry = pv.as_table()) {
          // name = { value = "...", secret = true }: masked in logs and
          // kept out of --sql (docs/configuration.md).
          bool secret = false, has_value = false;
          for (const auto& [ek, ev] : *entry) {
            const std::string key(ek.str());
            if (key == "value") {
              RETORT_RETURN_IF_ERROR(r.String(ev, name + ".value", &value));
              has_value = true;
            } else if (key == "secret") {
              RETORT_RETURN_IF_ERROR(r.Bool(ev, name + ".secret", &secret));
            } else {
              return r.UnknownKey(ev, key, {"value", "secret"},
                                  "placeholders." + name);
            }
          }
          if (!has_value) {
            return Status::InvalidArgument(
                Where(r.path(), pv) + ": placeholder '" + name +
                "' has no value; write " + name +
                " = { value = \"...\", secret = true }");
          }
          if (secret) config->secret_placeholders.insert(name);
        } else {
          RETORT_RETURN_IF_ERROR(r.String(pv, name, &value));
        }
        config->placeholders[name] = std::move(value);
      }
    } else if (key == "tenants") {
      RETORT_RETURN_IF_ERROR(ApplyTenants(r, v, config));
    } else if (key == "targets") {
      RETORT_RETURN_IF_ERROR(ApplyTargets(r, v, config));
    } else if (key == "targets_file") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->targets_file));
    } else if (key == "python") {
      RETORT_RETURN_IF_ERROR(r.String(v, key, &config->python));
      config->python_where = Where(r.path(), v);
    } else if (key == "python_path") {
      RETORT_RETURN_IF_ERROR(r.StringList(v, key, &config->python_path));
    } else if (key == "naming") {
      const auto* nt = v.as_table();
      if (!nt) return r.TypeError(v, key, "a [naming] table");
      for (const auto& [nk, nv] : *nt) {
        std::string value;
        RETORT_RETURN_IF_ERROR(r.String(nv, std::string(nk.str()), &value));
        config->naming[std::string(nk.str())] = std::move(value);
      }
      config->naming_where = Where(r.path(), v);
    } else if (key == "env" && !is_env) {
      continue;  // applied after the top level, see ParseConfig
    } else {
      return r.UnknownKey(v, key, TopLevelKeys(), "");
    }
  }
  return Status::OK();
}

// An INI file with an [alembic] section (alembic.ini), which is not TOML
// retort could read: its first section header is "[alembic]".
bool LooksLikeAlembicIni(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') return line == "[alembic]";
  }
  return false;
}

std::optional<std::string> RealGetenv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace

std::string Config::Resolve(const std::string& p) const {
  if (p.empty() || fs::path(p).is_absolute() || directory.empty() ||
      directory == ".")
    return p;
  return (fs::path(directory) / p).lexically_normal().string();
}

std::string Config::VersionsDirectory() const {
  if (!version_locations.empty()) return Resolve(version_locations.front());
  return Resolve((fs::path(script_location) / "versions").string());
}

std::vector<std::string> Config::VersionDirectories() const {
  if (version_locations.empty()) return {VersionsDirectory()};
  std::vector<std::string> out;
  for (const auto& v : version_locations) out.push_back(Resolve(v));
  return out;
}

Result<std::vector<TargetConfig>> LoadTargets(const Config& config) {
  std::vector<TargetConfig> out;
  for (const auto& [name, target] : config.targets) out.push_back(target);
  if (config.targets_file.empty()) return out;
  std::string path = config.Resolve(config.targets_file);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("targets_file '" + path +
                            "' cannot be read: " + std::strerror(errno));
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (size_t hash = line.find('#'); hash != std::string::npos) {
      line.erase(hash);
    }
    std::vector<std::string> fields;
    std::istringstream words(line);
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    TargetConfig target;
    if (fields.size() == 1) {
      // A bare URL is named after its server and database, never its
      // password.
      target.url = fields[0];
      target.name = RedactedUrl(fields[0]);
    } else if (fields.size() == 2) {
      target.name = fields[0];
      target.url = fields[1];
    } else {
      // Never quote the line: it may hold a password.
      return Status::InvalidArgument(where +
                                     ": expected \"name url\" or \"url\"");
    }
    for (const TargetConfig& seen : out) {
      if (seen.name == target.name) {
        return Status::InvalidArgument(where + ": target '" + target.name +
                                       "' is defined twice");
      }
    }
    out.push_back(std::move(target));
  }
  return out;
}

Result<std::string> Interpolate(const std::string& value,
                                const std::string& where,
                                const LoadOptions& options) {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] == '$' && i + 1 < value.size() && value[i + 1] == '$') {
      out += '$';  // "$$" escapes a literal dollar
      i += 2;
      continue;
    }
    if (value[i] != '$' || i + 1 >= value.size() || value[i + 1] != '{') {
      out += value[i++];
      continue;
    }
    size_t close = value.find('}', i + 2);
    if (close == std::string::npos) {
      return Status::InvalidArgument(where + ": unterminated '${' in value");
    }
    std::string expr = value.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (size_t d = expr.find(":-"); d != std::string::npos) {
      fallback = expr.substr(d + 2);
      expr = expr.substr(0, d);
    }
    std::optional<std::string> found;
    if (StartsWith(expr, "x.")) {
      auto it = options.x_args.find(expr.substr(2));
      if (it != options.x_args.end()) found = it->second;
    } else {
      found = options.getenv ? options.getenv(expr) : RealGetenv(expr);
      if (found && found->empty() && fallback) found.reset();
    }
    if (!found && fallback) found = fallback;
    if (!found) {
      if (StartsWith(expr, "x.")) {
        return Status::InvalidArgument(
            where + ": '${" + expr + "}' needs '-x " + expr.substr(2) +
            "=<value>' on the command line (or write '${" + expr +
            ":-default}')");
      }
      return Status::InvalidArgument(where + ": environment variable '" + expr +
                                     "' is not set; set it, or write '${" +
                                     expr + ":-default}'");
    }
    out += *found;
    i = close + 1;
  }
  return out;
}

Result<Config> ParseConfig(const std::string& text, const std::string& path,
                           const LoadOptions& options) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(
        path + ":" + std::to_string(e.source().begin.line) + ":" +
        std::to_string(e.source().begin.column) + ": " +
        // toml++ may quote a piece of the line, and the line may be a url.
        Redact(e.description()));
  }
  Config config;
  config.path = path;
  config.directory = fs::path(path).parent_path().string();
  if (config.directory.empty()) config.directory = ".";
  Reader reader(path, options);
  RETORT_RETURN_IF_ERROR(ApplyTable(reader, root, false, &config));

  const toml::node* envs = root.get("env");
  if (envs && !envs->is_table()) {
    return reader.TypeError(*envs, "env", "a table of [env.<name>]");
  }
  if (!options.name.empty()) {
    const toml::node* env =
        envs ? envs->as_table()->get(options.name) : nullptr;
    if (!env || !env->is_table()) {
      std::vector<std::string> names;
      if (envs)
        for (const auto& [k, v] : *envs->as_table())
          names.emplace_back(k.str());
      return Status::NotFound(
          path + ": no [env." + options.name + "] section" +
          DidYouMean(options.name, names) +
          (names.empty() ? "" : " (known: " + Join(names, ", ") + ")"));
    }
    RETORT_RETURN_IF_ERROR(ApplyTable(reader, *env->as_table(), true, &config));
  }
  if (config.url.empty() && options.database_url_default) {
    auto env_url = options.getenv ? options.getenv("DATABASE_URL")
                                  : RealGetenv("DATABASE_URL");
    if (env_url) config.url = *env_url;
  }
  if (config.truncate_slug_length < 0) {
    return Status::InvalidArgument(path +
                                   ": 'truncate_slug_length' must be >= 0");
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path, const LoadOptions& options,
                          bool must_exist) {
  // The .env beside the file feeds interpolation underneath the real
  // environment (or the caller's getenv), which always wins.
  std::string env_file = (fs::path(path).parent_path() / ".env").string();
  RETORT_ASSIGN_OR_RETURN(DotEnv dotenv, ReadDotEnv(env_file));
  std::error_code ec;
  if (!fs::exists(env_file, ec)) env_file.clear();
  LoadOptions layered = options;
  std::function<std::optional<std::string>(const std::string&)> outer =
      options.getenv;
  if (!outer) outer = &RealGetenv;
  layered.getenv =
      [outer, dotenv](const std::string& name) -> std::optional<std::string> {
    if (std::optional<std::string> v = outer(name)) return v;
    auto it = dotenv.find(name);
    if (it == dotenv.end()) return std::nullopt;
    return it->second;
  };

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (must_exist || errno != ENOENT) {
      return Status::NotFound(
          "no configuration file '" + path +
          "'; run 'retort init' to create a project, or pass -c FILE");
    }
    Config config;
    config.env_file = env_file;
    config.dotenv = dotenv;
    if (auto env_url = layered.getenv("DATABASE_URL")) config.url = *env_url;
    return config;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (LooksLikeAlembicIni(ss.str())) {
    return Status::InvalidArgument(
        path +
        " is Alembic's configuration (an [alembic] section), not retort's: "
        "retort reads a retort.toml. To bring this project over, run 'retort "
        "init migrations' and then 'retort import-alembic " +
        path + "' (docs/guides/from-alembic.md)");
  }
  RETORT_ASSIGN_OR_RETURN(Config config, ParseConfig(ss.str(), path, layered));
  config.env_file = env_file;
  config.dotenv = std::move(dotenv);
  return config;
}

}  // namespace retort
