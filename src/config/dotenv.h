// .env files: KEY=value lines beside retort.toml that feed ${VAR}
// interpolation without ever overriding the real environment.
//
// Format, one assignment per line (the subset docker compose, python-dotenv
// and direnv's dotenv all agree on):
//   # comment                      blank lines and comment lines are skipped
//   KEY=value                      unquoted: trimmed; " #..." ends it
//   export KEY=value               "export " allowed (the file is sourceable)
//   KEY='literal $value'           single quotes: taken as is, no escapes
//   KEY="line1\nline2"             double quotes: \n \r \t \" \\ escapes
// KEY is [A-Za-z_][A-Za-z0-9_]*. Values are not interpolated. The last of
// duplicate keys wins. Anything else is an error naming "<file>:<line>" and
// never quoting the line, which may hold a secret.
#ifndef RETORT_CONFIG_DOTENV_H_
#define RETORT_CONFIG_DOTENV_H_

#include <map>
#include <string>
#include <string_view>

#include "retort/status.h"

namespace retort {

using DotEnv = std::map<std::string, std::string>;

// Parses the text of a .env file; `path` only names it in errors.
Result<DotEnv> ParseDotEnv(std::string_view text, const std::string& path);

// Reads `path`. A missing file is an empty DotEnv, not an error.
Result<DotEnv> ReadDotEnv(const std::string& path);

}  // namespace retort

#endif  // RETORT_CONFIG_DOTENV_H_
