// SurveyVersionTables against the harness's PostgreSQL: more tables than
// one statement takes, tables and schemas that do not exist, names that
// need quoting, several heads in one table.
#include <gtest/gtest.h>

#include "pg_harness.h"
#include "runtime/version_survey.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

TEST(VersionSurveyPg, ReadsEveryTableInChunks) {
  std::string url = FreshDatabaseUrl();
  auto db = Open(url);
  ASSERT_NE(db, nullptr);
  std::string setup;
  std::vector<VersionTableRef> refs;
  constexpr int kTables = 110;  // three statements of up to 50
  for (int i = 0; i < kTables; ++i) {
    std::string schema = "s" + std::to_string(i);
    refs.push_back({schema, "alembic_version"});
    if (i % 10 == 7) continue;  // no schema at all
    setup += "CREATE SCHEMA " + schema + ";";
    if (i % 10 == 3) continue;  // a schema without the table
    setup += "CREATE TABLE " + schema +
             ".alembic_version (version_num varchar(32) PRIMARY KEY);"
             "INSERT INTO " +
             schema + ".alembic_version VALUES ('rev" + std::to_string(i) +
             "');";
  }
  setup +=
      "CREATE SCHEMA \"Odd Name\"; CREATE TABLE \"Odd Name\".\"Version\" "
      "(version_num varchar(32)); INSERT INTO \"Odd Name\".\"Version\" VALUES "
      "('a'), ('b');"
      "CREATE VIEW s1.not_a_table AS SELECT 'x'::varchar AS version_num;";
  ASSERT_TRUE(db->Execute(setup).ok()) << db->last_error().message;
  refs.push_back({"Odd Name", "Version"});
  refs.push_back({"s1", "not_a_table"});
  refs.push_back({"", "alembic_version"});  // unqualified: not in public

  auto rows = SurveyVersionTables(*db, refs);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), refs.size());
  for (int i = 0; i < kTables; ++i) {
    SCOPED_TRACE(i);
    if (i % 10 == 7 || i % 10 == 3) {
      EXPECT_FALSE((*rows)[i].has_value());
    } else {
      ASSERT_TRUE((*rows)[i].has_value());
      EXPECT_EQ(*(*rows)[i],
                std::vector<std::string>{"rev" + std::to_string(i)});
    }
  }
  ASSERT_TRUE((*rows)[kTables].has_value());
  std::vector<std::string> odd = *(*rows)[kTables];
  std::sort(odd.begin(), odd.end());
  EXPECT_EQ(odd, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE((*rows)[kTables + 1].has_value()) << "a view is not a table";
  EXPECT_FALSE((*rows)[kTables + 2].has_value());
}

TEST(VersionSurveyPg, TextArrayLiteral) {
  EXPECT_EQ(PgTextArray({"a", "b\"c", "d\\e", ""}),
            "{\"a\",\"b\\\"c\",\"d\\\\e\",\"\"}");
  EXPECT_EQ(PgTextArray({}), "{}");
}

}  // namespace
}  // namespace retort::testing
