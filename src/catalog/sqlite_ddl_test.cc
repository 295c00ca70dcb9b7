#include "catalog/sqlite_ddl.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

using Strings = std::vector<std::string>;

SqliteTableDef MustParse(std::string_view sql) {
  auto def = ParseSqliteCreateTable(sql);
  EXPECT_TRUE(def.ok()) << def.status().ToString() << "\n" << sql;
  return def.ok() ? *def : SqliteTableDef{};
}

TEST(SqliteDdl, ColumnsConstraintsAndOptions) {
  SqliteTableDef t = MustParse(
      "CREATE TABLE IF NOT EXISTS main.\"Orders\" (\n"
      "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
      "  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE\n"
      "    DEFERRABLE INITIALLY DEFERRED,\n"
      "  note varchar(255) DEFAULT 'n/a' COLLATE nocase,\n"
      "  qty int CONSTRAINT positive CHECK (qty > 0) DEFAULT -1,\n"
      "  total real GENERATED ALWAYS AS (qty * 2.5) STORED,\n"
      "  created text DEFAULT CURRENT_TIMESTAMP,\n"
      "  code text UNIQUE ON CONFLICT REPLACE,\n"
      "  UNIQUE (user_id, note),\n"
      "  CONSTRAINT fk FOREIGN KEY (code) REFERENCES codes (c) NOT DEFERRABLE\n"
      "  CHECK (total < 1000)\n"
      ") WITHOUT ROWID, STRICT;");
  EXPECT_EQ(t.name, "Orders");
  ASSERT_EQ(t.columns.size(), 7u);
  const SqliteColumnDef& id = t.columns[0];
  EXPECT_TRUE(id.primary_key);
  EXPECT_TRUE(id.autoincrement);
  EXPECT_EQ(id.type, "integer");
  const SqliteColumnDef& user = t.columns[1];
  EXPECT_TRUE(user.not_null);
  EXPECT_TRUE(user.references);
  EXPECT_EQ(user.constraints,
            (Strings{"not null",
                     "references users ( id ) on delete cascade deferrable "
                     "initially deferred"}));
  EXPECT_TRUE(user.names_used.count("users"));
  EXPECT_EQ(user.sql,
            "user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE\n"
            "    DEFERRABLE INITIALLY DEFERRED");
  const SqliteColumnDef& note = t.columns[2];
  EXPECT_EQ(note.type, "varchar ( 255 )");
  EXPECT_EQ(note.default_kind, SqliteDefaultKind::kConstant);
  EXPECT_EQ(note.constraints, (Strings{"default 'n/a'", "collate nocase"}));
  const SqliteColumnDef& qty = t.columns[3];
  EXPECT_TRUE(qty.check);
  EXPECT_EQ(qty.default_kind, SqliteDefaultKind::kConstant);
  EXPECT_EQ(qty.constraints,
            (Strings{"constraint positive check ( qty > 0 )", "default - 1"}));
  const SqliteColumnDef& total = t.columns[4];
  EXPECT_TRUE(total.generated);
  EXPECT_TRUE(total.stored);
  EXPECT_TRUE(total.names_used.count("qty"));
  EXPECT_EQ(t.columns[5].default_kind, SqliteDefaultKind::kExpression);
  EXPECT_TRUE(t.columns[6].unique);
  // Table constraints, one of them written without a separating comma.
  EXPECT_EQ(t.constraints,
            (Strings{"unique ( user_id , note )",
                     "constraint fk foreign key ( code ) references codes ( c "
                     ") not deferrable",
                     "check ( total < 1000 )"}));
  EXPECT_TRUE(t.constraint_names_used.count("codes"));
  EXPECT_EQ(t.options, (Strings{"without rowid", "strict"}));
  EXPECT_TRUE(t.without_rowid);
}

TEST(SqliteDdl, CanonicalIgnoresSpellingButNotMeaning) {
  SqliteTableDef a = MustParse(
      "CREATE TABLE t (a INT NOT NULL DEFAULT 0, \"B\" TEXT COLLATE NOCASE)");
  SqliteTableDef b = MustParse(
      "create table t(\n  a int default 0 not null,\n  b text collate nocase)");
  ASSERT_EQ(a.columns.size(), 2u);
  ASSERT_EQ(b.columns.size(), 2u);
  EXPECT_EQ(a.columns[0].Canonical(), b.columns[0].Canonical());
  EXPECT_EQ(a.columns[1].Canonical(), b.columns[1].Canonical());
  EXPECT_EQ(a.columns[1].name, "B");
  SqliteTableDef c = MustParse("CREATE TABLE t (a INTEGER NOT NULL DEFAULT 0)");
  EXPECT_NE(a.columns[0].Canonical(), c.columns[0].Canonical());
}

TEST(SqliteDdl, DefaultsAndTypeless) {
  SqliteTableDef t = MustParse(
      "CREATE TABLE t (a, b DEFAULT NULL, c DEFAULT (1 + 2), d DEFAULT +1.5, "
      "e DEFAULT x'00', f DEFAULT TRUE, g unsigned big int NULL)");
  ASSERT_EQ(t.columns.size(), 7u);
  EXPECT_EQ(t.columns[0].type, "");
  EXPECT_EQ(t.columns[0].default_kind, SqliteDefaultKind::kNone);
  EXPECT_EQ(t.columns[1].default_kind, SqliteDefaultKind::kNull);
  EXPECT_EQ(t.columns[2].default_kind, SqliteDefaultKind::kExpression);
  EXPECT_EQ(t.columns[3].default_kind, SqliteDefaultKind::kConstant);
  EXPECT_EQ(t.columns[4].default_kind, SqliteDefaultKind::kConstant);
  EXPECT_EQ(t.columns[5].default_kind, SqliteDefaultKind::kConstant);
  EXPECT_EQ(t.columns[6].type, "unsigned big int");
  EXPECT_EQ(t.columns[6].constraints, Strings{"null"});
}

TEST(SqliteDdl, RenameKeepsTheRest) {
  std::string sql = "CREATE TABLE \"users\" (id int, -- the key\n x text)";
  SqliteTableDef t = MustParse(sql);
  EXPECT_EQ(RenameSqliteCreateTable(sql, t, "new_users"),
            "CREATE TABLE new_users (id int, -- the key\n x text)");
  EXPECT_EQ(RenameSqliteCreateTable(sql, t, "new users"),
            "CREATE TABLE \"new users\" (id int, -- the key\n x text)");
}

TEST(SqliteDdl, Errors) {
  EXPECT_FALSE(ParseSqliteCreateTable("CREATE VIEW v AS SELECT 1").ok());
  // Words after a column name are its type until a constraint starts.
  auto typed = ParseSqliteCreateTable("CREATE TABLE t (a int FOO)");
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->columns[0].type, "int foo");
  auto r = ParseSqliteCreateTable("CREATE TABLE t (a int NOT 5)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "expected NULL, found '5'");
  r = ParseSqliteCreateTable("CREATE TABLE t (a int DEFAULT 1 (x))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "expected a column constraint, found '('");
  EXPECT_FALSE(ParseSqliteCreateTable("CREATE TABLE t (a int").ok());
}

TEST(SqliteDdl, NamesUsed) {
  EXPECT_EQ(SqliteNamesUsed("CREATE VIEW v AS SELECT \"Name\" FROM [Users] "
                            "WHERE x = 'orders'"),
            (std::set<std::string>{"create", "view", "v", "as", "select",
                                   "name", "from", "users", "where", "x"}));
}

}  // namespace
}  // namespace retort
