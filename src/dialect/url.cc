// Database URL parsing and redaction. PostgreSQL URLs are checked here for
// the mistakes that would make libpq echo a password in its error (raw '@',
// '/' or '?' in the password, bad percent-escapes), then validated by libpq's
// own conninfo parser so both agree on what the URL means.
#include "dialect/url.h"

#include "dialect/libpq.h"

#include <cctype>
#include <cstdlib>
#include <utility>
#include <vector>

#include "dialect/postgres.h"
#include "dialect/sqlite.h"

namespace retort {

namespace {

constexpr std::string_view kMask = "***";
constexpr std::string_view kExpected =
    "expected postgresql://user@host/dbname, sqlite:///path.db or a libpq "
    "'host=... dbname=...' string";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; false on a '%' not followed by two hex digits.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

// One key=value pair of a libpq keyword string, with the byte range of its
// value (quotes included) in the original text.
struct KeywordPair {
  std::string key;
  std::string value;
  size_t value_begin = 0;
  size_t value_end = 0;
};

// Tokenizes a libpq keyword string the way libpq does (whitespace-separated
// key = value, values optionally single-quoted with backslash escapes), but
// never fails: malformed pieces are skipped, an unterminated quote runs to
// the end. Good enough to find every password= for masking.
std::vector<KeywordPair> TokenizeKeywords(std::string_view s) {
  std::vector<KeywordPair> pairs;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t key_begin = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    std::string key(s.substr(key_begin, i - key_begin));
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') continue;  // not a pair; move on
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;
    KeywordPair pair;
    pair.key = std::move(key);
    pair.value_begin = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        pair.value += s[i++];
      }
      if (i < s.size()) ++i;  // closing quote
    } else {
      while (i < s.size() && !IsSpace(s[i])) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        pair.value += s[i++];
      }
    }
    pair.value_end = i;
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::string RedactKeywordString(std::string_view s) {
  std::string out(s);
  std::vector<KeywordPair> pairs = TokenizeKeywords(s);
  // Right to left so earlier offsets stay valid.
  for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) {
    if (it->key == "password") {
      out.replace(it->value_begin, it->value_end - it->value_begin, kMask);
    }
  }
  return out;
}

// Masks "password=..." pairs in the query part of a URL.
void RedactQueryPasswords(std::string* url) {
  size_t query = url->find('?');
  if (query == std::string::npos) return;
  size_t pos = query;
  while (pos < url->size()) {
    size_t key_begin = pos + 1;
    size_t next = url->find('&', key_begin);
    size_t end = next == std::string::npos ? url->size() : next;
    std::string_view piece(url->data() + key_begin, end - key_begin);
    size_t eq = piece.find('=');
    if (eq != std::string_view::npos) {
      std::string key;
      if (!PercentDecode(piece.substr(0, eq), &key)) key = piece.substr(0, eq);
      if (Lower(key) == "password") {
        url->replace(key_begin + eq + 1, end - key_begin - eq - 1, kMask);
        end = key_begin + eq + 1 + kMask.size();
      }
    }
    pos = end;
  }
}

struct ConninfoFields {
  std::string user, host, port, dbname, service;
  bool has_password = false;
};

// Validates `conninfo` with libpq's parser (which knows every keyword and
// URI rule) and reads back the fields worth showing.
Result<ConninfoFields> CheckConninfo(const std::string& conninfo,
                                     const std::string& redacted,
                                     const std::vector<std::string>& secrets) {
  RETORT_RETURN_IF_ERROR(LoadLibPq().status());
  char* err = nullptr;
  PQconninfoOption* options = Pq().PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    std::string message = err != nullptr ? err : "out of memory";
    if (err != nullptr) Pq().PQfreemem(err);
    while (!message.empty() && IsSpace(message.back())) message.pop_back();
    // libpq quotes the piece it rejects (invalid URI query parameter:
    // "w"), which may be a piece of a raw password it read otherwise, '"'
    // and all: only what the redacted URL shows anyway is quoted back.
    // Its messages quote one piece, or two around a known phrase (missing
    // "=" after "x"); anything else between the first and the last '"' is
    // masked whole.
    size_t first = message.find('"'), last = message.rfind('"');
    if (first != std::string::npos && last > first) {
      std::string_view inner(message.data() + first + 1, last - first - 1);
      auto shown = [&](std::string_view piece) {
        return redacted.find(piece) != std::string::npos;
      };
      bool safe = inner.find('"') == std::string_view::npos && shown(inner);
      for (std::string_view phrase :
           {"\" after \"", "\" in URI query parameter: \""}) {
        size_t at = inner.find(phrase);
        if (safe || at == std::string_view::npos || inner.find('"') != at ||
            inner.rfind('"') != at + phrase.size() - 1) {
          continue;
        }
        safe = shown(inner.substr(0, at)) &&
               shown(inner.substr(at + phrase.size()));
      }
      if (!safe) message.replace(first + 1, inner.size(), kMask);
    }
    for (const std::string& secret : secrets) {
      if (secret.empty()) continue;
      for (size_t p = message.find(secret); p != std::string::npos;
           p = message.find(secret, p + kMask.size())) {
        message.replace(p, secret.size(), kMask);
      }
    }
    return Status::InvalidArgument("invalid database URL " + redacted + ": " +
                                   message);
  }
  ConninfoFields fields;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword;
    if (key == "user") fields.user = o->val;
    if (key == "host") fields.host = o->val;
    if (key == "hostaddr" && fields.host.empty()) fields.host = o->val;
    if (key == "port") fields.port = o->val;
    if (key == "dbname") fields.dbname = o->val;
    if (key == "service") fields.service = o->val;
    if (key == "password") fields.has_password = true;
  }
  Pq().PQconninfoFree(options);
  return fields;
}

