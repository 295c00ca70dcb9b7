// PlanSquash on graphs built in memory: the merged header and each refusal.
#include "revision/squash_plan.h"

#include <gtest/gtest.h>

#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

TEST(SquashPlanTest, KeepsEndsIdStartsParentsAndMergesLabelsAndDeps) {
  // Another line (o1, labelled) merges with the base line before the
  // range; the range b..d carries a label and a dependency on o1.
  RevisionMap map = BuildGraph({
      Rev("a"),
      Rev("o1", {}, {}, {"other"}),
      Rev("m", {"a", "o1"}),
      Rev("b", {"m"}, {}, {"feature"}),
      Rev("c", {"b"}, {"o1", "b"}),
      Rev("d", {"c"}),
      Rev("e", {"d"}, {"d"}),
  });
  auto plan = PlanSquash(map, "b", "d");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->range, (Strings{"b", "c", "d"}));
  EXPECT_EQ(plan->end, "d");
  EXPECT_EQ(plan->down_revisions, (Strings{"m"}));
  EXPECT_EQ(plan->branch_labels, (Strings{"feature"}));
  EXPECT_EQ(plan->depends_on, (Strings{"o1"}));
}

TEST(SquashPlanTest, Refusals) {
  RevisionMap map = BuildGraph({
      Rev("a"),
      Rev("b", {"a"}),
      Rev("c", {"b"}),
      Rev("x", {"b"}),
      Rev("d", {"c", "x"}),
      Rev("e", {"d"}),
      Rev("f", {"e"}),
      Rev("g", {"f"}),
      Rev("h", {}, {"f"}),
  });
  auto merge = PlanSquash(map, "c", "e");
  ASSERT_FALSE(merge.ok());
  EXPECT_EQ(merge.status().message(),
            "squash: revision d in the range is a merge point (it revises c, "
            "x); squash the lines before it separately");
  auto branch = PlanSquash(map, "a", "c");
  ASSERT_FALSE(branch.ok());
  EXPECT_EQ(branch.status().message(),
            "squash: revision b in the range is a branch point (revised by c, "
            "x); squash a range that ends before it");
  auto dep = PlanSquash(map, "e", "g");
  ASSERT_FALSE(dep.ok());
  EXPECT_EQ(dep.status().message(),
            "squash: revision h depends on f, which the squash removes; make "
            "it depend on g first, or squash a range that ends at f");
  auto ok = PlanSquash(map, "e", "f");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto not_ancestor = PlanSquash(map, "x", "c");
  ASSERT_FALSE(not_ancestor.ok());
  EXPECT_EQ(not_ancestor.status().message(),
            "squash: x is not an ancestor of c: give START:END along one line "
            "of revisions");
  auto one = PlanSquash(map, "e", "e");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().message(),
            "squash: e:e is one revision: nothing to squash");
  std::string s, e;
  EXPECT_EQ(SplitRange("abc", &s, &e).message(),
            "'abc' is not a range: give START:END, the first and the last "
            "revision to squash (e.g. ae10:f3c2)");
}

TEST(SquashPlanTest, OutsideChildOfAMiddleRevisionIsRefused) {
  RevisionMap map =
      BuildGraph({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"}), Rev("y", {"b"})});
  // b is a branch point, found first.
  auto plan = PlanSquash(map, "a", "c");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "squash: revision b in the range is a branch point (revised by c, "
            "y); squash a range that ends before it");
}

}  // namespace
}  // namespace retort
