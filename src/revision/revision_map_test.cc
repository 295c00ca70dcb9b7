// Hand-written tests of RevisionMap: validation errors (texts checked against
// Alembic 1.19.2), accessors, resolution, and scale (10k nodes, no recursion).
#include "revision/revision_map.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "revision/test_revisions.h"

namespace retort {
namespace {

std::string BuildError(std::vector<Revision> revs) {
  Result<RevisionMap> map = RevisionMap::Build(std::move(revs));
  return map.ok() ? "OK" : map.status().message();
}

std::vector<std::string> Ids(const std::vector<const RevisionNode*>& nodes) {
  std::vector<std::string> out;
  for (const RevisionNode* n : nodes) out.push_back(n ? n->id() : "base");
  return out;
}

using Strings = std::vector<std::string>;

// Texts checked against Alembic's RevisionMap / Revision constructors.
TEST(RevisionBuildTest, SelfLoops) {
  EXPECT_EQ(BuildError({Rev("a", {"a"})}),
            "Self-loop is detected in revisions (a)");
  EXPECT_EQ(BuildError({Rev("a", {}, {"a"})}),
            "Dependency self-loop is detected in revisions (a)");
}

TEST(RevisionBuildTest, IllegalCharacters) {
  EXPECT_EQ(BuildError({Rev("a-b:c")}),
            "Character(s) '-, :' not allowed in revision identifier 'a-b:c'");
  EXPECT_EQ(BuildError({Rev("x@y+z")}),
            "Character(s) '+, @' not allowed in revision identifier 'x@y+z'");
}

TEST(RevisionBuildTest, Cycles) {
  EXPECT_EQ(BuildError({Rev("a"), Rev("b", {"c"}), Rev("c", {"b"})}),
            "Cycle is detected in revisions (b, c)");
  // No head at all: Alembic lists every revision.
  EXPECT_EQ(BuildError({Rev("a", {"c"}), Rev("b", {"a"}), Rev("c", {"b"})}),
            "Cycle is detected in revisions (a, b, c)");
  EXPECT_EQ(BuildError({Rev("a"), Rev("b", {"a"}), Rev("c", {"b", "d"}),
                        Rev("d", {"c"})}),
            "Cycle is detected in revisions (a, b, c, d)");
  EXPECT_EQ(
      BuildError({Rev("a"), Rev("b", {"a"}, {"c"}), Rev("c", {"a"}, {"b"})}),
      "Dependency cycle is detected in revisions (a, b, c)");
}

// Found by fuzz/revision_map_fuzzer.cc: Alembic's test (every revision
// below a head and above a base) passes these, and walks then ran a
// revision before its own parent or dependency.
TEST(RevisionBuildTest, CyclesBetweenAHeadAndABase) {
  EXPECT_EQ(BuildError({Rev("z"), Rev("a", {"b"}), Rev("b", {"a", "z"}),
                        Rev("h", {"a"})}),
            "Cycle is detected in revisions (a, b)");
  // Through Depends On, one side named by its branch label.
  EXPECT_EQ(BuildError({Rev("z"), Rev("a", {}, {"auth"}),
                        Rev("b", {}, {"a", "z"}, {"auth"}), Rev("h", {"a"})}),
            "Dependency cycle is detected in revisions (a, b)");
}

// Found by fuzz/revision_map_fuzzer.cc: a relative step of 20 digits
// overflowed a long long (undefined behaviour) while it was read.
TEST(RevisionResolutionTest, HugeRelativeStepsDoNotOverflow) {
  auto map = RevisionMap::Build({Rev("a"), Rev("b", {"a"})});
  ASSERT_TRUE(map.ok());
  for (const char* target :
       {"+22222222222222222222", "-99999999999999999999",
        "b+9_223_372_036_854_775_808", "heads-22222222222222222222"}) {
    EXPECT_FALSE(map->IterateRevisions(target, "base").ok()) << target;
    EXPECT_FALSE(map->GetRevisions(target).ok()) << target;
  }
}

TEST(RevisionBuildTest, BranchLabelCollisions) {
  EXPECT_EQ(BuildError({Rev("a", {}, {}, {"x"}), Rev("b", {"a"}, {}, {"x"})}),
            "Branch name 'x' in revision b already used by revision a");
  EXPECT_EQ(BuildError({Rev("a"), Rev("b", {"a"}, {}, {"a"})}),
            "Branch name 'a' in revision b already used by revision a");
}

// Alembic only warns about these and then fails later; retort refuses them.
TEST(RevisionBuildTest, DuplicatesAndUnknownReferences) {
  EXPECT_EQ(BuildError({Rev("a"), Rev("a")}),
            "Revision a is present more than once");
  EXPECT_EQ(BuildError({Rev("a"), Rev("b", {"zz"})}),
            "Revision zz referenced from b is not present");
  EXPECT_EQ(BuildError({Rev("a"), Rev("b", {"a"}, {"zz"})}),
            "Dependency zz referenced from b is not present");
  // A parent must be an id; a label is only accepted in "Depends On".
  EXPECT_EQ(BuildError({Rev("a", {}, {}, {"lib"}), Rev("b", {"lib"})}),
            "Revision lib referenced from b is not present");
  EXPECT_EQ(BuildError({Rev("")}), "Revision ID must not be empty");
}

TEST(RevisionBuildTest, ErrorsNameFileAndLine) {
  Revision a = Rev("a");
  Revision b = Rev("b", {"zz"});
  b.path = "versions/b_add.sql";
  b.id_line = 3;
  b.revises_line = 4;
  b.depends_on_line = 6;
  EXPECT_EQ(BuildError({a, b}),
            "versions/b_add.sql:4: Revision zz referenced from b is not "
            "present");
  b.down_revisions = {"a"};
  b.depends_on = {"nope"};
  EXPECT_EQ(BuildError({a, b}),
            "versions/b_add.sql:6: Dependency nope referenced from b is not "
            "present");
  Revision dup = Rev("a");
  dup.path = "versions/a2.sql";
  dup.id_line = 3;
  EXPECT_EQ(BuildError({a, dup}),
            "versions/a2.sql:3: Revision a is present more than once");
  Result<RevisionMap> map = RevisionMap::Build({a, dup});
  EXPECT_EQ(map.status().code(), Status::Code::kCorruption);
}

TEST(RevisionEmptyTest, EmptyGraph) {
  Result<RevisionMap> map = RevisionMap::Build({});
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->Heads().empty());
  EXPECT_TRUE(map->Bases().empty());
  EXPECT_EQ(Ids(*map->GetRevisions("heads")), Strings{});
  EXPECT_EQ(Ids(*map->GetRevisions("head")), Strings{});
  EXPECT_EQ(*map->GetRevision("head"), nullptr);
  EXPECT_EQ(*map->GetCurrentHead(), std::nullopt);
  EXPECT_EQ(Ids(*map->IterateRevisions("heads", "base")), Strings{});
  EXPECT_EQ(map->GetRevision("abcd").status().message(),
            "No such revision or branch 'abcd'");
}

class RevisionDiamondTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = RevisionMap::Build({Rev("a"), Rev("b1", {"a"}), Rev("b2", {"a"}),
                                 Rev("c", {"b1", "b2"}), Rev("d", {"c"})});
    ASSERT_TRUE(m.ok());
    map_ = std::move(m).value();
  }
  RevisionMap map_;
};

