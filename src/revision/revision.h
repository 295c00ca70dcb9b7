// Revision: one node of the revision graph, as declared by a revision file's
// header. The graph never reads files: script/ parses headers into these.
#ifndef RETORT_REVISION_REVISION_H_
#define RETORT_REVISION_REVISION_H_

#include <cstddef>
#include <string>
#include <vector>

namespace retort {

// The longest revision id the version table holds: Alembic's
// version_num is VARCHAR(32), and retort keeps its table unchanged.
inline constexpr size_t kMaxRevisionIdLength = 32;

struct Revision {
  // Inputs, as written in the file's header.
  std::string id;                           // "Revision ID"
  std::vector<std::string> down_revisions;  // "Revises"; 2+ = merge point
  std::vector<std::string> branch_labels;   // "Branch Labels"
  std::vector<std::string> depends_on;  // "Depends On": ids, prefixes, labels

  // Payload the graph carries but never interprets.
  std::string doc;   // the message (first line of the header comment)
  std::string path;  // the file it came from; empty for in-memory graphs
  // 1-based header lines of "Revision ID", "Revises" and "Depends On" in
  // `path` (0 when unknown), so graph errors can say file:line.
  int id_line = 0;
  int revises_line = 0;
  int depends_on_line = 0;
};

}  // namespace retort

#endif  // RETORT_REVISION_REVISION_H_
