// What `check --single-head`, `check --stairway` and `rebase` print, as text
// and as JSON. Pure formatting, tested exactly (hygiene_output_test.cc).
#ifndef RETORT_CLI_HYGIENE_OUTPUT_H_
#define RETORT_CLI_HYGIENE_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "retort/hygiene.h"

namespace retort {

// How a branch is named in messages: "branch auth ([schemas.auth])",
// "branch auth", "the revision graph" (the unlabelled heads of a graph
// without labels) or "the revisions without a branch label".
std::string BranchName(const BranchHeads& branch, bool only_branch);

// OK: one line, e.g. "One head per branch: a2 (auth), i3 (inventory)" or
// "One head: c3". Otherwise a line per branch with more than one head:
// "branch auth has 2 heads: a3, a4".
std::string SingleHeadText(const SingleHeadResult& result);
// The error line when a branch has more than one head; "" when none does.
std::string SingleHeadError(const SingleHeadResult& result);
// {"ok": bool, "branches": [{"branch", "schema", "heads"}]}.
nlohmann::ordered_json SingleHeadJson(const SingleHeadResult& result);

// Each failure (the revision and its file, each difference with the SQL
// that would restore the state before the upgrade indented under it),
// each skipped revision, then a summary line (left out with `quiet` when
// everything is clean).
std::string StairwayText(const StairwayResult& result, bool quiet);
// The error line when a revision failed; "" when none did.
std::string StairwayError(const StairwayResult& result);
// {"ok", "scratch", "checked": [...], "failures": [{"revision", "path",
// "differences": [{"kind", "object", "operation", "sql", "message"}],
// "reupgrade_error"}], "skipped": [{"revision", "reason"}]}.
nlohmann::ordered_json StairwayJson(const StairwayResult& result);

// What `rebase` did: "Moved x, y onto c: x (path) now revises c (it
// revised a)" and "Heads: y", or with dry_run "Would move ..." and
// "nothing was changed"; then a note per revision outside the line that
// depends on one inside it. With nothing to do: "x already revises c:
// nothing to do". `quiet` keeps the notes only.
std::string RebaseText(const RebaseResult& result, bool quiet);
// {"revision", "path", "onto", "old_revises", "moved", "dependencies":
// [{"revision", "depends_on"}], "heads", "database_checked",
// "nothing_to_do", "dry_run"}.
nlohmann::ordered_json RebaseJson(const RebaseResult& result);

// `squash --format json`: {"revision", "path", "down_revisions",
// "branch_labels", "depends_on", "replaced", "removed_files",
// "database_checked", "scratch", "dry_run"} (docs/json.md).
nlohmann::ordered_json SquashJson(const SquashResult& result);

}  // namespace retort

#endif  // RETORT_CLI_HYGIENE_OUTPUT_H_
