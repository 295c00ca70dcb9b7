// The promise "passwords never appear in any output or log", checked end to
// end: the real binary runs every command, with and without -v and
// --format json, against a database that refuses connections, with the
// password in retort.toml, in DATABASE_URL, in .env, and behind a vault:
// reference (with a Vault token); stdout and stderr must hold neither.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_util.h"
#include "pg_harness.h"
#include "vault_server.h"

namespace retort::testing {
namespace {

constexpr char kPassword[] = "S3cretPassw0rd";
constexpr char kToken[] = "hvs.LeakTestT0kenXyz";

// Every command that may touch the URL, the database or Vault.
const std::vector<std::vector<std::string>>& Commands() {
  static const std::vector<std::vector<std::string>> commands = {
      {"heads"},
      {"history"},
      {"current"},
      {"upgrade", "head"},
      {"upgrade", "head", "--sql"},
      {"downgrade", "-1"},
      {"stamp", "head"},
      {"show", "head"},
      {"revision", "-m", "x"},
  };
  return commands;
}

const std::vector<std::vector<std::string>>& FlagSets() {
  static const std::vector<std::vector<std::string>> sets = {
      {},
      {"-v"},
      {"--format", "json"},
      {"-v", "--format", "json"},
      {"-x", "debug=true"}};
  return sets;
}

class SecretLeakTest : public ::testing::Test {
 protected:
  SecretLeakTest() : vault_(kToken) {}

