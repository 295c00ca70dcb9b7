// EmitSqlalchemyModels against Debian's /usr/bin/python3 (python3-sqlalchemy
// 1.4.46) with a tiny project: the entry's shape, the DDL text, several
// entries (a Python each, whatever the cache holds), the protocol surviving a
// model that prints, and the DDL cache: a hit starts no Python, any change to
// what the emission depended on is a miss, a damaged file is a miss and never
// an error, RETORT_CACHE=off writes nothing.
#include "autogen/sqlalchemy_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/scoped_env.h"
#include "util/temp_dir.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

constexpr char kModels[] =
    "import sqlalchemy as sa\n"
    "print('models print to stdout too')\n"
    "metadata = sa.MetaData()\n"
    "users = sa.Table('users', metadata,\n"
    "    sa.Column('id', sa.Integer, primary_key=True),\n"
    "    sa.Column('email', sa.String(200), nullable=False, unique=True))\n";

constexpr char kMoreModels[] =
    "import sqlalchemy as sa\n"
    "from sqlalchemy.orm import declarative_base\n"
    "Base = declarative_base()\n"
    "class Tag(Base):\n"
    "    __tablename__ = 'tag'\n"
    "    __table_args__ = {'schema': 'blog'}\n"
    "    name = sa.Column(sa.Text, primary_key=True)\n";

class SqlalchemyModelsUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto project = TempDir::Create("retort-sa-project-");
    auto cache = TempDir::Create("retort-sa-cache-");
    ASSERT_TRUE(project.ok() && cache.ok());
    project_ = std::move(project).value();
    cache_ = std::move(cache).value();
    Write("app/__init__.py", "");
    Write("app/models.py", kModels);
    Write("app/more.py", kMoreModels);
    options_.python.interpreter = "/usr/bin/python3";
    options_.python.origin = "the test";
    options_.project_dir = project_->path();
  }

  void Write(const std::string& rel, const std::string& text) {
    fs::path path = fs::path(project_->path()) / rel;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  std::vector<std::string> CacheFiles() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(cache_->path())) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Emits `entries`, expecting success.
  std::vector<ModelFile> Emit(const std::vector<std::string>& entries,
                              SqlalchemyModelsStats* stats) {
    auto files = EmitSqlalchemyModels(entries, options_, stats);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? std::move(files).value() : std::vector<ModelFile>{};
  }

  std::unique_ptr<TempDir> project_, cache_;
  SqlalchemyModelsOptions options_;
  ScopedEnv cache_dir_{"RETORT_CACHE_DIR"};
  ScopedEnv cache_switch_{"RETORT_CACHE"};
  ScopedEnv pythonpath_{"PYTHONPATH"};
};

TEST_F(SqlalchemyModelsUnitTest, EntryShape) {
  EXPECT_TRUE(IsSqlalchemyEntry("sqlalchemy:app.models:Base.metadata"));
  EXPECT_FALSE(IsSqlalchemyEntry("models/*.sql"));
  EXPECT_TRUE(CheckSqlalchemyEntry("sqlalchemy:app.models:Base.metadata").ok());
  EXPECT_TRUE(CheckSqlalchemyEntry("sqlalchemy:models:metadata").ok());
  EXPECT_TRUE(CheckSqlalchemyEntry("sqlalchemy:_app.módulo:Base_2").ok());
  for (const char* bad :
       {"sqlalchemy:app.models", "sqlalchemy::metadata",
        "sqlalchemy:app:", "sqlalchemy:app..models:metadata",
        "sqlalchemy:app.models:Base.", "sqlalchemy:app.models:2x",
        "sqlalchemy:app models:metadata", "sqlalchemy:app:Base:metadata"}) {
    EXPECT_EQ(CheckSqlalchemyEntry(bad).message(),
              std::string(bad) +
                  ": expected sqlalchemy:<module>:<attribute>, e.g. "
                  "sqlalchemy:app.models:Base.metadata")
        << bad;
  }
}

