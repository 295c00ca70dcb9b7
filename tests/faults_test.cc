// "Never block production": what retort does when it is interrupted, when a
// migration statement waits for a lock someone else holds, when another run
// holds the migration lock, and when statement_timeout fires -- against the
// harness's PostgreSQL, through the binary where exit codes and signals
// matter and through Run() where timing does.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime/version_table.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Polls `done` every 20 ms for up to `seconds`.
bool WaitFor(const std::function<bool()>& done, double seconds) {
  auto start = Clock::now();
  while (SecondsSince(start) < seconds) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Collects a process started with TempProject::Spawn, killing it after
// `seconds` (a hung retort fails the test instead of hanging the suite).
CliResult WaitBounded(const TempProject& p, int pid, int index,
                      double seconds) {
  CliResult r;
  int status = 0;
  auto start = Clock::now();
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (SecondsSince(start) > seconds) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "retort did not exit within " << seconds << " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = p.ReadFile(".stdout" + std::to_string(index));
  r.err = p.ReadFile(".stderr" + std::to_string(index));
  return r;
}

// A session of the test's own, with a name in pg_stat_activity.
std::unique_ptr<Connection> Session(const std::string& url,
                                    const std::string& application) {
  auto db = Open(url);
  if (db) {
    EXPECT_TRUE(
        db->Execute("SET application_name = '" + application + "'").ok());
  }
  return db;
}

// Backends of `url`'s database whose application_name is `app` (and,
// with `waiting_on_lock`, that wait for a heavyweight lock).
int Backends(const std::string& url, const std::string& app,
             bool waiting_on_lock = false) {
  std::string sql =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = "
      "current_database() AND application_name = '" +
      app + "' AND pid <> pg_backend_pid()";
  if (waiting_on_lock) sql += " AND wait_event_type = 'Lock'";
  return std::stoi(Scalar(url, sql));
}

class FaultsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    p_.WriteFile("migrations/script.sql.tmpl", "");
    Config("");
    auto db = Open(url_);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Execute("CREATE TABLE t (id int)").ok());
  }

  void Config(const std::string& extra) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n" + extra);
  }

  // Holds ACCESS SHARE on t in an open transaction (a long report, say).
  std::unique_ptr<Connection> HoldAccessShare() {
    auto blocker = Session(url_, "faults-blocker");
    EXPECT_TRUE(blocker->Execute("BEGIN").ok());
    EXPECT_TRUE(blocker->Execute("LOCK TABLE t IN ACCESS SHARE MODE").ok());
    return blocker;
  }

  std::string url_;
  TempProject p_;
};

// Ctrl-C while the ALTER waits for its lock: the statement is cancelled
// on the server (not left queued there, blocking readers), the run rolls
// back, retort says what it interrupted and exits 130, and no session of
// retort's is left.
TEST_F(FaultsCli, SigintCancelsTheBlockedStatementAndRollsBack) {
  Config("lock_timeout = \"0\"\n");
  WriteRevision(p_, "000000000001", "", "", "",
                "CREATE TABLE a (id int);\nALTER TABLE t ADD COLUMN c int;",
                "DROP TABLE a;");
  auto blocker = HoldAccessShare();
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  ASSERT_TRUE(WaitFor([&] { return Backends(url_, "retort", true) == 1; }, 10))
      << "retort never waited for the lock";
  auto sent = Clock::now();
  kill(pid, SIGINT);
  CliResult r = WaitBounded(p_, pid, 1, 10);
  EXPECT_LT(SecondsSince(sent), 5);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("error: interrupted by SIGINT: cancelled " + p_.dir() +
                       "/migrations/versions/000000000001.sql:11: upgrade "
                       "000000000001 (ALTER TABLE t ADD COLUMN c int); the "
                       "transaction was rolled back, nothing of this run was "
                       "committed\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("retort: SIGINT received: cancelling the statement in "
                       "flight and rolling back"),
            std::string::npos)
      << r.err;
  // Nothing of the revision, no version table (it was created in the same
  // transaction), and no backend of retort's left -- the blocker still
  // holds its lock, so a queued ALTER would still be visible.
  EXPECT_FALSE(TableExists(url_, "a"));
  EXPECT_FALSE(TableExists(url_, "alembic_version"));
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM information_schema.columns WHERE "
                   "table_name = 't' AND column_name = 'c'"),
            "0");
  EXPECT_TRUE(WaitFor([&] { return Backends(url_, "retort") == 0; }, 5))
      << Backends(url_, "retort") << " retort sessions left";
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_locks WHERE locktype = "
                   "'advisory'"),
            "0");
  EXPECT_TRUE(blocker->Execute("COMMIT").ok());
}

