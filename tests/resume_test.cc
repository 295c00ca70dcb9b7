// Resumable non-transactional revisions against the harness's PostgreSQL:
// kill -9 of retort while CREATE INDEX CONCURRENTLY waits (the INVALID index
// it leaves is dropped and rebuilt; a build that finished on the server is
// taken as done), a CIC cancelled with pg_cancel_backend, a "-- retort:
// step" file interrupted between steps, a failing statement's report, and
// an in-flight statement the catalog cannot settle.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    // lock_timeout off: these tests hold locks on purpose.
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\nlock_timeout = \"0\"\n");
    p_.WriteFile("migrations/script.sql.tmpl", "");
    WriteRevision(p_, "aaaaaaaaaaa1", "", "", "",
                  "CREATE TABLE t (id int, a int);\n"
                  "CREATE TABLE u (id int, a int);\n"
                  "INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;",
                  "DROP TABLE t; DROP TABLE u;");
    ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  }

  // A transaction holding a lock on u, so that a statement on u waits.
  void Block(const std::string& sql) {
    blocker_ = Open(url_);
    ASSERT_TRUE(blocker_);
    ASSERT_TRUE(blocker_->Begin().ok());
    ASSERT_TRUE(blocker_->Execute(sql).ok());
  }

  // The pid of the backend running a statement starting with `prefix` and
  // waiting on a lock; "" after 20 s.
  std::string WaitingBackend(const std::string& prefix) {
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string pid = Scalar(
          url_,
          "SELECT COALESCE(min(pid)::text, '') FROM pg_stat_activity WHERE "
          "query LIKE '" + prefix + "%' AND wait_event_type = 'Lock'");
      if (!pid.empty()) return pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no backend waiting on " << prefix;
    return "";
  }

  // Waits (up to 20 s) until backend `pid` is gone.
  void WaitGone(const std::string& pid) {
    for (int i = 0; i < 400; ++i) {
      if (Scalar(url_, "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                           pid) == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "backend " << pid << " did not end";
  }

  void Kill9(int pid) {
    ::kill(pid, SIGKILL);
    CliResult r = p_.Wait(pid, 1);
    (void)r;
  }

  std::string IndexValid(const std::string& name) {
    return Scalar(url_,
                  "SELECT COALESCE((SELECT indisvalid::text FROM pg_index "
                  "WHERE indexrelid = to_regclass('" + name + "')), 'none')");
  }

  void WriteCic() {
    WriteRevision(p_, "bbbbbbbbbbb2", "aaaaaaaaaaa1", "", "",
                  "CREATE INDEX CONCURRENTLY ix3 ON t (id);\n"
                  "CREATE INDEX CONCURRENTLY ix4 ON u (a);\n"
                  "CREATE INDEX CONCURRENTLY ix5 ON t (id, a);",
                  "DROP INDEX ix3; DROP INDEX ix4; DROP INDEX ix5;");
  }

  std::string url_;
  TempProject p_;
  std::unique_ptr<Connection> blocker_;
};

TEST_F(ResumeTest, KillDuringCicLeavesInvalidIndexRerunRebuildsIt) {
  WriteCic();
  Block("INSERT INTO u VALUES (0, 0)");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend = WaitingBackend("CREATE INDEX CONCURRENTLY ix4");
  ASSERT_FALSE(backend.empty());
  Kill9(pid);
  // The server side dies too (a lost connection), leaving ix4 INVALID.
  Scalar(url_, "SELECT pg_terminate_backend(" + backend + ")");
  WaitGone(backend);
  ASSERT_TRUE(blocker_->Rollback().ok());
  EXPECT_EQ(IndexValid("ix3"), "true");
  EXPECT_EQ(IndexValid("ix4"), "false");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"aaaaaaaaaaa1"}));
  CliResult r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resuming upgrade bbbbbbbbbbb2: statements 1-1 of 3 "
                       "ran in an earlier run; continuing with statement 2 "
                       "(line 11)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("upgrade bbbbbbbbbbb2: statement 2 of 3 (line 11) was "
                       "running when an earlier run stopped; index ix4 on "
                       "\"u\" was left INVALID by the interrupted build; "
                       "dropping it concurrently and building it again"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(IndexValid("ix4"), "true");
  EXPECT_EQ(IndexValid("ix5"), "true");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"bbbbbbbbbbb2"}));
  EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM alembic_version_history WHERE "
                         "revision = 'bbbbbbbbbbb2' AND progress IS NULL"),
            "1");
}

