// Tests for the header cache, through ScriptDirectory::Load() as commands use
// it: hits, edits, new and deleted files, damaged cache files, the racy rule,
// switching it off, and a cache folder that cannot be created. Each test has
// its own project and cache folder (RETORT_CACHE_DIR).
#include "script/header_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "script/script_directory.h"
#include "util/scoped_env.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

// A header using every field the cache stores.
std::string RevisionText(const std::string& id, const std::string& parent,
                         const std::string& doc = "Add a table") {
  return "-- " + doc +
         "\n--\n-- A longer text\n-- on two lines.\n--\n"
         "-- Revision ID: " +
         id + "\n-- Revises: " + parent + "\n-- Branch Labels: lbl_" + id +
         "\n-- Depends On: dep1, dep2\n"
         "-- Create Date: 2026-11-21 10:00:00.000000\n"
         "-- Transactional: false\n"
         "\n-- migrate:upgrade\nCREATE TABLE t (x int);\n\n"
         "-- migrate:downgrade\nDROP TABLE t;\n";
}

class ScriptHeaderCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/retort_header_cache_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    versions_ = root_ + "/migrations/versions";
    cache_dir_ = root_ + "/cache";
    fs::create_directories(versions_);
    setenv("RETORT_CACHE_DIR", cache_dir_.c_str(), 1);
    unsetenv("RETORT_CACHE");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(versions_ + "/" + name, std::ios::binary) << text;
  }

  // Loads the project; the returned directory carries the stats.
  ScriptDirectory Load() {
    ScriptDirectoryOptions options;
    options.script_location = root_ + "/migrations";
    Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    Status st = dir->Load();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return std::move(dir).value();
  }

  Status LoadStatus() {
    ScriptDirectoryOptions options;
    options.script_location = root_ + "/migrations";
    Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    return dir->Load();
  }

  std::string CachePath() {
    std::optional<std::string> path = HeaderCachePath({versions_}, false);
    EXPECT_TRUE(path.has_value());
    return path.value_or("");
  }

  // Moves the cache file's write time an hour ahead, as if it had been
  // written long after the files last changed, so that no entry is racy.
  void AgeFilesBehindCache() {
    timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += 3600;
    times[1] = times[0];
    ASSERT_EQ(utimensat(AT_FDCWD, CachePath().c_str(), times, 0), 0);
  }

  std::vector<std::string> CacheDirEntries() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache_dir_, ec)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  ScopedEnv env_dir_{"RETORT_CACHE_DIR"};
  ScopedEnv env_switch_{"RETORT_CACHE"};
  std::string root_;
  std::string versions_;
  std::string cache_dir_;
};

// Points RETORT_CACHE_DIR at a temporary folder for the whole test binary,
// so that no test (these or any other loading a ScriptDirectory) writes cache
// files into the real ~/.cache of whoever runs the tests.
class TempCacheDirEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (getenv("RETORT_CACHE_DIR") != nullptr) return;
    char tmpl[] = "/tmp/retort_unit_test_cache_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    setenv("RETORT_CACHE_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
    unsetenv("RETORT_CACHE_DIR");
  }

 private:
  std::string dir_;
};

[[maybe_unused]] ::testing::Environment* const kTempCacheDir =
    ::testing::AddGlobalTestEnvironment(new TempCacheDirEnvironment);

void ExpectSameFiles(const std::vector<RevisionFile>& a,
                     const std::vector<RevisionFile>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const Revision& x = a[i].revision;
    const Revision& y = b[i].revision;
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.down_revisions, y.down_revisions);
    EXPECT_EQ(x.branch_labels, y.branch_labels);
    EXPECT_EQ(x.depends_on, y.depends_on);
    EXPECT_EQ(x.doc, y.doc);
    EXPECT_EQ(x.path, y.path);
    EXPECT_EQ(x.id_line, y.id_line);
    EXPECT_EQ(x.revises_line, y.revises_line);
    EXPECT_EQ(x.depends_on_line, y.depends_on_line);
    EXPECT_EQ(a[i].long_doc, b[i].long_doc);
    EXPECT_EQ(a[i].create_date, b[i].create_date);
    EXPECT_EQ(a[i].transactional, b[i].transactional);
    EXPECT_EQ(a[i].header_lines, b[i].header_lines);
  }
}