// SIGTERM (a deploy system stopping the job) mid-statement, with an
// earlier revision already applied: exit 143, that one stays.
TEST_F(FaultsCli, SigtermCancelsARunningStatement) {
  WriteRevision(p_, "000000000001", "", "", "", "CREATE TABLE a (id int);",
                "DROP TABLE a;");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  WriteRevision(p_, "000000000002", "000000000001", "", "",
                "CREATE TABLE b (id int);\nSELECT pg_sleep(60);",
                "DROP TABLE b;");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar(url_,
                      "SELECT count(*) FROM pg_stat_activity WHERE "
                      "application_name = 'retort' AND query LIKE "
                      "'SELECT pg_sleep%' AND state = 'active'") == "1";
      },
      10));
  kill(pid, SIGTERM);
  CliResult r = WaitBounded(p_, pid, 1, 10);
  EXPECT_EQ(r.exit_code, 143) << r.err;
  EXPECT_NE(r.err.find("error: interrupted by SIGTERM: cancelled " + p_.dir() +
                       "/migrations/versions/000000000002.sql:11: upgrade "
                       "000000000002 (SELECT pg_sleep(60)); the transaction "
                       "was rolled back, nothing of this run was committed\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(VersionRows(url_), Strings{"000000000001"});
  EXPECT_FALSE(TableExists(url_, "b"));
  EXPECT_TRUE(TableExists(url_, "a"));
  EXPECT_TRUE(WaitFor([&] { return Backends(url_, "retort") == 0; }, 5));
}

// A second Ctrl-C exits at once, without waiting for the cancel and the
// rollback. Here the statement swallows the cancel (a function that
// catches query_canceled), so only the second signal can end retort.
TEST_F(FaultsCli, SecondSigintExitsAtOnce) {
  WriteRevision(p_, "000000000001", "", "", "",
                "CREATE TABLE a (id int);\n"
                "DO $$ BEGIN LOOP BEGIN PERFORM pg_sleep(0.05); EXCEPTION "
                "WHEN query_canceled THEN NULL; END; END LOOP; END $$;",
                "DROP TABLE a;");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar(url_,
                      "SELECT count(*) FROM pg_stat_activity WHERE "
                      "application_name = 'retort' AND query LIKE 'DO %' "
                      "AND state = 'active'") == "1";
      },
      10));
  kill(pid, SIGINT);
  ASSERT_TRUE(WaitFor(
      [&] {
        return p_.ReadFile(".stderr1").find("SIGINT received") !=
               std::string::npos;
      },
      5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0) << "the first SIGINT ended it";
  kill(pid, SIGINT);
  CliResult r = WaitBounded(p_, pid, 1, 10);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("retort: second interrupt, exiting now"),
            std::string::npos)
      << r.err;
  // The server notices the client is gone only when the loop sends
  // something; end it, as a DBA would, and see nothing was committed.
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(pg_terminate_backend(pid)) FROM "
                   "pg_stat_activity WHERE application_name = 'retort' AND "
                   "pid <> pg_backend_pid()"),
            "1");
  EXPECT_TRUE(WaitFor([&] { return Backends(url_, "retort") == 0; }, 10));
  EXPECT_FALSE(TableExists(url_, "a"));
  EXPECT_FALSE(TableExists(url_, "alembic_version"));
}

