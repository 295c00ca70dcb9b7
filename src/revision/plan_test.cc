// Tests of migration plans and HeadMaintainer: steps with the version-table
// operations they cause, ported from Alembic's test_version_traversal.py.
#include "revision/plan.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "revision/revision_conformance_data.h"
#include "revision/revision_map.h"
#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

Strings Split(const std::string& s) {
  Strings out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string Join(const Strings& v, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// The fixtures are shared with the conformance suite (same graph shapes as
// Alembic's tests).
const RevisionMap& Fixture(const std::string& name) {
  static auto* maps = new std::map<std::string, RevisionMap>();
  auto it = maps->find(name);
  if (it != maps->end()) return it->second;
  std::vector<Revision> revs;
  for (const auto& f : conformance::Fixtures()) {
    if (f.name != name) continue;
    for (const auto& r : f.revisions) {
      Revision rev;
      rev.id = r.id;
      rev.down_revisions = r.down;
      rev.depends_on = r.deps;
      rev.branch_labels = r.labels;
      revs.push_back(rev);
    }
  }
  Result<RevisionMap> map = RevisionMap::Build(revs);
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  return maps->emplace(name, std::move(map).value()).first->second;
}

std::string StepString(const MigrationStep& s) {
  if (s.kind == MigrationStep::Kind::kRevision) {
    return (s.is_upgrade ? "+" : "-") + s.revision->id();
  }
  return "stamp[" + Join(s.from_revisions) + "->" + Join(s.to_revisions) +
         (s.is_upgrade ? " up" : " down") + (s.branch_move ? " branch" : "") +
         "]";
}

// "steps|version ops|final heads (sorted)".
std::string RunPlan(const std::string& fixture, const std::string& kind,
                    const std::string& dest, const std::string& heads_csv) {
  const RevisionMap& map = Fixture(fixture);
  Strings heads = Split(heads_csv);
  Result<std::vector<MigrationStep>> plan = Status::Internal("unset");
  if (kind == "up") plan = PlanUpgrade(map, dest, heads);
  if (kind == "down") plan = PlanDowngrade(map, dest, heads);
  if (kind == "stamp") plan = PlanStamp(map, Split(dest), heads);
  if (!plan.ok()) return "ERR:" + plan.status().message() + "||";
  Strings steps, ops;
  for (const MigrationStep& s : *plan) steps.push_back(StepString(s));
  HeadMaintainer maintainer(map, heads);
  for (const MigrationStep& s : *plan) {
    Result<std::vector<VersionOp>> r = maintainer.UpdateToStep(s);
    if (!r.ok()) return Join(steps, " ") + "|ERR:" + r.status().message() + "|";
    for (const VersionOp& op : *r) ops.push_back(op.ToString());
  }
  Strings final_heads = maintainer.heads();
  std::sort(final_heads.begin(), final_heads.end());
  return Join(steps, " ") + "|" + Join(ops, ";") + "|" + Join(final_heads);
}

struct PlanCase {
  const char* fixture;
  const char* kind;
  const char* dest;
  const char* heads;
  const char* want;
};

// Every expected value was produced by Alembic 1.19.2 (ScriptDirectory's
// _upgrade_revs / _downgrade_revs / _stamp_revs and HeadMaintainer).
const PlanCase kCases[] = {
#include "revision/plan_test_cases.inc"
};

TEST(PlanTest, MatchesAlembic) {
  for (const PlanCase& c : kCases) {
    EXPECT_EQ(RunPlan(c.fixture, c.kind, c.dest, c.heads), c.want)
        << c.fixture << " " << c.kind << " " << c.dest << " from [" << c.heads
        << "]";
  }
}

TEST(PlanTest, StepsCarryFromAndTo) {
  const RevisionMap& map = Fixture("MergedPath");
  auto plan = PlanUpgrade(map, "e1e1", {"c1c1", "c2c2"});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 2u);
  const MigrationStep& merge = (*plan)[0];
  EXPECT_EQ(merge.revision->id(), "d1d1");
  EXPECT_TRUE(merge.is_upgrade);
  EXPECT_EQ(merge.from_revisions, (Strings{"c1c1", "c2c2"}));
  EXPECT_EQ(merge.to_revisions, Strings{"d1d1"});
  EXPECT_EQ(merge.ShortLog(), "upgrade c1c1, c2c2 -> d1d1");

  auto down = PlanDowngrade(map, "c2c2", {"e1e1"});
  ASSERT_TRUE(down.ok());
  EXPECT_EQ((*down)[1].ShortLog(), "downgrade d1d1 -> c1c1, c2c2");
  EXPECT_EQ((*down)[1].name(), "downgrade");
}

TEST(PlanTest, DependenciesArePulledInOnUpgradeNotOnDowngrade) {
  const RevisionMap& map = Fixture("CrossDependencies");
  // d2d2 (branch c2branch) depends on d1d1 on the other branch: upgrading
  // c2branch applies d1d1 first, and the dependency's row is absorbed.
  // Checked against Alembic.
  EXPECT_EQ(RunPlan("CrossDependencies", "up", "c2branch@head", "b1b1"),
            "+c1c1 +d1d1 +c2c2 +d2d2|update b1b1 -> c1c1;update c1c1 -> d1d1;"
            "insert c2c2;delete c2c2;update d1d1 -> d2d2|d2d2");
  auto up = PlanUpgrade(map, "c2branch@head", {"b1b1"});
  ASSERT_TRUE(up.ok());
  const MigrationStep& d2 = up->back();
  EXPECT_EQ(d2.from_revisions, (Strings{"c2c2", "d1d1"}));
  EXPECT_EQ(d2.from_revisions_no_deps, Strings{"c2c2"});
  // Downgrading d1d1 takes its dependent d2d2 down first.
  EXPECT_EQ(RunPlan("CrossDependencies", "down", "c1c1", "d1d1,d2d2"),
            "-d2d2 -d1d1|update d2d2 -> c2c2;update d1d1 -> c1c1|c1c1,c2c2");
}

TEST(PlanTest, StampPurgeStartsFromNoHeads) {
  const RevisionMap& map = Fixture("BranchedPath");
  auto plan = PlanStamp(map, {"c1c1"}, {"d2d2"}, /*purge=*/true);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ(StepString((*plan)[0]), "stamp[->c1c1 up branch]");
  HeadMaintainer maintainer(map, {});
  auto ops = maintainer.UpdateToStep((*plan)[0]);
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].ToString(), "insert c1c1");
}

