// Schema per domain: branches, order and cross-schema checks; see
// schema_set.h.
#include "schemas/schema_set.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "runtime/run_internal.h"
#include "runtime/version_table.h"
#include "util/strings.h"

namespace retort {

RunTarget SchemaEntry::Target(const std::string& url) const {
  RunTarget t;
  t.url = url;
  t.schema = config.name;
  t.version_table = config.version_table;
  t.version_table_schema = config.version_table_schema;
  t.create_schema = config.create;
  return t;
}

VersionTableRef SchemaEntry::Table() const {
  return {config.version_table_schema.empty() ? config.name
                                              : config.version_table_schema,
          config.version_table};
}

namespace {

Result<std::unique_ptr<SchemaEntry>> MakeEntry(const SchemaConfig& config,
                                               const RevisionMap& full) {
  auto entry = std::make_unique<SchemaEntry>();
  entry->config = config;
  if (!config.branch.empty() && full.FindBranchLabel(config.branch)) {
    RETORT_ASSIGN_OR_RETURN(BranchGraph graph,
                            BuildBranchGraph(full, config.branch));
    entry->graph = std::move(graph);
  }
  return entry;
}

std::string Qualified(const VersionTableRef& ref) {
  return VersionTableSql(Dialect::kPostgres, ref.table, ref.schema).qualified();
}

}  // namespace

Result<SchemaSet> SchemaSet::Build(const Config& config,
                                   const RevisionMap& full) {
  SchemaSet set;
  set.full_ = &full;
  for (const auto& [name, sc] : config.schemas) {
    auto entry = MakeEntry(sc, full);
    if (!entry.ok()) {
      return entry.status().WithContext("[schemas." + name + "]");
    }
    set.entries_[name] = std::move(entry).value();
    set.configured_.push_back(name);
  }
  return set;
}

Result<const SchemaEntry*> SchemaSet::Find(const std::string& name) {
  if (auto it = entries_.find(name); it != entries_.end()) {
    return static_cast<const SchemaEntry*>(it->second.get());
  }
  if (!full_->FindBranchLabel(name))
    return static_cast<const SchemaEntry*>(nullptr);
  // The defaults of an unconfigured [schemas.<name>].
  SchemaConfig sc;
  sc.name = name;
  sc.version_table = "alembic_version_" + name;
  sc.branch = name;
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<SchemaEntry> entry,
                          MakeEntry(sc, *full_));
  const SchemaEntry* out = entry.get();
  entries_[name] = std::move(entry);
  return out;
}

const SchemaEntry* SchemaSet::Owner(const std::string& revision) const {
  for (const std::string& name : configured_) {
    const SchemaEntry& e = *entries_.at(name);
    if (e.graph && e.graph->Contains(revision)) return &e;
  }
  for (const auto& [name, e] : entries_) {
    if (e->graph && e->graph->Contains(revision)) return e.get();
  }
  return nullptr;
}

Result<std::vector<std::string>> SchemaSet::Order() const {
  // after[s]: the schemas s must run after.
  std::map<std::string, std::set<std::string>> after;
  for (const std::string& name : configured_) {
    after[name];
    const SchemaEntry& e = *entries_.at(name);
    if (!e.graph) continue;
    for (const auto& [rev, deps] : e.graph->external) {
      for (const std::string& dep : deps) {
        const SchemaEntry* owner = Owner(dep);
        if (owner && owner->config.name != name &&
            entries_.count(owner->config.name) &&
            std::find(configured_.begin(), configured_.end(),
                      owner->config.name) != configured_.end()) {
          after[name].insert(owner->config.name);
        }
      }
    }
  }
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < configured_.size()) {
    bool progress = false;
    for (const std::string& name : configured_) {  // alphabetical
      if (placed.count(name)) continue;
      bool ready = true;
      for (const std::string& dep : after[name])
        if (!placed.count(dep)) ready = false;
      if (!ready) continue;
      order.push_back(name);
      placed.insert(name);
      progress = true;
      break;  // restart: the earliest ready name goes first
    }
    if (!progress) {
      std::vector<std::string> stuck;
      for (const std::string& name : configured_)
        if (!placed.count(name)) stuck.push_back(name);
      return Status::Conflict(
          "the schemas " + Join(stuck, ", ") +
          " depend on each other in a cycle (through \"Depends On\" between "
          "their branches); no order can run them");
    }
  }
  return order;
}

