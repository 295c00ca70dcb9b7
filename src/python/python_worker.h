// PythonWorker: a Python interpreter running one of retort's embedded
// scripts (embedded_scripts.h), spoken to in JSON lines over a socket pair.
// The import of Alembic revisions and the emission of SQLAlchemy models' DDL
// are Python's job (their own machinery, never re-implemented here); this
// is the one place that starts Python, so every caller gets the same clear
// errors: which interpreter, what it could not import, which Debian
// package brings it.
//
// Streams: the script's stdin and stdout are the two ends of one socket
// pair and carry the protocol, one JSON object per line each way, in order.
// Its stderr (what a project's code prints, Python's tracebacks) goes to an
// anonymous memory file (memfd), read back only to explain a failure.
//
// The script is passed as one argument (`-c <text>`), so sys.path starts
// with the working folder as for any `python -c`; Linux refuses a single
// argument over 128 KiB (MAX_ARG_STRLEN), and cmake/embed_text.cmake fails
// the build for an embedded script over 120 KiB.
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
  // How long an interpreter that closed its streams (or its input was
  // closed, see Finish) may take to exit before it is killed: a non-daemon
  // thread would otherwise hang retort. Default: 5 s.
  std::chrono::milliseconds exit_wait = std::chrono::seconds(5);
};

class PythonWorker {
 public:
  // Starts `command.interpreter -u -c <script> args...` in `command.cwd`.
  // Fails when the interpreter cannot be started, saying why: not found on
  // PATH or no such file, not executable, arguments too long, or which
  // working folder is missing.
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

  // Closes stdin (the script exits at EOF) and waits up to
  // command().exit_wait for the exit; an interpreter still running then is
  // killed, and that is an error saying so.
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
  int to_child_ = -1;    // our end of the socket pair (the child's stdin
  int from_child_ = -1;  // and stdout): one fd, two names
  int stderr_fd_ = -1;   // memfd holding the child's stderr
  std::string buffer_;   // bytes read past the last returned line
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
