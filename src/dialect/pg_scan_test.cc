#include "dialect/pg_scan.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::string Kinds(std::string_view sql) {
  auto tokens = ScanPostgres(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::string out;
  if (!tokens.ok()) return out;
  for (const PgToken& t : *tokens) {
    static const char* kNames[] = {"id", "str", "comment", "kw", "other"};
    out += std::string(kNames[static_cast<int>(t.kind)]) + "[" +
           std::string(t.text) + "] ";
  }
  return out;
}

TEST(PgScan, KindsAndSpans) {
  EXPECT_EQ(Kinds("CREATE TABLE \"My\".t (a int DEFAULT 'x''y') -- c\n"),
            "kw[CREATE] kw[TABLE] id[\"My\"] other[.] id[t] other[(] id[a] "
            "kw[int] kw[DEFAULT] str['x''y'] other[)] comment[-- c] ");
  EXPECT_EQ(Kinds("SELECT $f$ a ${schema} $f$, /* x */ 1, $1"),
            "kw[SELECT] str[$f$ a ${schema} $f$] other[,] comment[/* x */] "
            "other[1] other[,] other[$1] ");
}

TEST(PgScan, UnterminatedIsAnError) {
  auto r = ScanPostgres("SELECT 'abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unterminated quoted string at or near \"'abc\"");
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

TEST(PgScan, IdentifierNameUnquotesOrFolds) {
  EXPECT_EQ(IdentifierName("Users"), "users");
  EXPECT_EQ(IdentifierName("\"Users\""), "Users");
  EXPECT_EQ(IdentifierName("\"a\"\"b\""), "a\"b");
}

}  // namespace
}  // namespace retort
