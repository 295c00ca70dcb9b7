// Autogenerate round trips on SQLite database files: schema A is loaded into
// a file, DiffModels compares it with model file B, and the generated
// revision is applied with retort's runtime (the same Run() that `upgrade`
// uses). Then (1) a second diff is empty and (2) the schema equals a fresh
// load of B: PRAGMA table_xinfo, foreign_key_list and index_list/xinfo of
// every table (columns sorted by name: ADD COLUMN appends) and the stored
// SQL of every index, view and trigger. The downgrade must come back to A
// the same way. Rows put into A before the upgrade must still be there.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/sqlite_autogen.h"
#include "dialect/url.h"
#include "runtime_util.h"

// A local SQLite may lack a feature; CI's (Debian 12's 3.40) has them all,
// so there a missing feature fails the test instead of skipping it.
#define SKIP_OUTSIDE_CI(why)                    \
  do {                                          \
    if (std::getenv("CI") != nullptr) {         \
      FAIL() << why << " (CI runs every test)"; \
    }                                           \
    GTEST_SKIP() << why;                        \
  } while (false)

namespace retort {
namespace {

using testing::MigrationProject;
using testing::Rows;
using testing::Target;
using Strings = std::vector<std::string>;

// Writes `sql` to <dir>/<name> and returns the path.
std::string WriteFile(const std::string& dir, const std::string& name,
                      const std::string& sql) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << sql;
  return path;
}

// A database file at `url` holding `sql`.
void Load(const std::string& url, const std::string& sql) {
  auto conn = testing::Open(url);
  ASSERT_NE(conn, nullptr);
  Status st = LoadSqliteModels(*conn, {ModelFile{"schema.sql", sql}});
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// The schema of `url` as SQLite itself reports it, in a stable order.
std::string Dump(const std::string& url) {
  std::string out;
  Strings tables = Rows(url,
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE "
                        "'alembic_version%' ORDER BY lower(name)");
  for (const std::string& t : tables) {
    std::string q = "'" + t + "'";
    out += "table " + t + "\n";
    for (const std::string& r :
         Rows(url,
              "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
              "FROM pragma_table_xinfo(" +
                  q + ") ORDER BY lower(name)")) {
      out += "  column " + r + "\n";
    }
    for (const std::string& r :
         Rows(url,
              "SELECT \"table\", \"from\", \"to\", on_update, on_delete, "
              "\"match\" FROM pragma_foreign_key_list(" +
                  q + ") ORDER BY 1, 2, 3")) {
      out += "  fk " + r + "\n";
    }
    // Automatic indexes are named after their position; compare what they
    // index instead.
    for (const std::string& r :
         Rows(url,
              "SELECT l.\"unique\", l.origin, l.partial, "
              "(SELECT group_concat(coalesce(x.name, '<expr>') || ' ' || "
              "x.\"desc\" || ' ' || x.coll, ', ') FROM "
              "pragma_index_xinfo(l.name) x WHERE x.key), "
              "CASE WHEN l.origin = 'c' THEN l.name ELSE '' END "
              "FROM pragma_index_list(" +
                  q + ") l ORDER BY 1, 2, 3, 4, 5")) {
      out += "  index " + r + "\n";
    }
  }
  for (const std::string& r :
       Rows(url,
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE "
            "type IN ('index', 'view', 'trigger') AND sql IS NOT NULL "
            "ORDER BY type, lower(name)")) {
    out += r + "\n";
  }
  return out;
}

// RoundTrip is one pair of schemas and what to check along the way.
struct RoundTrip {
  std::string a = "";
  std::string b = "";
  // Run on A before the upgrade: rows that must survive it.
  std::string seed = "";
  // A query whose rows are compared before the upgrade, after it and after
  // the downgrade.
  std::string rows_query = "";
  // The rows after the upgrade when they differ from before (a dropped
  // column, a new default).
  std::optional<Strings> rows_after_upgrade = std::nullopt;
};

// The upgrade and downgrade SQL of the round trip, for further checks.
struct RoundTripResult {
  std::string upgrade;
  std::string downgrade;
};

RoundTripResult Check(const RoundTrip& c) {
  RoundTripResult out;
  MigrationProject p;
  std::string url = testing::SqliteUrl(p.dir(), "a.db");
  std::string a_url = testing::SqliteUrl(p.dir(), "fresh_a.db");
  std::string b_url = testing::SqliteUrl(p.dir(), "fresh_b.db");
  Load(url, c.a);
  Load(a_url, c.a);
  Load(b_url, c.b);
  if (::testing::Test::HasFatalFailure()) return out;
  if (!c.seed.empty()) {
    auto conn = testing::Open(url);
    Status st = conn->Execute(c.seed);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  Strings rows_before;
  if (!c.rows_query.empty()) rows_before = Rows(url, c.rows_query);
  std::string model_a = WriteFile(p.dir(), "a.sql", c.a);
  std::string model_b = WriteFile(p.dir(), "b.sql", c.b);

  auto diff = DiffModels(url, {model_b}, {});
  EXPECT_TRUE(diff.ok()) << diff.status().ToString();
  if (!diff.ok()) return out;
  EXPECT_FALSE(diff->empty()) << "A and B should differ";
  EXPECT_FALSE(diff->cycle);
  out.upgrade = diff->upgrade_sql;
  out.downgrade = diff->downgrade_sql;
  if (getenv("RETORT_AUTOGEN_PRINT")) {  // for eyeballing the scripts
    std::printf("--- upgrade:\n%s--- downgrade:\n%s", out.upgrade.c_str(),
                out.downgrade.c_str());
  }
  p.Add(testing::Rev("aaaa00000001", "", out.upgrade, out.downgrade));
  if (!p.Load()) return out;

  auto up = p.Upgrade(Target(url), "head");
  EXPECT_TRUE(up.ok()) << up.status().ToString() << "\n--- upgrade:\n"
                       << out.upgrade;
  if (!up.ok()) return out;
  auto again = DiffModels(url, {model_b}, {});
  EXPECT_TRUE(again.ok()) << again.status().ToString();
  if (again.ok()) {
    EXPECT_TRUE(again->empty()) << "after upgrade:\n"
                                << out.upgrade << "\nstill differs by:\n"
                                << again->upgrade_sql;
  }
  EXPECT_EQ(Dump(url), Dump(b_url)) << "upgrade:\n" << out.upgrade;
  if (!c.rows_query.empty()) {
    EXPECT_EQ(Rows(url, c.rows_query),
              c.rows_after_upgrade.value_or(rows_before))
        << "upgrade:\n"
        << out.upgrade;
  }

  auto down = p.Downgrade(Target(url), "base");
  EXPECT_TRUE(down.ok()) << down.status().ToString() << "\n--- downgrade:\n"
                         << out.downgrade;
  if (!down.ok()) return out;
  auto back = DiffModels(url, {model_a}, {});
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (back.ok()) {
    EXPECT_TRUE(back->empty()) << "after downgrade:\n"
                               << out.downgrade << "\nstill differs by:\n"
                               << back->upgrade_sql;
  }
  EXPECT_EQ(Dump(url), Dump(a_url)) << "downgrade:\n" << out.downgrade;
  if (!c.rows_query.empty() && !c.rows_after_upgrade) {
    EXPECT_EQ(Rows(url, c.rows_query), rows_before) << "downgrade:\n"
                                                    << out.downgrade;
  }
  // Foreign keys are on again after the run, and nothing is violated.
  EXPECT_EQ(Rows(url, "SELECT count(*) FROM pragma_foreign_key_check"),
            Strings{"0"});
  return out;
}

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(AutogenSqlite, CreateAndDropTables) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE keep (id INTEGER PRIMARY KEY);\n"
           "CREATE TABLE old (id INTEGER PRIMARY KEY, k INT REFERENCES keep "
           "(id));\n"
           "CREATE INDEX old_k ON old (k);",
      .b = "CREATE TABLE keep (id INTEGER PRIMARY KEY);\n"
           "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);\n"
           "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT REFERENCES "
           "parent (id) ON DELETE CASCADE);\n"
           "CREATE INDEX child_p ON child (p);",
      .seed = "INSERT INTO keep VALUES (1), (2);",
      .rows_query = "SELECT id FROM keep ORDER BY id",
  });
  EXPECT_TRUE(Has(r.upgrade, "-- retort: destructive\nDROP TABLE old;"))
      << r.upgrade;
}

