// SchemaSet: schema per domain. Each configured [schemas.<name>] (and any
// schema named with --schema whose branch label exists) is one branch of
// the revision graph with its own version table. This file knows which
// revisions each schema owns, the order --all-schemas runs them in, and
// the "Depends On" edges between them, which become checks against the
// other schema's version table instead of steps of this schema's plan.
#ifndef RETORT_SCHEMAS_SCHEMA_SET_H_
#define RETORT_SCHEMAS_SCHEMA_SET_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "dialect/dialect.h"
#include "retort/status.h"
#include "revision/revision_map.h"
#include "revision/subgraph.h"
#include "runtime/run.h"
#include "runtime/version_survey.h"

namespace retort {

// SchemaEntry is one schema: its settings and, when its branch label
// exists in the graph, the branch as a graph of its own.
struct SchemaEntry {
  SchemaConfig config;
  // nullopt: no revision carries the branch label (yet).
  std::optional<BranchGraph> graph;

  // The run target for `url`: the version table, search_path, CREATE
  // SCHEMA, as `--schema <name>` has always set them.
  RunTarget Target(const std::string& url) const;
  VersionTableRef Table() const;
};

class SchemaSet {
 public:
  // The configured schemas over `full`, which must outlive the set.
  static Result<SchemaSet> Build(const Config& config, const RevisionMap& full);

  SchemaSet(SchemaSet&&) = default;
  SchemaSet& operator=(SchemaSet&&) = default;

  // The entry for `name`: configured, or (for --schema on an unconfigured
  // schema) made with the defaults when its branch label exists. nullptr
  // when the schema is neither.
  Result<const SchemaEntry*> Find(const std::string& name);

  // Configured schema names, each after the schemas it depends on
  // (alphabetical among equals). A cycle is an error naming it.
  Result<std::vector<std::string>> Order() const;

  // Checks, on `db`, that running `request` on schema `name` respects the
  // other schemas: every revision it will upgrade to has its "Depends On"
  // revisions applied in their own schema's version table, and nothing it
  // will downgrade is still needed by a revision applied elsewhere.
  Status CheckDependencies(Connection& db, const std::string& name,
                           const RunRequest& request) const;

 private:
  SchemaSet() = default;
  // The schema whose branch holds `revision`; nullptr when none does.
  const SchemaEntry* Owner(const std::string& revision) const;

  const RevisionMap* full_ = nullptr;
  // Stable addresses: Find() hands out pointers.
  std::map<std::string, std::unique_ptr<SchemaEntry>> entries_;
  std::vector<std::string> configured_;
};

}  // namespace retort

#endif  // RETORT_SCHEMAS_SCHEMA_SET_H_
