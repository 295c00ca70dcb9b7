// The load order of model statements (model_order.h), through ScanModels,
// which reads the statements and puts them in that order.
#include "autogen/model_order.h"

#include <gtest/gtest.h>
#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "autogen/model_scan.h"

namespace retort {
namespace {

ModelScan MustScan(const std::vector<ModelFile>& files) {
  auto scan = ScanModels(files);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  return scan.ok() ? std::move(scan).value() : ModelScan{};
}

// "file:line" of each statement in load order, space-separated.
std::string Order(const std::vector<ModelFile>& files) {
  ModelScan scan = MustScan(files);
  std::string out;
  for (const ModelStatement& m : scan.statements) {
    if (!out.empty()) out += " ";
    out += m.path + ":" + std::to_string(m.statement.line);
  }
  return out;
}

TEST(ModelOrder, ModelsInDependencyOrderKeepTheirOrder) {
  EXPECT_EQ(
      Order({{"a.sql",
              "CREATE SCHEMA auth;\n"
              "CREATE TYPE auth.mood AS ENUM ('a');\n"
              "CREATE TABLE auth.users (id int PRIMARY KEY, m auth.mood);\n"
              "CREATE TABLE t (x int);\n"},
             {"b.sql",
              "CREATE TABLE orders (id int, u int REFERENCES "
              "auth.users);\n"
              "CREATE INDEX ON orders (u);\n"
              "CREATE VIEW v AS SELECT * FROM orders;\n"
              "COMMENT ON TABLE orders IS 'o';\n"}}),
      "a.sql:1 a.sql:2 a.sql:3 a.sql:4 b.sql:1 b.sql:2 b.sql:3 b.sql:4");
}

TEST(ModelOrder, SqlFunctionBodiesNeedWhatTheyRead) {
  // The server checks a LANGUAGE sql body when the function is created:
  // the table it reads comes first. A plpgsql body is not checked then,
  // and a body that does not parse needs nothing.
  EXPECT_EQ(Order({{"a.sql",
                    "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql AS "
                    "$$ SELECT count(*) FROM later $$;\n"
                    "CREATE FUNCTION p() RETURNS bigint LANGUAGE plpgsql AS "
                    "$$ BEGIN RETURN (SELECT count(*) FROM later); END $$;\n"
                    "CREATE FUNCTION q() RETURNS bigint LANGUAGE sql AS "
                    "$$ SELEC nothing $$;\n"},
                   {"b.sql", "CREATE TABLE later (id int);\n"}}),
            "a.sql:2 a.sql:3 b.sql:1 a.sql:1");
}

TEST(ModelOrder, TablesComeBeforeTheForeignKeysThatReferToThem) {
  // The file's statements that need nothing keep their place; those that
  // need users follow it, in the order read.
  EXPECT_EQ(Order({{"models/a_orders.sql",
                    "CREATE TABLE orders (id int PRIMARY KEY, user_id int "
                    "REFERENCES users (id));\n"
                    "CREATE TABLE products (id int);\n"
                    "CREATE INDEX orders_user ON orders (user_id);\n"
                    "COMMENT ON COLUMN orders.user_id IS 'who';\n"},
                   {"models/b_users.sql",
                    "CREATE TABLE users (id int PRIMARY KEY);\n"}}),
            "models/a_orders.sql:2 models/b_users.sql:1 models/a_orders.sql:1 "
            "models/a_orders.sql:3 models/a_orders.sql:4");
}

TEST(ModelOrder, TypesFunctionsSequencesAndSchemasComeFirst) {
  EXPECT_EQ(Order({{"a.sql",
                    "CREATE TABLE auth.t (m mood DEFAULT 'a', n int DEFAULT "
                    "nextval('auth.n_seq'), k int DEFAULT "
                    "nextval('\"K\"'::regclass));\n"
                    "CREATE TRIGGER tr BEFORE INSERT ON auth.t FOR EACH ROW "
                    "EXECUTE FUNCTION audit();\n"},
                   {"b.sql",
                    "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RETURN NEW; END $$;\n"
                    "CREATE SEQUENCE auth.n_seq;\n"
                    "CREATE SEQUENCE \"K\";\n"},
                   {"c.sql",
                    "CREATE TYPE mood AS ENUM ('a');\n"
                    "CREATE SCHEMA auth;\n"}}),
            "b.sql:1 b.sql:3 c.sql:1 c.sql:2 b.sql:2 a.sql:1 a.sql:2");
}

TEST(ModelOrder, ViewsAndGrantsFollowTheirTables) {
  EXPECT_EQ(
      Order({{"a_views.sql",
              "CREATE VIEW active AS SELECT * FROM users WHERE on_;\n"
              "GRANT SELECT ON active TO PUBLIC;\n"},
             {"b_tables.sql", "CREATE TABLE users (id int, on_ boolean);\n"}}),
      "b_tables.sql:1 a_views.sql:1 a_views.sql:2");
}

TEST(ModelOrder, AForeignKeyWaitsForTheKeyItRefersTo) {
  // pg_dump's shape, a file per table: the keys are added after the
  // tables, the foreign keys last.
  EXPECT_EQ(Order({{"orders.sql",
                    "CREATE TABLE orders (id int, user_id int);\n"
                    "ALTER TABLE ONLY orders ADD CONSTRAINT orders_pkey "
                    "PRIMARY KEY (id);\n"
                    "ALTER TABLE ONLY orders ADD CONSTRAINT orders_user_fkey "
                    "FOREIGN KEY (user_id) REFERENCES users(id);\n"},
                   {"users.sql",
                    "CREATE TABLE users (id int, best_order int);\n"
                    "ALTER TABLE ONLY users ADD CONSTRAINT users_pkey "
                    "PRIMARY KEY (id);\n"
                    "ALTER TABLE ONLY users ADD CONSTRAINT users_order_fkey "
                    "FOREIGN KEY (best_order) REFERENCES orders(id);\n"}}),
            "orders.sql:1 orders.sql:2 users.sql:1 users.sql:2 orders.sql:3 "
            "users.sql:3");
  // REFERENCES without columns needs the primary key.
  EXPECT_EQ(Order({{"a.sql", "CREATE TABLE a (u int REFERENCES b);\n"},
                   {"b.sql",
                    "CREATE TABLE b (id int);\n"
                    "CREATE UNIQUE INDEX b_id ON b (id);\n"
                    "ALTER TABLE b ADD PRIMARY KEY (id);\n"}}),
            "b.sql:1 b.sql:2 b.sql:3 a.sql:1");
}

TEST(ModelOrder, IndexesWaitForTheirColumns) {
  EXPECT_EQ(Order({{"a.sql", "CREATE INDEX t_email ON t (email);\n"},
                   {"b.sql",
                    "CREATE TABLE t (id int);\n"
                    "ALTER TABLE t ADD COLUMN email text;\n"}}),
            "b.sql:1 b.sql:2 a.sql:1");
}

TEST(ModelOrder, SearchPathAndCreateSchemaElements) {
  // Unqualified names are looked up along the search_path the statements
  // set; a redundant SET is no fence.
  EXPECT_EQ(
      Order({{"a.sql",
              "SET search_path TO app, public;\n"
              "CREATE TABLE orders (u int REFERENCES users);\n"},
             {"b.sql",
              "SET search_path TO app, public;\n"
              "CREATE SCHEMA app CREATE TABLE users (id int PRIMARY KEY);\n"}}),
      "a.sql:1 b.sql:1 b.sql:2 a.sql:2");
}

TEST(ModelOrder, PgDumpHeadersInEveryFileAreNoFence) {
  const std::string header =
      "SET statement_timeout = 0;\n"
      "SET client_encoding = 'UTF8';\n"
      "SELECT pg_catalog.set_config('search_path', '', false);\n"
      "SET check_function_bodies = false;\n";
  EXPECT_EQ(
      Order({{"a.sql", header + "CREATE TABLE public.orders (u int "
                                "REFERENCES public.users);\n"},
             {"b.sql", header + "CREATE TABLE public.users (id int PRIMARY "
                                "KEY);\n"}}),
      "a.sql:1 a.sql:2 a.sql:3 a.sql:4 b.sql:1 b.sql:2 b.sql:3 b.sql:4 "
      "b.sql:5 a.sql:5");
}

TEST(ModelOrder, DropsAndRenamesKeepTheirPlace) {
  EXPECT_EQ(Order({{"a.sql",
                    "DROP VIEW IF EXISTS v;\n"
                    "CREATE VIEW v AS SELECT * FROM t;\n"},
                   {"b.sql",
                    "DROP TABLE IF EXISTS t CASCADE;\n"
                    "CREATE TABLE t (id int);\n"}}),
            "a.sql:1 b.sql:1 b.sql:2 a.sql:2");
  EXPECT_EQ(Order({{"a.sql", "CREATE VIEW v AS SELECT * FROM t2;\n"},
                   {"b.sql",
                    "CREATE TABLE t (id int);\n"
                    "ALTER TABLE t RENAME TO t2;\n"}}),
            "b.sql:1 b.sql:2 a.sql:1");
}

TEST(ModelOrder, SelfReferencesAndUnknownNamesOrderNothing) {
  EXPECT_EQ(Order({{"a.sql",
                    "CREATE TABLE tree (id int PRIMARY KEY, parent int "
                    "REFERENCES tree);\n"
                    "CREATE TABLE x (e citext, t timestamptz DEFAULT now());\n"
                    "CREATE VIEW w AS WITH c AS (SELECT 1) SELECT * FROM c;\n"},
                   {"b.sql", "CREATE EXTENSION citext;\n"}}),
            "a.sql:1 a.sql:2 a.sql:3 b.sql:1");
}

TEST(ModelOrder, ACycleKeepsItsOrderWithANote) {
  ModelScan scan = MustScan(
      {{"models/a_orders.sql",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES "
        "users (id));\n"},
       {"models/b_users.sql",
        "CREATE TABLE users (id int PRIMARY KEY,\n  last_order int "
        "REFERENCES orders (id));\n"}});
  ASSERT_EQ(scan.statements.size(), 2u);
  EXPECT_EQ(scan.statements[0].path, "models/a_orders.sql");
  EXPECT_EQ(scan.statements[1].path, "models/b_users.sql");
  ASSERT_EQ(scan.order_notes.size(), 1u);
  EXPECT_EQ(scan.order_notes.at(0),
            "these model statements need each other in a cycle, so no order "
            "loads them: models/a_orders.sql:1 needs table users from "
            "models/b_users.sql:1, which needs table orders from "
            "models/a_orders.sql:1; create one of the foreign keys after both "
            "tables instead, with ALTER TABLE ... ADD CONSTRAINT ... FOREIGN "
            "KEY");
}

TEST(ModelOrder, ACycleDoesNotHoldUpTheRest) {
  ModelScan scan = MustScan({{"a.sql",
                              "CREATE VIEW v1 AS SELECT * FROM t;\n"
                              "CREATE VIEW a AS SELECT * FROM b;\n"
                              "CREATE VIEW b AS SELECT * FROM a;\n"},
                             {"b.sql", "CREATE TABLE t (id int);\n"}});
  std::string order;
  for (const ModelStatement& m : scan.statements) {
    order += m.path + ":" + std::to_string(m.statement.line) + " ";
  }
  EXPECT_EQ(order, "b.sql:1 a.sql:1 a.sql:2 a.sql:3 ");
  ASSERT_EQ(scan.order_notes.size(), 1u);
  EXPECT_EQ(scan.order_notes.at(2),
            "these model statements need each other in a cycle, so no order "
            "loads them: a.sql:2 needs view b from a.sql:3, which needs view "
            "a from a.sql:2");
}

TEST(ModelOrder, NothingMovesPastAFence) {
  ModelScan scan = MustScan({{"a.sql",
                              "CREATE TABLE orders (u int REFERENCES users);\n"
                              "SELECT 1;\n"},
                             {"b.sql",
                              "CREATE TABLE users (id int PRIMARY KEY);\n"
                              "DO $$ BEGIN END $$;\n"
                              "CREATE VIEW v AS SELECT * FROM w;\n"
                              "CREATE VIEW w AS SELECT 1;\n"}});
  std::string order;
  for (const ModelStatement& m : scan.statements) {
    order += m.path + ":" + std::to_string(m.statement.line) + " ";
  }
  EXPECT_EQ(order, "a.sql:1 a.sql:2 b.sql:1 b.sql:2 b.sql:4 b.sql:3 ");
  ASSERT_EQ(scan.order_notes.size(), 1u);
  EXPECT_EQ(scan.order_notes.at(0),
            "table users is created later, by b.sql:1, and this statement is "
            "not moved after it: a.sql:2 (SELECT) lies between, and no "
            "statement is moved past one whose effect on the statements after "
            "it cannot be told");

  // A search_path that changes is a fence; so is a SELECT that needs a
  // later table.
  scan = MustScan({{"a.sql",
                    "SELECT * FROM t;\n"
                    "SET search_path TO x;\n"
                    "CREATE TABLE y (id int);\n"},
                   {"b.sql", "CREATE TABLE public.t (id int);\n"}});
  ASSERT_EQ(scan.statements.size(), 4u);
  EXPECT_EQ(scan.statements[0].path, "a.sql");
  EXPECT_EQ(scan.statements[0].statement.line, 1);
  ASSERT_EQ(scan.order_notes.size(), 1u);
  EXPECT_EQ(scan.order_notes.at(0),
            "table public.t is created later, by b.sql:1, and a statement like "
            "this one (SELECT) is not moved, since what it does to the "
            "statements after it cannot be told");
}

TEST(ModelOrder, NotesFollowTheirStatementIntoItsPlace) {
  // The noted statement's index is its place in load order.
  ModelScan scan =
      MustScan({{"a.sql",
                 "CREATE TABLE p (q int REFERENCES q);\n"
                 "CREATE TABLE q (id int PRIMARY KEY, p int REFERENCES p);\n"},
                {"b.sql", "CREATE TABLE r (s int REFERENCES s);\n"},
                {"c.sql", "CREATE TABLE s (id int PRIMARY KEY);\n"}});
  // c.sql's s, b.sql's r, then the cycle in the order read.
  ASSERT_EQ(scan.statements.size(), 4u);
  EXPECT_EQ(scan.statements[0].path, "c.sql");
  EXPECT_EQ(scan.statements[1].path, "b.sql");
  EXPECT_EQ(scan.statements[2].statement.line, 1);
  ASSERT_EQ(scan.order_notes.size(), 1u);
  EXPECT_TRUE(scan.order_notes.count(2)) << scan.order_notes.begin()->first;
}

TEST(ModelOrder, TheReorderedModelsAreNormalisedInLoadOrder) {
  ModelScan scan =
      MustScan({{"a.sql", "CREATE TABLE orders (u int REFERENCES users);\n"},
                {"b.sql", "CREATE TABLE users (id int PRIMARY KEY);\n"}});
  ASSERT_NE(scan.normalized, nullptr);
  EXPECT_TRUE(scan.normalized->catalog.has_value())
      << scan.normalized->declined;
}

TEST(ModelOrder, IsDeterministic) {
  std::vector<ModelFile> files = {
      {"a.sql",
       "CREATE VIEW v AS SELECT * FROM t1, t2;\n"
       "CREATE TABLE t0 (id int);\n"},
      {"b.sql", "CREATE TABLE t2 (id int);\nCREATE TABLE t1 (id int);\n"}};
  const std::string first = Order(files);
  EXPECT_EQ(first, "a.sql:2 b.sql:1 b.sql:2 a.sql:1");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Order(files), first);
}

// The schemas a statement's reading says its tree names, sorted.
std::vector<std::string> Mentions(const std::string& sql) {
  PgQueryParseResult parsed = pg_query_parse(sql.c_str());
  EXPECT_EQ(parsed.error, nullptr) << sql;
  nlohmann::json tree =
      nlohmann::json::parse(parsed.error == nullptr ? parsed.parse_tree : "{}");
  pg_query_free_parse_result(parsed);
  std::vector<std::string> out;
  for (const auto& raw : tree.value("stmts", nlohmann::json::array())) {
    StatementReading reading = ReadModelStatement(raw["stmt"]);
    out.insert(out.end(), reading.mentions().begin(), reading.mentions().end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ModelOrder, ReadingsNameTheSchemasTheTreeMentions) {
  using V = std::vector<std::string>;
  // What the schema scan counts (model_scan.cc): the schema of every
  // RangeVar, "names" and "funcname" list, wherever it is, system schemas
  // left out -- in every kind of statement, DROP and SET included.
  EXPECT_EQ(
      Mentions("CREATE TABLE app.t (a billing.money_t DEFAULT util.f(), "
               "b int REFERENCES ref.x, c int DEFAULT pg_catalog.abs(1))"),
      (V{"app", "billing", "ref", "util"}));
  EXPECT_EQ(Mentions("CREATE FUNCTION api.f(x shared.t) RETURNS int LANGUAGE "
                     "sql AS 'select 1'"),
            (V{"api", "shared"}));
  EXPECT_EQ(Mentions("DROP TYPE IF EXISTS auth.mood"), V{"auth"});
  EXPECT_EQ(Mentions("DROP TABLE auth.users"), V{});  // a List, not names
  EXPECT_EQ(Mentions("CREATE FOREIGN TABLE ft.x (a lib.t) SERVER s"),
            (V{"ft", "lib"}));
  EXPECT_EQ(Mentions("CREATE EXTENSION citext SCHEMA ext"), V{});
  EXPECT_EQ(Mentions("SET search_path TO auth"), V{});
  EXPECT_EQ(Mentions("SELECT information_schema.f(), x.g() FROM y.z"),
            (V{"x", "y"}));
  EXPECT_EQ(Mentions("CREATE SCHEMA s CREATE TABLE t (a o.t) CREATE VIEW v AS "
                     "SELECT * FROM p.q"),
            (V{"o", "p"}));
}

TEST(ModelOrder, DirectUse) {
  // ModelDependencies without ScanModels: statements 0 and 1 in reverse.
  ModelDependencies deps;
  deps.Statement(0, nlohmann::json::parse(
                        R"({"ViewStmt": {"view": {"relname": "v"},
                            "query": {"SelectStmt": {"fromClause":
                              [{"RangeVar": {"relname": "t"}}]}}}})"));
  deps.Statement(1, nlohmann::json::parse(
                        R"({"CreateStmt": {"relation": {"relname": "t"}}})"));
  ModelOrder order =
      deps.Order(2, [](size_t i) { return "s" + std::to_string(i); });
  EXPECT_EQ(order.order, (std::vector<size_t>{1, 0}));
  EXPECT_FALSE(order.identity());
  EXPECT_TRUE(order.notes.empty());
}

}  // namespace
}  // namespace retort
