// HeadsPerBranch on graphs built in memory.
#include "revision/branch_heads.h"

#include <gtest/gtest.h>

#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

TEST(BranchHeadsTest, GraphWithoutLabelsIsOneBranch) {
  RevisionMap map = BuildGraph({Rev("a"), Rev("b", {"a"}), Rev("c", {"a"})});
  auto branches = HeadsPerBranch(map);
  ASSERT_EQ(branches.size(), 1u);
  EXPECT_EQ(branches[0].label, "");
  EXPECT_EQ(branches[0].heads, (Strings{"b", "c"}));
}

TEST(BranchHeadsTest, EmptyGraphIsOneBranchWithoutHeads) {
  RevisionMap map = BuildGraph({});
  auto branches = HeadsPerBranch(map);
  ASSERT_EQ(branches.size(), 1u);
  EXPECT_TRUE(branches[0].heads.empty());
}

TEST(BranchHeadsTest, EachLabelledLineHasItsOwnHeads) {
  // Two bases with labels: one head each is fine, two heads on auth is not.
  RevisionMap map = BuildGraph({
      Rev("a1", {}, {}, {"auth"}),
      Rev("a2", {"a1"}),
      Rev("a3", {"a1"}),
      Rev("i1", {}, {}, {"inventory"}),
      Rev("i2", {"i1"}, {"a2"}),
  });
  auto branches = HeadsPerBranch(map);
  ASSERT_EQ(branches.size(), 2u);
  EXPECT_EQ(branches[0].label, "auth");
  EXPECT_EQ(branches[0].heads, (Strings{"a2", "a3"}));
  EXPECT_EQ(branches[1].label, "inventory");
  EXPECT_EQ(branches[1].heads, (Strings{"i2"}));
}

TEST(BranchHeadsTest, LabelsAtABranchPointSplitTheHeads) {
  // base -> x (label feature_x), base -> y (label feature_y): each line has
  // one head, and no head is unlabelled.
  RevisionMap map = BuildGraph({
      Rev("base"),
      Rev("x", {"base"}, {}, {"feature_x"}),
      Rev("y", {"base"}, {}, {"feature_y"}),
  });
  auto branches = HeadsPerBranch(map);
  ASSERT_EQ(branches.size(), 2u);
  EXPECT_EQ(branches[0].heads, (Strings{"x"}));
  EXPECT_EQ(branches[1].heads, (Strings{"y"}));
}

TEST(BranchHeadsTest, UnlabelledHeadsBesideLabelledOnes) {
  RevisionMap map = BuildGraph({
      Rev("a1", {}, {}, {"auth"}),
      Rev("m1"),
      Rev("m2", {"m1"}),
      Rev("m3", {"m1"}),
  });
  auto branches = HeadsPerBranch(map);
  ASSERT_EQ(branches.size(), 2u);
  EXPECT_EQ(branches[0].heads, (Strings{"a1"}));
  EXPECT_EQ(branches[1].label, "");
  EXPECT_EQ(branches[1].heads, (Strings{"m2", "m3"}));
}

}  // namespace
}  // namespace retort
