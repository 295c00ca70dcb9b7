#include "runtime/lock_wait.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(LockWait, ShortenSqlFlattensAndCuts) {
  EXPECT_EQ(ShortenSql("ALTER TABLE t\n   ADD COLUMN c int"),
            "ALTER TABLE t ADD COLUMN c int");
  EXPECT_EQ(ShortenSql("  SELECT 1  "), "SELECT 1");
  EXPECT_EQ(ShortenSql("abcdefghij", 4), "abcd...");
  // Characters, not bytes: a UTF-8 sequence is never cut in half.
  EXPECT_EQ(ShortenSql("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9...");
}

TEST(LockWait, BackoffDoublesWithJitterUnderTheCap) {
  std::mt19937 random(42);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    int whole = std::min(100 << (attempt - 1), 1000);
    for (int i = 0; i < 50; ++i) {
      int ms = BackoffMs(attempt, 100, 1000, &random);
      EXPECT_GE(ms, whole / 2) << attempt;
      EXPECT_LE(ms, whole) << attempt;
    }
  }
}

TEST(LockWait, DescribesABlocker) {
  Blocker b;
  b.pid = "42";
  b.application_name = "psql";
  b.user = "alice";
  b.state = "idle in transaction";
  b.query = "LOCK TABLE t";
  b.xact_seconds = 12.4;
  EXPECT_EQ(b.Describe(),
            "pid 42 (application 'psql', user alice, idle in transaction, "
            "transaction open for 12 s, last query: LOCK TABLE t)");
  EXPECT_EQ(DescribeBlockers({}, "nobody"), "nobody");
}

}  // namespace
}  // namespace retort