// Ctrl-C while waiting for the migration lock another run holds.
TEST_F(FaultsCli, SigintWhileWaitingForTheMigrationLock) {
  WriteRevision(p_, "000000000001", "", "", "", "CREATE TABLE a (id int);",
                "DROP TABLE a;");
  auto holder = Session(url_, "faults-holder");
  std::string db_name = Scalar(url_, "SELECT current_database()");
  int64_t key = MigrationLockKey(db_name, "", "alembic_version");
  ASSERT_TRUE(
      holder->Execute("SELECT pg_advisory_lock(" + std::to_string(key) + ")")
          .ok());
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        return p_.ReadFile(".stderr1").find("waiting for the migration lock") !=
               std::string::npos;
      },
      10));
  kill(pid, SIGINT);
  CliResult r = WaitBounded(p_, pid, 1, 10);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("error: interrupted by SIGINT while waiting for the "
                       "migration lock on " +
                       db_name + "/alembic_version; nothing was run\n"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(TableExists(url_, "a"));
}

// Ctrl-C during a tenant fan-out: every unit's statement in flight is
// cancelled and rolled back, units not started are not started, retort
// exits 130 with the summary, and no session of retort's is left.
TEST_F(FaultsCli, SigintCancelsEveryUnitOfATenantFanout) {
  Config(
      "[tenants]\nschemas = [\"t1\", \"t2\", \"t3\", \"t4\", "
      "\"t5\", \"t6\"]\njobs = 2\n");
  WriteRevision(p_, "000000000001", "", "", "",
                "CREATE TABLE ${schema}.x (id int);\nSELECT pg_sleep(60);",
                "DROP TABLE ${schema}.x;");
  int pid = p_.Spawn({"upgrade", "head", "--tenants"}, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar(url_,
                      "SELECT count(*) FROM pg_stat_activity WHERE "
                      "query LIKE 'SELECT pg_sleep%' AND state = "
                      "'active' AND pid <> pg_backend_pid()") == "2";
      },
      20))
      << "two units never ran their sleep";
  auto sent = Clock::now();
  kill(pid, SIGINT);
  CliResult r = WaitBounded(p_, pid, 1, 20);
  EXPECT_LT(SecondsSince(sent), 10);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_NE(r.err.find("error: interrupted by SIGINT: units that had not "
                       "finished were rolled back or not started (see "
                       "above)"),
            std::string::npos)
      << r.err;
  // No tenant has the table or a version row: each unit's transaction was
  // rolled back, or never began.
  EXPECT_EQ(
      Scalar(url_, "SELECT count(*) FROM pg_tables WHERE tablename = 'x'"),
      "0");
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                   "'SELECT pg_sleep%' AND pid <> pg_backend_pid()"),
            "0");
  EXPECT_TRUE(WaitFor(
      [&] {
        return Scalar(url_,
                      "SELECT count(*) FROM pg_stat_activity WHERE "
                      "datname = current_database() AND pid <> "
                      "pg_backend_pid() AND backend_type = 'client "
                      "backend'") == "0";
      },
      5))
      << "sessions of retort left";
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_locks WHERE locktype = "
                   "'advisory'"),
            "0");
}

// Ctrl-C on SQLite: sqlite3_interrupt stops the statement in flight, the
// transaction is rolled back, the version table is as it was.
TEST(FaultsSqlite, SigintInterruptsTheStatementAndRollsBack) {
  TempProject p;
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"sqlite:///app.db\"\n");
  p.WriteFile("migrations/script.sql.tmpl", "");
  WriteRevision(p, "000000000001", "", "", "", "CREATE TABLE a (id int);",
                "DROP TABLE a;");
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  // A statement that runs for minutes: a billion-row recursive count.
  WriteRevision(p, "000000000002", "000000000001", "", "",
                "CREATE TABLE b (id int);\n"
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
                "c WHERE n < 1000000000) SELECT count(*) FROM c;",
                "DROP TABLE b;");
  int pid = p.Spawn({"upgrade", "head"}, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        return p.ReadFile(".stderr1")
                   .find(
                       "Running upgrade 000000000001 -> "
                       "000000000002") != std::string::npos;
      },
      10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto sent = Clock::now();
  kill(pid, SIGINT);
  CliResult r = WaitBounded(p, pid, 1, 10);
  EXPECT_LT(SecondsSince(sent), 5);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("error: interrupted by SIGINT: cancelled " + p.dir() +
                       "/migrations/versions/000000000002.sql:11: upgrade "
                       "000000000002 (WITH RECURSIVE c(n) AS"),
            std::string::npos)
      << r.err;
  const std::string url = SqliteUrl(p.dir(), "app.db");
  EXPECT_EQ(VersionRows(url), Strings{"000000000001"});
  EXPECT_FALSE(TableExists(url, "b"));
  EXPECT_TRUE(TableExists(url, "a"));
  // The database is not left locked: the next run goes through.
  WriteRevision(p, "000000000002", "000000000001", "", "",
                "CREATE TABLE b (id int);", "DROP TABLE b;");
  EXPECT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_TRUE(TableExists(url, "b"));
}

