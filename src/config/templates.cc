// The text of each project template. The generic retort.toml documents every
// key with its default, so the file is its own reference.
#include "config/templates.h"

namespace retort {

namespace {

constexpr const char* kCommonKeys = R"(# Database URL. ${VAR} and ${VAR:-default} read the environment, ${x.key}
# reads "-x key=value" from the command line. When no url is set here,
# $DATABASE_URL is used. A .env file beside this one (KEY=value lines) fills
# in variables the environment lacks; it never overrides the environment.
#   postgresql://user:password@host:5432/dbname   (also postgresql+psycopg2://)
#   sqlite:///relative/path.db   sqlite:////absolute/path.db   sqlite://
# Any string value may instead be a HashiCorp Vault reference, read only by
# commands that connect (never by heads/history/show), e.g.
#   url = "vault:secret/data/game/db#url"   (KV v2 API path, field "url")
#   url = "vault:secret/game/db#url"        (KV v2 tried first, then KV v1)
# with VAULT_ADDR and VAULT_TOKEN (or ~/.vault-token) set; also honoured:
# VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY,
# VAULT_CLIENT_TIMEOUT (default 5s). Passwords and secrets are never printed.
url = "${DATABASE_URL:-sqlite:///retort.db}"

# Folder holding script.sql.tmpl and versions/. Relative to this file.
script_location = "@SCRIPT_LOCATION@"

# Folders of revision files. Default: ["<script_location>/versions"].
# version_locations = ["@SCRIPT_LOCATION@/versions"]

# Search version_locations recursively. Default: false.
# recursive_version_locations = false

# Name of new revision files, with Alembic's tokens: %(rev)s %(slug)s
# %(epoch)s %(year)d %(month).2d %(day).2d %(hour).2d %(minute).2d
# %(second).2d. Default: "%(rev)s_%(slug)s".
# file_template = "%(year)d_%(month).2d_%(day).2d_%(rev)s_%(slug)s"

# Longest slug taken from the message. Default: 40.
# truncate_slug_length = 40

# IANA time zone for "Create Date" (e.g. "UTC"). Default: local time.
# timezone = "UTC"

# Table recording the applied revisions (Alembic's). Default: "alembic_version".
# version_table = "alembic_version"
# Schema of the version table. Default: the connection's default schema.
# version_table_schema = "public"

# One transaction per revision instead of one around the whole run.
# Default: false.
# transaction_per_migration = false

# Model files (plain SQL DDL) for autogenerate (diff, check,
# revision --autogenerate). Default: none.
# models = ["models/*.sql"]
# Scratch PostgreSQL database the models are loaded into (rolled back).
# Default: a temporary database created on the target's server.
# dev_url = "postgresql://localhost/retort_dev"
# What autogenerate compares. Default: every user schema.
# include_schemas = ["auth", "inventory"]
# exclude_schemas = ["tmp_*"]
# exclude_tables = ["audit.*", "*_backup"]

# PostgreSQL lock_timeout / statement_timeout for the migration session.
# Default: the server's.
# lock_timeout = "5s"
# statement_timeout = "15min"
)";

constexpr const char* kSectionsDoc = R"(
# Values for ${name} placeholders in revision files (vault: references
# allowed).
# [placeholders]
# owner = "app"

# Named environments: "retort -n staging ..." applies [env.staging] over
# the keys above.
# [env.staging]
# url = "${STAGING_DATABASE_URL}"
# [env.production]
# url = "vault:secret/data/game/prod-db#url"
)";

std::string GenericConfig() {
  return std::string("# retort.toml: configuration of this retort project.\n\n") +
         kCommonKeys + kSectionsDoc;
}

std::string MultischemaConfig() {
  return std::string(
             "# retort.toml: one database, one schema per domain, each with "
             "its own\n# branch label and version table.\n\n") +
         kCommonKeys + R"(
# One section per schema: "retort --schema auth ..." (or -x schema=auth)
# uses that schema's version table and branch.
#   version_table         default "alembic_version_<schema>"
#   version_table_schema  default: the schema itself
#   branch                branch label of its revisions; default: the name
#   create                CREATE SCHEMA IF NOT EXISTS first; default false
[schemas.auth]
version_table = "alembic_version_auth"
branch = "auth"
create = true

[schemas.inventory]
version_table = "alembic_version_inventory"
branch = "inventory"
create = true
)" + kSectionsDoc;
}

constexpr const char* kGenericReadme = R"(# Migrations

Revision files live in versions/, one per change, each with a
"-- migrate:upgrade" and a "-- migrate:downgrade" section.

    retort revision -m "add users"     # new revision file
    retort history                     # list revisions
    retort heads                       # show the head(s)
)";

constexpr const char* kMultischemaReadme = R"(# Migrations: one schema per domain

Each schema (auth, inventory, ...) has its own branch label and its own
version table, configured in retort.toml under [schemas.<name>].

    retort revision --branch-label auth --head base -m "init auth schema"
    retort revision --head auth@head -m "add users"
    retort history
    retort heads
)";

}  // namespace

const std::vector<ProjectTemplate>& ProjectTemplates() {
  static const std::vector<ProjectTemplate> templates = {
      {"generic", "Generic single-database configuration.", GenericConfig(),
       kGenericReadme},
      {"multischema",
       "One database with a schema per domain, each with its own version "
       "table and branch.",
       MultischemaConfig(), kMultischemaReadme},
  };
  return templates;
}

const ProjectTemplate* FindProjectTemplate(const std::string& name) {
  for (const auto& t : ProjectTemplates())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace retort
