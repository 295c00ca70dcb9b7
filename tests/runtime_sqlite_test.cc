// Run / ReadCurrentHeads on real SQLite files: target forms, branches and
// merges, stamp, foreign keys, failing statements, and runs that never
// create a database they only read.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime_util.h"
#include "script/script_directory.h"

namespace retort {
namespace {

using testing::ChainId;
using testing::MigrationProject;
using testing::Rows;
using testing::Scalar;
using testing::SqliteUrl;
using testing::TableExists;
using testing::VersionRows;

using Strings = std::vector<std::string>;

using testing::Target;

TEST(RuntimeSqlite, UpgradeDowngradeAndTargetForms) {
  MigrationProject p;
  p.AddChain(4, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "app.db");
  RunTarget t = Target(url);
  auto r = p.Upgrade(t, "head");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{ChainId(3)});
  EXPECT_TRUE(TableExists(url, "t_3"));
  auto sha = FileSha256Hex(p.PathOf(ChainId(0)));
  ASSERT_TRUE(sha.ok());
  auto history = Rows(url,
                      "SELECT revision, direction, checksum, started_at <= "
                      "finished_at FROM alembic_version_history ORDER BY id");
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0], ChainId(0) + "|upgrade|" + *sha + "|1");

  struct Case {
    bool up;
    std::string target;
    Strings rows;
  };
  std::vector<Case> cases = {
      {false, "-1", {ChainId(2)}},    {false, "-2", {ChainId(0)}},
      {true, "+1", {ChainId(1)}},     {false, "base", {}},
      {true, "heads", {ChainId(3)}},  {false, ChainId(1), {ChainId(1)}},
      {true, "head-1", {ChainId(2)}}, {true, "head", {ChainId(3)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE((c.up ? "upgrade " : "downgrade ") + c.target);
    auto step = c.up ? p.Upgrade(t, c.target) : p.Downgrade(t, c.target);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    EXPECT_EQ(VersionRows(url), c.rows);
  }
  auto heads = ReadCurrentHeads(t, {});
  ASSERT_TRUE(heads.ok());
  EXPECT_EQ(*heads, Strings{ChainId(3)});
}

TEST(RuntimeSqlite, BranchesMergesLabelsAndStamp) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE a (id int);",
                     "DROP TABLE a;"));
  p.Add(testing::Rev("bbbb00000001", "aaaa00000001",
                     "CREATE TABLE b1 (id int);", "DROP TABLE b1;")
            .Labels("x"));
  p.Add(testing::Rev("bbbb00000002", "aaaa00000001",
                     "CREATE TABLE b2 (id int);", "DROP TABLE b2;")
            .Labels("y"));
  p.Add(testing::Rev("cccc00000001", "bbbb00000001, bbbb00000002",
                     "CREATE TABLE m (id int);", "DROP TABLE m;"));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "b.db");
  RunTarget t = Target(url);
  // Labels propagate to descendants: x@head is the merge, so name the
  // branch revisions themselves.
  ASSERT_TRUE(p.Upgrade(t, "bbbb00000001").ok());
  EXPECT_EQ(VersionRows(url), Strings{"bbbb00000001"});
  ASSERT_TRUE(p.Upgrade(t, "y@bbbb00000002").ok());
  EXPECT_EQ(VersionRows(url), (Strings{"bbbb00000001", "bbbb00000002"}));
  ASSERT_TRUE(p.Upgrade(t, "heads").ok());
  EXPECT_EQ(VersionRows(url), Strings{"cccc00000001"});
  ASSERT_TRUE(p.Downgrade(t, "bbbb00000002").ok());
  EXPECT_EQ(VersionRows(url), (Strings{"bbbb00000001", "bbbb00000002"}));
  ASSERT_TRUE(p.Run(t, RunRequest::Command::kStamp, {"heads"}).ok());
  EXPECT_EQ(VersionRows(url), Strings{"cccc00000001"});
  EXPECT_FALSE(TableExists(url, "m"));
  ASSERT_TRUE(p.Run(t, RunRequest::Command::kStamp, {"bbbb00000002"}, {},
                    /*purge=*/true)
                  .ok());
  EXPECT_EQ(VersionRows(url), Strings{"bbbb00000002"});
  EXPECT_EQ(Rows(url,
                 "SELECT revision, direction, checksum IS NULL FROM "
                 "alembic_version_history WHERE direction = 'stamp' ORDER BY "
                 "id"),
            (Strings{"cccc00000001|stamp|1", "bbbb00000002|stamp|1"}));
}

