// Tests for ScriptDirectory: finding revision files in version locations,
// duplicate ids, long headers, lazy bodies, and checksums. Each test works in
// its own temporary folder.
#include "script/script_directory.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "script/sha256.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

std::string RevisionText(const std::string& id, const std::string& parent,
                         const std::string& extra_header = "") {
  return "-- Revision " + id + "\n--\n-- Revision ID: " + id +
         "\n-- Revises: " + parent +
         "\n-- Branch Labels:\n-- Depends On:\n"
         "-- Create Date: 2026-11-21 10:00:00.000000\n" +
         extra_header + "\n-- migrate:upgrade\nCREATE TABLE t_" + id +
         " (x int);\n\n-- migrate:downgrade\nDROP TABLE t_" + id + ";\n";
}

class ScriptDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/retort_script_dir_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/migrations/versions");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

  ScriptDirectoryOptions Options() {
    ScriptDirectoryOptions options;
    options.script_location = root_ + "/migrations";
    return options;
  }

  std::string root_;
};

TEST_F(ScriptDirectoryTest, LoadsHeadersSortedByPath) {
  Write("migrations/versions/bbb_second.sql", RevisionText("bbb", "aaa"));
  Write("migrations/versions/aaa_first.sql", RevisionText("aaa", ""));
  Write("migrations/versions/notes.txt", "not a revision");
  Write("migrations/versions/.#aaa_first.sql", "editor lock file");
  Write("migrations/versions/sub/ccc_third.sql", RevisionText("ccc", "bbb"));
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  ASSERT_TRUE(dir->Load().ok());
  ASSERT_EQ(dir->files().size(), 2u);  // not recursive: sub/ is skipped
  EXPECT_EQ(dir->files()[0].revision.id, "aaa");
  EXPECT_EQ(dir->files()[0].revision.path,
            root_ + "/migrations/versions/aaa_first.sql");
  EXPECT_EQ(dir->files()[1].revision.down_revisions,
            std::vector<std::string>{"aaa"});
  ASSERT_NE(dir->Find("bbb"), nullptr);
  EXPECT_EQ(dir->Find("bbb")->revision.doc, "Revision bbb");
  EXPECT_EQ(dir->Find("bb"), nullptr);
  EXPECT_EQ(dir->Revisions().size(), 2u);
  EXPECT_EQ(dir->stats().files, 2u);
  EXPECT_EQ(dir->template_path(), root_ + "/migrations/script.sql.tmpl");
}

TEST_F(ScriptDirectoryTest, RecursiveVersionLocations) {
  Write("migrations/versions/aaa_first.sql", RevisionText("aaa", ""));
  Write("migrations/versions/auth/2026/bbb_second.sql",
        RevisionText("bbb", "aaa"));
  Write("migrations/versions/.hidden/ccc.sql", RevisionText("ccc", ""));
  ScriptDirectoryOptions options = Options();
  options.recursive_version_locations = true;
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Load().ok());
  ASSERT_EQ(dir->files().size(), 2u);
  EXPECT_EQ(dir->files()[1].revision.path,
            root_ + "/migrations/versions/auth/2026/bbb_second.sql");
}

TEST_F(ScriptDirectoryTest, ConfiguredVersionLocations) {
  Write("auth/aaa.sql", RevisionText("aaa", ""));
  Write("inventory/bbb.sql", RevisionText("bbb", ""));
  Write("migrations/versions/zzz.sql", RevisionText("zzz", ""));
  ScriptDirectoryOptions options = Options();
  options.version_locations = {root_ + "/auth", root_ + "/inventory",
                               root_ + "/does_not_exist"};
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(dir->files().size(), 2u);  // versions/ is not a location now
  EXPECT_EQ(dir->files()[0].revision.id, "aaa");
  EXPECT_EQ(dir->files()[1].revision.id, "bbb");
}

TEST_F(ScriptDirectoryTest, OverlappingLocationsReadAFileOnce) {
  Write("migrations/versions/aaa.sql", RevisionText("aaa", ""));
  ScriptDirectoryOptions options = Options();
  options.version_locations = {root_ + "/migrations/versions",
                               root_ + "/migrations/./versions/"};
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(dir->files().size(), 1u);
}

