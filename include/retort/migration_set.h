// Revision files compiled into an application, used by a Migrator in
// place of the migrations folder (Options::migrations). The CMake function
// retort_embed_migrations(<target> DIRECTORY <folder> [NAME <name>]) makes
// one from a folder at build time -- changing a file rebuilds it -- and
// declares its accessor in <retort_embedded/<name>.h>:
//
//   #include <retort_embedded/app.h>
//   retort::Options options;
//   options.url = "sqlite:///app.db";
//   options.migrations = &retort::embedded::app();
//
// Plain data, so that the generated set needs no constructor at start-up.
#ifndef RETORT_MIGRATION_SET_H_
#define RETORT_MIGRATION_SET_H_

#include <cstddef>

#include "retort/export.h"

namespace retort {

// One file of the folder.
struct RETORT_EXPORT MigrationFile {
  // Its path relative to the embedded folder: "versions/1a2b_users.sql".
  const char* name;
  // Its bytes (not NUL-terminated as far as retort is concerned: `size`
  // counts).
  const char* text;
  size_t size;
};

// The files of one embedded folder. Files not ending in ".sql", and those
// in hidden folders, are ignored, as in a migrations folder.
struct RETORT_EXPORT MigrationSet {
  // The NAME given to retort_embed_migrations: errors name files
  // "embedded:<name>/<file name>".
  const char* name;
  const MigrationFile* files;
  size_t count;
};

}  // namespace retort

#endif  // RETORT_MIGRATION_SET_H_
