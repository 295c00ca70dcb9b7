#include <gtest/gtest.h>

#include "retort/fanout.h"

namespace retort {
namespace {

TEST(FanoutOptions, CheckCombination) {
  FanoutOptions o;
  EXPECT_TRUE(o.CheckCombination("").ok());
  EXPECT_TRUE(o.CheckCombination("auth").ok());
  o.targets = {"all"};
  EXPECT_TRUE(o.CheckCombination("auth").ok());  // a schema on many servers
  o.tenants = true;
  EXPECT_TRUE(o.CheckCombination("").ok());
  EXPECT_EQ(o.CheckCombination("auth").message(),
            "--schema (or -x schema=) cannot be combined with --tenants: it "
            "names one schema, they name many");
  o.all_schemas = true;
  EXPECT_EQ(o.CheckCombination("").message(),
            "--tenants and --all-schemas cannot be combined");
  o.tenants = false;
  EXPECT_EQ(o.CheckCombination("x").message(),
            "--schema (or -x schema=) cannot be combined with --all-schemas: "
            "it names one schema, they name many");
}

}  // namespace
}  // namespace retort
