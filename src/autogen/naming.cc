// SQLAlchemy's naming conventions, rewritten in C++ from the rules of its
// 1.4 source (sql/naming.py's ConventionDict, sql/compiler.py's
// _truncate_and_render_maxlen_name): template parsing, the names, and the
// rewrite of model files that inserts them at positions read from
// libpg_query's parse tree and scanner.
#include "autogen/naming.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "dialect/pg_scan.h"
#include "dialect/splitter.h"
#include "util/strings.h"

namespace retort {
namespace {

using json = nlohmann::json;

// --- MD5 (RFC 1321), for the hash suffix of truncated names. ---

std::string Md5Hex(std::string_view data) {
  static constexpr std::array<uint32_t, 64> kShift = {
      7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
      5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
      4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
      6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  static constexpr std::array<uint32_t, 64> kSine = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
      0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
      0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
      0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
      0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
      0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
      0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
      0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
      0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
      0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
      0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
  std::string msg(data);
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 0; i < 8; ++i) {
    msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  for (size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    uint32_t m[16];
    for (int i = 0; i < 16; ++i) {
      m[i] = 0;
      for (int b = 3; b >= 0; --b) {
        m[i] = (m[i] << 8) | static_cast<unsigned char>(msg[chunk + 4 * i + b]);
      }
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (uint32_t i = 0; i < 64; ++i) {
      uint32_t f;
      uint32_t g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f += a + kSine[i] + m[g];
      a = d;
      d = c;
      c = b;
      b += (f << kShift[i]) | (f >> (32 - kShift[i]));
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint32_t word : h) {
    for (int i = 0; i < 4; ++i) {
      unsigned byte = (word >> (8 * i)) & 0xff;
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  return out;
}

// --- Code points: SQLAlchemy measures and cuts names as Python strings. ---

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

// The first `n` code points of `s`.
std::string FirstCodePoints(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if (!IsContinuationByte(s[i])) {
      if (seen == n) break;
      ++seen;
    }
  }
  return std::string(s.substr(0, i));
}

// --- Templates. ---

enum class TokenKind {
  kLiteral,
  kTableName,
  kConstraintName,
  kReferredTableName,
  kColumn,          // column_<i>_<attr>, column_0N_<attr>, column_0_N_<attr>
  kReferredColumn,  // referred_column_<i>_name and its joined forms
};

enum class ColumnAttr { kName, kKey, kLabel };

// One piece of a parsed template: literal text or a token.
struct TemplatePart {
  TokenKind kind = TokenKind::kLiteral;
  std::string text;  // the literal, or the token's name (for messages)
  ColumnAttr attr = ColumnAttr::kName;
  size_t index = 0;
  bool joined = false;    // the N forms: every column
  std::string separator;  // of the joined forms: "" (0N) or "_" (0_N)
};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

// Python's int() of a digit string, saturating: an index past any column
// list behaves the same however far past it is.
size_t ParseIndex(std::string_view digits) {
  size_t value = 0;
  for (char c : digits) {
    size_t digit = static_cast<size_t>(c - '0');
    if (value > (SIZE_MAX - digit) / 10) return SIZE_MAX;
    value = value * 10 + digit;
  }
  return value;
}

// Reads `key` as one of SQLAlchemy's column tokens into `part`. What
// ConventionDict.__getitem__ accepts, restated: "column_<digits>_<attr>"
// and "referred_column_<digits>_name" (<digits> read as an int, so
// column_00_name is column 0), and the joined forms with exactly "0N" or
// "0_N" in place of the digits (it replaces "0N"/"0_N" by "X" and looks the
// method up).
bool ParseColumnToken(std::string_view key, TemplatePart* part) {
  bool referred = false;
  if (key.starts_with("referred_")) {
    referred = true;
    key.remove_prefix(9);
  }
  if (!key.starts_with("column_")) return false;
  key.remove_prefix(7);
  size_t digits_end = 0;
  while (digits_end < key.size() && key[digits_end] >= '0' &&
         key[digits_end] <= '9') {
    ++digits_end;
  }
  std::string_view digits = key.substr(0, digits_end);
  std::string_view rest = key.substr(digits_end);
  if (!AllDigits(digits)) return false;
  part->joined = false;
  if (rest.starts_with("N_")) {
    part->joined = true;
    part->separator = "";
    rest.remove_prefix(1);
  } else if (rest.starts_with("_N_")) {
    part->joined = true;
    part->separator = "_";
    rest.remove_prefix(2);
  }
  if (part->joined && digits != "0") return false;
  if (rest == "_name") {
    part->attr = ColumnAttr::kName;
  } else if (rest == "_key" && !referred) {
    part->attr = ColumnAttr::kKey;
  } else if (rest == "_label" && !referred) {
    part->attr = ColumnAttr::kLabel;
  } else {
    return false;
  }
  part->kind = referred ? TokenKind::kReferredColumn : TokenKind::kColumn;
  part->index = ParseIndex(digits);
  return true;
}

std::vector<std::string> KnownTokens(NamingKind kind) {
  std::vector<std::string> tokens = {"table_name", "constraint_name"};
  for (const char* attr : {"name", "key", "label"}) {
    for (const char* form : {"0", "0N", "0_N"}) {
      tokens.push_back(std::string("column_") + form + "_" + attr);
    }
  }
  if (kind == NamingKind::kForeignKey) {
    tokens.push_back("referred_table_name");
    for (const char* form : {"0", "0N", "0_N"}) {
      tokens.push_back(std::string("referred_column_") + form + "_name");
    }
  }
  return tokens;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// `ix = "ix_%(column_0_label)s"`, the start of every template message.
std::string TemplateLabel(NamingKind kind, std::string_view tmpl) {
  return std::string(NamingKey(kind)) + " = " + Quoted(tmpl);
}

// Parses `tmpl` as Python's "%" formatting with a mapping reads it, allowing
// only %(token)s and %%.
Result<std::vector<TemplatePart>> ParseTemplate(NamingKind kind,
                                                std::string_view tmpl) {
  const std::string label = TemplateLabel(kind, tmpl);
  std::vector<TemplatePart> parts;
  auto literal = [&parts](std::string_view text) {
    if (parts.empty() || parts.back().kind != TokenKind::kLiteral) {
      parts.push_back(TemplatePart{});
    }
    parts.back().text += text;
  };
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t percent = tmpl.find('%', i);
    if (percent == std::string_view::npos) {
      literal(tmpl.substr(i));
      break;
    }
    literal(tmpl.substr(i, percent - i));
    if (percent + 1 >= tmpl.size()) {
      return Status::InvalidArgument(
          label + ": a lone \"%\" at the end; write %% for a literal %");
    }
    char next = tmpl[percent + 1];
    if (next == '%') {
      literal("%");
      i = percent + 2;
      continue;
    }
    if (next != '(') {
      return Status::InvalidArgument(
          label + ": \"%" + std::string(1, next) +
          "\" is not a token; tokens are written %(name)s and %% is a "
          "literal %");
    }
    // Python matches the parentheses, nesting included.
    size_t close = percent + 2;
    int depth = 1;
    for (; close < tmpl.size(); ++close) {
      if (tmpl[close] == '(') ++depth;
      if (tmpl[close] == ')' && --depth == 0) break;
    }
    if (close >= tmpl.size()) {
      return Status::InvalidArgument(label + ": \"%(\" has no closing \")\"");
    }
    std::string_view key = tmpl.substr(percent + 2, close - percent - 2);
    if (close + 1 >= tmpl.size() || tmpl[close + 1] != 's') {
      return Status::InvalidArgument(label + ": %(" + std::string(key) +
                                     ") must be followed by \"s\": %(" +
                                     std::string(key) + ")s");
    }
    TemplatePart part;
    part.text = std::string(key);
    if (key == "table_name") {
      part.kind = TokenKind::kTableName;
    } else if (key == "constraint_name") {
      part.kind = TokenKind::kConstraintName;
    } else if (key == "referred_table_name") {
      part.kind = TokenKind::kReferredTableName;
    } else if (!ParseColumnToken(key, &part)) {
      std::string suggestion = Suggest(key, KnownTokens(kind));
      return Status::InvalidArgument(
          label + ": unknown token %(" + std::string(key) + ")s" +
          (suggestion.empty() ? "" : "; did you mean %(" + suggestion + ")s?"));
    }
    if ((part.kind == TokenKind::kReferredTableName ||
         part.kind == TokenKind::kReferredColumn) &&
        kind != NamingKind::kForeignKey) {
      // SQLAlchemy fails on these for anything but a ForeignKeyConstraint
      // (it has no .elements).
      return Status::InvalidArgument(
          label + ": %(" + std::string(key) +
          ")s applies only to foreign keys (the fk template)");
    }
    parts.push_back(std::move(part));
    i = close + 2;
  }
  return parts;
}

// What a column token gives for `column` of `subject`.
std::string ColumnValue(const NamingSubject& subject, const std::string& column,
                        ColumnAttr attr) {
  if (attr != ColumnAttr::kLabel) return column;  // key == name in SQL
  // Column._ddl_label: the schema's dots become "_".
  std::string label;
  if (!subject.schema.empty()) {
    std::string schema = subject.schema;
    std::replace(schema.begin(), schema.end(), '.', '_');
    label = schema + "_";
  }
  return label + subject.table + "_" + column;
}

// Evaluates `parts` for `subject`; `label` is the template for messages.
Result<std::string> Evaluate(const std::vector<TemplatePart>& parts,
                             const NamingSubject& subject,
                             const std::string& label) {
  std::string out;
  const bool fk = subject.kind == NamingKind::kForeignKey;
  auto unknown_columns = [&](const TemplatePart& part) {
    return Status::InvalidArgument(label + " uses %(" + part.text + ")s, but " +
                                   subject.columns_unknown +
                                   "; give it a name");
  };
  auto referred_column = [&](const TemplatePart& part,
                             size_t index) -> Result<std::string> {
    // ForeignKeyConstraint.elements[index]: an IndexError past the end.
    if (index >= subject.columns.size()) {
      return Status::InvalidArgument(
          label + " uses %(" + part.text + ")s, but the foreign key has " +
          std::to_string(subject.columns.size()) +
          (subject.columns.size() == 1 ? " column" : " columns") +
          " (SQLAlchemy fails with an IndexError)");
    }
    if (!subject.referred_columns_unknown.empty()) {
      return Status::InvalidArgument(label + " uses %(" + part.text +
                                     ")s, but " +
                                     subject.referred_columns_unknown);
    }
    if (index >= subject.referred_columns.size()) {
      return Status::InvalidArgument(
          label + " uses %(" + part.text +
          ")s, but the foreign key refers to fewer columns than it has");
    }
    return subject.referred_columns[index];
  };
  for (const TemplatePart& part : parts) {
    switch (part.kind) {
      case TokenKind::kLiteral:
        out += part.text;
        break;
      case TokenKind::kTableName:
        out += subject.table;
        break;
      case TokenKind::kConstraintName:
        if (!subject.name.has_value()) {
          return Status::InvalidArgument(
              label +
              " uses %(constraint_name)s, which SQLAlchemy allows only on "
              "an explicitly named " +
              (subject.kind == NamingKind::kIndex ? "index" : "constraint") +
              " (\"Naming convention including %(constraint_name)s token "
              "requires that constraint is explicitly named.\"); name it");
        }
        out += *subject.name;
        break;
      case TokenKind::kReferredTableName: {
        // ForeignKey.target_fullname ("schema.table.column" or
        // "table.column") split on its dots.
        std::string column = subject.referred_columns.empty()
                                 ? std::string()
                                 : subject.referred_columns[0];
        std::string full =
            (subject.referred_schema.empty() ? ""
                                             : subject.referred_schema + ".") +
            subject.referred_table + "." + column;
        std::vector<std::string> pieces;
        size_t start = 0;
        for (size_t dot = full.find('.'); dot != std::string::npos;
             dot = full.find('.', start)) {
          pieces.push_back(full.substr(start, dot - start));
          start = dot + 1;
        }
        pieces.push_back(full.substr(start));
        if (pieces.size() == 3) {
          out += pieces[1];
        } else if (pieces.size() == 2) {
          out += pieces[0];
        } else {
          return Status::InvalidArgument(
              label +
              " uses %(referred_table_name)s, and SQLAlchemy fails "
              "on the \".\" in the referred " +
              Quoted(full) + " (it splits schema.table.column on dots)");
        }
        break;
      }
      case TokenKind::kColumn:
        if (part.joined) {
          if (!subject.columns_unknown.empty()) return unknown_columns(part);
          std::vector<std::string> values;
          for (const std::string& c : subject.columns) {
            values.push_back(ColumnValue(subject, c, part.attr));
          }
          out += Join(values, part.separator);
        } else if (part.index < subject.columns.size()) {
          out += ColumnValue(subject, subject.columns[part.index], part.attr);
        } else if (!subject.columns_unknown.empty()) {
          return unknown_columns(part);
        }
        // Past the end: "" (ConventionDict._column_X's IndexError).
        break;
      case TokenKind::kReferredColumn:
        if (!fk) {
          return Status::InvalidArgument(label + ": %(" + part.text +
                                         ")s applies only to foreign keys");
        }
        if (part.joined) {
          std::vector<std::string> values;
          for (size_t i = 0; i < subject.columns.size(); ++i) {
            RETORT_ASSIGN_OR_RETURN(std::string value,
                                    referred_column(part, i));
            values.push_back(std::move(value));
          }
          out += Join(values, part.separator);
        } else {
          RETORT_ASSIGN_OR_RETURN(std::string value,
                                  referred_column(part, part.index));
          out += value;
        }
        break;
    }
  }
  return out;
}

// The template of `kind` in `naming`.
std::string* MutableTemplate(NamingConvention* naming, NamingKind kind) {
  switch (kind) {
    case NamingKind::kPrimaryKey:
      return &naming->pk;
    case NamingKind::kForeignKey:
      return &naming->fk;
    case NamingKind::kUnique:
      return &naming->uq;
    case NamingKind::kIndex:
      return &naming->ix;
    case NamingKind::kCheck:
      return &naming->ck;
  }
  return &naming->pk;
}

}  // namespace

const char* NamingKey(NamingKind kind) {
  switch (kind) {
    case NamingKind::kPrimaryKey:
      return "pk";
    case NamingKind::kForeignKey:
      return "fk";
    case NamingKind::kUnique:
      return "uq";
    case NamingKind::kIndex:
      return "ix";
    case NamingKind::kCheck:
      return "ck";
  }
  return "?";
}

const std::string& NamingConvention::Template(NamingKind kind) const {
  return *MutableTemplate(const_cast<NamingConvention*>(this), kind);
}

Status ValidateNamingTemplate(NamingKind kind, std::string_view tmpl) {
  auto parsed = ParseTemplate(kind, tmpl);
  return parsed.ok() ? Status::OK() : parsed.status();
}

Result<NamingConvention> MakeNamingConvention(
    const std::map<std::string, std::string>& keys, const std::string& where) {
  NamingConvention naming;
  static const std::vector<std::string> kKeys = {"pk", "fk", "uq", "ix", "ck"};
  static constexpr NamingKind kKinds[] = {
      NamingKind::kPrimaryKey, NamingKind::kForeignKey, NamingKind::kUnique,
      NamingKind::kIndex, NamingKind::kCheck};
  for (const auto& [key, value] : keys) {
    auto it = std::find(kKeys.begin(), kKeys.end(), key);
    if (it == kKeys.end()) {
      return Status::InvalidArgument(
          where + ": [naming] has no key '" + key +
          "' (it takes pk, fk, uq, ix and ck, SQLAlchemy's convention keys)" +
          DidYouMean(key, kKeys));
    }
    NamingKind kind = kKinds[it - kKeys.begin()];
    Status valid = ValidateNamingTemplate(kind, value);
    if (!valid.ok()) {
      return Status::InvalidArgument(where + ": [naming] " + valid.message());
    }
    *MutableTemplate(&naming, kind) = value;
  }
  return naming;
}

std::string TruncateConventionName(const std::string& name, size_t max) {
  if (CodePoints(name) <= max || max < 8) return name;
  std::string hash = Md5Hex(name);
  return FirstCodePoints(name, max - 8) + "_" + hash.substr(hash.size() - 4);
}

Result<std::optional<std::string>> ConventionName(
    const NamingConvention& naming, const NamingSubject& subject,
    size_t max_identifier_length) {
  const std::string& tmpl = naming.Template(subject.kind);
  if (tmpl.empty()) return std::optional<std::string>();
  // _constraint_name_for_table: explicit names too when the template's text
  // holds "constraint_name" (a substring test in SQLAlchemy).
  if (subject.name.has_value() &&
      tmpl.find("constraint_name") == std::string::npos) {
    return std::optional<std::string>();
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<TemplatePart> parts,
                          ParseTemplate(subject.kind, tmpl));
  RETORT_ASSIGN_OR_RETURN(
      std::string name,
      Evaluate(parts, subject, TemplateLabel(subject.kind, tmpl)));
  return std::optional<std::string>(
      TruncateConventionName(name, max_identifier_length));
}

// --- The model rewrite. ---

namespace {

// The tokens of `text` (PostgreSQL's own lexer, pg_scan.h), comments left
// out: nothing here wants them.
Result<std::vector<PgToken>> Scan(std::string_view text) {
  RETORT_ASSIGN_OR_RETURN(std::vector<PgToken> tokens, ScanPostgres(text));
  std::erase_if(tokens, [](const PgToken& t) {
    return t.kind == PgToken::Kind::kComment;
  });
  return tokens;
}

// An identifier token's name: quoted ones unquoted, bare ones folded to
// lower case as PostgreSQL does (ASCII only, for UTF-8 databases). U&"..."
// identifiers are not decoded (nullopt).
std::optional<std::string> IdentifierName(std::string_view raw) {
  if (raw.starts_with("\"")) {
    if (raw.size() < 2 || !raw.ends_with("\"")) return std::nullopt;
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      out.push_back(raw[i]);
      if (raw[i] == '"') ++i;  // "" stands for "
    }
    return out;
  }
  if (raw.size() >= 2 && (raw[0] == 'u' || raw[0] == 'U') && raw[1] == '&') {
    return std::nullopt;
  }
  std::string out(raw);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// PostgreSQL's truncate_identifier: at most 63 bytes, cut at a character.
std::string ClipIdentifier(const std::string& name) {
  if (name.size() <= kPostgresMaxIdentifierLength) return name;
  size_t len = kPostgresMaxIdentifierLength;
  while (len > 0 && IsContinuationByte(name[len])) --len;
  return name.substr(0, len);
}

const json* Member(const json& node, const char* key) {
  if (!node.is_object()) return nullptr;
  auto it = node.find(key);
  return it == node.end() ? nullptr : &*it;
}

std::string Str(const json& node, const char* key) {
  const json* v = Member(node, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

int Int(const json& node, const char* key, int fallback) {
  const json* v = Member(node, key);
  return v != nullptr && v->is_number_integer() ? v->get<int>() : fallback;
}

// The strings of a list of String nodes (column lists).
std::vector<std::string> Strings(const json* list) {
  std::vector<std::string> out;
  if (list == nullptr || !list->is_array()) return out;
  for (const json& item : *list) {
    if (const json* s = Member(item, "String")) out.push_back(Str(*s, "sval"));
  }
  return out;
}

// The column names ColumnRefs under `node` name, in tree order; `star` set
// when one is a whole-row reference.
void ColumnRefs(const json& node, std::vector<std::string>* out, bool* star) {
  if (node.is_array()) {
    for (const json& child : node) ColumnRefs(child, out, star);
    return;
  }
  if (!node.is_object()) return;
  if (const json* ref = Member(node, "ColumnRef")) {
    const json* fields = Member(*ref, "fields");
    if (fields != nullptr && fields->is_array() && !fields->empty()) {
      const json& last = fields->back();
      if (const json* s = Member(last, "String")) {
        out->push_back(Str(*s, "sval"));
      } else {
        *star = true;
      }
    }
    return;
  }
  for (const auto& [key, child] : node.items()) {
    if (child.is_structured()) ColumnRefs(child, out, star);
  }
}

// A table as a statement writes it.
struct TableRef {
  std::string schema;
  std::string name;
  bool operator<(const TableRef& o) const {
    return std::tie(schema, name) < std::tie(o.schema, o.name);
  }
};

std::string TableText(const TableRef& t) {
  return t.schema.empty() ? t.name : t.schema + "." + t.name;
}

// One text change of the file: `length` bytes at `offset` become `text`.
struct Edit {
  size_t offset = 0;
  size_t length = 0;
  std::string text;
};

// One statement of the model file, with its scanner tokens read when first
// needed.
struct ParsedStatement {
  SqlStatement statement;
  bool scanned = false;
  // Comments left out. Positions are read from `begin` and `end`; a
  // token's `text` views `statement.text` and is not used (the statement
  // may move).
  std::vector<PgToken> tokens;
  // PostgreSQL's 63-byte cut of each identifier longer than that -> the
  // names it was cut from, and every shorter identifier as written.
  std::map<std::string, std::set<std::string>> long_names;
  std::set<std::string> short_names;
};

// The rewrite of one model file.
class ModelNamer {
 public:
  ModelNamer(std::string_view sql, const std::string& path,
             const NamingConvention& naming)
      : sql_(sql), path_(path), naming_(naming) {}

  Result<std::string> Run() {
    auto split = SplitPostgresScript(sql_);
    if (!split.ok()) return FileError(split.status().message());
    statements_.reserve(split->size());
    // One statement at a time, its tree dropped once read: a model set's
    // trees at once would be hundreds of megabytes.
    for (SqlStatement& s : *split) {
      ParsedStatement parsed;
      json tree;
      PgQueryParseResult result = pg_query_parse(s.text.c_str());
      if (result.error != nullptr) {
        TextPosition at = LocatePosition(s.text, result.error->cursorpos);
        std::string message = result.error->message;
        pg_query_free_parse_result(result);
        return Status::InvalidArgument(path_ + ":" +
                                       std::to_string(s.line + at.line - 1) +
                                       ": " + message);
      }
      tree = json::parse(result.parse_tree, nullptr, false);
      pg_query_free_parse_result(result);
      if (tree.is_discarded()) {
        return Status::Internal(path_ + ":" + std::to_string(s.line) +
                                ": cannot read libpg_query's parse tree");
      }
      parsed.statement = std::move(s);
      statements_.push_back(std::move(parsed));
      current_ = statements_.size() - 1;
      // The statement's own primary key first: a table may refer to itself.
      RETORT_RETURN_IF_ERROR(ForEachStatement(tree, &ModelNamer::CollectKeys));
      RETORT_RETURN_IF_ERROR(
          ForEachStatement(tree, &ModelNamer::NameStatement));
    }
    // REFERENCES without a column list to a table whose primary key comes
    // later in the file.
    for (Deferred& d : deferred_) {
      current_ = d.statement;
      auto key = primary_keys_.find(d.referred);
      if (key != primary_keys_.end()) {
        d.subject.referred_columns = key->second;
      } else {
        d.subject.referred_columns_unknown =
            "REFERENCES " + TableText(d.referred) +
            " names no columns and this file gives " + TableText(d.referred) +
            " no primary key; list the referred columns";
      }
      RETORT_RETURN_IF_ERROR(Finish(d.subject, d.location, d.what));
    }
    std::sort(edits_.begin(), edits_.end(),
              [](const Edit& a, const Edit& b) { return a.offset < b.offset; });
    std::string out;
    out.reserve(sql_.size() + edits_.size() * 32);
    size_t at = 0;
    for (const Edit& e : edits_) {
      if (e.offset < at) {
        return Status::Internal(path_ + ": overlapping naming edits");
      }
      out.append(sql_.substr(at, e.offset - at));
      out += e.text;
      at = e.offset + e.length;
    }
    out.append(sql_.substr(at));
    return out;
  }

 private:
  using Visitor = Status (ModelNamer::*)(const json& stmt,
                                         const std::string& schema);

  ParsedStatement& Current() { return statements_[current_]; }

  Status FileError(const std::string& message) const {
    // The splitter says "line 3: ..."; errors here say "path:3: ...".
    if (message.starts_with("line ")) {
      size_t colon = message.find(':');
      if (colon != std::string::npos) {
        return Status::InvalidArgument(
            path_ + ":" + message.substr(5, colon - 5) + message.substr(colon));
      }
    }
    return Status::InvalidArgument(path_ + ": " + message);
  }

  // Calls `visit` on the current statement's top-level statements and on
  // the elements of CREATE SCHEMA (whose tables live in that schema).
  Status ForEachStatement(const json& tree, Visitor visit) {
    const json* stmts = Member(tree, "stmts");
    if (stmts == nullptr || !stmts->is_array()) return Status::OK();
    for (const json& raw : *stmts) {
      const json* stmt = Member(raw, "stmt");
      if (stmt == nullptr) continue;
      if (const json* schema = Member(*stmt, "CreateSchemaStmt")) {
        const json* elements = Member(*schema, "schemaElts");
        if (elements == nullptr || !elements->is_array()) continue;
        enclosing_schema_ = Resolve(Str(*schema, "schemaname"));
        for (const json& element : *elements) {
          RETORT_RETURN_IF_ERROR((this->*visit)(element, enclosing_schema_));
        }
        enclosing_schema_.clear();
        continue;
      }
      RETORT_RETURN_IF_ERROR((this->*visit)(*stmt, ""));
    }
    return Status::OK();
  }

  // 1-based line in the file of byte `location` of the current statement.
  int LineOf(int location) const {
    const SqlStatement& s = statements_[current_].statement;
    size_t end =
        std::min(static_cast<size_t>(std::max(location, 0)), s.text.size());
    return s.line + static_cast<int>(
                        std::count(s.text.begin(), s.text.begin() + end, '\n'));
  }

  Status ErrorAt(int location, const std::string& message) const {
    return Status::InvalidArgument(
        path_ + ":" + std::to_string(LineOf(location)) + ": " + message);
  }

  Status EnsureScanned() {
    ParsedStatement& p = Current();
    if (p.scanned) return Status::OK();
    auto tokens = Scan(p.statement.text);
    if (!tokens.ok()) {
      return Status::Internal(path_ + ":" + std::to_string(p.statement.line) +
                              ": " + tokens.status().message());
    }
    p.tokens = std::move(*tokens);
    for (const PgToken& t : p.tokens) {
      if (t.token != PG_QUERY__TOKEN__IDENT) continue;
      auto name = IdentifierName(
          std::string_view(p.statement.text).substr(t.begin, t.end - t.begin));
      if (!name) continue;
      if (name->size() > kPostgresMaxIdentifierLength) {
        p.long_names[ClipIdentifier(*name)].insert(*name);
      } else {
        p.short_names.insert(*name);
      }
    }
    p.scanned = true;
    return Status::OK();
  }

  // The name PostgreSQL's parser gave as the statement wrote it: an
  // identifier it cut to 63 bytes is given back whole (SQLAlchemy names
  // from the whole name). `resolve_error_` records an ambiguity.
  std::string Resolve(const std::string& name) {
    // Cut names are at least 60 bytes (a cut backs off at most 3 bytes).
    if (name.size() + 3 < kPostgresMaxIdentifierLength) return name;
    if (!EnsureScanned().ok()) return name;
    ParsedStatement& p = Current();
    auto it = p.long_names.find(name);
    if (it == p.long_names.end()) return name;
    std::set<std::string> candidates = it->second;
    if (p.short_names.count(name) != 0) candidates.insert(name);
    if (candidates.size() == 1) return *candidates.begin();
    if (resolve_error_.empty()) {
      resolve_error_ = "the identifiers \"" + *candidates.begin() +
                       "\" and \"" + *std::next(candidates.begin()) +
                       "\" are the same name to PostgreSQL, which cuts "
                       "identifiers to 63 bytes, but not to SQLAlchemy";
    }
    return name;
  }

  std::vector<std::string> ResolveAll(std::vector<std::string> names) {
    for (std::string& n : names) n = Resolve(n);
    return names;
  }

  TableRef Table(const json& range_var, const std::string& schema) {
    TableRef t;
    t.schema = Resolve(Str(range_var, "schemaname"));
    if (t.schema.empty()) t.schema = schema;
    t.name = Resolve(Str(range_var, "relname"));
    return t;
  }

  // --- The primary keys each table gets in this file. ---

  Status CollectKeys(const json& stmt, const std::string& schema) {
    // An ambiguous name is reported where a name is made from it.
    resolve_error_.clear();
    if (const json* create = Member(stmt, "CreateStmt")) {
      const json* relation = Member(*create, "relation");
      const json* elements = Member(*create, "tableElts");
      if (relation == nullptr || elements == nullptr) return Status::OK();
      TableRef table = Table(*relation, schema);
      for (const json& element : *elements) {
        if (const json* column = Member(element, "ColumnDef")) {
          const json* constraints = Member(*column, "constraints");
          if (constraints == nullptr) continue;
          for (const json& c : *constraints) {
            const json* constraint = Member(c, "Constraint");
            if (constraint != nullptr &&
                Str(*constraint, "contype") == "CONSTR_PRIMARY") {
              primary_keys_[table] = {Resolve(Str(*column, "colname"))};
            }
          }
        } else if (const json* constraint = Member(element, "Constraint")) {
          if (Str(*constraint, "contype") == "CONSTR_PRIMARY") {
            primary_keys_[table] =
                ResolveAll(Strings(Member(*constraint, "keys")));
          }
        }
      }
    } else if (const json* alter = Member(stmt, "AlterTableStmt")) {
      const json* relation = Member(*alter, "relation");
      const json* cmds = Member(*alter, "cmds");
      if (relation == nullptr || cmds == nullptr) return Status::OK();
      for (const json& item : *cmds) {
        const json* cmd = Member(item, "AlterTableCmd");
        const json* def = cmd == nullptr ? nullptr : Member(*cmd, "def");
        const json* constraint =
            def == nullptr ? nullptr : Member(*def, "Constraint");
        if (constraint != nullptr &&
            Str(*constraint, "contype") == "CONSTR_PRIMARY" &&
            Member(*constraint, "keys") != nullptr) {
          primary_keys_[Table(*relation, schema)] =
              ResolveAll(Strings(Member(*constraint, "keys")));
        }
      }
    }
    return Status::OK();
  }

  // --- Names. ---

  Status NameStatement(const json& stmt, const std::string& schema) {
    resolve_error_.clear();
    RETORT_RETURN_IF_ERROR(CheckReferences(stmt));
    if (const json* create = Member(stmt, "CreateStmt")) {
      return NameCreateTable(*create, schema);
    }
    if (const json* index = Member(stmt, "IndexStmt")) {
      return NameIndex(*index, schema);
    }
    if (const json* alter = Member(stmt, "AlterTableStmt")) {
      if (Str(*alter, "objtype") != "OBJECT_TABLE") return Status::OK();
      const json* relation = Member(*alter, "relation");
      const json* cmds = Member(*alter, "cmds");
      if (relation == nullptr || cmds == nullptr) return Status::OK();
      TableRef table = Table(*relation, schema);
      for (const json& item : *cmds) {
        const json* cmd = Member(item, "AlterTableCmd");
        const json* def = cmd == nullptr ? nullptr : Member(*cmd, "def");
        if (def == nullptr) continue;
        std::string subtype = Str(*cmd, "subtype");
        if (subtype == "AT_AddConstraint") {
          if (const json* constraint = Member(*def, "Constraint")) {
            RETORT_RETURN_IF_ERROR(NameConstraint(*constraint, table, nullptr));
          }
        } else if (subtype == "AT_AddColumn") {
          if (const json* column = Member(*def, "ColumnDef")) {
            RETORT_RETURN_IF_ERROR(NameColumnConstraints(*column, table));
          }
        }
      }
    }
    return Status::OK();
  }

  Status NameCreateTable(const json& create, const std::string& schema) {
    const json* relation = Member(create, "relation");
    const json* elements = Member(create, "tableElts");
    if (relation == nullptr || elements == nullptr || !elements->is_array()) {
      return Status::OK();
    }
    // A partition: SQLAlchemy has no Table for it (see the header).
    if (Member(create, "partbound") != nullptr) return Status::OK();
    TableRef table = Table(*relation, schema);
    for (const json& element : *elements) {
      if (const json* like = Member(element, "TableLikeClause")) {
        RETORT_RETURN_IF_ERROR(CheckLike(*like, table, *relation));
      }
    }
    for (const json& element : *elements) {
      if (const json* column = Member(element, "ColumnDef")) {
        RETORT_RETURN_IF_ERROR(NameColumnConstraints(*column, table));
      } else if (const json* constraint = Member(element, "Constraint")) {
        RETORT_RETURN_IF_ERROR(NameConstraint(*constraint, table, nullptr));
      }
    }
    return Status::OK();
  }

  Status CheckLike(const json& like, const TableRef& table,
                   const json& relation) {
    // CreateTableLikeOption bits (PostgreSQL 15).
    constexpr int kLikeConstraints = 1 << 2;
    constexpr int kLikeIndexes = 1 << 6;
    int options = Int(like, "options", 0);
    std::string copied;
    if ((options & kLikeIndexes) != 0 &&
        !(naming_.pk.empty() && naming_.uq.empty() && naming_.ix.empty())) {
      copied = "indexes (and with them primary keys and unique constraints)";
    } else if ((options & kLikeConstraints) != 0 && !naming_.ck.empty()) {
      copied = "CHECK constraints";
    }
    if (copied.empty()) return Status::OK();
    const json* source = Member(like, "relation");
    return ErrorAt(
        Int(relation, "location", 0),
        "CREATE TABLE " + TableText(table) + " (LIKE " +
            (source == nullptr ? std::string("...")
                               : TableText(Table(*source, ""))) +
            " INCLUDING ...) copies " + copied +
            " under names PostgreSQL makes up, not the ones the [naming] "
            "convention gives; write the table's constraints and indexes "
            "out, or copy only what the convention does not name");
  }

  Status NameColumnConstraints(const json& column, const TableRef& table) {
    const json* constraints = Member(column, "constraints");
    if (constraints == nullptr || !constraints->is_array()) return Status::OK();
    std::string name = Resolve(Str(column, "colname"));
    for (const json& c : *constraints) {
      if (const json* constraint = Member(c, "Constraint")) {
        RETORT_RETURN_IF_ERROR(NameConstraint(*constraint, table, &name));
      }
    }
    return Status::OK();
  }

  // Names one constraint of `table`; `column` is the column of a column
  // constraint, null for a table constraint.
  Status NameConstraint(const json& constraint, const TableRef& table,
                        const std::string* column) {
    std::string contype = Str(constraint, "contype");
    bool defer = false;
    TableRef deferred_referred;
    NamingSubject subject;
    subject.schema = table.schema;
    subject.table = table.name;
    std::string what;
    if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") {
      // USING INDEX: the constraint takes the index's name.
      if (Member(constraint, "indexname") != nullptr) return Status::OK();
      bool pk = contype == "CONSTR_PRIMARY";
      subject.kind = pk ? NamingKind::kPrimaryKey : NamingKind::kUnique;
      subject.columns = column != nullptr
                            ? std::vector<std::string>{*column}
                            : ResolveAll(Strings(Member(constraint, "keys")));
      what = pk ? "primary key" : "unique constraint";
    } else if (contype == "CONSTR_FOREIGN") {
      subject.kind = NamingKind::kForeignKey;
      subject.columns =
          column != nullptr
              ? std::vector<std::string>{*column}
              : ResolveAll(Strings(Member(constraint, "fk_attrs")));
      // Unqualified, the referred table is in the schema a CREATE SCHEMA
      // creates, as PostgreSQL resolves it there.
      const json* pktable = Member(constraint, "pktable");
      TableRef referred =
          pktable == nullptr ? TableRef{} : Table(*pktable, enclosing_schema_);
      subject.referred_schema = referred.schema;
      subject.referred_table = referred.name;
      subject.referred_columns =
          ResolveAll(Strings(Member(constraint, "pk_attrs")));
      what = "foreign key";
      if (subject.referred_columns.empty()) {
        auto key = primary_keys_.find(referred);
        if (key != primary_keys_.end()) {
          subject.referred_columns = key->second;
        } else {
          defer = true;
        }
      }
      deferred_referred = referred;
    } else if (contype == "CONSTR_CHECK") {
      subject.kind = NamingKind::kCheck;
      std::vector<std::string> refs;
      bool star = false;
      if (const json* expr = Member(constraint, "raw_expr")) {
        ColumnRefs(*expr, &refs, &star);
      }
      if (!refs.empty() || star) {
        subject.columns_unknown =
            "SQLAlchemy gives a CHECK constraint the columns of its "
            "expression only when it is written as one "
            "(CheckConstraint(t.c.x > 0)), none when written as text "
            "(CheckConstraint(\"x > 0\")), and SQL cannot say which";
      }
      what = "CHECK constraint";
    } else {
      // EXCLUDE, NOT NULL, DEFAULT, attributes: no convention.
      return Status::OK();
    }
    const int location = Int(constraint, "location", -1);
    if (Member(constraint, "conname") != nullptr) {
      subject.name = Resolve(Str(constraint, "conname"));
    }
    if (!resolve_error_.empty()) return ErrorAt(location, resolve_error_);
    what = "the " + what +
           (subject.name ? " " + QuotePostgresIdentifier(*subject.name) : "") +
           " of table " + TableText(table);
    if (defer) {
      deferred_.push_back(Deferred{current_, std::move(subject),
                                   deferred_referred, location, what});
      return Status::OK();
    }
    return Finish(subject, location, what);
  }

  // --- References to explicit names a template replaced. ---

  // A name a template replaced, and the kind of template.
  struct Renamed {
    std::string name;
    NamingKind kind = NamingKind::kIndex;
  };

  // Fails when `stmt` refers by its old name to a constraint or index a
  // "constraint_name" template renamed earlier in the file: the statement
  // would fail on the database with a confusing "does not exist".
  Status CheckReferences(const json& stmt) {
    // The names of a List node ({"List": {"items": [String...]}}).
    auto items_of = [](const json* node) {
      const json* list = node == nullptr ? nullptr : Member(*node, "List");
      return Strings(list == nullptr ? nullptr : Member(*list, "items"));
    };
    if (const json* comment = Member(stmt, "CommentStmt")) {
      std::string objtype = Str(*comment, "objtype");
      std::vector<std::string> items = items_of(Member(*comment, "object"));
      if (objtype == "OBJECT_TABCONSTRAINT" && items.size() >= 2) {
        return ConstraintReference("COMMENT ON CONSTRAINT",
                                   Resolve(items[items.size() - 2]),
                                   Resolve(items.back()), 0);
      }
      if (objtype == "OBJECT_INDEX" && !items.empty()) {
        return IndexReference("COMMENT ON INDEX", Resolve(items.back()), 0);
      }
    } else if (const json* drop = Member(stmt, "DropStmt")) {
      if (Str(*drop, "removeType") != "OBJECT_INDEX") return Status::OK();
      const json* objects = Member(*drop, "objects");
      if (objects == nullptr || !objects->is_array()) return Status::OK();
      for (const json& object : *objects) {
        std::vector<std::string> items = items_of(&object);
        if (items.empty()) continue;
        RETORT_RETURN_IF_ERROR(
            IndexReference("DROP INDEX", Resolve(items.back()), 0));
      }
    } else if (const json* rename = Member(stmt, "RenameStmt")) {
      const json* relation = Member(*rename, "relation");
      if (relation == nullptr) return Status::OK();
      std::string type = Str(*rename, "renameType");
      int at = Int(*relation, "location", 0);
      if (type == "OBJECT_TABCONSTRAINT") {
        return ConstraintReference("RENAME CONSTRAINT",
                                   Resolve(Str(*relation, "relname")),
                                   Resolve(Str(*rename, "subname")), at);
      }
      if (type == "OBJECT_INDEX") {
        return IndexReference("ALTER INDEX", Resolve(Str(*relation, "relname")),
                              at);
      }
    } else if (const json* cluster = Member(stmt, "ClusterStmt")) {
      if (Member(*cluster, "indexname") != nullptr) {
        return IndexReference("CLUSTER", Resolve(Str(*cluster, "indexname")),
                              0);
      }
    } else if (const json* alter = Member(stmt, "AlterTableStmt")) {
      const json* relation = Member(*alter, "relation");
      const json* cmds = Member(*alter, "cmds");
      if (relation == nullptr || cmds == nullptr) return Status::OK();
      const std::string table = Resolve(Str(*relation, "relname"));
      const int at = Int(*relation, "location", 0);
      if (Str(*alter, "objtype") == "OBJECT_INDEX") {
        return IndexReference("ALTER INDEX", table, at);
      }
      for (const json& item : *cmds) {
        const json* cmd = Member(item, "AlterTableCmd");
        if (cmd == nullptr) continue;
        const std::string subtype = Str(*cmd, "subtype");
        const json* def = Member(*cmd, "def");
        if (subtype == "AT_ValidateConstraint" ||
            subtype == "AT_DropConstraint") {
          RETORT_RETURN_IF_ERROR(ConstraintReference(
              subtype == "AT_DropConstraint" ? "DROP CONSTRAINT"
                                             : "VALIDATE CONSTRAINT",
              table, Resolve(Str(*cmd, "name")), at));
        } else if (subtype == "AT_AlterConstraint" && def != nullptr) {
          if (const json* c = Member(*def, "Constraint")) {
            RETORT_RETURN_IF_ERROR(ConstraintReference(
                "ALTER CONSTRAINT", table, Resolve(Str(*c, "conname")), at));
          }
        } else if (subtype == "AT_ClusterOn") {
          RETORT_RETURN_IF_ERROR(
              IndexReference("CLUSTER ON", Resolve(Str(*cmd, "name")), at));
        } else if (subtype == "AT_ReplicaIdentity" && def != nullptr) {
          if (const json* r = Member(*def, "ReplicaIdentityStmt")) {
            if (Member(*r, "name") != nullptr) {
              RETORT_RETURN_IF_ERROR(
                  IndexReference("REPLICA IDENTITY USING INDEX",
                                 Resolve(Str(*r, "name")), at));
            }
          }
        } else if (subtype == "AT_AddConstraint" && def != nullptr) {
          if (const json* c = Member(*def, "Constraint")) {
            if (Member(*c, "indexname") != nullptr) {
              RETORT_RETURN_IF_ERROR(IndexReference(
                  "USING INDEX", Resolve(Str(*c, "indexname")), at));
            }
          }
        }
      }
    }
    return Status::OK();
  }

  Status RenamedError(const std::string& what, const std::string& old_name,
                      const Renamed& renamed, int location) const {
    return ErrorAt(
        location,
        what + " refers to " + QuotePostgresIdentifier(old_name) +
            ", which the [naming] convention names " +
            QuotePostgresIdentifier(renamed.name) + " (" +
            TemplateLabel(renamed.kind, naming_.Template(renamed.kind)) +
            "); refer to it by that name");
  }

  Status ConstraintReference(const std::string& what, const std::string& table,
                             const std::string& name, int location) const {
    auto it = renamed_constraints_.find({table, name});
    if (it == renamed_constraints_.end()) return Status::OK();
    return RenamedError(what, name, it->second, location);
  }

  Status IndexReference(const std::string& what, const std::string& name,
                        int location) const {
    auto it = renamed_indexes_.find(name);
    if (it == renamed_indexes_.end()) return Status::OK();
    return RenamedError(what, name, it->second, location);
  }

  // Names `subject`, a constraint at `location` of the current statement
  // described as `what`.
  Status Finish(const NamingSubject& subject, int location,
                const std::string& what) {
    auto named = ConventionName(naming_, subject);
    if (!named.ok()) {
      return ErrorAt(location, what + ": " + named.status().message());
    }
    if (!named->has_value()) return Status::OK();
    if (location < 0) {
      return Status::Internal(path_ + ": " + what + " has no position");
    }
    const std::string& name = **named;
    if (!subject.name.has_value()) {
      return AddEdit(static_cast<size_t>(location), 0,
                     "CONSTRAINT " + QuotePostgresIdentifier(name) + " ", name);
    }
    if (name == *subject.name) return Status::OK();
    renamed_constraints_[{subject.table, *subject.name}] = {name, subject.kind};
    if (subject.kind == NamingKind::kPrimaryKey ||
        subject.kind == NamingKind::kUnique) {
      // Their index takes their name.
      renamed_indexes_[*subject.name] = {name, subject.kind};
    }
    // CONSTRAINT <name> ...: replace the token after CONSTRAINT.
    RETORT_RETURN_IF_ERROR(EnsureScanned());
    const std::vector<PgToken>& tokens = Current().tokens;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (static_cast<int>(tokens[i].begin) != location) continue;
      if (tokens[i].token != PG_QUERY__TOKEN__CONSTRAINT) break;
      return ReplaceToken(tokens[i + 1], name);
    }
    return Status::Internal(path_ + ":" + std::to_string(LineOf(location)) +
                            ": cannot find the name of " + what);
  }

  Status NameIndex(const json& index, const std::string& schema) {
    const json* relation = Member(index, "relation");
    if (relation == nullptr) return Status::OK();
    TableRef table = Table(*relation, schema);
    NamingSubject subject;
    subject.kind = NamingKind::kIndex;
    subject.schema = table.schema;
    subject.table = table.name;
    const json* params = Member(index, "indexParams");
    if (params != nullptr && params->is_array()) {
      int position = 0;
      for (const json& item : *params) {
        ++position;
        const json* elem = Member(item, "IndexElem");
        if (elem == nullptr) continue;
        std::string column;
        if (Member(*elem, "name") != nullptr) {
          column = Resolve(Str(*elem, "name"));
        } else if (const json* expr = Member(*elem, "expr")) {
          std::vector<std::string> refs;
          bool star = false;
          ColumnRefs(*expr, &refs, &star);
          std::set<std::string> distinct(refs.begin(), refs.end());
          if (star || distinct.size() > 1) {
            subject.columns_unknown =
                "index element " + std::to_string(position) +
                " is an expression over several columns, and SQLAlchemy "
                "takes the first column its own expression tree holds, "
                "which SQL cannot tell";
            break;
          }
          if (distinct.empty()) continue;  // no column: none in SQLAlchemy
          column = Resolve(*distinct.begin());
        }
        if (column.empty()) continue;
        // SQLAlchemy's column collection holds each column once.
        if (std::find(subject.columns.begin(), subject.columns.end(), column) ==
            subject.columns.end()) {
          subject.columns.push_back(column);
        }
      }
    }
    const int relation_location = Int(*relation, "location", -1);
    if (Member(index, "idxname") != nullptr) {
      subject.name = Resolve(Str(index, "idxname"));
    }
    if (!resolve_error_.empty())
      return ErrorAt(relation_location, resolve_error_);
    std::string what =
        std::string("the ") +
        (subject.name ? "index " + QuotePostgresIdentifier(*subject.name)
                      : "index") +
        " on table " + TableText(table);
    auto named = ConventionName(naming_, subject);
    if (!named.ok()) {
      return ErrorAt(relation_location, what + ": " + named.status().message());
    }
    if (!named->has_value()) return Status::OK();
    if (subject.name && **named == *subject.name) return Status::OK();
    // The name slot has no position in the tree: it is just before ON
    // [ONLY] <table>, whose position the tree has.
    RETORT_RETURN_IF_ERROR(EnsureScanned());
    const std::vector<PgToken>& tokens = Current().tokens;
    size_t at = 0;
    while (at < tokens.size() &&
           static_cast<int>(tokens[at].begin) != relation_location) {
      ++at;
    }
    if (at < tokens.size() && at > 0 &&
        tokens[at - 1].token == PG_QUERY__TOKEN__ONLY) {
      --at;
    }
    if (at == 0 || at >= tokens.size() ||
        tokens[at - 1].token != PG_QUERY__TOKEN__ON) {
      return Status::Internal(
          path_ + ":" + std::to_string(LineOf(relation_location)) +
          ": cannot find ON in the CREATE INDEX of " + what);
    }
    const PgToken& on = tokens[at - 1];
    if (!subject.name.has_value()) {
      return AddEdit(static_cast<size_t>(on.begin), 0,
                     QuotePostgresIdentifier(**named) + " ", **named);
    }
    if (at < 2) {
      return Status::Internal(path_ + ": cannot find the name of " + what);
    }
    renamed_indexes_[*subject.name] = {**named, NamingKind::kIndex};
    return ReplaceToken(tokens[at - 2], **named);
  }

  // Replaces the identifier token `token` of the current statement by
  // `name`.
  Status ReplaceToken(const PgToken& token, const std::string& name) {
    return AddEdit(static_cast<size_t>(token.begin),
                   static_cast<size_t>(token.end - token.begin),
                   QuotePostgresIdentifier(name), name);
  }

  // Records that `length` bytes at `statement_offset` of the current
  // statement become `text`, keeping every line where it was: line breaks
  // the old text had (a quoted name over two lines) are put back after the
  // new one; a new one with more line breaks is refused.
  Status AddEdit(size_t statement_offset, size_t length, std::string text,
                 const std::string& name) {
    const size_t offset = Current().statement.offset + statement_offset;
    std::string_view old = sql_.substr(offset, length);
    auto old_breaks = std::count(old.begin(), old.end(), '\n');
    auto new_breaks = std::count(text.begin(), text.end(), '\n');
    if (new_breaks > old_breaks) {
      return ErrorAt(static_cast<int>(statement_offset),
                     "the name " + QuotePostgresIdentifier(name) +
                         " the [naming] convention gives holds a line break, "
                         "which would move the lines after it");
    }
    text.append(static_cast<size_t>(old_breaks - new_breaks), '\n');
    edits_.push_back(Edit{offset, length, std::move(text)});
    return Status::OK();
  }

  std::string_view sql_;
  const std::string& path_;
  const NamingConvention& naming_;
  std::vector<ParsedStatement> statements_;
  size_t current_ = 0;
  // The schema of the CREATE SCHEMA whose elements are being read.
  std::string enclosing_schema_;
  std::string resolve_error_;
  std::map<TableRef, std::vector<std::string>> primary_keys_;
  // A foreign key waiting for the primary key of the table it refers to.
  struct Deferred {
    size_t statement = 0;
    NamingSubject subject;
    TableRef referred;
    int location = -1;
    std::string what;
  };
  std::vector<Deferred> deferred_;
  // Explicit names a "constraint_name" template replaced: constraints by
  // (table, old name), indexes (and the indexes of primary keys and unique
  // constraints) by old name, as index names are unique in their schema.
  std::map<std::pair<std::string, std::string>, Renamed> renamed_constraints_;
  std::map<std::string, Renamed> renamed_indexes_;
  std::vector<Edit> edits_;
};

}  // namespace

std::string QuotePostgresIdentifier(const std::string& name) {
  bool safe =
      !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (size_t i = 0; safe && i < name.size(); ++i) {
    char c = name[i];
    safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (safe) {
    // Keywords of any category read differently bare; ask the scanner.
    auto tokens = Scan(name);
    safe = tokens.ok() && tokens->size() == 1 &&
           (*tokens)[0].token == PG_QUERY__TOKEN__IDENT;
  }
  if (safe) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

Result<std::string> ApplyNamingConvention(std::string_view sql,
                                          const std::string& path,
                                          const NamingConvention& naming) {
  if (naming.empty()) return std::string(sql);
  return ModelNamer(sql, path, naming).Run();
}

}  // namespace retort