TEST(AutogenSqlite, AddColumnInPlace) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
      .b = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, "
           "active INT NOT NULL DEFAULT 1, note TEXT CHECK (length(note) < "
           "100));",
      .seed = "INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'b@x');",
      .rows_query = "SELECT id, email FROM users ORDER BY id",
  });
  EXPECT_TRUE(Has(
      r.upgrade, "ALTER TABLE users ADD COLUMN active INT NOT NULL DEFAULT 1;"))
      << r.upgrade;
  EXPECT_FALSE(Has(r.upgrade, "new_users")) << r.upgrade;
  EXPECT_TRUE(Has(r.downgrade, "ALTER TABLE users DROP COLUMN active;"))
      << r.downgrade;
}

TEST(AutogenSqlite, DropColumnInPlace) {
  if (sqlite3_libversion_number() < 3035000) {
    SKIP_OUTSIDE_CI("this SQLite (" << sqlite3_libversion()
                                    << ") has no DROP COLUMN (3.35+)");
  }
  RoundTripResult r = Check({
      .a = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy "
           "TEXT DEFAULT 'x');",
      .b = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
      .seed = "INSERT INTO users VALUES (1, 'a@x', 'old');",
      .rows_query = "SELECT id, email FROM users ORDER BY id",
  });
  EXPECT_TRUE(Has(r.upgrade,
                  "-- retort: destructive\nALTER TABLE users DROP COLUMN "
                  "legacy;"))
      << r.upgrade;
}

