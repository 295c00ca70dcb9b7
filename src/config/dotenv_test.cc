// Tests for .env parsing and for LoadConfig reading the .env beside
// retort.toml underneath the real environment.
#include "config/dotenv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

TEST(ConfigDotEnvTest, Forms) {
  auto env = ParseDotEnv(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "  SPACED = padded value  \n"
      "export EXPORTED=yes\n"
      "EMPTY=\n"
      "HASH=a#b\n"
      "COMMENTED=value # trailing comment\n"
      "DOUBLE=\"line1\\nline2\\t\\\"q\\\" \\\\ \\x\" # comment\n"
      "URL=postgresql://u:p@h/db?sslmode=require\n"
      "CRLF=dos\r\n"
      "DUP=first\n"
      "DUP=second\n",
      ".env");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("PLAIN"), "value");
  EXPECT_EQ(env->at("SPACED"), "padded value");
  EXPECT_EQ(env->at("EXPORTED"), "yes");
  EXPECT_EQ(env->at("EMPTY"), "");
  EXPECT_EQ(env->at("HASH"), "a#b");
  EXPECT_EQ(env->at("COMMENTED"), "value");
  EXPECT_EQ(env->at("DOUBLE"), "line1\nline2\t\"q\" \\ \\x");
  EXPECT_EQ(env->at("URL"), "postgresql://u:p@h/db?sslmode=require");
  EXPECT_EQ(env->at("CRLF"), "dos");
  EXPECT_EQ(env->at("DUP"), "second");
}

TEST(ConfigDotEnvTest, SingleQuotesAreLiteral) {
  auto env = ParseDotEnv("S='$NOT ${EXPANDED} \\n' # c\nBOM=x\n", ".env");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("S"), "$NOT ${EXPANDED} \\n");
}

TEST(ConfigDotEnvTest, ByteOrderMarkIsSkipped) {
  auto env = ParseDotEnv("\xEF\xBB\xBFKEY=v\n", ".env");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("KEY"), "v");
}

TEST(ConfigDotEnvTest, MalformedLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"A=1\npostgresql://u:S3cret@h/db\n", "proj/.env:2: expected KEY=value"},
      {"1ABC=x\n",
       "proj/.env:1: invalid variable name before '='; names are letters, "
       "digits and '_', not starting with a digit"},
      {"pass word=S3cret\n",
       "proj/.env:1: invalid variable name before '='; names are letters, "
       "digits and '_', not starting with a digit"},
      {"\n\nPW=\"S3cret\n", "proj/.env:3: unterminated \"...\" value for PW"},
      {"PW='S3cret\n", "proj/.env:1: unterminated '...' value for PW"},
      {"PW='S3cret' more\n",
       "proj/.env:1: unexpected text after the closing quote for PW"},
      {"PW=\"S3cret\"more\n",
       "proj/.env:1: unexpected text after the closing quote for PW"},
  };
  for (const Case& c : cases) {
    auto env = ParseDotEnv(c.text, "proj/.env");
    ASSERT_FALSE(env.ok()) << c.text;
    EXPECT_EQ(env.status().message(), c.error) << c.text;
    // A malformed line is often a password: it is never echoed.
    EXPECT_EQ(env.status().message().find("S3cret"), std::string::npos);
  }
}

TEST(ConfigDotEnvTest, MissingFileIsEmpty) {
  auto env = ReadDotEnv("/nonexistent/.env");
  ASSERT_TRUE(env.ok());
  EXPECT_TRUE(env->empty());
}

// A project folder on disk, removed at the end.
class ConfigDotEnvLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("retort-dotenv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  static LoadOptions Env(std::map<std::string, std::string> vars) {
    LoadOptions o;
    o.getenv = [vars](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }

  fs::path dir_;
};

TEST_F(ConfigDotEnvLoadTest, FeedsInterpolationUnderTheEnvironment) {
  Write("retort.toml", "url = \"postgresql://${DB_USER}@${DB_HOST}/game\"\n");
  Write(".env", "DB_USER=from_dotenv\nDB_HOST=dotenv-host\n");
  auto c =
      LoadConfig(Path("retort.toml"), Env({{"DB_HOST", "real-host"}}), true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // The real environment wins; .env fills in what it lacks.
  EXPECT_EQ(c->url, "postgresql://from_dotenv@real-host/game");
  EXPECT_EQ(c->env_file, Path(".env"));
}

TEST_F(ConfigDotEnvLoadTest, FeedsTheDatabaseUrlDefault) {
  Write("retort.toml", "script_location = \"db\"\n");
  Write(".env", "DATABASE_URL=sqlite:///from_dotenv.db\n");
  auto c = LoadConfig(Path("retort.toml"), Env({}), true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "sqlite:///from_dotenv.db");
  // Also when there is no retort.toml at all.
  auto d = LoadConfig(Path("other.toml"), Env({}), false);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->url, "sqlite:///from_dotenv.db");
}

TEST_F(ConfigDotEnvLoadTest, NoDotEnvIsFine) {
  Write("retort.toml", "url = \"${X:-sqlite://}\"\n");
  auto c = LoadConfig(Path("retort.toml"), Env({}), true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "sqlite://");
  EXPECT_EQ(c->env_file, "");
}

TEST_F(ConfigDotEnvLoadTest, MalformedDotEnvIsAnError) {
  Write("retort.toml", "url = \"sqlite://\"\n");
  Write(".env", "# ok\nNOT A LINE\n");
  auto c = LoadConfig(Path("retort.toml"), Env({}), true);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), Path(".env") + ":2: expected KEY=value");
}

TEST_F(ConfigDotEnvLoadTest, VaultReferencesAreKeptAsWritten) {
  Write("retort.toml",
        "url = \"vault:secret/data/game/db#url\"\n"
        "[placeholders]\nowner = \"vault:secret/game/db#owner\"\n");
  auto c = LoadConfig(Path("retort.toml"), Env({}), true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // Loading never contacts Vault (no VAULT_ADDR here, and no error).
  EXPECT_EQ(c->url, "vault:secret/data/game/db#url");
  EXPECT_EQ(c->placeholders.at("owner"), "vault:secret/game/db#owner");
}

}  // namespace
}  // namespace retort