// With no lock_timeout in retort.toml, migration statements run with 5s.
TEST_F(FaultsCli, LockTimeoutDefaultsToFiveSeconds) {
  WriteRevision(p_, "000000000001", "", "", "",
                "CREATE TABLE seen AS SELECT current_setting('lock_timeout') "
                "AS v;",
                "DROP TABLE seen;");
  CliResult r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT v FROM seen"), "5s");
}

TEST_F(FaultsCli, BadDurationsAreRefused) {
  Config("lock_timeout = \"5 seconds\"\n");
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: retort.toml:3: 'lock_timeout': '5 seconds' is not a "
            "duration: write a number with a unit (us, ms, s, min, h, d), "
            "e.g. \"5s\" or \"500ms\"; \"0\" turns it off\n");
  Config("lock_retries = -1\n");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: retort.toml:3: 'lock_retries' is -1; use 0 (fail at "
            "the first lock timeout) to 100\n");
  Config("");
  p_.WriteFile("migrations/versions/000000000001.sql",
               "-- rev\n--\n-- Revision ID: 000000000001\n-- Revises:\n"
               "-- Lock Timeout: soon\n\n-- migrate:upgrade\nSELECT 1;\n\n"
               "-- migrate:downgrade\nSELECT 1;\n");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("migrations/versions/000000000001.sql:5: invalid "
                       "\"Lock Timeout\" value \"soon\"; write a duration "
                       "such as \"2s\" or \"500ms\" (units us, ms, s, min, h, "
                       "d), or \"0\" for no lock timeout"),
            std::string::npos)
      << r.err;
}

// migration_lock_timeout: another run holds the migration lock (here the
// test, in its place); with a timeout set, retort gives up naming it.
// lock_timeout does not apply to this wait.
TEST_F(FaultsCli, MigrationLockTimeoutNamesTheHolder) {
  Config("lock_timeout = \"50ms\"\nmigration_lock_timeout = \"700ms\"\n");
  WriteRevision(p_, "000000000001", "", "", "", "CREATE TABLE a (id int);",
                "DROP TABLE a;");
  auto holder = Session(url_, "faults-holder");
  std::string db_name = Scalar(url_, "SELECT current_database()");
  int64_t key = MigrationLockKey(db_name, "", "alembic_version");
  ASSERT_TRUE(
      holder->Execute("SELECT pg_advisory_lock(" + std::to_string(key) + ")")
          .ok());
  std::string holder_pid = Scalar(url_,
                                  "SELECT pid FROM pg_stat_activity WHERE "
                                  "application_name = 'faults-holder'");
  auto start = Clock::now();
  CliResult r = p_.Run({"upgrade", "head"});
  double took = SecondsSince(start);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_GE(took, 0.7);
  EXPECT_LT(took, 5);
  std::regex expected(
      "error: timed out after 700 ms waiting for the migration lock on " +
      db_name + "/alembic_version \\(key " + std::to_string(key) +
      "\\), held by pid " + holder_pid +
      " \\(application_name 'faults-holder', user postgres, client "
      "127\\.0\\.0\\.1, connected since [^,]+, idle since [^,]+, query: "
      "SELECT pg_advisory_lock\\(" +
      std::to_string(key) + "\\)\\)\n");
  EXPECT_TRUE(std::regex_search(r.err, expected)) << r.err;
  EXPECT_FALSE(TableExists(url_, "a"));
}

