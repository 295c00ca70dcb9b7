// Secrets from HashiCorp Vault: any configuration string may be a reference
// "vault:<mount>/<path>#<field>", read from Vault's KV engine (v1 or v2)
// only when a command needs the value, so cheap commands (heads, history)
// never contact Vault and Config keeps the reference, not the secret.
//
// Which HTTP path a reference reads (the rule docs/configuration.md states):
//   vault:secret/data/game/db#url   The second segment is "data": this is
//       the KV v2 API path as Vault's HTTP API writes it; GET
//       /v1/secret/data/game/db, once.
//   vault:secret/game/db#url        Anything else: first segment = mount.
//       GET /v1/secret/data/game/db (KV v2) first; when Vault answers 404 or
//       403 there, GET /v1/secret/game/db (KV v1, or any mount whose path
//       has more than one segment). The error, if both fail, names both.
// The answer's shape decides how it is read, not the path: {"data":
// {"data": {...}, "metadata": ...}} is KV v2, {"data": {...}} is KV v1.
//
// Environment (the names and meanings of Vault's own CLI):
//   VAULT_ADDR            required when a reference is resolved
//   VAULT_TOKEN           else the contents of ~/.vault-token
//   VAULT_NAMESPACE       sent as X-Vault-Namespace (Vault Enterprise/HCP)
//   VAULT_CACERT          CA bundle (PEM) to verify the server with;
//   VAULT_CAPATH          or a folder of CA certificates
//   VAULT_SKIP_VERIFY     true: do not verify TLS (honoured, with a warning)
//   VAULT_CLIENT_TIMEOUT  seconds, or 500ms/10s/1m; default 5s
#ifndef RETORT_CONFIG_VAULT_H_
#define RETORT_CONFIG_VAULT_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "retort/options.h"
#include "retort/status.h"

namespace retort {

inline constexpr std::string_view kVaultPrefix = "vault:";

// VaultReference is one "vault:<mount>/<path>#<field>" taken apart.
struct VaultReference {
  // As written, for error messages: "vault:secret/data/game/db#url".
  std::string text;
  // "secret/data/game/db": what follows "vault:", up to '#'.
  std::string path;
  std::string field;
  // True when the second segment is "data" (the KV v2 API path as is).
  bool explicit_data = false;
};

// True when `value` starts with "vault:" (and so must be resolved).
bool IsVaultReference(std::string_view value);

// Takes a reference apart; errors say what form is expected.
Result<VaultReference> ParseVaultReference(std::string_view value);

// SecretResolverOptions say where a resolver reads its environment from.
struct SecretResolverOptions {
  // Looks up VAULT_* and HOME. Default: the process environment, then the
  // .env file LoadConfig last read (see SetSecretFallbackEnv).
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

// SecretResolver turns vault: references into values and caches each
// secret it reads (one request per secret path, whatever the number of
// fields used). Failures are not cached. Thread-safe.
class SecretResolver {
 public:
  explicit SecretResolver(SecretResolverOptions options = {});
  ~SecretResolver();
  SecretResolver(const SecretResolver&) = delete;
  SecretResolver& operator=(const SecretResolver&) = delete;

  // `value` itself when it is not a vault: reference, else the field read
  // from Vault. Every value read and the token are registered with Redact.
  // `log` gets the VAULT_SKIP_VERIFY warning and one debug line per request
  // (reference, path, status, duration; never a token or a value); lines
  // below `log_level` are not sent.
  Result<std::string> Resolve(const std::string& value,
                              const LogSink& log = nullptr,
                              LogLevel log_level = LogLevel::kInfo);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Resolves `value` with the process-wide SecretResolver (so the cache lives
// as long as the process). This is the call for the places that use a
// configuration value: the database URL, placeholders.
Result<std::string> ResolveSecret(const std::string& value,
                                  const LogSink& log = nullptr,
                                  LogLevel log_level = LogLevel::kInfo);

// Variables the process-wide resolver consults when the real environment
// lacks them: LoadConfig hands it the .env it read, so VAULT_ADDR may live
// there. The real environment always wins.
void SetSecretFallbackEnv(std::map<std::string, std::string> env);

}  // namespace retort

#endif  // RETORT_CONFIG_VAULT_H_