TEST_F(ScriptHeaderCacheTest, SecondLoadTakesEveryHeaderFromTheCache) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  Write("ccc_third.sql", RevisionText("ccc", "bbb"));
  ScriptDirectory cold = Load();
  EXPECT_EQ(cold.stats().cache_hits, 0u);
  EXPECT_TRUE(cold.stats().cache_written);
  // The cache lives in the cache folder, never in the project.
  EXPECT_EQ(CacheDirEntries().size(), 1u);
  EXPECT_EQ(std::distance(fs::directory_iterator(versions_),
                          fs::directory_iterator()),
            3);

  AgeFilesBehindCache();
  ScriptDirectory warm = Load();
  EXPECT_EQ(warm.stats().cache_hits, 3u);
  EXPECT_FALSE(warm.stats().cache_written);
  ExpectSameFiles(cold.files(), warm.files());
  EXPECT_EQ(warm.files()[1].transactional, std::optional<bool>(false));
  EXPECT_EQ(warm.files()[1].long_doc, cold.files()[1].long_doc);
  EXPECT_FALSE(warm.files()[1].long_doc.empty());
  ASSERT_NE(warm.Find("bbb"), nullptr);
}

TEST_F(ScriptHeaderCacheTest, SameSizeEditWithNewMtimeIsReRead) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  Load();
  AgeFilesBehindCache();
  struct stat before;
  ASSERT_EQ(stat((versions_ + "/bbb_second.sql").c_str(), &before), 0);
  Write("bbb_second.sql", RevisionText("bbx", "aaa"));
  timespec times[2] = {before.st_mtim, before.st_mtim};
  times[1].tv_sec += 1;
  ASSERT_EQ(
      utimensat(AT_FDCWD, (versions_ + "/bbb_second.sql").c_str(), times, 0),
      0);
  struct stat after;
  ASSERT_EQ(stat((versions_ + "/bbb_second.sql").c_str(), &after), 0);
  ASSERT_EQ(before.st_size, after.st_size);

  ScriptDirectory dir = Load();
  EXPECT_EQ(dir.stats().cache_hits, 1u);
  EXPECT_TRUE(dir.stats().cache_written);
  EXPECT_EQ(dir.Find("bbb"), nullptr);
  ASSERT_NE(dir.Find("bbx"), nullptr);
}

TEST_F(ScriptHeaderCacheTest, NewFileIsReadAndAdded) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  Load();
  AgeFilesBehindCache();
  // One sorting first, which shifts every cached entry's position.
  Write("a00_zeroth.sql", RevisionText("a00", ""));
  Write("ccc_third.sql", RevisionText("ccc", "bbb"));
  ScriptDirectory dir = Load();
  EXPECT_EQ(dir.stats().cache_hits, 2u);
  EXPECT_TRUE(dir.stats().cache_written);
  ASSERT_EQ(dir.files().size(), 4u);
  EXPECT_NE(dir.Find("a00"), nullptr);
  EXPECT_NE(dir.Find("ccc"), nullptr);
  AgeFilesBehindCache();
  EXPECT_EQ(Load().stats().cache_hits, 4u);
}

TEST_F(ScriptHeaderCacheTest, DeletedFileIsDroppedFromTheCache) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  Load();
  AgeFilesBehindCache();
  fs::remove(versions_ + "/bbb_second.sql");
  ScriptDirectory dir = Load();
  ASSERT_EQ(dir.files().size(), 1u);
  EXPECT_EQ(dir.Find("bbb"), nullptr);
  EXPECT_EQ(dir.stats().cache_hits, 1u);
  EXPECT_TRUE(dir.stats().cache_written);  // rewritten without the entry

  AgeFilesBehindCache();
  ScriptDirectory again = Load();
  EXPECT_EQ(again.stats().cache_hits, 1u);
  EXPECT_FALSE(again.stats().cache_written);
}

