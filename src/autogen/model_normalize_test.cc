// The plain-model normaliser without a server: what it must decline, and
// what it reports besides the catalog. That its catalogs equal the
// server's is tests/autogen_normalize_test.cc.
#include "autogen/model_normalize.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "autogen/model_scan.h"

namespace retort {
namespace {

// The normaliser must decline `sql`, for `why` (a part of its reason).
void ExpectDeclined(const std::string& sql, const std::string& why) {
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_NE(scan->normalized, nullptr);
  EXPECT_FALSE(scan->normalized->catalog.has_value()) << sql;
  EXPECT_NE(scan->normalized->declined.find(why), std::string::npos)
      << "declined for: " << scan->normalized->declined << "\nexpected: " << why
      << "\n"
      << sql;
}

TEST(ModelNormalize, DeclinesWhatItDoesNotNormalise) {
  ExpectDeclined("CREATE TABLE t (a numeric CHECK (a > 0))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (a > -1))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (a IN (1, 2)))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (0 < a))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a text CHECK (a <> ''))", "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (NOT (a > 0)))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (true))", "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (b > 0))",
                 "CHECK expression");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (a > 0) NO INHERIT)",
                 "NOT VALID or NO INHERIT");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE t ADD CHECK (a > 0) NOT VALID",
      "NOT VALID or NO INHERIT");
  ExpectDeclined("CREATE TABLE t (a integer, b integer, CHECK (a > b))",
                 "CHECK expression");
  ExpectDeclined(
      "CREATE TABLE t (a integer, b integer, CHECK (a > 0 AND b > "
      "0), CHECK (a < 9 AND b < 9))",
      "chosen name is taken");
  ExpectDeclined("CREATE TABLE t (a integer CHECK (a > 0) CHECK (a < 9))",
                 "chosen name is taken");
  ExpectDeclined("CREATE TABLE t (id serial DEFAULT 1)",
                 "declared NULL or with a DEFAULT");
  ExpectDeclined("CREATE TABLE t (id serial NULL)",
                 "declared NULL or with a DEFAULT");
  ExpectDeclined(
      "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY "
      "DEFAULT 1)",
      "declared NULL or with a DEFAULT");
  ExpectDeclined(
      "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY "
      "(START WITH 5))",
      "identity column with options");
  ExpectDeclined("CREATE TABLE t (id text GENERATED ALWAYS AS IDENTITY)",
                 "identity column with options");
  ExpectDeclined("CREATE TABLE t (id serial GENERATED ALWAYS AS IDENTITY)",
                 "identity column with options");
  ExpectDeclined(
      "CREATE TABLE t_id_seq (x integer);\n"
      "CREATE TABLE t (id serial)",
      "sequence whose chosen name is taken");
  ExpectDeclined("CREATE TABLE t (id public.serial)", "type not normalised");
  ExpectDeclined("CREATE TABLE " + std::string(57, 't') + " (id serial)",
                 "sequence name the server would truncate");
  ExpectDeclined("CREATE TABLE t (a text COLLATE \"C\")", "COLLATE");
  ExpectDeclined("CREATE TABLE t (a integer DEFAULT -1)", "sign");
  ExpectDeclined("CREATE TABLE t (a numeric DEFAULT 1.5)",
                 "default expression");
  ExpectDeclined("CREATE TABLE t (a integer DEFAULT 'x')",
                 "default expression");
  ExpectDeclined("CREATE TABLE t (a bigint DEFAULT 5000000000)",
                 "default expression");
  ExpectDeclined("CREATE TABLE t (a text DEFAULT 'a\\b')", "escapes");
  ExpectDeclined("CREATE TABLE t (a date DEFAULT now())", "default expression");
  ExpectDeclined("CREATE TABLE t (a integer DEFAULT 1 + 1)",
                 "default expression");
  ExpectDeclined("CREATE TABLE t (a integer[])", "type not normalised");
  ExpectDeclined("CREATE TABLE t (a interval)", "type not normalised");
  ExpectDeclined("CREATE TABLE t (a bpchar)", "type not normalised");
  ExpectDeclined("CREATE TABLE t (a public.mytype)", "type not normalised");
  ExpectDeclined("CREATE TABLE t (a integer, a text)", "named twice");
  ExpectDeclined("CREATE TABLE t (xmin integer)", "system column");
  ExpectDeclined("CREATE TABLE t (a integer NULL NOT NULL)",
                 "NULL and NOT NULL");
  ExpectDeclined(
      "CREATE TABLE t (a integer PRIMARY KEY, b integer PRIMARY "
      "KEY)",
      "second primary key");
  ExpectDeclined("CREATE TABLE t (a integer UNIQUE, UNIQUE (a))",
                 "same columns");
  ExpectDeclined("CREATE TABLE t (a integer PRIMARY KEY UNIQUE)",
                 "same columns");
  ExpectDeclined(
      "CREATE TABLE t (a integer, b integer, UNIQUE (a, b), "
      "CONSTRAINT other UNIQUE (a, b))",
      "same columns");
  ExpectDeclined(
      "CREATE TABLE t_a_key (x integer);\n"
      "CREATE TABLE t (a integer UNIQUE)",
      "chosen name is taken");
  ExpectDeclined("CREATE TABLE t (a json PRIMARY KEY)", "btree");
  ExpectDeclined("CREATE TABLE t (a integer REFERENCES nowhere)",
                 "not created");
  ExpectDeclined(
      "CREATE TABLE p (id bigint PRIMARY KEY);\n"
      "CREATE TABLE t (a integer REFERENCES p)",
      "different types");
  ExpectDeclined(
      "CREATE TABLE p (id integer);\n"
      "CREATE TABLE t (a integer REFERENCES p)",
      "matching key");
  ExpectDeclined(
      "CREATE TABLE p (a integer, b integer, UNIQUE (a, b), "
      "UNIQUE (b, a));\n"
      "CREATE TABLE t (a integer, b integer, FOREIGN KEY (a, b) "
      "REFERENCES p (a, b))",
      "two keys could serve");
  ExpectDeclined(
      "CREATE TABLE p (id integer PRIMARY KEY);\n"
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p NOT VALID",
      "options");
  ExpectDeclined(
      "CREATE TABLE p (id integer PRIMARY KEY, x integer);\n"
      "CREATE TABLE t (a integer, b integer, FOREIGN KEY (a, b) "
      "REFERENCES p ON DELETE SET NULL (a))",
      "options");
  ExpectDeclined("CREATE TABLE t (a integer PRIMARY KEY DEFERRABLE)",
                 "DEFERRABLE or INITIALLY on a key");
  ExpectDeclined(
      "CREATE TABLE p (id integer PRIMARY KEY);\n"
      "CREATE TABLE t (a integer REFERENCES p NOT DEFERRABLE "
      "INITIALLY DEFERRED)",
      "NOT DEFERRABLE INITIALLY DEFERRED");
  ExpectDeclined("CREATE TABLE t (a integer NOT NULL DEFERRABLE)",
                 "DEFERRABLE or INITIALLY on a key");
  ExpectDeclined("CREATE TABLE t (a integer, UNIQUE NULLS NOT DISTINCT (a))",
                 "options");
  ExpectDeclined("CREATE TABLE t (a integer, PRIMARY KEY (a) INCLUDE (a))",
                 "options");
  ExpectDeclined("CREATE TABLE IF NOT EXISTS t (a integer)", "options");
  ExpectDeclined("CREATE TEMP TABLE t (a integer)", "temporary");
  ExpectDeclined("CREATE TABLE t (a integer) WITH (fillfactor = 50)",
                 "options");
  ExpectDeclined("CREATE TABLE t (a integer) PARTITION BY RANGE (a)",
                 "options");
  ExpectDeclined(
      "CREATE TABLE p (a integer);\n"
      "CREATE TABLE t (b integer) INHERITS (p)",
      "options");
  ExpectDeclined("CREATE TABLE p (a integer);\nCREATE TABLE t (LIKE p)",
                 "LIKE");
  ExpectDeclined("CREATE TABLE t ()", "without columns");
  ExpectDeclined("CREATE TABLE t (a integer);\nCREATE TABLE t (b integer)",
                 "name is taken");
  ExpectDeclined("CREATE TABLE t (a integer);\nCREATE INDEX ON t (a)",
                 "without a name");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX i ON t ((a + 1))",
      "expression");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX i ON t (a) WHERE a > 0",
      "predicate");
  ExpectDeclined(
      "CREATE TABLE t (a integer, b boolean);\n"
      "CREATE INDEX i ON t (a) WHERE a IS NULL OR b",
      "predicate");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX i ON t (a) WHERE a",
      "predicate");
  ExpectDeclined(
      "CREATE TABLE t (a text);\n"
      "CREATE INDEX i ON t (a text_pattern_ops)",
      "operator class");
  ExpectDeclined(
      "CREATE TABLE t (a text);\n"
      "CREATE INDEX i ON t (a COLLATE \"C\")",
      "collation");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\nCREATE INDEX i ON t USING "
      "hash (a)",
      "btree");
  ExpectDeclined("CREATE TABLE t (a json);\nCREATE INDEX i ON t (a)", "btree");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX i ON t (a) WITH (fillfactor = 70)",
      "options");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX CONCURRENTLY i ON t (a)",
      "CONCURRENTLY");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX IF NOT EXISTS i ON t (a)",
      "options");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE INDEX i ON ONLY t (a)",
      "ONLY");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE t ADD COLUMN b integer",
      "other than ADD CONSTRAINT");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE IF EXISTS t ADD UNIQUE (a)",
      "IF EXISTS");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "COMMENT ON COLUMN t.b IS 'x'",
      "lacks");
  ExpectDeclined("COMMENT ON TABLE nowhere IS 'x'", "not created");
  ExpectDeclined("CREATE SCHEMA s;\nCREATE SCHEMA s", "twice");
  ExpectDeclined("CREATE SCHEMA s AUTHORIZATION postgres", "AUTHORIZATION");
  ExpectDeclined("CREATE SCHEMA pg_mine", "pg_");
  ExpectDeclined("SET search_path TO app", "SET search_path to a value");
  ExpectDeclined("SET default_tablespace = 'fast'", "SET default_tablespace");
  ExpectDeclined("SET standard_conforming_strings = off",
                 "SET standard_conforming_strings");
  ExpectDeclined("SET LOCAL lock_timeout = 0", "SET LOCAL");
  ExpectDeclined("RESET ALL", "RESET");
  ExpectDeclined("SELECT 1", "a SELECT");
  ExpectDeclined("SELECT pg_catalog.set_config('search_path', 'app', false)",
                 "set_config()");
  ExpectDeclined(
      "SELECT pg_catalog.set_config('search_path', '', false);\n"
      "CREATE TABLE t (a integer)",
      "search_path is empty");
  // pg_dump's sequences and defaults, and Rails' rows.
  ExpectDeclined("CREATE SEQUENCE s INCREMENT BY -1", "increment");
  ExpectDeclined("CREATE SEQUENCE s START WITH 0", "bounds");
  ExpectDeclined("CREATE SEQUENCE s OWNED BY NONE", "with owned_by");
  ExpectDeclined("CREATE SEQUENCE s AS text", "type other than");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\nCREATE SEQUENCE s;\n"
      "ALTER SEQUENCE s OWNED BY t.b",
      "OWNED BY a column");
  ExpectDeclined("CREATE SEQUENCE s;\nALTER SEQUENCE s RESTART", "OWNED BY");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE t ALTER COLUMN a SET DEFAULT nextval('s'::regclass)",
      "sequence the models have not created");
  ExpectDeclined(
      "CREATE TABLE t (a integer DEFAULT 1);\n"
      "ALTER TABLE ONLY t ALTER COLUMN a SET DEFAULT 2",
      "with a default");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "ALTER TABLE ONLY t ALTER COLUMN a DROP DEFAULT",
      "DROP DEFAULT");
  ExpectDeclined(
      "CREATE TABLE t (a varchar(5) DEFAULT 'x'::varchar(3))",
      "default expression");
  ExpectDeclined("CREATE TABLE t (a jsonb DEFAULT '{\"a\": 1}'::jsonb)",
                 "default expression");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "INSERT INTO t VALUES (1) RETURNING a",
      "RETURNING");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "INSERT INTO t SELECT 1",
      "a query");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "INSERT INTO t VALUES (now())",
      "constants");
  ExpectDeclined("INSERT INTO nowhere VALUES (1)", "not created");
  // Views and functions are left to a database; what else touches a
  // table is not.
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RETURN NEW; END $$;\n"
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE "
      "FUNCTION f()",
      "CreateTrigStmt");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE VIEW v AS SELECT a FROM t;\n"
      "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC",
      "GrantStmt");
  ExpectDeclined(
      "CREATE TABLE t (a integer);\n"
      "CREATE VIEW v AS SELECT a FROM t;\n"
      "GRANT SELECT ON v, t TO PUBLIC",
      "GrantStmt");
  ExpectDeclined("CREATE TABLE t (a integer);\nCREATE VIEW t AS SELECT 1",
                 "named like a relation");
  ExpectDeclined("CREATE VIEW t AS SELECT 1;\nCREATE TABLE t (a integer)",
                 "named like a table");
  ExpectDeclined("COMMENT ON VIEW nowhere IS 'x'", "of this kind");
  ExpectDeclined(
      "CREATE TYPE mood AS ENUM ('a');\n"
      "CREATE TABLE t (m mood DEFAULT 'b')",
      "not one of the enum's labels");
  ExpectDeclined("CREATE TYPE text AS ENUM ('a')", "built-in type");
  ExpectDeclined("CREATE TYPE _e AS ENUM ('a')", "serial, pg_* or _*");
  ExpectDeclined("CREATE TYPE e AS ENUM ('a', 'a')", "repeated");
  ExpectDeclined("CREATE TYPE e AS ENUM ('')", "empty");
  ExpectDeclined("CREATE TABLE e (a integer);\nCREATE TYPE e AS ENUM ('a')",
                 "named like a relation");
  ExpectDeclined("CREATE TYPE e AS ENUM ('a');\nCREATE TABLE e (a integer)",
                 "name is taken");
  ExpectDeclined("CREATE TYPE e AS ENUM ('a');\nCREATE TABLE t (a e[])",
                 "type not normalised");
  ExpectDeclined(
      "CREATE SCHEMA s;\nCREATE TYPE s.e AS ENUM ('a');\n"
      "CREATE TABLE t (a e)",
      "type not normalised");
  ExpectDeclined(
      "CREATE TYPE e AS ENUM ('a');\n"
      "ALTER TYPE e ADD VALUE 'b'",
      "AlterEnumStmt");
  ExpectDeclined("CREATE TYPE e AS (a integer)", "CompositeTypeStmt");
  ExpectDeclined("COMMENT ON TYPE nowhere IS 'x'", "not created");
  // What a review against the server found PostgreSQL refusing, or doing
  // differently.
  ExpectDeclined(
      "CREATE UNLOGGED TABLE p (id integer PRIMARY KEY);\n"
      "CREATE TABLE c (p integer REFERENCES p)",
      "permanent to an unlogged");
  ExpectDeclined("CREATE TYPE serial AS ENUM ('a')", "serial");
  ExpectDeclined("CREATE TYPE bigserial AS ENUM ('a')", "serial");
  ExpectDeclined("CREATE TABLE pg_class (id integer)", "named pg_*");
  ExpectDeclined("CREATE TABLE t (a integer);\nCREATE INDEX pg_i ON t (a)",
                 "named pg_*");
  ExpectDeclined("CREATE SCHEMA information_schema", "information_schema");
  ExpectDeclined("CREATE TABLE information_schema.t (a integer)",
                 "system schema");
  ExpectDeclined("CREATE TABLE pg_temp.t (a integer)", "system schema");
  ExpectDeclined("CREATE TYPE pg_catalog.e AS ENUM ('a')", "system schema");
  ExpectDeclined(
      "CREATE TABLE p (a integer);\n"
      "CREATE UNIQUE INDEX p_a_idx ON p (a);\n"
      "ALTER TABLE p ADD CONSTRAINT p_a UNIQUE (a);\n",
      "same columns");
  ExpectDeclined(
      "CREATE TABLE p (a integer, b integer);\n"
      "CREATE UNIQUE INDEX p_ab ON p (a, b);\n"
      "CREATE UNIQUE INDEX p_ba ON p (b, a);\n"
      "CREATE TABLE c (x integer, y integer, FOREIGN KEY (x, y) "
      "REFERENCES p (a, b))",
      "two keys could serve");
  std::string many, list;
  for (int i = 0; i < 33; ++i) {
    many += (i ? ", c" : "c") + std::to_string(i) + " integer";
    list += (i ? ", c" : "c") + std::to_string(i);
  }
  ExpectDeclined(
      "CREATE TABLE t (" + many + ");\nCREATE INDEX i ON t (" + list + ")",
      "more than 32");
  ExpectDeclined(
      "CREATE TABLE t (" + many + ", CONSTRAINT k UNIQUE (" + list + "))",
      "more than 32");
  ExpectDeclined("CREATE TABLE t (" + many +
                     ");\nCREATE INDEX i ON t (c0) "
                     "INCLUDE (" +
                     list.substr(4) + ", c0)",
                 "more than 32");
  // Extensions are left to a database; what uses them from a table is
  // not normalised.
  ExpectDeclined(
      "CREATE EXTENSION citext;\nCREATE TABLE t (a citext)",
      "a type not normalised here");
  ExpectDeclined("CREATE TABLE " + std::string(60, 'x') + " (a integer UNIQUE)",
                 "truncate");
  // The first statement the normaliser cannot take is the one named.
  ExpectDeclined(
      "CREATE TABLE ok (a integer);\n\n"
      "CREATE TABLE t (a text CHECK (a <> ''));\n",
      "models.sql:3: a CHECK expression");
}

