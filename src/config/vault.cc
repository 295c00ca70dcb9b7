// Reading vault: references over Vault's HTTP API with libcurl. Every error
// names the reference and the Vault address, never the token or a value,
// and goes through Redact before it leaves this file.
#include "config/vault.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "config/redact.h"
#include "dialect/url.h"
#include "util/dynlib.h"
#include "util/strings.h"

#ifndef RETORT_VERSION
#define RETORT_VERSION "dev"
#endif

namespace retort {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

constexpr char kExpectedForm[] =
    "expected vault:<mount>/<path>#<field>, e.g. vault:secret/data/game/db#url";
constexpr long kDefaultTimeoutMs = 5000;
// A secret is a few fields; anything bigger is not an answer to read.
constexpr size_t kMaxBody = 1 << 20;

// The .env values handed over by LoadConfig (SetSecretFallbackEnv).
struct FallbackEnv {
  std::mutex mu;
  std::map<std::string, std::string> vars;
};

FallbackEnv& GetFallbackEnv() {
  static FallbackEnv* env = new FallbackEnv();  // never destroyed
  return *env;
}

std::optional<std::string> ProcessEnv(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  FallbackEnv& f = GetFallbackEnv();
  std::lock_guard<std::mutex> lock(f.mu);
  auto it = f.vars.find(name);
  if (it == f.vars.end()) return std::nullopt;
  return it->second;
}

// VaultSettings is what the VAULT_* variables say, checked.
struct VaultSettings {
  std::string addr;        // without a trailing '/'
  std::string shown_addr;  // addr for messages (RedactedUrl)
  std::string token;
  std::string name_space;
  std::string cacert;
  std::string capath;
  bool skip_verify = false;
  long timeout_ms = kDefaultTimeoutMs;
  std::string timeout_text = "5s";
};

// Go's strconv.ParseBool, which Vault's CLI uses for VAULT_SKIP_VERIFY.
std::optional<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" ||
      s == "True")
    return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" ||
      s == "False")
    return false;
  return std::nullopt;
}

// "10" (seconds, as Vault reads it), "10s", "500ms", "1m", "1.5s", "1h".
std::optional<long> ParseTimeoutMs(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  std::string number(s.substr(0, i));
  std::string_view unit = s.substr(i);
  if (number.empty() || number == "." ||
      std::count(number.begin(), number.end(), '.') > 1)
    return std::nullopt;
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else {
    return std::nullopt;
  }
  double ms = std::strtod(number.c_str(), nullptr) * scale;
  if (ms < 1 || ms > 24.0 * 3600 * 1000) return std::nullopt;
  return static_cast<long>(ms);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<VaultSettings> ReadSettings(const EnvLookup& getenv) {
  // Empty counts as unset, as in Vault's CLI.
  auto env = [&getenv](const std::string& name) -> std::optional<std::string> {
    std::optional<std::string> v = getenv(name);
    if (!v || Trim(*v).empty()) return std::nullopt;
    return std::string(Trim(*v));
  };
  VaultSettings s;
  std::optional<std::string> addr = env("VAULT_ADDR");
  if (!addr) {
    return Status::InvalidArgument(
        "VAULT_ADDR is not set; set it to the Vault server's address, e.g. "
        "VAULT_ADDR=https://vault.example.com:8200");
  }
  s.addr = *addr;
  while (!s.addr.empty() && s.addr.back() == '/') s.addr.pop_back();
  s.shown_addr = RedactedUrl(s.addr);
  if (!StartsWith(s.addr, "http://") && !StartsWith(s.addr, "https://")) {
    return Status::InvalidArgument("VAULT_ADDR '" + s.shown_addr +
                                   "' must start with http:// or https://");
  }
  if (std::optional<std::string> token = env("VAULT_TOKEN")) {
    s.token = *token;
  } else if (std::optional<std::string> home = env("HOME")) {
    std::string path = (fs::path(*home) / ".vault-token").string();
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) s.token = std::string(Trim(Slurp(path)));
  }
  if (s.token.empty()) {
    return Status::InvalidArgument(
        "no Vault token; set VAULT_TOKEN, or run 'vault login' (which "
        "writes ~/.vault-token)");
  }
  RegisterSecret(s.token);
  if (std::optional<std::string> ns = env("VAULT_NAMESPACE"))
    s.name_space = *ns;
  if (std::optional<std::string> ca = env("VAULT_CACERT")) {
    std::error_code ec;
    if (!fs::is_regular_file(*ca, ec)) {
      return Status::InvalidArgument("VAULT_CACERT '" + *ca +
                                     "' is not a readable file");
    }
    s.cacert = *ca;
  }
  if (std::optional<std::string> capath = env("VAULT_CAPATH")) {
    std::error_code ec;
    if (!fs::is_directory(*capath, ec)) {
      return Status::InvalidArgument("VAULT_CAPATH '" + *capath +
                                     "' is not a folder");
    }
    s.capath = *capath;
  }
  if (std::optional<std::string> skip = env("VAULT_SKIP_VERIFY")) {
    std::optional<bool> b = ParseGoBool(*skip);
    if (!b) {
      return Status::InvalidArgument("VAULT_SKIP_VERIFY='" + *skip +
                                     "' is not true or false");
    }
    s.skip_verify = *b;
  }
  if (std::optional<std::string> t = env("VAULT_CLIENT_TIMEOUT")) {
    std::optional<long> ms = ParseTimeoutMs(*t);
    if (!ms) {
      return Status::InvalidArgument(
          "VAULT_CLIENT_TIMEOUT='" + *t +
          "' is not a duration; write seconds (e.g. 10) or 500ms, 10s, 1m");
    }
    s.timeout_ms = *ms;
    s.timeout_text = *t;
    if (t->find_first_not_of("0123456789.") == std::string::npos)
      s.timeout_text += "s";
  }
  return s;
}

