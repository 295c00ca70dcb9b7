// Runs every conformance case (Alembic's own answers, recorded as literals in
// revision_conformance_data_test.cc) against RevisionMap and the plans.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "revision/plan.h"
#include "revision/revision_conformance_data.h"
#include "revision/revision_map.h"

namespace retort {
namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
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

std::string Join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string Ids(const std::vector<const RevisionNode*>& nodes) {
  std::vector<std::string> ids;
  for (const RevisionNode* n : nodes) ids.push_back(n ? n->id() : "base");
  return Join(ids);
}

std::string StepString(const MigrationStep& s) {
  if (s.kind == MigrationStep::Kind::kRevision) {
    return (s.is_upgrade ? "+" : "-") + s.revision->id();
  }
  return "stamp[" + Join(s.from_revisions) + "->" + Join(s.to_revisions) +
         (s.is_upgrade ? " up" : " down") + (s.branch_move ? " branch" : "") +
         "]";
}

// "steps|ops|final heads", or "ERR:message||" as the generator writes it.
std::string RunPlan(const RevisionMap& map, const conformance::Case& c) {
  std::vector<std::string> heads = Split(c.b);
  Result<std::vector<MigrationStep>> plan = Status::Internal("unset");
  if (c.kind == "up") {
    plan = PlanUpgrade(map, c.a, heads);
  } else if (c.kind == "down") {
    plan = PlanDowngrade(map, c.a, heads);
  } else {
    plan = PlanStamp(map, Split(c.a), heads);
  }
  if (!plan.ok()) return "ERR:" + plan.status().message() + "||";
  std::vector<std::string> steps, ops;
  for (const MigrationStep& s : *plan) steps.push_back(StepString(s));
  HeadMaintainer maintainer(map, heads);
  for (const MigrationStep& s : *plan) {
    Result<std::vector<VersionOp>> r = maintainer.UpdateToStep(s);
    if (!r.ok()) {
      return Join(steps, " ") + "|ERR:" + r.status().message() + "|";
    }
    for (const VersionOp& op : *r) ops.push_back(op.ToString());
  }
  std::vector<std::string> final_heads = maintainer.heads();
  std::sort(final_heads.begin(), final_heads.end());
  return Join(steps, " ") + "|" + Join(ops, ";") + "|" + Join(final_heads);
}

std::string RunCase(const RevisionMap& map, const conformance::Case& c) {
  if (c.kind == "node") {
    const RevisionNode* n = map.Find(c.a);
    if (n == nullptr) return "missing";
    std::string flags;
    if (n->is_head) flags += 'H';
    if (n->is_real_head) flags += 'h';
    if (n->is_base) flags += 'B';
    if (n->is_real_base) flags += 'b';
    if (n->is_branch_point) flags += 'P';
    if (n->is_real_branch_point) flags += 'p';
    if (n->is_merge_point) flags += 'M';
    std::vector<std::string> down = map.NormalizedDownRevisions(*n);
    std::sort(down.begin(), down.end(), [&](const auto& x, const auto& y) {
      return map.Find(x)->index < map.Find(y)->index;
    });
    return "labels=" + Join(n->branch_labels) +
           ";children=" + Join(map.Children(*n)) +
           ";dependents=" + Join(map.Dependents(*n)) +
           ";norm_down=" + Join(down) + ";flags=" + flags;
  }
  if (c.kind == "heads") return Join(map.Heads());
  if (c.kind == "real_heads") return Join(map.RealHeads());
  if (c.kind == "bases") return Join(map.Bases());
  if (c.kind == "real_bases") return Join(map.RealBases());
  if (c.kind == "revs") {
    auto r = map.GetRevisions(RevisionArg(c.a));
    return r.ok() ? Ids(*r) : "ERR:" + r.status().message();
  }
  if (c.kind == "rev") {
    auto r = map.GetRevision(c.a);
    if (!r.ok()) return "ERR:" + r.status().message();
    return *r ? (*r)->id() : "None";
  }
  if (c.kind == "iter") {
    IterateOptions o;
    o.inclusive = c.options.find('i') != std::string::npos;
    o.implicit_base = c.options.find('b') != std::string::npos;
    o.select_for_downgrade = c.options.find('d') != std::string::npos;
    o.assert_relative_length = c.options.find('r') == std::string::npos;
    auto r = map.IterateRevisions(RevisionArg(c.a), RevisionArg(c.b), o);
    return r.ok() ? Ids(*r) : "ERR:" + r.status().message();
  }
  return RunPlan(map, c);
}

class RevisionConformanceTest
    : public ::testing::TestWithParam<conformance::Fixture> {};

TEST_P(RevisionConformanceTest, MatchesAlembic) {
  const conformance::Fixture& fixture = GetParam();
  std::vector<Revision> revisions;
  for (const auto& r : fixture.revisions) {
    Revision rev;
    rev.id = r.id;
    rev.down_revisions = r.down;
    rev.depends_on = r.deps;
    rev.branch_labels = r.labels;
    revisions.push_back(rev);
  }
  Result<RevisionMap> map = RevisionMap::Build(revisions);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ASSERT_FALSE(fixture.cases.empty());
  for (const conformance::Case& c : fixture.cases) {
    EXPECT_EQ(RunCase(*map, c), c.want)
        << c.kind << " a=[" << c.a << "] b=[" << c.b << "] options=["
        << c.options << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Revision, RevisionConformanceTest,
    ::testing::ValuesIn(conformance::Fixtures()),
    [](const ::testing::TestParamInfo<conformance::Fixture>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace retort