  void SetUp() override {
    ASSERT_EQ(vault_.error(), "");
    url_ = std::string("postgresql://user:") + kPassword +
           "@127.0.0.1:" + std::to_string(ClosedLoopbackPort()) + "/db";
    vault_.Mount("secret", 2);
    vault_.Put("secret", "game/db", {{"url", url_}});
    CliResult r = p_.Run({"init", "migrations"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    WriteRevision(p_, "a1b2c3d4e5f6", "", "", "", "CREATE TABLE t (id int);",
                  "DROP TABLE t;", "create t");
  }

  // Sets the url line of retort.toml.
  void SetUrl(const std::string& value) {
    std::string config = p_.ReadFile("retort.toml");
    size_t at = config.find("\nurl = ");
    ASSERT_NE(at, std::string::npos);
    size_t end = config.find('\n', at + 1);
    config.replace(at + 1, end - at - 1, "url = \"" + value + "\"");
    p_.WriteFile("retort.toml", config);
  }

  // Runs every command with every flag set; fails on any leak or crash.
  // With `expect_masked`, some output must show the URL masked ("***"),
  // proof that the runs reached the code that prints it.
  void RunEverything(const std::map<std::string, std::string>& env,
                     bool expect_masked = true) {
    int runs = 0, masked = 0;
    for (const auto& command : Commands()) {
      for (const auto& flags : FlagSets()) {
        std::vector<std::string> args = flags;
        args.insert(args.end(), command.begin(), command.end());
        std::string shown;
        for (const auto& a : args) shown += " " + a;
        CliResult r = p_.Run(args, env);
        ++runs;
        if ((r.out + r.err).find("user:***@") != std::string::npos) ++masked;
        EXPECT_NE(r.exit_code, -1) << "retort" << shown << " crashed";
        for (const char* secret : {kPassword, kToken}) {
          EXPECT_EQ(r.out.find(secret), std::string::npos)
              << "retort" << shown << " printed a secret on stdout:\n"
              << r.out;
          EXPECT_EQ(r.err.find(secret), std::string::npos)
              << "retort" << shown << " printed a secret on stderr:\n"
              << r.err;
        }
      }
    }
    EXPECT_EQ(runs, 45);
    if (expect_masked) {
      EXPECT_GT(masked, 0);
    }
  }

  VaultServer vault_;
  TempProject p_;
  std::string url_;
};

TEST_F(SecretLeakTest, UrlInConfig) {
  SetUrl(url_);
  RunEverything({});
}

TEST_F(SecretLeakTest, UrlInEnvironment) {
  // The generated retort.toml reads ${DATABASE_URL:-...}.
  RunEverything({{"DATABASE_URL", url_}});
}

TEST_F(SecretLeakTest, UrlInDotEnv) {
  p_.WriteFile(".env", "DATABASE_URL='" + url_ + "'\n");
  RunEverything({});
}

TEST_F(SecretLeakTest, UrlFromVault) {
  SetUrl("vault:secret/data/game/db#url");
  // The Migrator resolves the reference, so the resolved URL reaches the
  // connection error, masked.
  RunEverything({{"VAULT_ADDR", vault_.address()}, {"VAULT_TOKEN", kToken}});
}

TEST_F(SecretLeakTest, VaultUnreachableOrDenied) {
  SetUrl("vault:secret/data/game/db#url");
  RunEverything({{"VAULT_ADDR",
                  "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort())},
                 {"VAULT_TOKEN", kToken}},
                /*expect_masked=*/false);
  vault_.AllowOnly({});
  RunEverything({{"VAULT_ADDR", vault_.address()}, {"VAULT_TOKEN", kToken}},
                /*expect_masked=*/false);
}

TEST_F(SecretLeakTest, CheapCommandsNeverContactVault) {
  SetUrl("vault:secret/data/game/db#url");
  std::map<std::string, std::string> env = {{"VAULT_ADDR", vault_.address()},
                                            {"VAULT_TOKEN", kToken}};
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"heads"},
                                             {"-v", "history"},
                                             {"branches"},
                                             {"show", "head"},
                                             {"--format", "json", "heads"},
                                             {"revision", "-m", "y"}}) {
    CliResult r = p_.Run(args, env);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err;
  }
  EXPECT_TRUE(vault_.requests().empty());
}

// A placeholder from Vault is a secret: a failing statement's error, which
// the server makes quote the value, is masked in every run -- one database,
// each tenant's unit of a fan-out, each server's -- with every flag set.
TEST(SecretPlaceholderLeakTest, ValueFromVaultIsMaskedInEveryRunsErrors) {
  VaultServer vault(kToken);
  ASSERT_EQ(vault.error(), "");
  vault.Mount("secret", 2);
  vault.Put("secret", "game/app", {{"password", kPassword}});
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  p.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                 url +
                                 "\"\n[tenants]\nschemas = [\"t1\", \"t2\"]\n"
                                 "[targets.one]\nurl = \"" +
                                 url +
                                 "\"\n[placeholders]\napp_pw = "
                                 "\"vault:secret/data/game/app#password\"\n");
  p.WriteFile("migrations/script.sql.tmpl", "");
  // PostgreSQL's error quotes the value: invalid input syntax for type
  // integer: "<value>".
  WriteRevision(p, "a1b2c3d4e5f6", "", "", "",
                "CREATE TABLE t (id int);\nSELECT ${app_pw:literal}::int;",
                "DROP TABLE t;", "uses the secret");
  const std::map<std::string, std::string> env = {
      {"VAULT_ADDR", vault.address()}, {"VAULT_TOKEN", kToken}};
  const std::vector<std::vector<std::string>> commands = {
      {"upgrade", "head"},
      {"--schema", "t1", "upgrade", "head"},
      {"upgrade", "head", "--tenants"},
      {"upgrade", "head", "--targets", "all"},
      {"upgrade", "head", "--tenants", "--targets", "one"},
  };
  for (const auto& command : commands) {
    for (const auto& flags : FlagSets()) {
      std::vector<std::string> args = flags;
      args.insert(args.end(), command.begin(), command.end());
      std::string shown;
      for (const auto& a : args) shown += " " + a;
      CliResult r = p.Run(args, env);
      EXPECT_EQ(r.exit_code, 1) << "retort" << shown << "\n" << r.err;
      const std::string all = r.out + r.err;
      EXPECT_EQ(all.find(kPassword), std::string::npos)
          << "retort" << shown << " printed the secret:\n"
          << all;
      // The failure itself is shown, the value masked (a fan-out's JSON
      // summary escapes its quotes).
      EXPECT_TRUE(all.find(R"(integer: "***")") != std::string::npos ||
                  all.find(R"(integer: \"***\")") != std::string::npos)
          << "retort" << shown << ":\n"
          << all;
    }
  }
}

}  // namespace
}  // namespace retort::testing
