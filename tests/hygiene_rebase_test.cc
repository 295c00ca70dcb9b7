// End-to-end tests of `retort rebase REV --onto TARGET` on SQLite (and the
// applied-revision refusal on PostgreSQL): two heads become one, and each
// refusal leaves every file byte for byte as it was.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;
using Files = std::map<std::string, std::string>;

// a -> b -> c and a -> x -> y: two heads, c and y.
void WriteGraph(const TempProject& p) {
  WriteRevision(p, "a", "", "", "", "CREATE TABLE ta (id integer);",
                "DROP TABLE ta;");
  WriteRevision(p, "b", "a", "", "", "CREATE TABLE tb (id integer);",
                "DROP TABLE tb;");
  WriteRevision(p, "c", "b", "", "", "ALTER TABLE tb ADD COLUMN x integer;",
                "ALTER TABLE tb DROP COLUMN x;");
  WriteRevision(p, "x", "a", "", "", "CREATE TABLE tx (id integer);",
                "DROP TABLE tx;");
  WriteRevision(p, "y", "x", "", "", "CREATE INDEX ix_tx ON tx (id);",
                "DROP INDEX ix_tx;");
}

Files Snapshot(const TempProject& p) {
  Files files;
  for (const std::string& name : p.List("migrations/versions")) {
    files[name] = p.ReadFile("migrations/versions/" + name);
  }
  return files;
}

class RebaseSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n");
    url_ = "sqlite:///" + p_.Path("app.db");
    WriteGraph(p_);
  }
  // Runs `args`, expecting exit 1 with `error` on stderr and no file
  // changed.
  void ExpectRefused(const Strings& args, const std::string& error) {
    const Files before = Snapshot(p_);
    CliResult r = p_.Run(args);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.err, "error: " + error + "\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Snapshot(p_), before);
  }
  std::string Path(const std::string& id) {
    return p_.Path("migrations/versions/" + id + ".sql");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(RebaseSqliteTest, TwoHeadsBecomeOne) {
  ASSERT_EQ(p_.Run({"check", "--single-head"}).exit_code, 1);
  const Files before = Snapshot(p_);
  CliResult r = p_.Run({"rebase", "x", "--onto", "c", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Would move x, y onto c: x (" + Path("x") +
                       ") would revise c (it revised a)\n"
                       "Head: y (nothing was changed)\n");
  EXPECT_EQ(Snapshot(p_), before);

  r = p_.Run({"rebase", "x", "--onto", "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Moved x, y onto c: x (" + Path("x") +
                       ") now revises c (it revised a)\nHead: y\n");
  // Only x's "Revises" changed.
  Files after = Snapshot(p_);
  Files expected = before;
  const std::string& old_x = before.at("x.sql");
  const size_t at = old_x.find("-- Revises: a\n");
  ASSERT_NE(at, std::string::npos);
  expected["x.sql"] = old_x.substr(0, at) + "-- Revises: c\n" +
                      old_x.substr(at + std::string("-- Revises: a\n").size());
  EXPECT_EQ(after, expected);

  r = p_.Run({"check", "--single-head"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "One head: y\n");
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url_), Strings{"y"});
  EXPECT_EQ(Rows(url_,
                 "SELECT name FROM sqlite_master WHERE name IN ('tb', "
                 "'tx', 'ix_tx') ORDER BY name"),
            (Strings{"ix_tx", "tb", "tx"}));

  // Again: x already revises c.
  r = p_.Run({"rebase", "x", "--onto", "c"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "x already revises c: nothing to do\n");
  EXPECT_EQ(Snapshot(p_), after);
}

TEST_F(RebaseSqliteTest, ADependencyOnTheLineIsNotedAndCannotBeTheTarget) {
  // e, after c, depends on y.
  WriteRevision(p_, "e", "c", "", "y", "CREATE TABLE te (id integer);",
                "DROP TABLE te;");
  ExpectRefused({"rebase", "x", "--onto", "e"},
                "rebase: e descends from the line being moved (x..y) through "
                "'Depends On': moving x onto it would make a cycle; give a "
                "revision that does not depend on the line");
  CliResult r = p_.Run({"rebase", "x", "--onto", "b", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["revision"], "x");
  EXPECT_EQ(j["path"], Path("x"));
  EXPECT_EQ(j["onto"], "b");
  EXPECT_EQ(j["old_revises"], nlohmann::json({"a"}));
  EXPECT_EQ(j["moved"], nlohmann::json({"x", "y"}));
  EXPECT_EQ(j["dependencies"],
            nlohmann::json::parse(R"([{"revision":"e","depends_on":"y"}])"));
  EXPECT_EQ(j["heads"], nlohmann::json({"e", "y"}));
  EXPECT_EQ(j["database_checked"], "sqlite:///app.db");
  EXPECT_EQ(j["nothing_to_do"], false);
  EXPECT_EQ(j["dry_run"], false);
  r = p_.Run({"rebase", "x", "--onto", "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Moved x, y onto c: x (" + Path("x") +
                       ") now revises c (it revised b)\nHeads: e, y\n"
                       "note: e depends on y, which moved; it is left as it "
                       "is (a dependency is not a parent)\n");
  r = p_.Run({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(RebaseSqliteTest, Refusals) {
  ExpectRefused({"rebase", "x", "--onto", "y"},
                "rebase: y is in the line being moved (x..y): moving x onto "
                "it would make a cycle; give a revision outside it, e.g. the "
                "other head");
  ExpectRefused({"rebase", "x", "--onto", "x"},
                "rebase: x is in the line being moved (x..y): moving x onto "
                "it would make a cycle; give a revision outside it, e.g. the "
                "other head");
  // A branch point in the line.
  WriteRevision(p_, "z", "x", "", "", "", "");
  ExpectRefused({"rebase", "x", "--onto", "c"},
                "rebase: revision x (" + Path("x") +
                    ") in the line of x is a branch point (revised by y, z); "
                    "rebase moves a plain line up to its head: rebase each "
                    "line after it instead");
  // A merge point in the line.
  WriteRevision(p_, "z", "c, y", "", "", "", "");
  ExpectRefused({"rebase", "x", "--onto", "b"},
                "rebase: revision z (" + Path("z") +
                    ") in the line of x is a merge point (it revises c, y); "
                    "rebase moves a plain line up to its head: merge the "
                    "heads instead ('retort merge')");
  std::filesystem::remove(Path("z"));
  // A labelled base.
  WriteRevision(p_, "l1", "", "side", "", "", "");
  ExpectRefused({"rebase", "l1", "--onto", "c"},
                "rebase: revision l1 (" + Path("l1") +
                    ") is the base of branch side, a line of its own: a "
                    "branch's base stays a base; merge the heads instead "
                    "('retort merge') if the branches must meet");
  std::filesystem::remove(Path("l1"));
  // Applied in the database: released revisions do not move.
  ASSERT_EQ(p_.Run({"upgrade", "x"}).exit_code, 0);
  ExpectRefused({"rebase", "x", "--onto", "c"},
                "rebase: revision x of the line being moved is applied in "
                "the database sqlite:///app.db (it is at x); released "
                "revisions must not move: merge the heads instead ('retort "
                "merge')");
}

TEST(RebasePgTest, AnAppliedRevisionIsRefused) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"" + url + "\"\n");
  WriteGraph(p);
  ASSERT_EQ(p.Run({"upgrade", "y"}).exit_code, 0);
  const std::string before = p.ReadFile("migrations/versions/x.sql");
  CliResult r = p.Run({"rebase", "x", "--onto", "c"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("error: rebase: revision x of the line being moved "
                        "is applied in the database ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find(" (it is at y); released revisions must not move: "
                       "merge the heads instead ('retort merge')\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(p.ReadFile("migrations/versions/x.sql"), before);
}

}  // namespace
}  // namespace retort::testing