// ---- Run() level: lock_timeout, retries, statement_timeout ----

class FaultsRun : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    auto db = Open(url_);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Execute("CREATE TABLE t (id int)").ok());
  }

  RunSettings Fast(int retries) {
    RunSettings s = CollectingSettings(&log_, LogLevel::kInfo);
    s.lock_timeout = "200ms";
    s.lock_retries = retries;
    s.lock_retry_base_ms = 50;
    s.lock_retry_max_ms = 200;
    return s;
  }

  std::unique_ptr<Connection> HoldAccessShare() {
    auto blocker = Session(url_, "faults-blocker");
    EXPECT_TRUE(blocker->Execute("BEGIN").ok());
    EXPECT_TRUE(blocker->Execute("LOCK TABLE t IN ACCESS SHARE MODE").ok());
    return blocker;
  }

  std::string Logged(const std::string& needle) const {
    for (const std::string& line : log_) {
      if (line.find(needle) != std::string::npos) return line;
    }
    return "";
  }
  int CountLogged(const std::string& needle) const {
    int n = 0;
    for (const std::string& line : log_) {
      if (line.find(needle) != std::string::npos) ++n;
    }
    return n;
  }

  std::string url_;
  MigrationProject p_;
  std::vector<std::string> log_;
};

// The blocker commits while retort backs off: a retry succeeds, and the
// log said who blocked.
TEST_F(FaultsRun, RetriesThenSucceedsWhenTheBlockerGoesAway) {
  p_.Add(Rev("000000000001", "", "CREATE TABLE a (id int);", "DROP TABLE a;"));
  p_.Add(Rev("000000000002", "000000000001", "ALTER TABLE t ADD COLUMN c int;",
             "ALTER TABLE t DROP c;"));
  ASSERT_TRUE(p_.Load());
  auto blocker = HoldAccessShare();
  std::string blocker_pid =
      Scalar(url_,
             "SELECT pid FROM pg_stat_activity WHERE application_name = "
             "'faults-blocker'");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_TRUE(blocker->Execute("COMMIT").ok());
  });
  RunSettings s = Fast(20);
  auto r = p_.Upgrade(Target(url_), "head", s);
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(VersionRows(url_), Strings{"000000000002"});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM alembic_version_history WHERE "
                   "direction = 'upgrade'"),
            "2");
  std::string line = Logged("retrying (1 of 20)");
  EXPECT_NE(line.find("W: " + p_.PathOf("000000000002") +
                      ":10: upgrade 000000000002: lock_timeout (200ms) "
                      "expired: blocked by pid " +
                      blocker_pid +
                      " (application 'faults-blocker', user postgres, idle "
                      "in transaction, transaction open for "),
            std::string::npos)
      << ::testing::PrintToString(log_);
  EXPECT_NE(line.find("last query: LOCK TABLE t IN ACCESS SHARE MODE); the "
                      "transaction was rolled back, nothing of this run was "
                      "committed; retrying (1 of 20) in "),
            std::string::npos)
      << line;
}

