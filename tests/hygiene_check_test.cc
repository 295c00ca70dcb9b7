// End-to-end tests of the history checks: `check --single-head` (no
// database, no models) and `check --stairway` on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

class SingleHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    // A database that cannot be reached and models that do not exist: the
    // check must touch neither.
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"postgresql://nobody@127.0.0.1:1/none\"\n"
                 "models = [\"models/missing_*.sql\"]\n"
                 "[schemas.auth]\nbranch = \"auth\"\n");
  }
  TempProject p_;
};

TEST_F(SingleHeadTest, OneHeadPerLabelledBranchPasses) {
  WriteRevision(p_, "a1", "", "auth");
  WriteRevision(p_, "a2", "a1");
  WriteRevision(p_, "i1", "", "inventory");
  WriteRevision(p_, "i2", "i1", "", "a2");
  CliResult r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "One head per branch: a2 (auth), i2 (inventory)\n");
  EXPECT_EQ(r.err, "");
  r = p_.Run({"check", "--single-head", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(SingleHeadTest, TwoHeadsOnASchemaBranchFail) {
  WriteRevision(p_, "a1", "", "auth");
  WriteRevision(p_, "a2", "a1");
  WriteRevision(p_, "a3", "a1");
  WriteRevision(p_, "i1", "", "inventory");
  CliResult r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "branch auth ([schemas.auth]) has 2 heads: a2, a3\n");
  EXPECT_EQ(r.err,
            "error: a branch has more than one head (listed above): merge "
            "them with 'retort merge -m MESSAGE a2 a3', or make the newer "
            "revision revise the other head ('retort rebase REV --onto "
            "HEAD')\n");
  r = p_.Run({"check", "--single-head", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "{\n  \"ok\": false,\n  \"branches\": [\n    {\n      \"branch\": "
            "\"auth\",\n      \"schema\": \"auth\",\n      \"heads\": [\n"
            "        \"a2\",\n        \"a3\"\n      ]\n    },\n    {\n"
            "      \"branch\": \"inventory\",\n      \"schema\": \"\",\n"
            "      \"heads\": [\n        \"i1\"\n      ]\n    }\n  ]\n}\n");
  // A merge makes it pass.
  WriteRevision(p_, "am", "a2, a3");
  r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "One head per branch: am (auth), i1 (inventory)\n");
}

TEST_F(SingleHeadTest, GraphWithoutLabelsIsOneBranch) {
  WriteRevision(p_, "b1", "");
  WriteRevision(p_, "b2", "b1");
  CliResult r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "One head: b2\n");
  WriteRevision(p_, "b3", "b1");
  r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "the revision graph has 2 heads: b2, b3\n");
}

