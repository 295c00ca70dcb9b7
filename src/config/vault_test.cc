// Unit tests for vault: references that need no server: parsing, the
// pass-through of ordinary values, and the environment checks made before
// any request. Requests are tested against a real HTTP server in
// tests/config_vault_test.cc.
#include "config/vault.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

SecretResolverOptions Env(std::map<std::string, std::string> vars) {
  SecretResolverOptions o;
  o.getenv = [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return o;
}

TEST(VaultReferenceTest, Parses) {
  auto r = ParseVaultReference("vault:secret/data/game/db#url");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "secret/data/game/db");
  EXPECT_EQ(r->field, "url");
  EXPECT_TRUE(r->explicit_data);
  auto v1 = ParseVaultReference("vault:secret/game/db#password");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->path, "secret/game/db");
  EXPECT_FALSE(v1->explicit_data);
  auto nested = ParseVaultReference("vault:kv/team/data/db#x");
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(nested->explicit_data);  // only the second segment counts
}

TEST(VaultReferenceTest, MalformedReferences) {
  const std::string tail =
      "; expected vault:<mount>/<path>#<field>, e.g. "
      "vault:secret/data/game/db#url";
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"vault:secret/game/db", "no '#<field>' at the end"},
      {"vault:secret/game/db#", "the field after '#' is empty"},
      {"vault:secret/game/db#a#b", "more than one '#'"},
      {"vault:#url", "no path before '#'"},
      {"vault:secret#url", "no path after the mount"},
      {"vault:secret/data#url", "no path after '<mount>/data/'"},
      {"vault:secret/data/#url", "empty segment in the path"},
      {"vault:/secret/db#url", "empty segment in the path"},
      {"vault:secret//db#url", "empty segment in the path"},
      {"vault:secret/game db#url", "blanks or '?' in the path"},
  };
  for (const Case& c : cases) {
    auto r = ParseVaultReference(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), std::string("malformed Vault reference '") +
                                        c.text + "': " + c.why + tail);
  }
}

TEST(VaultResolveTest, OrdinaryValuesPassThrough) {
  SecretResolver resolver(Env({}));
  for (const char* v : {"", "sqlite:///x.db", "postgresql://u:p@h/db",
                        "Vault:not/a#ref", "app_owner"}) {
    auto r = resolver.Resolve(v);
    ASSERT_TRUE(r.ok()) << v;
    EXPECT_EQ(*r, v);
  }
  auto r = ResolveSecret("sqlite://");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "sqlite://");
}

TEST(VaultResolveTest, MalformedReferenceIsAnError) {
  SecretResolver resolver(Env({}));
  auto r = resolver.Resolve("vault:secret");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "malformed Vault reference 'vault:secret': no '#<field>' at the "
            "end; expected vault:<mount>/<path>#<field>, e.g. "
            "vault:secret/data/game/db#url");
}

TEST(VaultResolveTest, NeedsVaultAddr) {
  SecretResolver resolver(Env({{"VAULT_TOKEN", "t0ken-value"}}));
  auto r = resolver.Resolve("vault:secret/data/game/db#url");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "vault:secret/data/game/db#url: VAULT_ADDR is not set; set it to "
            "the Vault server's address, e.g. "
            "VAULT_ADDR=https://vault.example.com:8200");
}

TEST(VaultResolveTest, NeedsAToken) {
  SecretResolver resolver(Env({{"VAULT_ADDR", "http://127.0.0.1:8200"},
                               {"HOME", "/nonexistent-home"}}));
  auto r = resolver.Resolve("vault:secret/data/game/db#url");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "vault:secret/data/game/db#url: no Vault token; set VAULT_TOKEN, "
            "or run 'vault login' (which writes ~/.vault-token)");
}

TEST(VaultResolveTest, BadSettings) {
  struct Case {
    std::map<std::string, std::string> env;
    const char* error;
  };
  const Case cases[] = {
      {{{"VAULT_ADDR", "vault.example.com:8200"}},
       "VAULT_ADDR 'vault.example.com:8200' must start with http:// or "
       "https://"},
      {{{"VAULT_ADDR", "http://127.0.0.1:8200"},
        {"VAULT_CLIENT_TIMEOUT", "soon"}},
       "VAULT_CLIENT_TIMEOUT='soon' is not a duration; write seconds (e.g. "
       "10) or 500ms, 10s, 1m"},
      {{{"VAULT_ADDR", "http://127.0.0.1:8200"},
        {"VAULT_SKIP_VERIFY", "maybe"}},
       "VAULT_SKIP_VERIFY='maybe' is not true or false"},
      {{{"VAULT_ADDR", "http://127.0.0.1:8200"},
        {"VAULT_CACERT", "/nonexistent/ca.pem"}},
       "VAULT_CACERT '/nonexistent/ca.pem' is not a readable file"},
  };
  for (const Case& c : cases) {
    auto env = c.env;
    env["VAULT_TOKEN"] = "t0ken-value";
    SecretResolver resolver(Env(env));
    auto r = resolver.Resolve("vault:secret/game/db#url");
    ASSERT_FALSE(r.ok()) << c.error;
    EXPECT_EQ(r.status().message(),
              std::string("vault:secret/game/db#url: ") + c.error);
  }
}

}  // namespace
}  // namespace retort
