// End-to-end tests of `diff`, `check` and `revision --autogenerate` on an
// sqlite:/// project: the binary compares SQL model files with a database
// file, and the revision it writes is applied and reverted by `upgrade` and
// `downgrade`.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_util.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using Strings = std::vector<std::string>;

class CliAutogenSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n"
                 "models = [\"models/*.sql\"]\n");
    url_ = "sqlite:///" + p_.Path("app.db");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(CliAutogenSqliteTest, DiffCheckRevisionUpgradeDowngrade) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT "
               "NULL);\n"
               "CREATE INDEX users_email ON users (email);\n");
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "New upgrade operations detected:\n"
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT "
            "NULL);\n\n"
            "CREATE INDEX users_email ON users (email);\n");
  // Neither check nor diff creates the database file.
  EXPECT_FALSE(std::filesystem::exists(p_.Path("app.db")));

  r = p_.Run({"revision", "--autogenerate", "-m", "users", "--rev-id",
              "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/aaaa00000001_users.sql");
  EXPECT_NE(file.find("CREATE TABLE users"), std::string::npos) << file;
  EXPECT_NE(file.find("DROP TABLE users;"), std::string::npos) << file;
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");

  // A change SQLite cannot ALTER: the next revision rebuilds the table, and
  // the rows in it survive the upgrade and the downgrade.
  ASSERT_EQ(Rows(url_, "SELECT count(*) FROM users"), Strings{"0"});
  {
    auto conn = Open(url_);
    ASSERT_TRUE(
        conn->Execute("INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x')").ok());
  }
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT "
               "NULL UNIQUE, name TEXT);\n"
               "CREATE INDEX users_email ON users (email);\n");
  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-- users is rebuilt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("INSERT INTO new_users (id, email)\n  SELECT id, email "
                       "FROM users;"),
            std::string::npos)
      << r.out;
  r = p_.Run({"revision", "--autogenerate", "-m", "unique email", "--rev-id",
              "bbbb00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_.Run({"check"}).exit_code, 0);
  EXPECT_EQ(Rows(url_, "SELECT id, email, name FROM users ORDER BY id"),
            (Strings{"1|a@x|<NULL>", "2|b@x|<NULL>"}));
  r = p_.Run({"downgrade", "-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Rows(url_, "SELECT id, email FROM users ORDER BY id"),
            (Strings{"1|a@x", "2|b@x"}));
  EXPECT_EQ(Rows(url_, "SELECT sql FROM sqlite_master WHERE name = 'users'"),
            Strings{"CREATE TABLE \"users\" (id INTEGER PRIMARY KEY, email "
                    "TEXT NOT NULL)"});

  // --sql: a revision that turns foreign keys off gets them around its own
  // transaction.
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
               "CREATE INDEX users_email ON users (email);\n"
               "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT "
               "REFERENCES users (id));\n");
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"revision", "--autogenerate", "-m", "posts", "--rev-id",
              "cccc00000003"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  file = p_.ReadFile("migrations/versions/cccc00000003_posts.sql");
  EXPECT_NE(file.find("PRAGMA foreign_keys = OFF;"), std::string::npos) << file;
  r = p_.Run({"upgrade", "bbbb00000002:cccc00000003", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("COMMIT;\n\nPRAGMA foreign_keys = OFF;\n\nBEGIN;\n\n"
                       "-- Running upgrade bbbb00000002 -> cccc00000003"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(r.out.ends_with("COMMIT;\n\nPRAGMA foreign_keys = ON;\n\n"))
      << r.out;
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(p_.Run({"check"}).exit_code, 0);
  EXPECT_EQ(Rows(url_, "SELECT count(*) FROM users"), Strings{"2"});
}

TEST_F(CliAutogenSqliteTest, ModelErrorNamesFileAndLine) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE a (id INT);\n\nCREATE TABLE a (id INT);\n");
  CliResult r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("app.sql:3: ERROR SQLITE_ERROR: table a already "
                       "exists\nHINT: the models run in file order"),
            std::string::npos)
      << r.err;
}

TEST_F(CliAutogenSqliteTest, ModelsInSqliteSyntaxThatDefineNothingAreAnError) {
  // AUTOINCREMENT is SQLite-only: PostgreSQL's parser must not see these
  // models. A file of comments and PRAGMAs defines nothing.
  p_.WriteFile("models/app.sql", "-- nothing yet\nPRAGMA foreign_keys = ON;\n");
  CliResult r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: the models define nothing: models/app.sql"
            " holds no CREATE statement, so every table in the database "
            "would look like a drop; put the schema's CREATE "
            "TABLE/VIEW/... statements in the model files, or fix the "
            "'models' setting in retort.toml\n");
  p_.WriteFile(
      "models/app.sql",
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);\n");
  r = p_.Run({"diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);\n");
}

TEST_F(CliAutogenSqliteTest, FromMigrationsReplaysTheRevisionsNotTheDatabase) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n");
  ASSERT_EQ(
      p_.Run({"revision", "-m", "users", "--rev-id", "aaaa00000001"}).exit_code,
      0);
  p_.WriteFile("migrations/versions/aaaa00000001_users.sql",
               "-- users\n--\n-- Revision ID: aaaa00000001\n-- Revises:\n"
               "-- Branch Labels:\n-- Depends On:\n"
               "-- Create Date: 2026-11-30 10:00:00.000000\n\n"
               "-- migrate:upgrade\n"
               "CREATE TABLE users (id INTEGER PRIMARY KEY);\n\n"
               "-- migrate:downgrade\nDROP TABLE users;\n");
  // The database is never upgraded: compared with it, users is new; compared
  // with the migrations, only the email column is.
  CliResult r = p_.Run({"diff", "--from", "migrations"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ALTER TABLE users ADD COLUMN email TEXT;\n");
  r = p_.Run({"check", "--from", "migrations"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p_.Path("app.db")));
  r = p_.Run({"diff"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CREATE TABLE users"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace retort::testing
