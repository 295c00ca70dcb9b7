// Importing an Alembic project (`retort import-alembic`): its Python
// revisions become retort revision files with the same ids, parents,
// labels and dependencies, their SQL rendered by Alembic's own operations.
#ifndef RETORT_IMPORT_H_
#define RETORT_IMPORT_H_

#include <map>
#include <string>
#include <vector>

#include "retort/export.h"

namespace retort {

// Options of Migrator::ImportAlembic.
struct RETORT_EXPORT ImportAlembicOptions {
  // An alembic.ini, or an Alembic scripts folder (the one holding env.py
  // and versions/). Required.
  std::string path;
  // The SQL dialect revisions are rendered for: "postgresql" or "sqlite".
  // Default: "" -- sqlite when the configured url is a sqlite: URL,
  // postgresql otherwise.
  std::string dialect;
  // Report what would be written; write nothing. Default: false.
  bool dry_run = false;
  // Also overwrite files edited by hand since the last import.
  // Default: false (they are kept and reported).
  bool force = false;
  // Python processes rendering revisions in parallel. Default: 0 -- one
  // for fewer than 40 revisions, else one per core, at most 4.
  int jobs = 0;
};

// What import-alembic does with one revision.
enum class ImportAction {
  kCreate,     // a new file
  kUpdate,     // an earlier import's file, untouched since, rewritten
  kUnchanged,  // an earlier import's file, already what it would write
  kKeep,       // an earlier import's file edited by hand: left alone
  kOverwrite,  // an earlier import's file edited by hand, --force
};

// A section left for a human: "-- retort: TODO" in the file written.
struct RETORT_EXPORT ImportTodo {
  std::string revision;
  std::string section;  // "upgrade" or "downgrade"
  std::string source;   // the Alembic file:line of the cause
  std::string reason;
  std::string file;  // the retort file holding the TODO
};

// One Alembic revision and its retort file.
struct RETORT_EXPORT ImportedRevision {
  std::string id;
  std::string source;  // the Alembic file
  std::string path;    // the retort file
  ImportAction action = ImportAction::kCreate;
  // The retort file has a TODO section (written now, or kept from before).
  bool todo = false;
  bool uses_schema = false;  // it uses ${schema}
};

// What an import did (or, with dry_run, would do).
struct RETORT_EXPORT ImportAlembicResult {
  std::string alembic_dir;   // the Alembic scripts folder
  std::string versions_dir;  // where the retort files go
  std::string dialect;
  bool dry_run = false;
  std::vector<ImportedRevision> revisions;  // in graph order, bases first
  std::vector<ImportTodo> todos;
  // Files of an earlier import whose revision the Alembic project no
  // longer has (left in place).
  std::vector<std::string> orphans;
  // env.py's schema -> version table mapping (SCHEMA_VERSION_TABLES), and
  // the [schemas.*] sections of retort.toml that match it; empty when
  // env.py has none.
  std::map<std::string, std::string> schema_version_tables;
  std::string schema_mapping_source;  // "alembic/env.py:14 (NAME)"
  std::string schemas_config;
  // Things the user should know: settings env.py makes that retort.toml
  // does not, no mapping found in env.py, ...
  std::vector<std::string> notes;

  size_t Count(ImportAction action) const {
    size_t n = 0;
    for (const auto& r : revisions) n += r.action == action ? 1 : 0;
    return n;
  }
};

}  // namespace retort

#endif  // RETORT_IMPORT_H_
