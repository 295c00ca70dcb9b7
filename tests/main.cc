// main() of the integration test binary: registers the PostgreSQL harness as
// a gtest Environment so one server serves every test in the process.
#include <gtest/gtest.h>

#include "pg_harness.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // gtest owns and deletes the environment.
  auto* harness = new retort::testing::PgHarness();
  ::testing::AddGlobalTestEnvironment(harness);
  return RUN_ALL_TESTS();
}
