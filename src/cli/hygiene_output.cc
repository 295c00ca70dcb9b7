// Text and JSON of the history checks.
#include "cli/hygiene_output.h"

#include "util/strings.h"

namespace retort {
namespace {

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

void Indented(const std::string& text, const char* indent, std::string* out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    *out += indent + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
}

}  // namespace

std::string BranchName(const BranchHeads& branch, bool only_branch) {
  if (branch.branch.empty()) {
    return only_branch ? "the revision graph"
                       : "the revisions without a branch label";
  }
  std::string name = "branch " + branch.branch;
  if (!branch.schema.empty()) name += " ([schemas." + branch.schema + "])";
  return name;
}

std::string SingleHeadText(const SingleHeadResult& result) {
  const bool only = result.branches.size() == 1;
  std::string out;
  if (!result.ok()) {
    for (const BranchHeads& b : result.branches) {
      if (b.heads.size() < 2) continue;
      out += BranchName(b, only) + " has " + Plural(b.heads.size(), "head") +
             ": " + Join(b.heads, ", ") + "\n";
    }
    return out;
  }
  std::vector<std::string> heads;
  for (const BranchHeads& b : result.branches) {
    if (b.heads.empty()) continue;
    heads.push_back(b.branch.empty() ? b.heads[0]
                                     : b.heads[0] + " (" + b.branch + ")");
  }
  if (heads.empty()) return "No revisions yet: no head.\n";
  if (only) return "One head: " + heads[0] + "\n";
  return "One head per branch: " + Join(heads, ", ") + "\n";
}

std::string SingleHeadError(const SingleHeadResult& result) {
  size_t bad = 0;
  std::string example;
  for (const BranchHeads& b : result.branches) {
    if (b.heads.size() < 2) continue;
    if (++bad == 1) example = Join(b.heads, " ");
  }
  if (bad == 0) return "";
  return (bad == 1 ? std::string("a branch has")
                   : std::to_string(bad) + " branches have") +
         " more than one head (listed above): merge them with 'retort merge "
         "-m MESSAGE " +
         example +
         "', or make the newer revision revise the other head "
         "('retort rebase REV --onto HEAD')";
}

nlohmann::ordered_json SingleHeadJson(const SingleHeadResult& result) {
  nlohmann::ordered_json branches = nlohmann::ordered_json::array();
  for (const BranchHeads& b : result.branches) {
    branches.push_back(
        {{"branch", b.branch}, {"schema", b.schema}, {"heads", b.heads}});
  }
  return {{"ok", result.ok()}, {"branches", branches}};
}

std::string StairwayText(const StairwayResult& result, bool quiet) {
  std::string out;
  for (const StairwayFailure& f : result.failures) {
    out += "stairway: revision " + f.revision +
           (f.path.empty() ? std::string() : " (" + f.path + ")") +
           ": the downgrade does not undo the upgrade\n";
    for (const DriftFinding& d : f.differences) {
      out += "  " + d.kind + ": " + d.message + "\n";
      Indented(d.sql, "      ", &out);
    }
    if (!f.reupgrade_error.empty()) {
      out += "  upgrading it again after the downgrade failed:\n";
      Indented(f.reupgrade_error, "      ", &out);
    }
  }
  for (const StairwaySkip& s : result.skipped) {
    out += "stairway: skipped " + s.revision + ": " + s.reason + "\n";
  }
  if (quiet && result.ok()) return out;
  out += "stairway: " + Plural(result.checked.size(), "revision") +
         " upgraded, downgraded and upgraded again in " + result.scratch +
         ": " +
         (result.ok() ? std::string("each downgrade undoes its upgrade")
                      : Plural(result.failures.size(), "failure")) +
         "\n";
  return out;
}

std::string StairwayError(const StairwayResult& result) {
  if (result.ok()) return "";
  const StairwayFailure& f = result.failures.front();
  std::string where = f.revision + (f.path.empty() ? "" : " (" + f.path + ")");
  return "the downgrade of revision " + where +
         " does not undo its upgrade: make its '-- migrate:downgrade' "
         "section undo what '-- migrate:upgrade' does (the SQL under each "
         "difference above restores the state before the upgrade)";
}

nlohmann::ordered_json StairwayJson(const StairwayResult& result) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const StairwayFailure& f : result.failures) {
    nlohmann::ordered_json diffs = nlohmann::ordered_json::array();
    for (const DriftFinding& d : f.differences) {
      diffs.push_back({{"kind", d.kind},
                       {"object", d.object},
                       {"operation", d.operation},
                       {"sql", d.sql},
                       {"message", d.message}});
    }
    failures.push_back({{"revision", f.revision},
                        {"path", f.path},
                        {"differences", diffs},
                        {"reupgrade_error", f.reupgrade_error}});
  }
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const StairwaySkip& s : result.skipped) {
    skipped.push_back({{"revision", s.revision}, {"reason", s.reason}});
  }
  return {{"ok", result.ok()},
          {"scratch", result.scratch},
          {"checked", result.checked},
          {"failures", failures},
          {"skipped", skipped}};
}

std::string RebaseText(const RebaseResult& r, bool quiet) {
  std::string out;
  if (r.nothing_to_do) {
    if (!quiet)
      out = r.revision + " already revises " + r.onto + ": nothing to do\n";
    return out;
  }
  if (!quiet) {
    const std::string was = r.old_revises.empty()
                                ? "it was a base"
                                : "it revised " + Join(r.old_revises, ", ");
    out += (r.dry_run ? "Would move " : "Moved ") + Join(r.moved, ", ") +
           " onto " + r.onto + ": " + r.revision + " (" + r.path + ") " +
           (r.dry_run ? "would revise " : "now revises ") + r.onto + " (" +
           was + ")\n";
    out += (r.heads.size() == 1 ? "Head: " : "Heads: ") + Join(r.heads, ", ") +
           (r.dry_run ? " (nothing was changed)" : "") + "\n";
  }
  for (const RebaseDependency& d : r.dependencies) {
    out += "note: " + d.revision + " depends on " + d.depends_on +
           ", which moved; it is left as it is (a dependency is not a "
           "parent)\n";
  }
  return out;
}

nlohmann::ordered_json SquashJson(const SquashResult& r) {
  return {{"revision", r.revision},
          {"path", r.path},
          {"down_revisions", r.down_revisions},
          {"branch_labels", r.branch_labels},
          {"depends_on", r.depends_on},
          {"replaced", r.replaced},
          {"removed_files", r.removed_files},
          {"database_checked", r.database_checked},
          {"scratch", r.scratch},
          {"dry_run", r.dry_run}};
}

nlohmann::ordered_json RebaseJson(const RebaseResult& r) {
  nlohmann::ordered_json deps = nlohmann::ordered_json::array();
  for (const RebaseDependency& d : r.dependencies) {
    deps.push_back({{"revision", d.revision}, {"depends_on", d.depends_on}});
  }
  return {{"revision", r.revision},
          {"path", r.path},
          {"onto", r.onto},
          {"old_revises", r.old_revises},
          {"moved", r.moved},
          {"dependencies", deps},
          {"heads", r.heads},
          {"database_checked", r.database_checked},
          {"nothing_to_do", r.nothing_to_do},
          {"dry_run", r.dry_run}};
}

}  // namespace retort
