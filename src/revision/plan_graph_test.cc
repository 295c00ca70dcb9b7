// Revision graphs mixing branch points, merges and "Depends On", run through
// the planner and HeadMaintainer: every revision applied once, after its
// parents and dependencies; after every step the version rows are the
// applied revisions no other applied revision implies, so `upgrade heads`
// ends with the graph's heads; downgrades undo everything, children first.
//
// The regression tests are minimised failures of the generator below.
// Alembic 1.8.1 (Debian's python3-alembic) fails on each: the upgrades with
// a KeyError from HeadMaintainer._delete_version / _update_version (it
// deletes or updates the row of a parent that is not a row, because another
// parent or a dependency implies it); the downgrade leaves an implied
// revision as a row, and the next `upgrade heads` fails with "Requested
// revision b overlaps with other requested revisions a".
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "revision/plan.h"
#include "revision/revision_map.h"
#include "revision/test_revisions.h"

namespace retort {
namespace {

using Strings = std::vector<std::string>;

std::string Join(const Strings& v, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

Strings Sorted(Strings v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Runs `commands` ("+dest" upgrades, "-dest" downgrades) from an empty
// version table; one line per command: "steps|version ops|rows (sorted)",
// or the error where the run stopped.
std::string RunCommands(std::vector<Revision> revisions,
                        const Strings& commands) {
  Result<RevisionMap> map = RevisionMap::Build(std::move(revisions));
  if (!map.ok()) return "build: " + map.status().message();
  Strings rows;
  std::string out;
  for (const std::string& command : commands) {
    const bool upgrade = command[0] == '+';
    const std::string dest = command.substr(1);
    Result<std::vector<MigrationStep>> plan =
        upgrade ? PlanUpgrade(*map, dest, rows)
                : PlanDowngrade(*map, dest, rows);
    if (!plan.ok()) return out + "plan: " + plan.status().message();
    HeadMaintainer maintainer(*map, rows);
    Strings steps, ops;
    for (const MigrationStep& step : *plan) {
      steps.push_back((step.is_upgrade ? "+" : "-") + step.revision->id());
      Result<std::vector<VersionOp>> r = maintainer.UpdateToStep(step);
      if (!r.ok()) {
        return out + Join(steps, " ") + "|" + Join(ops, ";") +
               "|error: " + r.status().message();
      }
      for (const VersionOp& op : *r) ops.push_back(op.ToString());
    }
    rows = maintainer.heads();
    out += Join(steps, " ") + "|" + Join(ops, ";") + "|" + Join(Sorted(rows)) +
           "\n";
  }
  return out;
}

// Regressions: before the fix retort stopped where Alembic does, with
// "Can't update version 'a1' to 'm': 'a1' is not a current head" (or "Can't
// delete version 'a': it is not a current head").

// A merge that also depends on its branch by label; the label names the
// branch's first revision, an ancestor of the parent a2. Alembic: KeyError
// 'a1' after "delete a2; delete s1".
TEST(PlanGraphRegressionTest, MergeDependingOnAncestorOfParent) {
  EXPECT_EQ(RunCommands(
                {Rev("a1", {}, {}, {"auth"}), Rev("a2", {"a1"}),
                 Rev("s1", {}, {}, {"shop"}), Rev("m", {"a2", "s1"}, {"auth"})},
                {"+heads", "-base"}),
            "+a1 +s1 +a2 +m|insert a1;insert s1;update a1 -> a2;delete a2;"
            "update s1 -> m|m\n"
            "-m -a2 -s1 -a1|insert a2;update m -> s1;update a2 -> a1;"
            "delete s1;delete a1|\n");
}

// A merge of a and c that depends on b, a child of a: the row b implies a.
// Alembic: KeyError 'a'.
TEST(PlanGraphRegressionTest, MergeDependingOnChildOfParent) {
  EXPECT_EQ(RunCommands({Rev("a"), Rev("b", {"a"}), Rev("c"),
                         Rev("m", {"a", "c"}, {"b"})},
                        {"+heads", "-base"}),
            "+a +c +b +m|insert a;insert c;update a -> b;delete c;"
            "update b -> m|m\n"
            "-m -b -c -a|insert c;update m -> b;update b -> a;delete c;"
            "delete a|\n");
}

// A three-way merge naming a parent and that parent's parent. Alembic:
// KeyError 'a'.
TEST(PlanGraphRegressionTest, ThreeWayMergeNamingAnAncestor) {
  EXPECT_EQ(RunCommands({Rev("a"), Rev("b", {"a"}), Rev("c"),
                         Rev("m", {"a", "b", "c"})},
                        {"+heads", "-base"}),
            "+c +a +b +m|insert c;insert a;update a -> b;delete b;"
            "update c -> m|m\n"
            "-m -b -a -c|insert b;update m -> c;update b -> a;delete a;"
            "delete c|\n");
}

// No merge in "Revises": d depends on a revision and on its parent.
// Alembic: KeyError 'a'.
TEST(PlanGraphRegressionTest, DependsOnRevisionAndItsAncestor) {
  EXPECT_EQ(RunCommands({Rev("a"), Rev("b", {"a"}), Rev("c"),
                         Rev("d", {"c"}, {"a", "b"})},
                        {"+heads", "-base"}),
            "+a +b +c +d|insert a;update a -> b;insert c;delete c;"
            "update b -> d|d\n"
            "-d -c -b -a|insert c;update d -> b;delete c;update b -> a;"
            "delete a|\n");
}

// c depends on its grandparent a; d is another head. Undoing c restores b
// only (b implies a). Alembic restores a too (rows a, b, d) and the next
// `upgrade heads` fails: "Requested revision b overlaps with other
// requested revisions a".
TEST(PlanGraphRegressionTest, DependsOnGrandparentBesideOtherHead) {
  EXPECT_EQ(
      RunCommands({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"}, {"a"}), Rev("d")},
                  {"+heads", "-b", "+heads", "-a", "+heads", "-base"}),
      "+a +d +b +c|insert a;insert d;update a -> b;update b -> c|c,d\n"
      "-c|update c -> b|b,d\n"
      "+c|update b -> c|c,d\n"
      "-c -b|update c -> b;update b -> a|a,d\n"
      "+b +c|update a -> b;update b -> c|c,d\n"
      "-c -b -d -a|update c -> b;update b -> a;delete d;delete a|\n");
}

// ---------------------------------------------------------------------------
// Generated graphs.

// SplitMix64: the same numbers on every platform and standard library
// (std::uniform_int_distribution is not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // In [0, n); the modulo bias does not matter here.
  int Below(int n) {
    return static_cast<int>(Next() % static_cast<uint64_t>(n));
  }
  bool Chance(int percent) { return Below(100) < percent; }

 private:
  uint64_t state_;
};

bool Contains(const Strings& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// `n` revisions r00, r01, ... each naming only earlier ones (so the graph is
// acyclic): new bases, linear steps on a tip, branch points off any earlier
// revision, merges of 2 or 3 revisions (mostly tips, sometimes any earlier
// revision, so a merge may name an ancestor of another parent), one or two
// "Depends On" an earlier revision by id or by its branch label, and branch
// labels on some revisions.
std::vector<Revision> GenerateGraph(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<Revision> revs;
  Strings tips;  // revisions without a child yet
  auto id = [](int i) {
    return std::string(i < 10 ? "r0" : "r") + std::to_string(i);
  };
  auto pick_tip = [&]() {
    return tips[rng.Below(static_cast<int>(tips.size()))];
  };
  int labels = 0;
  for (int i = 0; i < n; ++i) {
    Revision rev;
    rev.id = id(i);
    const int roll = rng.Below(100);
    if (i == 0 || roll < 6) {
      // A new base.
    } else if (roll < 45) {
      rev.down_revisions = {pick_tip()};
    } else if (roll < 70) {
      rev.down_revisions = {id(rng.Below(i))};
    } else {
      const size_t parents = rng.Chance(75) ? 2 : 3;
      for (int tries = 0; tries < 8 && rev.down_revisions.size() < parents;
           ++tries) {
        std::string p = rng.Chance(70) ? pick_tip() : id(rng.Below(i));
        if (!Contains(rev.down_revisions, p)) rev.down_revisions.push_back(p);
      }
    }
    const int deps = i < 2 || !rng.Chance(30) ? 0 : rng.Chance(80) ? 1 : 2;
    for (int k = 0; k < deps; ++k) {
      const Revision& target = revs[rng.Below(i)];
      std::string dep = !target.branch_labels.empty() && rng.Chance(60)
                            ? target.branch_labels.front()
                            : target.id;
      if (!Contains(rev.down_revisions, target.id) &&
          !Contains(rev.depends_on, dep)) {
        rev.depends_on.push_back(dep);
      }
    }
    if (rng.Chance(12)) rev.branch_labels = {"l" + std::to_string(labels++)};
    for (const std::string& p : rev.down_revisions) {
      tips.erase(std::remove(tips.begin(), tips.end(), p), tips.end());
    }
    tips.push_back(rev.id);
    revs.push_back(std::move(rev));
  }
  return revs;
}

// "id: parents; depends_on [labels]", one revision a line.
std::string Describe(const std::vector<Revision>& revs) {
  std::string out;
  for (const Revision& r : revs) {
    out += r.id + ": " + Join(r.down_revisions) + "; " + Join(r.depends_on);
    if (!r.branch_labels.empty()) out += " [" + Join(r.branch_labels) + "]";
    out += "\n";
  }
  return out;
}

// A database as the plans see it: which revisions have run, and the
// version rows. Run() plans a command and applies it step by step, checking
// each step.
class Simulation {
 public:
  explicit Simulation(const RevisionMap& map)
      : map_(map), applied_(map.size(), 0) {
    for (const RevisionNode& node : map.nodes()) {
      ancestors_.push_back(map.AncestorMask({node.index}, true));
      dependents_.emplace_back();
      for (const std::string& d : map.Dependents(node)) {
        dependents_.back().push_back(map.Find(d)->index);
      }
    }
  }

  // "" when every step passed its checks, else what went wrong.
  std::string Run(bool upgrade, const std::string& dest) {
    const std::string what = std::string(upgrade ? "upgrade " : "downgrade ") +
                             dest + " from [" + Join(rows_) + "]";
    Result<std::vector<MigrationStep>> plan =
        upgrade ? PlanUpgrade(map_, dest, rows_)
                : PlanDowngrade(map_, dest, rows_);
    if (!plan.ok()) return what + ": " + plan.status().message();
    HeadMaintainer maintainer(map_, rows_);
    const int n = static_cast<int>(map_.size());
    for (const MigrationStep& step : *plan) {
      const int self = step.revision->index;
      const std::string at = what + ", step " + step.revision->id() + ": ";
      if (step.is_upgrade != upgrade) return at + "wrong direction";
      if (applied_[self] == (upgrade ? 1 : 0)) {
        return at + (upgrade ? "already applied" : "not applied");
      }
      for (int i = 0; i < n; ++i) {
        if (i == self) continue;
        // Upgrade: every parent and dependency (and theirs) has run.
        if (upgrade && ancestors_[self][i] && !applied_[i]) {
          return at + "runs before " + map_.node(i).id();
        }
        // Downgrade: every child and dependent has been undone.
        if (!upgrade && ancestors_[i][self] && applied_[i]) {
          return at + "runs before undoing " + map_.node(i).id();
        }
      }
      Result<std::vector<VersionOp>> ops = maintainer.UpdateToStep(step);
      if (!ops.ok()) return at + ops.status().message();
      applied_[self] = upgrade ? 1 : 0;
      rows_ = maintainer.heads();
      if (Sorted(rows_) != Tips()) {
        return at + "rows [" + Join(Sorted(rows_)) + "], applied tips [" +
               Join(Tips()) + "]";
      }
    }
    return "";
  }

  // The applied revisions no other applied revision implies (through
  // "Revises" or "Depends On"), sorted: the rows the version table must
  // hold. The steps checked above keep the applied set closed under
  // ancestors, so a child or dependent applied is what implies a revision.
  Strings Tips() const {
    Strings out;
    for (int i = 0; i < static_cast<int>(map_.size()); ++i) {
      if (!applied_[i]) continue;
      bool implied = false;
      for (int d : dependents_[i]) implied = implied || applied_[d];
      if (!implied) out.push_back(map_.node(i).id());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  size_t applied() const {
    return std::count(applied_.begin(), applied_.end(), 1);
  }
  Strings rows() const { return Sorted(rows_); }

 private:
  const RevisionMap& map_;
  std::vector<std::vector<char>> ancestors_;  // per node, itself included
  std::vector<std::vector<int>> dependents_;  // children and dependents
  std::vector<char> applied_;
  Strings rows_;
};

// Every check on one graph; "" when all pass. `rng` picks the revisions
// the partial runs stop at (one of each per graph: with a few hundred
// graphs that is enough, and the suite stays fast under the sanitizers).
std::string CheckGraph(const RevisionMap& map, Rng* rng) {
  // With every revision applied, the rows are the heads that no other
  // revision revises or depends on (`heads --resolve-dependencies`).
  const Strings heads = Sorted(map.RealHeads());
  auto at_heads = [&](const Simulation& sim, const std::string& after) {
    if (sim.applied() != map.size()) return after + ": not all applied";
    if (sim.rows() != heads) {
      return after + ": rows [" + Join(sim.rows()) + "], heads [" +
             Join(heads) + "]";
    }
    return std::string();
  };
  auto at_base = [&](const Simulation& sim, const std::string& after) {
    if (sim.applied() != 0 || !sim.rows().empty()) {
      return after + ": revisions left applied";
    }
    return std::string();
  };
  std::string e;
  Simulation full(map);
  if (!(e = full.Run(true, "heads")).empty() ||
      !(e = at_heads(full, "upgrade heads")).empty() ||
      !(e = full.Run(false, "base")).empty() ||
      !(e = at_base(full, "downgrade base")).empty()) {
    return e;
  }
  // Partial states: upgrade to one revision, then to heads; downgrade to a
  // revision (one with a child through "Revises": Alembic refuses the
  // others as downgrade targets), then up to heads and down to base again.
  Strings with_children;
  for (const RevisionNode& node : map.nodes()) {
    if (!map.Children(node).empty()) with_children.push_back(node.id());
  }
  Simulation sim(map);
  const std::string up_to =
      map.node(rng->Below(static_cast<int>(map.size()))).id();
  if (!(e = sim.Run(true, up_to)).empty() ||
      !(e = sim.Run(true, "heads")).empty() ||
      !(e = at_heads(sim, "upgrade " + up_to + ", heads")).empty()) {
    return e;
  }
  if (!with_children.empty()) {
    const std::string down_to =
        with_children[rng->Below(static_cast<int>(with_children.size()))];
    if (!(e = sim.Run(false, down_to)).empty() ||
        !(e = sim.Run(true, "heads")).empty() ||
        !(e = at_heads(sim, "downgrade " + down_to + ", heads")).empty()) {
      return e;
    }
  }
  if (!(e = sim.Run(false, "base")).empty() ||
      !(e = at_base(sim, "downgrade base")).empty()) {
    return e;
  }
  return "";
}

constexpr int kGraphs = 300;
int GraphSize(int seed) { return 4 + seed % 57; }  // 4..60 revisions

TEST(PlanGraphPropertyTest, EveryRevisionOnceInOrderAndRowsAreTheHeads) {
  for (int seed = 0; seed < kGraphs; ++seed) {
    std::vector<Revision> revs = GenerateGraph(seed, GraphSize(seed));
    const std::string shape = Describe(revs);
    Result<RevisionMap> map = RevisionMap::Build(std::move(revs));
    ASSERT_TRUE(map.ok()) << map.status().ToString() << "\n" << shape;
    Rng rng(~static_cast<uint64_t>(seed));
    const std::string error = CheckGraph(*map, &rng);
    ASSERT_EQ(error, "") << "graph " << seed << ":\n" << shape;
  }
}

// The property test is only as good as the graphs: they must keep holding
// the shapes that broke the version rows.
TEST(PlanGraphPropertyTest, GeneratedGraphsHoldTheInterestingShapes) {
  int three_way = 0, merge_naming_ancestor = 0, label_deps = 0,
      deps_on_parents_ancestor = 0, revisions = 0;
  for (int seed = 0; seed < kGraphs; ++seed) {
    std::vector<Revision> revs = GenerateGraph(seed, GraphSize(seed));
    revisions += static_cast<int>(revs.size());
    Result<RevisionMap> map = RevisionMap::Build(revs);
    ASSERT_TRUE(map.ok());
    for (const RevisionNode& node : map->nodes()) {
      const Strings& parents = node.revision.down_revisions;
      three_way += parents.size() >= 3;
      for (const std::string& dep : node.revision.depends_on) {
        label_deps +=
            map->FindBranchLabel(dep) != nullptr && map->Find(dep) == nullptr;
      }
      bool naming = false, dep_below = false;
      for (const std::string& p : parents) {
        const int pi = map->Find(p)->index;
        const std::vector<char> anc = map->AncestorMask({pi}, true);
        for (const std::string& q : parents) {
          naming = naming || (q != p && anc[map->Find(q)->index]);
        }
        for (const std::string& d : map->ResolvedDependencies(node)) {
          dep_below = dep_below || (d != p && anc[map->Find(d)->index]);
        }
      }
      merge_naming_ancestor += naming;
      deps_on_parents_ancestor += dep_below;
    }
  }
  EXPECT_GT(revisions, 9000);
  EXPECT_GT(three_way, 100);
  EXPECT_GT(merge_naming_ancestor, 100);
  EXPECT_GT(label_deps, 100);
  EXPECT_GT(deps_on_parents_ancestor, 100);
}

}  // namespace
}  // namespace retort