TEST_F(SingleHeadTest, ModelFlagsAreRefused) {
  CliResult r = p_.Run({"check", "--single-head", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --single-head checks the history, not the models: "
            "--from, --online and --dev do not apply (see 'retort --help')\n");
  r = p_.Run({"check", "--single-head", "--stairway"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --single-head and --stairway are separate checks (see "
            "'retort --help')\n");
}

// The revisions every stairway test starts from: three tables, one per
// revision; `bad_downgrade` makes the second one's downgrade forget its
// index.
void WriteStairwayRevisions(const TempProject& p, bool bad_downgrade) {
  WriteRevision(p, "s1", "", "", "", "CREATE TABLE t1 (id integer);",
                "DROP TABLE t1;");
  WriteRevision(p, "s2", "s1", "", "",
                "CREATE TABLE t2 (id integer);\n"
                "CREATE INDEX ix_t2 ON t2 (id);\n"
                "CREATE TABLE t2b (id integer);",
                bad_downgrade ? "DROP INDEX ix_t2;\nDROP TABLE t2b;"
                              : "DROP TABLE t2b;\nDROP TABLE t2;");
  WriteRevision(p, "s3", "s2", "", "", "ALTER TABLE t1 ADD COLUMN x integer;",
                "ALTER TABLE t1 DROP COLUMN x;");
}

class StairwaySqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n");
  }
  TempProject p_;
};

TEST_F(StairwaySqliteTest, CleanHistoryPasses) {
  WriteStairwayRevisions(p_, /*bad_downgrade=*/false);
  CliResult r = p_.Run({"check", "--stairway"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "stairway: 3 revisions upgraded, downgraded and upgraded again in "
            "a temporary SQLite database file: each downgrade undoes its "
            "upgrade\n");
  // The project's database is never created.
  EXPECT_FALSE(std::filesystem::exists(p_.Path("app.db")));
}

TEST_F(StairwaySqliteTest, DowngradeThatLeavesATableFails) {
  WriteStairwayRevisions(p_, /*bad_downgrade=*/true);
  CliResult r = p_.Run({"check", "--stairway"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string file = p_.Path("migrations/versions/s2.sql");
  EXPECT_EQ(r.out,
            "stairway: revision s2 (" + file +
                "): the downgrade does not undo the upgrade\n"
                "  extra: table main.t2 is left behind by the downgrade\n"
                "      DROP TABLE t2;\n"
                "stairway: 2 revisions upgraded, downgraded and upgraded "
                "again in a temporary SQLite database file: 1 failure\n");
  EXPECT_EQ(r.err, "error: the downgrade of revision s2 (" + file +
                       ") does not undo its upgrade: make its '-- "
                       "migrate:downgrade' section undo what '-- "
                       "migrate:upgrade' does (the SQL under each difference "
                       "above restores the state before the upgrade)\n");
  // A range that leaves s2 out is clean.
  r = p_.Run({"check", "--stairway", "s3:s3"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("stairway: 1 revision upgraded"), std::string::npos)
      << r.out;
}

class StairwayPgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n");
  }
  int ScratchDatabases() {
    return std::stoi(Scalar(url_,
                            "SELECT count(*) FROM pg_database WHERE datname "
                            "LIKE 'retort_scratch_%'"));
  }
  std::string url_;
  TempProject p_;
};

TEST_F(StairwayPgTest, CleanThenBrokenDowngrade) {
  WriteStairwayRevisions(p_, /*bad_downgrade=*/false);
  const int scratch_before = ScratchDatabases();
  CliResult r = p_.Run({"check", "--stairway"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("stairway: 3 revisions upgraded, downgraded and "
                       "upgraded again in the server of "),
            std::string::npos)
      << r.out;

  WriteStairwayRevisions(p_, /*bad_downgrade=*/true);
  r = p_.Run({"check", "--stairway", "--all", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"revision\": \"s2\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"message\": \"table public.t2 is left behind by the "
                       "downgrade\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"checked\": [\n    \"s1\",\n    \"s2\",\n    "
                       "\"s3\"\n  ]"),
            std::string::npos)
      << r.out;
  // The project's database was never touched, and no scratch database is
  // left behind.
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_class WHERE relnamespace = "
                   "'public'::regnamespace"),
            "0");
  EXPECT_EQ(ScratchDatabases(), scratch_before);
}

TEST_F(StairwayPgTest, BranchesAndMergeEachCheckedAlone) {
  // s1 -> b1, s1 -> b2, merge m: b2's line starts over, so b1's tables do
  // not count against it.
  WriteRevision(p_, "s1", "", "", "", "CREATE TABLE t1 (id integer);",
                "DROP TABLE t1;");
  WriteRevision(p_, "b1", "s1", "", "", "CREATE TABLE tb1 (id integer);",
                "DROP TABLE tb1;");
  WriteRevision(p_, "b2", "s1", "", "", "CREATE TABLE tb2 (id integer);",
                "DROP TABLE tb2;");
  WriteRevision(p_, "m", "b1, b2", "", "", "CREATE VIEW v AS SELECT 1 AS x;",
                "-- retort: empty");
  CliResult r = p_.Run({"check", "--stairway"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("stairway: revision m ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  extra: view public.v is left behind by the "
                       "downgrade\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("stairway: 4 revisions upgraded"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace retort::testing
