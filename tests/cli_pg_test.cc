// End-to-end tests of the retort binary against the harness's PostgreSQL:
// many processes upgrading at once, a failing statement, per-schema version
// tables chosen with -x schema=S, and offline SQL replayed with psql.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

class CliPgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\nurl = \"" + url_ + "\"\n");
    p_.WriteFile("migrations/script.sql.tmpl", "");
  }

  // One table per revision, in a chain of `n`.
  void WriteChain(int n) {
    std::string prev;
    for (int i = 1; i <= n; ++i) {
      char id[13];
      snprintf(id, sizeof id, "%012x", i);
      WriteRevision(p_, id, prev, "", "",
                    "CREATE TABLE t_" + std::to_string(i) +
                        " (id integer PRIMARY KEY, name text NOT NULL, "
                        "created_at timestamptz DEFAULT now());",
                    "DROP TABLE t_" + std::to_string(i) + ";");
      prev = id;
    }
  }

  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    auto conn = Connect(url_);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return {};
    auto r = (*conn)->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::vector<std::string>> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::vector<std::string> cells;
      for (const auto& c : row) cells.push_back(c.value_or("NULL"));
      out.push_back(cells);
    }
    return out;
  }

  std::string url_;
  TempProject p_;
};

TEST_F(CliPgTest, SixteenProcessesApplyEachRevisionOnce) {
  WriteChain(20);
  constexpr int kRunners = 16;
  std::vector<int> pids;
  for (int i = 0; i < kRunners; ++i)
    pids.push_back(p_.Spawn({"upgrade", "head"}, i + 1));
  for (int i = 0; i < kRunners; ++i) {
    CliResult r = p_.Wait(pids[i], i + 1);
    EXPECT_EQ(r.exit_code, 0) << "runner " << i << ": " << r.err;
  }
  EXPECT_EQ(Query("SELECT version_num FROM alembic_version"),
            (std::vector<std::vector<std::string>>{{"000000000014"}}));
  // Exactly one upgrade per revision, whoever ran it.
  auto rows = Query(
      "SELECT revision, count(*) FROM alembic_version_history "
      "WHERE direction = 'upgrade' GROUP BY revision ORDER BY revision");
  ASSERT_EQ(rows.size(), 20u);
  for (const auto& row : rows) EXPECT_EQ(row[1], "1") << row[0];
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.tables WHERE "
                  "table_name LIKE 't\\_%'")[0][0],
            "20");
}

TEST_F(CliPgTest, FailingStatementNamesFileLineAndRollsBack) {
  WriteRevision(p_, "aaaa00000001", "", "", "",
                "CREATE TABLE users (id integer PRIMARY KEY);",
                "DROP TABLE users;");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  WriteRevision(p_, "bbbb00000002", "aaaa00000001", "", "",
                "ALTER TABLE users ADD COLUMN email text;\n"
                "INSERT INTO users (id, email)\n  VALUES (1, 'a'), (1, 'b');",
                "");
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  // The INSERT starts on line 11 of the file (header 7 lines, blank, marker,
  // ALTER on 10).
  EXPECT_NE(r.err.find("bbbb00000002.sql:11: upgrade bbbb00000002 failed: "
                       "ERROR 23505: duplicate key value violates unique "
                       "constraint \"users_pkey\"\nDETAIL: Key (id)=(1) "
                       "already exists."),
            std::string::npos)
      << r.err;
  // Nothing of the failed revision stayed.
  EXPECT_EQ(Query("SELECT version_num FROM alembic_version"),
            (std::vector<std::vector<std::string>>{{"aaaa00000001"}}));
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.columns WHERE "
                  "table_name = 'users' AND column_name = 'email'")[0][0],
            "0");
  r = p_.Run({"current"});
  EXPECT_EQ(r.out, "aaaa00000001\n");
}

