// Schema per domain, end to end with the retort binary on the harness's
// PostgreSQL: the seed 000 document replayed step by step, revisions placed
// on a schema's branch, --all-schemas in "Depends On" order, and the checks
// that keep one schema's run from breaking another's.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"
#include "script/template.h"
#include "util/strings.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;

// The path in "Generating <path> ...  done".
std::string GeneratedPath(const std::string& out) {
  const std::string prefix = "Generating ";
  size_t start = out.find(prefix);
  size_t end = out.find(" ...  done");
  if (start == std::string::npos || end == std::string::npos) return "";
  return out.substr(start + prefix.size(), end - start - prefix.size());
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The value of a header line ("-- Revision ID: abc") in a revision file.
std::string Header(const std::string& file, const std::string& key) {
  std::string marker = "-- " + key + ":";
  size_t at = file.find(marker);
  if (at == std::string::npos) return "<missing>";
  size_t end = file.find('\n', at);
  return std::string(
      Trim(file.substr(at + marker.size(), end - at - marker.size())));
}

// Seed 000 ("Работа со схемами в базе данных"), its steps in order, with
// retort in place of Alembic (docs/guides/000-schema-per-domain.md): one database, a schema per domain (auth,
// inventory), a version table per schema (alembic_version_auth, ...), a
// branch label per schema, "-x schema=<name>" on every command.
TEST(SchemasPg, Seed000Replay) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  const std::map<std::string, std::string> env = {{"DATABASE_URL", url}};

  // "Мы используем один репозиторий Alembic в корне проекта": one project.
  CliResult r = p.Run({"init", "-t", "multischema", "migrations"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 3.1 / 3.2.1: SCHEMA_VERSION_TABLES = {"auth": "alembic_version_auth",
  // "inventory": "alembic_version_inventory"} is the template's sections.
  std::string config = p.ReadFile("retort.toml");
  EXPECT_NE(config.find("[schemas.auth]\nversion_table = "
                        "\"alembic_version_auth\"\nbranch = \"auth\""),
            std::string::npos)
      << config;
  EXPECT_NE(config.find("[schemas.inventory]\nversion_table = "
                        "\"alembic_version_inventory\"\nbranch = "
                        "\"inventory\""),
            std::string::npos);
  EXPECT_NE(p.ReadFile("migrations/README.md").find("--all-schemas"),
            std::string::npos);
  // For the autogenerate step: the models of the auth domain.
  p.WriteFile("retort.toml", "models = [\"models/*.sql\"]\n" + config);
  p.WriteFile("models/auth.sql",
              "CREATE SCHEMA IF NOT EXISTS auth;\n"
              "CREATE TABLE auth.users (\n"
              "    id integer PRIMARY KEY,\n"
              "    email varchar(255) NOT NULL\n"
              ");\n");

  // 3.2.2: alembic revision --branch-label <schema> -m "init <schema> schema"
  std::map<std::string, std::string> init_ids;
  for (const std::string schema : {"auth", "inventory"}) {
    SCOPED_TRACE(schema);
    r = p.Run({"revision", "--branch-label", schema, "-m",
               "init " + schema + " schema"},
              env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string path = GeneratedPath(r.out);
    std::string file = Slurp(path);
    init_ids[schema] = Header(file, "Revision ID");
    // A base of its own, whatever other schemas exist.
    EXPECT_EQ(Header(file, "Revises"), "");
    EXPECT_EQ(Header(file, "Branch Labels"), schema);
    // retort writes what the document asks to add by hand; the DROP is
    // there, commented out, because it drops the data too.
    EXPECT_NE(file.find("-- migrate:upgrade\nCREATE SCHEMA IF NOT EXISTS " +
                        schema + ";\n"),
              std::string::npos)
        << file;
    EXPECT_NE(file.find("\n-- DROP SCHEMA IF EXISTS " + schema + " CASCADE;"),
              std::string::npos)
        << file;
    // "Внутри сгенерированного файла добавьте команду": the document's
    // downgrade, uncommented.
    std::string commented = "-- DROP SCHEMA IF EXISTS " + schema + " CASCADE;";
    file.replace(file.find(commented), commented.size(),
                 "DROP SCHEMA IF EXISTS " + schema + " CASCADE;");
    Spit(path, file);
  }
  // Two heads, one per schema (listed in file order, which is by id).
  r = p.Run({"heads"}, env);
  std::vector<std::string> heads = SplitList(r.out, '\n');
  std::sort(heads.begin(), heads.end());
  std::vector<std::string> expected = {
      init_ids["auth"] + " (auth) (head)",
      init_ids["inventory"] + " (inventory) (head)"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(heads, expected);

  // 3.3: every command takes -x schema=<name>. Autogenerate compares with
  // a database at the branch's head, so auth is brought there first.
  r = p.Run({"-x", "schema=auth", "upgrade", "head"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p.Run({"revision", "-x", "schema=auth", "--autogenerate", "-m",
             "add users table to auth"},
            env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string users_path = GeneratedPath(r.out);
  std::string users = Slurp(users_path);
  std::string users_id = Header(users, "Revision ID");
  // Appended to auth@head, not to the graph's (two) heads.
  EXPECT_EQ(Header(users, "Revises"), init_ids["auth"]);
  EXPECT_EQ(Header(users, "Branch Labels"), "");
  EXPECT_NE(users.find("CREATE TABLE auth.users"), std::string::npos) << users;

  // Every schema to its branch head, each with its own version table.
  r = p.Run({"upgrade", "heads", "--all-schemas"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  migrated         2\n"), std::string::npos) << r.out;
  EXPECT_EQ(VersionRows(url, "auth.alembic_version_auth"), Strings{users_id});
  EXPECT_EQ(VersionRows(url, "inventory.alembic_version_inventory"),
            Strings{init_ids["inventory"]});
  EXPECT_EQ(
      Rows(url,
           "SELECT table_schema || '.' || table_name FROM "
           "information_schema.tables WHERE table_schema IN ('public', "
           "'auth', 'inventory') ORDER BY 1"),
      (Strings{"auth.alembic_version_auth", "auth.alembic_version_auth_history",
               "auth.alembic_version_auth_retort", "auth.users",
               "inventory.alembic_version_inventory",
               "inventory.alembic_version_inventory_history",
               "inventory.alembic_version_inventory_retort"}));
  EXPECT_EQ(Rows(url,
                 "SELECT column_name || ' ' || data_type FROM "
                 "information_schema.columns WHERE table_schema = 'auth' AND "
                 "table_name = 'users' ORDER BY ordinal_position"),
            (Strings{"id integer", "email character varying"}));
  r = p.Run({"current", "--all-schemas"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "auth: " + users_id + " (head)\ninventory: " +
                       init_ids["inventory"] + " (head)\n");

  // history --schema auth is auth's branch alone; -x schema=auth the same.
  r = p.Run({"history", "--schema", "auth"}, env);
  EXPECT_EQ(r.out, init_ids["auth"] + " -> " + users_id +
                       " (auth) (head), add users table to auth\n<base> -> " +
                       init_ids["auth"] + " (auth), init auth schema\n");
  EXPECT_EQ(p.Run({"history", "-x", "schema=auth"}, env).out, r.out);
  r = p.Run({"current", "-x", "schema=inventory"}, env);
  EXPECT_EQ(r.out, init_ids["inventory"] + " (head)\n");

  // The guide's forms: -x after the command, relative targets.
  r = p.Run({"downgrade", "-x", "schema=auth", "-1"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url, "auth.alembic_version_auth"),
            Strings{init_ids["auth"]});
  r = p.Run({"upgrade", "-x", "schema=auth", "head"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url, "auth.alembic_version_auth"), Strings{users_id});
  // What retort refuses (docs/guides/000-schema-per-domain.md, 5): no
  // schema, and a schema the project does not have.
  r = p.Run({"upgrade", "head"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("upgrade: this project keeps a version table per "
                       "schema (auth, inventory"),
            std::string::npos)
      << r.err;
  r = p.Run({"-x", "schema=authh", "upgrade", "head"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean 'auth'?"), std::string::npos) << r.err;
  EXPECT_FALSE(TableExists(url, "public.alembic_version"));

  // Down again, one schema: the document's DROP SCHEMA ... CASCADE runs,
  // and inventory is untouched.
  r = p.Run({"-x", "schema=auth", "downgrade", "base"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM pg_namespace WHERE nspname = "
                   "'auth'"),
            "0");
  EXPECT_EQ(VersionRows(url, "inventory.alembic_version_inventory"),
            Strings{init_ids["inventory"]});
}

class SchemasPgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    p_.WriteFile("migrations/versions/.keep", "");
    p_.WriteFile("migrations/script.sql.tmpl",
                 std::string(kDefaultScriptTemplate));
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ +
                                    "\"\n[schemas.users]\ncreate = true\n"
                                    "[schemas.accounts]\ncreate = true\n");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(SchemasPgTest, RevisionGoesOnTheSchemaBranch) {
  CliResult r = p_.Run({"revision", "--schema", "users", "-m",
                        "init users schema", "--rev-id", "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = Slurp(GeneratedPath(r.out));
  EXPECT_EQ(Header(file, "Branch Labels"), "users");
  EXPECT_NE(file.find("CREATE SCHEMA IF NOT EXISTS users;"), std::string::npos);
  r = p_.Run({"revision", "--schema", "users", "-m", "add users", "--rev-id",
              "aaaa00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  file = Slurp(GeneratedPath(r.out));
  EXPECT_EQ(Header(file, "Revises"), "aaaa00000001");
  EXPECT_EQ(Header(file, "Branch Labels"), "");
  // Another schema starts its own base even though the graph has a head.
  r = p_.Run({"revision", "-x", "schema=accounts", "-m", "init accounts schema",
              "--rev-id", "bbbb00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  file = Slurp(GeneratedPath(r.out));
  EXPECT_EQ(Header(file, "Revises"), "");
  EXPECT_EQ(Header(file, "Branch Labels"), "accounts");
  r = p_.Run({"revision", "--schema", "users", "-m", "more", "--rev-id",
              "aaaa00000003"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Header(Slurp(GeneratedPath(r.out)), "Revises"), "aaaa00000002");
  // heads --schema: the branch's own head.
  EXPECT_EQ(p_.Run({"heads", "--schema", "users"}).out,
            "aaaa00000003 (users) (head)\n");
  EXPECT_EQ(p_.Run({"heads", "-x", "schema=accounts"}).out,
            "bbbb00000001 (accounts) (head)\n");
  // An explicit --head still wins.
  r = p_.Run({"revision", "--schema", "users", "-m", "fork", "--head",
              "aaaa00000001", "--splice", "--rev-id", "aaaa00000009"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Header(Slurp(GeneratedPath(r.out)), "Revises"), "aaaa00000001");
}

// accounts (alphabetically first) references users.users: --all-schemas
// must run users first, and running accounts alone checks that it did.
TEST_F(SchemasPgTest, AllSchemasFollowDependsOn) {
  WriteRevision(p_, "aaaa00000001", "", "users", "",
                "CREATE SCHEMA IF NOT EXISTS users;",
                "DROP SCHEMA users CASCADE;");
  WriteRevision(p_, "aaaa00000002", "aaaa00000001", "", "",
                "CREATE TABLE users.users (id integer PRIMARY KEY);",
                "DROP TABLE users.users;");
  WriteRevision(p_, "bbbb00000001", "", "accounts", "",
                "CREATE SCHEMA IF NOT EXISTS accounts;",
                "DROP SCHEMA accounts CASCADE;");
  WriteRevision(p_, "bbbb00000002", "bbbb00000001", "", "aaaa00000002",
                "CREATE TABLE accounts.accounts (id integer PRIMARY KEY, "
                "user_id integer NOT NULL REFERENCES users.users (id));",
                "DROP TABLE accounts.accounts;");

  // Alone, accounts stops before it starts: its dependency is not applied.
  CliResult r = p_.Run({"--schema", "accounts", "upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Database " + url_ +
                ", version table alembic_version_accounts, schema accounts\n"
                "error: revision bbbb00000002 of schema accounts depends on "
                "aaaa00000002 of schema users, which is not applied in "
                "users.alembic_version_users; upgrade users first, or run "
                "'retort upgrade heads --all-schemas'\n");
  EXPECT_FALSE(TableExists(url_, "accounts.alembic_version_accounts"));

  r = p_.Run({"upgrade", "heads", "--all-schemas", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["units"].size(), 2u);
  EXPECT_EQ(j["kind"], "schemas");
  EXPECT_EQ(j["units"][0]["schema"], "users");
  EXPECT_EQ(j["units"][1]["schema"], "accounts");
  EXPECT_EQ(j["units"][1]["steps"], 2);
  EXPECT_EQ(VersionRows(url_, "accounts.alembic_version_accounts"),
            Strings{"bbbb00000002"});
  // The version tables record their own branch only.
  EXPECT_EQ(VersionRows(url_, "users.alembic_version_users"),
            Strings{"aaaa00000002"});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM accounts.alembic_version_accounts_"
                   "history"),
            "2");

  // Users cannot go below what accounts needs.
  r = p_.Run({"-x", "schema=users", "downgrade", "base"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "Database " + url_ +
          ", version table alembic_version_users, schema users\n"
          "error: cannot downgrade revision aaaa00000002 of schema users: "
          "revision bbbb00000002 of schema accounts depends on it and is "
          "applied in accounts.alembic_version_accounts; downgrade accounts "
          "first\n");
  EXPECT_TRUE(TableExists(url_, "users.users"));

  // A rerun finds both up to date.
  r = p_.Run({"upgrade", "heads", "--all-schemas"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  up to date       2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.rfind("upgrade heads: 2 schemas, 1 job, ", 0),
            std::string::npos)
      << r.out;

  // All the way down: accounts first, then users.
  r = p_.Run({"downgrade", "base", "--all-schemas", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["units"][0]["schema"], "accounts");
  EXPECT_EQ(j["units"][1]["schema"], "users");
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_namespace WHERE nspname "
                   "IN ('accounts', 'users')"),
            "0");
}

TEST_F(SchemasPgTest, AllSchemasStopsAtTheFirstFailure) {
  WriteRevision(p_, "aaaa00000001", "", "accounts", "",
                "CREATE TABLE broken (id integer REFERENCES nowhere (id));",
                "");
  WriteRevision(p_, "bbbb00000001", "", "users", "",
                "CREATE TABLE u (id integer);", "");
  CliResult r = p_.Run({"upgrade", "heads", "--all-schemas"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  failed           1\n  not started      1\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed:\n  accounts: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("aaaa00000001.sql:10: upgrade aaaa00000001 failed: "
                       "ERROR 42P01: relation \"nowhere\" does not exist"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "error: 1 of 2 schemas failed\n");
  // The failed schema was rolled back, schema creation included.
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_namespace WHERE nspname "
                   "IN ('accounts', 'users')"),
            "0");
}

}  // namespace
}  // namespace retort::testing