// HttpAnswer is the outcome of one GET: a transport error, or a status and
// a body.
struct HttpAnswer {
  CURLcode curl = CURLE_OK;
  std::string curl_detail;  // libcurl's error buffer
  long status = 0;
  std::string body;
  bool too_big = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  size_t n = size * count;
  if (answer->body.size() + n > kMaxBody) {
    answer->too_big = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  answer->body.append(data, n);
  return n;
}

// Percent-encodes what is not safe in a URL path; '/' separates segments.
std::string EscapePath(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// libcurl's entry points, loaded on first use: linking libcurl would load
// its TLS/Kerberos/LDAP libraries into every retort process (several ms of
// start-up), while only a vault: reference needs it.
struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// The loaded and initialised libcurl, or nullptr with `*error` set.
const CurlApi* LoadCurl(std::string* error) {
  static const CurlApi* api = nullptr;
  static std::string* load_error = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    DynLib lib("libcurl.so.4", "libcurl4");
    auto* c = new CurlApi();
    lib.Bind(c->global_init, "curl_global_init");
    lib.Bind(c->easy_init, "curl_easy_init");
    lib.Bind(c->easy_setopt, "curl_easy_setopt");
    lib.Bind(c->easy_perform, "curl_easy_perform");
    lib.Bind(c->easy_getinfo, "curl_easy_getinfo");
    lib.Bind(c->easy_cleanup, "curl_easy_cleanup");
    lib.Bind(c->easy_strerror, "curl_easy_strerror");
    lib.Bind(c->slist_append, "curl_slist_append");
    lib.Bind(c->slist_free_all, "curl_slist_free_all");
    if (!lib.ok()) {
      delete c;
      load_error = new std::string(lib.error());
      return;
    }
    c->global_init(CURL_GLOBAL_DEFAULT);
    api = c;
  });
  if (api == nullptr && error != nullptr) *error = *load_error;
  return api;
}

// libcurl's text for `code` (the library is loaded whenever a code exists).
std::string CurlText(CURLcode code) {
  const CurlApi* c = LoadCurl(nullptr);
  return c ? c->easy_strerror(code) : "libcurl is not available";
}

