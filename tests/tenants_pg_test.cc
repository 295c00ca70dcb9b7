// Schema per tenant, end to end with the retort binary on the harness's
// PostgreSQL: every tenant migrated in parallel, a failing tenant isolated,
// canaries, resume, the tenant list from a query or a pattern, and two
// runs at once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;

std::string TenantName(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "t%02d", i);
  return buf;
}

class TenantsPgTest : public ::testing::Test {
 protected:
  static constexpr int kTenants = 12;

  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    std::string list;
    for (int i = 1; i <= kTenants; ++i)
      list += (i > 1 ? ", \"" : "\"") + TenantName(i) + "\"";
    Configure("schemas = [" + list + "]\n");
    // Three revisions with unqualified names: search_path puts them in
    // each tenant's schema.
    WriteRevision(p_, "000000000001", "", "", "",
                  "CREATE TABLE items (id integer PRIMARY KEY, name text);",
                  "DROP TABLE items;");
    WriteRevision(p_, "000000000002", "000000000001", "", "",
                  "ALTER TABLE items ADD COLUMN price numeric;",
                  "ALTER TABLE items DROP COLUMN price;");
    WriteRevision(p_, "000000000003", "000000000002", "", "",
                  "CREATE INDEX items_name ON items (name);",
                  "DROP INDEX items_name;");
  }

  void Configure(const std::string& tenants_section) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\n[tenants]\n" + tenants_section);
  }

  // How many tenants have every revision applied, and how many history
  // rows they hold together.
  std::string CountAtHead() {
    std::string union_sql;
    for (int i = 1; i <= kTenants; ++i) {
      std::string t = TenantName(i);
      if (i > 1) union_sql += " UNION ALL ";
      union_sql += "SELECT '" + t + "' AS t, (SELECT version_num FROM " + t +
                   ".alembic_version) AS v";
    }
    return Scalar(url_, "SELECT count(*) FROM (" + union_sql +
                            ") x WHERE v = '000000000003'");
  }

  bool SchemaExists(const std::string& name) {
    return Scalar(url_, "SELECT count(*) FROM pg_namespace WHERE nspname = '" +
                            name + "'") == "1";
  }

  // Transactions committed in the test database so far. Stats reach the
  // shared counters when a session ends, so this waits for retort's
  // sessions to be gone first.
  // Transactions committed in the database so far, once every other
  // session has gone (a backend's counts reach pg_stat_database when it
  // exits). Each probe is a session of its own and commits one transaction
  // too: the waiting probes are counted in the total (their sessions are
  // gone), the final read is not (it reads inside its own). probes_ says
  // how many waiting probes this call made.
  long long Commits() {
    auto parsed = ParseDatabaseUrl(url_);
    EXPECT_TRUE(parsed.ok());
    probes_ = 0;
    for (int i = 0; i < 100; ++i) {
      ++probes_;
      if (Scalar(url_,
                 "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                 "current_database() AND pid <> pg_backend_pid()") == "0")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::stoll(Scalar(url_,
                             "SELECT xact_commit FROM pg_stat_database WHERE "
                             "datname = current_database()"));
  }

  // The transactions a command committed between two Commits() calls: the
  // difference less the first call's final read and the second's probes.
  long long CommittedBetween(long long before, long long after) const {
    return after - before - 1 - probes_;
  }

  int probes_ = 0;

  std::string url_;
  TempProject p_;
};