TEST_F(CliPgTest, SchemaFromXArgumentUsesItsVersionTable) {
  WriteRevision(p_, "a0a0a0a0a0a0", "", "auth", "",
                "CREATE TABLE ${schema}.users (id integer PRIMARY KEY);",
                "DROP TABLE ${schema}.users;");
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                  url_ + "\"\n[schemas.auth]\ncreate = true\n");
  CliResult r = p_.Run({"-x", "schema=auth", "upgrade", "auth@head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query("SELECT version_num FROM auth.alembic_version_auth"),
            (std::vector<std::vector<std::string>>{{"a0a0a0a0a0a0"}}));
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.tables WHERE "
                  "table_schema = 'auth' AND table_name = 'users'")[0][0],
            "1");
  r = p_.Run({"current", "--schema", "auth"});
  EXPECT_EQ(r.out, "a0a0a0a0a0a0 (head)\n");
  // Without the schema there is no version table to read: the project
  // keeps one per schema, and says so instead of printing nothing.
  r = p_.Run({"current"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: current: this project keeps a version table per schema "
            "(auth: the [schemas.*] sections of retort.toml); name one with "
            "--schema auth (or -x schema=auth), or run them all with "
            "--all-schemas\n");
  EXPECT_EQ(r.out, "");
  // revision --autogenerate compares the models with one schema's tables
  // and version table: which one is asked, and nothing is written.
  r = p_.Run({"revision", "--autogenerate", "-m", "more users"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: revision --autogenerate: this project keeps a version "
            "table per schema (auth: the [schemas.*] sections of "
            "retort.toml); name one with --schema auth (or -x "
            "schema=auth)\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(p_.List("migrations/versions"),
            std::vector<std::string>{"a0a0a0a0a0a0.sql"});
  // upgrade without it would replay the branch into public.alembic_version.
  r = p_.Run({"upgrade", "heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(TableExists(url_, "public.alembic_version"));
  // A typo is never a new version table.
  r = p_.Run({"--schema", "authh", "upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --schema authh: not a schema of this project (auth: the "
            "[schemas.*] sections of retort.toml); to add it, add a "
            "[schemas.authh] section; did you mean 'auth'?\n");
}

// In a project without [schemas.*], --schema names a schema of the
// database, a [tenants] schema or a branch label; a typo is an error
// before anything runs.
TEST_F(CliPgTest, UnknownSchemaIsAnError) {
  WriteChain(2);
  Query("CREATE SCHEMA prod");
  CliResult r = p_.Run({"--schema", "prodd", "upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --schema prodd: no schema prodd in the database, and it "
            "is neither a [tenants] schema nor a branch label of this "
            "project (a new schema's first revision carries its name as "
            "branch label; or declare it with a [schemas.prodd] section); "
            "did you mean 'prod'?\n");
  EXPECT_FALSE(TableExists(url_, "alembic_version_prodd"));
  EXPECT_FALSE(TableExists(url_, "t_1"));
  r = p_.Run({"-x", "schema=prodd", "current"});
  EXPECT_EQ(r.exit_code, 1);
  r = p_.Run({"--schema", "prodd", "upgrade", "head", "--sql"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot see the database's schemas offline"),
            std::string::npos)
      << r.err;
  // The schema that exists is fine, its version table in it.
  r = p_.Run({"--schema", "prod", "upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(TableExists(url_, "prod.alembic_version_prod"));
}

TEST_F(CliPgTest, CheckHeads) {
  WriteChain(2);
  CliResult r = p_.Run({"current", "--check-heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: Database is not on all head revisions\n");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"current", "--check-heads"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "000000000002 (head)\n");
}

TEST_F(CliPgTest, OfflineSqlReplayedWithPsqlMatchesOnline) {
  WriteChain(5);
  CliResult sql = p_.Run({"upgrade", "head", "--sql"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  p_.WriteFile("upgrade.sql", sql.out);
  // psql from the same installation the harness runs.
  auto parsed = ParseDatabaseUrl(url_);
  ASSERT_TRUE(parsed.ok());
  std::string psql = "psql";
  if (const char* bindir = getenv("RETORT_PG_BINDIR"))
    psql = std::string(bindir) + "/psql";
  else
    psql = "/usr/lib/postgresql/15/bin/psql";
  std::string cmd = psql + " -X -q -v ON_ERROR_STOP=1 -1 -f '" +
                    p_.Path("upgrade.sql") + "' '" + url_ + "' >/dev/null";
  ASSERT_EQ(system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(Query("SELECT version_num FROM alembic_version"),
            (std::vector<std::vector<std::string>>{{"000000000005"}}));
  // retort sees the database as migrated: nothing left to do.
  CliResult r = p_.Run({"upgrade", "head", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"steps\": []"), std::string::npos) << r.out;
  r = p_.Run({"current"});
  EXPECT_EQ(r.out, "000000000005 (head)\n");
}

TEST_F(CliPgTest, UpgradeRelativeAndDowngrade) {
  WriteChain(4);
  ASSERT_EQ(p_.Run({"upgrade", "+2"}).exit_code, 0);
  EXPECT_EQ(p_.Run({"current"}).out, "000000000002\n");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  ASSERT_EQ(p_.Run({"downgrade", "-1"}).exit_code, 0);
  EXPECT_EQ(p_.Run({"current"}).out, "000000000003\n");
  CliResult r = p_.Run({"downgrade", "base"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_.Run({"current"}).out, "");
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.tables WHERE "
                  "table_name LIKE 't\\_%'")[0][0],
            "0");
  r = p_.Run({"upgrade", "zzzz"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("zzzz"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace retort::testing
