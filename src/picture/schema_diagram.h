// The schema diagram of a catalog: what autogenerate's introspection read
// of a PostgreSQL or SQLite database, as the plain SchemaDiagram the
// pictures draw.
#ifndef RETORT_PICTURE_SCHEMA_DIAGRAM_H_
#define RETORT_PICTURE_SCHEMA_DIAGRAM_H_

#include "catalog/catalog.h"
#include "catalog/sqlite_introspect.h"
#include "retort/pictures.h"

namespace retort {

// Tables (partitions left out: they come with their parent), their
// columns, primary keys and foreign keys (columns read from
// pg_get_constraintdef's text with PostgreSQL's lexer).
SchemaDiagram DiagramOf(const Catalog& catalog);

// Ordinary tables (virtual ones left out), primary keys and foreign keys.
SchemaDiagram DiagramOf(const SqliteSchema& schema);

}  // namespace retort

#endif  // RETORT_PICTURE_SCHEMA_DIAGRAM_H_