// The blocker stays: after lock_retries the run fails naming the
// revision, the file:line, the statement and the blocker, and nothing of
// the run is applied.
TEST_F(FaultsRun, FailsAfterTheRetriesWithTheBlocker) {
  p_.Add(Rev("000000000001", "", "CREATE TABLE a (id int);", "DROP TABLE a;"));
  p_.Add(Rev("000000000002", "000000000001", "ALTER TABLE t ADD COLUMN c int;",
             "ALTER TABLE t DROP c;"));
  ASSERT_TRUE(p_.Load());
  auto blocker = HoldAccessShare();
  std::string blocker_pid =
      Scalar(url_,
             "SELECT pid FROM pg_stat_activity WHERE application_name = "
             "'faults-blocker'");
  auto start = Clock::now();
  auto r = p_.Upgrade(Target(url_), "head", Fast(2));
  EXPECT_LT(SecondsSince(start), 5);
  ASSERT_FALSE(r.ok());
  std::regex expected(
      std::regex_replace(p_.PathOf("000000000002"),
                         std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
      ":10: upgrade 000000000002 failed: could not get a lock within "
      "lock_timeout 200ms in 3 attempts \\(ALTER TABLE t ADD COLUMN c int\\); "
      "blocked by pid " +
      blocker_pid +
      " \\(application 'faults-blocker', user postgres, idle in "
      "transaction, transaction open for [0-9]+ s, last query: LOCK TABLE t "
      "IN ACCESS SHARE MODE\\); the transaction was rolled back, nothing of "
      "this run was committed; end or wait for the blocking session, or "
      "raise lock_timeout / lock_retries in retort.toml \\(or \"Lock "
      "Timeout:\" in the revision\\)");
  EXPECT_TRUE(std::regex_match(r.status().message(), expected))
      << r.status().message();
  EXPECT_EQ(CountLogged("retrying ("), 2) << ::testing::PrintToString(log_);
  EXPECT_FALSE(TableExists(url_, "a"));
  EXPECT_FALSE(TableExists(url_, "alembic_version"));
  EXPECT_TRUE(blocker->Execute("COMMIT").ok());
}

// transaction_per_migration: the revisions before the blocked one stay
// committed, and only the blocked one is retried.
TEST_F(FaultsRun, PerMigrationRetriesTheRevision) {
  p_.Add(Rev("000000000001", "", "CREATE TABLE a (id int);", "DROP TABLE a;"));
  p_.Add(Rev("000000000002", "000000000001", "ALTER TABLE t ADD COLUMN c int;",
             "ALTER TABLE t DROP c;"));
  ASSERT_TRUE(p_.Load());
  auto blocker = HoldAccessShare();
  RunSettings s = Fast(1);
  s.transaction_per_migration = true;
  auto r = p_.Upgrade(Target(url_), "head", s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                "; the transaction was rolled back; 1 step committed before "
                "it stays applied (000000000001; the version table holds "
                "000000000001); end or wait"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(VersionRows(url_), Strings{"000000000001"});
  EXPECT_EQ(CountLogged("Running upgrade  -> 000000000001"), 1);
  EXPECT_EQ(CountLogged("Running upgrade 000000000001 -> 000000000002"), 2);
  EXPECT_TRUE(blocker->Execute("COMMIT").ok());
  // The rerun finishes.
  auto again = p_.Upgrade(Target(url_), "head", s);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(VersionRows(url_), Strings{"000000000002"});
}

// "Lock Timeout:" in a revision overrides the configured lock_timeout for
// its statements (and only for them).
TEST_F(FaultsRun, HeaderOverridesLockTimeout) {
  p_.Add(Rev("000000000001", "",
             "ALTER TABLE t ADD COLUMN c int;\n"
             "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS "
             "v;",
             "ALTER TABLE t DROP c;")
             .Header("-- Lock Timeout: 150ms\n"));
  p_.Add(Rev("000000000002", "000000000001",
             "CREATE TABLE seen2 AS SELECT current_setting('lock_timeout') "
             "AS v;",
             "DROP TABLE seen2;"));
  ASSERT_TRUE(p_.Load());
  RunSettings s = Fast(0);
  s.lock_timeout = "30s";
  {
    auto blocker = HoldAccessShare();
    auto start = Clock::now();
    auto r = p_.Upgrade(Target(url_), "head", s);
    EXPECT_LT(SecondsSince(start), 5);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(
                  "upgrade 000000000001 failed: could not get a lock within "
                  "lock_timeout 150ms in 1 attempt (ALTER TABLE t ADD COLUMN "
                  "c int); blocked by pid "),
              std::string::npos)
        << r.status().message();
    EXPECT_TRUE(blocker->Execute("COMMIT").ok());
  }
  auto r = p_.Upgrade(Target(url_), "head", s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Scalar(url_, "SELECT v FROM seen"), "150ms");
  EXPECT_EQ(Scalar(url_, "SELECT v FROM seen2"), "30s");
}

// lock_timeout = "0": the statement waits as long as it takes.
TEST_F(FaultsRun, ZeroTurnsLockTimeoutOff) {
  p_.Add(Rev("000000000001", "", "ALTER TABLE t ADD COLUMN c int;",
             "ALTER TABLE t DROP c;"));
  ASSERT_TRUE(p_.Load());
  auto blocker = HoldAccessShare();
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_TRUE(blocker->Execute("COMMIT").ok());
  });
  RunSettings s = Fast(0);
  s.lock_timeout = "0";
  auto start = Clock::now();
  auto r = p_.Upgrade(Target(url_), "head", s);
  double took = SecondsSince(start);
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(took, 0.7);
  EXPECT_EQ(CountLogged("lock_timeout"), 0);
}

