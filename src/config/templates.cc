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

# Keep "<version table>_history" (what ran, when, the file's checksum)
# beside the version table. false leaves only Alembic's version table, e.g.
# while a team still runs Alembic's autogenerate. Default: true.
# history_table = true

# Models for autogenerate (diff, check, revision --autogenerate): globs of
# plain SQL DDL files and "sqlalchemy:<module>:<attribute>" entries (a
# SQLAlchemy MetaData, or a declarative Base). Default: none.
# models = ["models/*.sql"]
# models = ["sqlalchemy:app.models:Base.metadata"]

# Python for SQLAlchemy models and "retort import-alembic": a name on PATH
# or a path. Default: "python3".
# python = "/usr/bin/python3"
# Folders model modules are imported from, after this file's folder.
# Default: none.
# python_path = ["src"]

# SQLAlchemy's naming conventions for the constraints and indexes SQL models
# leave unnamed, so they match a database SQLAlchemy created (tokens:
# %(table_name)s %(column_0_name)s %(column_0_label)s %(referred_table_name)s
# %(constraint_name)s ...). Default: PostgreSQL's own names.
# [naming]
# pk = "pk_%(table_name)s"
# fk = "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
# uq = "uq_%(table_name)s_%(column_0_name)s"
# ix = "ix_%(column_0_label)s"
# ck = "ck_%(table_name)s_%(constraint_name)s"
# Scratch PostgreSQL database the models are loaded into (rolled back).
# Default: a temporary database created on the target's server.
# dev_url = "postgresql://localhost/retort_dev"
# What autogenerate compares. Default: every user schema.
# include_schemas = ["auth", "inventory"]
# exclude_schemas = ["tmp_*"]
# exclude_tables = ["audit.*", "*_backup"]

# How long a migration statement (PostgreSQL) may wait for a table lock:
# past it the statement fails instead of queueing every reader behind it,
# the run rolls back, says who blocked it, and retries after a backoff
# (lock_retries times). "0" waits forever. A revision's "Lock Timeout:"
# header overrides it. Default: "5s", 5 retries.
# lock_timeout = "5s"
# lock_retries = 5
# How long to wait for the migration lock while another retort run holds
# it (lock_timeout does not apply to that wait). Default: forever, saying
# who holds it every 10 s.
# migration_lock_timeout = "10min"
# PostgreSQL statement_timeout for the migration session. Default: the
# server's.
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

std::string TenantsTemplateConfig() {
  return std::string(
             "# retort.toml: one PostgreSQL database, one schema per tenant, "
             "every tenant\n# migrated with the same revisions.\n\n") +
         kCommonKeys + R"(
# "retort upgrade head --tenants" applies the revisions to every tenant.
[tenants]
# Where the tenants come from: exactly one of
#   schemas        a list
#   schemas_query  a query whose first column names them (run on each database)
#   schemas_like   a LIKE pattern over the schemas that exist
schemas = ["tenant_1", "tenant_2"]
# schemas_query = "SELECT schema_name FROM public.tenants ORDER BY id"
# schemas_like = "tenant_%"
# Branch label of the tenants' revisions. Default: the whole graph.
# branch = "tenant"
# Version table in each tenant schema. Default: "alembic_version".
# version_table = "alembic_version"
# Or all of them in one schema (the name must then contain {schema}):
# version_table_schema = "public"
# version_table = "alembic_version_{schema}"
# CREATE SCHEMA for tenants that do not exist yet. Default: true.
# create = true
# Connections working in parallel (--jobs). Default: 4.
# jobs = 4
# Tenants run first, alone; if one fails the rest do not start (--canary).
# Default: 0.
# canary = 0

# More servers for "--targets all|NAME,...": each gets the same run.
# [targets.eu]
# url = "postgresql://app@eu-db/game"
# [targets.us]
# url = "vault:secret/data/game/us-db#url"
# Or a file of "name url" lines:
# targets_file = "targets.txt"
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
version table (alembic_version_<schema>), configured in retort.toml under
[schemas.<name>]. Add a schema by adding its section, then:

    retort revision --schema auth -m "init auth schema"   # branch base: CREATE SCHEMA
    retort revision --schema auth -m "add users"          # appends to auth@head
    retort upgrade heads --all-schemas                    # every schema, in "Depends On" order
    retort current --all-schemas
    retort history --schema auth                          # auth's branch only

"-x schema=auth" works wherever "--schema auth" does. A revision that needs
another schema's tables declares it with "--depends-on <revision>"; the other
schema then runs first, and upgrading this one alone checks that it is done.
)";

constexpr const char* kTenantsReadme = R"(# Migrations: one schema per tenant

Every tenant schema gets the same revisions and has its own version table.
The tenant list comes from [tenants] in retort.toml (a list, a query, or a
LIKE pattern); schemas that do not exist yet are created.

    retort revision -m "add invoices"
    retort upgrade head --tenants --jobs 8 --canary 5
    retort upgrade head --tenants --continue-on-error
    retort current --tenants          # how many tenants at each revision

Each tenant runs in its own transaction: a failing tenant is left as it was
and named in the summary. A rerun skips the tenants already at head.
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
      {"tenants",
       "One PostgreSQL database with a schema per tenant, all migrated "
       "with the same revisions.",
       TenantsTemplateConfig(), kTenantsReadme},
  };
  return templates;
}

const ProjectTemplate* FindProjectTemplate(const std::string& name) {
  for (const auto& t : ProjectTemplates())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace retort