TEST_F(SqlalchemyModelsUnitTest, SeveralEntriesInOrder) {
  setenv("RETORT_CACHE", "off", 1);
  SqlalchemyModelsStats stats;
  auto files = Emit(
      {"sqlalchemy:app.more:Base.metadata", "sqlalchemy:app.models:metadata"},
      &stats);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "sqlalchemy:app.more:Base.metadata");
  EXPECT_EQ(files[0].text,
            "-- DDL of sqlalchemy:app.more:Base.metadata, emitted by "
            "SQLAlchemy 1.4.46 for postgresql\n"
            "\nCREATE SCHEMA IF NOT EXISTS blog;\n"
            "\nCREATE TABLE blog.tag (\n\tname TEXT NOT NULL, \n\tPRIMARY KEY "
            "(name)\n);\n");
  EXPECT_EQ(files[1].path, "sqlalchemy:app.models:metadata");
  EXPECT_EQ(files[1].text,
            "-- DDL of sqlalchemy:app.models:metadata, emitted by SQLAlchemy "
            "1.4.46 for postgresql\n"
            "\nCREATE TABLE users (\n\tid SERIAL NOT NULL, \n\temail "
            "VARCHAR(200) NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE "
            "(email)\n);\n");
  EXPECT_TRUE(stats.python_started);
  EXPECT_EQ(stats.emitted, 2);
  EXPECT_EQ(stats.cache_hits, 0);
  EXPECT_TRUE(CacheFiles().empty());
  // SQLite: the dialect's own DDL.
  options_.dialect = "sqlite";
  files = Emit({"sqlalchemy:app.models:metadata"}, &stats);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].text.find("\tid INTEGER NOT NULL, \n"), std::string::npos)
      << files[0].text;
}

TEST_F(SqlalchemyModelsUnitTest, CacheHitStartsNoPython) {
  setenv("RETORT_CACHE_DIR", cache_->path().c_str(), 1);
  SqlalchemyModelsStats first;
  auto a = Emit({"sqlalchemy:app.models:metadata"}, &first);
  EXPECT_TRUE(first.python_started);
  ASSERT_EQ(CacheFiles().size(), 1u);
  EXPECT_TRUE(CacheFiles()[0].starts_with("sqlalchemy-"));
  SqlalchemyModelsStats second;
  auto b = Emit({"sqlalchemy:app.models:metadata"}, &second);
  EXPECT_FALSE(second.python_started);
  EXPECT_EQ(second.cache_hits, 1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].text, b[0].text);
  // The interpreter is part of the key: another one is a miss (here one
  // that cannot even be found).
  options_.python.interpreter = "retort-no-such-python3";
  auto missing = EmitSqlalchemyModels({"sqlalchemy:app.models:metadata"},
                                      options_, nullptr);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "retort-no-such-python3 (the test): not found on PATH; install "
            "Python 3 (apt-get install python3) or set python = "
            "\"/path/to/python3\" in retort.toml");
}

TEST_F(SqlalchemyModelsUnitTest, WhatTheDdlDependsOnDecidesAHit) {
  setenv("RETORT_CACHE_DIR", cache_->path().c_str(), 1);
  const std::vector<std::string> entry = {"sqlalchemy:app.models:metadata"};
  SqlalchemyModelsStats stats;
  Emit(entry, &stats);
  auto again = [&] {
    SqlalchemyModelsStats s;
    Emit(entry, &s);
    return s.python_started;
  };
  EXPECT_FALSE(again());
  // The same bytes written again: still a hit (content, not mtime).
  Write("app/models.py", kModels);
  EXPECT_FALSE(again());
  // A module's content.
  Write("app/models.py", std::string(kModels) + "# changed\n");
  EXPECT_TRUE(again());
  EXPECT_FALSE(again());
  // A new module in a project folder.
  Write("app/extra.py", "X = 1\n");
  EXPECT_TRUE(again());
  EXPECT_FALSE(again());
  // A file that is not a module does not count.
  Write("app/README.txt", "notes\n");
  EXPECT_FALSE(again());
  // $PYTHONPATH.
  setenv("PYTHONPATH", "/nonexistent-retort-dir", 1);
  EXPECT_TRUE(again());
  EXPECT_FALSE(again());
  // python_path.
  options_.python_path = {project_->path() + "/lib"};
  EXPECT_TRUE(again());
  EXPECT_FALSE(again());
  // The dialect.
  options_.dialect = "sqlite";
  EXPECT_TRUE(again());
}

