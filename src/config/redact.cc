// Redact: registered secrets are replaced by exact match; URL passwords by
// position, with the dialect layer's RedactedUrl applied token by token so
// one message holding several URLs (or prose around one) is masked right.
#include "config/redact.h"

#include "retort/secrets.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "dialect/url.h"

namespace retort {

namespace {

struct Registry {
  std::mutex mu;
  // Longest first, so a secret containing another is masked whole.
  std::vector<std::string> secrets;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();  // never destroyed: used at exit
  return *registry;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
        HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The password of "scheme://user:password@host/...", or "".
std::string_view UrlPassword(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  std::string_view rest = url.substr(sep + 3);
  size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return userinfo.substr(colon + 1);
}

void AddLocked(Registry& r, std::string secret,
               size_t min_size = kMinRegisteredSecret) {
  if (secret.empty() || secret.size() < min_size) return;
  if (std::find(r.secrets.begin(), r.secrets.end(), secret) != r.secrets.end())
    return;
  r.secrets.push_back(std::move(secret));
  std::stable_sort(r.secrets.begin(), r.secrets.end(),
                   [](const std::string& a, const std::string& b) {
                     return a.size() > b.size();
                   });
}

// A character of a URL scheme ("postgresql+psycopg2").
bool IsSchemeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  AddLocked(r, std::string(secret));
  std::string_view password = UrlPassword(secret);
  if (!password.empty()) {
    AddLocked(r, std::string(password));
    AddLocked(r, PercentDecoded(password));
  }
}

void RegisterSecretValue(std::string_view value) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::string single, doubled;
  for (char c : value) {
    single += c;
    doubled += c;
    if (c == '\'') single += c;
    if (c == '"') doubled += c;
  }
  for (std::string form : {std::string(value), single, doubled}) {
    AddLocked(r, std::move(form), /*min_size=*/1);
  }
}

void ClearRegisteredSecretsForTesting() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.secrets.clear();
}

std::string Redact(std::string_view text) {
  std::string masked(text);
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const std::string& secret : r.secrets) {
      size_t pos = 0;
      while ((pos = masked.find(secret, pos)) != std::string::npos) {
        masked.replace(pos, secret.size(), kRedactedMask);
        pos += kRedactedMask.size();
      }
    }
  }
  // Tokens holding "://" are URLs: RedactedUrl each on its own, since it
  // masks up to the last '@' of whatever it is given. The stretches between
  // them go through RedactedUrl too, which masks keyword-form password=...
  // pairs there and leaves everything else alone.
  std::string out;
  size_t stretch = 0;  // start of the text not yet copied
  size_t i = 0;
  while (i < masked.size()) {
    while (i < masked.size() && IsSpace(masked[i])) ++i;
    size_t begin = i;
    while (i < masked.size() && !IsSpace(masked[i])) ++i;
    std::string_view token(masked.data() + begin, i - begin);
    const size_t sep = token.find("://");
    if (sep == std::string_view::npos) continue;
    // The URL starts at its scheme: a quote, bracket or "url=" before it
    // stays with the text before (RedactedUrl takes only a leading
    // scheme:// for a URL).
    size_t scheme = sep;
    while (scheme > 0 && IsSchemeChar(token[scheme - 1])) --scheme;
    begin += scheme;
    token.remove_prefix(scheme);
    out +=
        RedactedUrl(std::string_view(masked).substr(stretch, begin - stretch));
    out += RedactedUrl(token);
    stretch = i;
  }
  out += RedactedUrl(std::string_view(masked).substr(stretch));
  return out;
}

std::string MaskSecrets(std::string_view text) { return Redact(text); }

}  // namespace retort
