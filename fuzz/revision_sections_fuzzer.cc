// Fuzzes the section and directive parser (ParseRevisionSections in
// script/revision_file.h): the "-- migrate:" markers and "-- retort:"
// directives. A parsed file must hand back its sections verbatim, on the
// lines it says, with each directive inside the section it belongs to.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "script/revision_file.h"

namespace retort {
namespace {

constexpr char kPath[] = "versions/x.sql";

int LinesIn(std::string_view s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

void CheckDirectives(const SectionDirectives& d, int first_line, int last_line,
                     const char* section) {
  int previous = 0;
  int empties = 0;
  for (const Directive& directive : d.all) {
    const std::string where = std::string(section) + " directive on line " +
                              std::to_string(directive.line);
    FUZZ_CHECK(directive.line >= first_line && directive.line <= last_line,
               where + " outside lines " + std::to_string(first_line) + "-" +
                   std::to_string(last_line));
    FUZZ_CHECK(directive.line > previous, where + ": not in file order");
    previous = directive.line;
    // Directives with a required argument, and those taking none (kinds
    // added later are left to their own tests).
    const Directive::Kind kind = directive.kind;
    if (kind == Directive::Kind::kTodo ||
        kind == Directive::Kind::kBlocksWrites) {
      FUZZ_CHECK(!directive.argument.empty(), where + ": no argument");
    }
    if (kind == Directive::Kind::kEmpty ||
        kind == Directive::Kind::kDestructive) {
      FUZZ_CHECK(directive.argument.empty(), where + ": an argument");
    }
    if (kind == Directive::Kind::kEmpty) ++empties;
  }
  FUZZ_CHECK(empties <= 1, std::string(section) + ": several 'empty'");
  FUZZ_CHECK((d.empty_line() != 0) == (empties == 1), section);
  if (const Directive* todo = d.todo()) {
    FUZZ_CHECK(todo->kind == Directive::Kind::kTodo, section);
  }
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size > 8192) return -1;
  std::string_view text = fuzz::AsText(data, size);
  Result<RevisionSections> parsed = ParseRevisionSections(text, kPath);
  if (!parsed.ok()) {
    FUZZ_CHECK(
        parsed.status().message().rfind(std::string(kPath) + ":", 0) == 0,
        parsed.status().message());
    return 0;
  }
  const RevisionSections& s = *parsed;
  // The downgrade runs to the end of the file; the upgrade ends right
  // before the downgrade marker's line.
  FUZZ_CHECK(text.size() >= s.downgrade.size() &&
                 text.substr(text.size() - s.downgrade.size()) == s.downgrade,
             "downgrade is not the file's tail");
  size_t upgrade_at = text.find(s.upgrade);
  FUZZ_CHECK(upgrade_at != std::string_view::npos, "upgrade not in the file");
  FUZZ_CHECK(
      s.upgrade_line >= 2 && s.downgrade_line > s.upgrade_line,
      std::to_string(s.upgrade_line) + " " + std::to_string(s.downgrade_line));
  // The downgrade marker's line follows the upgrade body's lines.
  FUZZ_CHECK(s.downgrade_line == s.upgrade_line + LinesIn(s.upgrade) + 1,
             "upgrade_line " + std::to_string(s.upgrade_line) + " + " +
                 std::to_string(LinesIn(s.upgrade)) +
                 " lines, downgrade_line " + std::to_string(s.downgrade_line));
  // A marker on the last line, with no line end, leaves an empty body
  // "starting" on the line after it.
  const int last_line =
      1 + LinesIn(text) +
      (s.downgrade.empty() && (text.empty() || text.back() != '\n') ? 1 : 0);
  FUZZ_CHECK(s.downgrade_line + LinesIn(s.downgrade) == last_line,
             "downgrade lines do not reach the end of the file");
  CheckDirectives(s.upgrade_directives, s.upgrade_line, s.downgrade_line - 2,
                  "upgrade");
  CheckDirectives(s.downgrade_directives, s.downgrade_line,
                  s.downgrade_line + LinesIn(s.downgrade), "downgrade");
  for (size_t offset : {size_t{0}, s.upgrade.size() / 2, s.upgrade.size()}) {
    int line = LineAtOffset(s.upgrade, s.upgrade_line, offset);
    FUZZ_CHECK(line >= s.upgrade_line && line < s.downgrade_line,
               std::to_string(line));
  }
  return 0;
}
