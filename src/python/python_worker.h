// PythonWorker: a Python interpreter running one of retort's embedded
// scripts (embedded_scripts.h), spoken to in JSON lines over pipes. The
// import of Alembic revisions and the emission of SQLAlchemy models' DDL
// are Python's job (their own machinery, never re-implemented here); this
// is the one place that starts Python, so every caller gets the same clear
// errors: which interpreter, what it could not import, which Debian
// package brings it.
//
// Streams: the script's stdin and stdout carry the protocol, one JSON
// object per line each way, in order. Its stderr (what a project's code
// prints, Python's tracebacks) goes to a private file, read back only to
// explain a failure.
#ifndef RETORT_PYTHON_PYTHON_WORKER_H_
#define RETORT_PYTHON_PYTHON_WORKER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "retort/status.h"

namespace retort {

// PythonCommand is the interpreter to run and where it comes from, for
// messages.
struct PythonCommand {
  // An executable name looked up on PATH ("python3") or a path.
  // Default: "python3".
  std::string interpreter = "python3";
  // Where the choice was made, e.g. "the 'python' setting in retort.toml".
  // Default: "the default".
  std::string origin = "the default";
  // Folders put first on PYTHONPATH. Default: none.
  std::vector<std::string> python_path;
  // Working folder of the interpreter. Default: "" (retort's own).
  std::string cwd;
};

class PythonWorker {
 public:
  // Starts `command.interpreter -u -c <script> args...`. Fails when the
  // interpreter cannot be started ("python3: not found ...").
  static Result<std::unique_ptr<PythonWorker>> Start(
      const PythonCommand& command, std::string_view script,
      const std::vector<std::string>& args = {});
  ~PythonWorker();  // kills the interpreter if it still runs
  PythonWorker(const PythonWorker&) = delete;
  PythonWorker& operator=(const PythonWorker&) = delete;

  // Sends `request` and waits up to `timeout` for its one-line answer.
  // A worker that exits, answers garbage or times out is an error naming
  // the interpreter and quoting the end of its stderr; after a timeout the
  // interpreter is killed and every later call fails.
  Result<nlohmann::json> Call(const nlohmann::json& request,
                              std::chrono::milliseconds timeout);

  // Closes stdin (the script exits at EOF) and waits for the exit.
  Status Finish();

  // The last `max_bytes` of what the interpreter wrote to stderr.
  std::string StderrTail(size_t max_bytes = 2000) const;

  const PythonCommand& command() const { return command_; }

 private:
  PythonWorker(PythonCommand command, pid_t pid, int to_child, int from_child,
               int stderr_fd);
  Result<std::string> ReadLine(std::chrono::milliseconds timeout);
  void Kill();
  // "python3 (the 'python' setting in retort.toml)".
  std::string Who() const;

  PythonCommand command_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  int stderr_fd_ = -1;  // unlinked file holding the child's stderr
  std::string buffer_;  // bytes read past the last returned line
  bool broken_ = false;
};

// "python3: not found" and friends, with what to do: install
// `debian_package` or point the 'python' setting at an interpreter that
// can import `module`. `detail` is the interpreter's own message.
Status PythonMissingModule(const PythonCommand& command,
                           const std::string& module,
                           const std::string& debian_package,
                           const std::string& detail);

}  // namespace retort

#endif  // RETORT_PYTHON_PYTHON_WORKER_H_
