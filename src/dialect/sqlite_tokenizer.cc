// A tokenizer following SQLite's lexical rules, and the few statement
// recognisers built on it.
#include "dialect/sqlite_tokenizer.h"

#include <sqlite3.h>

namespace retort {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// SQLite treats every byte >= 0x80 as part of an identifier, so UTF-8 names
// need no decoding.
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

// End of a quoted run starting at `i` (the opening quote) closed by `close`;
// a doubled closer is an escaped one unless `close` is ']'.
size_t QuotedEnd(std::string_view s, size_t i, char close) {
  size_t j = i + 1;
  while (j < s.size()) {
    if (s[j] == close) {
      if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return s.size();
}

size_t NumberEnd(std::string_view s, size_t i) {
  if (s[i] == '0' && i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
      IsHexDigit(s[i + 2])) {
    size_t j = i + 2;
    while (j < s.size() && (IsHexDigit(s[j]) || s[j] == '_')) ++j;
    return j;
  }
  size_t j = i;
  while (j < s.size() && (IsDigit(s[j]) || s[j] == '_')) ++j;
  if (j < s.size() && s[j] == '.') {
    ++j;
    while (j < s.size() && (IsDigit(s[j]) || s[j] == '_')) ++j;
  }
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    if (k < s.size() && IsDigit(s[k])) {
      j = k;
      while (j < s.size() && IsDigit(s[j])) ++j;
    }
  }
  return j;
}

bool IsPlainIdent(std::string_view name) {
  if (name.empty() || !IsIdentStart(name[0])) return false;
  for (char c : name) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}

// The statement's tokens after "PRAGMA [schema.]" when the pragma is named
// `pragma`, else nullopt.
std::optional<std::vector<SqliteToken>> PragmaArgs(std::string_view statement,
                                                   std::string_view pragma) {
  std::vector<SqliteToken> t = TokenizeSqlite(statement);
  while (!t.empty() && t.back().text == ";") t.pop_back();
  if (t.size() < 2 || !t[0].Is("PRAGMA")) return std::nullopt;
  size_t i = 1;
  if (t.size() > 3 && t[2].text == ".") i = 3;
  if (!t[i].IsName() || SqliteFold(t[i].Name()) != pragma) return std::nullopt;
  return std::vector<SqliteToken>(t.begin() + i + 1, t.end());
}

}  // namespace

bool SqliteToken::Is(std::string_view keyword) const {
  if (kind != SqliteTokenKind::kWord || text.size() != keyword.size()) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != Lower(keyword[i])) return false;
  }
  return true;
}

std::string SqliteToken::Name() const {
  if (kind != SqliteTokenKind::kQuotedIdent || text.size() < 2) {
    return std::string(text);
  }
  char close = text[0] == '[' ? ']' : text[0];
  std::string out;
  std::string_view inner = text.substr(1, text.size() - 2);
  for (size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (close != ']' && inner[i] == close && i + 1 < inner.size() &&
        inner[i + 1] == close) {
      ++i;
    }
  }
  return out;
}

std::vector<SqliteToken> TokenizeSqlite(std::string_view s) {
  std::vector<SqliteToken> out;
  size_t i = 0;
  auto add = [&](SqliteTokenKind kind, size_t end) {
    out.push_back(SqliteToken{kind, s.substr(i, end - i), i});
    i = end;
  };
  while (i < s.size()) {
    char c = s[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t eol = s.find('\n', i);
      i = eol == std::string_view::npos ? s.size() : eol + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else if (c == '\'') {
      add(SqliteTokenKind::kString, QuotedEnd(s, i, '\''));
    } else if (c == '"' || c == '`') {
      add(SqliteTokenKind::kQuotedIdent, QuotedEnd(s, i, c));
    } else if (c == '[') {
      add(SqliteTokenKind::kQuotedIdent, QuotedEnd(s, i, ']'));
    } else if ((c == 'x' || c == 'X') && i + 1 < s.size() && s[i + 1] == '\'') {
      add(SqliteTokenKind::kBlob, QuotedEnd(s, i + 1, '\''));
    } else if (IsDigit(c) ||
               (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      add(SqliteTokenKind::kNumber, NumberEnd(s, i));
    } else if (IsIdentStart(c)) {
      size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      add(SqliteTokenKind::kWord, j);
    } else if (c == '?') {
      size_t j = i + 1;
      while (j < s.size() && IsDigit(s[j])) ++j;
      add(SqliteTokenKind::kVariable, j);
    } else if ((c == ':' || c == '@' || c == '$') && i + 1 < s.size() &&
               IsIdentChar(s[i + 1])) {
      size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      add(SqliteTokenKind::kVariable, j);
    } else {
      // Two- and three-character operators first.
      std::string_view rest = s.substr(i);
      size_t len = 1;
      for (std::string_view op :
           {"->>", "||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->"}) {
        if (rest.starts_with(op)) {
          len = op.size();
          break;
        }
      }
      add(SqliteTokenKind::kPunct, i + len);
    }
  }
  return out;
}

std::string SqliteFold(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string QuoteSqliteIdentIfNeeded(std::string_view name) {
  if (IsPlainIdent(name) &&
      sqlite3_keyword_check(name.data(), static_cast<int>(name.size())) == 0) {
    return std::string(name);
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CanonicalSqlite(const std::vector<SqliteToken>& tokens,
                            size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < tokens.size(); ++i) {
    const SqliteToken& t = tokens[i];
    if (!out.empty()) out += ' ';
    switch (t.kind) {
      case SqliteTokenKind::kWord:
      case SqliteTokenKind::kBlob:
        out += SqliteFold(t.text);
        break;
      case SqliteTokenKind::kQuotedIdent: {
        std::string name = SqliteFold(t.Name());
        if (IsPlainIdent(name)) {
          out += name;
        } else {
          out += '"';
          for (char c : name) {
            if (c == '"') out += '"';
            out += c;
          }
          out += '"';
        }
        break;
      }
      case SqliteTokenKind::kPunct:
        if (t.text == "==") {
          out += "=";
        } else if (t.text == "<>") {
          out += "!=";
        } else {
          out += t.text;
        }
        break;
      default:
        out += t.text;
    }
  }
  return out;
}

std::optional<bool> SqliteForeignKeysPragma(std::string_view statement) {
  auto args = PragmaArgs(statement, "foreign_keys");
  if (!args) return std::nullopt;
  const std::vector<SqliteToken>& a = *args;
  const SqliteToken* value = nullptr;
  if (a.size() == 2 && a[0].text == "=") value = &a[1];
  if (a.size() == 3 && a[0].text == "(" && a[2].text == ")") value = &a[1];
  if (value == nullptr) return std::nullopt;
  std::string v = SqliteFold(value->kind == SqliteTokenKind::kString
                                 ? value->text.substr(1, value->text.size() - 2)
                                 : value->Name());
  if (v == "off" || v == "no" || v == "false" || v == "0") return false;
  if (v == "on" || v == "yes" || v == "true" || v == "1") return true;
  return std::nullopt;
}

std::optional<std::string> SqliteForeignKeyCheckTarget(
    std::string_view statement) {
  auto args = PragmaArgs(statement, "foreign_key_check");
  if (!args) return std::nullopt;
  const std::vector<SqliteToken>& a = *args;
  if (a.empty()) return std::string();
  if (a.size() == 3 && a[0].text == "(" && a[2].text == ")") {
    return a[1].Name();
  }
  return std::nullopt;
}

}  // namespace retort
