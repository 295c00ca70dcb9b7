// What the command line prints for single-database commands (revisions,
// runs, branches, autogenerate, schemas), as text and as JSON. Pure
// formatting, so every text is tested exactly (output_test.cc); the
// commands decide where it goes. Fan-outs have their own file
// (fanout_output.h).
#ifndef RETORT_CLI_OUTPUT_H_
#define RETORT_CLI_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "retort/migrator.h"
#include "retort/revision_info.h"

namespace retort {

// `value` as the CLI prints JSON: indented by two, a final newline, and
// bytes that are not UTF-8 (a Latin-1 file name or message) replaced by
// U+FFFD instead of aborting.
std::string JsonText(const nlohmann::ordered_json& value);

// One revision as JSON: id, parents, labels, children, message, path,
// create date and the graph flags; "is_current" last when `with_current`
// (history -i, where the database was asked).
nlohmann::ordered_json RevisionJson(const RevisionInfo& revision,
                                    bool with_current = false);

// Revisions as `heads`, `history`, `show`, `current` print them: one
// FormatRevision entry per line, or a JSON array (pretty, with a final
// newline) when `json`; `with_current` as for RevisionJson.
std::string RevisionsOutput(const std::vector<RevisionInfo>& revisions,
                            const FormatOptions& format, bool json,
                            bool with_current = false);

// What upgrade / downgrade / stamp print: the offline SQL as is (nothing
// online), or as JSON the heads before and after, each step and the SQL.
std::string MigrationOutput(const MigrationResult& result, bool json);

// `branches`: each branch point, then " -> child" lines under it, a blank
// line after each; `verbose` prints the branch point's full entry and the
// children's messages.
std::string BranchesText(const std::vector<BranchPoint>& branches,
                         bool verbose);
nlohmann::ordered_json BranchesJson(const std::vector<BranchPoint>& branches);

// `diff --format json`: operations, upgrade and downgrade SQL, the model
// sources read ("models"), the .sql files under the models' folders no
// pattern matched ("unmatched_models"), what the models were compared with
// and where they loaded.
nlohmann::ordered_json DiffJson(const DiffResult& result);

// `check --format json`: "clean" (nothing differs), then DiffJson's
// fields.
nlohmann::ordered_json CheckJson(const DiffResult& result);

// The upgrade SQL as `diff` and `check` print it: an online plan's
// removals follow under a line saying they go in a contract revision.
std::string DiffText(const DiffResult& result);

// `schemas` as text: one line per schema, names aligned.
//   auth       2 tables
//   billing    0 tables  (mentioned only)
std::string ModelSchemasText(const std::vector<ModelSchemaInfo>& schemas);
nlohmann::ordered_json ModelSchemasJson(
    const std::vector<ModelSchemaInfo>& schemas);

// `import-alembic` as text: a line per revision (action and file), the
// counts, the sections left as TODO (Alembic file:line, reason, retort
// file), the [schemas.*] block env.py's mapping asks for, and notes, e.g.
//   Importing alembic (13 revisions, postgresql) into migrations/versions:
//     create     migrations/versions/1975ea83b712_create_account.sql
//   13 revisions: 12 created, 1 unchanged
// `verbose` lists unchanged revisions too.
std::string ImportText(const ImportAlembicResult& result, bool verbose);
// Only the sections left as TODO (what `import-alembic -q` prints); "" when
// there are none.
std::string ImportTodoText(const ImportAlembicResult& result);
nlohmann::ordered_json ImportJson(const ImportAlembicResult& result);

// `list-templates`.
std::string TemplatesText(const std::vector<TemplateInfo>& templates);
// `list-templates --format json`: [{"name", "description"}, ...]
// (docs/json.md).
nlohmann::ordered_json TemplatesJson(const std::vector<TemplateInfo>& templates);

}  // namespace retort

#endif  // RETORT_CLI_OUTPUT_H_
