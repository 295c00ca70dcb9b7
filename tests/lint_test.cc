// End-to-end tests of `retort lint`: exact text and JSON output, exit
// codes, the disable directive, the pending revisions and the live ranking
// by table size against the harness's PostgreSQL, SQLite projects, and the
// warnings `revision --autogenerate` prints for the file it wrote.
#include "retort/lint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"

namespace retort::testing {
namespace {

constexpr char kUsers[] =
    "CREATE TABLE users (id int PRIMARY KEY, email text, name varchar(20));";

std::string RuleWhy(const std::string& id) {
  for (const LintRuleInfo& rule : LintRules()) {
    if (rule.id == id) return rule.why;
  }
  return "no rule " + id;
}

class LintCliTest : public ::testing::Test {
 protected:
  void Offline() {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\n");
    p_.WriteFile("migrations/script.sql.tmpl", "");
  }
  void Online() {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\nurl = \"" + url_ + "\"\n");
  }
  void Exec(const std::string& sql) {
    auto db = Connect(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status st = (*db)->Execute(sql);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // pg_size_pretty of the table's total size: what lint must print.
  std::string PrettySize(const std::string& table) {
    auto db = Connect(url_);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return "";
    auto r = (*db)->Query("SELECT pg_size_pretty(pg_total_relation_size('" +
                          table + "'))");
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r->rows[0][0] : "";
  }
  int64_t TotalSize(const std::string& table) {
    auto db = Connect(url_);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return -1;
    auto r = (*db)->Query("SELECT pg_total_relation_size('" + table + "')");
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::stoll(*r->rows[0][0]) : -1;
  }
  std::string url_;
  TempProject p_;
};

TEST_F(LintCliTest, EveryRevisionWithoutADatabaseExactOutput) {
  Offline();
  WriteRevision(p_, "a1", "", "", "", kUsers, "DROP TABLE users;");
  WriteRevision(p_, "b2", "a1", "", "",
                "ALTER TABLE users ALTER COLUMN name TYPE text;\n"
                "ALTER TABLE users DROP COLUMN email;\n"
                "ALTER TABLE users RENAME COLUMN name TO full_name;",
                "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
                "ALTER TABLE users ADD COLUMN email text;");
  CliResult r = p_.Run({"lint"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err,
            "note: no database URL: every revision is linted when none is "
            "named, without table sizes\n");
  EXPECT_EQ(
      r.out,
      "migrations/versions/b2.sql:11: error [drop-column] drops column "
      "\"email\" of users and its data\n"
      "    ALTER TABLE users DROP COLUMN email;\n"
      "    lock: ACCESS EXCLUSIVE on users\n"
      "    why: " +
          RuleWhy("drop-column") +
          "\n\n"
          "migrations/versions/b2.sql:12: warning [rename-column] renames "
          "column \"name\" of users to \"full_name\"\n"
          "    ALTER TABLE users RENAME COLUMN name TO full_name;\n"
          "    lock: ACCESS EXCLUSIVE on users\n"
          "    why: " +
          RuleWhy("rename-column") +
          "\n\n"
          "1 error, 1 warning in 2 revisions\n");

  // One revision named: the earlier one still tells lint the column types.
  r = p_.Run({"lint", "b2", "-q"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("1 error, 1 warning in 1 revision\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("alter-column-type"), std::string::npos) << r.out;
}

TEST_F(LintCliTest, WarningsAloneExitZeroAndDirectivesSilence) {
  Offline();
  WriteRevision(p_, "a1", "", "", "",
                "-- retort: lint disable=drop-table\nDROP TABLE legacy;\n"
                "ALTER TABLE users RENAME TO accounts;",
                "ALTER TABLE accounts RENAME TO users;");
  CliResult r = p_.Run({"lint", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 errors, 1 warning in 1 revision (1 silenced by "
                       "\"-- retort: lint disable\")\n"),
            std::string::npos)
      << r.out;
  // A directive naming no rule stops lint, naming file and line.
  WriteRevision(p_, "a1", "", "", "",
                "-- retort: lint disable=drop-tabel\nDROP TABLE legacy;",
                "SELECT 1;");
  r = p_.Run({"lint"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + p_.dir() +
                       "/migrations/versions/a1.sql:10: unknown lint rule "
                       "\"drop-tabel\" in \"-- retort: lint "
                       "disable=drop-tabel\"; did you mean 'drop-table'? (see "
                       "'retort lint --rules' for the rules)\n");
  // The directive does not stop the revision from running.
  WriteRevision(p_, "a1", "", "", "",
                "-- retort: lint disable=create-index-non-concurrent\n"
                "CREATE TABLE t (a int);",
                "DROP TABLE t;");
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nurl = "
               "\"sqlite:///app.db\"\n");
  r = p_.Run({"upgrade", "head", "--sql"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CREATE TABLE t (a int);"), std::string::npos) << r.out;
}

TEST_F(LintCliTest, JsonShape) {
  Offline();
  WriteRevision(p_, "a1", "", "", "", "CREATE INDEX ix ON users (email);", "");
  p_.WriteFile("migrations/versions/a1.sql",
               p_.ReadFile("migrations/versions/a1.sql")
                   .replace(p_.ReadFile("migrations/versions/a1.sql")
                                .find("-- retort: empty"),
                            16, ""));
  CliResult r = p_.Run({"lint", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.dump(), nlohmann::json::parse(R"({
    "version": 1,
    "revisions": ["a1"],
    "dialect": "postgresql",
    "database": null,
    "findings": [
      {"rule": "create-index-non-concurrent", "severity": "error",
       "revision": "a1", "path": "migrations/versions/a1.sql", "line": 10,
       "statement": "CREATE INDEX ix ON users (email);", "table": "users",
       "lock": "SHARE",
       "message": "builds index \"ix\" on users without CONCURRENTLY: writes wait for the whole build",
       "size": null},
      {"rule": "irreversible-downgrade", "severity": "warning",
       "revision": "a1", "path": "migrations/versions/a1.sql", "line": 12,
       "statement": "", "table": null, "lock": null,
       "message": "the downgrade section has no statement and no \"-- retort: empty\"",
       "size": null}
    ],
    "errors": 1,
    "warnings": 1,
    "disabled": 0,
    "notes": ["no database URL: every revision is linted when none is named, without table sizes"]
  })")
                          .dump());
}

TEST_F(LintCliTest, RulesAndUnknownRevision) {
  Offline();
  WriteRevision(p_, "a1", "", "", "", "SELECT 1;", "SELECT 1;");
  CliResult r = p_.Run({"lint", "--rules"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("drop-column                    error    ALTER TABLE "
                       "... DROP COLUMN\n"),
            std::string::npos)
      << r.out;
  r = p_.Run({"lint", "ffff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Can't locate revision identified by 'ffff'\n");
}

TEST_F(LintCliTest, SqliteProjectsGetTheFileLevelRuleOnly) {
  Offline();
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nurl = "
               "\"sqlite:///app.db\"\n");
  WriteRevision(p_, "a1", "", "", "",
                "CREATE TABLE t (a int);\n"
                "CREATE INDEX i ON t (a);\nDROP TABLE old;",
                "DROP TABLE t;");
  CliResult r = p_.Run({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0 errors, 0 warnings in 1 revision\n");
  EXPECT_EQ(r.err,
            "note: the SQLite database does not exist yet: every revision is "
            "linted when none is named\n"
            "note: SQLite: only the file-level rule irreversible-downgrade "
            "applies; the statement rules are PostgreSQL's (SQLite rewrites "
            "tables on its own terms)\n");
  // lint did not create the database file.
  EXPECT_EQ(p_.List(""),
            (std::vector<std::string>{"migrations", "retort.toml"}));
}

// Pending revisions only, ranked by the live size of their tables, with
// the lock and the size printed.
TEST_F(LintCliTest, PendingRevisionsRankedByLiveTableSize) {
  Online();
  WriteRevision(p_, "a1", "", "", "",
                "CREATE TABLE small (id int, v text);\n"
                "CREATE TABLE big (id int, v text);",
                "DROP TABLE big; DROP TABLE small;");
  WriteRevision(p_, "b2", "a1", "", "",
                "CREATE INDEX small_v ON small (v);\n"
                "CREATE INDEX big_v ON big (v);\n"
                "CREATE INDEX CONCURRENTLY big_id ON big (id);",
                "DROP INDEX big_id; DROP INDEX big_v; DROP INDEX small_v;");
  // The database at a1 (made by hand: lint is what is under test).
  Exec(
      "CREATE TABLE small (id int, v text); CREATE TABLE big (id int, v "
      "text); CREATE TABLE alembic_version (version_num varchar(32) PRIMARY "
      "KEY); INSERT INTO alembic_version VALUES ('a1');");
  Exec(
      "INSERT INTO small SELECT g, 'x' FROM generate_series(1, 10) g;"
      "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, "
      "20000) g; ANALYZE small; ANALYZE big;");
  CliResult r = p_.Run({"lint", "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string why =
      "    why: " + RuleWhy("create-index-non-concurrent") + "\n";
  EXPECT_EQ(
      r.out,
      "migrations/versions/b2.sql:11: error [create-index-non-concurrent] "
      "builds index \"big_v\" on big without CONCURRENTLY: writes wait "
      "for the whole build\n"
      "    CREATE INDEX big_v ON big (v);\n"
      "    lock: SHARE on big (~20,000 rows, " +
          PrettySize("big") + ")\n" + why +
          "\n"
          "migrations/versions/b2.sql:10: error "
          "[create-index-non-concurrent] builds index \"small_v\" on "
          "small without CONCURRENTLY: writes wait for the whole build\n"
          "    CREATE INDEX small_v ON small (v);\n"
          "    lock: SHARE on small (~10 rows, " +
          PrettySize("small") +
          ")\n\n"
          "2 errors, 0 warnings in 1 revision\n");
  r = p_.Run({"lint", "--format", "json"});
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["revisions"], nlohmann::json::array({"b2"}));
  EXPECT_GE(j["database"]["server_version"].get<int>(), 120000);
  ASSERT_EQ(j["findings"].size(), 2u);
  EXPECT_EQ(j["findings"][0]["table"], "big");
  EXPECT_EQ(j["findings"][0]["size"]["rows"], 20000);
  EXPECT_GT(j["findings"][0]["size"]["pages"].get<int>(), 10);
  EXPECT_EQ(j["findings"][0]["size"]["bytes"], TotalSize("big"));
  EXPECT_EQ(j["findings"][1]["table"], "small");

  // At head: nothing pending, and lint says so.
  Exec("UPDATE alembic_version SET version_num = 'b2'");
  r = p_.Run({"lint"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "0 errors, 0 warnings in 0 revisions\n");
  EXPECT_EQ(r.err,
            "note: the database is at its heads: no pending revision to lint "
            "(name revisions to lint them, e.g. 'retort lint heads')\n");
  // --no-database: every revision, no sizes.
  r = p_.Run({"lint", "--no-database", "-q"});
  EXPECT_NE(r.out.find("    lock: SHARE on big\n"), std::string::npos) << r.out;
}

// With a database, a table a pending revision creates is new to the pending
// revisions after it: indexing it needs no CONCURRENTLY. Without one, lint
// cannot know the table is not in production already, and fires. DROP
// INDEX finds its table (for the size) in pg_index.
TEST_F(LintCliTest, TablesOfPendingRevisionsAreNewAndDropIndexFindsItsTable) {
  Online();
  WriteRevision(p_, "a1", "", "", "", "CREATE TABLE big (id int, v text);",
                "DROP TABLE big;");
  WriteRevision(p_, "b2", "a1", "", "", "CREATE TABLE fresh (id int);",
                "DROP TABLE fresh;");
  WriteRevision(p_, "c3", "b2", "", "",
                "CREATE INDEX fresh_id ON fresh (id);\n"
                "DROP INDEX big_v;",
                "CREATE INDEX big_v ON big (v); DROP INDEX fresh_id;");
  Exec(
      "CREATE TABLE big (id int, v text); CREATE INDEX big_v ON big (v); "
      "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); "
      "INSERT INTO alembic_version VALUES ('a1');"
      "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 500) g;"
      "ANALYZE big;");
  CliResult r = p_.Run({"lint", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "migrations/versions/c3.sql:11: warning "
            "[drop-index-non-concurrent] drops index big_v without "
            "CONCURRENTLY: ACCESS EXCLUSIVE on public.big until it is done, "
            "and every query on the table queues behind it while it waits "
            "for that lock\n"
            "    DROP INDEX big_v;\n"
            "    lock: ACCESS EXCLUSIVE on public.big (~500 rows, " +
                PrettySize("big") + ")\n    why: " +
                RuleWhy("drop-index-non-concurrent") +
                "\n\n0 errors, 1 warning in 2 revisions\n");
  r = p_.Run({"lint", "--no-database", "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("migrations/versions/c3.sql:10: error "
                       "[create-index-non-concurrent] builds index "
                       "\"fresh_id\" on fresh"),
            std::string::npos)
      << r.out;
}

// The live catalog knows column types, validated checks and the version.
TEST_F(LintCliTest, LiveCatalogDecidesTypeChangesAndNotNull) {
  Online();
  Exec(std::string(kUsers) +
       "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) "
       "NOT VALID; ALTER TABLE users VALIDATE CONSTRAINT email_nn;"
       "CREATE TYPE mood AS ENUM ('ok');");
  WriteRevision(p_, "a1", "", "", "",
                "ALTER TABLE users ALTER COLUMN name TYPE text;\n"
                "ALTER TABLE users ALTER COLUMN name TYPE varchar(5);\n"
                "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
                "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n"
                "ALTER TYPE mood ADD VALUE 'meh';",
                "SELECT 1;");
  CliResult r = p_.Run({"lint", "--format", "json"});
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> got;
  for (const auto& f : j["findings"]) {
    got.push_back(f["rule"].get<std::string>() + "@" +
                  std::to_string(f["line"].get<int>()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"alter-column-type@11",
                                           "set-not-null@13"}))
      << r.out;
  // Offline the old type is unknown, and the enum rule cannot know the
  // server.
  r = p_.Run({"lint", "--no-database", "--format", "json"});
  j = nlohmann::json::parse(r.out);
  got.clear();
  for (const auto& f : j["findings"]) {
    got.push_back(f["rule"].get<std::string>() + "@" +
                  std::to_string(f["line"].get<int>()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "alter-column-type@10", "alter-column-type@11",
                     "set-not-null@12", "set-not-null@13",
                     "enum-add-value-in-transaction@14"}));
}

TEST_F(LintCliTest, RevisionAutogeneratePrintsLintWarnings) {
  Online();
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                  url_ + "\"\nmodels = [\"models/*.sql\"]\n");
  WriteRevision(p_, "a1", "", "", "", kUsers, "DROP TABLE users;");
  Exec(std::string(kUsers) +
       "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); "
       "INSERT INTO alembic_version VALUES ('a1');");
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));\n");
  CliResult r = p_.Run(
      {"revision", "--autogenerate", "-m", "drop email", "--rev-id", "b2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string file = p_.ReadFile("migrations/versions/b2_drop_email.sql");
  ASSERT_NE(file.find("DROP COLUMN email"), std::string::npos) << file;
  // The warning names the line of the DROP in the file written.
  int line = 1;
  for (size_t i = 0; i < file.find("ALTER TABLE"); ++i) line += file[i] == '\n';
  const std::string expected =
      "warning: " + p_.dir() +
      "/migrations/versions/b2_drop_email.sql:" + std::to_string(line) +
      ": [drop-column] drops column \"email\" of public.users and its data "
      "(lock: ACCESS EXCLUSIVE on public.users (~0 rows, " +
      PrettySize("users") + "))\n";
  EXPECT_NE(r.err.find(expected), std::string::npos) << r.err << "\n" << file;
  // -q hides them.
  Exec(
      "ALTER TABLE users DROP COLUMN email; UPDATE alembic_version SET "
      "version_num = 'b2';");
  p_.WriteFile("models/app.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
  r = p_.Run({"revision", "--autogenerate", "-m", "drop name", "--rev-id", "c3",
              "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace retort::testing
