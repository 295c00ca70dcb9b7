// PlanRebase on graphs built in memory: the moved line, the rebased graph
// and each refusal.
#include "revision/rebase_plan.h"

#include <gtest/gtest.h>

#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

std::string Refusal(const RevisionMap& map, std::string_view rev,
                    std::string_view onto) {
  auto plan = PlanRebase(map, rev, onto);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : std::string(plan.status().message());
}

// a -> b -> c and a -> x -> y (two heads); d depends on y.
std::vector<Revision> TwoHeads() {
  return {Rev("a"),        Rev("b", {"a"}), Rev("c", {"b"}),
          Rev("x", {"a"}), Rev("y", {"x"}), Rev("d", {"c"}, {"y"})};
}

TEST(RebasePlanTest, MovesTheLineOntoTheOtherHead) {
  std::vector<Revision> revisions = TwoHeads();
  revisions.pop_back();  // without d: heads c and y
  RevisionMap map = BuildGraph(revisions);
  auto plan = PlanRebase(map, "x", "c");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->revision, "x");
  EXPECT_EQ(plan->old_parents, Strings{"a"});
  EXPECT_EQ(plan->onto, "c");
  EXPECT_EQ(plan->line, (Strings{"x", "y"}));
  EXPECT_TRUE(plan->dependencies.empty());
  EXPECT_FALSE(plan->nothing_to_do);

  RevisionMap rebased = BuildGraph(RebasedRevisions(revisions, *plan));
  EXPECT_EQ(rebased.Heads(), Strings{"y"});
  EXPECT_TRUE(CheckRebased(rebased, *plan).ok());
  // The graph before the rewrite does not pass the check.
  Status unchanged = CheckRebased(map, *plan);
  EXPECT_EQ(unchanged.message(),
            "rebase: x revises a after the rewrite, not c");
}

TEST(RebasePlanTest, ADependencyOnTheLineIsKeptAndListed) {
  RevisionMap map = BuildGraph(TwoHeads());
  // Moving b (line b, c, d) onto y: d's dependency on y points outside.
  auto plan = PlanRebase(map, "b", "y");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->line, (Strings{"b", "c", "d"}));
  EXPECT_TRUE(plan->dependencies.empty());
  // Moving x..y: d depends on y, so d cannot be x's new parent.
  plan = PlanRebase(map, "x", "b");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->dependencies.size(), 1u);
  EXPECT_EQ(plan->dependencies[0].revision, "d");
  EXPECT_EQ(plan->dependencies[0].depends_on, "y");
  EXPECT_EQ(Refusal(map, "x", "d"),
            "rebase: d descends from the line being moved (x..y) through "
            "'Depends On': moving x onto it would make a cycle; give a "
            "revision that does not depend on the line");
}

TEST(RebasePlanTest, NothingToDoWhenTargetIsAlreadyTheParent) {
  RevisionMap map = BuildGraph(TwoHeads());
  auto plan = PlanRebase(map, "y", "x");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->nothing_to_do);
}

TEST(RebasePlanTest, Refusals) {
  RevisionMap map = BuildGraph({
      Rev("a"),
      Rev("b", {"a"}),
      Rev("c", {"b"}),
      Rev("x", {"a"}),
      Rev("m", {"c", "x"}),
      Rev("p", {"a"}),
      Rev("q", {"p"}),
      Rev("r", {"p"}),
      Rev("l1", {}, {}, {"side"}),
      Rev("l2", {"l1"}),
      Rev("u"),
  });
  EXPECT_EQ(Refusal(map, "b", "q"),
            "rebase: revision m in the line of b is a merge point (it "
            "revises c, x); rebase moves a plain line up to its head: merge "
            "the heads instead ('retort merge')");
  EXPECT_EQ(Refusal(map, "m", "q"),
            "rebase: revision m is a merge point (it revises c, x); rebase "
            "moves a line onto one parent: rebase the lines it merges "
            "instead");
  EXPECT_EQ(Refusal(map, "p", "m"),
            "rebase: revision p in the line of p is a branch point (revised "
            "by q, r); rebase moves a plain line up to its head: rebase each "
            "line after it instead");
  EXPECT_EQ(Refusal(map, "l1", "l1"),
            "rebase: l1 is in the line being moved (l1..l2): moving l1 onto "
            "it would make a cycle; give a revision outside it, e.g. the "
            "other head");
  EXPECT_EQ(Refusal(map, "l1", "l2"),
            "rebase: l2 is in the line being moved (l1..l2): moving l1 onto "
            "it would make a cycle; give a revision outside it, e.g. the "
            "other head");
  EXPECT_EQ(Refusal(map, "l1", "m"),
            "rebase: revision l1 is the base of branch side, a line of its "
            "own: a branch's base stays a base; merge the heads instead "
            "('retort merge') if the branches must meet");
  EXPECT_EQ(Refusal(map, "u", "l2"),
            "rebase: u is on no branch label and l2 on branch side: moving u "
            "onto l2 would change the branch of its line; give a revision of "
            "the same branch as --onto");
  EXPECT_EQ(Refusal(map, "base", "m"),
            "rebase: give a revision as REV, not base: the first revision of "
            "the line to move");
  EXPECT_EQ(Refusal(map, "q", "base"),
            "rebase: give a revision as --onto, not base: the revision the "
            "line moves onto (usually the other head)");
  // An unlabelled base moves onto another unlabelled line.
  auto plan = PlanRebase(map, "u", "q");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->old_parents, Strings{});
  EXPECT_EQ(plan->line, Strings{"u"});
}

}  // namespace
}  // namespace retort