TEST_F(ScriptDirectoryTest, MissingVersionsFolderIsEmpty) {
  fs::remove_all(root_ + "/migrations/versions");
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Load().ok());
  EXPECT_TRUE(dir->files().empty());
}

TEST_F(ScriptDirectoryTest, ErrorMissingScriptLocation) {
  ScriptDirectoryOptions options;
  options.script_location = root_ + "/nope";
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(dir.status().message(),
            root_ +
                "/nope: no such folder; run \"retort init\" to create the "
                "scripts folder, or set script_location");
}

TEST_F(ScriptDirectoryTest, ErrorScriptLocationIsAFile) {
  Write("file", "x");
  ScriptDirectoryOptions options;
  options.script_location = root_ + "/file";
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(),
            root_ +
                "/file: not a folder; script_location must name the "
                "scripts folder");
}

TEST_F(ScriptDirectoryTest, ErrorDuplicateRevisionIdNamesBothFiles) {
  Write("migrations/versions/aaa_one.sql", RevisionText("aaa", ""));
  Write("migrations/versions/aaa_two.sql", RevisionText("aaa", ""));
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  const std::string v = root_ + "/migrations/versions/";
  EXPECT_EQ(st.message(), v +
                              "aaa_two.sql:3: Revision ID \"aaa\" is already "
                              "declared in " +
                              v +
                              "aaa_one.sql:3; give one of the files a new id");
  EXPECT_TRUE(dir->files().empty());
}

TEST_F(ScriptDirectoryTest, ErrorFromABadFileIsTheFirstInPathOrder) {
  for (int i = 0; i < 200; ++i) {
    std::string id = "r" + std::to_string(1000 + i);
    Write("migrations/versions/" + id + ".sql", RevisionText(id, ""));
  }
  Write("migrations/versions/r1150.sql", "-- Revison ID: x\n");
  Write("migrations/versions/r1190.sql", "-- nothing\n");
  ScriptDirectoryOptions options = Options();
  options.threads = 4;
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), root_ +
                              "/migrations/versions/r1150.sql:1: unknown "
                              "header key \"Revison ID\"; did you mean "
                              "\"Revision ID\"?");
}

TEST_F(ScriptDirectoryTest, HeaderLongerThanTheFirstReadIsReadWhole) {
  std::string long_message;
  for (int i = 0; i < 200; ++i) {
    long_message += "-- line " + std::to_string(i) +
                    " of a long description of this change\n";
  }
  Write("migrations/versions/aaa.sql",
        "-- Long one\n--\n" + long_message + "--\n" +
            RevisionText("aaa", "").substr(
                RevisionText("aaa", "").find("-- Revision ID")));
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(dir->files().size(), 1u);
  EXPECT_EQ(dir->files()[0].revision.id, "aaa");
  EXPECT_EQ(dir->files()[0].revision.doc, "Long one");
  EXPECT_EQ(dir->stats().full_reads, 1u);
}

TEST_F(ScriptDirectoryTest, ReadSectionsIsLazy) {
  Write("migrations/versions/aaa.sql", RevisionText("aaa", ""));
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Load().ok());
  // The body is read when asked for, so a later edit is seen.
  Write("migrations/versions/aaa.sql",
        RevisionText("aaa", "") + "DROP TABLE other;\n");
  Result<RevisionSections> s = dir->ReadSections(dir->files()[0].revision);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade, "CREATE TABLE t_aaa (x int);\n\n");
  EXPECT_EQ(s->upgrade_line, 10);
  EXPECT_EQ(s->downgrade, "DROP TABLE t_aaa;\nDROP TABLE other;\n");
}