TEST(RuntimeSqlite, FailingStatementRollsBackAndNamesTheLine) {
  MigrationProject p;
  p.AddChain(1, true);
  p.Add(testing::Rev("000000000002", ChainId(0),
                     "CREATE TABLE fine (id int);\n"
                     "INSERT INTO fine\n  SELECT id FROM users;",
                     ""));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "f.db");
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            // SQLite gives no position for this error: the line is the
            // statement's first.
            p.PathOf("000000000002") +
                ":11: upgrade 000000000002 failed: ERROR SQLITE_ERROR: no such "
                "table: users");
  // Nothing of the run is left, the version table included.
  EXPECT_FALSE(TableExists(url, "alembic_version"));
  EXPECT_FALSE(TableExists(url, "t_0"));
  EXPECT_FALSE(TableExists(url, "fine"));
}

TEST(RuntimeSqlite, ForeignKeysAreEnforced) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "",
                     "CREATE TABLE parent (id integer PRIMARY KEY);\n"
                     "CREATE TABLE child (p integer REFERENCES parent (id));\n"
                     "INSERT INTO child VALUES (42);",
                     ""));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "fk.db");
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":12: upgrade aaaa00000001 failed: "
                                      "ERROR SQLITE_CONSTRAINT_FOREIGNKEY"),
            std::string::npos)
      << r.status().message();
}

// The table rebuild autogenerate writes for a table other tables reference:
// with enforcement on, DROP TABLE parent would delete every child row (ON
// DELETE CASCADE). The revision turns enforcement off, which SQLite only
// allows between transactions: it runs in a transaction of its own, and
// the next revision has enforcement on again.
TEST(RuntimeSqlite, ForeignKeysOffRevisionRunsInItsOwnTransaction) {
  MigrationProject p;
  p.Add(
      testing::Rev("aaaa00000001", "",
                   "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n"
                   "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT "
                   "REFERENCES parent (id) ON DELETE CASCADE);\n"
                   "INSERT INTO parent VALUES (1, 'a');\n"
                   "INSERT INTO child VALUES (10, 1);",
                   ""));
  p.Add(testing::Rev("aaaa00000002", "aaaa00000001",
                     "PRAGMA foreign_keys = OFF;\n"
                     "CREATE TABLE new_parent (id INTEGER PRIMARY KEY, name "
                     "TEXT NOT NULL);\n"
                     "INSERT INTO new_parent SELECT id, name FROM parent;\n"
                     "DROP TABLE parent;\n"
                     "ALTER TABLE new_parent RENAME TO parent;\n"
                     "PRAGMA foreign_key_check;",
                     ""));
  p.Add(testing::Rev("aaaa00000003", "aaaa00000002",
                     "INSERT INTO child VALUES (11, 42);", ""));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "fk_off.db");
  std::vector<std::string> log;
  auto r = p.Upgrade(Target(url), "head", testing::CollectingSettings(&log));
  // The third revision fails on its foreign key: enforcement is back on.
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(p.PathOf("aaaa00000003") +
                                      ":10: upgrade aaaa00000003 failed: ERROR "
                                      "SQLITE_CONSTRAINT_FOREIGNKEY"),
            std::string::npos)
      << r.status().message();
  // The first two were committed before it: the rebuild kept the child row.
  EXPECT_EQ(VersionRows(url), Strings{"aaaa00000002"});
  EXPECT_EQ(Rows(url, "SELECT id, p FROM child"), Strings{"10|1"});
  EXPECT_EQ(Scalar(url, "SELECT sql FROM sqlite_master WHERE name = 'parent'"),
            "CREATE TABLE \"parent\" (id INTEGER PRIMARY KEY, name TEXT NOT "
            "NULL)");
  bool said = false;
  for (const std::string& line : log) {
    said |= line.find("aaaa00000002 turns foreign keys off (line 10)") !=
            std::string::npos;
  }
  EXPECT_TRUE(said);
}

