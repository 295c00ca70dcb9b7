// Tests for retort.toml loading: keys, sections, environments, interpolation
// and the exact error texts.
#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/templates.h"

namespace retort {
namespace {

LoadOptions Env(std::map<std::string, std::string> vars,
                std::map<std::string, std::string> x = {},
                std::string name = "") {
  LoadOptions o;
  o.name = std::move(name);
  o.x_args = std::move(x);
  o.getenv = [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return o;
}

TEST(ConfigTest, DefaultsWhenEmpty) {
  auto c = ParseConfig("", "proj/retort.toml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->script_location, "migrations");
  EXPECT_EQ(c->file_template, "%(rev)s_%(slug)s");
  EXPECT_EQ(c->truncate_slug_length, 40);
  EXPECT_EQ(c->version_table, "alembic_version");
  EXPECT_EQ(c->VersionsDirectory(), "proj/migrations/versions");
  EXPECT_EQ(c->url, "");
}

TEST(ConfigTest, ReadsEveryKey) {
  auto c = ParseConfig(R"(
script_location = "db"
version_locations = ["db/a", "db/b"]
recursive_version_locations = true
file_template = "%(year)d_%(rev)s"
truncate_slug_length = 10
timezone = "UTC"
url = "sqlite:///x.db"
version_table = "vt"
version_table_schema = "meta"
transaction_per_migration = true
models = ["models/*.sql"]
lock_timeout = "5s"
statement_timeout = "1min"
[placeholders]
owner = "app"
[schemas.auth]
create = true
[schemas.inventory]
version_table = "inv_version"
branch = "inv"
version_table_schema = "meta"
)",
                       "retort.toml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->script_location, "db");
  EXPECT_EQ(c->VersionDirectories(),
            (std::vector<std::string>{"db/a", "db/b"}));
  EXPECT_TRUE(c->recursive_version_locations);
  EXPECT_EQ(c->file_template, "%(year)d_%(rev)s");
  EXPECT_EQ(c->truncate_slug_length, 10);
  EXPECT_EQ(c->timezone, "UTC");
  EXPECT_EQ(c->url, "sqlite:///x.db");
  EXPECT_EQ(c->version_table, "vt");
  EXPECT_EQ(c->version_table_schema, "meta");
  EXPECT_TRUE(c->transaction_per_migration);
  EXPECT_EQ(c->models, (std::vector<std::string>{"models/*.sql"}));
  EXPECT_EQ(c->lock_timeout, "5s");
  EXPECT_EQ(c->statement_timeout, "1min");
  EXPECT_EQ(c->placeholders.at("owner"), "app");
  EXPECT_EQ(c->schemas.at("auth").version_table, "alembic_version_auth");
  EXPECT_EQ(c->schemas.at("auth").branch, "auth");
  EXPECT_TRUE(c->schemas.at("auth").create);
  EXPECT_EQ(c->schemas.at("inventory").version_table, "inv_version");
  EXPECT_EQ(c->schemas.at("inventory").branch, "inv");
  EXPECT_FALSE(c->schemas.at("inventory").create);
}

TEST(ConfigTest, TenantsAndTargets) {
  auto c = ParseConfig(R"(
targets_file = "servers.txt"
[tenants]
schemas_like = "tenant_%"
branch = "tenant"
jobs = 8
canary = 2
create = false
[targets.eu]
url = "postgresql://eu/game"
[targets.us]
url = "postgresql://us/game"
)",
                       "proj/retort.toml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->tenants.configured);
  EXPECT_EQ(c->tenants.schemas_like, "tenant_%");
  EXPECT_EQ(c->tenants.branch, "tenant");
  EXPECT_EQ(c->tenants.version_table, "alembic_version");
  EXPECT_EQ(c->tenants.jobs, 8);
  EXPECT_EQ(c->tenants.canary, 2);
  EXPECT_FALSE(c->tenants.create);
  ASSERT_EQ(c->targets.size(), 2u);
  EXPECT_EQ(c->targets.at("us").url, "postgresql://us/game");
  EXPECT_EQ(c->targets_file, "servers.txt");

  auto none = ParseConfig("", "retort.toml", Env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->tenants.configured);
  EXPECT_TRUE(none->tenants.create);
  EXPECT_EQ(none->tenants.jobs, 4);
}

TEST(ConfigTest, TenantErrors) {
  auto two =
      ParseConfig("[tenants]\nschemas = [\"a\"]\nschemas_like = \"t_%\"\n",
                  "retort.toml", Env({}));
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(),
            "retort.toml:1: [tenants] takes one of 'schemas', 'schemas_query' "
            "or 'schemas_like', not several");
  auto shared = ParseConfig(
      "[tenants]\nschemas = [\"a\"]\nversion_table_schema = \"public\"\n",
      "retort.toml", Env({}));
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.status().message(),
            "retort.toml:1: [tenants] version_table_schema puts every "
            "tenant's version table in one schema, so version_table must "
            "contain {schema} (e.g. \"alembic_version_{schema}\")");
  auto typo =
      ParseConfig("[tenants]\nschema = [\"a\"]\n", "retort.toml", Env({}));
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().message(),
            "retort.toml:2: unknown key 'schema' in [tenants]; did you mean "
            "'schemas'?");
  auto jobs = ParseConfig("[tenants]\njobs = 0\n", "retort.toml", Env({}));
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.status().message(),
            "retort.toml:2: 'jobs' must be from 1 to 1000");
  // A number past int's range is refused, never wrapped (4294967297 would
  // read as 1).
  auto wrapped =
      ParseConfig("[tenants]\njobs = 4294967297\n", "retort.toml", Env({}));
  ASSERT_FALSE(wrapped.ok());
  EXPECT_EQ(wrapped.status().message(),
            "retort.toml:2: 'jobs' is 4294967297, out of range (from "
            "-2147483648 to 2147483647)");
  auto retries =
      ParseConfig("lock_retries = -4294967291\n", "retort.toml", Env({}));
  ASSERT_FALSE(retries.ok());
  EXPECT_EQ(retries.status().message(),
            "retort.toml:1: 'lock_retries' is -4294967291, out of range "
            "(from -2147483648 to 2147483647)");
  auto target =
      ParseConfig("[targets.eu]\nurl = \"\"\n", "retort.toml", Env({}));
  ASSERT_FALSE(target.ok());
  EXPECT_EQ(target.status().message(),
            "retort.toml:1: [targets.eu] needs a url");
}

