// Placeholder substitution for revision SQL; see placeholders.h.
#include "runtime/placeholders.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "config/redact.h"
#include "dialect/pg_scan.h"
#include "dialect/sqlite_tokenizer.h"

#include "script/revision_file.h"

namespace retort {

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

std::string KnownNames(const std::map<std::string, std::string>& values) {
  if (values.empty()) return "none are defined";
  std::string out = "defined: ";
  bool first = true;
  for (const auto& [name, value] : values) {
    if (!first) out += ", ";
    first = false;
    out += name;
  }
  return out;
}

// [begin, end) of the body that substitution leaves as written.
struct Span {
  size_t begin = 0, end = 0;
};

// What the tokenizer says is not SQL to substitute in: comments, and the
// tags of dollar-quoted strings ($fn$ ... $fn$ keeps both "$fn$"; the body
// between them is substituted). A tag is never part of a "$${" escape, so
// "$x$${y}$x$" is the body "${y}" between two tags. PostgreSQL's lexer when
// the body has a "${" at all; SQLite has no dollar quotes, and its
// tokenizer leaves comments (and blanks) between tokens. A body PostgreSQL's
// lexer cannot tokenize (an unterminated quote) keeps nothing: the splitter
// then reports the real error with its line.
std::vector<Span> KeptSpans(std::string_view body, Dialect dialect) {
  std::vector<Span> kept;
  if (body.find("${") == std::string_view::npos) return kept;
  if (dialect == Dialect::kSqlite) {
    size_t prev = 0;
    auto gap = [&](size_t begin, size_t end) {
      while (begin < end && std::isspace(static_cast<unsigned char>(body[begin])))
        ++begin;
      if (begin < end) kept.push_back({begin, end});
    };
    for (const SqliteToken& token : TokenizeSqlite(body)) {
      gap(prev, token.offset);
      prev = token.offset + token.text.size();
    }
    gap(prev, body.size());
    return kept;
  }
  auto tokens = ScanPostgres(body);
  if (!tokens.ok()) return kept;
  for (const PgToken& token : *tokens) {
    if (token.kind == PgToken::Kind::kComment) {
      kept.push_back({token.begin, token.end});
      continue;
    }
    if (token.kind != PgToken::Kind::kString || token.text.empty() ||
        token.text[0] != '$') {
      continue;
    }
    size_t tag_end = token.text.find('$', 1);
    if (tag_end == std::string_view::npos) continue;
    const size_t tag = tag_end + 1;
    kept.push_back({token.begin, token.begin + tag});
    if (token.text.size() >= 2 * tag) {
      kept.push_back({token.end - tag, token.end});
    }
  }
  return kept;
}

}  // namespace

size_t SubstitutedText::OriginalOffset(size_t out_offset) const {
  // The last span starting at or before the offset decides.
  auto it = std::upper_bound(
      spans.begin(), spans.end(), out_offset,
      [](size_t off, const Span& s) { return off < s.out_begin; });
  if (it == spans.begin()) return out_offset;
  const Span& s = *(it - 1);
  if (out_offset < s.out_end) return s.in_begin;
  return s.in_end + (out_offset - s.out_end);
}

Result<SubstitutedText> SubstitutePlaceholders(
    std::string_view body, const std::map<std::string, std::string>& values,
    Dialect dialect, const std::string& path, int body_line) {
  SubstitutedText out;
  out.text.reserve(body.size());
  auto fail = [&](size_t offset, const std::string& what) {
    return Status::InvalidArgument(
        path + ":" + std::to_string(LineAtOffset(body, body_line, offset)) +
        ": " + what);
  };
  const std::vector<Span> kept = KeptSpans(body, dialect);
  size_t next_kept = 0;
  size_t i = 0;
  while (i < body.size()) {
    while (next_kept < kept.size() && kept[next_kept].end <= i) ++next_kept;
    const size_t limit =
        next_kept < kept.size() ? kept[next_kept].begin : body.size();
    if (i >= limit) {
      // A comment or a dollar-quote tag: as written.
      out.text.append(body.substr(i, kept[next_kept].end - i));
      i = kept[next_kept].end;
      continue;
    }
    std::string_view region = body.substr(0, limit);
    size_t dollar = region.find('$', i);
    if (dollar == std::string_view::npos) {
      out.text.append(body.substr(i, limit - i));
      i = limit;
      continue;
    }
    out.text.append(body.substr(i, dollar - i));
    // "$${" is an escaped "${": one '$' is dropped.
    if (region.compare(dollar, 3, "$${") == 0) {
      SubstitutedText::Span span;
      span.in_begin = dollar;
      span.in_end = dollar + 3;
      span.out_begin = out.text.size();
      out.text += "${";
      span.out_end = out.text.size();
      out.spans.push_back(span);
      i = dollar + 3;
      continue;
    }
    if (region.compare(dollar, 2, "${") != 0) {
      out.text += '$';
      i = dollar + 1;
      continue;
    }
    size_t close = region.find('}', dollar + 2);
    size_t newline = region.find('\n', dollar + 2);
    if (close == std::string_view::npos ||
        (newline != std::string_view::npos && newline < close)) {
      return fail(dollar,
                  "unterminated placeholder \"${\" (write \"$${\" for a "
                  "literal \"${\")");
    }
    std::string_view inner = body.substr(dollar + 2, close - dollar - 2);
    std::string_view name = inner;
    std::string_view modifier;
    if (size_t colon = inner.find(':'); colon != std::string_view::npos) {
      name = inner.substr(0, colon);
      modifier = inner.substr(colon + 1);
    }
    std::string written = "${" + std::string(inner) + "}";
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return fail(dollar, "invalid placeholder " + written +
                              " (names use letters, digits, '_', '.', '-')");
    }
    auto value = values.find(std::string(name));
    if (value == values.end()) {
      return fail(dollar, "unknown placeholder " + written + " (" +
                              KnownNames(values) + ")");
    }
    std::string replacement;
    if (modifier.empty()) {
      replacement = QuoteSqlIdent(value->second);
    } else if (modifier == "literal") {
      replacement = dialect == Dialect::kPostgres
                        ? QuotePgLiteral(value->second)
                        : QuoteSqliteLiteral(value->second);
    } else if (modifier == "raw") {
      replacement = value->second;
    } else {
      return fail(dollar, "unknown placeholder modifier in " + written +
                              " (use ${name}, ${name:literal} or "
                              "${name:raw})");
    }
    SubstitutedText::Span span;
    span.in_begin = dollar;
    span.in_end = close + 1;
    span.out_begin = out.text.size();
    out.text += replacement;
    span.out_end = out.text.size();
    out.spans.push_back(span);
    i = close + 1;
  }
  return out;
}

SecretMask::SecretMask(const std::map<std::string, std::string>& values,
                       const std::set<std::string>& names) {
  for (const std::string& name : names) {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) continue;
    RegisterSecretValue(it->second);
    empty_ = false;
  }
}

std::string SecretMask::Apply(std::string text) const {
  return empty_ ? text : Redact(text);
}

Status SecretMask::Apply(const Status& status) const {
  if (status.ok() || empty_) return status;
  return status.WithMessage(Redact(status.message()));
}

}  // namespace retort
