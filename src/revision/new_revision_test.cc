// Tests of the parent selection of `revision` and `merge`; error texts are
// Alembic's (script/base.py generate_revision, revision.py add_revision).
#include "revision/new_revision.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

class NewRevisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // a1 -> b1 -> c1 (label "lib") and a1 -> b2 (label "app"): two heads.
    auto m = RevisionMap::Build({Rev("a1a1"), Rev("b1b1", {"a1a1"}),
                                 Rev("c1c1", {"b1b1"}, {}, {"lib"}),
                                 Rev("b2b2", {"a1a1"}, {}, {"app"})});
    ASSERT_TRUE(m.ok());
    map_ = std::move(m).value();
  }
  NewRevisionOptions Options(std::string id) {
    NewRevisionOptions o;
    o.rev_id = std::move(id);
    return o;
  }
  RevisionMap map_;
};

TEST_F(NewRevisionTest, FirstRevisionOfAnEmptyGraphIsABase) {
  RevisionMap empty = std::move(RevisionMap::Build({})).value();
  auto header = PlanNewRevision(empty, Options("0001"));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, Strings{});
}

TEST_F(NewRevisionTest, SingleHeadIsTheDefaultParent) {
  RevisionMap linear =
      std::move(RevisionMap::Build({Rev("a1a1"), Rev("b1b1", {"a1a1"})}))
          .value();
  auto header = PlanNewRevision(linear, Options("c3c3"));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, Strings{"b1b1"});
}

TEST_F(NewRevisionTest, MultipleHeadsNeedAChoice) {
  EXPECT_EQ(PlanNewRevision(map_, Options("d4d4")).status().message(),
            "Multiple heads are present; please specify the head revision on "
            "which the new revision should be based, or perform a merge.");
  NewRevisionOptions o = Options("d4d4");
  o.head = {"lib@head"};
  auto header = PlanNewRevision(map_, o);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, Strings{"c1c1"});
}

TEST_F(NewRevisionTest, SpliceIsNeededBelowAHead) {
  NewRevisionOptions o = Options("d4d4");
  o.head = {"b1b1"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Revision b1b1 is not a head revision; please specify --splice "
            "to create a new branch from this revision");
  o.splice = true;
  auto header = PlanNewRevision(map_, o);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, Strings{"b1b1"});
}

TEST_F(NewRevisionTest, NewBranchFromBase) {
  NewRevisionOptions o = Options("e5e5");
  o.head = {"base"};
  o.branch_labels = {"billing"};
  auto header = PlanNewRevision(map_, o);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, Strings{});
  EXPECT_EQ(header->branch_labels, Strings{"billing"});
}

TEST_F(NewRevisionTest, IdAndLabelChecks) {
  EXPECT_EQ(PlanNewRevision(map_, Options("ab-c")).status().message(),
            "Character(s) '-' not allowed in revision identifier 'ab-c'");
  NewRevisionOptions o = Options("c1c1");
  o.head = {"app@head"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Revision c1c1 is present more than once");
  o.rev_id = "f6f6";
  o.branch_labels = {"lib"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Branch name 'lib' in revision f6f6 already used by revision "
            "c1c1");
  o.branch_labels = {"a1a1"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Branch name 'a1a1' in revision f6f6 already used by revision "
            "a1a1");
  o.branch_labels = {};
  o.head = {"nope"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Can't locate revision identified by 'nope'");
}

// Regression (issue 14): --rev-id longer than version_num's 32 characters.
TEST_F(NewRevisionTest, RevIdLongerThanTheVersionColumn) {
  EXPECT_EQ(PlanNewRevision(map_, Options(std::string(33, 'a')))
                .status()
                .message(),
            "Revision ID '" + std::string(33, 'a') +
                "' is 33 characters; the version table's version_num column "
                "holds 32 (VARCHAR(32), as Alembic's)");
  NewRevisionOptions o = Options(std::string(32, 'a'));
  o.head = {"app@head"};
  EXPECT_TRUE(PlanNewRevision(map_, o).ok());
}

TEST_F(NewRevisionTest, DependsOnKeepsLabelsAndExpandsPrefixes) {
  NewRevisionOptions o = Options("f6f6");
  o.head = {"app@head"};
  o.depends_on = {"lib", "b1b"};
  auto header = PlanNewRevision(map_, o);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->depends_on, (Strings{"lib", "b1b1"}));
  o.depends_on = {"zzzz"};
  EXPECT_EQ(PlanNewRevision(map_, o).status().message(),
            "Can't locate revision identified by 'zzzz'");
}

TEST_F(NewRevisionTest, MergeHeads) {
  auto header = PlanMerge(map_, {"heads"}, "m7m7", {});
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->down_revisions, (Strings{"c1c1", "b2b2"}));
  EXPECT_EQ(PlanMerge(map_, {"c1c1", "c1c1"}, "m7m7", {}).status().message(),
            "Duplicate head revisions specified");
  EXPECT_EQ(PlanMerge(map_, {"b1b1", "b2b2"}, "m7m7", {}).status().message(),
            "Revision b1b1 is not a head revision; please specify --splice "
            "to create a new branch from this revision");
  EXPECT_TRUE(PlanMerge(map_, {"b1b1", "b2b2"}, "m7m7", {}, true).ok());
}

}  // namespace
}  // namespace retort
