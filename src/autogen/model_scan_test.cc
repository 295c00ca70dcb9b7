#include "autogen/model_scan.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

ModelScan MustScan(const std::vector<ModelFile>& files) {
  auto scan = ScanModels(files);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  return scan.ok() ? std::move(scan).value() : ModelScan{};
}

// "name:tables/objects[+created][?mentioned]" per schema, for compact
// assertions.
std::string Summary(const ModelScan& scan) {
  std::string out;
  for (const auto& [name, s] : scan.schemas) {
    if (!out.empty()) out += " ";
    out +=
        name + ":" + std::to_string(s.tables) + "/" + std::to_string(s.objects);
    if (s.created) out += "+created";
    if (s.mentioned_only()) out += "?mentioned";
  }
  return out;
}

TEST(ModelScan, CountsTablesAndObjectsPerSchema) {
  ModelScan scan =
      MustScan({{"a.sql",
                 "CREATE SCHEMA auth;\n"
                 "CREATE TABLE auth.users (id int);\n"
                 "CREATE UNLOGGED TABLE auth.cache (k text);\n"
                 "CREATE INDEX ON auth.users (id);\n"
                 "CREATE VIEW auth.v AS SELECT 1;\n"
                 "CREATE MATERIALIZED VIEW auth.mv AS SELECT 1;\n"
                 "CREATE TABLE auth.copy AS SELECT 1 AS x;\n"
                 "CREATE TYPE auth.mood AS ENUM ('a');\n"
                 "CREATE DOMAIN auth.pos AS int CHECK (VALUE > 0);\n"
                 "CREATE FUNCTION auth.f() RETURNS int LANGUAGE "
                 "sql AS 'SELECT 1';\n"
                 "CREATE SEQUENCE auth.s;\n"
                 "CREATE TEMP TABLE scratch (x int);\n"
                 "COMMENT ON TABLE auth.users IS 'u';\n"}});
  EXPECT_EQ(Summary(scan), "auth:3/10+created");
  EXPECT_EQ(scan.creates, 12);
  EXPECT_EQ(scan.statements.size(), 13u);
  EXPECT_EQ(scan.statements[1].statement.line, 2);
}

TEST(ModelScan, CreateSchemaElementsAndPartitions) {
  ModelScan scan = MustScan(
      {{"a.sql",
        "CREATE SCHEMA app CREATE TABLE t (id int) CREATE VIEW v AS SELECT 1;\n"
        "CREATE TABLE app.p (d date) PARTITION BY RANGE (d);\n"
        "CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES FROM "
        "('2020-01-01') TO ('2021-01-01');\n"}});
  EXPECT_EQ(Summary(scan), "app:3/4+created");
}

TEST(ModelScan, UnqualifiedNamesFollowSearchPath) {
  ModelScan scan = MustScan({{"a.sql",
                              "CREATE TABLE a (id int);\n"
                              "SET search_path TO \"$user\", inv, public;\n"
                              "CREATE TABLE b (id int);\n"},
                             {"b.sql",
                              "CREATE TABLE c (id int);\nRESET search_path;\n"
                              "CREATE TABLE d (id int);\n"}});
  EXPECT_EQ(Summary(scan), "inv:2/2 public:2/2");
  EXPECT_EQ(scan.schemas["inv"].files,
            (std::vector<std::string>{"a.sql", "b.sql"}));
}

TEST(ModelScan, MentionsFromReferencesTypesAndFunctions) {
  ModelScan scan = MustScan(
      {{"a.sql",
        "CREATE TABLE t (a int REFERENCES billing.accounts, m shared.mood "
        "DEFAULT util.f(), n int DEFAULT pg_catalog.abs(1), ts timestamp);\n"
        "CREATE VIEW v AS SELECT * FROM reports.daily;\n"}});
  EXPECT_EQ(Summary(scan),
            "billing:0/0?mentioned public:1/2 reports:0/0?mentioned "
            "shared:0/0?mentioned util:0/0?mentioned");
}

