#include "autogen/model_sources.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "util/temp_dir.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

TEST(ModelSources, PatternFolder) {
  EXPECT_EQ(ModelPatternFolder("models/*.sql"), "models");
  EXPECT_EQ(ModelPatternFolder("models/"), "models");
  EXPECT_EQ(ModelPatternFolder("db/models/*/tables.sql"), "db/models");
  EXPECT_EQ(ModelPatternFolder("db/mod?ls/*.sql"), "db");
  EXPECT_EQ(ModelPatternFolder("db/[ab]/*.sql"), "db");
  EXPECT_EQ(ModelPatternFolder("models/app.sql"), "models");
  EXPECT_EQ(ModelPatternFolder("./models/*.sql"), "models");
  EXPECT_EQ(ModelPatternFolder("*.sql"), ".");
  EXPECT_EQ(ModelPatternFolder("app.sql"), ".");
  EXPECT_EQ(ModelPatternFolder("/srv/app/models/*.sql"), "/srv/app/models");
  EXPECT_EQ(ModelPatternFolder("/*.sql"), "/");
}

TEST(ModelSources, Line) {
  EXPECT_EQ(ModelSourcesLine({"models/auth.sql"}),
            "Models: models/auth.sql (1 source)");
  EXPECT_EQ(ModelSourcesLine({"models/auth.sql", "models/users.sql",
                              "sqlalchemy:app.models:Base.metadata"}),
            "Models: models/auth.sql, models/users.sql, "
            "sqlalchemy:app.models:Base.metadata (3 sources)");
  std::vector<std::string> many;
  for (int i = 1; i <= 250; ++i) many.push_back("m/" + std::to_string(i));
  EXPECT_EQ(ModelSourcesLine(many),
            "Models: m/1, m/2, m/3, m/4, m/5 and 245 more (250 sources; -v "
            "lists them all)");
  std::vector<std::string> ten(many.begin(), many.begin() + 10);
  EXPECT_EQ(ModelSourcesLine(ten),
            "Models: m/1, m/2, m/3, m/4, m/5, m/6, m/7, m/8, m/9, m/10 (10 "
            "sources)");
  std::vector<std::string> eleven(many.begin(), many.begin() + 11);
  EXPECT_EQ(ModelSourcesLine(eleven),
            "Models: m/1, m/2, m/3, m/4, m/5 and 6 more (11 sources; -v lists "
            "them all)");
  // Fewer shown than the usual five: no reading past the list.
  EXPECT_EQ(ModelSourcesLine({"a", "b", "c"}, 2),
            "Models: a, b and 1 more (3 sources; -v lists them all)");
  EXPECT_EQ(ModelSourcesLine({"a"}, 0),
            "Models: 1 more (1 source; -v lists them all)");
  std::string all = ModelSourcesLine(many, std::numeric_limits<size_t>::max());
  EXPECT_TRUE(all.starts_with("Models: m/1, m/2, ")) << all;
  EXPECT_TRUE(all.ends_with(", m/249, m/250 (250 sources)")) << all;
}

TEST(ModelSources, Warnings) {
  EXPECT_EQ(UnmatchedModelWarnings({}, "retort.toml"),
            std::vector<std::string>{});
  EXPECT_EQ(
      UnmatchedModelWarnings({"models/billing/invoices.sql"}, "retort.toml"),
      std::vector<std::string>{
          "models/billing/invoices.sql is not read: no pattern of "
          "'models' in retort.toml matches it"});
  std::vector<std::string> files;
  for (int i = 1; i <= 12; ++i) {
    files.push_back("models/old/" + std::to_string(i) + ".sql");
  }
  std::vector<std::string> lines = UnmatchedModelWarnings(files, "conf.toml");
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "models/old/1.sql is not read: no pattern of 'models' in conf.toml "
            "matches it");
  EXPECT_EQ(lines[4],
            "models/old/5.sql is not read: no pattern of 'models' in conf.toml "
            "matches it");
  EXPECT_EQ(lines[5],
            "7 more .sql files under the models folders are not read: no "
            "pattern of 'models' in conf.toml matches them (-v lists them "
            "all)");
  EXPECT_EQ(UnmatchedModelWarnings({"a.sql", "b.sql", "c.sql"}, "c.toml", 1),
            (std::vector<std::string>{
                "a.sql is not read: no pattern of 'models' in c.toml matches "
                "it",
                "2 more .sql files under the models folders are not read: no "
                "pattern of 'models' in c.toml matches them (-v lists them "
                "all)"}));
  EXPECT_EQ(UnmatchedModelWarnings(files, "conf.toml",
                                   std::numeric_limits<size_t>::max())
                .size(),
            12u);
}

TEST(ModelSources, UnmatchedFiles) {
  auto tmp = TempDir::Create("retort-model-sources-");
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();
  const std::string root = (*tmp)->path();
  auto write = [&](const std::string& rel) {
    fs::path p = fs::path(root) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "CREATE TABLE t (id int);\n";
  };
  write("models/auth.sql");
  write("models/users.sql");
  write("models/billing/invoices.sql");
  write("models/billing/notes.txt");
  write("models/.hidden/x.sql");
  write("models/migrations/versions/1.sql");
  write("models/views/v.sql");
  write("elsewhere/e.sql");
  const std::string m = root + "/models";
  std::vector<std::string> unmatched = UnmatchedModelFiles(
      {m, m + "/", root + "/models/views"},
      {m + "/auth.sql", m + "/./users.sql", m + "/views/v.sql"},
      {m + "/migrations"});
  EXPECT_EQ(unmatched, std::vector<std::string>{m + "/billing/invoices.sql"});
  // Nothing matched: every .sql file there is unread. A missing folder
  // holds nothing.
  EXPECT_EQ(
      UnmatchedModelFiles({root + "/elsewhere", root + "/nowhere"}, {}, {}),
      std::vector<std::string>{root + "/elsewhere/e.sql"});
  // The search is bounded: past max_entries it stops and says so.
  bool truncated = true;
  UnmatchedModelFiles({m}, {}, {}, 1000, &truncated);
  EXPECT_FALSE(truncated);
  std::vector<std::string> some =
      UnmatchedModelFiles({m}, {}, {}, 2, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_LE(some.size(), 2u);
}

TEST(ModelSources, OnlyWildcardPatternsAreSearched) {
  EXPECT_TRUE(ModelPatternHasWildcard("models/*.sql"));
  EXPECT_TRUE(ModelPatternHasWildcard("db/mod?ls/a.sql"));
  EXPECT_TRUE(ModelPatternHasWildcard("db/[ab].sql"));
  EXPECT_FALSE(ModelPatternHasWildcard("schema.sql"));
  EXPECT_FALSE(ModelPatternHasWildcard("models/app.sql"));
}

}  // namespace
}  // namespace retort
