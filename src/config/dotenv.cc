// Parsing .env files (format in dotenv.h). Errors carry file:line but never
// the text of the line: a malformed line is often a password.
#include "config/dotenv.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace retort {

namespace {

bool IsKeyStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool IsKeyChar(char c) { return IsKeyStart(c) || (c >= '0' && c <= '9'); }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// What may follow a closing quote: blanks, then nothing or a comment.
bool OnlyCommentLeft(std::string_view rest) {
  std::string_view t = Trim(rest);
  return t.empty() || t.front() == '#';
}

// Parses the value part of one line into `out`; returns the problem, or ""
// when the value is well formed.
std::string ParseValue(std::string_view raw, std::string* out) {
  out->clear();
  std::string_view v = Trim(raw);
  if (v.empty()) return "";
  if (v.front() == '\'') {
    size_t close = v.find('\'', 1);
    if (close == std::string_view::npos) return "unterminated '...' value";
    if (!OnlyCommentLeft(v.substr(close + 1)))
      return "unexpected text after the closing quote";
    *out = std::string(v.substr(1, close - 1));
    return "";
  }
  if (v.front() == '"') {
    for (size_t i = 1; i < v.size(); ++i) {
      char c = v[i];
      if (c == '"') {
        if (!OnlyCommentLeft(v.substr(i + 1)))
          return "unexpected text after the closing quote";
        return "";
      }
      if (c == '\\' && i + 1 < v.size()) {
        char e = v[++i];
        switch (e) {
          case 'n':
            *out += '\n';
            break;
          case 'r':
            *out += '\r';
            break;
          case 't':
            *out += '\t';
            break;
          case '"':
            *out += '"';
            break;
          case '\\':
            *out += '\\';
            break;
          // Unknown escapes stay as written, as in docker compose.
          default:
            *out += '\\';
            *out += e;
            break;
        }
        continue;
      }
      *out += c;
    }
    out->clear();
    return "unterminated \"...\" value";
  }
  // Unquoted: a '#' after a blank starts a comment; "a#b" is a value.
  size_t end = raw.size();
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '#' && IsBlank(raw[i - 1])) {
      end = i;
      break;
    }
  }
  *out = std::string(Trim(raw.substr(0, end)));
  return "";
}

}  // namespace

Result<DotEnv> ParseDotEnv(std::string_view text, const std::string& path) {
  DotEnv env;
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text =
        nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto error = [&](const std::string& what) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) +
                                     ": " + what);
    };
    if (StartsWith(t, "export") && t.size() > 6 && IsBlank(t[6])) {
      t = Trim(t.substr(7));
    }
    size_t eq = t.find('=');
    if (eq == std::string_view::npos) {
      return error("expected KEY=value");
    }
    std::string_view key = Trim(t.substr(0, eq));
    bool valid = !key.empty() && IsKeyStart(key.front());
    for (char c : key) valid = valid && IsKeyChar(c);
    if (!valid) {
      // The text before '=' is not echoed: in a line such as
      // "postgres://u:pw@h/db?x=1" it is a password.
      return error(
          "invalid variable name before '='; names are letters, "
          "digits and '_', not starting with a digit");
    }
    std::string value;
    std::string problem = ParseValue(t.substr(eq + 1), &value);
    if (!problem.empty()) {
      return error(problem + " for " + std::string(key));
    }
    env[std::string(key)] = std::move(value);
  }
  return env;
}

Result<DotEnv> ReadDotEnv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return DotEnv{};
    return Status::IOError(path + ": cannot read");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDotEnv(ss.str(), path);
}

}  // namespace retort
