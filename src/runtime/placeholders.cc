// Placeholder substitution for revision SQL; see placeholders.h.
#include "runtime/placeholders.h"

#include <algorithm>

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
  size_t i = 0;
  while (i < body.size()) {
    size_t dollar = body.find('$', i);
    if (dollar == std::string_view::npos) {
      out.text.append(body.substr(i));
      break;
    }
    out.text.append(body.substr(i, dollar - i));
    // "$${" is an escaped "${": one '$' is dropped.
    if (body.compare(dollar, 3, "$${") == 0) {
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
    if (body.compare(dollar, 2, "${") != 0) {
      out.text += '$';
      i = dollar + 1;
      continue;
    }
    size_t close = body.find('}', dollar + 2);
    size_t newline = body.find('\n', dollar + 2);
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

}  // namespace retort
