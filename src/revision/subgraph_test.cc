// BuildBranchGraph: which revisions a branch owns and which dependencies
// point outside it, on graphs built in memory.
#include "revision/subgraph.h"

#include <gtest/gtest.h>

#include "revision/plan.h"
#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

Strings Ids(const RevisionMap& map) {
  Strings out;
  for (const RevisionNode& n : map.nodes()) out.push_back(n.id());
  return out;
}

// The seed's layout: auth and inventory are separate bases; inventory's
// second revision depends on auth's second.
RevisionMap Seed() {
  auto map = RevisionMap::Build({
      Rev("a1", {}, {}, {"auth"}),
      Rev("a2", {"a1"}),
      Rev("i1", {}, {}, {"inventory"}),
      Rev("i2", {"i1"}, {"a2"}),
      Rev("i3", {"i2"}),
  });
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  return std::move(map).value();
}

TEST(BranchGraphTest, SeparateBranches) {
  RevisionMap full = Seed();
  auto auth = BuildBranchGraph(full, "auth");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(Ids(auth->map), (Strings{"a1", "a2"}));
  EXPECT_TRUE(auth->external.empty());
  EXPECT_EQ(auth->map.Heads(), Strings{"a2"});

  auto inv = BuildBranchGraph(full, "inventory");
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(Ids(inv->map), (Strings{"i1", "i2", "i3"}));
  // The dependency on auth is cut from the branch and kept aside.
  ASSERT_EQ(inv->external.size(), 1u);
  EXPECT_EQ(inv->external.at("i2"), Strings{"a2"});
  // "head" in the branch is the branch's own head.
  auto plan = PlanUpgrade(inv->map, "head", {});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_EQ((*plan)[1].revision->id(), "i2");
  EXPECT_EQ((*plan)[1].from_revisions, Strings{"i1"});
}

TEST(BranchGraphTest, MergeWithAnotherLinePullsItIn) {
  auto full = RevisionMap::Build({
      Rev("base"),
      Rev("x1", {"base"}, {}, {"x"}),
      Rev("y1", {"base"}),
      Rev("m", {"x1", "y1"}),
      Rev("other"),
  });
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto x = BuildBranchGraph(*full, "x");
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(Ids(x->map), (Strings{"base", "x1", "y1", "m"}));
}

TEST(BranchGraphTest, UnknownLabel) {
  RevisionMap full = Seed();
  auto none = BuildBranchGraph(full, "billing");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "no revision has the branch label 'billing'");
}

}  // namespace
}  // namespace retort
