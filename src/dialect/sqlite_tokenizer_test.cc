#include "dialect/sqlite_tokenizer.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::vector<std::string> Texts(std::string_view sql) {
  std::vector<std::string> out;
  for (const SqliteToken& t : TokenizeSqlite(sql)) out.emplace_back(t.text);
  return out;
}

using Strings = std::vector<std::string>;

TEST(SqliteTokenizer, QuotesCommentsAndOperators) {
  EXPECT_EQ(Texts("SELECT 'a;''b' -- no;\n, \"x\"\"y\", [w z], `q`/* ; */;"),
            (Strings{"SELECT", "'a;''b'", ",", "\"x\"\"y\"", ",", "[w z]", ",",
                     "`q`", ";"}));
  EXPECT_EQ(Texts("a<>b||c->>'$' x'0A' 1.5e-3 .5 0x1F ?2 :n"),
            (Strings{"a", "<>", "b", "||", "c", "->>", "'$'", "x'0A'", "1.5e-3",
                     ".5", "0x1F", "?2", ":n"}));
  // Unterminated input runs to the end instead of failing.
  EXPECT_EQ(Texts("SELECT 'abc"), (Strings{"SELECT", "'abc"}));
  EXPECT_EQ(Texts("a /* open"), Strings{"a"});
}

TEST(SqliteTokenizer, NamesAndCanonicalForm) {
  auto t = TokenizeSqlite("\"My \"\"T\"\"\" [Col] `c`");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].Name(), "My \"T\"");
  EXPECT_EQ(t[1].Name(), "Col");
  EXPECT_EQ(t[2].Name(), "c");
  auto a = TokenizeSqlite("CHECK (\"Price\"  >= 0 AND Name == 'X')");
  auto b = TokenizeSqlite("check(price>=0 and [name]='X')");
  EXPECT_EQ(CanonicalSqlite(a, 0, a.size()), CanonicalSqlite(b, 0, b.size()));
  EXPECT_EQ(CanonicalSqlite(a, 0, a.size()),
            "check ( price >= 0 and name = 'X' )");
  // String contents keep their case; quoted names needing quotes keep them.
  auto c = TokenizeSqlite("'X' \"two words\"");
  EXPECT_EQ(CanonicalSqlite(c, 0, c.size()), "'X' \"two words\"");
}

TEST(SqliteTokenizer, QuoteIdentIfNeeded) {
  EXPECT_EQ(QuoteSqliteIdentIfNeeded("users"), "users");
  EXPECT_EQ(QuoteSqliteIdentIfNeeded("Users_2"), "Users_2");
  EXPECT_EQ(QuoteSqliteIdentIfNeeded("order"), "\"order\"");
  EXPECT_EQ(QuoteSqliteIdentIfNeeded("two words"), "\"two words\"");
  EXPECT_EQ(QuoteSqliteIdentIfNeeded("a\"b"), "\"a\"\"b\"");
}

TEST(SqliteTokenizer, ForeignKeysPragma) {
  EXPECT_EQ(SqliteForeignKeysPragma("PRAGMA foreign_keys = OFF"), false);
  EXPECT_EQ(SqliteForeignKeysPragma("pragma main.Foreign_Keys=0;"), false);
  EXPECT_EQ(SqliteForeignKeysPragma("PRAGMA foreign_keys('no')"), false);
  EXPECT_EQ(SqliteForeignKeysPragma("PRAGMA foreign_keys = on"), true);
  EXPECT_EQ(SqliteForeignKeysPragma("PRAGMA foreign_keys"), std::nullopt);
  EXPECT_EQ(SqliteForeignKeysPragma("PRAGMA defer_foreign_keys = OFF"),
            std::nullopt);
  EXPECT_EQ(SqliteForeignKeysPragma("SELECT 'PRAGMA foreign_keys = OFF'"),
            std::nullopt);
  EXPECT_EQ(SqliteForeignKeyCheckTarget("PRAGMA foreign_key_check"), "");
  EXPECT_EQ(SqliteForeignKeyCheckTarget("PRAGMA main.foreign_key_check(t);"),
            "t");
  EXPECT_EQ(SqliteForeignKeyCheckTarget("PRAGMA foreign_key_list(t)"),
            std::nullopt);
  EXPECT_EQ(SqliteForeignKeyCheckTarget("-- PRAGMA foreign_key_check"),
            std::nullopt);
}

}  // namespace
}  // namespace retort