TEST(ModelScan, SyntaxErrorNamesFileAndLine) {
  auto scan =
      ScanModels({{"ok.sql", "CREATE TABLE a (id int);"},
                  {"models/bad.sql",
                   "CREATE TABLE b (id int);\n\nCREATE TABLEE c ();\n"}});
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().message(),
            "models/bad.sql:3: syntax error at or near \"TABLEE\"");
  scan = ScanModels({{"q.sql", "CREATE TABLE a (t text DEFAULT 'x);\n"}});
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().message().rfind("q.sql:1: ", 0), 0u)
      << scan.status().message();
}

// A current pg_dump's first and last lines are the psql meta-commands
// \restrict and \unrestrict: skipped there, lines unchanged; a backslash
// command anywhere else is the parser's error.
TEST(ModelScan, PgDumpRestrictLinesAreSkipped) {
  auto scan = ScanModels(
      {{"db/structure.sql",
        "\\restrict 2CaSAexu0iACDLvoKN23\r\n\r\nSET lock_timeout = 0;\n"
        "CREATE TABLE public.a (id integer);\n\n"
        "\\unrestrict 2CaSAexu0iACDLvoKN23\n\n"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->statements.size(), 2u);
  EXPECT_EQ(scan->statements[0].statement.text, "SET lock_timeout = 0");
  EXPECT_EQ(scan->statements[0].statement.line, 3);
  EXPECT_EQ(scan->statements[1].statement.line, 4);
  // Rails before 8.0.3 appends its footer after the last one.
  scan = ScanModels({{"m.sql",
                      "CREATE TABLE a (id integer);\n\n"
                      "\\unrestrict abc\n\n"
                      "SET search_path TO \"$user\", public;\n"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->statements.size(), 2u);
  EXPECT_EQ(scan->statements[1].statement.text,
            "SET search_path TO \"$user\", public");
  EXPECT_EQ(scan->statements[1].statement.line, 5);
  // In a body it is text and stays as it was.
  scan = ScanModels({{"m.sql",
                      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\n"
                      "\\restrict abc\n$$;\n"}});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->statements.size(), 1u);
  EXPECT_NE(scan->statements[0].statement.text.find("\n\\restrict abc\n"),
            std::string::npos);
  // Any other backslash command is the parser's to report.
  scan = ScanModels({{"m.sql",
                      "CREATE TABLE a (id integer);\n"
                      "\\restrict\n"}});
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().message(), "m.sql:2: syntax error at or near \"\\\"");
  scan = ScanModels({{"m.sql", "\\connect app\nCREATE TABLE a (id int);\n"}});
  EXPECT_FALSE(scan.ok());
}

TEST(ModelScan, CheckModelsDefineSomething) {
  const std::string setting = "the 'models' setting in retort.toml";
  ModelScan empty = MustScan({{"m/a.sql", "-- nothing\n"}});
  EXPECT_EQ(CheckModelsDefineSomething(empty, {}, setting).message(),
            "the models define nothing: m/a.sql holds no CREATE statement, so "
            "every table in the database would look like a drop; put the "
            "schema's CREATE TABLE/VIEW/... statements in the model files, or "
            "fix the 'models' setting in retort.toml");

  ModelScan auth = MustScan(
      {{"a.sql", "CREATE TABLE auth.users (id int REFERENCES x.y);\n"}});
  EXPECT_TRUE(CheckModelsDefineSomething(auth, {}, setting).ok());
  IntrospectOptions only_auth;
  only_auth.include_schemas = {"auth"};
  EXPECT_TRUE(CheckModelsDefineSomething(auth, only_auth, setting).ok());
  IntrospectOptions only_x;
  only_x.include_schemas = {"x"};
  EXPECT_EQ(CheckModelsDefineSomething(auth, only_x, setting).message(),
            "the models define nothing in schema 'x' (they define objects in "
            "auth only), so every table there would look like a drop; check "
            "--schema (-x schema=...), include_schemas and exclude_schemas, or "
            "add the missing CREATE statements to the models");
  // An extension defines something, though in no schema of its own.
  ModelScan ext = MustScan({{"e.sql", "CREATE EXTENSION pgcrypto;\n"}});
  EXPECT_TRUE(CheckModelsDefineSomething(ext, only_x, setting).ok());
}

}  // namespace
}  // namespace retort