// SQLAlchemy dialect options that are not libpq parameters; libpq would
// reject the whole URL over them.
bool IsSqlAlchemyOnlyParam(std::string_view key) {
  static constexpr std::string_view kKeys[] = {"prepared_statement_cache_size",
                                               "async_fallback",
                                               "executemany_mode",
                                               "executemany_batch_page_size",
                                               "executemany_values_page_size",
                                               "use_native_unicode",
                                               "use_native_hstore"};
  for (std::string_view k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

Result<DatabaseUrl> ParsePostgresUri(std::string_view rest, bool has_driver,
                                     const std::string& redacted) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid database URL " + redacted + ": " +
                                   std::string(why));
  };
  std::string scratch;
  if (!PercentDecode(rest, &scratch)) {
    return invalid("bad percent-escape (write '%' as %25)");
  }
  size_t query_pos = rest.find('?');
  std::string_view main = rest.substr(0, query_pos);
  std::string_view query =
      query_pos == std::string_view::npos ? "" : rest.substr(query_pos + 1);
  const bool query_has_at = query.find('@') != std::string_view::npos;
  size_t authority_end = main.find('/');
  std::string_view authority = main.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? "" : main.substr(authority_end);
  constexpr std::string_view kEncode =
      "percent-encode '@', '/' and '?' in the user name and password "
      "(%40, %2F, %3F)";
  // libpq splits at the first '@' before the first '/'; anything else means
  // a raw special character in the password, and libpq's error would quote
  // part of it.
  size_t at = authority.find('@');
  // A second '@' anywhere after a user name's is a raw '@', '/' or '?' in
  // the password ("u:p@ss/w?x@h"): libpq would read its tail as the host,
  // the database or a parameter, which retort shows or libpq quotes. The
  // user name ends where libpq ends it: at an '@' before any '/' ('?' does
  // not stop it, so ":?x=@/pw@" has one).
  if (size_t user_end = rest.find_first_of("@/");
      user_end != std::string_view::npos && rest[user_end] == '@' &&
      rest.find('@', user_end + 1) != std::string_view::npos) {
    return invalid(kEncode);
  }
  // An '@' after the authority is a raw '/' in the password ("u:p/w@h"),
  // or one more raw '@' ("u:p@s/w@h"): libpq would read the rest as the
  // database name, which retort shows.
  if (path.find('@') != std::string_view::npos) return invalid(kEncode);
  // A raw '?' in the password ends the authority before its '@':
  // "app:pa?ss=1@db" reads as host "app", port "pa" -- a field retort
  // shows. A port is digits, so anything else there is refused.
  if (at == std::string_view::npos) {
    for (size_t begin = 0; begin <= authority.size();) {
      size_t comma = authority.find(',', begin);
      if (comma == std::string_view::npos) comma = authority.size();
      std::string_view host = authority.substr(begin, comma - begin);
      begin = comma + 1;
      size_t colon = host.find(':');
      if (!host.empty() && host.front() == '[') {  // IPv6 "[::1]:5432"
        size_t close = host.find(']');
        colon = close == std::string_view::npos ? close : host.find(':', close);
      }
      if (colon == std::string_view::npos) continue;
      std::string_view port = host.substr(colon + 1);
      for (char c : port) {
        if (c < '0' || c > '9') return invalid(kEncode);
      }
    }
  }
  std::vector<std::string> secrets;
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      std::string_view raw = userinfo.substr(colon + 1);
      secrets.emplace_back(raw);
      std::string decoded;
      PercentDecode(raw, &decoded);
      secrets.push_back(std::move(decoded));
    }
  }

  // Rebuild the query: drop SQLAlchemy-only options, map asyncpg's ssl=.
  std::string new_query;
  size_t index = 0;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    ++index;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      return invalid("query parameter " + std::to_string(index) +
                     " has no '='; " + std::string(kEncode));
    }
    std::string key, value;
    PercentDecode(piece.substr(0, eq), &key);
    PercentDecode(piece.substr(eq + 1), &value);
    if (key == "password") {
      secrets.emplace_back(piece.substr(eq + 1));
      secrets.push_back(value);
    }
    if (has_driver && IsSqlAlchemyOnlyParam(key)) continue;
    std::string out_piece(piece);
    if (has_driver && key == "ssl") {
      std::string mode = Lower(value);
      if (mode == "true") mode = "require";
      if (mode == "false") mode = "disable";
      out_piece = "sslmode=" + mode;
    }
    if (!new_query.empty()) new_query += '&';
    new_query += out_piece;
  }

  DatabaseUrl url;
  url.dialect = Dialect::kPostgres;
  url.redacted = redacted;
  url.conninfo = "postgresql://" + std::string(main);
  if (!new_query.empty()) url.conninfo += "?" + new_query;
  RETORT_ASSIGN_OR_RETURN(ConninfoFields fields,
                          CheckConninfo(url.conninfo, redacted, secrets));
  // With no user info, an '@' in the query is a raw '?' in the password
  // ("app:5?user=pw@db" reads as host "app", port "5" and user "pw@db" --
  // a field retort shows, and libpq's authentication error quotes) or a
  // raw '@' in a query value. libpq accepts both and cannot tell them
  // apart, so neither can retort; %40 in a value is always understood.
  if (at == std::string_view::npos && query_has_at) {
    return invalid(
        "a raw '@' after the '?' (percent-encode '@' in query values as %40, "
        "and '@', '/' and '?' in the user name and password as %40, %2F, "
        "%3F)");
  }
  url.user = fields.user;
  url.host = fields.host;
  url.port = fields.port;
  url.dbname = fields.dbname;
  url.service = fields.service;
  url.has_password = fields.has_password;
  return url;
}

