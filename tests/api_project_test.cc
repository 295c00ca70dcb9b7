// The public API over a project on disk, as an application that ships a
// retort.toml and a migrations folder uses it (and as the CLI does): init,
// revision, merge, heads, branches, pending, show, history, stamp, lint, verify
// (an edited file), diff against SQL models, and the error codes each
// kind of failure comes back with.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "retort/retort.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

class ApiProject : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("retort-api-project-" +
         std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = (dir_ / "retort.toml").string();
    Status init =
        Migrator::Init((dir_ / "migrations").string(), "generic", config_);
    ASSERT_TRUE(init.ok()) << init.ToString();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Migrator> Open() {
    Options options;
    options.config_path = config_;
    options.config_must_exist = true;
    options.url = "sqlite:///" + (dir_ / "app.db").string();
    auto m = Migrator::Open(options);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(m).value() : nullptr;
  }

  RevisionInfo Revision(Migrator& m, const std::string& id,
                        const std::string& message, const std::string& up,
                        const std::string& down, const std::string& head = "") {
    CreateRevisionOptions o;
    o.rev_id = id;
    o.message = message;
    o.upgrade_sql = up;
    o.downgrade_sql = down;
    o.head = head;
    o.splice = !head.empty();  // a second branch off a revision with a child
    auto r = m.CreateRevision(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RevisionInfo{};
  }

  fs::path dir_;
  std::string config_;
};

TEST_F(ApiProject, WritesReadsAndRunsRevisions) {
  auto m = Open();
  ASSERT_NE(m, nullptr);
  RevisionInfo base = Revision(*m, "aaaa00000001", "create users",
                               "CREATE TABLE users (id integer PRIMARY KEY);",
                               "DROP TABLE users;");
  EXPECT_TRUE(fs::exists(base.path)) << base.path;
  // Two branches off the base, then a merge.
  Revision(*m, "bbbb00000002", "add email",
           "ALTER TABLE users ADD COLUMN email text;",
           "ALTER TABLE users DROP COLUMN email;", "aaaa00000001");
  Revision(*m, "cccc00000003", "add name",
           "ALTER TABLE users ADD COLUMN name text;",
           "ALTER TABLE users DROP COLUMN name;", "aaaa00000001");
  auto heads = m->Heads();
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_EQ(heads->size(), 2u);
  auto branches = m->Branches();
  ASSERT_TRUE(branches.ok()) << branches.status().ToString();
  ASSERT_EQ(branches->size(), 1u);
  EXPECT_EQ((*branches)[0].revision.id, "aaaa00000001");
  EXPECT_EQ((*branches)[0].children.size(), 2u);

  // "head" is ambiguous with two heads: a conflict, nothing run.
  auto up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kConflict);

  MergeOptions merge;
  merge.revisions = {"heads"};
  merge.message = "merge";
  merge.rev_id = "dddd00000004";
  auto merged = m->Merge(merge);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->down_revisions.size(), 2u);

  // What an upgrade would run, in its order, without running it.
  auto pending = m->Pending();
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  std::vector<std::string> ids;
  for (const RevisionInfo& r : *pending) ids.push_back(r.id);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids.front(), "aaaa00000001");
  EXPECT_EQ(ids.back(), "dddd00000004");
  pending = m->Pending("bbbb00000002");
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->size(), 2u);

  up = m->Upgrade("head");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->steps.size(), 4u);
  pending = m->Pending();
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_TRUE(pending->empty());
  EXPECT_EQ(up->heads_after, std::vector<std::string>{"dddd00000004"});

  auto shown = m->Show("bbbb00000002");
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].doc, "add email");
  auto history = m->HistoryWithCurrent("aaaa00000001:");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 4u);
  EXPECT_TRUE((*history)[0].is_current);

  // Lint one named revision (SQLite: the file-level rules).
  LintOptions lint;
  lint.revisions = {"aaaa00000001"};
  auto linted = m->Lint(lint);
  ASSERT_TRUE(linted.ok()) << linted.status().ToString();
  EXPECT_EQ(linted->revisions, std::vector<std::string>{"aaaa00000001"});
  EXPECT_EQ(linted->dialect, "sqlite");

  // Stamp back to the base without running anything, then purge.
  auto stamped = m->Stamp({"aaaa00000001"});
  ASSERT_TRUE(stamped.ok()) << stamped.status().ToString();
  EXPECT_EQ(stamped->heads_after, std::vector<std::string>{"aaaa00000001"});
  RunOptions purge;
  purge.purge = true;
  stamped = m->Stamp({"dddd00000004"}, purge);
  ASSERT_TRUE(stamped.ok()) << stamped.status().ToString();
  auto current = m->Current({.check_heads = true});
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ((*current)[0].id, "dddd00000004");
}

TEST_F(ApiProject, VerifyFindsAnEditedRevision) {
  auto m = Open();
  ASSERT_NE(m, nullptr);
  RevisionInfo r = Revision(*m, "aaaa00000001", "create users",
                            "CREATE TABLE users (id integer PRIMARY KEY);",
                            "DROP TABLE users;");
  ASSERT_TRUE(m->Upgrade("head").ok());
  auto clean = m->Verify();
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_TRUE(clean->clean);
  {
    std::ofstream edit(r.path, std::ios::app);
    edit << "\n-- an edit after it ran\n";
  }
  auto m2 = Open();  // files are read once per Migrator
  ASSERT_NE(m2, nullptr);
  auto edited = m2->Verify();
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  EXPECT_FALSE(edited->clean);
  ASSERT_EQ(edited->findings.size(), 1u);
  EXPECT_EQ(edited->findings[0].kind, "edited");
  EXPECT_EQ(edited->findings[0].revision, "aaaa00000001");
}

TEST_F(ApiProject, DiffComparesSqlModelsWithTheDatabase) {
  {
    std::ofstream toml(config_, std::ios::app);
    toml << "\nmodels = [\"models/*.sql\"]\n";
  }
  fs::create_directories(dir_ / "models");
  {
    std::ofstream model(dir_ / "models" / "users.sql");
    model << "CREATE TABLE users (id integer PRIMARY KEY, email text);\n";
  }
  auto m = Open();
  ASSERT_NE(m, nullptr);
  auto schemas = m->ModelSchemas();
  ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
  auto diff = m->Diff();
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_EQ(diff->compared_with, ComparedWith::kDatabase);
  EXPECT_NE(diff->upgrade_sql.find("CREATE TABLE users"), std::string::npos)
      << diff->upgrade_sql;
  EXPECT_NE(diff->downgrade_sql.find("DROP TABLE users"), std::string::npos)
      << diff->downgrade_sql;
}

TEST_F(ApiProject, EachKindOfFailureHasItsCode) {
  // Init into a folder that is not empty.
  Status again = Migrator::Init((dir_ / "migrations").string(), "generic",
                                (dir_ / "other.toml").string());
  EXPECT_EQ(again.code(), Status::Code::kAlreadyExists) << again.ToString();
  // A configuration file that is not there, when it must be.
  Options missing;
  missing.config_path = (dir_ / "nowhere.toml").string();
  missing.config_must_exist = true;
  EXPECT_EQ(Migrator::Open(missing).status().code(), Status::Code::kNotFound);
  auto m = Open();
  ASSERT_NE(m, nullptr);
  // A revision that does not exist.
  EXPECT_EQ(m->Upgrade("abcdef123456").status().code(),
            Status::Code::kNotFound);
  // A revision file that does not parse.
  {
    std::ofstream bad(dir_ / "migrations" / "versions" / "bad.sql");
    bad << "-- no header at all\n";
  }
  auto m2 = Open();
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->Heads().status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace retort
