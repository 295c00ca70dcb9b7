// End-to-end tests of `retort squash` on SQLite and PostgreSQL projects
// with merges and branch labels outside the range, and each refusal.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"
#include "script/checksum.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;

// a -> b -> c -> d, a -> s1 (label side), m merges d and s1.
void WriteGraph(const TempProject& p) {
  WriteRevision(p, "a", "", "", "", "CREATE TABLE ta (id integer);",
                "DROP TABLE ta;");
  WriteRevision(p, "b", "a", "", "", "CREATE TABLE tb (id integer);",
                "DROP TABLE tb;");
  WriteRevision(p, "c", "b", "", "", "ALTER TABLE tb ADD COLUMN x integer;",
                "ALTER TABLE tb DROP COLUMN x;");
  WriteRevision(p, "d", "c", "", "", "CREATE INDEX ix_tb ON tb (x);",
                "DROP INDEX ix_tb;");
  WriteRevision(p, "s1", "a", "side", "", "CREATE TABLE ts (id integer);",
                "DROP TABLE ts;");
  WriteRevision(p, "m", "d, s1", "", "", "-- retort: empty",
                "-- retort: empty");
}

class SquashSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n");
    url_ = "sqlite:///" + p_.Path("app.db");
    WriteGraph(p_);
  }
  std::string url_;
  TempProject p_;
};