TEST_F(SqlalchemyModelsUnitTest, DamagedCacheFileIsAMiss) {
  setenv("RETORT_CACHE_DIR", cache_->path().c_str(), 1);
  const std::vector<std::string> entry = {"sqlalchemy:app.models:metadata"};
  SqlalchemyModelsStats stats;
  auto good = Emit(entry, &stats);
  ASSERT_EQ(CacheFiles().size(), 1u);
  std::string path = cache_->path() + "/" + CacheFiles()[0];
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 100u);
  for (int damage = 0; damage < 3; ++damage) {
    std::string broken = bytes;
    if (damage == 0) broken.resize(broken.size() / 2);   // torn
    if (damage == 1) broken[broken.size() / 2] ^= 0x5A;  // bit rot
    if (damage == 2) broken = "not a cache file";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << broken;
    SqlalchemyModelsStats s;
    auto files = Emit(entry, &s);
    EXPECT_TRUE(s.python_started) << damage;
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].text, good[0].text);
  }
}

TEST_F(SqlalchemyModelsUnitTest, CacheOffWritesNothingAndErrorsAreNotCached) {
  setenv("RETORT_CACHE_DIR", cache_->path().c_str(), 1);
  setenv("RETORT_CACHE", "off", 1);
  SqlalchemyModelsStats stats;
  Emit({"sqlalchemy:app.models:metadata"}, &stats);
  EXPECT_TRUE(CacheFiles().empty());
  unsetenv("RETORT_CACHE");
  Write("app/models.py", "raise RuntimeError('no database here')\n");
  auto failed = EmitSqlalchemyModels({"sqlalchemy:app.models:metadata"},
                                     options_, nullptr);
  EXPECT_EQ(failed.status().message(),
            "app/models.py:1: RuntimeError: no database here");
  EXPECT_TRUE(CacheFiles().empty());
}

// Two entries on one declarative Base: each is what importing its own
// module registers, the same whether the other came from the cache or was
// emitted beside it.
TEST_F(SqlalchemyModelsUnitTest, EntriesSharingABaseDoNotSeeEachOther) {
  Write("app/base.py",
        "from sqlalchemy.orm import declarative_base\nBase = "
        "declarative_base()\n");
  Write("app/auth.py",
        "import sqlalchemy as sa\nfrom app.base import Base\n\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n");
  Write("app/shop.py",
        "import sqlalchemy as sa\nfrom app.base import Base\n\n"
        "class Item(Base):\n    __tablename__ = 'items'\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n");
  const std::vector<std::string> entries = {
      "sqlalchemy:app.auth:Base.metadata", "sqlalchemy:app.shop:Base.metadata"};
  setenv("RETORT_CACHE_DIR", cache_->path().c_str(), 1);
  SqlalchemyModelsStats both;
  auto fresh = Emit(entries, &both);
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(both.emitted, 2);
  EXPECT_NE(fresh[0].text.find("CREATE TABLE users"), std::string::npos);
  EXPECT_EQ(fresh[0].text.find("CREATE TABLE items"), std::string::npos)
      << fresh[0].text;
  EXPECT_NE(fresh[1].text.find("CREATE TABLE items"), std::string::npos);
  EXPECT_EQ(fresh[1].text.find("CREATE TABLE users"), std::string::npos)
      << fresh[1].text;
  // shop changes: auth comes from the cache, shop alone is emitted.
  Write("app/shop.py",
        "import sqlalchemy as sa\nfrom app.base import Base\n\n"
        "class Item(Base):\n    __tablename__ = 'items'\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    name = sa.Column(sa.Text)\n");
  SqlalchemyModelsStats one;
  auto again = Emit(entries, &one);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(one.cache_hits, 1);
  EXPECT_EQ(one.emitted, 1);
  EXPECT_EQ(again[0].text, fresh[0].text);
  EXPECT_EQ(again[1].text.find("CREATE TABLE users"), std::string::npos)
      << again[1].text;
}

}  // namespace
}  // namespace retort