Result<DatabaseUrl> ParseSqliteUrl(std::string_view rest,
                                   const std::string& redacted) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid database URL " + redacted + ": " +
                                   std::string(why));
  };
  DatabaseUrl url;
  url.dialect = Dialect::kSqlite;
  url.redacted = redacted;
  if (rest.empty()) {
    url.sqlite_path = ":memory:";
    return url;
  }
  if (rest.front() != '/') {
    return invalid(
        "SQLite URLs have no host; write sqlite:///relative/path.db or "
        "sqlite:////absolute/path.db");
  }
  rest.remove_prefix(1);
  size_t query_pos = rest.find('?');
  std::string_view query =
      query_pos == std::string_view::npos ? "" : rest.substr(query_pos + 1);
  if (!PercentDecode(rest.substr(0, query_pos), &url.sqlite_path)) {
    return invalid("bad percent-escape (write '%' as %25)");
  }
  if (url.sqlite_path.empty()) url.sqlite_path = ":memory:";
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string key, value;
    PercentDecode(piece.substr(0, eq), &key);
    if (eq != std::string_view::npos)
      PercentDecode(piece.substr(eq + 1), &value);
    if (key == "timeout") {
      // pysqlite's parameter: seconds, possibly fractional.
      char* end = nullptr;
      double seconds = std::strtod(value.c_str(), &end);
      if (value.empty() || end == nullptr || *end != '\0' || seconds < 0 ||
          seconds > 86400) {
        return invalid("timeout must be a number of seconds, got '" + value +
                       "'");
      }
      url.sqlite_busy_timeout_ms = static_cast<int>(seconds * 1000);
    } else if (key == "mode") {
      if (value == "ro") {
        url.sqlite_read_only = true;
      } else if (value != "rw" && value != "rwc") {
        return invalid("mode must be ro, rw or rwc, got '" + value + "'");
      }
    } else {
      return invalid("unsupported SQLite URL parameter '" + key +
                     "' (supported: timeout, mode)");
    }
  }
  return url;
}

// Where the "://" of a leading "scheme://" is (RFC 3986's scheme: a letter,
// then letters, digits, '+', '-', '.'), after any blanks; npos when the text
// does not start with one. "host=db application_name=https://app" is a
// keyword string whose value holds "://", and its password= must be masked.
size_t SchemeSeparator(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  if (i >= s.size() || !std::isalpha(static_cast<unsigned char>(s[i]))) {
    return std::string_view::npos;
  }
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) ||
                          s[i] == '+' || s[i] == '-' || s[i] == '.')) {
    ++i;
  }
  return s.substr(i, 3) == "://" ? i : std::string_view::npos;
}

}  // namespace

