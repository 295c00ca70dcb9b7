// End-to-end tests of `diff`, `check`, `revision --autogenerate` and
// `schemas` against the harness's PostgreSQL: models written as SQL files,
// compared with a real database or with the migrations, and the generated
// revision applied and reverted.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

class CliAutogenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    Config("models = [\"models/*.sql\"]\n");
  }
  void Config(const std::string& extra) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n" + extra);
  }
  std::string url_;
  TempProject p_;
};

TEST_F(CliAutogenTest, RevisionAutogenerateAppliesAndChecksClean) {
  p_.WriteFile(
      "models/app.sql",
      "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
      "CREATE INDEX users_email ON users (email);\n");
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.rfind("New upgrade operations detected:\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE"), std::string::npos) << r.out;

  r = p_.Run({"revision", "--autogenerate", "-m", "users", "--rev-id",
              "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/aaaa00000001_users.sql");
  EXPECT_NE(file.find("CREATE TABLE"), std::string::npos) << file;
  EXPECT_NE(file.find("DROP TABLE"), std::string::npos) << file;

  // The database is behind the new revision: autogenerate refuses.
  r = p_.Run({"revision", "--autogenerate", "-m", "again"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Target database is not up to date.\n");

  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");
  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");

  // A model change shows up in diff, and the downgrade undoes the revision.
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL,"
               " full_name varchar(255));\n"
               "CREATE INDEX users_email ON users (email);\n");
  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("full_name"), std::string::npos) << r.out;
  ASSERT_EQ(p_.Run({"downgrade", "base"}).exit_code, 0);
  auto conn = Connect(url_);
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Query(
      "SELECT count(*) FROM information_schema.tables WHERE table_name = "
      "'users'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0][0].value_or(""), "0");
}

TEST_F(CliAutogenTest, ModelsThatMatchNothingAreAnError) {
  Config("models = [\"model/*.sql\"]\n");
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: models pattern 'model/*.sql' matched no file"),
            std::string::npos)
      << r.err;
}

TEST_F(CliAutogenTest, NoModelsConfigured) {
  Config("");
  CliResult r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: no models configured"), std::string::npos)
      << r.err;
}

TEST_F(CliAutogenTest, ModelErrorNamesFileAndLine) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABLE b (id int "
               "REFERENCES missing(id));\n");
  CliResult r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("app.sql:3: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("42P01"), std::string::npos) << r.err;
}

// A port nothing listens on: connecting fails at once.
constexpr char kUnreachableUrl[] = "postgresql://postgres@127.0.0.1:1/nodb";

// The first row's first column of `sql` on `url`.
std::string Scalar(const std::string& url, const std::string& sql) {
  auto conn = Connect(url);
  if (!conn.ok()) return "connect failed: " + conn.status().message();
  auto rows = (*conn)->Query(sql);
  if (!rows.ok()) return "query failed: " + rows.status().message();
  if (rows->rows.empty()) return "no rows";
  return rows->rows[0][0].value_or("NULL");
}

// Tables of user schemas in the database at `url`, "schema.name" sorted,
// comma-separated.
std::string UserTables(const std::string& url) {
  return Scalar(url,
                "SELECT coalesce(string_agg(schemaname || '.' || tablename, "
                "',' ORDER BY schemaname, tablename), '') FROM pg_tables WHERE "
                "schemaname NOT IN "
                "('pg_catalog', 'information_schema')");
}

int ScratchDatabases() {
  std::string n = Scalar(PgHarness::Get()->AdminUrl(),
                         "SELECT count(*) FROM pg_database WHERE datname LIKE "
                         "'retort\\_scratch\\_%'");
  return std::atoi(n.c_str());
}

// What lies between "-- migrate:upgrade" / "-- migrate:downgrade" and the
// next section of a revision file, trimmed of blank lines at both ends.
std::string Section(const std::string& file, const std::string& name) {
  std::string marker = "-- migrate:" + name + "\n";
  size_t start = file.find(marker);
  if (start == std::string::npos) return "<no " + name + " section>";
  start += marker.size();
  size_t end = file.find("-- migrate:", start);
  std::string body = file.substr(
      start, end == std::string::npos ? std::string::npos : end - start);
  while (!body.empty() && body.front() == '\n') body.erase(0, 1);
  while (body.size() > 1 && body[body.size() - 1] == '\n' &&
         body[body.size() - 2] == '\n') {
    body.pop_back();
  }
  return body;
}

