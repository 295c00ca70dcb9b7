// Many retort processes at once on one database, where only the migration
// lock keeps them apart: SQLite runs with transaction_per_migration (which
// let go of BEGIN IMMEDIATE between revisions), and relative targets
// (`downgrade -1`, `upgrade +1`), which every run started together must
// resolve the same way.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime/version_table.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

std::string Id(int i) {
  char id[13];
  std::snprintf(id, sizeof id, "%012x", i);
  return id;
}

// A chain of `n` revisions, each creating table t_<i> (SQLite and
// PostgreSQL alike).
void WriteChain(const TempProject& p, int n) {
  for (int i = 1; i <= n; ++i) {
    WriteRevision(p, Id(i), i == 1 ? "" : Id(i - 1), "", "",
                  "CREATE TABLE t_" + std::to_string(i) +
                      " (id integer PRIMARY KEY, name text NOT NULL);",
                  "DROP TABLE t_" + std::to_string(i) + ";");
  }
}

// Spawns `n` runs of `args`; when `until_waiting`, returns only once each
// says it waits for the migration lock (the test holds it), so that all
// of them started from the same state.
std::vector<int> SpawnAll(const TempProject& p, const Strings& args, int n,
                          bool until_waiting) {
  std::vector<int> pids;
  for (int i = 0; i < n; ++i) pids.push_back(p.Spawn(args, i + 1));
  if (!until_waiting) return pids;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    while (p.ReadFile(".stderr" + std::to_string(i + 1))
               .find("waiting for the migration lock") == std::string::npos) {
      if (Clock::now() - start > std::chrono::seconds(30)) {
        ADD_FAILURE() << "runner " << i << " never waited for the lock";
        return pids;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return pids;
}

// Collects them all (killing any still running after 60 s) and expects
// exit 0 from each.
void ExpectAllSucceed(const TempProject& p, const std::vector<int>& pids) {
  auto start = Clock::now();
  for (size_t i = 0; i < pids.size(); ++i) {
    int status = 0;
    while (waitpid(pids[i], &status, WNOHANG) == 0) {
      if (Clock::now() - start > std::chrono::seconds(60)) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], &status, 0);
        ADD_FAILURE() << "runner " << i << " hung";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "runner " << i << ": "
        << p.ReadFile(".stderr" + std::to_string(i + 1));
  }
}

class SqliteConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:///" + p_.dir() + "/c.db";
    p_.WriteFile("migrations/script.sql.tmpl", "");
  }
  void Config(const std::string& extra) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n" + extra);
  }
  std::string url_;
  TempProject p_;
};

// Eight processes with transaction_per_migration: each revision applied
// once, and none exits 1 saying the version table was "changed by another
// run" (they used to, between two revisions).
TEST_F(SqliteConcurrency, EightPerMigrationRunsAllSucceed) {
  Config("transaction_per_migration = true\n");
  WriteChain(p_, 20);
  ExpectAllSucceed(p_, SpawnAll(p_, {"upgrade", "head"}, 8, false));
  EXPECT_EQ(VersionRows(url_), Strings{Id(20)});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*), count(DISTINCT revision) FROM "
                   "alembic_version_history WHERE direction = 'upgrade'"),
            "20");
  EXPECT_EQ(Rows(url_,
                 "SELECT count(DISTINCT revision) FROM "
                 "alembic_version_history"),
            Strings{"20"});
}

// Eight `downgrade -1` started together remove one revision.
TEST_F(SqliteConcurrency, EightDowngradeMinusOneRemoveOneRevision) {
  Config("");
  WriteChain(p_, 5);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  // Hold the run lock so every process reads the version table first.
  // O_CLOEXEC: the processes spawned must not inherit (and hold) it.
  int fd = open((p_.dir() + "/c.db-retort.lock").c_str(),
                O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  std::vector<int> pids = SpawnAll(p_, {"downgrade", "-1"}, 8, true);
  close(fd);
  ExpectAllSucceed(p_, pids);
  EXPECT_EQ(VersionRows(url_), Strings{Id(4)});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM alembic_version_history WHERE "
                   "direction = 'downgrade'"),
            "1");
  EXPECT_TRUE(TableExists(url_, "t_4"));
  EXPECT_FALSE(TableExists(url_, "t_5"));
}

class PgConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\nurl = \"" + url_ + "\"\n");
    p_.WriteFile("migrations/script.sql.tmpl", "");
  }

  // The test takes the migration lock itself, so that every process
  // started reads the version table before any of them runs.
  std::unique_ptr<Connection> HoldMigrationLock() {
    auto holder = Open(url_);
    std::string key = std::to_string(MigrationLockKey(
        Scalar(url_, "SELECT current_database()"), "", "alembic_version"));
    EXPECT_TRUE(holder->Execute("SELECT pg_advisory_lock(" + key + ")").ok());
    return holder;
  }

  std::string url_;
  TempProject p_;
};

// Sixteen `downgrade -1` started together remove exactly one revision.
TEST_F(PgConcurrency, SixteenDowngradeMinusOneRemoveOneRevision) {
  WriteChain(p_, 5);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  auto holder = HoldMigrationLock();
  std::vector<int> pids = SpawnAll(p_, {"downgrade", "-1"}, 16, true);
  holder->Close();
  ExpectAllSucceed(p_, pids);
  EXPECT_EQ(VersionRows(url_), Strings{Id(4)});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM alembic_version_history WHERE "
                   "direction = 'downgrade'"),
            "1");
  EXPECT_TRUE(TableExists(url_, "t_4"));
  EXPECT_FALSE(TableExists(url_, "t_5"));
}

// And sixteen `upgrade +1` add exactly one.
TEST_F(PgConcurrency, SixteenUpgradePlusOneApplyOneRevision) {
  WriteChain(p_, 5);
  ASSERT_EQ(p_.Run({"upgrade", Id(2)}).exit_code, 0);
  auto holder = HoldMigrationLock();
  std::vector<int> pids = SpawnAll(p_, {"upgrade", "+1"}, 16, true);
  holder->Close();
  ExpectAllSucceed(p_, pids);
  EXPECT_EQ(VersionRows(url_), Strings{Id(3)});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM alembic_version_history WHERE "
                   "direction = 'upgrade'"),
            "3");
}

}  // namespace
}  // namespace retort::testing
