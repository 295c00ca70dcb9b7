// PythonWorker: posix_spawn of the interpreter over one socket pair (its
// stdin and stdout), stderr into an anonymous memory file (memfd). Every
// wait for its exit is bounded (PythonCommand::exit_wait).
#include "python/python_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace retort {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::strerror(err); }

// "300 ms", "5 s".
std::string DurationText(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + " s"
                               : std::to_string(d.count()) + " ms";
}

// Waits up to `limit` for `pid` to exit and reaps it. Returns false when it
// still runs at the deadline; it is then killed (SIGKILL) and reaped, so
// the caller never hangs on an interpreter that closed its streams but
// keeps running (a non-daemon thread). `*status` is waitpid's status.
bool ReapWithin(pid_t pid, std::chrono::milliseconds limit, int* status) {
  const auto deadline = Clock::now() + limit;
  // A pidfd becomes readable when the process exits (Linux 5.3); without
  // one, poll waitpid every few milliseconds.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool exited = false;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r != 0) {  // reaped, or not our child any more (ECHILD)
      exited = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) break;
    if (pidfd >= 0) {
      struct pollfd p = {pidfd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left.count()));  // EINTR: loop again
    } else {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
    }
  }
  if (pidfd >= 0) close(pidfd);
  if (exited) return true;
  kill(pid, SIGKILL);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
  return false;
}

// What to say when an interpreter would not exit: its threads.
constexpr std::string_view kThreadsHint =
    ": a thread that is not a daemon thread keeps Python running (start "
    "such threads with daemon=True, or join them before the code returns)";

// Why a child cannot be started in the folder `cwd`; "" when it can.
std::string CwdProblem(const std::string& cwd) {
  struct stat st;
  if (stat(cwd.c_str(), &st) != 0) {
    return errno == ENOENT || errno == ENOTDIR ? "no such folder"
                                               : ErrnoText(errno);
  }
  if (!S_ISDIR(st.st_mode)) return "not a folder";
  if (access(cwd.c_str(), X_OK) != 0) {
    return "cannot enter it (" + ErrnoText(errno) + ")";
  }
  return "";
}

// The environment of the child: ours, with PYTHONPATH led by `path`, and
// neither bytecode files nor buffered output.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::string>& path) {
  std::vector<std::string> env;
  std::string pythonpath;
  for (const std::string& p : path) {
    if (!pythonpath.empty()) pythonpath += ':';
    pythonpath += p;
  }
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.substr(0, 11) == "PYTHONPATH=") {
      std::string_view old = kv.substr(11);
      if (!old.empty()) {
        if (!pythonpath.empty()) pythonpath += ':';
        pythonpath += old;
      }
      continue;
    }
    if (kv.substr(0, 24) == "PYTHONDONTWRITEBYTECODE=" ||
        kv.substr(0, 17) == "PYTHONUNBUFFERED=") {
      continue;
    }
    env.emplace_back(kv);
  }
  if (!pythonpath.empty()) env.push_back("PYTHONPATH=" + pythonpath);
  env.push_back("PYTHONDONTWRITEBYTECODE=1");
  env.push_back("PYTHONUNBUFFERED=1");
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The last line of `text` that is not blank: a traceback's "KeyError: x".
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, end - begin + 1);
}

}  // namespace

Result<std::unique_ptr<PythonWorker>> PythonWorker::Start(
    const PythonCommand& command, std::string_view script,
    const std::vector<std::string>& args) {
  const std::string who = command.interpreter + " (" + command.origin + ")";
  // posix_spawn reports a failed chdir as the failure to run the
  // interpreter (ENOENT, EACCES): check the folder first, to name it.
  if (!command.cwd.empty()) {
    std::string problem = CwdProblem(command.cwd);
    if (!problem.empty()) {
      return Status::NotFound(
          who + ": cannot start it in the folder " + command.cwd + ": " +
          problem +
          "; the interpreter runs in the project's folder: check "
          "that it exists and is the one meant");
    }
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Status::IOError("cannot create a socket pair for Python: " +
                           ErrnoText(errno));
  }
  int err_fd = memfd_create("retort-python-stderr", MFD_CLOEXEC);
  if (err_fd < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return Status::IOError("cannot create a file for Python's stderr: " +
                           ErrnoText(e));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 0);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  if (!command.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, command.cwd.c_str());
  }
  std::vector<std::string> argv_strings = {command.interpreter, "-u", "-c",
                                           std::string(script)};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<std::string> env_strings = ChildEnvironment(command.python_path);
  std::vector<char*> envp = Pointers(env_strings);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, command.interpreter.c_str(), &actions, nullptr,
                        argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    close(err_fd);
    const bool on_path = command.interpreter.find('/') == std::string::npos;
    constexpr std::string_view kSetPython =
        "set python = \"/path/to/python3\" in retort.toml";
    switch (rc) {
      case ENOENT:
        return Status::NotFound(
            who + ": " + (on_path ? "not found on PATH" : "no such file") +
            "; install Python 3 (apt-get install python3) or " +
            std::string(kSetPython));
      case EACCES:
        return Status::IOError(
            who + ": " +
            (on_path ? "found on PATH but not executable (permission denied)"
                     : "not executable (permission denied)") +
            "; make it executable" +
            (on_path ? std::string()
                     : " (chmod +x " + command.interpreter + ")") +
            " or " + std::string(kSetPython));
      case E2BIG: {
        size_t bytes = 0;
        for (const std::string& a : argv_strings) bytes += a.size() + 1;
        return Status::Internal(
            who + ": cannot start it: its arguments are too long (" +
            std::to_string(bytes) + " bytes, the script " +
            std::to_string(script.size()) +
            "; Linux refuses one argument over 128 KiB); this is a bug in "
            "retort, please report it");
      }
      default:
        return Status::IOError(who + ": cannot start it: " + ErrnoText(rc) +
                               "; check the interpreter or " +
                               std::string(kSetPython));
    }
  }
  return std::unique_ptr<PythonWorker>(
      new PythonWorker(command, pid, sv[0], sv[0], err_fd));
}

