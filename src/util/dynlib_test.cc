// Tests for DynLib: the errors a missing library or symbol gives.
#include "util/dynlib.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(DynLibTest, MissingLibrarySaysWhatToInstall) {
  DynLib lib("libretort-nonexistent.so.9", "retort-nonexistent");
  EXPECT_FALSE(lib.ok());
  EXPECT_EQ(lib.error().rfind("cannot load libretort-nonexistent.so.9 (", 0), 0u)
      << lib.error();
  EXPECT_NE(lib.error().find(
                "); install it, e.g. 'apt-get install retort-nonexistent'"),
            std::string::npos)
      << lib.error();
}

TEST(DynLibTest, BindsSymbolsAndReportsMissingOnes) {
  DynLib lib("libpq.so.5", "libpq5");
  ASSERT_TRUE(lib.ok()) << lib.error();
  int (*version)() = nullptr;
  lib.Bind(version, "PQlibVersion");
  ASSERT_NE(version, nullptr);
  EXPECT_GE(version(), 140000);
  void (*nope)() = nullptr;
  lib.Bind(nope, "PQnoSuchFunction");
  EXPECT_EQ(nope, nullptr);
  EXPECT_EQ(lib.error(),
            "libpq.so.5 has no symbol PQnoSuchFunction; install a newer libpq5");
}

}  // namespace
}  // namespace retort
