// vault: references resolved over real HTTP against the test Vault
// (tests/vault_server.h): KV v1 and v2, the path rule, the cache, every
// error text, and that no error or log line carries the token or a value.
#include <gtest/gtest.h>

#include <optional>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/redact.h"
#include "config/vault.h"
#include "util/scoped_env.h"
#include "vault_server.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kToken[] = "hvs.TestT0kenNeverPrinted";
constexpr char kUrl[] = "postgresql://app:Db-Pa55word@db.internal:5432/game";

class VaultTest : public ::testing::Test {
 protected:
  VaultTest() : server_(kToken) {}

  void SetUp() override {
    ASSERT_EQ(server_.error(), "");
    server_.Mount("secret", 2);
    server_.Mount("kv", 1);
    server_.Put("secret", "game/db",
                {{"url", kUrl},
                 {"user", "app"},
                 {"password", "Db-Pa55word"},
                 {"port", 5432},
                 {"nested", {{"a", 1}}}});
    server_.Put("kv", "game/db", {{"password", "Kv1-Pa55word"}});
    env_ = {{"VAULT_ADDR", server_.address()}, {"VAULT_TOKEN", kToken}};
  }

  SecretResolverOptions Options() const {
    SecretResolverOptions o;
    auto env = env_;
    o.getenv = [env](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }

  // Resolves with a fresh resolver (no cache) and returns the error text,
  // checking that it leaks neither the token nor a secret value.
  std::string Error(const std::string& ref) {
    SecretResolver resolver(Options());
    auto r = resolver.Resolve(ref);
    EXPECT_FALSE(r.ok()) << ref;
    if (r.ok()) return "";
    const std::string& msg = r.status().message();
    EXPECT_EQ(msg.find(kToken), std::string::npos) << msg;
    EXPECT_EQ(msg.find("Pa55word"), std::string::npos) << msg;
    return msg;
  }

  std::vector<std::string> Paths() const {
    std::vector<std::string> out;
    for (const auto& r : server_.requests()) out.push_back(r.path);
    return out;
  }

  VaultServer server_;
  std::map<std::string, std::string> env_;
};

TEST_F(VaultTest, ReadsKv2WithTheApiPath) {
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:secret/data/game/db#url");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kUrl);
  EXPECT_EQ(Paths(), std::vector<std::string>{"/v1/secret/data/game/db"});
  const auto headers = server_.requests().at(0).headers;
  EXPECT_EQ(headers.at("x-vault-token"), kToken);
  EXPECT_EQ(headers.count("x-vault-namespace"), 0u);
}

TEST_F(VaultTest, ShortFormTriesKv2First) {
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:secret/game/db#password");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "Db-Pa55word");
  EXPECT_EQ(Paths(), std::vector<std::string>{"/v1/secret/data/game/db"});
}

TEST_F(VaultTest, ShortFormFallsBackToKv1) {
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:kv/game/db#password");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "Kv1-Pa55word");
  EXPECT_EQ(Paths(), (std::vector<std::string>{"/v1/kv/data/game/db",
                                               "/v1/kv/game/db"}));
}

TEST_F(VaultTest, NumbersAndBooleansAreText) {
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:secret/data/game/db#port");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "5432");
  EXPECT_EQ(Error("vault:secret/data/game/db#nested"),
            "vault:secret/data/game/db#nested: field 'nested' of the secret "
            "at secret/data/game/db is not a string, number or boolean");
}

TEST_F(VaultTest, OneRequestPerSecretPath) {
  SecretResolver resolver(Options());
  ASSERT_TRUE(resolver.Resolve("vault:secret/data/game/db#url").ok());
  ASSERT_TRUE(resolver.Resolve("vault:secret/data/game/db#user").ok());
  ASSERT_TRUE(resolver.Resolve("vault:secret/data/game/db#url").ok());
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(VaultTest, ResolvedValuesAndTokenAreRedacted) {
  ClearRegisteredSecretsForTesting();
  SecretResolver resolver(Options());
  ASSERT_TRUE(resolver.Resolve("vault:secret/data/game/db#url").ok());
  EXPECT_EQ(Redact(std::string("url ") + kUrl), "url ***");
  EXPECT_EQ(Redact("pw Db-Pa55word"), "pw ***");
  EXPECT_EQ(Redact(std::string("token ") + kToken), "token ***");
  ClearRegisteredSecretsForTesting();
}

TEST_F(VaultTest, NamespaceHeader) {
  server_.RequireNamespace("team-a");
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: permission denied reading "
            "secret/data/game/db from Vault at " +
                server_.address() +
                " (HTTP 403); check that the token is valid and its policy "
                "allows \"read\" on that path");
  env_["VAULT_NAMESPACE"] = "team-a";
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:secret/data/game/db#user");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server_.requests().back().headers.at("x-vault-namespace"),
            "team-a");
}

