// End-to-end tests of `diff`, `check` and `revision --autogenerate` against
// the harness's PostgreSQL: models written as SQL files, compared with a
// real database, and the generated revision applied and reverted.
#include <gtest/gtest.h>

#include "cli_util.h"
#include "dialect/url.h"
#include "pg_harness.h"

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
  p_.WriteFile("models/app.sql",
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

}  // namespace
}  // namespace retort::testing
