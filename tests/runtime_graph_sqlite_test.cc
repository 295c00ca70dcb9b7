// A revision graph whose parents and dependencies imply one another, run
// by the real runtime on a SQLite file: the merge m revises a2 and s1 and
// depends on the label auth, which names a1, a2's parent. Alembic 1.8.1
// stops `upgrade heads` at m with KeyError 'a1'; retort applies it and keeps
// one version row per unimplied head (src/revision/plan_graph_test.cc has
// the graph-level tests).
#include <gtest/gtest.h>

#include "runtime_util.h"

namespace retort {
namespace {

using testing::MigrationProject;
using testing::Rows;
using testing::SqliteUrl;
using testing::TableExists;
using testing::Target;
using testing::VersionRows;

using Strings = std::vector<std::string>;

constexpr char kA1[] = "a1a100000001";
constexpr char kA2[] = "a2a200000002";
constexpr char kS1[] = "5151000000s1";
constexpr char kM[] = "eeee0000000m";

TEST(RuntimeGraphSqlite, MergeDependingOnAncestorOfParent) {
  MigrationProject p;
  p.Add(
      testing::Rev(kA1, "", "CREATE TABLE users (id int);", "DROP TABLE users;")
          .Labels("auth"));
  p.Add(testing::Rev(kA2, kA1, "CREATE TABLE sessions (id int);",
                     "DROP TABLE sessions;"));
  p.Add(
      testing::Rev(kS1, "", "CREATE TABLE items (id int);", "DROP TABLE items;")
          .Labels("shop"));
  testing::RevisionSpec merge =
      testing::Rev(kM, std::string(kA2) + ", " + kS1,
                   "CREATE TABLE orders (id int);", "DROP TABLE orders;");
  merge.depends_on = "auth";
  p.Add(merge);
  ASSERT_TRUE(p.Load());
  const std::string url = SqliteUrl(p.dir(), "graph.db");
  RunTarget t = Target(url);

  auto up = p.Upgrade(t, "heads");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{kM});
  for (const char* table : {"users", "sessions", "items", "orders"}) {
    EXPECT_TRUE(TableExists(url, table)) << table;
  }
  const std::string history =
      "SELECT revision, direction FROM alembic_version_history ORDER BY id";
  EXPECT_EQ(
      Rows(url, history),
      (Strings{std::string(kA1) + "|upgrade", std::string(kS1) + "|upgrade",
               std::string(kA2) + "|upgrade", std::string(kM) + "|upgrade"}));

  // Undoing the merge restores a2 and s1, not a1 (a2 implies it).
  auto down = p.Downgrade(t, kA2);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(VersionRows(url), (Strings{kS1, kA2}));
  EXPECT_FALSE(TableExists(url, "orders"));

  up = p.Upgrade(t, "heads");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{kM});

  down = p.Downgrade(t, "base");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{});
  for (const char* table : {"users", "sessions", "items", "orders"}) {
    EXPECT_FALSE(TableExists(url, table)) << table;
  }
  EXPECT_EQ(Rows(url,
                 "SELECT revision FROM alembic_version_history WHERE "
                 "direction = 'downgrade' ORDER BY id"),
            (Strings{kM, kM, kA2, kS1, kA1}));
}

}  // namespace
}  // namespace retort
