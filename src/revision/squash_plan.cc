// The squash range's checks and merged header.
#include "revision/squash_plan.h"

#include <algorithm>
#include <set>

#include "util/strings.h"

namespace retort {
namespace {

std::string Named(const RevisionNode& node) {
  return node.revision.path.empty() ? node.id()
                                    : node.id() + " (" + node.revision.path +
                                          ")";
}

void AddOnce(std::vector<std::string>* list, const std::string& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) {
    list->push_back(value);
  }
}

}  // namespace

Status SplitRange(std::string_view range, std::string* start,
                  std::string* end) {
  size_t colon = range.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 == range.size() ||
      range.find(':', colon + 1) != std::string_view::npos) {
    return Status::InvalidArgument(
        "'" + std::string(range) +
        "' is not a range: give START:END, the first and the last revision "
        "to squash (e.g. ae10:f3c2)");
  }
  *start = std::string(range.substr(0, colon));
  *end = std::string(range.substr(colon + 1));
  return Status::OK();
}

Result<SquashPlan> PlanSquash(const RevisionMap& map, std::string_view start,
                              std::string_view end) {
  RETORT_ASSIGN_OR_RETURN(const RevisionNode* first, map.GetRevision(start));
  RETORT_ASSIGN_OR_RETURN(const RevisionNode* last, map.GetRevision(end));
  if (first == nullptr || last == nullptr) {
    return Status::InvalidArgument(
        "squash: give revisions, not base, as START and END");
  }
  SquashPlan plan;
  plan.end = last->id();
  // Walk down from END through single parents until START.
  std::vector<const RevisionNode*> line;
  for (const RevisionNode* node = last;;) {
    line.push_back(node);
    if (node == first) break;
    if (node->is_merge_point) {
      return Status::Conflict("squash: revision " + Named(*node) +
                              " in the range is a merge point (it revises " +
                              Join(map.Parents(*node), ", ") +
                              "); squash the lines before it separately");
    }
    std::vector<std::string> parents = map.Parents(*node);
    if (parents.empty()) {
      return Status::Conflict("squash: " + first->id() +
                              " is not an ancestor of " + last->id() +
                              ": give START:END along one line of revisions");
    }
    node = map.Find(parents.front());
  }
  std::reverse(line.begin(), line.end());
  if (line.size() < 2) {
    return Status::InvalidArgument("squash: " + first->id() + ":" +
                                   last->id() +
                                   " is one revision: nothing to squash");
  }
  std::set<std::string> inside;
  for (const RevisionNode* node : line) {
    inside.insert(node->id());
    plan.range.push_back(node->id());
  }
  for (const RevisionNode* node : line) {
    if (node != last && map.Children(*node).size() > 1) {
      return Status::Conflict("squash: revision " + Named(*node) +
                              " in the range is a branch point (revised by " +
                              Join(map.Children(*node), ", ") +
                              "); squash a range that ends before it");
    }
  }
  // Nothing outside may hang on a revision that disappears.
  for (const RevisionNode& other : map.nodes()) {
    if (inside.count(other.id())) continue;
    for (const std::string& p : map.Parents(other)) {
      if (inside.count(p) && p != plan.end) {
        return Status::Conflict("squash: revision " + Named(other) +
                                " revises " + p +
                                ", which the squash removes; squash a range "
                                "that ends at " +
                                p + " or includes " + other.id());
      }
    }
    for (const std::string& d : map.ResolvedDependencies(other)) {
      if (inside.count(d) && d != plan.end) {
        return Status::Conflict("squash: revision " + Named(other) +
                                " depends on " + d +
                                ", which the squash removes; make it depend "
                                "on " +
                                plan.end + " first, or squash a range that "
                                           "ends at " +
                                d);
      }
    }
  }
  plan.down_revisions = map.Parents(*first);
  for (const RevisionNode* node : line) {
    for (const std::string& label : node->revision.branch_labels) {
      AddOnce(&plan.branch_labels, label);
    }
    for (const std::string& written : node->revision.depends_on) {
      // A dependency on a revision of the range is satisfied by the line
      // itself.
      auto target = map.GetRevision(written);
      if (target.ok() && *target != nullptr && inside.count((*target)->id())) {
        continue;
      }
      AddOnce(&plan.depends_on, written);
    }
  }
  return plan;
}

}  // namespace retort
