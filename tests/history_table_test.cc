// retort's own tables carry a layout version: a history table written by an
// older retort (table version 1, no meta table) is upgraded in place by the
// next run, and one newer than this retort knows is refused before anything
// is written. PostgreSQL and SQLite.
#include <gtest/gtest.h>

#include "pg_harness.h"
#include "runtime/version_table.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

// The history table as retort wrote it before table versions existed.
void CreateVersionOneTables(const std::string& url, Dialect dialect) {
  VersionTableSql sql(dialect, "alembic_version", "");
  auto db = Open(url);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Execute(sql.CreateVersionTable()).ok());
  ASSERT_TRUE(db->Execute(sql.CreateHistoryTable()).ok());
  ASSERT_TRUE(db->Execute("INSERT INTO alembic_version VALUES "
                          "('000000000001')")
                  .ok());
  std::string now = dialect == Dialect::kPostgres ? "now()" : "'2020-01-01'";
  ASSERT_TRUE(db->Execute("INSERT INTO alembic_version_history (revision, "
                          "direction, checksum, started_at, finished_at, "
                          "duration_ms, applied_by, tool_version) VALUES "
                          "('000000000001', 'upgrade', NULL, " +
                          now + ", " + now + ", 1, 'old@host', '0.0.1')")
                  .ok());
}

void ExpectUpgradedInPlace(MigrationProject& p, const std::string& url,
                           Dialect dialect) {
  CreateVersionOneTables(url, dialect);
  p.AddChain(2, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  // The first revision is applied already (t_0 made by hand, as the
  // version row says).
  ASSERT_TRUE(Open(url)->Execute("CREATE TABLE t_0 (id integer)").ok());
  std::vector<std::string> logs;
  RunSettings settings;
  settings.log = [&logs](LogLevel, std::string_view line) {
    logs.emplace_back(line);
  };
  auto r = p.Upgrade(Target(url), "head", settings);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(VersionRows(url), (std::vector<std::string>{ChainId(1)}));
  EXPECT_EQ(Scalar(url, "SELECT value FROM alembic_version_retort WHERE "
                        "name = 'history_version'"),
            "2");
  // The old row is kept, the new one has the new columns.
  EXPECT_EQ(Rows(url,
                 "SELECT revision || ' ' || applied_by || ' ' || "
                 "COALESCE(progress, '-') FROM alembic_version_history "
                 "ORDER BY id")
                .size(),
            2u);
  EXPECT_EQ(Scalar(url, "SELECT applied_by FROM alembic_version_history "
                        "ORDER BY id LIMIT 1"),
            "old@host");
  bool said = false;
  for (const std::string& line : logs) {
    said = said || line ==
                       "upgraded retort's history table "
                       "alembic_version_history in place from table "
                       "version 1 to 2";
  }
  EXPECT_TRUE(said);
  // A second run finds version 2 and says nothing about it.
  logs.clear();
  ASSERT_TRUE(p.Downgrade(Target(url), "-1", settings).ok());
  for (const std::string& line : logs) {
    EXPECT_EQ(line.find("upgraded retort's history"), std::string::npos);
  }
}

void ExpectNewerRefused(MigrationProject& p, const std::string& url) {
  p.AddChain(2, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  ASSERT_TRUE(p.Upgrade(Target(url), "+1").ok());
  ASSERT_TRUE(Open(url)
                  ->Execute("UPDATE alembic_version_retort SET value = '3' "
                            "WHERE name = 'history_version'")
                  .ok());
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "alembic_version_history has table version 3 (in "
            "alembic_version_retort), newer than this retort knows (2): a "
            "newer retort wrote it; run migrations on this database with "
            "that retort or a later one (nothing was changed)");
  // Nothing ran: still at the first revision, one history row.
  EXPECT_EQ(VersionRows(url), (std::vector<std::string>{ChainId(0)}));
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history"), "1");
  EXPECT_FALSE(TableExists(url, "t_1"));
}

TEST(HistoryTable, PostgresVersionOneUpgradedInPlace) {
  std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  MigrationProject p;
  ExpectUpgradedInPlace(p, url, Dialect::kPostgres);
}

TEST(HistoryTable, SqliteVersionOneUpgradedInPlace) {
  MigrationProject p;
  ExpectUpgradedInPlace(p, SqliteUrl(p.dir(), "v1.db"), Dialect::kSqlite);
}

TEST(HistoryTable, PostgresNewerVersionRefused) {
  std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  MigrationProject p;
  ExpectNewerRefused(p, url);
}

TEST(HistoryTable, SqliteNewerVersionRefused) {
  MigrationProject p;
  ExpectNewerRefused(p, SqliteUrl(p.dir(), "newer.db"));
}

}  // namespace
}  // namespace retort::testing