HttpAnswer Get(const VaultSettings& s, const std::string& api_path) {
  HttpAnswer answer;
  const CurlApi* api = LoadCurl(&answer.curl_detail);
  if (api == nullptr) {
    answer.curl = CURLE_FAILED_INIT;
    return answer;
  }
  CURL* curl = api->easy_init();
  if (!curl) {
    answer.curl = CURLE_FAILED_INIT;
    return answer;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  std::string url = s.addr + "/v1/" + EscapePath(api_path);
  struct curl_slist* headers = nullptr;
  std::string token_header = "X-Vault-Token: " + s.token;
  headers = api->slist_append(headers, token_header.c_str());
  headers = api->slist_append(headers, "X-Vault-Request: true");
  headers = api->slist_append(headers, "Accept: application/json");
  std::string ns_header;
  if (!s.name_space.empty()) {
    ns_header = "X-Vault-Namespace: " + s.name_space;
    headers = api->slist_append(headers, ns_header.c_str());
  }
  api->easy_setopt(curl, CURLOPT_URL, url.c_str());
  api->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  api->easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  api->easy_setopt(curl, CURLOPT_USERAGENT, "retort/" RETORT_VERSION);
  api->easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  api->easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  api->easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  api->easy_setopt(curl, CURLOPT_TIMEOUT_MS, s.timeout_ms);
  api->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, s.timeout_ms);
  // Threads may call this; signals must not be used for timeouts.
  api->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // A standby node answers with a redirect to the active one, as Vault's
  // own client follows; never to anything but http(s).
  api->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  api->easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
#if LIBCURL_VERSION_NUM >= 0x075500
  api->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  api->easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
  if (!s.cacert.empty())
    api->easy_setopt(curl, CURLOPT_CAINFO, s.cacert.c_str());
  if (!s.capath.empty())
    api->easy_setopt(curl, CURLOPT_CAPATH, s.capath.c_str());
  if (s.skip_verify) {
    api->easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    api->easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  answer.curl = api->easy_perform(curl);
  answer.curl_detail = error_buffer;
  if (answer.curl == CURLE_OK) {
    api->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  api->slist_free_all(headers);
  // The header held the token; do not leave it in freed memory.
  std::fill(token_header.begin(), token_header.end(), '\0');
  api->easy_cleanup(curl);
  return answer;
}

// Vault's {"errors": [...]} joined, for messages.
std::string VaultErrors(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("errors") ||
      !j["errors"].is_array())
    return "";
  std::vector<std::string> errors;
  for (const auto& e : j["errors"])
    if (e.is_string() && !e.get<std::string>().empty())
      errors.push_back(e.get<std::string>());
  return Join(errors, "; ");
}

// Outcome of reading one API path.
enum class Read { kOk, kNotFound, kDenied, kFailed };

struct Attempt {
  std::string path;
  Read read = Read::kFailed;
  // kOk: the secret's fields. kFailed: the whole message.
  json fields;
  std::string error;
};

// Turns the answer to a GET of `path` into an Attempt.
Attempt Interpret(const VaultSettings& s, const std::string& path,
                  const HttpAnswer& a) {
  Attempt at;
  at.path = path;
  if (a.curl != CURLE_OK) {
    if (a.curl == CURLE_OPERATION_TIMEDOUT) {
      at.error = "Vault at " + s.shown_addr + " did not answer within " +
                 s.timeout_text +
                 "; check VAULT_ADDR (or raise VAULT_CLIENT_TIMEOUT)";
    } else if (a.too_big) {
      at.error = "Vault at " + s.shown_addr + " sent more than 1 MiB for " +
                 path + "; that is not a KV secret";
    } else if (a.curl == CURLE_PEER_FAILED_VERIFICATION ||
               a.curl == CURLE_SSL_CACERT_BADFILE ||
               a.curl == CURLE_SSL_CONNECT_ERROR ||
               a.curl == CURLE_SSL_CERTPROBLEM) {
      at.error =
          "TLS error talking to Vault at " + s.shown_addr + ": " +
          (a.curl_detail.empty() ? CurlText(a.curl) : a.curl_detail) +
          "; set VAULT_CACERT to the CA certificate that signed the "
          "server's certificate";
    } else {
      at.error = "cannot reach Vault at " + s.shown_addr + ": " +
                 CurlText(a.curl) +
                 "; check VAULT_ADDR and that the server is up";
    }
    return at;
  }
  if (a.status == 404) {
    at.read = Read::kNotFound;
    return at;
  }
  if (a.status == 403) {
    at.read = Read::kDenied;
    return at;
  }
  if (a.status != 200) {
    std::string errors = VaultErrors(a.body);
    at.error = "Vault at " + s.shown_addr + " answered HTTP " +
               std::to_string(a.status) + " for " + path +
               (errors.empty() ? "" : ": " + errors);
    return at;
  }
  json j = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") ||
      !j["data"].is_object()) {
    at.error = "Vault at " + s.shown_addr + " answered " + path +
               " with no secret data (not a KV secret?)";
    return at;
  }
  const json& data = j["data"];
  // KV v2 wraps the fields with their metadata; KV v1 is the fields.
  if (data.contains("data") && data.contains("metadata") &&
      (data["data"].is_object() || data["data"].is_null())) {
    if (data["data"].is_null()) {  // a deleted or destroyed version
      at.read = Read::kNotFound;
      return at;
    }
    at.fields = data["data"];
  } else {
    at.fields = data;
  }
  at.read = Read::kOk;
  return at;
}

