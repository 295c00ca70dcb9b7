// Pictures of a project: the revision graph drawn for a terminal (as
// `git log --graph` draws commits), as Graphviz dot and as mermaid, and
// the tables of a schema as an entity-relationship diagram. Pure
// functions of plain data: the caller reads the graph (Migrator::History)
// or the catalog (Migrator::SchemaDiagram) and chooses where text goes.
#ifndef RETORT_PICTURES_H_
#define RETORT_PICTURES_H_

#include <string>
#include <vector>

#include "retort/export.h"
#include "retort/revision_info.h"

namespace retort {

// What a drawing of the revision graph shows.
struct RETORT_EXPORT GraphPictureOptions {
  // ANSI colours (ids, labels, head and current marks). The caller decides
  // (a terminal, NO_COLOR unset). Only the terminal drawing uses it.
  // Default: false.
  bool color = false;
  // Mark the revisions whose `is_current` is set (the database's). Default:
  // false.
  bool mark_current = false;
  // A title for dot and mermaid (e.g. the schema). Default: none.
  std::string title;
};

// The revisions drawn one per line, newest first, with the lines between
// them as `git log --graph` draws them:
//   * e0b2a2c1d3f4 (head) (mergepoint) merge auth and shop
//   |\   <- a lane for the merge's second parent
//   | * 5c7d8e9f0a1b (auth) add users.email
//   * | 8a9b0c1d2e3f add orders
//   |/
//   * 1975ea83b712 (branchpoint) create account
// `revisions` must be in an order where every revision comes before its
// parents (History's order); parents not among them are not drawn (a
// range). Each line ends with '\n'; depends-on is written after the
// message ("[depends on a1b2c3]").
RETORT_EXPORT std::string RevisionGraphText(
    const std::vector<RevisionInfo>& revisions,
    const GraphPictureOptions& options = {});

// The graph as a Graphviz digraph: a node per revision (id and message),
// an edge from each parent to its child, dashed edges for Depends On,
// heads drawn bold, branch labels in the node, current revisions filled.
// Parents not among `revisions` are not drawn.
RETORT_EXPORT std::string RevisionGraphDot(
    const std::vector<RevisionInfo>& revisions,
    const GraphPictureOptions& options = {});

// The graph as a mermaid flowchart (top to bottom), the same content as
// RevisionGraphDot: `A --> B` for parents, `A -.-> B` for Depends On,
// class `head` / `current` on those nodes.
RETORT_EXPORT std::string RevisionGraphMermaid(
    const std::vector<RevisionInfo>& revisions,
    const GraphPictureOptions& options = {});

}  // namespace retort

#endif  // RETORT_PICTURES_H_
