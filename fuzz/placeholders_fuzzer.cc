// Fuzzes placeholder substitution (runtime/placeholders.h) for both
// dialects. The substituted text must map back onto the body exactly: text
// outside the replaced spans is the body's own, in order, and
// OriginalOffset sends each of its bytes back to the same byte of the body
// (errors name the line the user wrote through that map).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "runtime/placeholders.h"

namespace retort {
namespace {

constexpr char kPath[] = "versions/x.sql";
constexpr int kBodyLine = 7;

const std::map<std::string, std::string>& Values() {
  static const std::map<std::string, std::string> values = {
      {"schema", "auth"},         {"app.role", "we\"ird\nname"},
      {"n-1", "o'clock \\ $$ ;"}, {"empty", ""},
      {"x", "${schema}"},         {"dollar", "$tag$"}};
  return values;
}

void Check(std::string_view body, Dialect dialect) {
  Result<SubstitutedText> result =
      SubstitutePlaceholders(body, Values(), dialect, kPath, kBodyLine);
  if (!result.ok()) {
    const std::string& message = result.status().message();
    FUZZ_CHECK(message.rfind(std::string(kPath) + ":", 0) == 0, message);
    const int line = std::stoi(message.substr(sizeof(kPath)));
    FUZZ_CHECK(line >= kBodyLine &&
                   line <= kBodyLine + static_cast<int>(std::count(
                                           body.begin(), body.end(), '\n')),
               message);
    return;
  }
  const SubstitutedText& out = *result;
  if (body.find('$') == std::string_view::npos) {
    FUZZ_CHECK(out.text == body && out.spans.empty(), "changed without '$'");
  }
  size_t in = 0, at = 0;  // ends of the previous span in body and text
  for (const SubstitutedText::Span& span : out.spans) {
    FUZZ_CHECK(span.in_begin >= in && span.in_begin < span.in_end &&
                   span.in_end <= body.size(),
               "span in " + std::to_string(span.in_begin) + "-" +
                   std::to_string(span.in_end));
    FUZZ_CHECK(span.out_begin >= at && span.out_begin <= span.out_end &&
                   span.out_end <= out.text.size(),
               "span out " + std::to_string(span.out_begin));
    // Between spans, text and body agree byte for byte.
    FUZZ_CHECK(
        span.in_begin - in == span.out_begin - at &&
            body.substr(in, span.in_begin - in) ==
                std::string_view(out.text).substr(at, span.out_begin - at),
        "unreplaced text differs before span at " +
            std::to_string(span.in_begin));
    for (size_t k = 0; k < span.out_begin - at; ++k) {
      FUZZ_CHECK(out.OriginalOffset(at + k) == in + k,
                 "OriginalOffset(" + std::to_string(at + k) + ")");
    }
    std::string_view written =
        body.substr(span.in_begin, span.in_end - span.in_begin);
    FUZZ_CHECK(written.substr(0, 2) == "${" || written.substr(0, 3) == "$${",
               std::string(written));
    FUZZ_CHECK(written.substr(0, 3) != "$${" ||
                   out.text.substr(span.out_begin,
                                   span.out_end - span.out_begin) == "${",
               "escape not turned into \"${\"");
    for (size_t o = span.out_begin; o < span.out_end; ++o) {
      FUZZ_CHECK(out.OriginalOffset(o) == span.in_begin,
                 "inside a value, offset " + std::to_string(o));
    }
    in = span.in_end;
    at = span.out_end;
  }
  FUZZ_CHECK(body.size() - in == out.text.size() - at &&
                 body.substr(in) == std::string_view(out.text).substr(at),
             "unreplaced tail differs");
  for (size_t k = 0; k < out.text.size() - at; ++k) {
    FUZZ_CHECK(out.OriginalOffset(at + k) == in + k,
               "OriginalOffset(" + std::to_string(at + k) + ") in the tail");
  }
  // Bytes outside the spans map back to themselves.
  size_t previous = 0;
  for (size_t o = 0; o <= out.text.size(); ++o) {
    size_t original = out.OriginalOffset(o);
    FUZZ_CHECK(original >= previous && original <= body.size(),
               "OriginalOffset(" + std::to_string(o) +
                   ") = " + std::to_string(original));
    previous = original;
  }
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size > 4096) return -1;
  std::string_view body = fuzz::AsText(data, size);
  Check(body, Dialect::kPostgres);
  Check(body, Dialect::kSqlite);
  return 0;
}