std::string NotFoundText(const VaultSettings& s, const std::string& path) {
  return "no secret at " + path + " in Vault at " + s.shown_addr +
         " (HTTP 404)";
}

std::string DeniedText(const VaultSettings& s, const std::string& path) {
  return "permission denied reading " + path + " from Vault at " +
         s.shown_addr +
         " (HTTP 403); check that the token is valid and its policy allows "
         "\"read\" on that path";
}

std::string Describe(const Attempt& a) {
  return a.read == Read::kNotFound ? "no secret (HTTP 404)"
                                   : "permission denied (HTTP 403)";
}

// `st` with "context: " prepended, its message passed through Redact.
Status RedactedWithContext(const Status& st, const std::string& context) {
  std::string msg = Redact(context + ": " + st.message());
  switch (st.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(msg));
    case Status::Code::kIOError:
      return Status::IOError(std::move(msg));
    default:
      return Status::InvalidArgument(std::move(msg));
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

bool IsVaultReference(std::string_view value) {
  return StartsWith(value, kVaultPrefix);
}

Result<VaultReference> ParseVaultReference(std::string_view value) {
  VaultReference ref;
  ref.text = std::string(value);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("malformed Vault reference '" + ref.text +
                                   "': " + why + "; " + kExpectedForm);
  };
  if (!IsVaultReference(value)) return bad("it does not start with 'vault:'");
  std::string_view rest = value.substr(kVaultPrefix.size());
  size_t hash = rest.find('#');
  if (hash == std::string_view::npos) return bad("no '#<field>' at the end");
  ref.path = std::string(rest.substr(0, hash));
  ref.field = std::string(rest.substr(hash + 1));
  if (ref.field.empty()) return bad("the field after '#' is empty");
  if (ref.field.find('#') != std::string::npos) return bad("more than one '#'");
  if (ref.path.empty()) return bad("no path before '#'");
  if (ref.path.find_first_of(" \t\r\n?") != std::string::npos)
    return bad("blanks or '?' in the path");
  if (ref.path.front() == '/' || ref.path.back() == '/' ||
      ref.path.find("//") != std::string::npos)
    return bad("empty segment in the path");
  size_t slash = ref.path.find('/');
  if (slash == std::string::npos) return bad("no path after the mount");
  std::string_view second = std::string_view(ref.path).substr(slash + 1);
  second = second.substr(0, second.find('/'));
  if (second == "data") {
    if (ref.path.find('/', slash + 1) == std::string::npos)
      return bad("no path after '<mount>/data/'");
    ref.explicit_data = true;
  }
  return ref;
}

void SetSecretFallbackEnv(std::map<std::string, std::string> env) {
  FallbackEnv& f = GetFallbackEnv();
  std::lock_guard<std::mutex> lock(f.mu);
  f.vars = std::move(env);
}

struct SecretResolver::Impl {
  EnvLookup getenv;
  std::mutex mu;
  // Reference path -> (API path read, the secret's fields).
  std::map<std::string, std::pair<std::string, json>> cache;
  bool warned_skip_verify = false;

  Result<std::string> Resolve(const std::string& value, const LogSink& log);
  Result<std::pair<std::string, json>> Fetch(const VaultReference& ref,
                                             const LogSink& log);
};