TEST_F(RevisionDiamondTest, Structure) {
  EXPECT_EQ(map_.Heads(), Strings{"d"});
  EXPECT_EQ(map_.Bases(), Strings{"a"});
  const RevisionNode* a = map_.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->is_branch_point);
  EXPECT_EQ(map_.Children(*a), (Strings{"b1", "b2"}));
  const RevisionNode* c = map_.Find("c");
  EXPECT_TRUE(c->is_merge_point);
  EXPECT_FALSE(c->is_head);
  EXPECT_EQ(map_.Parents(*c), (Strings{"b1", "b2"}));
  EXPECT_EQ(map_.Find("c2"), nullptr);
  EXPECT_EQ(map_.Ancestors({"c"}), (Strings{"a", "b1", "b2", "c"}));
  EXPECT_EQ(map_.Descendants({"b2"}), (Strings{"b2", "c", "d"}));
}

TEST_F(RevisionDiamondTest, IterateSimpleDiamond) {
  IterateOptions inclusive;
  inclusive.inclusive = true;
  EXPECT_EQ(Ids(*map_.IterateRevisions("d", "a", inclusive)),
            (Strings{"d", "c", "b1", "b2", "a"}));
}

TEST_F(RevisionDiamondTest, RelativeFormsOfGetRevisions) {
  // get_revisions only knows "[label@]-N"; "rev+N" belongs to upgrade and
  // downgrade targets (see plan_test.cc).
  EXPECT_EQ(Ids(*map_.GetRevisions("-1")), Strings{"c"});
  EXPECT_EQ(map_.GetRevisions("-3").status().message(), "Ambiguous walk");
  EXPECT_EQ(map_.GetRevisions("c-1").status().message(),
            "No such revision or branch 'c-1'; please ensure at least four "
            "characters are present for partial revision identifier matches");
}

class RevisionLabeledBranchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = RevisionMap::Build(
        {Rev("abc"), Rev("bcd", {"abc"}), Rev("cde", {"bcd"}, {}, {"ebranch"}),
         Rev("someothername", {"bcd"}, {}, {"somelongername"}),
         Rev("def", {"cde"}), Rev("efg", {"def"}), Rev("fgh", {"efg"})});
    ASSERT_TRUE(m.ok());
    map_ = std::move(m).value();
  }
  RevisionMap map_;
};

// Checked against Alembic's LabeledBranchTest.
TEST_F(RevisionLabeledBranchTest, Resolution) {
  EXPECT_EQ((*map_.GetRevision("ebranch@head"))->id(), "fgh");
  EXPECT_EQ((*map_.GetRevision("somelongername@head"))->id(), "someothername");
  EXPECT_EQ(*map_.GetCurrentHead("ebranch"), "fgh");
  EXPECT_EQ((*map_.GetRevision("ebranch@fgh"))->id(), "fgh");
  EXPECT_EQ(Ids(*map_.GetRevisions("ebranch@-1")), Strings{"efg"});
  EXPECT_EQ(map_.GetRevision("ebranch@-1").status().message(),
            "No such revision or branch '-1'; please ensure at least four "
            "characters are present for partial revision identifier matches");
  EXPECT_EQ((*map_.GetRevision("someoth"))->id(), "someothername");
  EXPECT_EQ(map_.GetRevision("ebranch@someothername").status().message(),
            "Revision someothername is not a member of branch 'ebranch'");
  EXPECT_EQ(map_.GetRevision("nobranch@head").status().message(),
            "No such revision or branch 'nobranch'");
  EXPECT_EQ(map_.GetRevision("sz").status().message(),
            "No such revision or branch 'sz'; please ensure at least four "
            "characters are present for partial revision identifier matches");
  EXPECT_EQ(map_.GetRevision("head").status().message(),
            "Multiple heads are present for given argument 'head'; "
            "someothername, fgh");
  EXPECT_EQ(map_.GetRevision("head").status().code(), Status::Code::kConflict);
  EXPECT_EQ(map_.GetRevision("nothere").status().code(),
            Status::Code::kNotFound);
}

TEST_F(RevisionLabeledBranchTest, LabelsPropagateDownToTheBranchPoint) {
  EXPECT_EQ(map_.Find("fgh")->branch_labels, Strings{"ebranch"});
  EXPECT_EQ(map_.Find("cde")->branch_labels, Strings{"ebranch"});
  // bcd is the branch point: no label reaches it.
  EXPECT_EQ(map_.Find("bcd")->branch_labels, Strings{});
  EXPECT_EQ(map_.FindBranchLabel("ebranch")->id(), "cde");
}

