// Options: what a Migrator is opened with — the command line's global flags,
// or an embedding application's settings.
#ifndef RETORT_OPTIONS_H_
#define RETORT_OPTIONS_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "retort/code_migration.h"
#include "retort/connection.h"
#include "retort/export.h"
#include "retort/migration_set.h"

namespace retort {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Receives log lines (never containing a password); the CLI prints them.
using LogSink = std::function<void(LogLevel, std::string_view)>;

struct RETORT_EXPORT Options {
  // Path of retort.toml; "" for none at all (an embedding application:
  // the defaults and these options; no .env beside it, no DATABASE_URL).
  // Default: "retort.toml" (or $RETORT_CONFIG when set, resolved by the CLI).
  std::string config_path = "retort.toml";
  // The contents of a retort.toml given in memory (settings compiled into
  // the application: lock_timeout, placeholders, schemas, ...), read
  // instead of the file at config_path, which then only names it in
  // messages and anchors its relative paths. ${VAR} reads the environment;
  // no .env is read, and DATABASE_URL only where the text names it.
  // Default: none (config_path is read).
  std::string config_text;
  // Require the config file to exist.
  // Default: false (a missing file means all defaults).
  bool config_must_exist = false;
  // -n/--name: the [env.<name>] section to apply. Default: none.
  std::string name;
  // --url: overrides the configured database URL. Default: none.
  std::string url;
  // A connection the application holds, used in place of the URL by the
  // commands that run on one session (connection.h). Must stay open for
  // the Migrator's life. Default: none.
  BorrowedConnection connection;
  // -x key=value arguments. "schema" and "debug" are honoured by retort
  // itself; all are visible to the config as ${x.key}. Default: none.
  std::map<std::string, std::string> x_args;
  // --schema: the schema to work on (same as -x schema=S). Default: none.
  std::string schema;
  // Revision files compiled into the application (migration_set.h), read
  // in place of the configured migrations folder; commands that write
  // revision files (revision, merge, import-alembic) are then refused.
  // Must outlive the Migrator. Default: none (the folder).
  const MigrationSet* migrations = nullptr;
  // C++ functions run as the sections that say "-- retort: code"
  // (code_migration.h). Default: none.
  std::vector<CodeMigration> code;
  // Where log lines go. Default: nowhere.
  LogSink log;
  // Lowest level passed to `log`. Default: kInfo.
  LogLevel log_level = LogLevel::kInfo;
};

}  // namespace retort

#endif  // RETORT_OPTIONS_H_