TEST(ConfigTest, TargetsFile) {
  std::string dir =
      (std::filesystem::path(::testing::TempDir()) / "retort-targets-test")
          .string();
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/servers.txt")
        << "# name url\n"
           "eu postgresql://app:secret@eu-db/game\n"
           "\n"
           "postgresql://app@us-db:5433/game   # a bare URL\n";
  }
  auto c = ParseConfig(
      "targets_file = \"servers.txt\"\n[targets.local]\nurl = "
      "\"postgresql://localhost/game\"\n",
      dir + "/retort.toml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto targets = LoadTargets(*c);
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[0].name, "local");
  EXPECT_EQ((*targets)[1].name, "eu");
  EXPECT_EQ((*targets)[1].url, "postgresql://app:secret@eu-db/game");
  EXPECT_EQ((*targets)[2].name, "postgresql://app@us-db:5433/game");

  {
    std::ofstream(dir + "/servers.txt") << "eu postgresql://a:pw@x/db extra\n";
  }
  auto bad = LoadTargets(*c);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            dir + "/servers.txt:1: expected \"name url\" or \"url\"");
  { std::ofstream(dir + "/servers.txt") << "local postgresql://x/db\n"; }
  auto dup = LoadTargets(*c);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            dir + "/servers.txt:1: target 'local' is defined twice");
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, UnknownKeySuggests) {
  auto c = ParseConfig("url = \"x\"\nscript_locaton = \"db\"\n", "retort.toml",
                       Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:2: unknown key 'script_locaton'; did you mean "
            "'script_location'?");
}

TEST(ConfigTest, UnknownSchemaKey) {
  auto c = ParseConfig("[schemas.auth]\nversion_tabel = \"v\"\n", "retort.toml",
                       Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:2: unknown key 'version_tabel' in [schemas.auth]; "
            "did you mean 'version_table'?");
}

