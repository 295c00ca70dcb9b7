// The key range a backfill adds to its UPDATE, read with PostgreSQL's
// lexer: ANDed with the statement's own WHERE (subqueries and strings left
// alone), before RETURNING; what cannot be batched is refused.
#include "runtime/backfill.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::string Batched(const std::string& update) {
  Result<std::string> r = BatchedUpdate(update, "id", ">", "$1", "$2");
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(Backfill, RangeJoinsTheStatementsWhere) {
  EXPECT_EQ(Batched("UPDATE t SET a = 1 WHERE a IS NULL;"),
            "UPDATE t SET a = 1 WHERE (a IS NULL) AND id > $1 AND id <= $2");
  EXPECT_EQ(Batched("UPDATE t SET a = 1"),
            "UPDATE t SET a = 1 WHERE id > $1 AND id <= $2");
  // OR in the condition stays inside its parentheses.
  EXPECT_EQ(Batched("UPDATE t SET a = 1 WHERE a = 2 OR b = 3"),
            "UPDATE t SET a = 1 WHERE (a = 2 OR b = 3) AND id > $1 AND "
            "id <= $2");
  // A WHERE inside a subquery or a string is not the statement's.
  EXPECT_EQ(Batched("UPDATE t SET a = (SELECT max(x) FROM u WHERE u.t = "
                    "t.id), note = 'where' -- where\n"),
            "UPDATE t SET a = (SELECT max(x) FROM u WHERE u.t = t.id), note "
            "= 'where' WHERE id > $1 AND id <= $2");
  // A comment at the end, or before RETURNING, never swallows the range.
  EXPECT_EQ(Batched("UPDATE t SET a = 1 WHERE a IS NULL -- the rest\n"
                    "RETURNING id -- done\n;"),
            "UPDATE t SET a = 1 WHERE (a IS NULL) AND id > $1 AND id <= $2 "
            "RETURNING id");
  EXPECT_EQ(Batched("UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u WHERE "
                    "c) RETURNING id, a;"),
            "UPDATE t SET a = 1 WHERE (b IN (SELECT b FROM u WHERE c)) AND "
            "id > $1 AND id <= $2 RETURNING id, a");
  EXPECT_EQ(Batched("UPDATE t SET a = 1 RETURNING id"),
            "UPDATE t SET a = 1 WHERE id > $1 AND id <= $2 RETURNING id");
}

TEST(Backfill, OnlyAPlainUpdate) {
  EXPECT_EQ(Batched("DELETE FROM t WHERE a"),
            "error: the statement after \"-- retort: backfill\" must be an "
            "UPDATE (a plain one: no WITH before it)");
  EXPECT_EQ(Batched("WITH x AS (SELECT 1) UPDATE t SET a = 1"),
            "error: the statement after \"-- retort: backfill\" must be an "
            "UPDATE (a plain one: no WITH before it)");
  EXPECT_EQ(Batched("UPDATE t SET a = 1 WHERE CURRENT OF c"),
            "error: a backfill's UPDATE cannot use WHERE CURRENT OF");
}

TEST(Backfill, OfflineLoopCommitsPerBatch) {
  BackfillSpec spec;
  spec.table = "orders";
  spec.key = "id";
  spec.batch = 500;
  spec.sleep_ms = 50;
  Result<std::string> sql =
      OfflineBackfill("UPDATE orders SET a = 1 WHERE a IS NULL", spec);
  ASSERT_TRUE(sql.ok()) << sql.status().message();
  EXPECT_NE(sql->find("  retort_last orders.id%TYPE;\n"), std::string::npos);
  EXPECT_NE(sql->find("ORDER BY id OFFSET 499 LIMIT 1;"), std::string::npos);
  EXPECT_NE(sql->find("UPDATE orders SET a = 1 WHERE (a IS NULL) AND id >= "
                      "retort_last AND id <= retort_upper;"),
            std::string::npos);
  EXPECT_NE(sql->find("    COMMIT;\n    PERFORM pg_sleep(0.050);\n"),
            std::string::npos)
      << *sql;
}

}  // namespace
}  // namespace retort
