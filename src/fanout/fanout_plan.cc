// Turning --tenants / --all-schemas / --targets into fan-out units; see
// fanout_plan.h.
#include "fanout/fanout_plan.h"

#include <algorithm>
#include <set>

#include "config/vault.h"
#include "dialect/url.h"
#include "util/strings.h"

namespace retort {

namespace {

// Server is one database a fan-out covers.
struct Server {
  std::string name;  // empty: the configured url
  std::string url;   // resolved
};

Result<std::vector<Server>> ResolveServers(const FanoutInputs& in,
                                           const FanoutOptions& options) {
  const Config& config = *in.config;
  std::vector<Server> servers;
  if (options.targets.empty()) {
    if (config.url.empty()) {
      return Status::InvalidArgument(
          "no database URL: set 'url' in " +
          (config.path.empty() ? std::string("retort.toml") : config.path) +
          ", set DATABASE_URL, or pass --url");
    }
    RETORT_ASSIGN_OR_RETURN(std::string url,
                            in.secrets->Resolve(config.url, in.log,
                                                in.log_level));
    servers.push_back({"", url});
    return servers;
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<TargetConfig> known, LoadTargets(config));
  std::vector<std::string> names;
  for (const TargetConfig& t : known) names.push_back(t.name);
  std::vector<const TargetConfig*> chosen;
  if (options.targets.size() == 1 && options.targets[0] == "all") {
    if (known.empty()) {
      return Status::InvalidArgument(
          "--targets all: no targets configured; add [targets.<name>] "
          "sections (url = ...) or targets_file to " +
          (config.path.empty() ? std::string("retort.toml") : config.path));
    }
    for (const TargetConfig& t : known) chosen.push_back(&t);
  } else {
    for (const std::string& name : options.targets) {
      auto it = std::find_if(
          known.begin(), known.end(),
          [&name](const TargetConfig& t) { return t.name == name; });
      if (it == known.end()) {
        return Status::NotFound(
            "unknown target '" + name + "'" + DidYouMean(name, names) +
            (names.empty() ? std::string(" (no targets are configured)")
                           : " (known: " + Join(names, ", ") + ")"));
      }
      if (std::find(chosen.begin(), chosen.end(), &*it) == chosen.end()) {
        chosen.push_back(&*it);
      }
    }
  }
  for (const TargetConfig* t : chosen) {
    auto url = in.secrets->Resolve(t->url, in.log, in.log_level);
    if (!url.ok()) return url.status().WithContext("target '" + t->name + "'");
    servers.push_back({t->name, *url});
  }
  return servers;
}

// The tenants on one database, in the order the source gives them,
// duplicates dropped.
Result<std::vector<std::string>> ListTenants(const TenantsConfig& tenants,
                                             Connection* db) {
  std::vector<std::string> names;
  if (!tenants.schemas.empty()) {
    names = tenants.schemas;
  } else if (!tenants.schemas_query.empty() || !tenants.schemas_like.empty()) {
    if (db == nullptr) {
      return Status::InvalidArgument(
          "--sql cannot run [tenants] schemas_query or schemas_like (there "
          "is no database); list the tenants with schemas = [...]");
    }
    Result<QueryResult> rows =
        !tenants.schemas_query.empty()
            ? db->Query(tenants.schemas_query)
            : db->Query(
                  "SELECT nspname::text FROM pg_catalog.pg_namespace WHERE "
                  "nspname LIKE $1 ORDER BY 1",
                  {tenants.schemas_like});
    const char* source = !tenants.schemas_query.empty()
                             ? "[tenants] schemas_query"
                             : "[tenants] schemas_like";
    if (!rows.ok()) return rows.status().WithContext(source);
    for (const Row& row : rows->rows) {
      if (row.empty() || !row[0] || row[0]->empty()) {
        return Status::InvalidArgument(std::string(source) +
                                       " returned an empty or NULL schema "
                                       "name");
      }
      names.push_back(*row[0]);
    }
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::string& name : names) {
    if (name.empty()) {
      return Status::InvalidArgument("[tenants] schemas: empty schema name");
    }
    if (seen.insert(name).second) out.push_back(std::move(name));
  }
  return out;
}

std::string ReplaceSchema(std::string text, const std::string& schema) {
  for (size_t at = text.find("{schema}"); at != std::string::npos;
       at = text.find("{schema}", at + schema.size())) {
    text.replace(at, 8, schema);
  }
  return text;
}

Status PlanTenants(const FanoutInputs& in, const std::vector<Server>& servers,
                   bool offline, int jobs, ConnectionPool& pool,
                   FanoutPlan* plan) {
  const TenantsConfig& tenants = in.config->tenants;
  if (!tenants.configured) {
    return Status::InvalidArgument(
        "--tenants needs a [tenants] section in " +
        (in.config->path.empty() ? std::string("retort.toml")
                                 : in.config->path) +
        " saying where the tenant list comes from (schemas, schemas_query or "
        "schemas_like)");
  }
  if (tenants.schemas.empty() && tenants.schemas_query.empty() &&
      tenants.schemas_like.empty()) {
    return Status::InvalidArgument(
        "[tenants] lists no tenants: set schemas = [...], schemas_query or "
        "schemas_like");
  }
  const RevisionMap* map = in.full;
  if (!tenants.branch.empty()) {
    auto graph = BuildBranchGraph(*in.full, tenants.branch);
    if (!graph.ok()) return graph.status().WithContext("[tenants] branch");
    if (!graph->external.empty()) {
      const auto& [rev, deps] = *graph->external.begin();
      return Status::InvalidArgument(
          "[tenants] branch '" + tenants.branch + "': revision " + rev +
          " depends on " + Join(deps, ", ") +
          " outside the branch; a tenant's version table can only record "
          "its own branch");
    }
    plan->tenant_graph =
        std::make_unique<BranchGraph>(std::move(graph).value());
    map = &plan->tenant_graph->map;
  }
  for (const Server& server : servers) {
    auto parsed = ParseDatabaseUrl(server.url);
    if (parsed.ok() && parsed->dialect != Dialect::kPostgres) {
      return Status::InvalidArgument(
          "--tenants needs PostgreSQL (a tenant is a schema); " +
          (server.name.empty() ? std::string("the database")
                               : "target '" + server.name + "'") +
          " is " + std::string(DialectName(parsed->dialect)));
    }
  }
  // Listing needs a connection per server (unless the list is written
  // down); servers are listed `jobs` at a time.
  std::vector<Result<std::vector<std::string>>> lists(
      servers.size(), std::vector<std::string>{});
  const bool needs_db = tenants.schemas.empty() && !offline;
  ParallelFor(servers.size(), needs_db ? jobs : 1, [&](size_t s) {
    if (!needs_db) {
      lists[s] = ListTenants(tenants, nullptr);
      return;
    }
    auto db = pool.Take(servers[s].url);
    if (!db.ok()) {
      lists[s] = db.status();
      return;
    }
    lists[s] = ListTenants(tenants, db->get());
    pool.Give(servers[s].url, std::move(db).value());
  });
  for (size_t s = 0; s < servers.size(); ++s) {
    const Server& server = servers[s];
    if (!lists[s].ok()) {
      // One database: the error is the command's. Several: that server
      // fails as a unit, and the others go on as --continue-on-error says.
      if (servers.size() == 1) return lists[s].status();
      FanoutUnit unit;
      unit.target_name = server.name;
      unit.target.url = server.url;
      unit.map = map;
      unit.preset_error = "listing tenants: " + lists[s].status().message();
      plan->units.push_back(std::move(unit));
      continue;
    }
    for (const std::string& tenant : *lists[s]) {
      FanoutUnit unit;
      unit.target_name = server.name;
      unit.schema_name = tenant;
      unit.target.url = server.url;
      unit.target.schema = tenant;
      unit.target.version_table = ReplaceSchema(tenants.version_table, tenant);
      // Always qualified: with a bare name the search_path would find a
      // public.alembic_version for a tenant that has none yet.
      unit.target.version_table_schema = tenants.version_table_schema.empty()
                                             ? tenant
                                             : tenants.version_table_schema;
      unit.target.create_schema = tenants.create;
      unit.map = map;
      plan->units.push_back(std::move(unit));
    }
  }
  return Status::OK();
}

Status PlanSchemas(const FanoutInputs& in, const std::vector<Server>& servers,
                   const RunRequest& request, FanoutPlan* plan) {
  if (in.config->schemas.empty()) {
    return Status::InvalidArgument(
        "--all-schemas: no [schemas.<name>] sections in " +
        (in.config->path.empty() ? std::string("retort.toml")
                                 : in.config->path));
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string> order, in.schemas->Order());
  // Down, a schema goes before the schemas it depends on.
  if (request.command == RunRequest::Command::kDowngrade) {
    std::reverse(order.begin(), order.end());
  }
  std::vector<const SchemaEntry*> entries;
  for (const std::string& name : order) {
    RETORT_ASSIGN_OR_RETURN(const SchemaEntry* entry, in.schemas->Find(name));
    if (!entry->graph) {
      if (in.log && in.log_level <= LogLevel::kInfo) {
        in.log(LogLevel::kInfo,
               "schema " + name + ": no revision has the branch label '" +
                   entry->config.branch +
                   "' yet; skipped (create one with 'retort revision "
                   "--schema " +
                   name + " -m ...')");
      }
      continue;
    }
    entries.push_back(entry);
  }
  SchemaSet* schemas = in.schemas;
  for (const Server& server : servers) {
    for (const SchemaEntry* entry : entries) {
      FanoutUnit unit;
      unit.target_name = server.name;
      unit.schema_name = entry->config.name;
      unit.target = entry->Target(server.url);
      unit.map = &entry->graph->map;
      std::string name = entry->config.name;
      unit.precondition = [schemas, name, request](Connection& db) {
        return schemas->CheckDependencies(db, name, request);
      };
      plan->units.push_back(std::move(unit));
    }
  }
  return Status::OK();
}

}  // namespace

Result<FanoutPlan> PlanFanout(const FanoutInputs& in,
                              const FanoutOptions& options,
                              const RunRequest& request, ConnectionPool& pool) {
  const bool offline = request.offline;
  RETORT_RETURN_IF_ERROR(options.CheckCombination(in.schema));
  if (options.jobs < 0) {
    return Status::InvalidArgument("--jobs must be at least 1");
  }
  if (options.all_schemas && options.jobs > 1) {
    return Status::InvalidArgument(
        "--all-schemas runs one schema at a time, in dependency order; "
        "drop --jobs");
  }
  if (options.all_schemas && options.canary > 0) {
    return Status::InvalidArgument(
        "--all-schemas runs one schema at a time and stops at the first "
        "failure; --canary does not apply");
  }
  const TenantsConfig& tenants = in.config->tenants;
  FanoutPlan plan;
  plan.engine.jobs = options.jobs > 0      ? options.jobs
                     : options.all_schemas ? 1
                                           : tenants.jobs;
  plan.engine.canary = options.canary >= 0 ? options.canary
                       : options.tenants   ? tenants.canary
                                           : 0;
  plan.engine.continue_on_error = options.continue_on_error;
  plan.engine.progress = options.progress;
  RETORT_ASSIGN_OR_RETURN(std::vector<Server> servers,
                          ResolveServers(in, options));
  if (options.tenants) {
    plan.kind = FanoutKind::kTenants;
    RETORT_RETURN_IF_ERROR(
        PlanTenants(in, servers, offline, plan.engine.jobs, pool, &plan));
  } else if (options.all_schemas) {
    plan.kind = FanoutKind::kSchemas;
    RETORT_RETURN_IF_ERROR(PlanSchemas(in, servers, request, &plan));
  } else {
    plan.kind = FanoutKind::kTargets;
    for (const Server& server : servers) {
      FanoutUnit unit;
      unit.target_name = server.name;
      unit.schema_name = in.schema;
      unit.target = in.base_target;
      unit.target.url = server.url;
      unit.map = in.base_map;
      unit.precondition = in.base_precondition;
      plan.units.push_back(std::move(unit));
    }
  }
  return plan;
}

}  // namespace retort