TEST(ModelNormalize, LeavesViewsAndFunctionsToADatabase) {
  const std::string sql =
      "CREATE TABLE a (id integer PRIMARY KEY);\n"                       // 0
      "CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES "
      "a);\n"                                                            // 1
      "CREATE TABLE c (id integer);\n"                                   // 2
      "CREATE INDEX c_id ON c (id);\n"                                   // 3
      "CREATE VIEW v AS SELECT id FROM b;\n"                             // 4
      "COMMENT ON VIEW v IS 'x';\n"                                      // 5
      "COMMENT ON COLUMN v.id IS 'y';\n"                                 // 6
      "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS "
      "$$ SELECT count(*) FROM c $$;\n"                                  // 7
      "GRANT SELECT ON v TO PUBLIC;\n"                                   // 8
      "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;\n"                  // 9
      "CREATE INDEX mv_x ON mv (x);\n"                                   // 10
      "COMMENT ON TABLE a IS 'z';\n"                                     // 11
      "GRANT EXECUTE ON FUNCTION f() TO PUBLIC;\n";                      // 12
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  const NormalizedModels& n = *scan->normalized;
  ASSERT_TRUE(n.catalog.has_value()) << n.declined;
  EXPECT_EQ(n.residual,
            (std::vector<size_t>{4, 5, 6, 7, 8, 9, 10, 12}));
  // The tables the view and the function read, and the table b's foreign
  // key needs; not the index of c nor the comment on a.
  EXPECT_EQ(n.load,
            (std::vector<size_t>{0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 12}));
  EXPECT_EQ(n.catalog->tables.size(), 3u);
  EXPECT_EQ(n.catalog->indexes.count(RelationKey("public", "c_id")), 1u);
  EXPECT_TRUE(n.catalog->views.empty());
  EXPECT_TRUE(n.catalog->functions.empty());
  EXPECT_EQ(n.catalog->tables.at(RelationKey("public", "a")).comment, "z");
  // Read again (a scan from the scan cache): the same.
  NormalizedModels again = NormalizeModels(*scan);
  ASSERT_TRUE(again.catalog.has_value()) << again.declined;
  EXPECT_EQ(again.residual, n.residual);
  EXPECT_EQ(again.load, n.load);
  EXPECT_EQ(CatalogText(*again.catalog), CatalogText(*n.catalog));
}