TEST(RevisionDependencyTest, NormalizedDependencies) {
  // Alembic's NormalizedDownRevTest.
  auto map = RevisionMap::Build(
      {Rev("a1"), Rev("a2", {"a1"}), Rev("a3", {"a2"}), Rev("b1"),
       Rev("b2", {"b1"}, {"a3"}), Rev("b3", {"b2"}), Rev("b4", {"b3"}, {"a3"}),
       Rev("b5", {"b4"}, {"b4"})});
  ASSERT_TRUE(map.ok());
  const RevisionNode* b4 = map->Find("b4");
  EXPECT_EQ(map->ResolvedDependencies(*b4), Strings{"a3"});
  EXPECT_EQ(map->NormalizedDownRevisions(*b4), Strings{"b3"});
  EXPECT_EQ(map->NormalizedDownRevisions(*map->Find("b5")), Strings{"b4"});
  EXPECT_EQ(map->Heads(), (Strings{"a3", "b5"}));
  EXPECT_EQ(map->RealHeads(), Strings{"b5"});
  EXPECT_EQ(map->Bases(), (Strings{"a1", "b1"}));
  EXPECT_TRUE(map->Find("a3")->is_head);
  EXPECT_FALSE(map->Find("a3")->is_real_head);
}

TEST(RevisionDependencyTest, LabelDependencyResolvesToTheLabelledRevision) {
  auto map =
      RevisionMap::Build({Rev("a1aa", {}, {}, {"lib1"}), Rev("b1bb", {"a1aa"}),
                          Rev("a2aa", {}, {"lib1"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->ResolvedDependencies(*map->Find("a2aa")), Strings{"a1aa"});
  EXPECT_EQ(map->Dependents(*map->Find("a1aa")), (Strings{"b1bb", "a2aa"}));
  EXPECT_TRUE(map->Find("a1aa")->is_real_branch_point);
  EXPECT_FALSE(map->Find("a1aa")->is_branch_point);
}

TEST(RevisionResolutionTest, RangeNotAncestor) {
  auto map = RevisionMap::Build({Rev("a"), Rev("b1", {"a"}), Rev("b2", {"a"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->IterateRevisions("b1", "b2").status().message(),
            "Revision b2 is not an ancestor of revision b1");
  RevisionError err;
  std::vector<const RevisionNode*> out;
  EXPECT_FALSE(map->IterateRevisions("b1", "b2", {}, &out, &err));
  EXPECT_EQ(err.kind, RevisionError::Kind::kRangeNotAncestor);
  EXPECT_EQ(err.lower, "b2");
  EXPECT_EQ(err.upper, "b1");
  EXPECT_EQ(map->IterateRevisions("b1", RevisionArg(Strings{"b2"}))
                .status()
                .message(),
            "Revision ('b2',) is not an ancestor of revision b1");
}

TEST(RevisionResolutionTest, OverlappingTargets) {
  auto map = RevisionMap::Build({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->IterateRevisions(RevisionArg(Strings{"c", "b"}), "base")
                .status()
                .message(),
            "Requested revision c overlaps with other requested revisions b");
}

// --- Scale: everything is iterative, so depth does not matter. ---

std::vector<Revision> LinearChain(int n) {
  std::vector<Revision> revs;
  revs.reserve(n);
  for (int i = 0; i < n; ++i) {
    Revision r;
    r.id = "r" + std::to_string(100000 + i);
    if (i > 0) r.down_revisions = {"r" + std::to_string(100000 + i - 1)};
    revs.push_back(std::move(r));
  }
  return revs;
}

// Speed is measured by bench/graph_bench.py (docs/benchmarks.md), not here:
// a wall-clock bound in a unit test fails on a busy or sanitized build.
TEST(RevisionScaleTest, TenThousandLinearBuildsAndWalksWithoutRecursion) {
  std::vector<Revision> revs = LinearChain(10000);
  Result<RevisionMap> map = RevisionMap::Build(revs);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->Heads(), Strings{"r109999"});
  IterateOptions all;
  all.inclusive = true;
  auto walk = map->IterateRevisions("heads", "base", all);
  ASSERT_TRUE(walk.ok());
  ASSERT_EQ(walk->size(), 10000u);
  EXPECT_EQ(walk->front()->id(), "r109999");
  EXPECT_EQ(walk->back()->id(), "r100000");
  EXPECT_EQ(Ids(*map->GetRevisions("-9999")), Strings{"r100000"});
  EXPECT_EQ(Ids(*map->GetRevisions("-10000")), Strings{"base"});
  EXPECT_EQ(map->Ancestors({"r109999"}).size(), 10000u);
}

TEST(RevisionScaleTest, TenThousandRandomDag) {
  std::mt19937 rng(20261121);
  const int n = 10000;
  std::vector<Revision> revs;
  for (int i = 0; i < n; ++i) {
    Revision r;
    r.id = "n" + std::to_string(1000000 + i);
    if (i > 0 && rng() % 20 != 0) {
      std::uniform_int_distribution<int> near(std::max(0, i - 50), i - 1);
      int p = near(rng);
      r.down_revisions.push_back(revs[p].id);
      if (rng() % 6 == 0) {
        int q = near(rng);
        if (q != p) r.down_revisions.push_back(revs[q].id);
      }
      if (rng() % 15 == 0) {
        int d = near(rng);
        if (std::find(r.down_revisions.begin(), r.down_revisions.end(),
                      revs[d].id) == r.down_revisions.end()) {
          r.depends_on.push_back(revs[d].id);
        }
      }
    }
    revs.push_back(std::move(r));
  }
  Result<RevisionMap> map = RevisionMap::Build(revs);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  IterateOptions all;
  all.inclusive = true;
  auto walk = map->IterateRevisions("heads", "base", all);
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  ASSERT_EQ(walk->size(), static_cast<size_t>(n));
  // Downgrade order: every revision comes before its parents and deps.
  std::vector<int> pos(n);
  for (int i = 0; i < n; ++i) pos[(*walk)[i]->index] = i;
  for (const RevisionNode& node : map->nodes()) {
    for (const std::string& down : map->NormalizedDownRevisions(node)) {
      EXPECT_LT(pos[node.index], pos[map->Find(down)->index]);
    }
  }
  // Strict ancestors and strict descendants of a node never meet.
  for (int probe : {n / 3, n / 2, n - 7}) {
    const std::string& id = revs[probe].id;
    Strings up = map->Descendants({id});
    Strings down = map->Ancestors({id});
    std::sort(up.begin(), up.end());
    std::sort(down.begin(), down.end());
    Strings both;
    std::set_intersection(up.begin(), up.end(), down.begin(), down.end(),
                          std::back_inserter(both));
    EXPECT_EQ(both, Strings{id});
  }
}

// GetAllCurrent (what `current` prints), answers checked against Alembic
// 1.8.1's RevisionMap._get_all_current on the same graphs.
Strings AllCurrent(const RevisionMap& map, Strings ids) {
  auto r = map.GetAllCurrent(ids);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Strings out = r.ok() ? *r : Strings{};
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RevisionAllCurrentTest, Diamond) {
  auto map = RevisionMap::Build({Rev("a"), Rev("b1", {"a"}), Rev("b2", {"a"}),
                                 Rev("c", {"b1", "b2"}), Rev("d", {"c"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(AllCurrent(*map, {"b1"}), (Strings{"b1"}));
  EXPECT_EQ(AllCurrent(*map, {"b1", "b2"}), (Strings{"b1", "b2"}));
  EXPECT_EQ(AllCurrent(*map, {"c"}), (Strings{"c"}));
  EXPECT_EQ(AllCurrent(*map, {"d"}), (Strings{"d"}));
  EXPECT_EQ(AllCurrent(*map, {"a"}), (Strings{"a"}));
}

TEST(RevisionAllCurrentTest, DependenciesShowTheOtherBranch) {
  auto map = RevisionMap::Build({Rev("a", {}, {}, {"la"}), Rev("b", {"a"}),
                                 Rev("x", {}, {"b"}, {"lx"}), Rev("y", {"x"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(AllCurrent(*map, {"y"}), (Strings{"b", "y"}));
  EXPECT_EQ(AllCurrent(*map, {"x"}), (Strings{"b", "x"}));
  EXPECT_EQ(AllCurrent(*map, {"b"}), (Strings{"b"}));
  EXPECT_EQ(AllCurrent(*map, {"y", "b"}), (Strings{"b", "y"}));
}

TEST(RevisionAllCurrentTest, LongChainIsLinear) {
  std::vector<Revision> revs;
  for (int i = 0; i < 20000; ++i)
    revs.push_back(
        i ? Rev("r" + std::to_string(i), {"r" + std::to_string(i - 1)})
          : Rev("r0"));
  auto map = RevisionMap::Build(std::move(revs));
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(AllCurrent(*map, {"r19999"}), (Strings{"r19999"}));
}

}  // namespace
}  // namespace retort
