// ScriptDirectory: the migrations folder on disk. Finds the revision files in
// the version locations and reads their headers, fast enough that `heads` on
// 10,000 files stays well under 50 ms; bodies are read only when asked for.
#ifndef RETORT_SCRIPT_SCRIPT_DIRECTORY_H_
#define RETORT_SCRIPT_SCRIPT_DIRECTORY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "retort/migration_set.h"
#include "retort/status.h"
#include "revision/revision.h"
#include "script/revision_file.h"

namespace retort {

// Where to look for revision files; the same keys as Alembic's [alembic]
// section, so a retort.toml reads like an alembic.ini.
struct ScriptDirectoryOptions {
  // Folder holding script.sql.tmpl and, by default, versions/.
  // Default: "migrations".
  std::string script_location = "migrations";
  // Folders scanned for revision files, as configured (relative paths are
  // relative to the working directory). Default: empty, which means
  // <script_location>/versions.
  std::vector<std::string> version_locations;
  // Scan the version locations' subfolders too. Default: false.
  bool recursive_version_locations = false;
  // Threads reading headers. Default: 0, meaning min(4, hardware threads).
  int threads = 0;
  // Revision files compiled into the application: read instead of the
  // folders (script_location is not looked at). Must outlive the
  // ScriptDirectory. Default: none.
  const MigrationSet* embedded = nullptr;
};

// What the last Load() did, for benchmarks and `-v` output.
struct ScanStats {
  size_t files = 0;            // revision files parsed
  size_t full_reads = 0;       // files whose header did not fit the first read
  size_t cache_hits = 0;       // headers taken from the header cache
  bool cache_written = false;  // the header cache file was rewritten
  double list_ms = 0;          // listing the folders
  double read_ms = 0;          // reading and parsing headers (all threads)
};

// ScriptDirectory owns the migrations folder: the template path, the version
// locations, and the headers of every revision file in them. It validates
// what is visible in the files (format, the same id in two files); the graph
// (RevisionMap) validates parents and cycles.
class ScriptDirectory {
 public:
  // Checks that the script location exists; reads nothing else.
  static Result<ScriptDirectory> Open(ScriptDirectoryOptions options);

  // Lists the version locations and parses the header of every "*.sql" file
  // (hidden files and folders are skipped; locations that do not exist are
  // skipped, as in Alembic). Reads the first 4 KB of each file, more only
  // for longer headers. On error nothing is kept and the first error in path
  // order is returned. Unchanged files' headers come from the header cache
  // (header_cache.h) when it is on; errors are the same either way.
  Status Load();

  // The parsed headers, sorted by path; empty until Load().
  const std::vector<RevisionFile>& files() const { return files_; }
  // The revisions alone, in the same order, for RevisionMap::Build().
  std::vector<Revision> Revisions() const;
  // The file declaring `id` exactly, or nullptr.
  const RevisionFile* Find(std::string_view id) const;

  // Reads a revision's file and parses its upgrade and downgrade sections.
  Result<RevisionSections> ReadSections(const Revision& revision) const;
  // The embedded text of the file at `path`; nullptr when the revisions
  // come from folders.
  const std::string_view* EmbeddedText(const std::string& path) const;
  // TextChecksum (checksum.h) of the file at `path`: its embedded text,
  // else the file on disk.
  Result<std::string> Checksum(const std::string& path) const;

  // The folder a new revision goes to, following Alembic's rules: the given
  // --version-path, which must be one of the version locations; else the
  // only version location; else, with several, the folder of the first of
  // `head_paths` (the files of the revisions the new one revises).
  Result<std::string> VersionPathFor(
      const std::optional<std::string>& version_path,
      const std::vector<std::string>& head_paths) const;

  const std::string& script_location() const {
    return options_.script_location;
  }
  // The effective version locations, as configured.
  const std::vector<std::string>& version_locations() const {
    return locations_;
  }
  // <script_location>/script.sql.tmpl
  std::string template_path() const;
  const ScanStats& stats() const { return stats_; }

 private:
  explicit ScriptDirectory(ScriptDirectoryOptions options);
  // Load() from options_.embedded.
  Status LoadEmbedded();
  // Takes the parsed files (sorted by path) once every id is checked.
  Status Index(std::vector<RevisionFile> files);

  ScriptDirectoryOptions options_;
  std::vector<std::string> locations_;
  std::vector<RevisionFile> files_;
  std::unordered_map<std::string, size_t> by_id_;
  // options_.embedded's texts, by path.
  std::unordered_map<std::string, std::string_view> embedded_;
  ScanStats stats_;
};

// Reads a whole file. NotFound when it does not exist, IOError otherwise;
// messages are "path: what".
Result<std::string> ReadFile(const std::string& path);

// The SHA-256 of a file's bytes as 64 lower-case hex characters: the
// checksum the history table records and `verify` compares.
Result<std::string> FileSha256Hex(const std::string& path);

}  // namespace retort

#endif  // RETORT_SCRIPT_SCRIPT_DIRECTORY_H_
