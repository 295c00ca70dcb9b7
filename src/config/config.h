// retort.toml: the project's configuration (the alembic.ini of retort).
// Loading resolves named environments and ${...} interpolation, so the rest
// of retort sees one flat, final Config.
#ifndef RETORT_CONFIG_CONFIG_H_
#define RETORT_CONFIG_CONFIG_H_

#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "retort/status.h"

namespace retort {

// SchemaConfig maps one database schema to its version table and branch
// (the seeds' SCHEMA_VERSION_TABLES), from a [schemas.<name>] section.
struct SchemaConfig {
  std::string name;
  // Default: "alembic_version_<name>".
  std::string version_table;
  // Default: empty (the version table lives in the schema itself).
  std::string version_table_schema;
  // Branch label holding this schema's revisions. Default: <name>.
  std::string branch;
  // Create the schema (CREATE SCHEMA IF NOT EXISTS) before migrating it.
  // Default: false.
  bool create = false;
};

// TenantsConfig fans the same revisions out over many schemas of one
// database (schema per tenant), from the [tenants] section. The tenant list
// comes from exactly one of `schemas`, `schemas_query`, `schemas_like`.
struct TenantsConfig {
  // True when the file has a [tenants] section.
  bool configured = false;
  // Branch label whose revisions every tenant gets. Default: empty (the
  // whole revision graph).
  std::string branch;
  // Version table of each tenant. Default: "alembic_version". With
  // version_table_schema set, it must contain "{schema}" (each tenant needs
  // its own table), e.g. "alembic_version_{schema}".
  std::string version_table = "alembic_version";
  // Default: empty (the version table lives in each tenant's schema).
  std::string version_table_schema;
  // The tenants, listed. Default: none.
  std::vector<std::string> schemas;
  // A query whose first column lists the tenants, run on each database.
  // Default: none.
  std::string schemas_query;
  // A LIKE pattern over existing schema names, e.g. "tenant_%".
  // Default: none.
  std::string schemas_like;
  // CREATE SCHEMA IF NOT EXISTS for tenants that do not exist yet.
  // Default: true.
  bool create = true;
  // Connections migrating tenants in parallel (--jobs). Default: 4.
  int jobs = 4;
  // Tenants migrated first, alone; the rest start only when they all
  // succeeded (--canary). Default: 0.
  int canary = 0;
};

// TargetConfig is one database server (or database) a --targets run
// migrates, from [targets.<name>] or a line of `targets_file`.
struct TargetConfig {
  std::string name;
  // Database URL; may be a vault: reference. Required.
  std::string url;
};

// Config is the merged, interpolated content of retort.toml.
struct Config {
  // The file it was read from; empty when no file exists (all defaults).
  std::string path;
  // The folder relative paths are resolved against (the config's folder).
  std::string directory = ".";
  // The .env file read beside it; empty when there is none.
  std::string env_file;
  // Its variables (empty without one): a Migrator's vault: references read
  // VAULT_ADDR and friends from here when the environment lacks them.
  std::map<std::string, std::string> dotenv;

  // Default: "migrations".
  std::string script_location = "migrations";
  // Extra folders holding revision files. Default: <script_location>/versions.
  std::vector<std::string> version_locations;
  // Default: false.
  bool recursive_version_locations = false;
  // Default: "%(rev)s_%(slug)s".
  std::string file_template = "%(rev)s_%(slug)s";
  // Default: 40.
  int truncate_slug_length = 40;
  // IANA zone for Create Date. Default: empty (local time).
  std::string timezone;
  // Database URL. Default: $DATABASE_URL, else empty. May be a
  // "vault:<mount>/<path>#<field>" reference: it is kept as written (so
  // nothing prints the secret) and resolved with ResolveSecret (vault.h)
  // only where a connection is made.
  std::string url;
  // Default: "alembic_version".
  std::string version_table = "alembic_version";
  // Default: empty (the connection's default schema).
  std::string version_table_schema;
  // Default: false (one transaction around the whole run).
  bool transaction_per_migration = false;
  // Keep retort's history table beside the version table. false leaves
  // only Alembic's version table in the database (for a team still
  // running Alembic's autogenerate on it). Default: true.
  bool history_table = true;
  // What `upgrade` does when an applied revision's file was edited after
  // it ran: "fail" refuses to run, "warn" logs a warning and runs.
  // Default: "fail".
  std::string on_edited = "fail";
  // Globs of model files for autogenerate. Default: empty.
  std::vector<std::string> models;
  // PostgreSQL database the models are loaded into for autogenerate (inside
  // a transaction that is rolled back). Default: empty (a temporary
  // database on the target's server).
  std::string dev_url;
  // Schemas compared by autogenerate. Default: empty (every user schema).
  std::vector<std::string> include_schemas;
  // Schemas (globs) never compared. Default: none.
  std::vector<std::string> exclude_schemas;
  // Tables (globs on "name" or "schema.name") never compared. Default: none.
  std::vector<std::string> exclude_tables;
  // PostgreSQL lock_timeout of the migration session: a statement waiting
  // longer for a lock fails, the run rolls back and retries (lock_retries)
  // instead of queueing readers behind it. "0" = off. Default: "5s".
  std::string lock_timeout = "5s";
  // Retries after a lock timeout, with exponential backoff. Default: 5.
  int lock_retries = 5;
  // How long to wait for the migration lock another run holds. Default:
  // empty (forever, saying who holds it every 10 s).
  std::string migration_lock_timeout;
  // PostgreSQL statement_timeout of the migration session. Default: empty
  // (the server's).
  std::string statement_timeout;
  // Autogenerate online plans (revision --autogenerate --online) always.
  // Default: false.
  bool online = false;
  // The "Lock Timeout:" an online plan's revision gets: each of its DDL
  // statements gives up a lock wait after this long and is retried
  // (lock_retries), so writers never queue long behind it. Default: 100ms.
  std::string online_lock_timeout = "100ms";
  // Backfills ("-- retort: backfill") pause between batches while a
  // streaming replica replays more than this far behind. Default: empty
  // (never pause).
  std::string max_replica_lag;