TEST_F(ScriptHeaderCacheTest, DamagedCacheFileIsIgnoredAndRebuilt) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  ScriptDirectory reference = Load();
  std::string good;
  {
    std::ifstream in(CachePath(), std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(good.size(), 40u);
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x20;
  std::string other_version = good;
  other_version[4] ^= 0x01;  // the format version field
  const std::vector<std::string> damaged = {
      good.substr(0, good.size() / 2),  // truncated
      good.substr(0, good.size() - 1),  // last byte missing
      flipped,
      other_version,
      "",
      "not a cache file at all, just some text",
  };
  for (const std::string& bytes : damaged) {
    SCOPED_TRACE(bytes.size());
    std::ofstream(CachePath(), std::ios::binary | std::ios::trunc) << bytes;
    AgeFilesBehindCache();
    ScriptDirectory dir = Load();
    EXPECT_EQ(dir.stats().cache_hits, 0u);
    EXPECT_TRUE(dir.stats().cache_written);
    ExpectSameFiles(reference.files(), dir.files());
    // Rebuilt: usable again.
    AgeFilesBehindCache();
    EXPECT_EQ(Load().stats().cache_hits, 2u);
  }
}

// The racy case: a file edited again within its timestamp tick keeps its
// stamp, so only the racy rule can notice. The test builds that state
// directly: a cache entry with the file's current stamp but other content.
TEST_F(ScriptHeaderCacheTest, RacyEntryIsReReadNotTrusted) {
  const std::string path = versions_ + "/aaa_first.sql";
  Write("aaa_first.sql", RevisionText("aaa", "", "Fresh text"));
  Result<RevisionFile> stale =
      ParseRevisionHeader(RevisionText("aaa", "", "Stale text"), path);
  ASSERT_TRUE(stale.ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  {
    HeaderCacheWriter writer;
    writer.Add(path, StampOf(st), *stale);
    ASSERT_TRUE(writer.Commit(CachePath()).ok());
  }
  // Written just now, right after the file: the entry is racy.
  ScriptDirectory dir = Load();
  EXPECT_EQ(dir.stats().cache_hits, 0u);
  ASSERT_EQ(dir.files().size(), 1u);
  EXPECT_EQ(dir.files()[0].revision.doc, "Fresh text");
  EXPECT_TRUE(dir.stats().cache_written);  // the stale entry is replaced

  // Control: the same stale entry, written long after the file changed, is
  // trusted, which is why recent entries must not be.
  {
    HeaderCacheWriter writer;
    writer.Add(path, StampOf(st), *stale);
    ASSERT_TRUE(writer.Commit(CachePath()).ok());
  }
  AgeFilesBehindCache();
  EXPECT_EQ(Load().files()[0].revision.doc, "Stale text");
}

TEST_F(ScriptHeaderCacheTest, FreshFileIsReReadUntilOldEnough) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Load();
  // Both loads run within the racy margin of the file's creation.
  ScriptDirectory dir = Load();
  EXPECT_EQ(dir.stats().cache_hits, 0u);
  // Rewriting now would leave the entry just as racy.
  EXPECT_FALSE(dir.stats().cache_written);
}

TEST_F(ScriptHeaderCacheTest, SwitchedOffByEnvironment) {
  setenv("RETORT_CACHE", "off", 1);
  Write("aaa_first.sql", RevisionText("aaa", ""));
  EXPECT_FALSE(HeaderCachePath({versions_}, false).has_value());
  ScriptDirectory first = Load();
  ScriptDirectory second = Load();
  EXPECT_EQ(second.stats().cache_hits, 0u);
  EXPECT_FALSE(second.stats().cache_written);
  EXPECT_FALSE(fs::exists(cache_dir_));
  ExpectSameFiles(first.files(), second.files());
}

TEST_F(ScriptHeaderCacheTest, UncreatableCacheFolderStillLoads) {
  // A folder below a regular file cannot be created, even by root.
  std::ofstream(root_ + "/plain_file") << "x";
  setenv("RETORT_CACHE_DIR", (root_ + "/plain_file/cache").c_str(), 1);
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("bbb", "aaa"));
  for (int i = 0; i < 2; ++i) {
    ScriptDirectory dir = Load();
    EXPECT_EQ(dir.files().size(), 2u);
    EXPECT_EQ(dir.stats().cache_hits, 0u);
    EXPECT_FALSE(dir.stats().cache_written);
  }
}

TEST_F(ScriptHeaderCacheTest, ErrorsAreTheSameWithAndWithoutTheCache) {
  Write("aaa_first.sql", RevisionText("aaa", ""));
  Write("bbb_second.sql", RevisionText("aaa", ""));  // duplicate id
  Write("ccc_broken.sql", "-- Broken\n--\n-- Revises: aaa\n");
  setenv("RETORT_CACHE", "off", 1);
  const Status uncached = LoadStatus();
  ASSERT_FALSE(uncached.ok());
  unsetenv("RETORT_CACHE");
  EXPECT_EQ(LoadStatus().ToString(), uncached.ToString());
  AgeFilesBehindCache();
  EXPECT_EQ(LoadStatus().ToString(), uncached.ToString());  // from the cache

  // With the broken file gone, the duplicate is found among cached entries.
  fs::remove(versions_ + "/ccc_broken.sql");
  setenv("RETORT_CACHE", "off", 1);
  const Status duplicate = LoadStatus();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.message().find("already declared"), std::string::npos);
  unsetenv("RETORT_CACHE");
  AgeFilesBehindCache();
  EXPECT_EQ(LoadStatus().ToString(), duplicate.ToString());
}

TEST_F(ScriptHeaderCacheTest, CachePathFollowsTheEnvironment) {
  ScopedEnv xdg("XDG_CACHE_HOME");
  ScopedEnv home("HOME");
  const std::string name = fs::path(CachePath()).filename().string();
  EXPECT_EQ(CachePath(), cache_dir_ + "/" + name);
  unsetenv("RETORT_CACHE_DIR");
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(CachePath(), "/x/cache/retort/" + name);
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(CachePath(), "/home/someone/.cache/retort/" + name);
  // Other locations, or a recursive scan, get another file.
  EXPECT_NE(HeaderCachePath({versions_ + "/sub"}, false), CachePath());
  EXPECT_NE(HeaderCachePath({versions_}, true), CachePath());
}

}  // namespace
}  // namespace retort
