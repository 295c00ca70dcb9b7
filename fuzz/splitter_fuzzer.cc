// Fuzzes the SQL splitter (dialect/splitter.h) for PostgreSQL and SQLite on
// the same input. Beyond "does not crash", every split must describe the
// script: statements in order, each the exact bytes at its offset, trimmed
// as documented, on the right line, and nothing but blanks, ';' and comments
// left between them (a lost statement would be silently skipped SQL).
#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/splitter.h"
#include "fuzz_check.h"

namespace retort {
namespace {

// PostgreSQL's whitespace includes the vertical tab, SQLite's does not.
bool IsSpace(char c, bool postgres) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         (c == '\v' && postgres);
}

// True when [begin, end) of `s` holds only blanks, ';' and comments (a block
// comment may run unterminated to `end`: the trim it came from stops there).
// PostgreSQL's block comments nest, SQLite's do not.
bool OnlyFiller(std::string_view s, size_t begin, size_t end, bool postgres) {
  const bool nested = postgres;
  size_t pos = begin;
  while (pos < end) {
    if (IsSpace(s[pos], postgres) || s[pos] == ';') {
      ++pos;
    } else if (pos + 1 < end && s[pos] == '-' && s[pos + 1] == '-') {
      while (pos < end && s[pos] != '\n') ++pos;
    } else if (pos + 1 < end && s[pos] == '/' && s[pos + 1] == '*') {
      int depth = 1;
      pos += 2;
      while (pos < end && depth > 0) {
        if (nested && pos + 1 < end && s[pos] == '/' && s[pos + 1] == '*') {
          ++depth;
          pos += 2;
        } else if (pos + 1 < end && s[pos] == '*' && s[pos + 1] == '/') {
          --depth;
          pos += 2;
        } else {
          ++pos;
        }
      }
    } else {
      return false;
    }
  }
  return true;
}

std::string Describe(const SqlStatement& s) {
  return "statement at offset " + std::to_string(s.offset) + " line " +
         std::to_string(s.line) + ": [" + s.text + "]";
}

void CheckSplit(std::string_view script,
                const std::vector<SqlStatement>& statements, bool postgres) {
  size_t covered = 0;
  for (const SqlStatement& s : statements) {
    FUZZ_CHECK(!s.text.empty(), Describe(s));
    FUZZ_CHECK(s.offset >= covered, Describe(s));
    FUZZ_CHECK(s.offset + s.text.size() <= script.size(), Describe(s));
    FUZZ_CHECK(script.substr(s.offset, s.text.size()) == s.text, Describe(s));
    FUZZ_CHECK(!IsSpace(s.text.front(), postgres), Describe(s));
    FUZZ_CHECK(!IsSpace(s.text.back(), postgres) && s.text.back() != ';',
               Describe(s));
    const int line = 1 + static_cast<int>(std::count(
                             script.begin(), script.begin() + s.offset, '\n'));
    FUZZ_CHECK(s.line == line,
               Describe(s) + " expected line " + std::to_string(line));
    FUZZ_CHECK(OnlyFiller(script, covered, s.offset, postgres),
               "text before " + Describe(s) + " is not blanks or comments");
    covered = s.offset + s.text.size();
  }
  FUZZ_CHECK(OnlyFiller(script, covered, script.size(), postgres),
             "text after the last statement is not blanks or comments");
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size > 4096) return -1;  // statements, not whole dumps
  std::string_view script = fuzz::AsText(data, size);

  std::vector<SqlStatement> lite = SplitSqliteScript(script);
  CheckSplit(script, lite, /*postgres=*/false);
  // Each statement but the last ended where sqlite3_complete() agreed.
  for (size_t i = 0; i + 1 < lite.size(); ++i) {
    if (lite[i].text.find('\0') != std::string::npos) continue;
    std::string terminated = lite[i].text + "\n;";
    FUZZ_CHECK(sqlite3_complete(terminated.c_str()) != 0,
               "SQLite statement is not complete: [" + lite[i].text + "]");
  }
  OutsideTransactionReason(Dialect::kSqlite, script, 0);
  ControlsTransaction(Dialect::kSqlite, script);

  Result<std::vector<SqlStatement>> pg = SplitPostgresScript(script);
  if (pg.ok()) {
    CheckSplit(script, *pg, /*postgres=*/true);
    for (size_t i = 0; i < pg->size() && i < 4; ++i) {
      const std::string& text = (*pg)[i].text;
      PgTransactionTraits traits = PostgresTransactionTraits(text, 150000);
      FUZZ_CHECK(traits.outside_reason ==
                     OutsideTransactionReason(Dialect::kPostgres, text, 150000),
                 text);
      ControlsTransaction(Dialect::kPostgres, text);
    }
  } else {
    FUZZ_CHECK(pg.status().message().rfind("line ", 0) == 0,
               pg.status().message());
  }

  const int position = size == 0 ? 1 : data[0] % (static_cast<int>(size) + 2);
  TextPosition where = LocatePosition(script, position);
  FUZZ_CHECK(where.byte_offset <= script.size() && where.line >= 1 &&
                 where.column >= 1,
             "LocatePosition out of range");
  return 0;
}
