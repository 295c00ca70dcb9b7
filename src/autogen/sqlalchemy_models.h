// SQLAlchemy models as a model source: an entry "sqlalchemy:<module>:<attr>"
// of the models setting names a SQLAlchemy MetaData (or anything with a
// .metadata, such as a declarative Base). Python runs SQLAlchemy's own
// create_all() on a mock engine of the target's dialect
// (src/autogen/sqlalchemy_models.py, embedded), and the DDL it emits becomes
// a ModelFile named after the entry, which then goes through exactly the
// pipeline of a SQL model file (scan, normalise or scratch load, caches,
// filters, `retort schemas`).
//
// The DDL cache: an unchanged model set starts no Python. One file per
// entry (a "slot" named after the project folder, the entry and the
// dialect) in retort's cache folder (RetortCacheDir; RETORT_CACHE=off
// disables it), in the model cache's frame (model_cache.h, kind 3:
// header, payload, trailing checksum, atomic replacement; a damaged,
// truncated or other-version file is a miss, a failed write is dropped):
//
//   sqlalchemy-<16 hex>.ddl
//     payload  str ddl
//              | u32 file count | (str path | u8 how | str sha256
//                | i64 size | i64 mtime_ns)*     how: 1 content, 2 stamp
//              | u32 folder count | (str path | list names)*
//
// Its key (SHA-256) covers what decides, before Python runs, which code
// would be imported and how it would run: retort's version, the embedded
// script's text, the entry, the dialect, the project folder and the
// python_path folders, $PYTHONPATH, and the interpreter -- the path it is
// found at (PATH looked up as posix_spawnp does, so a virtualenv's
// bin/python is not confused with the system interpreter it links to),
// its resolved path and that file's size, mtime and inode. The payload
// then lists what the emission depended on, as the worker reported it,
// and a hit needs every item to be as it was:
//  - every module file loaded in the interpreter: files under the project
//    folder or a python_path folder by the SHA-256 of their bytes (so a
//    `git checkout` that only touches them is still a hit), the others --
//    the standard library, SQLAlchemy (an upgrade rewrites its files),
//    other installed packages -- by size and mtime;
//  - the importable names (*.py files and folders) of the project folder,
//    the python_path folders and every folder holding a project module, so
//    a new module there (one a package discovers by listing its folder, or
//    one that would shadow another) is a miss.
// Not covered, by design: what model code reads besides modules
// (environment variables, data files); an interpreter wrapper (a pyenv
// shim) that picks another Python without changing itself. RETORT_CACHE=off
// or removing the file forces a fresh emission.
#ifndef RETORT_AUTOGEN_SQLALCHEMY_MODELS_H_
#define RETORT_AUTOGEN_SQLALCHEMY_MODELS_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "autogen/model_scan.h"
#include "python/python_worker.h"
#include "retort/options.h"
#include "retort/status.h"

namespace retort {

// The prefix of a SQLAlchemy entry in the models setting.
inline constexpr std::string_view kSqlalchemyEntryPrefix = "sqlalchemy:";

// Whether a models entry names SQLAlchemy models (starts with
// "sqlalchemy:"), not a glob of SQL files.
bool IsSqlalchemyEntry(std::string_view entry);

// Checks an entry's shape: "sqlalchemy:<module>:<attribute path>", the
// module a dotted name, the path dotted attribute names. The message says
// what is expected: "sqlalchemy:app.models: expected
// sqlalchemy:<module>:<attribute>, e.g. sqlalchemy:app.models:Base.metadata".
Status CheckSqlalchemyEntry(std::string_view entry);

// SqlalchemyModelsOptions say how the DDL is made.
struct SqlalchemyModelsOptions {
  // The interpreter and where it was chosen, for messages. Its python_path
  // and cwd are set from the fields below. Default: "python3" on PATH.
  PythonCommand python;
  // The folder of retort.toml, absolute: modules are imported from it
  // first, and Python runs in it. Required.
  std::string project_dir;
  // More folders modules are imported from, after project_dir, absolute.
  // Default: none.
  std::vector<std::string> python_path;
  // The SQLAlchemy dialect of the target: "postgresql" or "sqlite".
  // Default: "postgresql".
  std::string dialect = "postgresql";
  // How long Python may take to start and import SQLAlchemy, and then to
  // import the models and emit one entry's DDL. Default: 120 s each.
  std::chrono::milliseconds timeout{120000};
  // Where progress goes (-v: cache hits, emission times). Default: nowhere.
  LogSink log;
  LogLevel log_level = LogLevel::kInfo;
};

// SqlalchemyModelsStats say what EmitSqlalchemyModels did.
struct SqlalchemyModelsStats {
  // Entries served by the DDL cache, and emitted by Python.
  int cache_hits = 0;
  int emitted = 0;
  // Whether Python was started at all, and the wall time from its start
  // to the last entry's answer.
  bool python_started = false;
  double python_seconds = 0;
};

// The DDL of each entry (as written in the models setting, "sqlalchemy:"
// included), in order, as ModelFiles named after the entry: a comment line
// naming the SQLAlchemy version, then one statement per create_all step
// (CREATE SCHEMA IF NOT EXISTS first on PostgreSQL), ';'-terminated. Served
// from the DDL cache when nothing it depends on changed; otherwise one
// Python process emits every missing entry. Errors: the entry's shape, the
// interpreter (not found, no SQLAlchemy: PythonMissingModule, too old),
// and the project's own (see sqlalchemy_models.py: "app/models.py:14:
// NameError: ...", "sqlalchemy:app.models:Base.metadata: no module named
// 'app' (looked in ...); set python_path in retort.toml", a missing
// attribute, something that is not a MetaData).
Result<std::vector<ModelFile>> EmitSqlalchemyModels(
    const std::vector<std::string>& entries,
    const SqlalchemyModelsOptions& options,
    SqlalchemyModelsStats* stats = nullptr);

}  // namespace retort

#endif  // RETORT_AUTOGEN_SQLALCHEMY_MODELS_H_
