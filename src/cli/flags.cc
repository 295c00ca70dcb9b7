// Shared flag groups (flags.h).
#include "cli/flags.h"

#include "util/strings.h"

namespace retort {

void ManyFlags::Add(CLI::App* command, bool runs) {
  command->add_flag("--tenants", tenants,
                    "every tenant schema of the [tenants] section");
  command->add_flag("--all-schemas", all_schemas,
                    "every [schemas.NAME] on its own branch, in \"Depends "
                    "On\" order");
  command->add_option("--targets", targets,
                      "servers: all, or NAME[,NAME...] of [targets.NAME] / "
                      "targets_file");
  command
      ->add_option("--jobs", jobs,
                   "connections working in parallel (default: [tenants] "
                   "jobs, 4)")
      ->check(CLI::Range(1, 1000));
  if (!runs) return;
  command
      ->add_option("--canary", canary,
                   "run the first K units first, alone; stop if one fails")
      ->check(CLI::Range(0, 1000000));
  command->add_flag("--continue-on-error", continue_on_error,
                    "keep starting units after one failed");
}

std::string ManyFlags::kind() const {
  return tenants ? "tenants" : all_schemas ? "schemas" : "targets";
}

FanoutOptions ManyFlags::ToOptions() const {
  FanoutOptions o;
  o.tenants = tenants;
  o.all_schemas = all_schemas;
  o.targets = SplitList(targets);
  o.jobs = jobs;
  o.canary = canary;
  o.continue_on_error = continue_on_error;
  return o;
}

void AutogenFlags::Add(CLI::App* command) {
  command
      ->add_option("--from", from,
                   "compare the models with the database (default) or with "
                   "the schema the migrations build in a scratch database")
      ->check(CLI::IsMember({"database", "migrations"}));
  command->add_option(
      "--dev", dev,
      "where scratch databases go: 'ephemeral' (a throwaway PostgreSQL "
      "cluster) or a dev database URL; default: dev_url, else the target's "
      "server (with --from migrations, a throwaway cluster when there is "
      "none)");
  command->add_flag(
      "--online", online,
      "plan each change to take only brief locks (PostgreSQL): concurrent "
      "index builds, NOT VALID + VALIDATE, column swaps; docs/online.md");
}

AutogenOptions AutogenFlags::ToOptions() const {
  AutogenOptions o;
  o.from = from == "migrations" ? AutogenOptions::From::kMigrations
                                : AutogenOptions::From::kDatabase;
  o.dev = dev;
  o.online = online;
  return o;
}

}  // namespace retort