TEST(AutogenSqlite, TypeChangeRebuildsAndKeepsRows) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE items (id INTEGER PRIMARY KEY, qty TEXT, name "
           "TEXT);\n"
           "CREATE INDEX items_name ON items (name);\n"
           "CREATE TABLE log (msg TEXT);\n"
           "CREATE TRIGGER items_log AFTER INSERT ON items BEGIN INSERT INTO "
           "log VALUES (new.name); END;\n"
           "CREATE VIEW named AS SELECT name, qty FROM items;",
      .b = "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER, name "
           "TEXT);\n"
           "CREATE INDEX items_name ON items (name);\n"
           "CREATE TABLE log (msg TEXT);\n"
           "CREATE TRIGGER items_log AFTER INSERT ON items BEGIN INSERT INTO "
           "log VALUES (new.name); END;\n"
           "CREATE VIEW named AS SELECT name, qty FROM items;",
      .seed = "INSERT INTO items VALUES (1, '5', 'a'), (2, '7', 'b');",
      .rows_query = "SELECT id, qty, name FROM items ORDER BY id",
  });
  EXPECT_TRUE(Has(r.upgrade, "items is rebuilt")) << r.upgrade;
  EXPECT_TRUE(Has(r.upgrade,
                  "--   column qty changes: qty TEXT -> qty "
                  "INTEGER"))
      << r.upgrade;
  // The view is left alone: it names items, and items is back.
  EXPECT_FALSE(Has(r.upgrade, "VIEW")) << r.upgrade;
}

TEST(AutogenSqlite, NotNullDefaultAndCheckChangesRebuild) {
  Check({
      .a = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INT DEFAULT 1, "
           "c INT);",
      .b = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT "
           "DEFAULT 2, c INT CHECK (c >= 0));",
      .seed = "INSERT INTO t VALUES (1, 'x', 1, 3), (2, 'y', NULL, 0);",
      .rows_query = "SELECT * FROM t ORDER BY id",
  });
}