// A revision that turns enforcement off and leaves a violation behind is
// checked before it commits, even without a PRAGMA foreign_key_check of its
// own; a PRAGMA foreign_key_check that finds rows fails at its line.
TEST(RuntimeSqlite, ForeignKeyViolationsFailTheRevision) {
  struct Case {
    std::string upgrade;
    int line;
  };
  for (const Case& c : std::vector<Case>{
           {"PRAGMA foreign_keys = OFF;\nINSERT INTO child VALUES (7, 42);",
            10},
           {"PRAGMA foreign_keys = OFF;\nINSERT INTO child VALUES (7, 42);\n"
            "PRAGMA foreign_key_check(child);\nSELECT 1;",
            12},
       }) {
    SCOPED_TRACE(c.upgrade);
    MigrationProject p;
    p.Add(testing::Rev("aaaa00000001", "",
                       "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
                       "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT "
                       "REFERENCES parent (id));",
                       ""));
    p.Add(testing::Rev("aaaa00000002", "aaaa00000001", c.upgrade, ""));
    ASSERT_TRUE(p.Load());
    std::string url = SqliteUrl(p.dir(), "v.db");
    auto r = p.Upgrade(Target(url), "head");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(),
              p.PathOf("aaaa00000002") + ":" + std::to_string(c.line) +
                  ": upgrade aaaa00000002 failed: PRAGMA foreign_key_check "
                  "found 1 foreign key violation: child rowid 7 references a "
                  "missing row of parent");
    EXPECT_EQ(VersionRows(url), Strings{"aaaa00000001"});
    EXPECT_EQ(Scalar(url, "SELECT count(*) FROM child"), "0");
  }
}

TEST(RuntimeSqlite, ForeignKeyCheckFailsAnyRevision) {
  MigrationProject p;
  std::string url = SqliteUrl(p.dir(), "c.db");
  // A violation from before, written with enforcement off by someone else.
  {
    auto db = testing::Open(url);
    ASSERT_TRUE(db->Execute("PRAGMA foreign_keys = OFF;"
                            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                            "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT "
                            "REFERENCES parent (id));"
                            "INSERT INTO child VALUES (3, 9);")
                    .ok());
  }
  p.Add(testing::Rev("aaaa00000001", "",
                     "CREATE TABLE other (id INT);\nPRAGMA foreign_key_check;",
                     ""));
  ASSERT_TRUE(p.Load());
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            p.PathOf("aaaa00000001") +
                ":11: upgrade aaaa00000001 failed: PRAGMA foreign_key_check "
                "found 1 foreign key violation: child rowid 3 references a "
                "missing row of parent");
  EXPECT_FALSE(TableExists(url, "other"));
}

TEST(RuntimeSqlite, ReadCurrentHeadsCreatesNothing) {
  MigrationProject p;
  std::string path = p.dir() + "/none.db";
  auto heads = ReadCurrentHeads(Target("sqlite:///" + path), {});
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_TRUE(heads->empty());
  EXPECT_FALSE(std::filesystem::exists(path));
  // An existing database without the table: still nothing created.
  {
    auto db = testing::Open("sqlite:///" + path);
    ASSERT_TRUE(db->Execute("CREATE TABLE other (id int)").ok());
  }
  heads = ReadCurrentHeads(Target("sqlite:///" + path), {});
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_TRUE(heads->empty());
  EXPECT_FALSE(TableExists("sqlite:///" + path, "alembic_version"));
}

