// import-alembic: an Alembic project's Python revisions become retort
// revision files with the same ids.
//
// The Python side (alembic_worker.py, embedded) reads each revision's
// header statically (ast: nothing of the project runs for a header) and
// renders upgrade()/downgrade() with Alembic's own operations in offline
// mode, one revision at a time, in a few long-lived worker processes. This
// side lists the work, builds the revision graph to check it, re-renders
// SQLite batch operations on a scratch database when Alembic cannot render
// them offline, composes each file (imported_file.h), decides per revision
// whether to create, update, keep (edited by hand) or leave it, and writes.
// The project's env.py is never run.
#ifndef RETORT_IMPORTER_ALEMBIC_IMPORT_H_
#define RETORT_IMPORTER_ALEMBIC_IMPORT_H_

#include <map>
#include <string>

#include "config/config.h"
#include "python/python_worker.h"
#include "retort/import.h"
#include "retort/options.h"
#include "retort/status.h"

namespace retort {

// AlembicImportContext is the retort project an import writes into.
struct AlembicImportContext {
  const Config* config = nullptr;  // its retort.toml
  PythonCommand python;            // the interpreter with alembic
  // -x arguments for the revisions' context.get_x_argument(); "schema" is
  // always the sentinel.
  std::map<std::string, std::string> x_args;
  LogSink log;
  LogLevel log_level = LogLevel::kInfo;
};

// Imports (or, with options.dry_run, plans) the Alembic project at
// options.path into context.config's versions folder. Errors (nothing is
// written): no Alembic installed, not an Alembic project, a revision header
// retort cannot read statically (every one listed with file:line), a
// broken graph, a file of the retort project declaring one of the ids
// that import-alembic did not write.
Result<ImportAlembicResult> ImportAlembicProject(
    const ImportAlembicOptions& options, const AlembicImportContext& context);

}  // namespace retort

#endif  // RETORT_IMPORTER_ALEMBIC_IMPORT_H_
