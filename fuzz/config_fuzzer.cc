// Fuzzes retort.toml parsing (config/config.h): TOML, [env.<name>]
// overrides and ${VAR} / ${VAR:-default} / ${x.key} interpolation.
// ParseConfig reads no file and keeps vault: references as written (they
// are resolved only where a connection is made), and the environment comes
// from a fixed table here, never the process: a fuzzed config cannot reach
// Vault or the network, which the target checks after every input (libcurl,
// Vault's client, is never loaded). Invariants: the parsed Config obeys the
// rules the loader enforces, and no error shows an environment secret.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz_check.h"

namespace retort {
namespace {

constexpr char kPath[] = "proj/retort.toml";
constexpr std::string_view kSecret = "Zq7envSECRET";

std::optional<std::string> FakeGetenv(const std::string& name) {
  static const std::map<std::string, std::string> env = {
      {"DATABASE_URL", "postgresql://app:" + std::string(kSecret) + "@db/game"},
      {"APP_PW", std::string(kSecret)},
      {"VAULT_URL", "vault:secret/data/game/db#url"},
      {"SCHEMA", "auth"},
      {"EMPTY", ""}};
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

void CheckConfig(const Config& c) {
  FUZZ_CHECK(c.truncate_slug_length >= 0,
             std::to_string(c.truncate_slug_length));
  FUZZ_CHECK(c.tenants.jobs >= 1, std::to_string(c.tenants.jobs));
  FUZZ_CHECK(c.tenants.canary >= 0, std::to_string(c.tenants.canary));
  const int sources = (c.tenants.schemas.empty() ? 0 : 1) +
                      (c.tenants.schemas_query.empty() ? 0 : 1) +
                      (c.tenants.schemas_like.empty() ? 0 : 1);
  FUZZ_CHECK(sources <= 1, "several tenant sources");
  FUZZ_CHECK(c.tenants.version_table_schema.empty() ||
                 c.tenants.version_table.find("{schema}") != std::string::npos,
             c.tenants.version_table);
  for (const auto& [name, target] : c.targets) {
    FUZZ_CHECK(name == target.name && !target.url.empty(), name);
  }
  for (const auto& [name, schema] : c.schemas) {
    FUZZ_CHECK(name == schema.name, name);
  }
  FUZZ_CHECK(c.path == kPath && c.directory == "proj", c.directory);
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  retort::fuzz::ScrubNetworkEnvironment();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size > 8192) return -1;
  std::string text(fuzz::AsText(data, size));
  const bool shows_secret = text.find(kSecret) != std::string::npos;

  LoadOptions options;
  options.getenv = &FakeGetenv;
  options.x_args = {{"schema", "auth"}, {"debug", "true"}};
  options.name = size % 2 == 1 ? "dev" : "";  // [env.dev] on odd sizes

  Result<Config> config = ParseConfig(text, kPath, options);
  if (config.ok()) {
    CheckConfig(*config);
  } else {
    const std::string& message = config.status().message();
    FUZZ_CHECK(message.rfind(kPath, 0) == 0, message);
    FUZZ_CHECK(shows_secret || message.find(kSecret) == std::string::npos,
               "error shows an environment secret: " + message);
  }

  // The interpolation alone, on the whole input as one value.
  Result<std::string> value = Interpolate(text, "retort.toml:1", options);
  if (value.ok() && text.find('$') == std::string::npos) {
    FUZZ_CHECK(*value == text, "changed without '$'");
  }
  if (!value.ok()) {
    FUZZ_CHECK(shows_secret ||
                   value.status().message().find(kSecret) == std::string::npos,
               value.status().message());
  }
  FUZZ_CHECK(!fuzz::CurlLoaded(), "libcurl was loaded");
  return 0;
}