TEST_F(ResumeTest, KillAfterServerFinishedCicCountsAsDone) {
  WriteCic();
  Block("INSERT INTO u VALUES (0, 0)");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend = WaitingBackend("CREATE INDEX CONCURRENTLY ix4");
  ASSERT_FALSE(backend.empty());
  Kill9(pid);
  // The backend does not notice its client is gone and finishes the build.
  ASSERT_TRUE(blocker_->Rollback().ok());
  WaitGone(backend);
  EXPECT_EQ(IndexValid("ix4"), "true");
  CliResult r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("statement 2 of 3 (line 11) was running when an "
                       "earlier run stopped; index ix4 on \"u\" exists and is "
                       "valid: the CREATE INDEX finished; not running it "
                       "again"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(IndexValid("ix5"), "true");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"bbbbbbbbbbb2"}));
}

TEST_F(ResumeTest, CancelledCicReportsProgressAndRerunRebuilds) {
  WriteCic();
  Block("INSERT INTO u VALUES (0, 0)");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend = WaitingBackend("CREATE INDEX CONCURRENTLY ix4");
  ASSERT_FALSE(backend.empty());
  Scalar(url_, "SELECT pg_cancel_backend(" + backend + ")");
  CliResult r = p_.Wait(pid, 1);
  ASSERT_TRUE(blocker_->Rollback().ok());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bbbbbbbbbbb2.sql:11: upgrade bbbbbbbbbbb2 failed: "
                       "ERROR 57014: canceling statement due to user "
                       "request"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Statement 1 of 3 of upgrade bbbbbbbbbbb2 ran and "
                       "stays committed. Fix the cause and rerun: the run "
                       "continues with statement 2 (line 11), settling what "
                       "this one left."),
            std::string::npos)
      << r.err;
  EXPECT_EQ(IndexValid("ix4"), "false");
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("statement 2 of 3 (line 11) was failing when an "
                       "earlier run stopped; index ix4 on \"u\" was left "
                       "INVALID"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(IndexValid("ix4"), "true");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"bbbbbbbbbbb2"}));
}

TEST_F(ResumeTest, StepFileInterruptedBetweenStepsResumes) {
  WriteRevision(p_, "ccccccccccc2", "aaaaaaaaaaa1", "", "",
                "CREATE TABLE a (id int);\n"
                "-- retort: step\n"
                "INSERT INTO u VALUES (1, 1);\n"
                "INSERT INTO u VALUES (2, 2);\n"
                "-- retort: step transactional=false\n"
                "CREATE INDEX CONCURRENTLY a_id ON a (id);",
                "DROP TABLE a;");
  Block("LOCK TABLE u IN ACCESS EXCLUSIVE MODE");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend = WaitingBackend("INSERT INTO u VALUES (1, 1)");
  ASSERT_FALSE(backend.empty());
  Kill9(pid);
  Scalar(url_, "SELECT pg_terminate_backend(" + backend + ")");
  WaitGone(backend);
  ASSERT_TRUE(blocker_->Rollback().ok());
  // The first step committed on its own; the second rolled back.
  EXPECT_TRUE(TableExists(url_, "a"));
  EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM u"), "0");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"aaaaaaaaaaa1"}));
  CliResult r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resuming upgrade ccccccccccc2: statements 1-1 of 4 "
                       "ran in an earlier run; continuing with statement 2 "
                       "(line 12)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM u"), "2");
  EXPECT_EQ(IndexValid("a_id"), "true");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"ccccccccccc2"}));
}