TEST_F(VaultTest, TokenFromVaultTokenFile) {
  fs::path home = fs::temp_directory_path() /
                  ("retort-vault-home-" + std::to_string(::getpid()));
  fs::create_directories(home);
  std::ofstream(home / ".vault-token") << kToken << "\n";
  env_.erase("VAULT_TOKEN");
  env_["HOME"] = home.string();
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:secret/data/game/db#user");
  fs::remove_all(home);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "app");
}

TEST_F(VaultTest, WrongTokenIsPermissionDenied) {
  env_["VAULT_TOKEN"] = "hvs.WrongT0ken";
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: permission denied reading "
            "secret/data/game/db from Vault at " +
                server_.address() +
                " (HTTP 403); check that the token is valid and its policy "
                "allows \"read\" on that path");
}

TEST_F(VaultTest, PolicyDeniesBothPaths) {
  server_.AllowOnly({"secret/data/other"});
  EXPECT_EQ(Error("vault:secret/game/db#url"),
            "vault:secret/game/db#url: permission denied reading "
            "secret/game/db from Vault at " +
                server_.address() +
                " (tried KV v2 path secret/data/game/db and KV v1 path "
                "secret/game/db); check that the token is valid and its "
                "policy allows \"read\" on that path");
}

TEST_F(VaultTest, PolicyDeniesKv2PathOnAKv1Mount) {
  // A KV v1 policy names the path as written; the KV v2 probe is denied
  // and must not hide the secret.
  server_.AllowOnly({"kv/game/db"});
  SecretResolver resolver(Options());
  auto r = resolver.Resolve("vault:kv/game/db#password");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "Kv1-Pa55word");
}

TEST_F(VaultTest, MixedFailuresNameBoth) {
  server_.AllowOnly({"secret/game/missing"});
  EXPECT_EQ(Error("vault:secret/game/missing#url"),
            "vault:secret/game/missing#url: cannot read secret/game/missing "
            "from Vault at " +
                server_.address() +
                ": KV v2 path secret/data/game/missing: permission denied "
                "(HTTP 403); KV v1 path secret/game/missing: no secret (HTTP "
                "404); check the path, and that the token's policy allows "
                "\"read\" on it");
}

TEST_F(VaultTest, NoSecretAtPath) {
  EXPECT_EQ(Error("vault:secret/data/game/nope#url"),
            "vault:secret/data/game/nope#url: no secret at "
            "secret/data/game/nope in Vault at " +
                server_.address() + " (HTTP 404)");
  EXPECT_EQ(Error("vault:secret/game/nope#url"),
            "vault:secret/game/nope#url: no secret at secret/game/nope in "
            "Vault at " +
                server_.address() +
                " (tried KV v2 path secret/data/game/nope and KV v1 path "
                "secret/game/nope)");
}

TEST_F(VaultTest, MissingFieldListsTheFields) {
  EXPECT_EQ(Error("vault:secret/data/game/db#pasword"),
            "vault:secret/data/game/db#pasword: the secret at "
            "secret/data/game/db has no field 'pasword'; did you mean "
            "'password'? (fields: nested, password, port, url, user)");
  EXPECT_EQ(Error("vault:kv/game/db#URL"),
            "vault:kv/game/db#URL: the secret at kv/game/db has no field "
            "'URL' (fields: password)");
}

TEST_F(VaultTest, Unreachable) {
  std::string addr = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  env_["VAULT_ADDR"] = addr;
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: cannot reach Vault at " + addr +
                ": Couldn't connect to server; check VAULT_ADDR and that the "
                "server is up");
}

