// What `--schema S` / `-x schema=S` may name, checked before a command
// touches a version table. A typo must never run every revision again into
// another schema's (or public's) version table, and a project that keeps a
// version table per schema must never fall back to the default one:
//   - with [schemas.*] sections, S must be one of them, and a command that
//     reads or writes a version table needs one (or --all-schemas);
//   - without them, S must be a [tenants] schema, the label of a branch of
//     the graph (whose first revision creates it, as the seeds' do), or a
//     schema that exists in the database.
#ifndef RETORT_SCHEMAS_SCHEMA_CHOICE_H_
#define RETORT_SCHEMAS_SCHEMA_CHOICE_H_

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// SchemaChoice is one command's use of --schema.
struct SchemaChoice {
  const Config* config = nullptr;
  const RevisionMap* map = nullptr;  // the whole graph
  std::string schema;                // "" when none was given
  // What the command does, for messages: "upgrade", "current", ...
  std::string command;
  // The command may run over every schema instead (--all-schemas).
  bool all_schemas_possible = true;
  // The command reads the revision graph only (heads, history): S must
  // name a branch, and without S it shows the whole graph.
  bool graph_only = false;
  // The schemas of the database, when the command reaches one; unset
  // offline (a schema then has to be declared in the project).
  std::function<Result<std::vector<std::string>>()> database_schemas;
};

// OK when the choice is valid; otherwise InvalidArgument saying what S
// could be, with "did you mean".
Status CheckSchemaChoice(const SchemaChoice& choice);

}  // namespace retort

#endif  // RETORT_SCHEMAS_SCHEMA_CHOICE_H_