Status SchemaSet::CheckDependencies(Connection& db, const std::string& name,
                                    const RunRequest& request) const {
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second->graph) return Status::OK();
  const SchemaEntry& self = *it->second;
  const BranchGraph& graph = *self.graph;

  // What may need checking: our outside dependencies (upgrade), and the
  // revisions elsewhere that depend on ours (downgrade).
  std::map<std::string, std::vector<std::pair<std::string, const SchemaEntry*>>>
      dependents;  // our revision -> (their revision, their schema)
  for (const auto& [other_name, other] : entries_) {
    if (other.get() == &self || !other->graph) continue;
    for (const auto& [rev, deps] : other->graph->external) {
      for (const std::string& dep : deps) {
        if (graph.Contains(dep)) dependents[dep].push_back({rev, other.get()});
      }
    }
  }
  if (graph.external.empty() && dependents.empty()) return Status::OK();

  // One survey for our table and every table we may consult.
  std::vector<const SchemaEntry*> tables = {&self};
  auto add = [&tables](const SchemaEntry* e) {
    if (e && std::find(tables.begin(), tables.end(), e) == tables.end())
      tables.push_back(e);
  };
  for (const auto& [rev, deps] : graph.external)
    for (const std::string& dep : deps) add(Owner(dep));
  for (const auto& [rev, users] : dependents)
    for (const auto& [their, schema] : users) add(schema);
  std::vector<VersionTableRef> refs;
  for (const SchemaEntry* e : tables) refs.push_back(e->Table());
  RETORT_ASSIGN_OR_RETURN(auto rows, SurveyVersionTables(db, refs));
  auto heads_of = [&](const SchemaEntry* e) {
    size_t i = std::find(tables.begin(), tables.end(), e) - tables.begin();
    return rows[i].value_or(std::vector<std::string>{});
  };
  // Applied in a schema: its heads and everything under them.
  auto applied = [&](const SchemaEntry* e) {
    std::vector<std::string> all = full_->Ancestors(heads_of(e));
    return std::unordered_set<std::string>(all.begin(), all.end());
  };

  RETORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseRequest(request));
  // Phases aside: the whole plan's cross-schema needs are checked.
  auto plan = MakePlan(graph.map, nullptr, request, parsed, heads_of(&self));
  if (!plan.ok()) return Status::OK();  // the run reports it in context
  for (const MigrationStep& step : *plan) {
    if (step.kind != MigrationStep::Kind::kRevision) continue;
    const std::string& id = step.revision->id();
    if (step.is_upgrade) {
      auto ext = graph.external.find(id);
      if (ext == graph.external.end()) continue;
      for (const std::string& dep : ext->second) {
        const SchemaEntry* owner = Owner(dep);
        if (owner == nullptr) {
          return Status::Conflict(
              "revision " + id + " of schema " + name + " depends on " + dep +
              ", which is on no configured schema's branch; give its branch "
              "a [schemas.<name>] section");
        }
        if (!applied(owner).count(dep)) {
          return Status::Conflict(
              "revision " + id + " of schema " + name + " depends on " + dep +
              " of schema " + owner->config.name +
              ", which is not applied in " + Qualified(owner->Table()) +
              "; upgrade " + owner->config.name +
              " first, or run 'retort upgrade heads --all-schemas'");
        }
      }
    } else {
      auto users = dependents.find(id);
      if (users == dependents.end()) continue;
      for (const auto& [their, schema] : users->second) {
        if (applied(schema).count(their)) {
          return Status::Conflict(
              "cannot downgrade revision " + id + " of schema " + name +
              ": revision " + their + " of schema " + schema->config.name +
              " depends on it and is applied in " + Qualified(schema->Table()) +
              "; downgrade " + schema->config.name + " first");
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace retort