TEST(RuntimeSqlite, PerMigrationTransactions) {
  MigrationProject p;
  p.AddChain(2, true);
  p.Add(testing::Rev("000000000003", ChainId(1),
                     "INSERT INTO nowhere VALUES (1);", ""));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "pm.db");
  RunSettings settings;
  settings.transaction_per_migration = true;
  ASSERT_FALSE(p.Upgrade(Target(url), "head", settings).ok());
  EXPECT_EQ(VersionRows(url), Strings{ChainId(1)});
  EXPECT_TRUE(TableExists(url, "t_1"));
}

TEST(RuntimeSqlite, VacuumRunsOutsideTheTransaction) {
  MigrationProject p;
  p.AddChain(1, true);
  p.Add(testing::Rev("000000000002", ChainId(0), "VACUUM;", ""));
  p.Add(testing::Rev("000000000003", "000000000002",
                     "CREATE TABLE after_vacuum (id int);", ""));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "v.db");
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{"000000000003"});
  EXPECT_TRUE(TableExists(url, "after_vacuum"));
  // Rows of whole steps; the VACUUM revision also wrote progress rows.
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history WHERE "
                        "progress IS NULL"),
            "3");
}

// VACUUM last of all, and in per-revision transactions: its version and
// history rows are written in a short transaction after it.
TEST(RuntimeSqlite, VacuumLastIsRecorded) {
  MigrationProject p;
  p.AddChain(2, true);
  p.Add(testing::Rev("000000000003", ChainId(1), "VACUUM;", "VACUUM;"));
  ASSERT_TRUE(p.Load());
  const std::string history =
      "SELECT revision || ' ' || direction FROM alembic_version_history "
      "WHERE progress IS NULL ORDER BY id";  // whole steps (no progress rows)
  for (bool per_migration : {false, true}) {
    SCOPED_TRACE(per_migration ? "per migration" : "one transaction");
    std::string url = SqliteUrl(p.dir(), per_migration ? "vpm.db" : "vone.db");
    RunSettings settings;
    settings.transaction_per_migration = per_migration;
    auto up = p.Upgrade(Target(url), "head", settings);
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    EXPECT_EQ(VersionRows(url), Strings{"000000000003"});
    EXPECT_EQ(Rows(url, history),
              (Strings{ChainId(0) + " upgrade", ChainId(1) + " upgrade",
                       "000000000003 upgrade"}));
    auto down = p.Downgrade(Target(url), "base", settings);
    ASSERT_TRUE(down.ok()) << down.status().ToString();
    EXPECT_EQ(VersionRows(url), Strings{});
    EXPECT_FALSE(TableExists(url, "t_0"));
    EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history "
                          "WHERE progress IS NULL"),
              "6");
  }
}

// A revision that would commit the run's transaction itself is refused
// before anything runs (issue 14): "-- retort: step" commits part-way.
TEST(RuntimeSqlite, RevisionThatCommitsItselfIsRefused) {
  MigrationProject p;
  p.AddChain(1, true);
  p.Add(testing::Rev("000000000002", ChainId(0),
                     "CREATE TABLE t_2 (id int);\nCOMMIT;\n"
                     "CREATE TABLE t_2_after (id int);",
                     "DROP TABLE t_2_after;\nDROP TABLE t_2;"));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "commits.db");
  auto up = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.status().message().find("upgrade 000000000002 runs COMMIT"),
            std::string::npos)
      << up.status().ToString();
  EXPECT_FALSE(TableExists(url, "t_0"));
  EXPECT_FALSE(TableExists(url, "t_2"));
  // Rolled back whole: not even the version table was kept.
  EXPECT_FALSE(TableExists(url, "alembic_version"));
}

