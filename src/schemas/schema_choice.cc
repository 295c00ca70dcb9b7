// CheckSchemaChoice; see schema_choice.h.
#include "schemas/schema_choice.h"

#include <algorithm>

#include "util/strings.h"

namespace retort {
namespace {

std::vector<std::string> ConfiguredSchemas(const Config& config) {
  std::vector<std::string> out;
  for (const auto& [name, schema] : config.schemas) out.push_back(name);
  return out;
}

std::string ConfigName(const Config& config) {
  return config.path.empty() ? std::string("retort.toml") : config.path;
}

}  // namespace

Status CheckSchemaChoice(const SchemaChoice& c) {
  const Config& config = *c.config;
  const std::vector<std::string> configured = ConfiguredSchemas(config);
  if (!configured.empty()) {
    const std::string list = Join(configured, ", ") +
                             ": the [schemas.*] sections of " +
                             ConfigName(config);
    if (c.schema.empty() && c.graph_only) return Status::OK();
    if (c.schema.empty()) {
      return Status::InvalidArgument(
          c.command + ": this project keeps a version table per schema (" +
          list + "); name one with --schema " + configured.front() +
          " (or -x schema=" + configured.front() + ")" +
          (c.all_schemas_possible ? ", or run them all with --all-schemas"
                                  : ""));
    }
    if (config.schemas.count(c.schema)) return Status::OK();
    return Status::InvalidArgument(
        "--schema " + c.schema + ": not a schema of this project (" + list +
        "); to add it, add a [schemas." + c.schema + "] section" +
        DidYouMean(c.schema, configured));
  }
  if (c.schema.empty()) return Status::OK();
  const auto& tenants = config.tenants.schemas;
  if (std::find(tenants.begin(), tenants.end(), c.schema) != tenants.end()) {
    return Status::OK();
  }
  if (c.map != nullptr && c.map->FindBranchLabel(c.schema) != nullptr) {
    return Status::OK();
  }
  std::vector<std::string> known = tenants;
  if (c.map != nullptr) {
    for (const RevisionNode& node : c.map->nodes()) {
      for (const std::string& label : node.revision.branch_labels)
        known.push_back(label);
    }
  }
  if (c.graph_only) {
    return Status::InvalidArgument(
        "--schema " + c.schema + ": " + c.command +
        " shows a schema's branch, and this project has no branch " + c.schema +
        " (no [schemas." + c.schema +
        "] section, [tenants] schema or branch label of that name)" +
        DidYouMean(c.schema, known));
  }
  if (!c.database_schemas) {
    return Status::InvalidArgument(
        "--schema " + c.schema +
        ": retort cannot see the database's schemas offline, and it is "
        "neither a [tenants] schema nor a branch label of this project; "
        "declare it with a [schemas." +
        c.schema + "] section of " + ConfigName(config) +
        DidYouMean(c.schema, known));
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> existing,
                          c.database_schemas());
  if (std::find(existing.begin(), existing.end(), c.schema) != existing.end()) {
    return Status::OK();
  }
  known.insert(known.end(), existing.begin(), existing.end());
  return Status::InvalidArgument(
      "--schema " + c.schema + ": no schema " + c.schema +
      " in the database, and it is neither a [tenants] schema nor a branch "
      "label of this project (a new schema's first revision carries its "
      "name as branch label; or declare it with a [schemas." +
      c.schema + "] section)" + DidYouMean(c.schema, known));
}

}  // namespace retort
