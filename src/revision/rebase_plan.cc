// The rebase line's checks.
#include "revision/rebase_plan.h"

#include <algorithm>
#include <set>

#include "util/strings.h"

namespace retort {
namespace {

std::string Named(const RevisionNode& node) {
  return node.revision.path.empty()
             ? node.id()
             : node.id() + " (" + node.revision.path + ")";
}

// The branch labels declared on `ids` and their ancestors (parents only).
std::set<std::string> LabelsCovering(const RevisionMap& map,
                                     const std::vector<std::string>& ids) {
  std::set<std::string> labels;
  if (ids.empty()) return labels;
  for (const std::string& id : map.Ancestors(ids, false)) {
    if (const RevisionNode* node = map.Find(id)) {
      labels.insert(node->revision.branch_labels.begin(),
                    node->revision.branch_labels.end());
    }
  }
  return labels;
}

std::string OnBranch(const std::set<std::string>& labels) {
  if (labels.empty()) return "no branch label";
  return std::string(labels.size() == 1 ? "branch " : "branches ") +
         Join(std::vector<std::string>(labels.begin(), labels.end()), ", ");
}

}  // namespace

Result<RebasePlan> PlanRebase(const RevisionMap& map, std::string_view rev,
                              std::string_view onto) {
  RETORT_ASSIGN_OR_RETURN(const RevisionNode* first, map.GetRevision(rev));
  if (first == nullptr) {
    return Status::InvalidArgument(
        "rebase: give a revision as REV, not base: the first revision of "
        "the line to move");
  }
  RETORT_ASSIGN_OR_RETURN(const RevisionNode* target, map.GetRevision(onto));
  if (target == nullptr) {
    return Status::InvalidArgument(
        "rebase: give a revision as --onto, not base: the revision the line "
        "moves onto (usually the other head)");
  }
  RebasePlan plan;
  plan.revision = first->id();
  plan.path = first->revision.path;
  plan.old_parents = map.Parents(*first);
  plan.onto = target->id();
  if (first->is_merge_point) {
    return Status::Conflict("rebase: revision " + Named(*first) +
                            " is a merge point (it revises " +
                            Join(plan.old_parents, ", ") +
                            "); rebase moves a line onto one parent: rebase "
                            "the lines it merges instead");
  }
  // REV up to its head, through single children.
  for (const RevisionNode* node = first;;) {
    if (node != first && node->is_merge_point) {
      return Status::Conflict(
          "rebase: revision " + Named(*node) + " in the line of " +
          first->id() + " is a merge point (it revises " +
          Join(map.Parents(*node), ", ") +
          "); rebase moves a plain line up to its head: merge the heads "
          "instead ('retort merge')");
    }
    plan.line.push_back(node->id());
    std::vector<std::string> children = map.Children(*node);
    if (children.size() > 1) {
      return Status::Conflict(
          "rebase: revision " + Named(*node) + " in the line of " +
          first->id() + " is a branch point (revised by " +
          Join(children, ", ") +
          "); rebase moves a plain line up to its head: rebase each line "
          "after it instead");
    }
    if (children.empty()) break;
    node = map.Find(children.front());
  }
  const std::set<std::string> inside(plan.line.begin(), plan.line.end());
  const std::string line_name = first->id() + ".." + plan.line.back();
  if (inside.count(plan.onto)) {
    return Status::Conflict(
        "rebase: " + plan.onto + " is in the line being moved (" + line_name +
        "): moving " + first->id() +
        " onto it would make a cycle; give a revision outside it, e.g. the "
        "other head");
  }
  for (const std::string& id : map.Descendants(plan.line, true)) {
    if (id == plan.onto) {
      return Status::Conflict(
          "rebase: " + plan.onto + " descends from the line being moved (" +
          line_name + ") through 'Depends On': moving " + first->id() +
          " onto it would make a cycle; give a revision that does not depend "
          "on the line");
    }
  }
  if (plan.old_parents == std::vector<std::string>{plan.onto}) {
    plan.nothing_to_do = true;
    return plan;
  }
  if (plan.old_parents.empty() && !first->revision.branch_labels.empty()) {
    return Status::Conflict(
        "rebase: revision " + Named(*first) + " is the base of branch " +
        Join(first->revision.branch_labels, ", ") +
        ", a line of its own: a branch's base stays a base; merge the heads "
        "instead ('retort merge') if the branches must meet");
  }
  const std::set<std::string> before = LabelsCovering(map, plan.old_parents);
  const std::set<std::string> after = LabelsCovering(map, {plan.onto});
  if (before != after) {
    return Status::Conflict("rebase: " + first->id() + " is on " +
                            OnBranch(before) + " and " + plan.onto + " on " +
                            OnBranch(after) + ": moving " + first->id() +
                            " onto " + plan.onto +
                            " would change the branch of its line; give a "
                            "revision of the same branch as --onto");
  }
  for (const RevisionNode& other : map.nodes()) {
    if (inside.count(other.id())) continue;
    for (const std::string& d : map.ResolvedDependencies(other)) {
      if (inside.count(d)) plan.dependencies.push_back({other.id(), d});
    }
  }
  return plan;
}

std::vector<Revision> RebasedRevisions(std::vector<Revision> revisions,
                                       const RebasePlan& plan) {
  for (Revision& r : revisions) {
    if (r.id == plan.revision) r.down_revisions = {plan.onto};
  }
  return revisions;
}

Status CheckRebased(const RevisionMap& rebased, const RebasePlan& plan) {
  const RevisionNode* node = rebased.Find(plan.revision);
  if (node == nullptr) {
    return Status::Internal("rebase: " + plan.revision +
                            " is missing after the rewrite");
  }
  if (rebased.Parents(*node) != std::vector<std::string>{plan.onto}) {
    return Status::Internal("rebase: " + plan.revision + " revises " +
                            Join(rebased.Parents(*node), ", ") +
                            " after the rewrite, not " + plan.onto);
  }
  std::vector<std::string> below = rebased.Descendants({plan.onto}, false);
  for (const std::string& id : plan.line) {
    if (std::find(below.begin(), below.end(), id) == below.end()) {
      return Status::Internal("rebase: " + id + " does not descend from " +
                              plan.onto + " after the rewrite");
    }
  }
  return Status::OK();
}

}  // namespace retort