// A section marked "-- retort: TODO" (an imported data migration) is
// refused before anything runs, online and offline, naming file:line.
TEST(RuntimeSqlite, TodoSectionsAreRefusedBeforeAnythingRuns) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE a (id int);",
                     "DROP TABLE a;"));
  p.Add(testing::Rev("bbbb00000001", "aaaa00000001",
                     "-- retort: TODO reads rows through op.get_bind()",
                     "-- retort: empty"));
  p.Add(testing::Rev("cccc00000001", "bbbb00000001", "CREATE TABLE c (id int);",
                     "-- retort: TODO the rows of c go back by hand\n"
                     "DROP TABLE c;"));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "todo.db");
  RunTarget t = Target(url);
  auto r = p.Upgrade(t, "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            p.PathOf("bbbb00000001") +
                ":10: upgrade bbbb00000001 is not ready to run: \"-- retort: "
                "TODO reads rows through op.get_bind()\"; write the section's "
                "SQL by hand and remove the directive (nothing was run)");
  // Nothing ran: not even the revision before it.
  EXPECT_FALSE(TableExists(url, "a"));
  EXPECT_FALSE(TableExists(url, "alembic_version"));
  auto offline = p.Run(t, RunRequest::Command::kUpgrade, {"base:head"}, {},
                       false, /*offline=*/true);
  ASSERT_FALSE(offline.ok());
  EXPECT_NE(offline.status().message().find(
                ":10: upgrade bbbb00000001 is not ready to run"),
            std::string::npos)
      << offline.status().message();

  // Up to the revision before it is fine; a downgrade through an empty
  // section is fine; a TODO downgrade is refused.
  ASSERT_TRUE(p.Upgrade(t, "aaaa00000001").ok());
  auto stamped = p.Run(t, RunRequest::Command::kStamp, {"cccc00000001"});
  ASSERT_TRUE(stamped.ok()) << stamped.status().ToString();
  auto down = p.Downgrade(t, "-1");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().message(),
            p.PathOf("cccc00000001") +
                ":13: downgrade cccc00000001 is not ready to run: \"-- "
                "retort: TODO the rows of c go back by hand\"; write the "
                "section's SQL by hand and remove the directive (nothing was "
                "run)");
  EXPECT_EQ(VersionRows(url), Strings{"cccc00000001"});
  ASSERT_TRUE(p.Run(t, RunRequest::Command::kStamp, {"bbbb00000001"}).ok());
  auto through_empty = p.Downgrade(t, "aaaa00000001");
  ASSERT_TRUE(through_empty.ok()) << through_empty.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{"aaaa00000001"});
}

TEST(RuntimeSqlite, EmptyDirectiveWithStatementsIsAnError) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "",
                     "-- retort: empty\nCREATE TABLE a (id int);",
                     "DROP TABLE a;"));
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "empty.db");
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            p.PathOf("aaaa00000001") +
                ":10: the upgrade section of aaaa00000001 says \"-- retort: "
                "empty\" but has statements (line 11); remove the directive "
                "or the statements");
  EXPECT_FALSE(TableExists(url, "a"));
}

// history_table = false: only Alembic's version table, online and offline.
TEST(RuntimeSqlite, WithoutTheHistoryTable) {
  MigrationProject p;
  p.AddChain(2, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  std::string url = SqliteUrl(p.dir(), "nohistory.db");
  RunSettings settings;
  settings.history_table = false;
  auto r = p.Upgrade(Target(url), "head", settings);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{ChainId(1)});
  EXPECT_FALSE(TableExists(url, "alembic_version_history"));
  auto down = p.Downgrade(Target(url), "base", settings);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_FALSE(TableExists(url, "alembic_version_history"));
  auto offline = p.Run(Target(url), RunRequest::Command::kUpgrade,
                       {"base:head"}, settings, false, /*offline=*/true);
  ASSERT_TRUE(offline.ok()) << offline.status().ToString();
  EXPECT_EQ(offline->offline_sql.find("_history"), std::string::npos)
      << offline->offline_sql;
  auto with = p.Run(Target(url), RunRequest::Command::kUpgrade, {"base:head"},
                    {}, false, /*offline=*/true);
  ASSERT_TRUE(with.ok());
  EXPECT_NE(with->offline_sql.find("alembic_version_history"),
            std::string::npos);
}

}  // namespace
}  // namespace retort