std::string RedactedUrl(std::string_view url) {
  size_t sep = SchemeSeparator(url);
  if (sep == std::string_view::npos) return RedactKeywordString(url);
  std::string out(url);
  size_t rest = sep + 3;
  // user:password@ -- mask from the first ':' to the last '@'. Taking the
  // last '@' over-masks when a query value holds one, which errs the safe
  // way, and catches raw '@' or '/' inside the password.
  size_t colon = out.find(':', rest);
  size_t at = out.rfind('@');
  if (colon != std::string::npos && at != std::string::npos && at > colon &&
      at >= rest) {
    std::string_view user(out.data() + rest, colon - rest);
    if (user.find_first_of("/?@[") == std::string_view::npos) {
      out.replace(colon + 1, at - colon - 1, kMask);
    }
  }
  RedactQueryPasswords(&out);
  return out;
}

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view raw) {
  std::string_view text = Trim(raw);
  if (text.empty()) {
    return Status::InvalidArgument("empty database URL; " +
                                   std::string(kExpected));
  }
  // libpq (and SQLite) read C strings: past a NUL they would see another URL
  // than the one checked here (a password cut short reads as a port, shown).
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(
        "invalid database URL: it holds a NUL byte (\\0), which the "
        "database drivers cannot take");
  }
  std::string redacted = RedactedUrl(text);
  size_t sep = SchemeSeparator(text);
  if (sep == std::string_view::npos) {
    if (text.find('=') == std::string_view::npos) {
      return Status::InvalidArgument("'" + redacted +
                                     "' is not a database URL; " +
                                     std::string(kExpected));
    }
    DatabaseUrl url;
    url.dialect = Dialect::kPostgres;
    url.conninfo = std::string(text);
    url.redacted = redacted;
    std::vector<std::string> secrets;
    for (const KeywordPair& pair : TokenizeKeywords(text)) {
      if (pair.key == "password") {
        secrets.push_back(pair.value);
        secrets.emplace_back(
            text.substr(pair.value_begin, pair.value_end - pair.value_begin));
      }
    }
    RETORT_ASSIGN_OR_RETURN(ConninfoFields fields,
                            CheckConninfo(url.conninfo, redacted, secrets));
    url.user = fields.user;
    url.host = fields.host;
    url.port = fields.port;
    url.dbname = fields.dbname;
    url.service = fields.service;
    url.has_password = fields.has_password;
    return url;
  }

  std::string scheme = Lower(text.substr(0, sep));
  std::string_view rest = text.substr(sep + 3);
  size_t plus = scheme.find('+');
  std::string base = scheme.substr(0, plus);
  bool has_driver = plus != std::string::npos;
  if (base == "postgresql" || base == "postgres") {
    return ParsePostgresUri(rest, has_driver, redacted);
  }
  if (base == "sqlite") return ParseSqliteUrl(rest, redacted);
  return Status::InvalidArgument("unsupported database URL scheme '" + base +
                                 "' in " + redacted +
                                 "; retort supports postgresql:// and "
                                 "sqlite://");
}

Status CheckDatabaseNamed(const DatabaseUrl& url) {
  if (url.dialect != Dialect::kPostgres) return Status::OK();
  if (!url.dbname.empty() || !url.service.empty()) return Status::OK();
  for (const char* name : {"PGDATABASE", "PGSERVICE"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return Status::OK();
  }
  return Status::InvalidArgument(
      "the database URL " + url.redacted +
      " names no database, and libpq would pick the one named after the "
      "user (for postgres, the maintenance database 'postgres'); name it: "
      "postgresql://USER@HOST:PORT/DBNAME, or dbname=DBNAME in a keyword "
      "string (or set PGDATABASE)");
}

Result<std::unique_ptr<Connection>> Connect(const DatabaseUrl& url,
                                            const ConnectOptions& options) {
  RETORT_RETURN_IF_ERROR(CheckDatabaseNamed(url));
  std::string context = "cannot connect to " + url.redacted;
  switch (url.dialect) {
    case Dialect::kPostgres: {
      auto connection = PostgresConnection::Open(url.conninfo, options);
      if (!connection.ok()) return connection.status().WithContext(context);
      return std::unique_ptr<Connection>(std::move(connection).value());
    }
    case Dialect::kSqlite: {
      ConnectOptions sqlite_options = options;
      if (url.sqlite_busy_timeout_ms) {
        sqlite_options.sqlite_busy_timeout_ms = *url.sqlite_busy_timeout_ms;
      }
      if (url.sqlite_read_only) sqlite_options.sqlite_read_only = true;
      auto connection = SqliteConnection::Open(url.sqlite_path, sqlite_options);
      if (!connection.ok()) return connection.status();
      return std::unique_ptr<Connection>(std::move(connection).value());
    }
  }
  return Status::Internal("unknown dialect");
}

Result<std::unique_ptr<Connection>> Connect(const std::string& url,
                                            const ConnectOptions& options) {
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl parsed, ParseDatabaseUrl(url));
  return Connect(parsed, options);
}

}  // namespace retort
