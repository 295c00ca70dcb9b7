// Fuzzes database URL parsing and redaction (dialect/url.h). Two kinds of
// input, by the first byte:
//   raw        any text to ParseDatabaseUrl and RedactedUrl: no crash, and
//              a parsed URL is usable (a path, or a conninfo for libpq);
//   password   a URL or libpq keyword string built around a known password
//              (wrapped in fuzzed bytes, raw '@', '/', '?' and all): neither
//              the redacted form, nor any field, nor any error may show it.
// ParseDatabaseUrl only parses (libpq's PQconninfoParse): it never connects,
// which the target checks by the absence of any connection code path here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/url.h"
#include "fuzz_check.h"

namespace retort {
namespace {

constexpr std::string_view kSecret = "Zq7s3cr3tPW";

// The pieces of a password input: the fuzzed bytes after the first two,
// split at 0x01 bytes.
std::vector<std::string> Pieces(std::string_view rest, size_t n) {
  std::vector<std::string> out(n);
  size_t i = 0;
  for (char c : rest) {
    if (c == '\x01' && i + 1 < n) {
      ++i;
    } else {
      out[i] += c;
    }
  }
  return out;
}

std::string Without(std::string s, std::string_view chars) {
  std::erase_if(s, [&](char c) { return chars.find(c) != std::string::npos; });
  return s;
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string_view::npos;
       p = haystack.find(needle, p + 1)) {
    ++n;
  }
  return n;
}

void CheckNoSecret(const std::string& url) {
  if (Count(url, kSecret) != 1) return;  // the fuzzer wrote it elsewhere too
  const std::string redacted = RedactedUrl(url);
  FUZZ_CHECK(redacted.find(kSecret) == std::string::npos,
             "RedactedUrl shows the password: " + redacted);
  Result<DatabaseUrl> parsed = ParseDatabaseUrl(url);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().message().find(kSecret) == std::string::npos,
               "error shows the password: " + parsed.status().message());
    return;
  }
  for (const std::string* field :
       {&parsed->redacted, &parsed->user, &parsed->host, &parsed->port,
        &parsed->dbname, &parsed->sqlite_path}) {
    FUZZ_CHECK(field->find(kSecret) == std::string::npos,
               "a shown field holds the password: " + *field + " of " + url);
  }
}

void CheckRaw(std::string_view text) {
  RedactedUrl(text);
  Result<DatabaseUrl> parsed = ParseDatabaseUrl(text);
  if (!parsed.ok()) return;
  if (parsed->dialect == Dialect::kSqlite) {
    FUZZ_CHECK(!parsed->sqlite_path.empty(), "sqlite URL with no path");
  } else {
    FUZZ_CHECK(!parsed->conninfo.empty(), "postgres URL with no conninfo");
  }
  FUZZ_CHECK(!parsed->redacted.empty(), "nothing to show");
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  retort::fuzz::ScrubNetworkEnvironment();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size < 2 || size > 2048) return -1;
  std::string_view rest = fuzz::AsText(data + 2, size - 2);
  static constexpr std::string_view kSchemes[] = {
      "postgresql://",          "postgres://",
      "postgresql+psycopg2://", "postgresql+asyncpg://",
      "POSTGRESQL+psycopg://",  "sqlite://"};
  const std::string scheme(kSchemes[data[1] % std::size(kSchemes)]);
  switch (data[0] % 4) {
    case 0:
      CheckRaw(rest);
      break;
    case 1: {  // scheme://user:PASSWORD@rest
      std::vector<std::string> p = Pieces(rest, 4);
      // A user name has none of the URL's separators (they would make the
      // password something else); the password may hold anything.
      std::string user = Without(p[0], "@/?:#[ \t\r\n");
      CheckNoSecret(scheme + user + ":" + p[1] + std::string(kSecret) + p[2] +
                    "@" + p[3]);
      break;
    }
    // Keyword strings: the text before the password has no '=' (it would
    // make "password" a value) and no ':' (it would start a URL).
    case 2: {  // keyword string, unquoted password
      std::vector<std::string> p = Pieces(rest, 4);
      CheckNoSecret(Without(p[0], "'\\=:") + " password=" +
                    Without(p[1], " \t\r\n\f\v'\\") + std::string(kSecret) +
                    Without(p[2], " \t\r\n\f\v\\") + " " + p[3]);
      break;
    }
    case 3: {  // keyword string, quoted password
      std::vector<std::string> p = Pieces(rest, 4);
      CheckNoSecret(Without(p[0], "'\\=:") + " password = '" +
                    Without(p[1], "'\\") + std::string(kSecret) +
                    Without(p[2], "'\\") + "' " + p[3]);
      break;
    }
  }
  FUZZ_CHECK(!fuzz::CurlLoaded(), "libcurl was loaded");
  return 0;
}
