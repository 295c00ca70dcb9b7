// Rendering tests for SQLite autogenerate: schemas are built in in-memory
// SQLite databases (no server involved) and the generated SQL is compared
// as text. Whether that SQL does what it should is tested against real
// database files in tests/autogen_sqlite_test.cc.
#include "autogen/sqlite_diff.h"

#include <gtest/gtest.h>

#include "autogen/sqlite_autogen.h"
#include "catalog/sqlite_introspect.h"
#include "dialect/sqlite.h"

namespace retort {
namespace {

SqliteSchema Schema(const std::string& sql) {
  auto conn = SqliteConnection::Open(":memory:");
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return {};
  Status st = LoadSqliteModels(**conn, {ModelFile{"m.sql", sql}});
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto schema = IntrospectSqlite(**conn, {});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? *schema : SqliteSchema{};
}

AutogenResult Diff(const std::string& a, const std::string& b,
                   int version = 3040000) {
  SqliteDiffOptions o;
  o.sqlite_version = version;
  return DiffSqliteSchemas(Schema(a), Schema(b), o);
}

TEST(SqliteDiff, SameSchemaSpelledDifferentlyIsEmpty) {
  AutogenResult r = Diff(
      "CREATE TABLE Users (id INTEGER PRIMARY KEY, email TEXT NOT NULL "
      "DEFAULT '' COLLATE NOCASE, CHECK (length(email) < 200));\n"
      "CREATE INDEX users_email ON users (email) WHERE email <> '';\n"
      "CREATE VIEW v AS SELECT id FROM users;\n"
      "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END;",
      "create table \"users\" (\n  \"id\" integer primary key,\n"
      "  email text default '' collate nocase not null,\n"
      "  check(length(email)<200)\n);\n"
      "create index USERS_EMAIL on Users(email) where email != '';\n"
      "create view v as select id from users;\n"
      "create trigger t after insert on users begin select 1; end;");
  EXPECT_TRUE(r.empty()) << r.upgrade_sql;
  EXPECT_EQ(r.upgrade_sql, "");
}

TEST(SqliteDiff, AddAndDropColumnInPlace) {
  AutogenResult r = Diff("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
                         "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, "
                         "b INT NOT NULL DEFAULT 0);");
  EXPECT_EQ(r.upgrade_sql,
            "ALTER TABLE t ADD COLUMN b INT NOT NULL DEFAULT 0;\n");
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\nALTER TABLE t DROP COLUMN b;\n");
  ASSERT_EQ(r.operations.size(), 1u);
  EXPECT_EQ(r.operations[0].kind, OpKind::kAddColumn);
}

TEST(SqliteDiff, ColumnTypeChangeRebuildsTheTable) {
  AutogenResult r = Diff(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, gone INT);\n"
      "CREATE INDEX t_a ON t (a);\n"
      "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"
      "CREATE INDEX t_a ON t (a);\n"
      "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;");
  EXPECT_EQ(r.upgrade_sql,
            "-- t is rebuilt (new table, rows copied, old table "
            "dropped, new one renamed; its indexes and triggers recreated):\n"
            "--   column a changes: a TEXT -> a INTEGER\n"
            "--   column gone is dropped\n"
            "-- retort: destructive\n"
            "CREATE TABLE new_t (id INTEGER PRIMARY KEY, a INTEGER);\n"
            "INSERT INTO new_t (id, a)\n  SELECT id, a FROM t;\n"
            "DROP TABLE t;\n"
            "PRAGMA legacy_alter_table = ON;\n"
            "ALTER TABLE new_t RENAME TO t;\n"
            "PRAGMA legacy_alter_table = OFF;\n"
            "CREATE INDEX t_a ON t (a);\n"
            "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;\n");
  ASSERT_EQ(r.operations.size(), 1u);
  EXPECT_EQ(r.operations[0].kind, OpKind::kRebuildTable);
  // The downgrade rebuilds back; nothing references t, so foreign keys stay
  // on either way.
  EXPECT_NE(r.downgrade_sql.find("CREATE TABLE new_t (id INTEGER PRIMARY KEY, "
                                 "a TEXT, gone INT);"),
            std::string::npos)
      << r.downgrade_sql;
  EXPECT_EQ(r.downgrade_sql.find("foreign_keys"), std::string::npos);
}

TEST(SqliteDiff, RebuildingAReferencedTableTurnsForeignKeysOff) {
  std::string child =
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER "
      "REFERENCES users (id) ON DELETE CASCADE);\n";
  AutogenResult r = Diff(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n" + child,
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" +
          child);
  EXPECT_EQ(r.upgrade_sql.rfind("-- foreign keys reference users, which this "
                                "revision rebuilds: it runs with\n",
                                0),
            0u)
      << r.upgrade_sql;
  EXPECT_NE(r.upgrade_sql.find("\nPRAGMA foreign_keys = OFF;\n\n-- "
                               "users is rebuilt"),
            std::string::npos)
      << r.upgrade_sql;
  EXPECT_TRUE(r.upgrade_sql.ends_with(
      "PRAGMA legacy_alter_table = OFF;\n\nPRAGMA foreign_key_check;\n"))
      << r.upgrade_sql;
  EXPECT_NE(r.downgrade_sql.find("PRAGMA foreign_keys = OFF;"),
            std::string::npos);
  // The child, rebuilt alone, is referenced by nothing: no pragma.
  AutogenResult c =
      Diff("CREATE TABLE users (id INTEGER PRIMARY KEY);\n" + child,
           "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER "
           "REFERENCES users (id));\n");
  EXPECT_NE(c.upgrade_sql.find("orders is rebuilt"), std::string::npos);
  EXPECT_EQ(c.upgrade_sql.find("foreign_keys"), std::string::npos)
      << c.upgrade_sql;
}

TEST(SqliteDiff, EachDirectionDecidedOnItsOwn) {
  // Adding a NOT NULL column without a default needs a rebuild; dropping it
  // again is a DROP COLUMN.
  AutogenResult r = Diff("CREATE TABLE t (id INTEGER PRIMARY KEY);",
                         "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT NOT "
                         "NULL);");
  EXPECT_NE(r.upgrade_sql.find("--   column n is added: ADD COLUMN cannot add "
                               "a NOT NULL column without a non-NULL default"),
            std::string::npos)
      << r.upgrade_sql;
  EXPECT_NE(r.upgrade_sql.find("-- n is NOT NULL without a default: "
                               "copying the rows fails if t has any; give it "
                               "a DEFAULT"),
            std::string::npos);
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\nALTER TABLE t DROP COLUMN n;\n");
  // Before SQLite 3.35 there is no DROP COLUMN.
  AutogenResult old = Diff("CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);",
                           "CREATE TABLE t (id INTEGER PRIMARY KEY);", 3034000);
  EXPECT_NE(old.upgrade_sql.find("DROP COLUMN refuses, DROP COLUMN needs "
                                 "SQLite 3.35"),
            std::string::npos)
      << old.upgrade_sql;
  EXPECT_EQ(old.downgrade_sql, "ALTER TABLE t ADD COLUMN x INT;\n");
}

TEST(SqliteDiff, AddColumnRestrictions) {
  struct Case {
    std::string column;
    std::string reason;  // "" = ADD COLUMN
  };
  std::vector<Case> cases = {
      {"x INT DEFAULT 5", ""},
      {"x TEXT DEFAULT 'a' NOT NULL", ""},
      {"x INT CHECK (x > 0)", ""},
      {"x INT REFERENCES t (id)", ""},
      {"x INT AS (id + 1) VIRTUAL", ""},
      {"x INT UNIQUE", "a UNIQUE column"},
      {"x INT AS (id + 1) STORED", "a STORED generated column"},
      {"x TEXT DEFAULT CURRENT_TIMESTAMP",
       "a column with a non-constant default"},
      {"x INT DEFAULT (1 + 1)", "a column with a non-constant default"},
      {"x INT NOT NULL DEFAULT NULL",
       "a NOT NULL column without a non-NULL default"},
      {"x INT REFERENCES t (id) DEFAULT 1",
       "a REFERENCES column with a non-NULL default"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.column);
    AutogenResult r =
        Diff("CREATE TABLE t (id INTEGER PRIMARY KEY);",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, " + c.column + ");");
    if (c.reason.empty()) {
      EXPECT_EQ(r.upgrade_sql, "ALTER TABLE t ADD COLUMN " + c.column + ";\n");
    } else {
      EXPECT_NE(r.upgrade_sql.find("ADD COLUMN cannot add " + c.reason),
                std::string::npos)
          << r.upgrade_sql;
    }
  }
}

TEST(SqliteDiff, DropColumnRestrictions) {
  struct Case {
    std::string schema;  // table t with column x, plus other objects
    std::string reason;  // "" = DROP COLUMN
  };
  std::vector<Case> cases = {
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);", ""},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT CHECK (x > 0));", ""},
      {"CREATE TABLE t (id INT, x INT, PRIMARY KEY (id, x));",
       "it is part of the PRIMARY KEY"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT UNIQUE);",
       "it is indexed or UNIQUE"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);\n"
       "CREATE INDEX t_x ON t (x);",
       "it is indexed or UNIQUE"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);\n"
       "CREATE INDEX t_lower ON t (lower(x));",
       "index t_lower names it"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT REFERENCES t (id));",
       "a foreign key uses it"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT, CHECK (x < id));",
       "a table constraint names it"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT, y INT AS (x * 2));",
       "the definition of column y names it"},
      {"CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);\n"
       "CREATE VIEW v AS SELECT x FROM t;",
       "view v names it"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.schema);
    // The desired side drops x, and with it whatever named x.
    AutogenResult r =
        Diff(c.schema, "CREATE TABLE t (id INTEGER PRIMARY KEY);");
    if (c.reason.empty()) {
      EXPECT_EQ(r.upgrade_sql,
                "-- retort: destructive\nALTER TABLE t DROP COLUMN x;\n");
    } else {
      EXPECT_NE(r.upgrade_sql.find("DROP COLUMN refuses, " + c.reason),
                std::string::npos)
          << r.upgrade_sql;
    }
  }
}

