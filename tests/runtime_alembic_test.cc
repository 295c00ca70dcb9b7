// Taking over from Alembic and back: a database Debian's Alembic migrated is
// upgraded further by retort with the version table untouched in format,
// and Alembic then reads (and downgrades from) the head retort wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "pg_harness.h"
#include "runtime_util.h"

namespace retort {
namespace {

using testing::ChainId;
using testing::MigrationProject;
using testing::Rows;
using testing::Shell;
using testing::TableExists;
using testing::VersionRows;

using Strings = std::vector<std::string>;

// A tests/tools/gen_alembic.py project of `n` revisions on `url`, removed at
// the end.
class AlembicProject {
 public:
  AlembicProject(int n, const std::string& url) {
    dir_ = (std::filesystem::temp_directory_path() /
            ("retort-takeover-" + std::to_string(getpid()) + "-" +
             std::to_string(n)))
               .string();
    std::string sa_url = url;
    sa_url.replace(0, sa_url.find("://"), "postgresql+psycopg2");
    std::string out;
    EXPECT_EQ(Shell("rm -rf " + dir_ +
                        " && /usr/bin/python3 " + testing::GenAlembicScript() + " " +
                        dir_ + " --revisions " + std::to_string(n) +
                        " --url '" + sa_url + "'",
                    &out),
              0)
        << out;
  }
  ~AlembicProject() {
    std::string out;
    Shell("rm -rf " + dir_, &out);
  }
  // Runs `alembic <args>`; returns stdout+stderr, failing the test on a
  // non-zero exit.
  std::string Run(const std::string& args) const {
    std::string out;
    EXPECT_EQ(
        Shell("cd " + dir_ + " && /usr/bin/python3 -m alembic " + args, &out),
        0)
        << args << ": " << out;
    return out;
  }

 private:
  std::string dir_;
};

TEST(RuntimeAlembic, TakeOverAndBack) {
  std::string url = testing::FreshDatabaseUrl();
  {
    AlembicProject alembic(3, url);
    alembic.Run("upgrade head");
  }
  EXPECT_EQ(VersionRows(url), Strings{ChainId(2)});
  const std::string columns_sql =
      "SELECT column_name, data_type, character_maximum_length, is_nullable "
      "FROM information_schema.columns WHERE table_name = 'alembic_version'";
  const std::string constraint_sql =
      "SELECT conname, contype FROM pg_constraint WHERE conrelid = "
      "'alembic_version'::regclass";
  Strings alembic_columns = Rows(url, columns_sql);
  Strings alembic_constraints = Rows(url, constraint_sql);

  MigrationProject p;
  p.AddChain(5);
  ASSERT_TRUE(p.Load());
  RunTarget target;
  target.url = url;
  auto current = ReadCurrentHeads(target, {});
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(*current, Strings{ChainId(2)});
  auto r = p.Upgrade(target, "head");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[0].revision, ChainId(3));
  EXPECT_EQ(VersionRows(url), Strings{ChainId(4)});
  EXPECT_TRUE(TableExists(url, "t_4"));
  // Same table, same format.
  EXPECT_EQ(Rows(url, columns_sql), alembic_columns);
  EXPECT_EQ(Rows(url, constraint_sql), alembic_constraints);

  // And back: Alembic sees retort's head and can walk down from it.
  AlembicProject alembic(5, url);
  std::string shown = alembic.Run("current");
  EXPECT_NE(shown.find("000000000005 (head)"), std::string::npos) << shown;
  alembic.Run("downgrade -1");
  EXPECT_FALSE(TableExists(url, "t_4"));
  current = ReadCurrentHeads(target, {});
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(*current, Strings{ChainId(3)});
  ASSERT_TRUE(p.Upgrade(target, "head").ok());
  EXPECT_EQ(VersionRows(url), Strings{ChainId(4)});
}

}  // namespace
}  // namespace retort
