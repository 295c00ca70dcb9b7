// `retort lint` over a project: which revisions to lint (the ones named,
// the pending ones, or all), in graph order with what earlier revisions
// created carried forward, and, when the database answers, the live
// catalog and the tables' sizes to rank the findings by.
#ifndef RETORT_LINT_LINT_RUN_H_
#define RETORT_LINT_LINT_RUN_H_

#include <map>
#include <string>
#include <vector>

#include "retort/lint.h"
#include "retort/status.h"
#include "revision/revision_map.h"
#include "runtime/run.h"
#include "script/script_directory.h"

namespace retort {

// What LintProject needs from the Migrator.
struct LintProjectInputs {
  const ScriptDirectory* scripts = nullptr;
  // The graph linted: the whole project, or --schema's branch.
  const RevisionMap* map = nullptr;
  LintOptions options;
  // The database (url resolved) and the settings a run would use; an empty
  // url: no database. `url_error` says why there is none, when it failed.
  RunTarget target;
  RunSettings settings;
  std::string url_error;
  // Placeholder values, as a run substitutes them.
  std::map<std::string, std::string> placeholders;
  // lock_timeout as configured, and the config file's name for messages.
  std::string lock_timeout;
  std::string config_name = "retort.toml";
};

Result<LintResult> LintProject(const LintProjectInputs& in);

}  // namespace retort

#endif  // RETORT_LINT_LINT_RUN_H_
