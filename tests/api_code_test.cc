// Code migrations (retort/code_migration.h): a C++ function registered as
// the section of a revision that says "-- retort: code", run in the graph
// between SQL revisions, inside the run's transaction, on SQLite and
// PostgreSQL; what happens when it fails or throws; and what is refused
// before anything runs -- no function, offline SQL, registrations that
// could never run.
#include <gtest/gtest.h>
#include <retort_embedded/api_code.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_harness.h"
#include "retort/retort.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

constexpr char kSection[] =
    "embedded:api_code/versions/e5_price_labels.sql:10: upgrade e5e5e5e5e5e5";

std::string TempSqliteUrl(const std::string& name) {
  fs::path path =
      fs::temp_directory_path() /
      ("retort-code-" + name + "-" +
       std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".db");
  fs::remove(path);
  return "sqlite:///" + path.string();
}

// "$1.50" from 150: what SQL alone would spell differently per dialect.
std::string Dollars(const std::string& cents) {
  const long value = std::stol(cents);
  char out[32];
  std::snprintf(out, sizeof(out), "$%ld.%02ld", value / 100, value % 100);
  return out;
}

// The upgrade of e5: a column, then each row's label computed in C++.
Status AddLabels(CodeSession& db) {
  if (db.revision() != "e5e5e5e5e5e5" || !db.upgrade()) {
    return Status::Internal("called for the wrong section");
  }
  RETORT_RETURN_IF_ERROR(
      db.Execute("ALTER TABLE prices ADD COLUMN label text"));
  RETORT_ASSIGN_OR_RETURN(CodeRows rows,
                          db.Query("SELECT id, cents FROM prices ORDER BY id"));
  for (const auto& row : rows.rows) {
    RETORT_ASSIGN_OR_RETURN(
        CodeRows updated, db.Query("UPDATE prices SET label = $1 WHERE id = $2",
                                   {Dollars(*row[1]), *row[0]}));
    if (updated.affected_rows != 1) {
      return Status::Internal("updated " +
                              std::to_string(updated.affected_rows) + " rows");
    }
  }
  return Status::OK();
}

std::unique_ptr<Migrator> OpenWith(const std::string& url,
                                   std::vector<CodeMigration> code) {
  Options options;
  options.url = url;
  options.config_path = "";
  options.migrations = &embedded::api_code();
  options.code = std::move(code);
  auto m = Migrator::Open(options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

void RunsBetweenSqlRevisions(const std::string& url) {
  auto m = OpenWith(url, {{"e5e5e5e5e5e5", AddLabels, nullptr}});
  ASSERT_NE(m, nullptr);
  std::vector<std::string> statements;
  RunOptions run;
  run.progress = [&statements](const Progress& p) {
    if (p.event == Progress::Event::kStatement) {
      statements.push_back(p.revision + ":" + std::to_string(p.line) + " " +
                           p.statement.substr(0, 20));
    }
  };
  auto up = m->Upgrade("head", run);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->steps.size(), 3u);
  EXPECT_EQ(statements, (std::vector<std::string>{
                            "d4d4d4d4d4d4:10 CREATE TABLE prices ",
                            "d4d4d4d4d4d4:11 INSERT INTO prices (",
                            "e5e5e5e5e5e5:10 -- retort: code",
                            "f6f6f6f6f6f6:10 CREATE INDEX prices_",
                        }));

  // f6 indexed the column the function added, and the downgrade's SQL
  // (DROP COLUMN label) drops it; the labels themselves are checked by
  // TheFunctionSeesTheRunsTransaction.
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].id, "f6f6f6f6f6f6");
  auto verified = m->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->clean);
  EXPECT_EQ(verified->applied, 3);

  auto down = m->Downgrade("base");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->steps.size(), 3u);
}

TEST(ApiCode, RunsBetweenSqlRevisionsOnSqlite) {
  RunsBetweenSqlRevisions(TempSqliteUrl("between"));
}

TEST(ApiCode, RunsBetweenSqlRevisionsOnPostgres) {
  RunsBetweenSqlRevisions(testing::FreshDatabaseUrl());
}

// The labels the function wrote, read by a function of the same kind: the
// session it gets sees the run's uncommitted work.
TEST(ApiCode, TheFunctionSeesTheRunsTransaction) {
  std::vector<std::string> labels;
  auto check = [&labels](CodeSession& db) -> Status {
    RETORT_RETURN_IF_ERROR(AddLabels(db));
    RETORT_ASSIGN_OR_RETURN(CodeRows rows,
                            db.Query("SELECT label FROM prices ORDER BY id"));
    for (const auto& row : rows.rows) labels.push_back(row[0].value_or("NULL"));
    return Status::OK();
  };
  auto m = OpenWith(testing::FreshDatabaseUrl(), {{"e5e5e5e5e5e5", check, {}}});
  ASSERT_NE(m, nullptr);
  auto up = m->Upgrade("head");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(labels, (std::vector<std::string>{"$1.50", "$25.99", "$0.07"}));
}