TEST(ModelNormalize, PlainModelsLeaveNothing) {
  auto scan = ScanModels({ModelFile{"models.sql",
                                    "CREATE TABLE a (id integer);\n"
                                    "COMMENT ON COLUMN a.id IS 'x';\n"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_TRUE(scan->normalized->catalog.has_value());
  EXPECT_TRUE(scan->normalized->residual.empty());
  EXPECT_TRUE(scan->normalized->load.empty());
}

TEST(ModelNormalize, SchemasUsedButNotCreatedAreReported) {
  auto scan = ScanModels({ModelFile{
      "models.sql", "CREATE TABLE auth.users (id integer PRIMARY KEY)"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << scan->normalized->declined;
  EXPECT_EQ(scan->normalized->needed_schemas, (std::set<std::string>{"auth"}));
  EXPECT_FALSE(scan->normalized->unqualified);
}

TEST(ModelNormalize, ParsedAgainFromAScanWithoutIt) {
  const std::string sql =
      "CREATE TABLE a (id integer PRIMARY KEY);\n"
      "CREATE TABLE b (id integer REFERENCES a);\n";
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  ASSERT_TRUE(scan.ok());
  ASSERT_TRUE(scan->normalized->catalog.has_value());
  NormalizedModels again = NormalizeModels(*scan);
  ASSERT_TRUE(again.catalog.has_value()) << again.declined;
  EXPECT_EQ(CatalogText(*again.catalog),
            CatalogText(*scan->normalized->catalog));
  EXPECT_TRUE(again.unqualified);
}

TEST(ModelNormalize, ForeignKeyDefinitionAndDependencies) {
  auto scan = ScanModels({ModelFile{
      "models.sql",
      "CREATE SCHEMA app;\n"
      "CREATE TABLE app.p (id integer PRIMARY KEY);\n"
      "CREATE TABLE \"Order\" (pid integer REFERENCES app.p ON DELETE "
      "CASCADE DEFERRABLE, note text DEFAULT 'x');\n"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << scan->normalized->declined;
  const Catalog& c = *scan->normalized->catalog;
  const Table& t = c.tables.at(RelationKey("public", "Order"));
  ASSERT_EQ(t.constraints.size(), 1u);
  EXPECT_EQ(t.constraints[0].name, "Order_pid_fkey");
  EXPECT_EQ(t.constraints[0].definition,
            "FOREIGN KEY (pid) REFERENCES app.p(id) ON DELETE CASCADE "
            "DEFERRABLE");
  EXPECT_EQ(t.constraints[0].referenced_table, RelationKey("app", "p"));
  EXPECT_EQ(t.FindColumn("note")->default_expr, "'x'::text");
  EXPECT_EQ(
      c.depends_on.at(ConstraintKey("public", "Order", "Order_pid_fkey")),
      (std::set<std::string>{
          RelationKey("public", "Order"), ColumnKey("public", "Order", "pid"),
          RelationKey("app", "p"), ColumnKey("app", "p", "id"),
          ConstraintKey("app", "p", "p_pkey")}));
  EXPECT_TRUE(scan->normalized->unqualified);
  EXPECT_EQ(scan->normalized->created_schemas, (std::set<std::string>{"app"}));
}

// Past 64 statements the parse runs on several threads: the statements are
// still walked in file order, and the first syntax error in that order is
// the one reported, with its file and line.
TEST(ModelNormalize, ManyStatementsParsedInOrder) {
  std::string a, b;
  for (int i = 0; i < 700; ++i) {
    a += "CREATE TABLE t" + std::to_string(i) + " (id integer PRIMARY KEY" +
         (i > 0 ? ", up integer REFERENCES t" + std::to_string(i - 1) : "") +
         ");\n";
  }
  for (int i = 0; i < 300; ++i) {
    b += "CREATE TABLE s.u" + std::to_string(i) + " (id integer);\n";
  }
  auto scan = ScanModels({{"a.sql", a}, {"b.sql", "CREATE SCHEMA s;\n" + b}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->statements.size(), 1001u);
  EXPECT_EQ(scan->statements[700].path, "b.sql");
  EXPECT_EQ(scan->schemas.at("public").tables, 700);
  EXPECT_EQ(scan->schemas.at("s").tables, 300);
  ASSERT_TRUE(scan->normalized->catalog.has_value())
      << scan->normalized->declined;
  EXPECT_EQ(scan->normalized->catalog->tables.size(), 1000u);
  NormalizedModels again = NormalizeModels(*scan);
  ASSERT_TRUE(again.catalog.has_value()) << again.declined;
  EXPECT_EQ(CatalogText(*again.catalog),
            CatalogText(*scan->normalized->catalog));

  std::string broken = a;
  broken.replace(broken.find("CREATE TABLE t600 "), 12, "CREATE TABEL");
  broken.replace(broken.find("CREATE TABLE t650 "), 12, "CREATE TABEL");
  auto failed = ScanModels({{"a.sql", broken}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(),
            "a.sql:601: syntax error at or near \"TABEL\"");
}

}  // namespace
}  // namespace retort
