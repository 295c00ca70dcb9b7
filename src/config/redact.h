// Redact: the last filter before any text leaves retort (error messages, log
// lines). It masks passwords in database URLs and every secret retort has
// come to know in this process: Vault tokens and values read from Vault.
#ifndef RETORT_CONFIG_REDACT_H_
#define RETORT_CONFIG_REDACT_H_

#include <string>
#include <string_view>

namespace retort {

// What a masked secret is replaced with (the same mask as RedactedUrl).
inline constexpr std::string_view kRedactedMask = "***";

// Secrets shorter than this are not registered: masking every "1" or "db"
// in the output would garble it while protecting nothing worth the name.
// URL passwords are masked by position whatever their length.
inline constexpr size_t kMinRegisteredSecret = 4;

// Adds `secret` to the process-wide set that Redact masks. A secret that
// is a database URL also registers its password (as written and decoded).
// Thread-safe; secrets stay registered for the life of the process.
void RegisterSecret(std::string_view secret);

// Adds a value the configuration marks secret (a placeholder with
// secret = true, or from Vault), whatever its length, with the forms SQL
// quoting gives it (each ' or " doubled): the user said it is secret.
void RegisterSecretValue(std::string_view value);

// `text` with every registered secret replaced by "***", and the password of
// every URL (user:***@host, password=***) masked with RedactedUrl.
std::string Redact(std::string_view text);

// Forgets every registered secret (for tests).
void ClearRegisteredSecretsForTesting();

}  // namespace retort

#endif  // RETORT_CONFIG_REDACT_H_
