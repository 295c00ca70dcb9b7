// Many servers: --targets over the harness's PostgreSQL plus two more
// clusters started for this suite (and a SQLite file), with the same
// parallelism, canary, resume and summary as tenants; tenants on every
// server; a server that is down.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;

class TargetsPgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PgHarness* harness = PgHarness::Get();
    ASSERT_NE(harness, nullptr);
    for (auto* slot : {&second_, &third_}) {
      auto cluster = harness->StartCluster();
      ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
      *slot = std::move(cluster).value().release();
    }
  }
  static void TearDownTestSuite() {
    delete second_;
    delete third_;
    second_ = third_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(second_, nullptr);
    ASSERT_NE(third_, nullptr);
    a_ = FreshDatabaseUrl();
    auto b = second_->CreateDatabase();
    auto c = third_->CreateDatabase();
    ASSERT_TRUE(b.ok() && c.ok());
    b_ = *b;
    c_ = *c;
    lite_ = SqliteUrl(p_.dir(), "lite.db");
    WriteRevision(p_, "000000000001", "", "", "",
                  "CREATE TABLE items (id integer PRIMARY KEY, name text);",
                  "DROP TABLE items;");
    WriteRevision(p_, "000000000002", "000000000001", "", "",
                  "ALTER TABLE items ADD COLUMN price numeric;",
                  "ALTER TABLE items DROP COLUMN price;");
    Configure("");
  }

  void Configure(const std::string& extra) {
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\n" + extra +
                                    "[targets.a]\nurl = \"" + a_ +
                                    "\"\n[targets.b]\nurl = \"" + b_ +
                                    "\"\n[targets.c]\nurl = \"" + c_ + "\"\n");
  }

  static PgCluster* second_;
  static PgCluster* third_;
  std::string a_, b_, c_, lite_;
  TempProject p_;
};

PgCluster* TargetsPgTest::second_ = nullptr;
PgCluster* TargetsPgTest::third_ = nullptr;

TEST_F(TargetsPgTest, EveryServerThenResume) {
  // Three PostgreSQL servers and a SQLite file from targets_file.
  p_.WriteFile("servers.txt", "# more targets\nlite " + lite_ + "\n");
  Configure("targets_file = \"servers.txt\"\n");
  CliResult r = p_.Run({"upgrade", "head", "--targets", "all", "--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("upgrade head: 4 targets, 2 jobs, ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("  migrated         4\n"), std::string::npos) << r.out;
  for (const std::string& url : {a_, b_, c_, lite_}) {
    EXPECT_EQ(VersionRows(url), Strings{"000000000002"}) << url;
    EXPECT_TRUE(TableExists(url, "items")) << url;
  }
  r = p_.Run({"current", "--targets", "all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "revision             targets\n"
            "000000000002 (head)        4\n");

  // One server behind: only it has work on the rerun.
  r = p_.Run({"downgrade", "-1", "--targets", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(VersionRows(b_), Strings{"000000000001"});
  r = p_.Run({"current", "--targets", "all", "-v"});
  EXPECT_EQ(r.out,
            "revision             targets\n"
            "000000000002 (head)        3\n"
            "    a, c, lite\n"
            "000000000001               1\n"
            "    b\n");
  r = p_.Run({"upgrade", "head", "--targets", "all", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "targets");
  ASSERT_EQ(j["units"].size(), 4u);
  EXPECT_EQ(j["units"][0]["target"], "a");
  EXPECT_EQ(j["units"][0]["status"], "up to date");
  EXPECT_EQ(j["units"][1]["target"], "b");
  EXPECT_EQ(j["units"][1]["status"], "migrated");
  EXPECT_EQ(j["units"][1]["heads_before"],
            nlohmann::json::array({"000000000001"}));
  EXPECT_EQ(j["units"][3]["target"], "lite");
  EXPECT_EQ(j["units"][3]["status"], "up to date");
}

TEST_F(TargetsPgTest, ServerDown) {
  // Nothing listens on port 1: connecting fails at once.
  p_.WriteFile("servers.txt",
               "down postgresql://postgres@127.0.0.1:1/nothing\n");
  Configure("targets_file = \"servers.txt\"\n");
  // Found before anything runs: without --continue-on-error nothing starts.
  CliResult r = p_.Run({"upgrade", "head", "--targets", "all"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  migrated         0\n"
                       "  up to date       0\n"
                       "  failed           1\n"
                       "  not started      3\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed:\n  down: cannot connect to "
                       "postgresql://postgres@127.0.0.1:1/nothing: "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "error: 1 of 4 targets failed\n");
  EXPECT_FALSE(TableExists(a_, "items"));

  r = p_.Run({"upgrade", "head", "--targets", "all", "--continue-on-error"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  migrated         3\n"
                       "  up to date       0\n"
                       "  failed           1\n"),
            std::string::npos)
      << r.out;
  for (const std::string& url : {a_, b_, c_})
    EXPECT_EQ(VersionRows(url), Strings{"000000000002"}) << url;

  r = p_.Run({"current", "--targets", "all"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("could not read 1 target:\n  down: cannot connect to "),
            std::string::npos)
      << r.out;
}

TEST_F(TargetsPgTest, TenantsOnEveryServer) {
  Configure("[tenants]\nschemas = [\"x\", \"y\"]\n");
  CliResult r = p_.Run({"upgrade", "head", "--tenants", "--targets", "all",
                        "--jobs", "3", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("upgrade head: 6 tenants, 3 jobs, ", 0), 0u) << r.out;
  for (const char* unit : {"a/x", "a/y", "b/x", "b/y", "c/x", "c/y"}) {
    EXPECT_NE(r.out.find(std::string("  ") + unit + "     migrated"),
              std::string::npos)
        << unit << "\n"
        << r.out;
  }
  for (const std::string& url : {a_, b_, c_}) {
    EXPECT_EQ(VersionRows(url, "x.alembic_version"), Strings{"000000000002"});
    EXPECT_EQ(VersionRows(url, "y.alembic_version"), Strings{"000000000002"});
  }
  r = p_.Run({"current", "--tenants", "--targets", "b,c"});
  EXPECT_EQ(r.out,
            "revision             tenants\n"
            "000000000002 (head)        4\n");
}

TEST_F(TargetsPgTest, CanaryOnTheFirstServer) {
  ASSERT_TRUE(Open(a_)->Execute("CREATE TABLE items (x int)").ok());
  CliResult r = p_.Run({"upgrade", "head", "--targets", "a,b,c", "--canary",
                        "1", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["canary_failed"], true);
  EXPECT_EQ(j["units"][0]["status"], "failed");
  EXPECT_EQ(j["units"][0]["canary"], true);
  EXPECT_EQ(j["units"][1]["status"], "not started");
  EXPECT_EQ(j["units"][2]["status"], "not started");
  EXPECT_FALSE(TableExists(b_, "items"));
  EXPECT_FALSE(TableExists(c_, "alembic_version"));
}

TEST_F(TargetsPgTest, UnknownTarget) {
  CliResult r = p_.Run({"upgrade", "head", "--targets", "a,cc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: unknown target 'cc'; did you mean 'c'? (known: a, b, c)\n");
  EXPECT_FALSE(TableExists(a_, "items"));
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\nurl = \"" + a_ + "\"\n");
  r = p_.Run({"current", "--targets", "all"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --targets all: no targets configured; add "
            "[targets.<name>] sections (url = ...) or targets_file to "
            "retort.toml\n");
}

}  // namespace
}  // namespace retort::testing
