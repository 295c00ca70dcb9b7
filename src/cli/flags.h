// Flag groups several commands share: the fan-out flags of upgrade,
// downgrade and current, and the autogenerate flags of diff, check and
// revision --autogenerate.
#ifndef RETORT_CLI_FLAGS_H_
#define RETORT_CLI_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "retort/fanout.h"
#include "retort/migrator.h"

namespace retort {

// ManyFlags: --tenants, --all-schemas, --targets, --jobs, and for commands
// that run migrations --canary and --continue-on-error.
struct ManyFlags {
  bool tenants = false;
  bool all_schemas = false;
  std::string targets;
  int jobs = 0;
  int canary = -1;
  bool continue_on_error = false;

  // Declares the flags on `command`; `runs` adds the two that only make
  // sense when migrations run.
  void Add(CLI::App* command, bool runs);
  // Any of --tenants, --all-schemas, --targets given.
  bool any() const { return tenants || all_schemas || !targets.empty(); }
  // "tenants", "schemas" or "targets", for messages.
  std::string kind() const;
  FanoutOptions ToOptions() const;
};

// AutogenFlags: --from database|migrations and --dev ephemeral|URL.
struct AutogenFlags {
  std::string from;
  std::string dev;
  bool online = false;

  void Add(CLI::App* command);
  bool any() const { return !from.empty() || !dev.empty() || online; }
  // As the API's options ("" = from the database).
  AutogenOptions ToOptions() const;
};

}  // namespace retort

#endif  // RETORT_CLI_FLAGS_H_