TEST_F(TenantsPgTest, EveryTenantInParallelThenResumeIsOneQuery) {
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "--jobs", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("upgrade head: 12 tenants, 3 jobs, ", 0), 0u) << r.out;
  EXPECT_EQ(r.out.substr(r.out.find('\n') + 1),
            "  migrated        12\n"
            "  up to date       0\n"
            "  failed           0\n"
            "  not started      0\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(CountAtHead(), "12");
  // Each tenant's tables in its own schema, each with its own history.
  for (int i = 1; i <= kTenants; ++i) {
    std::string t = TenantName(i);
    EXPECT_TRUE(TableExists(url_, t + ".items")) << t;
    EXPECT_EQ(
        Scalar(url_, "SELECT count(*) FROM " + t + ".alembic_version_history"),
        "3")
        << t;
  }
  EXPECT_FALSE(TableExists(url_, "public.items"));
  EXPECT_FALSE(TableExists(url_, "public.alembic_version"));

  r = p_.Run({"current", "--tenants"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "revision             tenants\n"
            "000000000003 (head)       12\n");

  // A rerun: every tenant is skipped after one survey. A run per tenant
  // would commit at least 4 transactions each (lock, version table read,
  // unlock, ...); the survey is 2 statements, and this test's own probes
  // add a few.
  long long before = Commits();
  r = p_.Run({"upgrade", "head", "--tenants", "--jobs", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  migrated         0\n  up to date      12\n"),
            std::string::npos)
      << r.out;
  long long used = CommittedBetween(before, Commits());
  EXPECT_LT(used, kTenants) << "transactions for a no-op rerun over 12 tenants";
  for (int i = 1; i <= kTenants; ++i) {
    EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM " + TenantName(i) +
                               ".alembic_version_history"),
              "3");
  }
}

