// From FanoutOptions and retort.toml to the units of a fan-out: which
// servers (--targets), which schemas on each (--tenants lists them per
// server; --all-schemas takes the configured ones in dependency order),
// which graph each unit plans on, and how many run at once.
#ifndef RETORT_FANOUT_FANOUT_PLAN_H_
#define RETORT_FANOUT_FANOUT_PLAN_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "schemas/schema_set.h"
#include "config/config.h"
#include "fanout/fanout.h"
#include "retort/fanout.h"
#include "retort/options.h"
#include "retort/status.h"
#include "revision/subgraph.h"
#include "config/vault.h"
#include "runtime/run.h"

namespace retort {

// FanoutInputs are what the Migrator knows when a fan-out starts.
struct FanoutInputs {
  const Config* config = nullptr;
  const RevisionMap* full = nullptr;
  SchemaSet* schemas = nullptr;
  // --schema, for a --targets run without --tenants / --all-schemas.
  std::string schema;
  // The unit of a plain --targets run: its target (url replaced per
  // server), graph and precondition, as a single-database run would use.
  RunTarget base_target;
  const RevisionMap* base_map = nullptr;
  std::function<Status(Connection&)> base_precondition;
  LogSink log;
  LogLevel log_level = LogLevel::kInfo;
  // The Migrator's resolver of vault: references (its .env).
  SecretResolver* secrets = nullptr;
};

// FanoutPlan is a fan-out ready to run.
struct FanoutPlan {
  FanoutKind kind = FanoutKind::kTenants;
  std::vector<FanoutUnit> units;
  EngineOptions engine;
  // The [tenants] branch, when one is set (units point into it).
  std::unique_ptr<BranchGraph> tenant_graph;
};

// Builds the units that run `request` for `options`. Listing tenants
// (schemas_query, schemas_like) connects to each server through `pool`.
// Offline (request.offline) nothing connects: tenants must be listed with
// `schemas = [...]`.
Result<FanoutPlan> PlanFanout(const FanoutInputs& inputs,
                              const FanoutOptions& options,
                              const RunRequest& request, ConnectionPool& pool);

}  // namespace retort

#endif  // RETORT_FANOUT_FANOUT_PLAN_H_
