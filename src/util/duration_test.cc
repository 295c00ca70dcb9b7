#include "util/duration.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(Duration, PostgresUnits) {
  EXPECT_EQ(*ParseDurationMs("5s"), 5000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("250"), 250);  // no unit: ms, as PostgreSQL
  EXPECT_EQ(*ParseDurationMs("2min"), 120000);
  EXPECT_EQ(*ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(*ParseDurationMs("1 d"), 86400000);
  EXPECT_EQ(*ParseDurationMs("1.5s"), 1500);
  EXPECT_EQ(*ParseDurationMs("500us"), 1);  // rounded up, never to "off"
  EXPECT_EQ(*ParseDurationMs("0"), 0);
}

TEST(Duration, RefusesWhatPostgresWouldNot) {
  for (const char* bad :
       {"", "s", "5 seconds", "5sec", "-1s", "1.2.3s", "5s 3", "30d"}) {
    auto r = ParseDurationMs(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "'" + std::string(bad) +
                  "' is not a duration: write a number with a unit (us, ms, "
                  "s, min, h, d), e.g. \"5s\" or \"500ms\"; \"0\" turns it "
                  "off");
  }
}

}  // namespace
}  // namespace retort
