// RevisionMap::IterateRevisions (declared in revision_map.h): Alembic's
// upgrade/downgrade target parsing, the collection of revisions between two
// points, and its topological sort.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "revision/revision_map.h"
#include "revision/revision_map_internals.h"

namespace retort {

namespace {

using Internals = RevisionMapInternals;

bool Fail(RevisionError* err, std::string message,
          RevisionError::Kind kind = RevisionError::Kind::kRevision) {
  err->kind = kind;
  err->message = std::move(message);
  return false;
}

std::string DidNotProduce(const std::string& relative, long long steps) {
  return "Relative revision " + relative + " didn't produce " +
         std::to_string(std::llabs(steps)) + " migrations";
}

std::vector<std::string> ArgValues(const RevisionArg& arg) {
  if (arg.is_none()) return {};
  return arg.values();
}

// Resolves a walk start given as an id (or None) the way _walk does.
bool StartFor(const RevisionMap& map, const std::optional<std::string>& id,
              int* out, RevisionError* err) {
  if (!id) {
    *out = Internals::kNone;
    return true;
  }
  return Internals::GetRevision(map, *id, out, err);
}

bool Truthy(const std::optional<std::string>& s) { return s && !s->empty(); }

}  // namespace

// Alembic's _parse_downgrade_target: the destination of a downgrade (a node,
// kBase or kNone for base) and the branch it is restricted to.
bool Internals::ParseDowngradeTarget(const RevisionMap& map,
                                     const RevisionArg& current_revisions,
                                     const RevisionArg& target,
                                     bool assert_relative_length,
                                     std::optional<std::string>* branch_label,
                                     int* out, RevisionError* err) {
  branch_label->reset();
  *out = kNone;
  if (target.is_none()) return true;
  if (target.is_many()) {
    return Fail(err, "A downgrade target must be a single revision");
  }
  RelativeMatch match;
  if (MatchRelativeDestination(target.one(), &match)) {
    *branch_label = match.branch_label;
    const long long rel = RelativeValue(match.relative);
    if (rel >= 0) {
      if (!match.symbol) return Fail(err, DidNotProduce(match.relative, rel));
      int start = kNone;
      if (!GetRevision(map, *match.symbol, &start, err)) return false;
      if (!WalkSteps(map, start, rel, match.branch_label,
                     assert_relative_length, out, err)) {
        return false;
      }
      if (*out == kNone) return Fail(err, "Walked too far");
      return true;
    }
    const bool relative_revision = !match.symbol;
    std::string symbol = match.symbol.value_or("");
    if (relative_revision) {
      std::vector<std::string> current = ArgValues(current_revisions);
      if (Truthy(match.branch_label)) {
        std::vector<int> cur_idx, filtered;
        for (const std::string& c : current) {
          int idx = kNone;
          if (!RevisionForIdent(map, c, std::nullopt, &idx, err)) return false;
          cur_idx.push_back(idx);
        }
        if (!FilterForLineage(map, cur_idx, match.branch_label, false,
                              &filtered, err)) {
          return false;
        }
        if (filtered.empty()) {
          // One current head may stand for several branches when the
          // others are its dependencies.
          std::vector<int> all_current;
          if (!GetAllCurrent(map, RevisionArg(current), &all_current, err) ||
              !FilterForLineage(map, all_current, match.branch_label, false,
                                &filtered, err)) {
            return false;
          }
        }
        if (filtered.size() != 1) {
          // Alembic asserts here.
          return Fail(err, "Can't determine the current revision of branch '" +
                               *match.branch_label + "' from current heads");
        }
        symbol = map.node(filtered.front()).id();
      } else {
        if (current.empty())
          return Fail(err, DidNotProduce(match.relative, rel));
        // Alembic warns that "-1" from several heads is ambiguous and walks
        // from the first one, restricted to its branch.
        symbol = current.front();
        *branch_label = symbol;
      }
    }
    int start = kNone;
    const std::string start_id =
        branch_label->has_value() ? **branch_label + "@" + symbol : symbol;
    if (!GetRevision(map, start_id, &start, err)) return false;
    if (!WalkSteps(map, start, rel, std::nullopt, assert_relative_length, out,
                   err)) {
      return false;
    }
    if (*out == kNone) {
      return Fail(err, relative_revision ? DidNotProduce(match.relative, rel)
                                         : "Walked too far");
    }
    return true;
  }
  const std::string& t = target.one();
  size_t at = t.rfind('@');
  std::string symbol = t;
  if (at != std::string::npos) {
    if (at > 0) *branch_label = t.substr(0, at);
    symbol = t.substr(at + 1);
  }
  return GetRevision(map, symbol, out, err);
}

// Alembic's _parse_upgrade_target: the revisions an upgrade goes to.
bool Internals::ParseUpgradeTarget(const RevisionMap& map,
                                   const RevisionArg& current_revisions,
                                   const RevisionArg& target,
                                   bool assert_relative_length,
                                   std::vector<int>* out, RevisionError* err) {
  out->clear();
  RelativeMatch match;
  if (!target.is_one() || !MatchRelativeDestination(target.one(), &match)) {
    return GetRevisions(map, target, out, err);
  }
  const long long rel = RelativeValue(match.relative);
  int dest = kNone;
  if (rel > 0) {
    if (!match.symbol) {
      std::vector<std::optional<std::string>> start_revs;
      for (const std::string& c : ArgValues(current_revisions)) {
        start_revs.emplace_back(c);
      }
      if (start_revs.empty()) start_revs.emplace_back(std::nullopt);
      if (Truthy(match.branch_label)) {
        std::vector<std::string> ids;
        for (const auto& s : start_revs) {
          if (s) ids.push_back(*s);
        }
        std::vector<int> current, filtered;
        if (!GetRevisions(map, RevisionArg(ids), &current, err) ||
            !FilterForLineage(map, current, match.branch_label, false,
                              &filtered, err)) {
          return false;
        }
        start_revs.clear();
        if (filtered.empty()) {
          // The branch is not at a head: start from the tips of what is
          // applied on it (or from nothing, below its base).
          std::vector<char> anc = map.AncestorMask(current, true);
          std::vector<int> anc_idx, active;
          for (size_t i = 0; i < anc.size(); ++i) {
            if (anc[i]) anc_idx.push_back(static_cast<int>(i));
          }
          if (!FilterForLineage(map, anc_idx, match.branch_label, false,
                                &active, err)) {
            return false;
          }
          std::vector<char> is_down(map.size(), 0);
          for (int a : active) {
            for (int d : map.node(a).norm_down) is_down[d] = 1;
          }
          for (int a : active) {
            if (!is_down[a]) start_revs.emplace_back(map.node(a).id());
          }
          if (start_revs.empty()) start_revs.emplace_back(std::nullopt);
        } else {
          for (int f : filtered) start_revs.emplace_back(map.node(f).id());
        }
      }
      if (start_revs.size() > 1) {
        return Fail(err, "Ambiguous upgrade from multiple current revisions");
      }
      int start = kNone;
      if (!StartFor(map, start_revs.front(), &start, err) ||
          !WalkSteps(map, start, rel, match.branch_label,
                     assert_relative_length, &dest, err)) {
        return false;
      }
      if (dest == kNone) return Fail(err, DidNotProduce(match.relative, rel));
    } else {
      int start = kNone;
      if (!GetRevision(map, *match.symbol, &start, err) ||
          !WalkSteps(map, start, rel, match.branch_label,
                     assert_relative_length, &dest, err)) {
        return false;
      }
      // Alembic fails an assertion on this overwalk.
      if (dest == kNone) return Fail(err, DidNotProduce(match.relative, rel));
    }
  } else {
    if (!match.symbol) {
      return Fail(err, DidNotProduce(std::to_string(rel), rel));
    }
    int start = kNone;
    const std::string start_id = match.branch_label
                                     ? *match.branch_label + "@" + *match.symbol
                                     : *match.symbol;
    if (!GetRevision(map, start_id, &start, err) ||
        !WalkSteps(map, start, rel, std::nullopt, assert_relative_length, &dest,
                   err)) {
      return false;
    }
    if (dest == kNone) return Fail(err, DidNotProduce(match.relative, rel));
  }
  // A walk that ends below the bases names no revision to upgrade to
  // (Alembic fails an assertion).
  if (dest == kBase) return Fail(err, "Walked too far");
  out->push_back(dest);
  return true;
}

// Alembic's _collect_downgrade_revisions.
bool Internals::CollectDowngradeRevisions(
    const RevisionMap& map, const RevisionArg& upper, const RevisionArg& lower,
    const IterateOptions& options, std::vector<char>* revisions,
    std::vector<int>* heads, RevisionError* err) {
  std::optional<std::string> branch_label;
  int target = kNone;
  if (!ParseDowngradeTarget(map, upper, lower, options.assert_relative_length,
                            &branch_label, &target, err)) {
    return false;
  }
  if (target == kBase) target = kNone;

  std::vector<int> roots;
  if (target == kNone) {
    for (const RevisionNode& node : map.nodes()) {
      if (node.is_base) roots.push_back(node.index);
    }
  } else if (options.inclusive) {
    roots.push_back(target);
  } else {
    roots.assign(map.node(target).next.begin(), map.node(target).next.end());
  }

  if (Truthy(branch_label) && roots.size() > 1) {
    int branch = kNone;
    if (!ResolveBranch(map, *branch_label, &branch, err)) return false;
    std::vector<char> anc = map.AncestorMask({branch}, false);
    std::vector<int> kept;
    for (int r : roots) {
      if (anc[r]) kept.push_back(r);
    }
    roots = std::move(kept);
    if (roots.empty()) {
      return Fail(err, "Not a valid downgrade target from current heads");
    }
  }

  if (!GetRevisions(map, upper, heads, err)) return false;
  for (int h : *heads) {
    if (h < 0) return Fail(err, "Walked too far");
  }

  std::vector<char> down = map.DescendantMask(roots, true);
  std::vector<char> active = map.AncestorMask(*heads, true);
  std::vector<char> below_roots;
  if (options.implicit_base) below_roots = map.AncestorMask(roots, true);
  bool any = false;
  for (size_t i = 0; i < down.size(); ++i) {
    down[i] = down[i] && active[i];
    if (options.implicit_base && active[i] && !below_roots[i]) down[i] = 1;
    any = any || down[i];
  }
  if (target != kNone && !any &&
      std::find(heads->begin(), heads->end(), target) == heads->end()) {
    err->kind = RevisionError::Kind::kRangeNotAncestor;
    err->lower = "Nothing to drop";
    err->upper = upper.is_none() || (upper.is_many() && upper.values().empty())
                     ? "base"
                     : upper.ToString();
    err->message = "Revision " + err->lower +
                   " is not an ancestor of revision " + err->upper;
    return false;
  }
  *revisions = std::move(down);
  return true;
}

// Alembic's _collect_upgrade_revisions.
bool Internals::CollectUpgradeRevisions(
    const RevisionMap& map, const RevisionArg& upper, const RevisionArg& lower,
    const IterateOptions& options, std::vector<char>* revisions,
    std::vector<int>* targets, RevisionError* err) {
  if (!ParseUpgradeTarget(map, lower, upper, options.assert_relative_length,
                          targets, err)) {
    return false;
  }
  for (int t : *targets) {
    if (t < 0) return Fail(err, "Walked too far");
  }
  RevisionArg lower_arg = lower;
  if (lower.is_one()) {
    const std::string& l = lower.one();
    if (size_t at = l.find('@'); at != std::string::npos) {
      // "label@..." as the lower bound keeps only targets on that branch.
      std::string branch = l.substr(0, at);
      int branch_rev = kNone;
      if (!GetRevision(map, branch, &branch_rev, err)) return false;
      if (branch_rev >= 0 && map.node(branch_rev).id() == branch) {
        const auto& labels = map.node(branch_rev).branch_labels;
        if (labels.size() != 1) {
          return Fail(err,
                      "Revision " + branch + " does not name a single branch");
        }
        branch = labels.front();
      }
      std::vector<int> kept;
      for (int t : *targets) {
        const auto& labels = map.node(t).branch_labels;
        if (std::binary_search(labels.begin(), labels.end(), branch) &&
            std::find(kept.begin(), kept.end(), t) == kept.end()) {
          kept.push_back(t);
        }
      }
      *targets = std::move(kept);
    }
  }

  std::vector<char> required;
  if (!WalkChecked(map, *targets, kNormDown, &required, err)) return false;

  std::vector<int> current;
  if (!GetRevisions(map, lower_arg, &current, err)) return false;
  auto range_error = [&]() {
    err->kind = RevisionError::Kind::kRangeNotAncestor;
    err->lower = lower_arg.is_none() ||
                         (lower_arg.is_many() && lower_arg.values().empty())
                     ? "base"
                     : lower_arg.ToString();
    err->upper = upper.is_none() || (upper.is_many() && upper.values().empty())
                     ? "base"
                     : upper.ToString();
    err->message = "Revision " + err->lower +
                   " is not an ancestor of revision " + err->upper;
    return false;
  };
  if (!options.implicit_base) {
    for (int c : current) {
      if (c == kNone) continue;
      if (c < 0 || !required[c]) return range_error();
    }
  }
  if (!current.empty() && current.front() == kNone) {
    // "lower" was a relative identifier that walked off the graph.
    std::optional<std::string> ignored;
    int rev = kNone;
    if (!ParseDowngradeTarget(map, upper, lower_arg,
                              options.assert_relative_length, &ignored, &rev,
                              err)) {
      return false;
    }
    if (rev == kBase || rev == kNone) {
      current.clear();
      lower_arg = RevisionArg();
    } else {
      current = {rev};
      lower_arg = RevisionArg(map.node(rev).id());
    }
  }
  for (int c : current) {
    if (c < 0) return Fail(err, "Walked too far");
  }

  std::vector<char> current_set;
  if (!WalkChecked(map, current, kNormDown, &current_set, err)) return false;
  std::vector<char> needs(map.size(), 0);
  for (size_t i = 0; i < needs.size(); ++i) {
    needs[i] = required[i] && !current_set[i];
  }
  if (options.inclusive) {
    std::vector<int> lower_revs;
    if (!GetRevisions(map, lower_arg, &lower_revs, err)) return false;
    for (int l : lower_revs) {
      if (l >= 0) needs[l] = 1;
    }
  }
  if (!current.empty() && !options.implicit_base) {
    std::vector<char> above;
    if (!WalkChecked(map, current, kNext, &above, err)) return false;
    for (size_t i = 0; i < needs.size(); ++i) {
      needs[i] = needs[i] && above[i];
    }
  }
  *revisions = std::move(needs);
  return true;
}

// Alembic's _topological_sort: heads first, each branch walked down as far
// as no other pending head still needs it, ties broken by input order.
bool Internals::TopologicalSort(const RevisionMap& map,
                                const std::vector<char>& revisions,
                                const std::vector<int>& heads,
                                std::vector<int>* out, RevisionError* err) {
  out->clear();
  std::vector<char> todo = revisions;
  size_t remaining = std::count(todo.begin(), todo.end(), 1);

  std::vector<int> current_heads;
  for (int h : heads) {
    if (h >= 0 && todo[h] &&
        std::find(current_heads.begin(), current_heads.end(), h) ==
            current_heads.end()) {
      current_heads.push_back(h);
    }
  }
  std::sort(current_heads.begin(), current_heads.end());
  auto ancestors = [&](int idx) { return map.AncestorMask({idx}, true); };
  std::vector<std::vector<char>> ancestors_by_idx;
  for (int h : current_heads) ancestors_by_idx.push_back(ancestors(h));

  size_t candidate_idx = 0;
  while (!current_heads.empty()) {
    const int candidate = current_heads[candidate_idx];
    bool blocked = false;
    for (size_t check = 0; check < ancestors_by_idx.size(); ++check) {
      if (check != candidate_idx && ancestors_by_idx[check][candidate]) {
        // Another head depends on this one: walk that one first.
        candidate_idx = check;
        blocked = true;
        break;
      }
    }
    if (blocked) continue;
    if (todo[candidate]) {
      out->push_back(candidate);
      todo[candidate] = 0;
      --remaining;
    }
    const RevisionNode& rev = map.node(candidate);
    std::vector<int> heads_to_add;
    for (int d : rev.norm_down) {
      if (todo[d] && std::find(current_heads.begin(), current_heads.end(), d) ==
                         current_heads.end()) {
        heads_to_add.push_back(d);
      }
    }
    if (heads_to_add.empty()) {
      current_heads.erase(current_heads.begin() + candidate_idx);
      ancestors_by_idx.erase(ancestors_by_idx.begin() + candidate_idx);
      candidate_idx = candidate_idx > 0 ? candidate_idx - 1 : 0;
    } else if (map.NormalizedDependencies(rev).empty() &&
               rev.revision.down_revisions.size() == 1) {
      // Plain movement down a line: the ancestor set just loses the node.
      current_heads[candidate_idx] = heads_to_add.front();
      ancestors_by_idx[candidate_idx][candidate] = 0;
    } else {
      current_heads[candidate_idx] = heads_to_add.front();
      ancestors_by_idx[candidate_idx] = ancestors(heads_to_add.front());
      for (size_t k = 1; k < heads_to_add.size(); ++k) {
        current_heads.push_back(heads_to_add[k]);
        ancestors_by_idx.push_back(ancestors(heads_to_add[k]));
      }
    }
  }
  if (remaining != 0) {
    return Fail(err,
                "Revisions to iterate are not reachable from the "
                "requested heads");
  }
  return true;
}

bool RevisionMap::IterateRevisions(const RevisionArg& upper,
                                   const RevisionArg& lower,
                                   const IterateOptions& options,
                                   std::vector<const RevisionNode*>* out,
                                   RevisionError* err) const {
  std::vector<char> revisions;
  std::vector<int> heads;
  bool ok = options.select_for_downgrade
                ? Internals::CollectDowngradeRevisions(
                      *this, upper, lower, options, &revisions, &heads, err)
                : Internals::CollectUpgradeRevisions(
                      *this, upper, lower, options, &revisions, &heads, err);
  if (!ok) return false;
  std::vector<int> order;
  if (!Internals::TopologicalSort(*this, revisions, heads, &order, err)) {
    return false;
  }
  out->clear();
  out->reserve(order.size());
  for (int i : order) out->push_back(&nodes_[i]);
  return true;
}

Result<std::vector<const RevisionNode*>> RevisionMap::IterateRevisions(
    const RevisionArg& upper, const RevisionArg& lower,
    const IterateOptions& options) const {
  std::vector<const RevisionNode*> out;
  RevisionError err;
  if (!IterateRevisions(upper, lower, options, &out, &err)) {
    return err.ToStatus();
  }
  return out;
}

}  // namespace retort
