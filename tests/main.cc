// main() of the integration test binary: registers the PostgreSQL harness as
// a gtest Environment so one server serves every test in the process.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "pg_harness.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // The retort binaries these tests start keep their header cache here, not
  // in the user's ~/.cache/retort.
  std::string cache = (std::filesystem::temp_directory_path() /
                       "retort-test-cache-XXXXXX").string();
  if (mkdtemp(cache.data())) setenv("RETORT_CACHE_DIR", cache.c_str(), 1);
  // gtest owns and deletes the environment.
  auto* harness = new retort::testing::PgHarness();
  ::testing::AddGlobalTestEnvironment(harness);
  int status = RUN_ALL_TESTS();
  std::error_code ec;
  std::filesystem::remove_all(cache, ec);
  if (!harness->setup_error().empty()) {
    // gtest reports the tests as skipped; say plainly that the run failed.
    std::fprintf(stderr,
                 "\n[pg_harness] FAILED: no test ran because the PostgreSQL "
                 "test server did not start:\n%s\n",
                 harness->setup_error().c_str());
    return 1;
  }
  return status;
}