TEST(AutogenSqlite, PrimaryKeyUniqueAndTableOptionsRebuild) {
  Check({
      .a = "CREATE TABLE kv (k TEXT, v TEXT, scope TEXT);",
      .b = "CREATE TABLE kv (k TEXT NOT NULL, v TEXT, scope TEXT NOT NULL, "
           "PRIMARY KEY (scope, k), UNIQUE (v)) WITHOUT ROWID;",
      .seed = "INSERT INTO kv VALUES ('a', '1', 's'), ('b', '2', 's');",
      .rows_query = "SELECT k, v, scope FROM kv ORDER BY k",
  });
}

TEST(AutogenSqlite, ForeignKeyChangeRebuildsTheChild) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT);",
      .b = "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT "
           "REFERENCES users (id) ON DELETE CASCADE);",
      .seed = "INSERT INTO users VALUES (1); INSERT INTO orders VALUES (10, "
              "1);",
      .rows_query = "SELECT id, user_id FROM orders",
  });
  // Only the child is rebuilt and nothing references it: enforcement stays
  // on, and the copied rows are checked as they are inserted.
  EXPECT_FALSE(Has(r.upgrade, "foreign_keys")) << r.upgrade;
}

TEST(AutogenSqlite, RebuildOfAReferencedTableKeepsChildRows) {
  // users is rebuilt while orders (ON DELETE CASCADE) and items reference
  // it: with enforcement on, DROP TABLE users would delete every order.
  RoundTripResult r = Check({
      .a = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT NOT NULL "
           "REFERENCES users (id) ON DELETE CASCADE);\n"
           "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INT "
           "REFERENCES users (id));",
      .b = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL "
           "DEFAULT '');\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT NOT NULL "
           "REFERENCES users (id) ON DELETE CASCADE);\n"
           "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INT "
           "REFERENCES users (id));",
      .seed = "INSERT INTO users VALUES (1, 'ann'), (2, 'bob');\n"
              "INSERT INTO orders VALUES (10, 1), (11, 2);\n"
              "INSERT INTO notes VALUES (5, 2);",
      .rows_query = "SELECT 'o', id, user_id FROM orders UNION ALL SELECT "
                    "'n', id, user_id FROM notes UNION ALL SELECT 'u', id, "
                    "name FROM users ORDER BY 1, 2",
  });
  EXPECT_TRUE(Has(r.upgrade, "PRAGMA foreign_keys = OFF;")) << r.upgrade;
  EXPECT_TRUE(Has(r.upgrade, "PRAGMA foreign_key_check;")) << r.upgrade;
}

TEST(AutogenSqlite, IndexChanges) {
  Check({
      .a = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INT);\n"
           "CREATE INDEX t_a ON t (a);\n"
           "CREATE INDEX t_gone ON t (b);",
      .b = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INT);\n"
           "CREATE UNIQUE INDEX t_a ON t (a) WHERE a IS NOT NULL;\n"
           "CREATE INDEX t_expr ON t (lower(a), b DESC);",
      .seed = "INSERT INTO t VALUES (1, 'x', 1);",
      .rows_query = "SELECT * FROM t",
  });
}