  std::map<std::string, SchemaConfig> schemas;
  TenantsConfig tenants;
  // [targets.<name>] sections, by name.
  std::map<std::string, TargetConfig> targets;
  // A file of more targets, one "name url" (or just "url") per line; '#'
  // starts a comment. Read only by --targets. Default: none.
  std::string targets_file;
  // Values may be vault: references too (resolved where they are used).
  std::map<std::string, std::string> placeholders;
  // Placeholders written { value = "...", secret = true }: their values
  // are masked in logs and errors, and --sql writes them as psql variables.
  // (vault: values are secret whatever this says.)
  std::set<std::string> secret_placeholders;

  // The Python interpreter for SQLAlchemy models and import-alembic: a
  // name looked up on PATH or a path. Default: "python3".
  std::string python = "python3";
  // Where `python` was set ("retort.toml:4"); "" when it was not.
  std::string python_where;
  // Folders Python imports model modules from, after the config's own
  // folder (relative to it). Default: none.
  std::vector<std::string> python_path;
  // [naming]: SQLAlchemy-style naming conventions for unnamed constraints
  // and indexes of SQL models (pk, fk, uq, ix, ck), as written; checked
  // where they are used (autogen/naming.h). Default: none.
  std::map<std::string, std::string> naming;
  // Where [naming] was set ("retort.toml:12"); "" when it was not.
  std::string naming_where;

  // Folder of revision files that new revisions go to by default.
  std::string VersionsDirectory() const;
  // Every folder searched for revision files, absolute or relative to cwd.
  std::vector<std::string> VersionDirectories() const;
  // Resolves `p` against `directory` unless it is absolute.
  std::string Resolve(const std::string& p) const;
};

// LoadOptions are the command-line inputs that shape a Config.
struct LoadOptions {
  // -n/--name: the [env.<name>] section overriding top-level keys.
  std::string name;
  // -x key=value arguments, visible as ${x.key}.
  std::map<std::string, std::string> x_args;
  // Looks up an environment variable; default: getenv. LoadConfig layers
  // the .env file under it.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Without a url setting, take DATABASE_URL from the environment.
  // Default: true (false for a configuration compiled into an application).
  bool database_url_default = true;
};

// Reads `path`, and the .env beside it when there is one (see dotenv.h):
// its variables feed ${VAR} and the DATABASE_URL default wherever the real
// environment (options.getenv, when set) lacks them. A missing file yields
// the defaults when `must_exist` is false; a malformed one, or a malformed
// .env, is an error naming file:line.
Result<Config> LoadConfig(const std::string& path, const LoadOptions& options,
                          bool must_exist);

// Every target --targets can name: [targets.*] then the lines of
// targets_file, in order. Errors name the file and line (a duplicate name,
// a line that is not "name url" or "url").
Result<std::vector<TargetConfig>> LoadTargets(const Config& config);

// Parses TOML text (for tests and `init`); `path` only names it in errors.
Result<Config> ParseConfig(const std::string& text, const std::string& path,
                           const LoadOptions& options);

// Replaces ${VAR}, ${VAR:-default} and ${x.key} in `value`. `where` names
// the place for errors ("retort.toml:3").
Result<std::string> Interpolate(const std::string& value,
                                const std::string& where,
                                const LoadOptions& options);

}  // namespace retort

#endif  // RETORT_CONFIG_CONFIG_H_