PythonWorker::PythonWorker(PythonCommand command, pid_t pid, int to_child,
                           int from_child, int stderr_fd)
    : command_(std::move(command)),
      pid_(pid),
      to_child_(to_child),
      from_child_(from_child),
      stderr_fd_(stderr_fd) {}

PythonWorker::~PythonWorker() {
  Kill();
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void PythonWorker::Kill() {
  if (to_child_ >= 0) close(to_child_);
  to_child_ = from_child_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
}

std::string PythonWorker::Who() const {
  return command_.interpreter + " (" + command_.origin + ")";
}

std::string PythonWorker::StderrTail(size_t max_bytes) const {
  if (stderr_fd_ < 0) return "";
  struct stat st;
  if (fstat(stderr_fd_, &st) != 0 || st.st_size <= 0) return "";
  size_t size = static_cast<size_t>(st.st_size);
  size_t n = std::min(size, max_bytes);
  std::string out(n, '\0');
  ssize_t got = pread(stderr_fd_, out.data(), n, static_cast<off_t>(size - n));
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

Result<std::string> PythonWorker::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      Kill();
      broken_ = true;
      return Status::IOError(Who() + " did not answer within " +
                             DurationText(timeout) + " and was stopped");
    }
    struct pollfd p = {from_child_, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {
      const int e = errno;
      Kill();
      broken_ = true;
      return Status::IOError(
          Who() + ": cannot wait for its answer (poll: " + ErrnoText(e) +
          "); the interpreter was stopped, run again");
    }
    if (rc == 0) continue;  // the deadline check above fires
    char chunk[65536];
    ssize_t got = read(from_child_, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got > 0) {
      buffer_.append(chunk, static_cast<size_t>(got));
      continue;
    }
    // End of stream (or ECONNRESET: it exited leaving requests unread):
    // the interpreter exited, or closed its output and is about to.
    int status = 0;
    const bool exited = ReapWithin(pid_, command_.exit_wait, &status);
    pid_ = -1;
    broken_ = true;
    std::string tail = StderrTail();
    if (!exited) {
      return Status::IOError(
          Who() + " closed its output but did not exit within " +
          DurationText(command_.exit_wait) + " and was killed" +
          std::string(kThreadsHint) +
          (tail.empty() ? std::string() : "; its stderr: " + LastLine(tail)));
    }
    std::string how =
        WIFEXITED(status)
            ? "exited with status " + std::to_string(WEXITSTATUS(status))
        : WIFSIGNALED(status)
            ? "was killed by signal " + std::to_string(WTERMSIG(status))
            : "stopped";
    return Status::IOError(
        Who() + " " + how +
        (tail.empty() ? std::string() : ": " + LastLine(tail)));
  }
}

Result<nlohmann::json> PythonWorker::Call(const nlohmann::json& request,
                                          std::chrono::milliseconds timeout) {
  if (broken_ || to_child_ < 0) {
    return Status::IOError(Who() + " is no longer running");
  }
  std::string line;
  try {
    line = request.dump() + "\n";
  } catch (const nlohmann::json::exception&) {
    // Only invalid UTF-8 throws here; replacing it would hand Python a
    // different file name than the one meant.
    return Status::InvalidArgument(
        "cannot pass a name that is not valid UTF-8 to " + Who() +
        ": " + request.dump(-1, ' ', false,
                            nlohmann::json::error_handler_t::replace) +
        "; rename it to UTF-8");
  }
  size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n =
        send(to_child_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // It exited: ReadLine says how.
      RETORT_RETURN_IF_ERROR(
          ReadLine(std::chrono::milliseconds(2000)).status());
      return Status::IOError(Who() +
                             ": cannot send a request: " + ErrnoText(errno));
    }
    sent += static_cast<size_t>(n);
  }
  RETORT_ASSIGN_OR_RETURN(std::string answer, ReadLine(timeout));
  nlohmann::json parsed =
      nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    Kill();
    broken_ = true;
    return Status::IOError(Who() +
                           " answered something that is not a JSON "
                           "object: " +
                           answer.substr(0, 200));
  }
  return parsed;
}

Status PythonWorker::Finish() {
  if (to_child_ < 0 || pid_ <= 0) return Status::OK();
  shutdown(to_child_, SHUT_WR);
  int status = 0;
  const bool exited = ReapWithin(pid_, command_.exit_wait, &status);
  pid_ = -1;
  close(to_child_);
  to_child_ = from_child_ = -1;
  if (!exited) {
    return Status::IOError(
        Who() + " did not exit within " + DurationText(command_.exit_wait) +
        " of the end of its input and was killed" + std::string(kThreadsHint));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  return Status::IOError(Who() +
                         " did not exit cleanly: " + LastLine(StderrTail()));
}

Status PythonMissingModule(const PythonCommand& command,
                           const std::string& module,
                           const std::string& debian_package,
                           const std::string& detail) {
  return Status::NotFound(
      command.interpreter + " (" + command.origin + ") cannot import " +
      module + (detail.empty() ? std::string() : " (" + detail + ")") +
      ": install Debian's " + debian_package + " (apt-get install " +
      debian_package + "), or pip install " + module +
      " into that interpreter's environment, or set python = "
      "\"/path/to/python3\" in retort.toml to an interpreter that has it");
}

}  // namespace retort