TEST(AutogenSqlite, ViewAndTriggerChanges) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
           "CREATE TABLE audit (msg TEXT);\n"
           "CREATE VIEW v1 AS SELECT a FROM t;\n"
           "CREATE VIEW v2 AS SELECT a FROM v1;\n"
           "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit "
           "VALUES ('ins'); END;\n"
           "CREATE TRIGGER v1_ins INSTEAD OF INSERT ON v1 BEGIN INSERT INTO t "
           "(a) VALUES (new.a); END;",
      .b = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
           "CREATE TABLE audit (msg TEXT);\n"
           "CREATE VIEW v1 AS SELECT a, id FROM t;\n"
           "CREATE VIEW v2 AS SELECT a FROM v1;\n"
           "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit "
           "VALUES ('insert: ' || new.a); END;\n"
           "CREATE TRIGGER v1_ins INSTEAD OF INSERT ON v1 BEGIN INSERT INTO t "
           "(a) VALUES (new.a); END;\n"
           "CREATE TRIGGER t_del AFTER DELETE ON t BEGIN INSERT INTO audit "
           "VALUES ('del'); END;",
  });
  // The INSTEAD OF trigger goes with its view, so it is recreated too.
  EXPECT_TRUE(Has(r.upgrade, "DROP TRIGGER v1_ins;")) << r.upgrade;
}

TEST(AutogenSqlite, AutoincrementCounterSurvivesARebuild) {
  MigrationProject p;
  std::string url = testing::SqliteUrl(p.dir(), "a.db");
  Load(url, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);");
  auto conn = testing::Open(url);
  ASSERT_TRUE(conn->Execute("INSERT INTO t (a) VALUES ('1'), ('2'), ('3'); "
                            "DELETE FROM t WHERE id = 3;")
                  .ok());
  conn.reset();
  std::string model = WriteFile(
      p.dir(), "b.sql",
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT "
      "NULL);");
  auto diff = DiffModels(url, {model}, {});
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  p.Add(
      testing::Rev("aaaa00000001", "", diff->upgrade_sql, diff->downgrade_sql));
  ASSERT_TRUE(p.Load());
  auto up = p.Upgrade(Target(url), "head");
  ASSERT_TRUE(up.ok()) << up.status().ToString() << "\n" << diff->upgrade_sql;
  conn = testing::Open(url);
  ASSERT_TRUE(conn->Execute("INSERT INTO t (a) VALUES ('4')").ok());
  // Id 3 was used once and is not handed out again.
  EXPECT_EQ(Rows(url, "SELECT id, a FROM t ORDER BY id"),
            (Strings{"1|1", "2|2", "4|4"}));
}

TEST(AutogenSqlite, RenamedColumnIsDropAndAddWithAHint) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
      .b = "CREATE TABLE t (id INTEGER PRIMARY KEY, full_name TEXT);",
  });
  EXPECT_TRUE(Has(r.upgrade,
                  "--   ALTER TABLE t RENAME COLUMN name TO "
                  "full_name;"))
      << r.upgrade;
}

TEST(AutogenSqlite, Mixed) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age "
           "TEXT);\n"
           "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT "
           "REFERENCES users (id) ON DELETE CASCADE, body TEXT, draft INT);\n"
           "CREATE INDEX posts_user ON posts (user_id);\n"
           "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n"
           "CREATE VIEW recent AS SELECT p.id, u.email FROM posts p JOIN users "
           "u ON u.id = p.user_id;\n"
           "CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; "
           "END;",
      .b = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL "
           "DEFAULT '' COLLATE NOCASE, age INTEGER, created TEXT DEFAULT "
           "'2020-01-01');\n"
           "CREATE UNIQUE INDEX users_email ON users (email);\n"
           "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT "
           "REFERENCES users (id) ON DELETE CASCADE, body TEXT);\n"
           "CREATE INDEX posts_user ON posts (user_id);\n"
           "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INT NOT "
           "NULL REFERENCES posts (id), body TEXT);\n"
           "CREATE VIEW recent AS SELECT p.id, u.email, p.body FROM posts p "
           "JOIN users u ON u.id = p.user_id;\n"
           "CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 2; "
           "END;",
      .seed = "INSERT INTO users VALUES (1, 'a@x', '30'), (2, 'b@x', '41');\n"
              "INSERT INTO posts VALUES (1, 1, 'hi', 0), (2, 2, 'yo', 1);\n"
              "INSERT INTO tags VALUES (1, 'news');",
      .rows_query = "SELECT p.id, p.body, u.email FROM posts p JOIN users u "
                    "ON u.id = p.user_id ORDER BY p.id",
  });
  EXPECT_TRUE(Has(r.upgrade, "users is rebuilt")) << r.upgrade;
  EXPECT_TRUE(Has(r.upgrade, "ALTER TABLE posts DROP COLUMN draft;"))
      << r.upgrade;
  EXPECT_TRUE(Has(r.upgrade, "DROP TABLE tags;")) << r.upgrade;
}

