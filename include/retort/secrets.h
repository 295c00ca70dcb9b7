// Masking secrets in text an application prints.
#ifndef RETORT_SECRETS_H_
#define RETORT_SECRETS_H_

#include <string>
#include <string_view>

#include "retort/export.h"

namespace retort {

// `text` with every secret retort knows of in this process replaced by
// "***": the password of any database URL in it (by position, whatever
// it is), Vault tokens and values read from Vault. Every Status the API
// returns and every line it passes to Options::log are masked already;
// this is for the application's own output that may quote them (the CLI
// passes everything it prints through it).
RETORT_EXPORT std::string MaskSecrets(std::string_view text);

}  // namespace retort

#endif  // RETORT_SECRETS_H_