TEST_F(VaultTest, Timeout) {
  server_.SetDelay(std::chrono::milliseconds(1500));
  env_["VAULT_CLIENT_TIMEOUT"] = "200ms";
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: Vault at " + server_.address() +
                " did not answer within 200ms; check VAULT_ADDR (or raise "
                "VAULT_CLIENT_TIMEOUT)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  server_.SetDelay(std::chrono::milliseconds(0));
}

TEST_F(VaultTest, SealedVault) {
  server_.SetOverride(503, R"({"errors":["Vault is sealed"]})");
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: Vault at " + server_.address() +
                " answered HTTP 503 for secret/data/game/db: Vault is sealed");
}

TEST_F(VaultTest, NotJson) {
  server_.SetOverride(200, "<html>proxy login</html>");
  EXPECT_EQ(Error("vault:secret/data/game/db#url"),
            "vault:secret/data/game/db#url: Vault at " + server_.address() +
                " answered secret/data/game/db with no secret data (not a KV "
                "secret?)");
}

TEST_F(VaultTest, FailuresAreNotCached) {
  SecretResolver resolver(Options());
  server_.SetOverride(503, R"({"errors":["Vault is sealed"]})");
  ASSERT_FALSE(resolver.Resolve("vault:secret/data/game/db#url").ok());
  server_.SetOverride(0, "");
  auto r = resolver.Resolve("vault:secret/data/game/db#url");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kUrl);
}

TEST_F(VaultTest, LogLinesAndSkipVerifyWarning) {
  std::vector<std::pair<LogLevel, std::string>> lines;
  LogSink log = [&lines](LogLevel level, std::string_view line) {
    lines.emplace_back(level, std::string(line));
  };
  SecretResolver resolver(Options());
  ASSERT_TRUE(resolver.Resolve("vault:secret/data/game/db#url", log).ok());
  EXPECT_TRUE(lines.empty());  // debug lines only when asked for
  SecretResolver debug(Options());
  ASSERT_TRUE(
      debug.Resolve("vault:secret/data/game/db#url", log, LogLevel::kDebug)
          .ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, LogLevel::kDebug);
  EXPECT_EQ(lines[0].second.rfind("vault: GET " + server_.address() +
                                      "/v1/secret/data/game/db for "
                                      "vault:secret/data/game/db#url: HTTP "
                                      "200 in ",
                                  0),
            0u)
      << lines[0].second;

  // https to a plain-HTTP server fails the handshake; the warning comes
  // first, once.
  lines.clear();
  env_["VAULT_ADDR"] = "https://127.0.0.1:" + std::to_string(server_.port());
  env_["VAULT_SKIP_VERIFY"] = "true";
  env_["VAULT_CLIENT_TIMEOUT"] = "300ms";
  SecretResolver insecure(Options());
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(
        insecure.Resolve("vault:secret/data/game/db#url", log, LogLevel::kDebug)
            .ok());
  }
  int warnings = 0;
  for (const auto& [level, line] : lines) {
    EXPECT_EQ(line.find(kToken), std::string::npos) << line;
    if (level != LogLevel::kWarn) continue;
    ++warnings;
    EXPECT_EQ(line,
              "VAULT_SKIP_VERIFY is set: the TLS certificate of Vault at "
              "https://127.0.0.1:" +
                  std::to_string(server_.port()) +
                  " is not verified, so anyone on the network path can read "
                  "the secrets; set VAULT_CACERT instead");
  }
  EXPECT_EQ(warnings, 1);
}

TEST_F(VaultTest, ProcessWideResolverReadsTheDotEnvFallback) {
  // The real environment wins over .env by design, so take a developer's own
  // Vault settings out of the way for this test and put them back after.
  ScopedEnv saved_addr("VAULT_ADDR"), saved_token("VAULT_TOKEN");
  unsetenv("VAULT_ADDR");
  unsetenv("VAULT_TOKEN");
  // What LoadConfig does with a .env holding the Vault settings.
  SetSecretFallbackEnv(
      {{"VAULT_ADDR", server_.address()}, {"VAULT_TOKEN", kToken}});
  auto r = ResolveSecret("vault:secret/data/game/db#user");
  auto again = ResolveSecret("vault:secret/data/game/db#user");
  SetSecretFallbackEnv({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "app");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(server_.requests().size(), 1u);  // cached for the process
}

}  // namespace
}  // namespace retort::testing