TEST(AutogenSqlite, QuotedNamesSelfReferenceAndStoredColumns) {
  RoundTripResult r = Check({
      .a = "CREATE TABLE \"Order Items\" (id INTEGER PRIMARY KEY, \"order\" "
           "INT, parent INT REFERENCES \"Order Items\" (id), \"Qty\" TEXT);\n"
           "CREATE INDEX \"by order\" ON \"Order Items\" (\"order\");",
      .b =
          "CREATE TABLE \"Order Items\" (id INTEGER PRIMARY KEY, \"order\" "
          "INT NOT NULL DEFAULT 0, parent INT REFERENCES \"Order Items\" (id), "
          "\"Qty\" INTEGER, total INT AS (\"Qty\" * 2) STORED);\n"
          "CREATE INDEX \"by order\" ON \"Order Items\" (\"order\");",
      .seed = "INSERT INTO \"Order Items\" VALUES (1, 7, NULL, '2'), (2, 8, 1, "
              "'3');",
      .rows_query =
          "SELECT id, \"order\", parent, \"Qty\" FROM \"Order Items\" "
          "ORDER BY id",
  });
  // The table references itself: the rebuild runs with enforcement off.
  EXPECT_TRUE(Has(r.upgrade, "CREATE TABLE \"new_Order Items\"")) << r.upgrade;
  EXPECT_TRUE(Has(r.upgrade, "PRAGMA foreign_keys = OFF;")) << r.upgrade;
}

TEST(AutogenSqlite, TableReplacedByAView) {
  Check({
      .a = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\n"
           "CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT);",
      .b = "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\n"
           "CREATE VIEW staff AS SELECT id, name FROM people;",
      .seed = "INSERT INTO people VALUES (1, 'ann');",
      .rows_query = "SELECT id, name FROM people",
  });
}

TEST(AutogenSqlite, VirtualTables) {
  {
    auto probe = testing::Open("sqlite:///:memory:");
    if (!probe->Execute("CREATE VIRTUAL TABLE x USING fts5(a)").ok()) {
      SKIP_OUTSIDE_CI("this SQLite has no FTS5");
    }
  }
  RoundTripResult r = Check({
      .a = "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);",
      .b = "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);\n"
           "CREATE VIRTUAL TABLE docs_fts USING fts5(body);",
  });
  // The FTS5 shadow tables come with the virtual table.
  EXPECT_FALSE(Has(r.upgrade, "docs_fts_data")) << r.upgrade;
}

