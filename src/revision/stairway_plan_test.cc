// PlanStairway and RevisionsInRange on graphs built in memory.
#include "revision/stairway_plan.h"

#include <gtest/gtest.h>

#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

TEST(StairwayPlanTest, LinearHistoryContinuesInOneDatabase) {
  RevisionMap map = BuildGraph({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"})});
  auto ids = RevisionsInRange(map, "");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (Strings{"a", "b", "c"}));
  auto steps = PlanStairway(map, *ids);
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].downgrade_to, "base");
  EXPECT_EQ((*steps)[1].downgrade_to, "a");
  EXPECT_EQ((*steps)[2].downgrade_to, "b");
  for (const StairwayStep& s : *steps) {
    EXPECT_FALSE(s.fresh) << s.revision;
    EXPECT_TRUE(s.setup.empty()) << s.revision;
    EXPECT_EQ(s.skipped, "") << s.revision;
  }
  EXPECT_EQ((*steps)[2].ancestors, (Strings{"b"}));
}

TEST(StairwayPlanTest, RangeWithStartUpgradesItsAncestorsFirst) {
  RevisionMap map = BuildGraph({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"})});
  auto ids = RevisionsInRange(map, "b:c");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (Strings{"b", "c"}));
  auto steps = PlanStairway(map, *ids);
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ((*steps)[0].setup, (Strings{"a"}));
  EXPECT_TRUE((*steps)[1].setup.empty());
  auto one = RevisionsInRange(map, "c");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (Strings{"c"}));
}

TEST(StairwayPlanTest, SecondLineOfABranchStartsOver) {
  // a -> b1, a -> b2, merge m: when b2's turn comes, b1 is applied and a
  // downgrade to a would undo it too, so b2 starts from an empty database.
  RevisionMap map = BuildGraph(
      {Rev("a"), Rev("b1", {"a"}), Rev("b2", {"a"}), Rev("m", {"b1", "b2"})});
  auto steps = PlanStairway(map, {"a", "b1", "b2", "m"});
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  EXPECT_FALSE((*steps)[1].fresh);
  EXPECT_TRUE((*steps)[2].fresh);
  EXPECT_EQ((*steps)[2].setup, (Strings{"a"}));
  EXPECT_EQ((*steps)[2].downgrade_to, "a");
  // The merge needs b1 applied again beside b2; downgrading to b1 undoes
  // only the merge.
  EXPECT_FALSE((*steps)[3].fresh);
  EXPECT_EQ((*steps)[3].setup, (Strings{"b1", "b2"}));
  EXPECT_EQ((*steps)[3].downgrade_to, "b1");
}

TEST(StairwayPlanTest, BaseWithDependencyIsSkipped) {
  RevisionMap map = BuildGraph({Rev("a"), Rev("x", {}, {"a"})});
  auto steps = PlanStairway(map, {"a", "x"});
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ((*steps)[1].skipped,
            "a base revision with Depends On: downgrading it to base would "
            "undo its dependencies too");
}

TEST(StairwayPlanTest, UnknownRevisionIsAnError) {
  RevisionMap map = BuildGraph({Rev("a")});
  auto steps = PlanStairway(map, {"zz"});
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.status().message(), "no revision 'zz' in the graph");
}

}  // namespace
}  // namespace retort