TEST_F(ResumeTest, TransactionalStepRefusesConcurrently) {
  WriteRevision(p_, "ddddddddddd2", "aaaaaaaaaaa1", "", "",
                "CREATE TABLE a (id int);\n"
                "-- retort: step\n"
                "CREATE INDEX CONCURRENTLY a_id ON a (id);",
                "DROP TABLE a;");
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ddddddddddd2.sql:12: CREATE INDEX CONCURRENTLY "
                       "cannot run inside a transaction, and this statement "
                       "is in a transactional step (line 11); start its step "
                       "with \"-- retort: step transactional=false\" "
                       "(nothing was run)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(TableExists(url_, "a"));
}

TEST_F(ResumeTest, FailingStatementThenFixedFileContinues) {
  p_.WriteFile("migrations/versions/eeeeeeeeeee2.sql",
               "-- fix\n--\n-- Revision ID: eeeeeeeeeee2\n"
               "-- Revises: aaaaaaaaaaa1\n-- Transactional: false\n\n"
               "-- migrate:upgrade\n"
               "CREATE TABLE c1 (id int);\n"
               "CREATE TABLE c1 (id int);\n"
               "CREATE TABLE c3 (id int);\n\n"
               "-- migrate:downgrade\nDROP TABLE c1, c2, c3;\n");
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("eeeeeeeeeee2.sql:9: upgrade eeeeeeeeeee2 failed: "
                       "ERROR 42P07: relation \"c1\" already exists\n"
                       "Statement 1 of 3 of upgrade eeeeeeeeeee2 ran and "
                       "stays committed. Fix the cause and rerun: the run "
                       "continues with statement 2 (line 9), settling what "
                       "this one left."),
            std::string::npos)
      << r.err;
  std::string text = p_.ReadFile("migrations/versions/eeeeeeeeeee2.sql");
  text.replace(text.rfind("CREATE TABLE c1"), 15, "CREATE TABLE c2");
  p_.WriteFile("migrations/versions/eeeeeeeeeee2.sql", text);
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(TableExists(url_, "c2"));
  EXPECT_TRUE(TableExists(url_, "c3"));
  // Editing a statement that ran is caught on the next resume.
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"eeeeeeeeeee2"}));
}

TEST_F(ResumeTest, InFlightStatementTheCatalogCannotSettle) {
  p_.WriteFile("migrations/versions/fffffffffff2.sql",
               "-- dml\n--\n-- Revision ID: fffffffffff2\n"
               "-- Revises: aaaaaaaaaaa1\n-- Transactional: false\n\n"
               "-- migrate:upgrade\n"
               "INSERT INTO u VALUES (7, 7);\n"
               "INSERT INTO t VALUES (8, 8);\n\n"
               "-- migrate:downgrade\n-- retort: empty\n");
  Block("LOCK TABLE u IN ACCESS EXCLUSIVE MODE");
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend = WaitingBackend("INSERT INTO u VALUES (7, 7)");
  ASSERT_FALSE(backend.empty());
  Kill9(pid);
  Scalar(url_, "SELECT pg_terminate_backend(" + backend + ")");
  WaitGone(backend);
  ASSERT_TRUE(blocker_->Rollback().ok());
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("fffffffffff2.sql:8: upgrade fffffffffff2 was "
                       "interrupted in an earlier run while statement 1 of 2 "
                       "(line 8) was running, and the catalog cannot tell "
                       "whether it finished: check whether its change is in "
                       "the database. Then rerun with --in-flight=done if it "
                       "did, or --in-flight=rerun if it did not (nothing was "
                       "run)"),
            std::string::npos)
      << r.err;
  r = p_.Run({"upgrade", "head", "--in-flight", "rerun"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM u WHERE id = 7"), "1");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"fffffffffff2"}));
}

}  // namespace
}  // namespace retort::testing
