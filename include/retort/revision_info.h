// RevisionInfo: the public, plain-data view of one revision and its place in
// the graph, and the Alembic-compatible one-line and verbose renderings.
#ifndef RETORT_REVISION_INFO_H_
#define RETORT_REVISION_INFO_H_

#include <string>
#include <vector>

#include "retort/export.h"

namespace retort {

struct RETORT_EXPORT RevisionInfo {
  std::string id;
  std::vector<std::string> down_revisions;  // parents; empty for a base
  std::vector<std::string> depends_on;      // as declared in the file
  std::vector<std::string> branch_labels;   // own and inherited, sorted
  std::vector<std::string> children;        // revisions revising this one
  std::string doc;                          // the message's first line
  std::string longdoc;                      // the whole message
  std::string path;                         // the revision file
  std::string create_date;                  // as written in the header
  bool is_head = false;                     // nothing revises it
  bool is_real_head = false;                // nothing revises or depends on it
  bool is_base = false;                     // revises nothing
  bool is_branch_point = false;             // revised by two or more
  bool is_merge_point = false;              // revises two or more
  bool is_current = false;  // applied in the database (when known)
  std::string phase;        // "expand", "contract" or "" (header "Phase")
};

// Mirrors the switches of Alembic's Script.cmd_format().
struct RETORT_EXPORT FormatOptions {
  bool verbose = false;           // the multi-line "Rev: ..." entry
  bool include_branches = false;  // " (label)" after the id
  bool include_doc = false;       // ", message"
  bool include_parents = false;   // "parents -> id"
  bool tree_indicators = true;    // (branchpoint) (mergepoint)
  bool head_indicators = true;    // (head) (effective head) (current)
};

// One revision as Alembic's command line prints it, e.g.
// "ae1027a6acf -> 27c6a30d7c24 (head), add a column".
RETORT_EXPORT std::string FormatRevision(const RevisionInfo& rev,
                                         const FormatOptions& opts);

}  // namespace retort

#endif  // RETORT_REVISION_INFO_H_