TEST_F(TenantsPgTest, FailingTenantIsLeftUnchangedOthersContinue) {
  // t05 already has an "items" table of its own: revision 1 fails there.
  ASSERT_TRUE(Open(url_)
                  ->Execute("CREATE SCHEMA t05; CREATE TABLE t05.items (x "
                            "int); INSERT INTO t05.items VALUES (42);")
                  .ok());
  CliResult r = p_.Run(
      {"upgrade", "head", "--tenants", "--jobs", "2", "--continue-on-error"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  migrated        11\n"
                       "  up to date       0\n"
                       "  failed           1\n"
                       "  not started      0\n"
                       "failed:\n"
                       "  t05: " +
                       p_.Path("migrations/versions/000000000001.sql") +
                       ":10: upgrade 000000000001 failed: ERROR 42P07: "
                       "relation \"items\" already exists\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "error: 1 of 12 tenants failed\n");
  // t05 as it was: its own table and row, no version table.
  EXPECT_EQ(Rows(url_, "SELECT * FROM t05.items"), Strings{"42"});
  EXPECT_FALSE(TableExists(url_, "t05.alembic_version"));
  EXPECT_FALSE(TableExists(url_, "t05.alembic_version_history"));
  for (int i = 1; i <= kTenants; ++i) {
    if (i == 5) continue;
    EXPECT_EQ(VersionRows(url_, TenantName(i) + ".alembic_version"),
              Strings{"000000000003"})
        << TenantName(i);
  }

  r = p_.Run({"current", "--tenants", "-v"});
  EXPECT_EQ(r.out,
            "revision             tenants\n"
            "000000000003 (head)       11\n"
            "    t01, t02, t03, t04, t06, t07, t08, t09, t10, t11, t12\n"
            "(none)                     1\n"
            "    t05\n");
  r = p_.Run({"current", "--tenants", "--check-heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: 1 of 12 tenants are not on all head revisions\n");

  // Fixed by hand, a rerun migrates t05 alone.
  ASSERT_TRUE(Open(url_)->Execute("DROP TABLE t05.items").ok());
  r = p_.Run({"upgrade", "head", "--tenants", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["counts"]["migrated"], 1);
  EXPECT_EQ(j["counts"]["up_to_date"], 11);
  ASSERT_EQ(j["units"].size(), 12u);
  EXPECT_EQ(j["units"][4]["schema"], "t05");
  EXPECT_EQ(j["units"][4]["status"], "migrated");
  EXPECT_EQ(j["units"][4]["steps"], 3);
  EXPECT_EQ(j["units"][4]["heads_after"],
            nlohmann::json::array({"000000000003"}));
  EXPECT_EQ(j["units"][0]["status"], "up to date");
  EXPECT_TRUE(j["units"][0]["error"].is_null());
}

TEST_F(TenantsPgTest, FirstFailureStopsNewTenantsWithoutContinueOnError) {
  ASSERT_TRUE(Open(url_)
                  ->Execute("CREATE SCHEMA t05; CREATE TABLE t05.items (x int)")
                  .ok());
  CliResult r = p_.Run(
      {"upgrade", "head", "--tenants", "--jobs", "1", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  for (int i = 0; i < kTenants; ++i) {
    std::string expected = i < 4    ? "migrated"
                           : i == 4 ? "failed"
                                    : "not started";
    EXPECT_EQ(j["units"][i]["status"], expected) << TenantName(i + 1);
  }
  EXPECT_NE(j["units"][4]["error"].get<std::string>().find(
                "ERROR 42P07: relation \"items\" already exists"),
            std::string::npos);
  // Tenants that did not start were not even created.
  EXPECT_FALSE(SchemaExists("t06"));
  EXPECT_FALSE(SchemaExists("t12"));
}

TEST_F(TenantsPgTest, CanaryFailureStopsBeforeTheRestStart) {
  ASSERT_TRUE(Open(url_)
                  ->Execute("CREATE SCHEMA t02; CREATE TABLE t02.items (x int)")
                  .ok());
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "--jobs", "4",
                        "--canary", "3", "--continue-on-error"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  migrated         2\n"
                       "  up to date       0\n"
                       "  failed           1\n"
                       "  not started      9\n"
                       "canary failed: the first 3 tenants ran first and one "
                       "failed, so the other 9 did not start\n"
                       "failed:\n"
                       "  t02: "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err,
            "error: 1 of 12 tenants failed (canary); the rest did not "
            "start\n");
  EXPECT_TRUE(TableExists(url_, "t01.alembic_version"));
  EXPECT_TRUE(TableExists(url_, "t03.alembic_version"));
  for (int i = 4; i <= kTenants; ++i) EXPECT_FALSE(SchemaExists(TenantName(i)));

  // Canaries that pass let the rest run; the canaries are the first
  // tenants that still have work (t02 now, t04, t05).
  ASSERT_TRUE(Open(url_)->Execute("DROP TABLE t02.items").ok());
  r = p_.Run({"upgrade", "head", "--tenants", "--jobs", "4", "--canary", "3",
              "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["counts"]["migrated"], 10);
  EXPECT_EQ(j["counts"]["up_to_date"], 2);
  Strings canaries;
  for (const auto& u : j["units"])
    if (u["canary"] == true) canaries.push_back(u["schema"]);
  EXPECT_EQ(canaries, (Strings{"t02", "t04", "t05"}));
  EXPECT_EQ(CountAtHead(), "12");
}

TEST_F(TenantsPgTest, TenantsFromAQueryOrAPattern) {
  ASSERT_TRUE(Open(url_)
                  ->Execute("CREATE TABLE public.tenants (id int, name text);"
                            "INSERT INTO public.tenants VALUES (2, 'acme'), "
                            "(1, 'globex'), (3, 'acme');"
                            "CREATE SCHEMA shop_a; CREATE SCHEMA shop_b;"
                            "CREATE SCHEMA shopper;")
                  .ok());
  Configure(
      "schemas_query = \"SELECT name FROM public.tenants ORDER BY id\"\n");
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Query order, duplicates once; missing schemas are created.
  EXPECT_NE(r.out.find("  tenant  status    from    to            steps"),
            std::string::npos)
      << r.out;
  EXPECT_LT(r.out.find("  globex  migrated  <base>  000000000003      3"),
            r.out.find("  acme    migrated  <base>  000000000003      3"))
      << r.out;
  EXPECT_TRUE(TableExists(url_, "globex.items"));
  EXPECT_TRUE(TableExists(url_, "acme.items"));

  Configure("schemas_like = \"shop\\\\_%\"\n");
  r = p_.Run({"upgrade", "head", "--tenants", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["units"].size(), 2u);
  EXPECT_EQ(j["units"][0]["schema"], "shop_a");
  EXPECT_EQ(j["units"][1]["schema"], "shop_b");
  EXPECT_FALSE(TableExists(url_, "shopper.items"));

  // A query that fails is the command's error.
  Configure("schemas_query = \"SELECT nope FROM public.tenants\"\n");
  r = p_.Run({"upgrade", "head", "--tenants"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: [tenants] schemas_query: ERROR 42703: column \"nope\" "
            "does not exist\nHINT: Perhaps you meant to reference the column "
            "\"tenants.name\".\n");
}

TEST_F(TenantsPgTest, SharedVersionTableSchemaAndDowngrade) {
  Configure(
      "schemas = [\"a\", \"b\"]\nversion_table_schema = \"public\"\n"
      "version_table = \"alembic_version_{schema}\"\n");
  CliResult r = p_.Run({"upgrade", "head", "--tenants"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(VersionRows(url_, "public.alembic_version_a"),
            Strings{"000000000003"});
  EXPECT_EQ(VersionRows(url_, "public.alembic_version_b"),
            Strings{"000000000003"});
  EXPECT_TRUE(TableExists(url_, "a.items"));
  r = p_.Run({"downgrade", "000000000001", "--tenants"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("downgrade 000000000001: 2 tenants"), std::string::npos)
      << r.out;
  EXPECT_EQ(VersionRows(url_, "public.alembic_version_b"),
            Strings{"000000000001"});
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM information_schema.columns "
                   "WHERE table_schema = 'a' AND column_name = 'price'"),
            "0");
}

TEST_F(TenantsPgTest, OfflineSqlForListedTenants) {
  Configure("schemas = [\"a\", \"b\"]\n");
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("-- tenants: a\n\nSET lock_timeout = '5s';\n\n"
                        "CREATE SCHEMA IF NOT EXISTS \"a\";\n"
                        "\nSET search_path TO \"a\", public;\n\nBEGIN;\n\n"
                        "CREATE TABLE a.alembic_version (",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("-- tenants: b\n\nSET lock_timeout = '5s';\n\n"
                       "CREATE SCHEMA IF NOT EXISTS \"b\";"),
            std::string::npos);
  // Nothing ran.
  EXPECT_FALSE(SchemaExists("a"));
  Configure("schemas_like = \"t%\"\n");
  r = p_.Run({"upgrade", "head", "--tenants", "--sql"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --sql cannot run [tenants] schemas_query or schemas_like "
            "(there is no database); list the tenants with schemas = [...]\n");
}

TEST_F(TenantsPgTest, TwoRunsAtOnceApplyEachRevisionOncePerTenant) {
  int a = p_.Spawn({"upgrade", "head", "--tenants", "--jobs", "3"}, 1);
  int b = p_.Spawn({"upgrade", "head", "--tenants", "--jobs", "3"}, 2);
  CliResult ra = p_.Wait(a, 1);
  CliResult rb = p_.Wait(b, 2);
  EXPECT_EQ(ra.exit_code, 0) << ra.out << ra.err;
  EXPECT_EQ(rb.exit_code, 0) << rb.out << rb.err;
  EXPECT_EQ(CountAtHead(), "12");
  for (int i = 1; i <= kTenants; ++i) {
    EXPECT_EQ(Scalar(url_, "SELECT count(*) FROM " + TenantName(i) +
                               ".alembic_version_history WHERE direction = "
                               "'upgrade'"),
              "3")
        << TenantName(i);
  }
}

TEST_F(TenantsPgTest, FlagErrors) {
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "--all-schemas"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --tenants and --all-schemas cannot be combined (see "
            "'retort --help')\n");
  r = p_.Run({"--schema", "x", "upgrade", "head", "--tenants"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --schema (or -x schema=) cannot be combined with "
            "--tenants: it names one schema, they name many (see 'retort "
            "--help')\n");
  r = p_.Run({"-x", "schema=x", "current", "--all-schemas"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --schema (or -x schema=) cannot be combined with "
            "--all-schemas: it names one schema, they name many (see "
            "'retort --help')\n");
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nurl = \"" + url_ + "\"\n");
  r = p_.Run({"upgrade", "head", "--tenants"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --tenants needs a [tenants] section in retort.toml saying "
            "where the tenant list comes from (schemas, schemas_query or "
            "schemas_like)\n");
  r = p_.Run({"upgrade", "head", "--tenants", "--jobs", "0"});
  EXPECT_EQ(r.exit_code, 2);
}

// The progress line is drawn only on a terminal: under script(1), stderr is
// one.
TEST_F(TenantsPgTest, ProgressLineOnATerminal) {
  std::string out;
  int rc = Shell("cd '" + p_.dir() + "' && script -qec '" +
                     std::string(RETORT_BINARY) +
                     " upgrade head --tenants --jobs 2' /dev/null",
                 &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\r\033[Ktenants 12/12 [####################] done 12, "
                     "failed 0, remaining 0, "),
            std::string::npos)
      << out;
  // Erased before the summary.
  EXPECT_NE(out.find("\r\033[Kupgrade head: 12 tenants"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace retort::testing