// A temporary directory the `postgres` OS user can enter (as root, the
// throwaway cluster runs as that user), for TMPDIR of a child retort, so a
// test can see what the cluster leaves behind.
class SharedTmpDir {
 public:
  SharedTmpDir() {
    std::string tmpl = "/tmp/retort-tmpdir-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) {
      dir_ = tmpl;
      chmod(dir_.c_str(), 0755);
    }
  }
  ~SharedTmpDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec))
      names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::string dir_;
};

TEST_F(CliAutogenTest, ModelsWithoutCreateStatementsAreAnError) {
  // Seed 003's trap: models that hold nothing would make every table look
  // like a drop. The check runs before anything connects.
  p_.WriteFile("models/app.sql", "-- the tables moved to another file\n");
  CliResult r = p_.Run({"check", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: the models define nothing: models/app.sql holds no CREATE "
            "statement, so every table in the database would look like a "
            "drop; put the schema's CREATE TABLE/VIEW/... statements in the "
            "model files, or fix the 'models' setting in retort.toml\n");

  p_.WriteFile("models/more.sql", "SELECT 1;\nSET search_path TO app;\n");
  r = p_.Run({"diff", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: the models define nothing: the 2 model files "
            "(models/app.sql, models/more.sql) hold no CREATE statement, so "
            "every table in the database would look like a drop; put the "
            "schema's CREATE TABLE/VIEW/... statements in the model files, or "
            "fix the 'models' setting in retort.toml\n");
  r = p_.Run({"revision", "--autogenerate", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("error: the models define nothing: ")) << r.err;
  EXPECT_EQ(p_.List("migrations/versions"), std::vector<std::string>{});
}

TEST_F(CliAutogenTest, GlobMatchingNothingIsAnError) {
  Config("models = [\"model/*.sql\"]\n");
  CliResult r = p_.Run({"check", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: models pattern 'model/*.sql' matched no file (looked for "
            "'model/*.sql'); fix the 'models' setting\n");
}

TEST_F(CliAutogenTest, ModelsDefiningNothingInTheComparedSchemaAreAnError) {
  p_.WriteFile("models/auth.sql",
               "CREATE SCHEMA auth;\nCREATE TABLE auth.users (id int);\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "--schema", "inventory"},
        std::vector<std::string>{"check", "-x", "schema=inventory"}}) {
    std::vector<std::string> full = args;
    full.push_back("--url");
    full.push_back(kUnreachableUrl);
    CliResult r = p_.Run(full);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "error: the models define nothing in schema 'inventory' (they "
              "define objects in auth only), so every table there would look "
              "like a drop; check --schema (-x schema=...), include_schemas "
              "and exclude_schemas, or add the missing CREATE statements to "
              "the models\n");
  }
  Config("models = [\"models/*.sql\"]\nexclude_schemas = [\"au*\"]\n");
  CliResult r = p_.Run({"check", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: the models define nothing in the schemas that are not "
            "excluded (they define objects in auth only), so every table "
            "there would look like a drop; check --schema (-x schema=...), "
            "include_schemas and exclude_schemas, or add the missing CREATE "
            "statements to the models\n");
}

TEST_F(CliAutogenTest, SyntaxErrorIsReportedBeforeAnythingConnects) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE a (id int);\n\nCREATE TABLEE b (id int);\n");
  CliResult r = p_.Run({"diff", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: models/app.sql:3: syntax error at or near \"TABLEE\"\n");
}

TEST_F(CliAutogenTest, UnreachableServerSaysWhatToDo) {
  p_.WriteFile("models/app.sql", "CREATE TABLE a (id int);\n");
  CliResult r = p_.Run({"diff", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with(
      "error: comparing the models with the database needs its server (start "
      "it, fix the url, or pass --from migrations to compare with the "
      "revisions instead): cannot connect to "
      "postgresql://postgres@127.0.0.1:1/nodb: "))
      << r.err;
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
}

TEST_F(CliAutogenTest, ServerErrorInAModelLeavesNothingBehind) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABLE b (id int "
               "REFERENCES missing(id));\n");
  int before = ScratchDatabases();
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: models/app.sql:3: ERROR 42P01: relation \"missing\" does "
            "not exist\n");
  EXPECT_EQ(ScratchDatabases(), before);
  EXPECT_EQ(UserTables(url_), "");
}

TEST_F(CliAutogenTest, SchemasListsWhatTheModelsDefineAndMention) {
  // No database at all: `schemas` only parses.
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nmodels = "
               "[\"models/*.sql\"]\n\n[schemas.auth]\n");
  p_.WriteFile("models/auth.sql",
               "CREATE SCHEMA auth;\n"
               "CREATE TABLE auth.users (id bigint PRIMARY KEY);\n"
               "CREATE TABLE auth.sessions (user_id bigint REFERENCES "
               "auth.users);\n"
               "CREATE INDEX sessions_user ON auth.sessions (user_id);\n");
  p_.WriteFile("models/inventory.sql",
               "CREATE TABLE inventory.items (id int, owner bigint REFERENCES "
               "auth.users, account int REFERENCES billing.accounts);\n"
               "SET search_path TO inventory, public;\n"
               "CREATE TABLE stock (item int);\n"
               "CREATE VIEW stock_view AS SELECT * FROM stock;\n");
  p_.WriteFile("models/public.sql",
               "RESET search_path;\nCREATE TABLE settings (k text);\n");
  CliResult r = p_.Run({"schemas"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "auth       2 tables\n"
            "billing    0 tables  (mentioned only)\n"
            "inventory  2 tables\n"
            "public     1 table\n");
  EXPECT_EQ(r.err, "");

  r = p_.Run({"schemas", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json expected = nlohmann::json::parse(R"([
    {"name": "auth", "tables": 2, "objects": 3, "created": true,
     "mentioned_only": false, "configured": true,
     "files": ["models/auth.sql", "models/inventory.sql"]},
    {"name": "billing", "tables": 0, "objects": 0, "created": false,
     "mentioned_only": true, "configured": false,
     "files": ["models/inventory.sql"]},
    {"name": "inventory", "tables": 2, "objects": 3, "created": false,
     "mentioned_only": false, "configured": false,
     "files": ["models/inventory.sql"]},
    {"name": "public", "tables": 1, "objects": 1, "created": false,
     "mentioned_only": false, "configured": false,
     "files": ["models/public.sql"]}
  ])");
  EXPECT_EQ(nlohmann::json::parse(r.out), expected) << r.out;
}

TEST_F(CliAutogenTest, SchemaFilterComparesOnlyThatSchema) {
  {
    auto conn = Connect(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE((*conn)
                    ->Execute("CREATE SCHEMA auth; CREATE SCHEMA inventory;"
                              "CREATE TABLE auth.users (id int);"
                              "CREATE TABLE inventory.items (id int);"
                              "CREATE TABLE public.legacy (id int);")
                    .ok());
  }
  p_.WriteFile("models/app.sql",
               "CREATE SCHEMA auth; CREATE SCHEMA inventory;\n"
               "CREATE TABLE auth.users (id int, email text);\n"
               "CREATE TABLE inventory.items (id int, qty int);\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"diff", "--schema", "auth"},
        std::vector<std::string>{"diff", "-x", "schema=auth"}}) {
    CliResult r = p_.Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ALTER TABLE auth.users ADD COLUMN email text;\n");
  }
  CliResult r = p_.Run({"diff", "--schema", "inventory"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ALTER TABLE inventory.items ADD COLUMN qty integer;\n");
  // Without the filter, every schema is compared (legacy is not modelled).
  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ADD COLUMN email"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ADD COLUMN qty"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DROP TABLE public.legacy"), std::string::npos) << r.out;
}

TEST_F(CliAutogenTest, SchemasOfTheModelsAreCreatedFirstAndKeepDropCommented) {
  // Seed 001: schemas come from the models (which need no CREATE SCHEMA),
  // the revision creates them IF NOT EXISTS, and the downgrade never drops
  // one -- with one version table, no [schemas.*] sections needed.
  Config("models = [\"models/*.sql\"]\n");
  p_.WriteFile("models/auth.sql",
               "CREATE TABLE auth.users (id bigint PRIMARY KEY);\n");
  p_.WriteFile("models/inventory.sql",
               "CREATE TABLE inventory.items (id bigint PRIMARY KEY, owner "
               "bigint REFERENCES auth.users);\n");
  CliResult r = p_.Run({"revision", "--autogenerate", "-m", "init schemas",
                        "--rev-id", "bbbb00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file =
      p_.ReadFile("migrations/versions/bbbb00000001_init_schemas.sql");
  std::string up = Section(file, "upgrade");
  EXPECT_TRUE(
      up.starts_with("CREATE SCHEMA IF NOT EXISTS auth;\n\n"
                     "CREATE SCHEMA IF NOT EXISTS inventory;\n\n"
                     "CREATE TABLE auth.users"))
      << file;
  EXPECT_EQ(up.find("DROP SCHEMA"), std::string::npos) << file;
  std::string down = Section(file, "downgrade");
  const std::string commented =
      "-- DROP SCHEMA is left commented out so that a downgrade never "
      "drops a schema other revisions or data may still use; uncomment it to "
      "drop inventory with everything in it:\n"
      "-- DROP SCHEMA IF EXISTS inventory CASCADE;\n\n"
      "-- DROP SCHEMA is left commented out so that a downgrade never "
      "drops a schema other revisions or data may still use; uncomment it to "
      "drop auth with everything in it:\n"
      "-- DROP SCHEMA IF EXISTS auth CASCADE;\n";
  ASSERT_GE(down.size(), commented.size()) << file;
  EXPECT_EQ(down.substr(down.size() - commented.size()), commented) << file;
  EXPECT_NE(down.find("DROP TABLE auth.users;"), std::string::npos) << file;

  // It runs, twice over is harmless, and the downgrade keeps the schemas.
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(UserTables(url_),
            "auth.users,inventory.items,public.alembic_version,public.alembic_"
            "version_history,public.alembic_version_retort");
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = p_.Run({"downgrade", "base"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM "
                   "pg_namespace WHERE nspname IN ('auth', 'inventory')"),
            "auth,inventory");
  EXPECT_EQ(UserTables(url_),
            "public.alembic_version,public.alembic_version_history,"
            "public.alembic_version_retort");
}

// retort's own tables follow the version table's name and are never
// compared: with version_table = "schema_migrations", the history and meta
// tables (schema_migrations_history, schema_migrations_retort) are not
// proposed for dropping.
TEST_F(CliAutogenTest, OwnTablesOfARenamedVersionTableAreSkipped) {
  Config(
      "models = [\"models/*.sql\"]\nversion_table = "
      "\"schema_migrations\"\n");
  p_.WriteFile("models/app.sql", "CREATE TABLE users (id bigint);\n");
  ASSERT_EQ(p_.Run({"revision", "--autogenerate", "-m", "users", "--rev-id",
                    "dddd00000001"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(UserTables(url_),
            "public.schema_migrations,public.schema_migrations_history,"
            "public.schema_migrations_retort,public.users");
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// An enum value added and used by the models: the revision commits the
// ADD VALUE in a step of its own, so `upgrade` runs it (PostgreSQL refuses
// the value in the transaction that added it); the downgrade recreates the
// type without it.
TEST_F(CliAutogenTest, EnumValueAddedAndUsedRunsEndToEnd) {
  p_.WriteFile("models/app.sql",
               "CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
               "CREATE TABLE t (id int, m mood);\n");
  ASSERT_EQ(p_.Run({"revision", "--autogenerate", "-m", "mood", "--rev-id",
                    "eeee00000001"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  ASSERT_TRUE(Open(url_)->Execute("INSERT INTO t VALUES (1, 'sad')").ok());
  p_.WriteFile("models/app.sql",
               "CREATE TYPE mood AS ENUM ('sad', 'happy', 'wild');\n"
               "CREATE TABLE t (id int, m mood DEFAULT 'wild');\n");
  CliResult r = p_.Run(
      {"revision", "--autogenerate", "-m", "wild", "--rev-id", "eeee00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/eeee00000002_wild.sql");
  EXPECT_NE(Section(file, "upgrade")
                .find("ADD VALUE 'wild' AFTER 'happy';\n\n-- retort: step\n"),
            std::string::npos)
      << file;
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_.Run({"check"}).exit_code, 0);
  EXPECT_EQ(Scalar(url_,
                   "SELECT column_default FROM information_schema."
                   "columns WHERE table_name = 't' AND column_name = "
                   "'m'"),
            "'wild'::mood");
  // Down again: the type without 'wild', the row kept.
  r = p_.Run({"downgrade", "-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(enumlabel, ',' ORDER BY "
                   "enumsortorder) FROM pg_enum"),
            "sad,happy");
  EXPECT_EQ(Scalar(url_, "SELECT m::text FROM t"), "sad");
}

TEST_F(CliAutogenTest, WithoutSchemasSectionsSchemaDropIsPlain) {
  p_.WriteFile("models/auth.sql",
               "CREATE SCHEMA auth;\nCREATE TABLE auth.users (id int);\n");
  CliResult r = p_.Run(
      {"revision", "--autogenerate", "-m", "auth", "--rev-id", "cccc00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/cccc00000001_auth.sql");
  EXPECT_TRUE(Section(file, "upgrade").starts_with("CREATE SCHEMA auth;\n"))
      << file;
  EXPECT_NE(Section(file, "downgrade")
                .find("-- retort: destructive\nDROP SCHEMA auth;\n"),
            std::string::npos)
      << file;
  EXPECT_EQ(file.find("IF NOT EXISTS"), std::string::npos) << file;
}

TEST_F(CliAutogenTest, FromMigrationsComparesWithTheReplayedRevisions) {
  // The revisions use a placeholder; the real database is never touched
  // (it stays empty, at base).
  Config(
      "models = [\"models/*.sql\"]\n\n[placeholders]\n"
      "users_table = \"users\"\n");
  WriteRevision(p_, "aaaa00000001", "", "", "",
                "CREATE TABLE ${users_table} (id bigint PRIMARY KEY);",
                "DROP TABLE ${users_table};");
  WriteRevision(p_, "aaaa00000002", "aaaa00000001", "", "",
                "CREATE INDEX CONCURRENTLY users_id ON users (id);",
                "DROP INDEX users_id;");
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id bigint PRIMARY KEY);\n"
               "CREATE INDEX users_id ON users (id);\n");
  int scratch_before = ScratchDatabases();
  CliResult r = p_.Run({"check", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");
  EXPECT_EQ(r.err, "Models: models/app.sql (1 source)\n");

  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
               "CREATE INDEX users_id ON users (id);\n");
  r = p_.Run({"check", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "ALTER TABLE public.users ADD COLUMN email text;\n");
  r = p_.Run({"diff", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ALTER TABLE public.users ADD COLUMN email text;\n");

  // The real database is behind (empty): with --from migrations that does
  // not matter.
  r = p_.Run({"revision", "--autogenerate", "--from", "migrations", "-m",
              "email", "--rev-id", "aaaa00000003"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/aaaa00000003_email.sql");
  EXPECT_NE(file.find("-- Revises: aaaa00000002\n"), std::string::npos) << file;
  EXPECT_EQ(Section(file, "upgrade"),
            "ALTER TABLE public.users ADD COLUMN email text;\n");
  EXPECT_EQ(Section(file, "downgrade"),
            "-- retort: destructive\nALTER TABLE public.users DROP COLUMN "
            "email;\n");
  r = p_.Run({"check", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  EXPECT_EQ(UserTables(url_), "");
  EXPECT_EQ(ScratchDatabases(), scratch_before);

  // Against the live database the same models are all new.
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("CREATE TABLE public.users"), std::string::npos)
      << r.out;
}

TEST_F(CliAutogenTest, FromMigrationsReportsAFailingRevision) {
  WriteRevision(p_, "dddd00000001", "", "", "",
                "CREATE TABLE t (id int);\nCREATE INDEX i ON nope (id);",
                "DROP TABLE t;");
  p_.WriteFile("models/app.sql", "CREATE TABLE t (id int);\n");
  CliResult r = p_.Run({"check", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 1);
  std::string path = p_.dir() + "/migrations/versions/dddd00000001.sql";
  EXPECT_EQ(r.err,
            "error: replaying the migrations (upgrade heads) into a scratch "
            "database: " +
                path +
                ":11: upgrade dddd00000001 failed: ERROR 42P01: relation "
                "\"nope\" does not exist\n");
  EXPECT_EQ(UserTables(url_), "");
}

TEST_F(CliAutogenTest, SchemaBranchMustBeAtItsHead) {
  // Seed 000: one branch per schema, a version table per schema. With
  // --schema auth, "at head" means at auth's head, whatever inventory does.
  Config(
      "models = [\"models/*.sql\"]\n\n[schemas.auth]\ncreate = true\n\n"
      "[schemas.inventory]\ncreate = true\n");
  WriteRevision(p_, "a00000000001", "", "auth", "",
                "CREATE TABLE auth.users (id int);", "DROP TABLE auth.users;");
  WriteRevision(p_, "b00000000001", "", "inventory", "",
                "CREATE TABLE inventory.items (id int);",
                "DROP TABLE inventory.items;");
  p_.WriteFile("models/app.sql",
               "CREATE TABLE auth.users (id int, email text);\n"
               "CREATE TABLE inventory.items (id int);\n");
  ASSERT_EQ(p_.Run({"upgrade", "auth@head", "--schema", "auth"}).exit_code, 0);
  CliResult r =
      p_.Run({"revision", "--autogenerate", "--schema", "auth", "--head",
              "auth@head", "-m", "email", "--rev-id", "a00000000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/a00000000002_email.sql");
  EXPECT_EQ(Section(file, "upgrade"),
            "ALTER TABLE auth.users ADD COLUMN email text;\n");
  EXPECT_NE(file.find("-- Revises: a00000000001\n"), std::string::npos) << file;
  // auth's version table is now behind auth's head.
  r = p_.Run({"revision", "--autogenerate", "-x", "schema=auth", "--head",
              "auth@head", "-m", "again"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Target database is not up to date.\n");
  // Replayed, the branch is at its head by construction.
  r = p_.Run({"check", "--from", "migrations", "--schema", "auth"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");
}

TEST_F(CliAutogenTest, DevUrlFlagLeavesTheDevDatabaseUnchanged) {
  std::string dev = FreshDatabaseUrl();
  ASSERT_FALSE(dev.empty());
  p_.WriteFile("models/app.sql", "CREATE TABLE m (id int);\n");
  int scratch_before = ScratchDatabases();
  CliResult r = p_.Run({"diff", "--dev", dev, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["upgrade"], "CREATE TABLE public.m (\n    id integer\n);\n");
  EXPECT_EQ(j["compared_with"], "database");
  EXPECT_EQ(j["scratch"], "the dev database " + dev);
  EXPECT_EQ(UserTables(dev), "");
  EXPECT_EQ(UserTables(url_), "");
  EXPECT_EQ(ScratchDatabases(), scratch_before);

  r = p_.Run({"diff", "--dev", "ephemeral-ish"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --dev 'ephemeral-ish': expected 'ephemeral' or the "
            "postgresql:// URL of a dev database\n");
  r = p_.Run({"revision", "--from", "migrations", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --from, --dev and --online go with --autogenerate\n");
}

TEST_F(CliAutogenTest, EphemeralDevClusterIsUsedAndCleanedUp) {
  // The models go to a throwaway cluster; the target is read only.
  {
    auto conn = Connect(url_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("CREATE TABLE users (id int)").ok());
  }
  p_.WriteFile("models/app.sql", "CREATE TABLE users (id int, name text);\n");
  SharedTmpDir tmp;
  ASSERT_FALSE(tmp.dir().empty());
  int scratch_before = ScratchDatabases();
  CliResult r =
      p_.Run({"diff", "--dev", "ephemeral", "-v"}, {{"TMPDIR", tmp.dir()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ALTER TABLE public.users ADD COLUMN name text;\n");
  std::smatch port;
  ASSERT_TRUE(std::regex_search(
      r.err, port,
      std::regex("started a throwaway PostgreSQL [0-9]+ cluster in " +
                 tmp.dir() + "/retort-dev-[A-Za-z0-9]+ \\(port ([0-9]+)\\)")))
      << r.err;
  // Stopped and deleted; nothing was created on the target's server.
  EXPECT_EQ(tmp.Entries(), std::vector<std::string>{});
  auto gone =
      Connect("postgresql://postgres@127.0.0.1:" + port[1].str() + "/postgres");
  EXPECT_FALSE(gone.ok());
  EXPECT_EQ(ScratchDatabases(), scratch_before);
  EXPECT_EQ(UserTables(url_), "public.users");
}

TEST_F(CliAutogenTest, CheckFromMigrationsWithoutAServerUsesAThrowawayCluster) {
  WriteRevision(p_, "eeee00000001", "", "", "", "CREATE TABLE t (id int);",
                "DROP TABLE t;");
  p_.WriteFile("models/app.sql", "CREATE TABLE t (id int, n int);\n");
  SharedTmpDir tmp;
  ASSERT_FALSE(tmp.dir().empty());
  CliResult r =
      p_.Run({"check", "--from", "migrations", "--url", kUnreachableUrl},
             {{"TMPDIR", tmp.dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "ALTER TABLE public.t ADD COLUMN n integer;\n");
  EXPECT_TRUE(r.err.starts_with(
      "warning: cannot connect to postgresql://postgres@127.0.0.1:1/nodb: "))
      << r.err;
  EXPECT_NE(r.err.find("; starting a throwaway PostgreSQL cluster for the "
                       "comparison instead\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(tmp.Entries(), std::vector<std::string>{});
}

// --- Model files load in dependency order (whatever their names), and the
// commands say which files they read and which they did not.

TEST_F(CliAutogenTest, ModelFilesLoadInDependencyOrder) {
  // a_orders.sql sorts first but refers to b_users.sql's table, type and
  // function: the statements load in dependency order, on both paths (plain
  // models normalised by retort, and loaded into a scratch database).
  p_.WriteFile("models/a_orders.sql",
               "CREATE TABLE orders (\n"
               "  id bigint PRIMARY KEY,\n"
               "  user_id bigint NOT NULL REFERENCES users (id),\n"
               "  state order_state NOT NULL DEFAULT 'new'\n"
               ");\n"
               "CREATE INDEX orders_user ON orders (user_id);\n"
               "COMMENT ON TABLE orders IS 'what users bought';\n");
  p_.WriteFile("models/b_users.sql",
               "CREATE TYPE order_state AS ENUM ('new', 'paid');\n"
               "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  const std::string listed =
      "Models: models/a_orders.sql, models/b_users.sql (2 sources)\n";
  CliResult plain = p_.Run({"diff", "-v"}, {{"RETORT_CACHE", "off"}});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("models: 5 statements normalised without a "
                           "database"),
            std::string::npos)
      << plain.err;
  EXPECT_NE(plain.out.find("REFERENCES public.users(id)"), std::string::npos)
      << plain.out;
  int scratch_before = ScratchDatabases();
  CliResult loaded = p_.Run(
      {"diff"}, {{"RETORT_CACHE", "off"}, {"RETORT_MODEL_NORMALIZER", "off"}});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.err, listed);
  EXPECT_EQ(loaded.out, plain.out);
  EXPECT_EQ(ScratchDatabases(), scratch_before);

  // The generated revision applies, and the models and database then agree.
  CliResult r = p_.Run({"revision", "--autogenerate", "-m", "orders",
                        "--rev-id", "ord000000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, listed);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");
  EXPECT_EQ(r.err, listed);
  r = p_.Run({"check"},
             {{"RETORT_CACHE", "off"}, {"RETORT_MODEL_NORMALIZER", "off"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The scan cache keeps the load order.
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(CliAutogenTest, ModelFilesThatNeedEachOtherNameTheCycle) {
  p_.WriteFile("models/a_orders.sql",
               "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint "
               "REFERENCES users (id));\n");
  p_.WriteFile("models/b_users.sql",
               "-- users\n"
               "CREATE TABLE users (\n"
               "  id bigint PRIMARY KEY,\n"
               "  last_order bigint REFERENCES orders (id)\n"
               ");\n");
  int scratch_before = ScratchDatabases();
  for (int run = 0; run < 2; ++run) {  // the second with the caches warm
    CliResult r = p_.Run({"check"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "error: models/a_orders.sql:1: ERROR 42P01: relation \"users\" "
              "does not exist; these model statements need each other in a "
              "cycle, so no order loads them: models/a_orders.sql:1 needs "
              "table users from models/b_users.sql:2, which needs table "
              "orders from models/a_orders.sql:1; create one of the foreign "
              "keys after both tables instead, with ALTER TABLE ... ADD "
              "CONSTRAINT ... FOREIGN KEY\n")
        << "run " << run;
  }
  EXPECT_EQ(ScratchDatabases(), scratch_before);
  EXPECT_EQ(UserTables(url_), "");

  // Split as the note says, the models load.
  p_.WriteFile("models/b_users.sql",
               "CREATE TABLE users (id bigint PRIMARY KEY, last_order "
               "bigint);\n"
               "ALTER TABLE users ADD FOREIGN KEY (last_order) REFERENCES "
               "orders (id);\n");
  CliResult r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CREATE TABLE public.users"), std::string::npos)
      << r.out;
}

TEST_F(CliAutogenTest, ModelSourcesAreListedAndUnreadFilesWarnedAbout) {
  Config("models = [\"models/*.sql\", \"models/views/*.sql\"]\n");
  p_.WriteFile("models/auth.sql", "CREATE TABLE accounts (id int);\n");
  p_.WriteFile("models/users.sql", "CREATE TABLE users (id int);\n");
  p_.WriteFile("models/views/active.sql",
               "CREATE VIEW active AS SELECT * FROM users;\n");
  p_.WriteFile("models/billing/invoices.sql",
               "CREATE TABLE invoices (id int);\n");
  p_.WriteFile("models/billing/README.md", "not SQL\n");
  p_.WriteFile("models/.drafts/x.sql", "CREATE TABLE x (id int);\n");
  const std::string warning =
      "warning: models/billing/invoices.sql is not read: no pattern of "
      "'models' in retort.toml matches it\n";
  const std::string listed =
      "Models: models/auth.sql, models/users.sql, models/views/active.sql (3 "
      "sources)\n";

  CliResult r = p_.Run({"diff"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, warning + listed);
  EXPECT_NE(r.out.find("CREATE VIEW public.active"), std::string::npos);

  r = p_.Run({"revision", "--autogenerate", "-m", "first", "--rev-id",
              "src000000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, warning + listed);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);

  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, warning + listed + "No changes in schema detected.\n");
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");
  EXPECT_EQ(r.err, warning + listed);
  r = p_.Run({"revision", "--autogenerate", "-m", "nothing", "--rev-id",
              "src000000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, warning + listed +
                       "No changes in schema detected; the new revision is "
                       "empty\n");

  // JSON: the same lists, on stdout; the log lines stay on stderr.
  r = p_.Run({"diff", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["models"],
            nlohmann::json::parse(R"(["models/auth.sql", "models/users.sql",
                                      "models/views/active.sql"])"));
  EXPECT_EQ(j["unmatched_models"],
            nlohmann::json::parse(R"(["models/billing/invoices.sql"])"));
  EXPECT_EQ(r.err, warning + listed);

  // -q shows errors only; RETORT_LOG=warn keeps the warning.
  r = p_.Run({"check", "-q"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  r = p_.Run({"check"}, {{"RETORT_LOG", "warn"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, warning);

  // Read, it is no longer warned about (and it is a change).
  Config("models = [\"models/**/*.sql\", \"models/*.sql\"]\n");
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Models: models/auth.sql, models/billing/invoices.sql, "
            "models/users.sql, models/views/active.sql (4 sources)\n");
}

TEST_F(CliAutogenTest, UnreadFilesAreWarnedAboutBeforeAnError) {
  // The pattern misses the subfolder the files are in: the warning says
  // why it matched nothing.
  p_.WriteFile("models/auth/users.sql", "CREATE TABLE users (id int);\n");
  CliResult r = p_.Run({"check", "--url", kUnreachableUrl});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "warning: models/auth/users.sql is not read: no pattern of "
            "'models' in retort.toml matches it\n"
            "error: models pattern 'models/*.sql' matched no file (looked for "
            "'models/*.sql'); fix the 'models' setting\n");
}

TEST_F(CliAutogenTest, HundredsOfModelSourcesAreShortened) {
  std::string first_five;
  for (int i = 0; i < 250; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "models/t%03d.sql", i);
    p_.WriteFile(name, "CREATE TABLE t" + std::to_string(i) + " (id int);\n");
    if (i < 5) first_five += std::string(i ? ", " : "") + name;
  }
  for (int i = 0; i < 12; ++i) {
    p_.WriteFile("models/old/o" + std::to_string(i + 10) + ".sql",
                 "CREATE TABLE o (id int);\n");
  }
  CliResult r = p_.Run({"diff"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string unread;
  for (int i = 10; i < 15; ++i) {
    unread += "warning: models/old/o" + std::to_string(i) +
              ".sql is not read: no pattern of 'models' in retort.toml "
              "matches it\n";
  }
  EXPECT_EQ(r.err,
            unread +
                "warning: 7 more .sql files under the models folders are not "
                "read: no pattern of 'models' in retort.toml matches them (-v "
                "lists them all)\n"
                "Models: " +
                first_five +
                " and 245 more (250 sources; -v lists them all)\n");
  // -v names them all.
  r = p_.Run({"diff", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: models/old/o21.sql is not read"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Models: " + first_five + ", models/t005.sql, "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(", models/t249.sql (250 sources)\n"), std::string::npos)
      << r.err;
}

// CI without a database: no url at all, and --from migrations replays the
// revisions into a throwaway cluster (as the docs say).
TEST_F(CliAutogenTest, FromMigrationsNeedsNoUrl) {
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nmodels = "
               "[\"models/*.sql\"]\n");
  WriteRevision(p_, "aaaa00000001", "", "", "",
                "CREATE TABLE users (id bigint PRIMARY KEY);",
                "DROP TABLE users;");
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  CliResult r =
      p_.Run({"check", "--from", "migrations"}, {{"DATABASE_URL", ""}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "ALTER TABLE public.users ADD COLUMN email text;\n");
  EXPECT_NE(r.err.find("no database URL is configured; starting a throwaway "
                       "PostgreSQL cluster for the comparison"),
            std::string::npos)
      << r.err;
  // Without --from migrations there is nothing to compare with.
  r = p_.Run({"check"}, {{"DATABASE_URL", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no database URL"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace retort::testing