TEST(ApiCode, AFailingFunctionRollsTheRunBack) {
  const std::string url = TempSqliteUrl("fails");
  auto fails = [](CodeSession& db) -> Status {
    RETORT_RETURN_IF_ERROR(
        db.Execute("ALTER TABLE prices ADD COLUMN label text"));
    return Status::InvalidArgument("price 3 has no currency");
  };
  auto m = OpenWith(url, {{"e5e5e5e5e5e5", fails, {}}});
  ASSERT_NE(m, nullptr);
  auto up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(up.status().message(),
            std::string(kSection) + " (C++ code): price 3 has no currency");
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());  // d4 rolled back with it

  // A statement of the function failing: the database's words.
  auto bad_sql = [](CodeSession& db) -> Status {
    return db.Execute("UPDATE no_such_table SET x = 1");
  };
  m = OpenWith(url, {{"e5e5e5e5e5e5", bad_sql, {}}});
  ASSERT_NE(m, nullptr);
  up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kDatabase);
  EXPECT_NE(up.status().message().find(std::string(kSection) +
                                       " (C++ code): ERROR SQLITE_ERROR: no "
                                       "such table: no_such_table"),
            std::string::npos)
      << up.status().message();
}

TEST(ApiCode, AnExceptionIsAnErrorAndNeverEscapes) {
  auto throws = [](CodeSession&) -> Status {
    throw std::runtime_error("boom");
  };
  auto m = OpenWith(TempSqliteUrl("throws"), {{"e5e5e5e5e5e5", throws, {}}});
  ASSERT_NE(m, nullptr);
  auto up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kInternal);
  EXPECT_EQ(up.status().message(),
            std::string(kSection) + " (C++ code): the function threw boom");
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());
}

TEST(ApiCode, WithoutItsFunctionOrOfflineTheRevisionIsRefused) {
  const std::string url = TempSqliteUrl("refused");
  auto m = OpenWith(url, {});
  ASSERT_NE(m, nullptr);
  auto up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().message(),
            "embedded:api_code/versions/e5_price_labels.sql:10: upgrade "
            "e5e5e5e5e5e5 is C++ code (\"-- retort: code\") and no function "
            "is registered for it, so it cannot run here; run it from the "
            "application that registers it (retort::Options::code) (nothing "
            "was run)");
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());  // refused before d4 ran
  // Up to the revision before it runs.
  auto d4 = m->Upgrade("d4d4d4d4d4d4");
  ASSERT_TRUE(d4.ok()) << d4.status().ToString();

  m = OpenWith(url, {{"e5e5e5e5e5e5", AddLabels, {}}});
  ASSERT_NE(m, nullptr);
  RunOptions sql;
  sql.sql = true;
  auto script = m->Upgrade("base:head", sql);
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.status().message(),
            "embedded:api_code/versions/e5_price_labels.sql:10: upgrade "
            "e5e5e5e5e5e5 is C++ code (\"-- retort: code\"), which offline "
            "SQL cannot hold; run it from the application that registers its "
            "function (nothing was written)");
  // Offline up to the revision before it is fine.
  auto before = m->Upgrade("base:d4d4d4d4d4d4", sql);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
}

TEST(ApiCode, RegistrationsThatCouldNeverRunAreRefused) {
  const std::string url = TempSqliteUrl("registrations");
  struct Case {
    std::vector<CodeMigration> code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"0123456789ab", AddLabels, {}}},
       "Options::code names revision '0123456789ab', which no revision file "
       "declares"},
      {{{"e5e5e5e5e5e5", AddLabels, {}}, {"e5e5e5e5e5e5", {}, AddLabels}},
       "Options::code registers revision 'e5e5e5e5e5e5' twice; give it one "
       "CodeMigration"},
      {{{"e5e5e5e5e5e5", AddLabels, AddLabels}},
       "Options::code gives revision e5e5e5e5e5e5 a downgrade function, but "
       "the downgrade section of "
       "embedded:api_code/versions/e5_price_labels.sql does not say \"-- "
       "retort: code\", so its SQL would run and the function never; put the "
       "directive under \"-- migrate:downgrade\" in place of the SQL, or drop "
       "the function"},
      {{{"d4d4d4d4d4d4", AddLabels, {}}},
       "Options::code gives revision d4d4d4d4d4d4 an upgrade function, but "
       "the upgrade section of embedded:api_code/versions/d4_create_prices.sql "
       "does not say \"-- retort: code\", so its SQL would run and the "
       "function never; put the directive under \"-- migrate:upgrade\" in "
       "place of the SQL, or drop the function"},
  };
  for (const Case& c : cases) {
    auto m = OpenWith(url, c.code);
    ASSERT_NE(m, nullptr);
    auto up = m->Upgrade("head");
    ASSERT_FALSE(up.ok()) << c.message;
    EXPECT_EQ(up.status().message(), c.message);
  }
  EXPECT_FALSE(fs::exists(url.substr(std::string("sqlite:///").size())));
}

// The fan-out checks the registrations too, before any unit starts.
TEST(ApiCode, TheFanoutRefusesRegistrationsThatCouldNeverRun) {
  const std::string url = TempSqliteUrl("fanout");
  Options options;
  options.config_path = "";
  options.config_text = "[targets.one]\nurl = \"" + url + "\"\n";
  options.migrations = &embedded::api_code();
  options.code = {{"0123456789ab", AddLabels, {}}};
  auto m = Migrator::Open(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  FanoutOptions fanout;
  fanout.targets = {"one"};
  auto many = (*m)->UpgradeMany("head", fanout);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().message(),
            "Options::code names revision '0123456789ab', which no revision "
            "file declares");
  EXPECT_FALSE(fs::exists(url.substr(std::string("sqlite:///").size())));

  // Registered right, the unit runs the function like a single upgrade.
  options.code = {{"e5e5e5e5e5e5", AddLabels, {}}};
  m = Migrator::Open(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  many = (*m)->UpgradeMany("head", fanout);
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  ASSERT_EQ(many->units.size(), 1u);
  EXPECT_EQ(many->units[0].error, "");
  EXPECT_EQ(many->units[0].steps, 3u);
}

}  // namespace
}  // namespace retort