// Outside a transaction (CREATE INDEX CONCURRENTLY's revisions), the
// statement that hit the timeout is retried alone.
TEST_F(FaultsRun, NonTransactionalRetriesTheStatement) {
  p_.Add(Rev("000000000001", "",
             "CREATE TABLE a (id int);\nALTER TABLE t ADD COLUMN c int;",
             "ALTER TABLE t DROP c;\nDROP TABLE a;")
             .Header("-- Transactional: false\n"));
  ASSERT_TRUE(p_.Load());
  auto blocker = HoldAccessShare();
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_TRUE(blocker->Execute("COMMIT").ok());
  });
  auto r = p_.Upgrade(Target(url_), "head", Fast(20));
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(Logged("it runs outside a transaction: the statements before it "
                   "stay applied; retrying the statement (1 of 20) in "),
            "")
      << ::testing::PrintToString(log_);
  EXPECT_EQ(VersionRows(url_), Strings{"000000000001"});
}

// statement_timeout names the statement and its file:line.
TEST_F(FaultsRun, StatementTimeoutNamesTheStatement) {
  p_.Add(Rev("000000000001", "",
             "CREATE TABLE a (id int);\nSELECT pg_sleep(5), 'a long "
             "statement that goes on and on and on';",
             "DROP TABLE a;"));
  ASSERT_TRUE(p_.Load());
  RunSettings s = Fast(0);
  s.statement_timeout = "200ms";
  auto r = p_.Upgrade(Target(url_), "head", s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            p_.PathOf("000000000001") +
                ":11: upgrade 000000000001 failed: ERROR 57014: canceling "
                "statement due to statement timeout\n"
                "STATEMENT: SELECT pg_sleep(5), 'a long statement that goes "
                "on and on an...\n"
                "HINT: statement_timeout is 200ms (retort.toml); raise it for "
                "this revision's work, or split the work into smaller "
                "statements");
  EXPECT_FALSE(TableExists(url_, "a"));
}

// The migration lock is a different wait: by default it lasts as long as
// the holder, saying who holds it every lock_report_ms.
TEST_F(FaultsRun, MigrationLockWaitsAndSaysWhoHoldsIt) {
  p_.Add(Rev("000000000001", "", "CREATE TABLE a (id int);", "DROP TABLE a;"));
  ASSERT_TRUE(p_.Load());
  auto holder = Session(url_, "faults-holder");
  std::string db_name = Scalar(url_, "SELECT current_database()");
  int64_t key = MigrationLockKey(db_name, "", "alembic_version");
  ASSERT_TRUE(
      holder->Execute("SELECT pg_advisory_lock(" + std::to_string(key) + ")")
          .ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    EXPECT_TRUE(
        holder
            ->Execute("SELECT pg_advisory_unlock(" + std::to_string(key) + ")")
            .ok());
  });
  RunSettings s = Fast(0);
  s.lock_timeout = "50ms";  // does not apply to this wait
  s.lock_poll_ms = 20;
  s.lock_report_ms = 300;
  auto r = p_.Upgrade(Target(url_), "head", s);
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(CountLogged("W: waiting for the migration lock on " + db_name +
                        "/alembic_version (key " + std::to_string(key) +
                        "), held by pid "),
            2)
      << ::testing::PrintToString(log_);
  EXPECT_NE(Logged("application_name 'faults-holder'"), "");
  EXPECT_TRUE(TableExists(url_, "a"));
}

}  // namespace
}  // namespace retort::testing
