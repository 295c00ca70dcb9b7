// Helpers for end-to-end tests of the retort binary: a temporary project
// folder and a way to run the binary in it and capture what it prints.
#ifndef RETORT_TESTS_CLI_UTIL_H_
#define RETORT_TESTS_CLI_UTIL_H_

#include <map>
#include <string>
#include <vector>

namespace retort::testing {

// CliResult is what one run of the binary left behind.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// TempProject is a fresh folder, removed when the object dies.
class TempProject {
 public:
  TempProject();
  ~TempProject();
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;

  const std::string& dir() const { return dir_; }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }

  // Runs build/retort with `args` in dir(), with extra environment `env`.
  CliResult Run(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {}) const;

  // Starts the binary without waiting; Wait() collects it. For tests that
  // run several retort processes at once.
  int Spawn(const std::vector<std::string>& args, int index,
            const std::map<std::string, std::string>& env = {}) const;
  CliResult Wait(int pid, int index) const;

  void WriteFile(const std::string& rel, const std::string& text) const;
  std::string ReadFile(const std::string& rel) const;
  // Names of the files in a folder of the project, sorted.
  std::vector<std::string> List(const std::string& rel) const;

 private:
  std::string dir_;
};

// Writes a revision file by hand, as a user (or another tool) would.
void WriteRevision(const TempProject& p, const std::string& id,
                   const std::string& revises, const std::string& labels = "",
                   const std::string& depends_on = "",
                   const std::string& upgrade = "",
                   const std::string& downgrade = "",
                   const std::string& message = "");

}  // namespace retort::testing

#endif  // RETORT_TESTS_CLI_UTIL_H_
