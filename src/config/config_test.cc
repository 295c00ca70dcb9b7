// Tests for retort.toml loading: keys, sections, environments, interpolation
// and the exact error texts.
#include "config/config.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(c->VersionDirectories(), (std::vector<std::string>{"db/a", "db/b"}));
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
  auto c = ParseConfig("truncate_slug_length = \"long\"\n", "retort.toml",
                       Env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "retort.toml:1: 'truncate_slug_length' must be a whole number");
}

TEST(ConfigTest, BadTomlNamesLineAndColumn) {
  auto c = ParseConfig("url = \"x\"\nscript_location = \n", "retort.toml",
                       Env({}));
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
      EXPECT_NE(t.config.find(word), std::string::npos) << t.name << ": " << word;
    }
  }
}

}  // namespace
}  // namespace retort
