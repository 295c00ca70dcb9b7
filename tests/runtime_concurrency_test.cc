// Many runs of `upgrade head` at once on one database: the advisory lock
// (PostgreSQL) and BEGIN IMMEDIATE (SQLite) must let each revision be
// applied exactly once, and every run must succeed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "pg_harness.h"
#include "runtime_util.h"

namespace retort {
namespace {

using testing::ChainId;
using testing::MigrationProject;
using testing::Rows;
using testing::Scalar;
using testing::VersionRows;

using Strings = std::vector<std::string>;

// Runs `upgrade head` from `runners` threads, each with its own connection;
// returns the failures' messages.
Strings RunConcurrently(const MigrationProject& p, const std::string& url,
                        int runners, double* wall_ms, int* steps = nullptr) {
  std::vector<std::string> errors(runners);
  std::atomic<int> total_steps{0};
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runners; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < runners) std::this_thread::yield();
      RunTarget target;
      target.url = url;
      RunSettings settings;
      settings.lock_poll_ms = 10;
      auto r = p.Upgrade(target, "head", settings);
      if (!r.ok()) errors[i] = r.status().ToString();
      if (r.ok()) total_steps.fetch_add(static_cast<int>(r->steps.size()));
    });
  }
  for (std::thread& t : threads) t.join();
  *wall_ms = std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - start)
                 .count();
  if (steps) *steps = total_steps.load();
  Strings failures;
  for (const std::string& e : errors) {
    if (!e.empty()) failures.push_back(e);
  }
  return failures;
}

void ExpectEachRevisionOnce(const std::string& url, int revisions) {
  EXPECT_EQ(VersionRows(url), Strings{ChainId(revisions - 1)});
  Strings expected;
  for (int i = 0; i < revisions; ++i) expected.push_back(ChainId(i) + "|1");
  EXPECT_EQ(Rows(url,
                 "SELECT revision, count(*) FROM alembic_version_history "
                 "WHERE direction = 'upgrade' GROUP BY revision ORDER BY "
                 "revision"),
            expected);
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history"),
            std::to_string(revisions));
}

TEST(RuntimeConcurrency, SixteenPostgresRunsApplyEachRevisionOnce) {
  MigrationProject p;
  p.AddChain(20);
  ASSERT_TRUE(p.Load());
  std::string url = testing::FreshDatabaseUrl();
  double wall_ms = 0;
  int steps = 0;
  Strings failures = RunConcurrently(p, url, 16, &wall_ms, &steps);
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
  EXPECT_EQ(steps, 20);  // reported by the runs themselves, too
  ExpectEachRevisionOnce(url, 20);
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM pg_locks WHERE locktype = "
                   "'advisory'"),
            "0");
  std::printf(
      "[ RuntimeConcurrency ] 16 PostgreSQL runs x 20 revisions: "
      "%.0f ms wall\n",
      wall_ms);
}

TEST(RuntimeConcurrency, EightSqliteRunsApplyEachRevisionOnce) {
  MigrationProject p;
  p.AddChain(20, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  std::string url = testing::SqliteUrl(p.dir(), "c.db");
  double wall_ms = 0;
  int steps = 0;
  Strings failures = RunConcurrently(p, url, 8, &wall_ms, &steps);
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
  EXPECT_EQ(steps, 20);
  ExpectEachRevisionOnce(url, 20);
  std::printf(
      "[ RuntimeConcurrency ] 8 SQLite runs x 20 revisions: "
      "%.0f ms wall\n",
      wall_ms);
}

// While one run holds the lock and builds an index CONCURRENTLY, the others
// poll from outside any transaction, so the index build (which waits for
// every older transaction) is not blocked by them: no deadlock.
TEST(RuntimeConcurrency, WaitersDoNotBlockCreateIndexConcurrently) {
  MigrationProject p;
  p.AddChain(2);
  p.Add(testing::Rev("000000000003", ChainId(1),
                     "SELECT pg_sleep(0.3);\n"
                     "CREATE INDEX CONCURRENTLY t_1_name ON t_1 (name);",
                     "DROP INDEX CONCURRENTLY t_1_name;"));
  p.Add(testing::Rev("000000000004", "000000000003",
                     "CREATE TABLE t_3 (id int);", "DROP TABLE t_3;"));
  ASSERT_TRUE(p.Load());
  std::string url = testing::FreshDatabaseUrl();
  double wall_ms = 0;
  int steps = 0;
  Strings failures = RunConcurrently(p, url, 6, &wall_ms, &steps);
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
  EXPECT_EQ(steps, 4);
  EXPECT_EQ(VersionRows(url), Strings{"000000000004"});
  EXPECT_EQ(Scalar(url,
                   "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                   "'t_1_name'::regclass"),
            "t");
  EXPECT_LT(wall_ms, 20000);
}

}  // namespace
}  // namespace retort