TEST_F(SquashSqliteTest, SquashesALineBetweenAMergeAndALabel) {
  CliResult r = p_.Run({"squash", "b:d", "-m", "tb", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-- Revision ID: d\n-- Revises: a\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(p_.List("migrations/versions"),
            (Strings{"a.sql", "b.sql", "c.sql", "d.sql", "m.sql", "s1.sql"}));

  r = p_.Run({"squash", "b:d", "-m", "tb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_.List("migrations/versions"),
            (Strings{"a.sql", "d_tb.sql", "m.sql", "s1.sql"}));
  const std::string text = p_.ReadFile("migrations/versions/d_tb.sql");
  EXPECT_NE(text.find("-- migrate:upgrade\n-- b: rev b\nCREATE TABLE tb "
                      "(id integer);\n\n-- c: rev c\nALTER TABLE tb ADD "
                      "COLUMN x integer;\n\n-- d: rev d\nCREATE INDEX ix_tb "
                      "ON tb (x);\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("-- migrate:downgrade\n-- d: rev d\nDROP INDEX ix_tb;"
                      "\n\n-- c: rev c\nALTER TABLE tb DROP COLUMN x;\n\n-- "
                      "b: rev b\nDROP TABLE tb;\n"),
            std::string::npos)
      << text;
  // The new history runs, up and down.
  r = p_.Run({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url_), Strings{"m"});
  EXPECT_EQ(Rows(url_, "SELECT name FROM sqlite_master WHERE name = 'ix_tb'"),
            Strings{"ix_tb"});
  ASSERT_EQ(p_.Run({"downgrade", "a"}).exit_code, 0);
  EXPECT_EQ(Rows(url_,
                 "SELECT count(*) FROM sqlite_master WHERE name IN "
                 "('tb', 'ts')"),
            Strings{"0"});
}

TEST_F(SquashSqliteTest, Refusals) {
  // A revision outside the range depending on one inside other than END.
  WriteRevision(p_, "s1", "a", "side", "c", "CREATE TABLE ts (id integer);",
                "DROP TABLE ts;");
  CliResult r = p_.Run({"squash", "b:d", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: squash: revision s1 (" +
                       p_.Path("migrations/versions/s1.sql") +
                       ") depends on c, which the squash removes; make it "
                       "depend on d first, or squash a range that ends at c\n");
  WriteRevision(p_, "s1", "a", "side", "", "CREATE TABLE ts (id integer);",
                "DROP TABLE ts;");
  r = p_.Run({"squash", "a:d", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: squash: revision a (" +
                       p_.Path("migrations/versions/a.sql") +
                       ") in the range is a branch point (revised by b, s1); "
                       "squash a range that ends before it\n");
  r = p_.Run({"squash", "d:m", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: squash: revision m (" +
                       p_.Path("migrations/versions/m.sql") +
                       ") in the range is a merge point (it revises d, s1); "
                       "squash the lines before it separately\n");
  // A database inside the range.
  ASSERT_EQ(p_.Run({"upgrade", "c"}).exit_code, 0);
  r = p_.Run({"squash", "b:d", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: squash: the database sqlite:///app.db"
            " is at revision c, inside b:d; upgrade it to d first, "
            "or squash a range it is not inside\n");
  // Nothing changed on disk.
  EXPECT_EQ(p_.List("migrations/versions"),
            (Strings{"a.sql", "b.sql", "c.sql", "d.sql", "m.sql", "s1.sql"}));
  // At END it is fine.
  ASSERT_EQ(p_.Run({"upgrade", "d"}).exit_code, 0);
}

// A database at END ran the old files: the squashed file's Squashes header
// lists their checksums, so upgrade and verify accept it, while an edit of
// the squashed file is still caught.
TEST_F(SquashSqliteTest, ADatabaseAtEndStaysValid) {
  ASSERT_EQ(p_.Run({"upgrade", "d"}).exit_code, 0);
  std::map<std::string, std::string> sums;
  for (const std::string id : {"b", "c", "d"}) {
    sums[id] = TextChecksum(p_.ReadFile("migrations/versions/" + id + ".sql"));
  }
  CliResult r = p_.Run({"squash", "b:d", "-m", "x"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = p_.Path("migrations/versions/d_x.sql");
  const std::string text = p_.ReadFile("migrations/versions/d_x.sql");
  EXPECT_NE(text.find("-- Squashes: b " + sums["b"] + ", c " + sums["c"] +
                      ", d " + sums["d"] +
                      "\n-- Squash Checksum: " + SquashChecksum(text) + "\n"),
            std::string::npos)
      << text;
  auto squashed = [&](const std::string& id, const std::string& how) {
    return "squashed: " + id + " ran before `retort squash` " + how + "; " +
           path + " lists the checksum recorded then (" +
           sums[id].substr(0, 12) + "...) in its Squashes header\n";
  };
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, squashed("d", "replaced its file") +
                       squashed("b", "folded it into d") +
                       squashed("c", "folded it into d") +
                       "alembic_version: 2 of 2 applied revisions match "
                       "their files\n");
  r = p_.Run({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url_), Strings{"m"});

  // An edit of the squashed file after the squash is caught.
  p_.WriteFile("migrations/versions/d_x.sql",
               text + "-- an edit after the squash\n");
  const std::string now = TextChecksum(text + "-- an edit after the squash\n");
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string after =
      "was edited after `retort squash` wrote the file (its Squash Checksum "
      "no longer matches, file now " +
      now.substr(0, 12) +
      "...); restore the file as squash wrote it and put the change in a "
      "new revision\n";
  EXPECT_EQ(r.out, "edited: " + path +
                       ": d was edited after `retort squash` wrote it (its "
                       "Squash Checksum no longer matches, file now " +
                       now.substr(0, 12) +
                       "...); restore the file as squash wrote it and put "
                       "the change in a new revision\n"
                       "edited: " +
                       path + ": b (squashed into d) " + after +
                       "edited: " + path + ": c (squashed into d) " + after +
                       "alembic_version: 3 of 4 applied revisions match "
                       "their files\n");
  WriteRevision(p_, "n", "m", "", "", "CREATE TABLE tn (id integer);",
                "DROP TABLE tn;");
  r = p_.Run({"upgrade", "heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path + ": applied revision d was edited after it was "
                              "applied (and 2 more"),
            std::string::npos)
      << r.err;

  // As squash wrote it, the combined downgrade takes the database below
  // START.
  p_.WriteFile("migrations/versions/d_x.sql", text);
  ASSERT_EQ(p_.Run({"verify"}).exit_code, 0);
  r = p_.Run({"downgrade", "a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url_), Strings{"a"});
  EXPECT_EQ(Rows(url_,
                 "SELECT count(*) FROM sqlite_master WHERE name IN "
                 "('tb', 'ts', 'ix_tb')"),
            Strings{"0"});
  r = p_.Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "alembic_version: 1 of 1 applied revision matches its "
            "file\n");
}

TEST(SquashPgTest, VerifiedOnPostgresAndNoScratchLeft) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"" + url + "\"\n");
  WriteGraph(p);
  // A revision that is not transactional keeps its own step.
  p.WriteFile("migrations/versions/c.sql",
              "-- rev c\n--\n-- Revision ID: c\n-- Revises: b\n-- Branch "
              "Labels:\n-- Depends On:\n-- Transactional: false\n\n"
              "-- migrate:upgrade\nALTER TABLE tb ADD COLUMN x integer;\n"
              "CREATE INDEX CONCURRENTLY ix_c ON tb (id);\n\n"
              "-- migrate:downgrade\nDROP INDEX CONCURRENTLY ix_c;\n"
              "ALTER TABLE tb DROP COLUMN x;\n");
  auto scratch = [&] {
    return Scalar(url,
                  "SELECT count(*) FROM pg_database WHERE datname LIKE "
                  "'retort_scratch_%'");
  };
  const std::string before = scratch();
  CliResult r = p.Run({"squash", "b:d", "-m", "tb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = p.ReadFile("migrations/versions/d_tb.sql");
  EXPECT_NE(text.find("-- c: rev c\n-- retort: step transactional=false\n"
                      "ALTER TABLE tb ADD COLUMN x integer;\n"
                      "CREATE INDEX CONCURRENTLY ix_c ON tb (id);"),
            std::string::npos)
      << text;
  EXPECT_EQ(scratch(), before);
  r = p.Run({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                   "('ix_c', 'ix_tb')"),
            "2");
}

}  // namespace
}  // namespace retort::testing