// A rebuild whose copied rows break a foreign key: with enforcement on (the
// rebuilt table is referenced by nothing) the INSERT fails at its line;
// with enforcement off, the check at the end does. Either way nothing of
// the revision is left.
TEST(AutogenSqlite, ForeignKeyViolationsFailTheRevisionAndRollBack) {
  for (bool referenced : {false, true}) {
    SCOPED_TRACE(referenced ? "orders is referenced" : "orders is not");
    std::string items =
        referenced ? "CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INT "
                     "REFERENCES orders (id));\n"
                   : "";
    std::string a =
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, owner INT "
        "REFERENCES users (id));\n" +
        items;
    std::string b =
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, owner INT "
        "REFERENCES accounts (id));\n" +
        items;
    MigrationProject p;
    std::string url = testing::SqliteUrl(p.dir(), "a.db");
    Load(url, a);
    {
      auto conn = testing::Open(url);
      ASSERT_TRUE(conn->Execute("INSERT INTO users VALUES (1); INSERT INTO "
                                "orders VALUES (10, 1);")
                      .ok());
    }
    std::string dump = Dump(url);
    auto diff = DiffModels(url, {WriteFile(p.dir(), "b.sql", b)}, {});
    ASSERT_TRUE(diff.ok()) << diff.status().ToString();
    std::string path =
        p.Add(testing::Rev("aaaa00000001", "", diff->upgrade_sql, ""));
    ASSERT_TRUE(p.Load());
    auto up = p.Upgrade(Target(url), "head");
    ASSERT_FALSE(up.ok()) << diff->upgrade_sql;
    if (referenced) {
      EXPECT_TRUE(Has(up.status().message(),
                      "upgrade aaaa00000001 failed: PRAGMA foreign_key_check "
                      "found 1 foreign key violation: orders rowid 10 "
                      "references a missing row of accounts"))
          << up.status().message();
    } else {
      EXPECT_TRUE(Has(up.status().message(),
                      "upgrade aaaa00000001 failed: ERROR "
                      "SQLITE_CONSTRAINT_FOREIGNKEY"))
          << up.status().message();
    }
    EXPECT_TRUE(up.status().message().starts_with(path + ":"))
        << up.status().message();
    EXPECT_EQ(Dump(url), dump);
    EXPECT_EQ(Rows(url, "SELECT id, owner FROM orders"), Strings{"10|1"});
    if (referenced) {
      // The version table was committed before the revision's own
      // transaction began; it has no row.
      EXPECT_EQ(testing::VersionRows(url), Strings{});
    } else {
      EXPECT_FALSE(testing::TableExists(url, "alembic_version"));
    }
  }
}

TEST(AutogenSqlite, ModelErrorsNameFileAndLine) {
  MigrationProject p;
  std::string url = testing::SqliteUrl(p.dir(), "a.db");
  std::string ok = WriteFile(p.dir(), "a.sql", "CREATE TABLE a (id INT);\n");
  std::string bad = WriteFile(p.dir(), "b.sql",
                              "CREATE TABLE b (id INT);\n\n"
                              "CREATE INDEX b_x ON b (x);\n");
  auto r = DiffModels(url, {ok, bad}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            bad +
                ":3: ERROR SQLITE_ERROR: no such column: x\n"
                "HINT: the models run in file order in an empty in-memory "
                "SQLite database; fix this statement, or create what it needs "
                "before it");
  // Diffing never creates the target file.
  EXPECT_FALSE(std::filesystem::exists(p.dir() + "/a.db"));
}

TEST(AutogenSqlite, MissingTargetIsEmptyAndVersionTablesAreIgnored) {
  MigrationProject p;
  std::string url = testing::SqliteUrl(p.dir(), "new.db");
  std::string model = WriteFile(p.dir(), "m.sql", "CREATE TABLE a (id INT);");
  auto r = DiffModels(url, {model}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->upgrade_sql, "CREATE TABLE a (id INT);\n");
  EXPECT_FALSE(std::filesystem::exists(p.dir() + "/new.db"));
  // Applied with the runtime: the version and history tables it creates
  // are not part of the comparison.
  p.Add(testing::Rev("aaaa00000001", "", r->upgrade_sql, r->downgrade_sql));
  ASSERT_TRUE(p.Load());
  ASSERT_TRUE(p.Upgrade(Target(url), "head").ok());
  auto again = DiffModels(url, {model}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty()) << again->upgrade_sql;
  // exclude_tables keeps a table out of both sides.
  DiffOptions o;
  o.filter.exclude_tables = {"a"};
  auto excluded = DiffModels(
      url, {WriteFile(p.dir(), "m2.sql", "CREATE TABLE b (id INT);")}, o);
  ASSERT_TRUE(excluded.ok());
  EXPECT_EQ(excluded->upgrade_sql, "CREATE TABLE b (id INT);\n");
}

}  // namespace
}  // namespace retort
