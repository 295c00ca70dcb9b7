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

// A schema as an entity-relationship diagram shows it: tables, their
// columns, and the foreign keys between them.
struct RETORT_EXPORT DiagramColumn {
  std::string name;
  std::string type;  // as the database prints it: "character varying(80)"
  bool primary_key = false;
  bool foreign_key = false;  // part of some foreign key of the table
  bool not_null = false;
};

struct RETORT_EXPORT DiagramTable {
  std::string schema;  // "" for SQLite
  std::string name;
  std::vector<DiagramColumn> columns;  // in the table's order
};

struct RETORT_EXPORT DiagramForeignKey {
  std::string name;  // the constraint's name; "" when it has none (SQLite)
  std::string schema, table;  // the referencing table
  std::vector<std::string> columns;
  std::string referenced_schema, referenced_table;
  std::vector<std::string> referenced_columns;  // empty: its primary key
};

struct RETORT_EXPORT SchemaDiagram {
  std::vector<DiagramTable> tables;  // sorted by schema, then name
  std::vector<DiagramForeignKey> foreign_keys;
};

// What a schema diagram shows.
struct RETORT_EXPORT DiagramPictureOptions {
  // Every column, not only the key columns (primary and foreign keys).
  // Default: false.
  bool all_columns = false;
  // A title (e.g. where the schema came from). Default: none.
  std::string title;
};

// The diagram as a Graphviz digraph: a table per node (an HTML-like label
// listing the columns, keys marked), a cluster per schema when there are
// several, an edge per foreign key from the referencing column to the
// referenced one.
RETORT_EXPORT std::string SchemaDiagramDot(
    const SchemaDiagram& diagram, const DiagramPictureOptions& options = {});

// The diagram as a mermaid erDiagram: an entity per table (named
// schema_table when there are several schemas; characters mermaid does not
// allow become '_'), attributes with PK / FK, and a many-to-one
// relationship per foreign key labelled with its columns.
RETORT_EXPORT std::string SchemaDiagramMermaid(
    const SchemaDiagram& diagram, const DiagramPictureOptions& options = {});

}  // namespace retort

#endif  // RETORT_PICTURES_H_
