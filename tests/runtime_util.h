// Helpers for the runtime integration tests: a throwaway migrations folder
// with hand-written revision files, loaded into a ScriptDirectory and a
// RevisionMap, and small readers of database state.
#ifndef RETORT_TESTS_RUNTIME_UTIL_H_
#define RETORT_TESTS_RUNTIME_UTIL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "revision/revision_map.h"
#include "runtime/run.h"
#include "script/script_directory.h"

namespace retort::testing {

// RevisionSpec is one revision file to write.
struct RevisionSpec {
  std::string id;
  std::string revises;  // comma-separated; empty for a base
  std::string upgrade;
  std::string downgrade;
  std::string branch_labels;
  std::string depends_on;
  std::string extra_header;  // e.g. "-- Transactional: false\n"
  std::string message;       // default: "rev <id>"

  RevisionSpec& Labels(std::string labels) {
    branch_labels = std::move(labels);
    return *this;
  }
  RevisionSpec& Header(std::string header) {
    extra_header = std::move(header);
    return *this;
  }
};

// A revision spec from the four fields every test sets.
inline RevisionSpec Rev(std::string id, std::string revises,
                        std::string upgrade, std::string downgrade) {
  RevisionSpec spec;
  spec.id = std::move(id);
  spec.revises = std::move(revises);
  spec.upgrade = std::move(upgrade);
  spec.downgrade = std::move(downgrade);
  return spec;
}

// MigrationProject is a temp folder with migrations/versions; Add() writes
// a revision file, Load() (re)reads the folder into scripts() and map().
class MigrationProject {
 public:
  MigrationProject();
  ~MigrationProject();
  MigrationProject(const MigrationProject&) = delete;
  MigrationProject& operator=(const MigrationProject&) = delete;

  // Writes the file and returns its path.
  std::string Add(const RevisionSpec& spec);
  // Writes a linear chain of `n` revisions with ids f"{i+1:012x}" (as
  // gen_alembic.py does), each creating table t_<i> with gen_alembic.py's
  // statement, or (`portable`) one SQLite accepts too.
  void AddChain(int n, bool portable = false);
  // Reads the folder; records a test failure and returns false on error.
  bool Load();

  const ScriptDirectory& scripts() const { return *scripts_; }
  const RevisionMap& map() const { return map_; }
  const std::string& dir() const { return dir_; }
  std::string PathOf(const std::string& id) const;

  // Run() with the project's scripts and map.
  Result<RunReport> Run(const RunTarget& target, RunRequest::Command command,
                        std::vector<std::string> targets,
                        const RunSettings& settings = {}, bool purge = false,
                        bool offline = false) const;
  Result<RunReport> Upgrade(const RunTarget& target, const std::string& to,
                            const RunSettings& settings = {}) const {
    return Run(target, RunRequest::Command::kUpgrade, {to}, settings);
  }
  Result<RunReport> Downgrade(const RunTarget& target, const std::string& to,
                              const RunSettings& settings = {}) const {
    return Run(target, RunRequest::Command::kDowngrade, {to}, settings);
  }

 private:
  std::string dir_;
  std::unique_ptr<ScriptDirectory> scripts_;
  RevisionMap map_;
};

// The gen_alembic.py revision id of revision i (0-based): "000000000001".
std::string ChainId(int i);

// A fresh SQLite database file path inside `dir`, as a sqlite:/// URL.
std::string SqliteUrl(const std::string& dir, const std::string& name);

// Opens `url` or records a failure and returns null.
std::unique_ptr<Connection> Open(const std::string& url);
// Rows of a query as strings ("<NULL>" for NULL), cells joined by '|'.
std::vector<std::string> Rows(const std::string& url, const std::string& sql);
// The first cell of the first row, or "<none>".
std::string Scalar(const std::string& url, const std::string& sql);
// The version table's rows, sorted.
std::vector<std::string> VersionRows(
    const std::string& url, const std::string& table = "alembic_version");
// Does the table exist (PostgreSQL: to_regclass; SQLite: sqlite_master)?
bool TableExists(const std::string& url, const std::string& name);

// Runs a shell command; returns its exit code, stdout+stderr in *output.
int Shell(const std::string& command, std::string* output);

// The project's Alembic project generator, tests/tools/gen_alembic.py in the
// source tree, or $RETORT_GEN_ALEMBIC when set.
std::string GenAlembicScript();

// A RunTarget for `url` with the default version table.
inline RunTarget Target(const std::string& url) {
  RunTarget target;
  target.url = url;
  return target;
}

// A RunSettings whose log lines are collected in `*lines` ("W: ..." etc.).
RunSettings CollectingSettings(std::vector<std::string>* lines,
                               LogLevel level = LogLevel::kDebug);

}  // namespace retort::testing

#endif  // RETORT_TESTS_RUNTIME_UTIL_H_
