#include "util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/temp_dir.h"

namespace retort {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicFile, CreatesReplacesOrRefuses) {
  auto dir = TempDir::Create("retort-atomic-");
  ASSERT_TRUE(dir.ok());
  std::string path = (*dir)->path() + "/f.sql";
  ASSERT_TRUE(WriteFileAtomically(path, "one", false).ok());
  EXPECT_EQ(Read(path), "one");
  Status again = WriteFileAtomically(path, "two", false);
  EXPECT_EQ(again.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(again.message(), path + ": already exists");
  EXPECT_EQ(Read(path), "one");
  ASSERT_TRUE(WriteFileAtomically(path, "three", true).ok());
  EXPECT_EQ(Read(path), "three");
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator((*dir)->path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
  Status missing =
      WriteFileAtomically((*dir)->path() + "/no/such/dir/f", "x", true);
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace retort
