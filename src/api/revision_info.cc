// Alembic-compatible renderings of a revision (Script.cmd_format/log_entry):
// users grep and diff this output, so the shape is kept to the character.
#include "retort/revision_info.h"

#include "util/strings.h"

namespace retort {

namespace {

std::string FormatParents(const RevisionInfo& rev) {
  if (rev.down_revisions.empty()) return "<base>";
  return Join(rev.down_revisions, ", ");
}

std::string LogEntry(const RevisionInfo& rev) {
  std::string e = "Rev: " + rev.id;
  if (rev.is_head) e += " (head)";
  if (rev.is_branch_point) e += " (branchpoint)";
  if (rev.is_merge_point) e += " (mergepoint)";
  if (rev.is_current) e += " (current)";
  e += "\n";
  e += (rev.is_merge_point ? "Merges: " : "Parent: ") + FormatParents(rev) +
       "\n";
  if (!rev.depends_on.empty())
    e += "Also depends on: " + Join(rev.depends_on, ", ") + "\n";
  if (rev.is_branch_point)
    e += "Branches into: " + Join(rev.children, ", ") + "\n";
  if (!rev.branch_labels.empty())
    e += "Branch names: " + Join(rev.branch_labels, ", ") + "\n";
  e += "Path: " + rev.path + "\n\n";
  // The long message, each line indented by four spaces (Python's
  // splitlines(): no trailing empty line, nothing for an empty message).
  std::string body;
  size_t start = 0;
  while (start < rev.longdoc.size()) {
    size_t end = rev.longdoc.find('\n', start);
    if (end == std::string::npos) end = rev.longdoc.size();
    if (start > 0) body += "\n";
    body += "    " + rev.longdoc.substr(start, end - start);
    start = end + 1;
  }
  e += body + "\n";
  return e;
}

}  // namespace

std::string FormatRevision(const RevisionInfo& rev, const FormatOptions& o) {
  if (o.verbose) return LogEntry(rev);
  std::string text = rev.id;
  if (o.include_parents) {
    if (!rev.depends_on.empty()) {
      text = FormatParents(rev) + " (" + Join(rev.depends_on, ", ") + ") -> " +
             text;
    } else {
      text = FormatParents(rev) + " -> " + text;
    }
  }
  if (o.include_branches && !rev.branch_labels.empty())
    text += " (" + Join(rev.branch_labels, ", ") + ")";
  if (o.head_indicators || o.tree_indicators) {
    if (rev.is_real_head) text += " (head)";
    if (rev.is_head && !rev.is_real_head) text += " (effective head)";
    if (rev.is_current) text += " (current)";
  }
  if (o.tree_indicators) {
    if (rev.is_branch_point) text += " (branchpoint)";
    if (rev.is_merge_point) text += " (mergepoint)";
  }
  if (o.include_doc) text += ", " + rev.doc;
  return text;
}

}  // namespace retort