TEST(ConfigTest, WrongType) {
  auto c =
      ParseConfig("truncate_slug_length = \"long\"\n", "retort.toml", Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:1: 'truncate_slug_length' must be a whole number");
}

TEST(ConfigTest, BadTomlNamesLineAndColumn) {
  auto c =
      ParseConfig("url = \"x\"\nscript_location = \n", "retort.toml", Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind("retort.toml:2:", 0), 0u)
      << c.status().message();
}

TEST(ConfigTest, Interpolation) {
  auto c = ParseConfig(
      "url = \"postgresql://${PGUSER_X}@${HOST:-localhost}/${x.db}\"\n",
      "retort.toml", Env({{"PGUSER_X", "app"}}, {{"db", "game"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "postgresql://app@localhost/game");
}

TEST(ConfigTest, DollarDollarEscapes) {
  auto r = Interpolate("a$${B}c", "here", Env({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "a${B}c");
}

TEST(ConfigTest, UnsetVariableIsAnError) {
  auto c = ParseConfig("\nurl = \"${NOPE}\"\n", "retort.toml", Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:2: environment variable 'NOPE' is not set; set it, "
            "or write '${NOPE:-default}'");
}

TEST(ConfigTest, MissingXArgIsAnError) {
  auto c = ParseConfig("url = \"${x.db}\"\n", "retort.toml", Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:1: '${x.db}' needs '-x db=<value>' on the command "
            "line (or write '${x.db:-default}')");
}

TEST(ConfigTest, DatabaseUrlFallback) {
  auto c = ParseConfig("", "retort.toml", Env({{"DATABASE_URL", "sqlite://"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url, "sqlite://");
}

TEST(ConfigTest, NamedEnvironmentOverrides) {
  const char* text = R"(
url = "sqlite:///dev.db"
version_table = "v"
[env.staging]
url = "postgresql://staging/db"
)";
  auto c = ParseConfig(text, "retort.toml", Env({}, {}, "staging"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "postgresql://staging/db");
  EXPECT_EQ(c->version_table, "v");
  auto bad = ParseConfig(text, "retort.toml", Env({}, {}, "stagin"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "retort.toml: no [env.stagin] section; did you mean 'staging'? "
            "(known: staging)");
}

TEST(ConfigTest, MissingFileGivesDefaultsUnlessRequired) {
  auto c = LoadConfig("/nonexistent/retort.toml", Env({}), false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, "");
  auto r = LoadConfig("/nonexistent/retort.toml", Env({}), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "no configuration file '/nonexistent/retort.toml'; run 'retort "
            "init' to create a project, or pass -c FILE");
}

TEST(ConfigTest, EveryTemplateParses) {
  for (const auto& t : ProjectTemplates()) {
    std::string text = t.config;
    size_t at = text.find("@SCRIPT_LOCATION@");
    while (at != std::string::npos) {
      text.replace(at, 17, "migrations");
      at = text.find("@SCRIPT_LOCATION@");
    }
    auto c = ParseConfig(text, "retort.toml", Env({}));
    ASSERT_TRUE(c.ok()) << t.name << ": " << c.status().ToString();
    EXPECT_EQ(c->url, "sqlite:///retort.db") << t.name;
  }
}

TEST(ConfigTest, TemplatesDocumentDotEnvAndVault) {
  for (const auto& t : ProjectTemplates()) {
    for (const char* word :
         {".env", "vault:secret/data/game/db#url", "VAULT_ADDR", "VAULT_TOKEN",
          "~/.vault-token", "VAULT_NAMESPACE", "VAULT_CACERT",
          "VAULT_SKIP_VERIFY", "VAULT_CLIENT_TIMEOUT"}) {
      EXPECT_NE(t.config.find(word), std::string::npos)
          << t.name << ": " << word;
    }
  }
}

TEST(ConfigTest, PythonAndNaming) {
  auto c = ParseConfig(
      "python = \"/usr/bin/python3\"\n"
      "python_path = [\"src\", \"lib\"]\n"
      "\n"
      "[naming]\n"
      "pk = \"pk_%(table_name)s\"\n"
      "ix = \"ix_%(column_0_label)s\"\n",
      "retort.toml", Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->python, "/usr/bin/python3");
  EXPECT_EQ(c->python_where, "retort.toml:1");
  EXPECT_EQ(c->python_path, (std::vector<std::string>{"src", "lib"}));
  EXPECT_EQ(c->naming.size(), 2u);
  EXPECT_EQ(c->naming.at("pk"), "pk_%(table_name)s");
  EXPECT_EQ(c->naming_where, "retort.toml:4");
  auto d = ParseConfig("", "retort.toml", Env({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->python, "python3");
  EXPECT_TRUE(d->history_table);
  auto h = ParseConfig("history_table = false\n", "retort.toml", Env({}));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_FALSE(h->history_table);
  EXPECT_EQ(d->python_where, "");
  EXPECT_TRUE(d->naming.empty());
  auto bad = ParseConfig("naming = \"x\"\n", "retort.toml", Env({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("retort.toml:1"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// Found by fuzz/config_fuzzer.cc: a duration taken from the environment
// was quoted in the error, and the variable may hold a secret.
TEST(ConfigTest, BadInterpolatedDurationDoesNotShowTheValue) {
  auto c = ParseConfig("lock_timeout = \"${APP_PW}\"\n", "proj/retort.toml",
                       Env({{"APP_PW", "hunter2"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "proj/retort.toml:1: 'lock_timeout': the value of '${APP_PW}' is "
            "not a duration: write a number with a unit (us, ms, s, min, h, "
            "d), e.g. \"5s\" or \"500ms\"; \"0\" turns it off");
  // Written literally, the value is shown.
  c = ParseConfig("max_replica_lag = \"soon\"\n", "proj/retort.toml", Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "proj/retort.toml:1: 'max_replica_lag': 'soon' is not a "
            "duration: write a number with a unit (us, ms, s, min, h, d), "
            "e.g. \"5s\" or \"500ms\"; \"0\" turns it off");
}

}  // namespace
}  // namespace retort