Result<std::pair<std::string, json>> SecretResolver::Impl::Fetch(
    const VaultReference& ref, const LogSink& log) {
  RETORT_ASSIGN_OR_RETURN(VaultSettings s, ReadSettings(getenv));
  if (s.skip_verify && StartsWith(s.addr, "https://") && !warned_skip_verify) {
    warned_skip_verify = true;
    if (log) {
      log(LogLevel::kWarn,
          "VAULT_SKIP_VERIFY is set: the TLS certificate of Vault at " +
              s.shown_addr +
              " is not verified, so anyone on the network path can read "
              "the secrets; set VAULT_CACERT instead");
    }
  }
  auto get = [&](const std::string& path) {
    auto start = std::chrono::steady_clock::now();
    HttpAnswer answer = Get(s, path);
    Attempt a = Interpret(s, path, answer);
    if (log) {
      long ms = static_cast<long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - start)
              .count());
      std::string outcome = answer.curl == CURLE_OK
                                ? "HTTP " + std::to_string(answer.status)
                                : CurlText(answer.curl);
      log(LogLevel::kDebug, "vault: GET " + s.shown_addr + "/v1/" + path +
                                " for " + ref.text + ": " + outcome + " in " +
                                std::to_string(ms) + " ms");
    }
    return a;
  };

  Attempt first;
  if (ref.explicit_data) {
    first = get(ref.path);
  } else {
    size_t slash = ref.path.find('/');
    first = get(ref.path.substr(0, slash) + "/data" + ref.path.substr(slash));
  }
  if (first.read == Read::kOk) return std::make_pair(first.path, first.fields);
  if (first.read == Read::kFailed) return Status::IOError(first.error);
  if (ref.explicit_data) {
    if (first.read == Read::kNotFound)
      return Status::NotFound(NotFoundText(s, first.path));
    return Status::InvalidArgument(DeniedText(s, first.path));
  }
  // Not a KV v2 secret there: read the path as written (KV v1).
  Attempt second = get(ref.path);
  if (second.read == Read::kOk)
    return std::make_pair(second.path, second.fields);
  if (second.read == Read::kFailed) return Status::IOError(second.error);
  std::string tried = " (tried KV v2 path " + first.path + " and KV v1 path " +
                      second.path + ")";
  if (first.read == Read::kNotFound && second.read == Read::kNotFound) {
    return Status::NotFound("no secret at " + ref.path + " in Vault at " +
                            s.shown_addr + tried);
  }
  if (first.read == Read::kDenied && second.read == Read::kDenied) {
    return Status::InvalidArgument(
        "permission denied reading " + ref.path + " from Vault at " +
        s.shown_addr + tried +
        "; check that the token is valid and its policy allows \"read\" on "
        "that path");
  }
  return Status::InvalidArgument(
      "cannot read " + ref.path + " from Vault at " + s.shown_addr +
      ": KV v2 path " + first.path + ": " + Describe(first) + "; KV v1 path " +
      second.path + ": " + Describe(second) +
      "; check the path, and that the token's policy allows \"read\" on it");
}

Result<std::string> SecretResolver::Impl::Resolve(const std::string& value,
                                                  const LogSink& log) {
  if (!IsVaultReference(value)) return value;
  RETORT_ASSIGN_OR_RETURN(VaultReference ref, ParseVaultReference(value));
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(ref.path);
  if (it == cache.end()) {
    auto fetched = Fetch(ref, log);
    if (!fetched.ok()) {
      // Vault's own error texts could echo anything back: redact them.
      return RedactedWithContext(fetched.status(), ref.text);
    }
    it = cache.emplace(ref.path, std::move(fetched).value()).first;
  }
  const auto& [read_path, fields] = it->second;
  if (!fields.contains(ref.field)) {
    std::vector<std::string> names;
    for (const auto& [k, v] : fields.items()) names.push_back(k);
    std::string known =
        names.empty() ? "it has none" : "fields: " + Join(names, ", ");
    std::string suggestion = DidYouMean(ref.field, names);
    if (suggestion.empty()) {
      // Case slips are the common mistake: "URL" for "url".
      for (const auto& n : names)
        if (Lower(n) == Lower(ref.field)) suggestion = DidYouMean(n, {n});
    }
    return Status::NotFound(Redact(ref.text + ": the secret at " + read_path +
                                   " has no field '" + ref.field + "'" +
                                   suggestion + " (" + known + ")"));
  }
  const json& v = fields[ref.field];
  std::string out;
  if (v.is_string()) {
    out = v.get<std::string>();
  } else if (v.is_number() || v.is_boolean()) {
    out = v.dump();
  } else {
    return Status::InvalidArgument(ref.text + ": field '" + ref.field +
                                   "' of the secret at " + read_path +
                                   " is not a string, number or boolean");
  }
  RegisterSecret(out);
  return out;
}

SecretResolver::SecretResolver(SecretResolverOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->getenv = options.getenv ? std::move(options.getenv) : &ProcessEnv;
}

SecretResolver::~SecretResolver() = default;

Result<std::string> SecretResolver::Resolve(const std::string& value,
                                            const LogSink& log,
                                            LogLevel log_level) {
  if (!log) return impl_->Resolve(value, nullptr);
  LogSink filtered = [&log, log_level](LogLevel level, std::string_view line) {
    if (static_cast<int>(level) >= static_cast<int>(log_level))
      log(level, line);
  };
  return impl_->Resolve(value, filtered);
}

Result<std::string> ResolveSecret(const std::string& value, const LogSink& log,
                                  LogLevel log_level) {
  if (!IsVaultReference(value)) return value;  // no resolver, no lock
  static SecretResolver* resolver = new SecretResolver();  // never destroyed
  return resolver->Resolve(value, log, log_level);
}

}  // namespace retort