TEST(SqliteDiff, IndexViewAndTriggerChanges) {
  AutogenResult r = Diff(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
      "CREATE INDEX t_a ON t (a);\n"
      "CREATE VIEW v1 AS SELECT a FROM t;\n"
      "CREATE VIEW v2 AS SELECT a FROM v1;",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
      "CREATE UNIQUE INDEX t_a ON t (a) WHERE a IS NOT NULL;\n"
      "CREATE VIEW v1 AS SELECT a, id FROM t;\n"
      "CREATE VIEW v2 AS SELECT a FROM v1;");
  // v2 is unchanged but names v1, which is dropped and created again: it
  // goes and comes back with it.
  EXPECT_EQ(r.upgrade_sql,
            "DROP VIEW v2;\n\n"
            "DROP VIEW v1;\n\n"
            "DROP INDEX t_a;\n\n"
            "CREATE UNIQUE INDEX t_a ON t (a) WHERE a IS NOT NULL;\n\n"
            "CREATE VIEW v1 AS SELECT a, id FROM t;\n\n"
            "CREATE VIEW v2 AS SELECT a FROM v1;\n");
  EXPECT_EQ(r.downgrade_sql,
            "DROP VIEW v2;\n\n"
            "DROP VIEW v1;\n\n"
            "DROP INDEX t_a;\n\n"
            "CREATE INDEX t_a ON t (a);\n\n"
            "CREATE VIEW v1 AS SELECT a FROM t;\n\n"
            "CREATE VIEW v2 AS SELECT a FROM v1;\n");
}

TEST(SqliteDiff, CreateAndDropTablesInDependencyOrder) {
  AutogenResult r =
      Diff("",
           "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT REFERENCES "
           "parent (id));\n"
           "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
           "CREATE INDEX child_p ON child (p);");
  EXPECT_EQ(r.upgrade_sql,
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n\n"
            "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT REFERENCES "
            "parent (id));\n\n"
            "CREATE INDEX child_p ON child (p);\n");
  // The index goes with its table; the child goes before its parent.
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\nDROP TABLE child;\n\n"
            "-- retort: destructive\nDROP TABLE parent;\n");
}

TEST(SqliteDiff, RenameIsOnlyHinted) {
  AutogenResult r = Diff("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
                         "CREATE TABLE t (id INTEGER PRIMARY KEY, full_name "
                         "TEXT);");
  EXPECT_EQ(r.upgrade_sql,
            "-- name is dropped and full_name (same type) is added: if "
            "this is a rename, use instead:\n"
            "--   ALTER TABLE t RENAME COLUMN name TO full_name;\n"
            "-- retort: destructive\n"
            "ALTER TABLE t DROP COLUMN name;\n"
            "ALTER TABLE t ADD COLUMN full_name TEXT;\n");
}

}  // namespace
}  // namespace retort