TEST_F(ScriptDirectoryTest, VersionPathFor) {
  ScriptDirectoryOptions single = Options();
  Result<ScriptDirectory> one = ScriptDirectory::Open(single);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one->VersionPathFor(std::nullopt, {}),
            root_ + "/migrations/versions");

  ScriptDirectoryOptions multi = Options();
  multi.version_locations = {root_ + "/auth", root_ + "/inventory"};
  Result<ScriptDirectory> two = ScriptDirectory::Open(multi);
  ASSERT_TRUE(two.ok());
  Result<std::string> none = two->VersionPathFor(std::nullopt, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "multiple version locations present (" +
                                         root_ + "/auth, " + root_ +
                                         "/inventory); specify --version-path");
  EXPECT_EQ(
      *two->VersionPathFor(std::nullopt, {root_ + "/inventory/x/abc.sql"}),
      root_ + "/inventory/x");
  EXPECT_EQ(*two->VersionPathFor(root_ + "/auth/", {}), root_ + "/auth/");
  Result<std::string> wrong = two->VersionPathFor(root_ + "/elsewhere", {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            "path " + root_ +
                "/elsewhere is not one of the version locations (" + root_ +
                "/auth, " + root_ +
                "/inventory); choose one of them or add it to "
                "version_locations");
}

TEST_F(ScriptDirectoryTest, ReadFileAndChecksum) {
  Write("a.sql", "abc");
  EXPECT_EQ(*ReadFile(root_ + "/a.sql"), "abc");
  EXPECT_EQ(*FileSha256Hex(root_ + "/a.sql"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Result<std::string> missing = ReadFile(root_ + "/nope.sql");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), root_ + "/nope.sql: no such file");
  std::string big(300000, 'x');
  Write("big.sql", big);
  EXPECT_EQ(ReadFile(root_ + "/big.sql")->size(), big.size());
  EXPECT_EQ(*FileSha256Hex(root_ + "/big.sql"), Sha256Hex(big));
}

// Prints the scan time for 1,000 files (no assertion: timing depends on the
// machine; script_directory_perftest.cc measures 10,000).
TEST_F(ScriptDirectoryTest, TimingOfOneThousandFiles) {
  std::string parent;
  for (int i = 0; i < 1000; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "%012x", 0xabc000 + i);
    Write("migrations/versions/" + std::string(id) + "_step.sql",
          RevisionText(id, parent));
    parent = id;
  }
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  double best = 1e9;
  for (int rep = 0; rep < 5; ++rep) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(dir->Load().ok());
    best = std::min(best, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count());
  }
  EXPECT_EQ(dir->files().size(), 1000u);
  std::printf("[ timing ] Load() of 1000 revision files: %.2f ms (best of 5)\n",
              best);
}

// Regression (issue 14): a dangling symlink was skipped, hiding the
// revision it was meant to add.
TEST_F(ScriptDirectoryTest, DanglingSymlinkIsAnError) {
  Write("migrations/versions/aaa.sql", RevisionText("aaa", ""));
  const std::string link = root_ + "/migrations/versions/bbb_gone.sql";
  ASSERT_EQ(symlink("../../elsewhere/bbb.sql", link.c_str()), 0);
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_EQ(st.message(), link +
                              ": a symbolic link to ../../elsewhere/bbb.sql, "
                              "which does not exist; restore its target or "
                              "remove the link");
  // Once the target exists, the link is read as the file it points to.
  Write("elsewhere/bbb.sql", RevisionText("bbb", "aaa"));
  st = dir->Load();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(dir->files().size(), 2u);
}

// Regression (issue 14): a Revision ID longer than version_num's 32
// characters was accepted until the version table refused it at run time.
TEST_F(ScriptDirectoryTest, RevisionIdLongerThanTheVersionColumn) {
  const std::string id33(33, 'a');
  Write("migrations/versions/long.sql", RevisionText(id33, ""));
  Write("migrations/versions/ok.sql", RevisionText(std::string(32, 'b'), ""));
  Result<ScriptDirectory> dir = ScriptDirectory::Open(Options());
  ASSERT_TRUE(dir.ok());
  Status st = dir->Load();
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_EQ(st.message(),
            root_ + "/migrations/versions/long.sql:3: Revision ID \"" + id33 +
                "\" is 33 characters; the version table's version_num "
                "column holds 32 (VARCHAR(32), as Alembic's): give the file "
                "a shorter id");
  fs::remove(root_ + "/migrations/versions/long.sql");
  EXPECT_TRUE(dir->Load().ok());
}

}  // namespace
}  // namespace retort