TEST(PlanTest, StampAcrossCurrentHeadsIsAnError) {
  // Alembic fails an assertion here; retort explains.
  const RevisionMap& map = Fixture("NormalizedDownRev");
  EXPECT_EQ(PlanStamp(map, {"b3"}, {"a3", "b5"}).status().message(),
            "Can't stamp b3: the current heads are both above and below it "
            "(a3, b5)");
}

TEST(PlanTest, HistoryRangeErrors) {
  const RevisionMap& map = Fixture("BranchedPath");
  auto walk = WalkRevisions(map, "c1c1", "d2d2");
  EXPECT_EQ(walk.status().message(),
            "Requested range c1c1:d2d2 does not refer to ancestor/descendant "
            "revisions along the same branch");
  auto all = WalkRevisions(map);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
  EXPECT_EQ(ResolveRevisions(map, "zzzz").status().message(),
            "Can't locate revision identified by 'zzzz'");
}

// Regression (issue 14): a prefix of several ids said "Can't locate
// revision", which reads as a typo.
TEST(PlanTest, AmbiguousPrefixListsTheMatches) {
  auto map = RevisionMap::Build({Rev("ab12cd"), Rev("ab12ef", {"ab12cd"}),
                                 Rev("ab12ff", {"ab12ef"})});
  ASSERT_TRUE(map.ok());
  const std::string said =
      "revision 'ab12' is ambiguous: it is the start of 3 revisions or "
      "labels (ab12cd, ab12ef, ab12ff); give more characters of the id";
  auto up = PlanUpgrade(*map, "ab12", {});
  EXPECT_EQ(up.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(up.status().message(), said);
  EXPECT_EQ(PlanDowngrade(*map, "ab12", {"ab12ff"}).status().message(), said);
  EXPECT_EQ(PlanStamp(*map, {"ab12"}, {}).status().message(), said);
  EXPECT_EQ(ResolveRevisions(*map, "ab12").status().message(), said);
  // One match is no ambiguity; none is still "Can't locate", with the id
  // one character off suggested.
  EXPECT_TRUE(PlanUpgrade(*map, "ab12e", {}).ok());
  EXPECT_EQ(PlanUpgrade(*map, "ab13", {}).status().message(),
            "Can't locate revision identified by 'ab13'; did you mean "
            "'ab12cd'?");
}

// Issue 18: an unknown revision gets the closest id, label or name.
TEST(PlanTest, UnknownRevisionSuggests) {
  auto map = RevisionMap::Build(
      {Rev("ae1027a6acf0"), Rev("27c6a30d7c24", {"ae1027a6acf0"})});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(PlanUpgrade(*map, "ae10x", {}).status().message(),
            "Can't locate revision identified by 'ae10x'; did you mean "
            "'ae1027a6acf0'?");
  EXPECT_EQ(PlanUpgrade(*map, "27c7", {}).status().message(),
            "Can't locate revision identified by '27c7'; did you mean "
            "'27c6a30d7c24'?");
  EXPECT_EQ(PlanUpgrade(*map, "haed", {}).status().message(),
            "Can't locate revision identified by 'haed'; did you mean "
            "'head'?");
  EXPECT_EQ(PlanUpgrade(*map, "ffff", {}).status().message(),
            "Can't locate revision identified by 'ffff'");
}

// Regression (issue 14): `upgrade ''` said "Walked too far" and `stamp ''`
// planned a stamp to base (deleting every row when there were heads).
TEST(PlanTest, EmptyRevisionArgumentsAreRefused) {
  const RevisionMap& map = Fixture("BranchedPath");
  EXPECT_EQ(PlanUpgrade(map, "", {}).status().message(),
            "empty revision for upgrade; name one: head, heads, +1, or an id "
            "from \"retort history\"");
  EXPECT_EQ(PlanDowngrade(map, " ", {"d2d2"}).status().message(),
            "empty revision for downgrade; name one: -1, base, or an id from "
            "\"retort history\"");
  auto stamp = PlanStamp(map, {""}, {"d2d2"});
  EXPECT_EQ(stamp.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(stamp.status().message(),
            "empty revision for stamp; name one: head, heads, base, or an id "
            "from \"retort history\"");
  EXPECT_FALSE(PlanStamp(map, {"c1c1", ""}, {}).ok());
  EXPECT_TRUE(CheckRevisionArguments("stamp", {"base"}).ok());
}

// When a merge is undone while other heads exist, Alembic picks the row to
// update from a Python set (the order changes with PYTHONHASHSEED); retort
// keeps the parents' declared order. The resulting heads are the same.
TEST(HeadMaintainerTest, TwinMergeRowsFollowDeclaredParentOrder) {
  EXPECT_EQ(RunPlan("TwinMerge", "down", "aaaa", "gggg"),
            "-gggg -ebbb -fbbb -dddd -bbbb -cccc|"
            "insert ebbb;update gggg -> fbbb;update ebbb -> cccc;"
            "insert bbbb;update fbbb -> dddd;delete dddd;delete bbbb;"
            "update cccc -> aaaa|aaaa");
  // Same for the upgrade: which parent row is deleted at a merge.
  EXPECT_EQ(RunPlan("TwinMerge", "up", "gggg", ""),
            "+aaaa +cccc +bbbb +dddd +fbbb +ebbb +gggg|insert aaaa;"
            "update aaaa -> cccc;insert bbbb;insert dddd;delete bbbb;"
            "update dddd -> fbbb;update cccc -> ebbb;delete ebbb;"
            "update fbbb -> gggg|gggg");
}

TEST(HeadMaintainerTest, LogicalErrorsLeaveHeadsUnchanged) {
  const RevisionMap& map = Fixture("Linear");
  const RevisionNode& b = *map.Find("548bbb905360");
  // Upgrading to b while b is already present.
  HeadMaintainer maintainer(map, {"e6239818bb3a", "548bbb905360"});
  auto ops = maintainer.UpdateToStep(MigrationStep::Upgrade(map, b));
  EXPECT_EQ(ops.status().message(),
            "Can't update version 'e6239818bb3a' to '548bbb905360': "
            "'548bbb905360' is already a current head");
  EXPECT_EQ(maintainer.heads(), (Strings{"e6239818bb3a", "548bbb905360"}));

  // Downgrading a revision that is not a head.
  HeadMaintainer other(map, {"b7ea43dc85e4"});
  auto down = other.UpdateToStep(MigrationStep::Downgrade(map, b));
  EXPECT_EQ(down.status().message(),
            "Can't update version '548bbb905360' to 'e6239818bb3a': "
            "'548bbb905360' is not a current head");
  EXPECT_EQ(other.heads(), Strings{"b7ea43dc85e4"});
}

TEST(HeadMaintainerTest, DuplicateRowsCollapse) {
  const RevisionMap& map = Fixture("Linear");
  HeadMaintainer maintainer(map, {"e6239818bb3a", "e6239818bb3a"});
  EXPECT_EQ(maintainer.heads(), Strings{"e6239818bb3a"});
  auto ops = maintainer.UpdateToStep(
      MigrationStep::Upgrade(map, *map.Find("548bbb905360")));
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0], (VersionOp{VersionOp::Kind::kUpdate, "e6239818bb3a",
                                  "548bbb905360"}));
}

TEST(HeadMaintainerTest, StampStepsUseTheirOwnRows) {
  const RevisionMap& map = Fixture("MergedPath");
  HeadMaintainer maintainer(map, {"e1e1"});
  auto unmerge = maintainer.UpdateToStep(
      MigrationStep::Stamp({"e1e1"}, {"c1c1", "c2c2"}, false, false));
  ASSERT_TRUE(unmerge.ok());
  ASSERT_EQ(unmerge->size(), 2u);
  EXPECT_EQ((*unmerge)[0].ToString(), "insert c1c1");
  EXPECT_EQ((*unmerge)[1].ToString(), "update e1e1 -> c2c2");
  auto remove =
      maintainer.UpdateToStep(MigrationStep::Stamp({"c2c2"}, {}, false, true));
  ASSERT_TRUE(remove.ok());
  EXPECT_EQ((*remove)[0].ToString(), "delete c2c2");
  EXPECT_EQ(maintainer.heads(), Strings{"c1c1"});
}

}  // namespace
}  // namespace retort
