// Starting and stopping a throwaway PostgreSQL server, and cleaning it up
// when the process dies before it could.
#include "dialect/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "util/clock.h"

namespace retort {

namespace {

namespace fs = std::filesystem;

constexpr char kServerUser[] = "postgres";

// ---------------------------------------------------------------------------
// Crash cleanup. A fixed table of plain data, readable from a signal
// handler: on SIGINT/SIGTERM/SIGABRT/SIGSEGV/... each live server gets
// SIGQUIT (immediate shutdown) and a detached shell deletes its directory
// once the postmaster is gone. Normal exits go through Stop() instead.

// GuardEntry is one running server as the crash handler needs to see it.
struct GuardEntry {
  std::atomic<bool> active;
  pid_t owner;        // only the process that started it cleans up (not forks)
  pid_t postmaster;   // from postmaster.pid
  char script[1400];  // sh -c: wait for the postmaster, then rm -rf the dir
  char pg_ctl[600];
  char data_dir[600];
  char dir[600];
};

constexpr int kMaxGuards = 32;
GuardEntry g_guards[kMaxGuards];
std::mutex g_guard_mu;
std::once_flag g_guard_install;

void CleanupFromSignal(int sig) {
  for (GuardEntry& g : g_guards) {
    if (!g.active.load() || g.owner != getpid()) continue;
    g.active.store(false);
    if (g.postmaster > 0) kill(g.postmaster, SIGQUIT);
    // vfork, not fork: glibc's fork takes malloc's locks for its atfork
    // handlers, and a signal raised inside malloc (abort on a corrupted
    // heap) would then hang the process instead of ending it.
    pid_t child = vfork();
    if (child == 0) {
      setsid();  // outlive a Ctrl-C sent to our whole process group
      char sh[] = "/bin/sh";
      char dash_c[] = "-c";
      char* argv[] = {sh, dash_c, g.script, nullptr};
      execv("/bin/sh", argv);
      _exit(127);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

int RunCommand(const std::vector<std::string>& args, bool as_server_user,
               const std::string& log_path, const std::string& cwd);

void CleanupAtExit() {
  for (GuardEntry& g : g_guards) {
    if (!g.active.load() || g.owner != getpid()) continue;
    g.active.store(false);
    RunCommand({g.pg_ctl, "-D", g.data_dir, "-m", "fast", "-w", "stop"},
               geteuid() == 0, "/dev/null", g.dir);
    std::error_code ec;
    fs::remove_all(g.dir, ec);
  }
}

void InstallGuardHandlers() {
  std::atexit(CleanupAtExit);
  struct sigaction action {};
  action.sa_handler = CleanupFromSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS,
                  SIGFPE, SIGILL}) {
    sigaction(sig, &action, nullptr);
  }
}

void CopyTo(char* dest, size_t size, const std::string& text) {
  std::snprintf(dest, size, "%s", text.c_str());
}

int RegisterGuard(pid_t postmaster, const std::string& pg_ctl,
                  const std::string& data_dir, const std::string& dir) {
  std::call_once(g_guard_install, InstallGuardHandlers);
  std::lock_guard<std::mutex> lock(g_guard_mu);
  for (int i = 0; i < kMaxGuards; ++i) {
    GuardEntry& g = g_guards[i];
    if (g.active.load()) continue;
    g.owner = getpid();
    g.postmaster = postmaster;
    CopyTo(g.pg_ctl, sizeof(g.pg_ctl), pg_ctl);
    CopyTo(g.data_dir, sizeof(g.data_dir), data_dir);
    CopyTo(g.dir, sizeof(g.dir), dir);
    // mkdtemp names need no shell quoting beyond single quotes. Before the
    // server runs (postmaster 0) there is only the directory to delete.
    std::string script = "rm -rf '" + dir + "'";
    if (postmaster > 0) {
      script = "i=0; while kill -0 " + std::to_string(postmaster) +
               " 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); "
               "done; " +
               script;
    }
    CopyTo(g.script, sizeof(g.script), script);
    g.active.store(true);
    return i;
  }
  return -1;  // table full: Stop() still cleans up on a normal exit
}

void UnregisterGuard(int slot) {
  if (slot < 0) return;
  std::lock_guard<std::mutex> lock(g_guard_mu);
  g_guards[slot].active.store(false);
}

// ---------------------------------------------------------------------------

// Runs `args` (as the postgres OS user when we are root: PostgreSQL refuses
// to run as root), appending its output to `log_path`. Returns the exit
// status, 128+signal, or -1 when it could not be started.
int RunCommand(const std::vector<std::string>& args, bool as_server_user,
               const std::string& log_path, const std::string& cwd) {
  std::vector<std::string> full;
  if (as_server_user) full = {"runuser", "-u", kServerUser, "--"};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd >= 0) {
    std::string header = "$";
    for (const std::string& a : full) header += " " + a;
    header += "\n";
    ssize_t ignored = write(log_fd, header.data(), header.size());
    (void)ignored;
  }
  pid_t pid = fork();
  if (pid < 0) {
    if (log_fd >= 0) close(log_fd);
    return -1;
  }
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  if (log_fd >= 0) close(log_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool IsExecutable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

// A port nobody listens on right now (the kernel's pick for port 0). Another
// process may take it before the server binds it; Start() then retries.
Result<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return Status::IOError("socket(): " + std::string(strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string error = strerror(errno);
    close(fd);
    return Status::IOError("cannot pick a free port: " + error);
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace

Result<std::string> FindPgBindir(const std::string& preferred) {
  // An explicit choice that does not work is an error, not a hint.
  std::string chosen = preferred;
  if (const char* env = std::getenv("RETORT_PG_BINDIR");
      chosen.empty() && env && *env) {
    chosen = env;
  }
  if (!chosen.empty()) {
    if (IsExecutable(chosen + "/initdb") && IsExecutable(chosen + "/pg_ctl")) {
      return chosen;
    }
    return Status::NotFound("no executable initdb and pg_ctl in " + chosen +
                            " (RETORT_PG_BINDIR)");
  }
  std::vector<std::string> candidates;
  if (FILE* pipe = popen("pg_config --bindir 2>/dev/null", "r")) {
    char line[1024] = {0};
    if (std::fgets(line, sizeof(line), pipe) != nullptr) {
      std::string dir(line);
      while (!dir.empty() &&
             std::isspace(static_cast<unsigned char>(dir.back()))) {
        dir.pop_back();
      }
      if (!dir.empty()) candidates.push_back(dir);
    }
    pclose(pipe);
  }
  std::vector<std::string> versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    versions.push_back(entry.path().string() + "/bin");
  }
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
    return std::atoi(a.c_str() + 20) > std::atoi(b.c_str() + 20);
  });
  candidates.insert(candidates.end(), versions.begin(), versions.end());
  for (const std::string& dir : candidates) {
    if (IsExecutable(dir + "/initdb") && IsExecutable(dir + "/pg_ctl")) {
      return dir;
    }
  }
  return Status::NotFound(
      "cannot find PostgreSQL's initdb and pg_ctl (tried RETORT_PG_BINDIR, "
      "pg_config --bindir, /usr/lib/postgresql/*/bin); install the "
      "PostgreSQL server package or set RETORT_PG_BINDIR");
}

Result<std::unique_ptr<EphemeralPgCluster>> EphemeralPgCluster::Start(
    const EphemeralPgClusterOptions& options, std::string* failure_log) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<EphemeralPgCluster> cluster(new EphemeralPgCluster());
  Status st = cluster->StartServer(options);
  if (!st.ok()) {
    std::string log = cluster->ServerLog();
    cluster->Stop();  // whatever got created goes
    if (failure_log != nullptr) *failure_log = log;
    if (failure_log != nullptr || log.empty()) return st;
    return Status::IOError(st.message() +
                           "\n---- initdb and server log ----\n" + log +
                           "---- end of log ----");
  }
  cluster->startup_seconds_ = SecondsSince(start);
  return cluster;
}

Status EphemeralPgCluster::StartServer(
    const EphemeralPgClusterOptions& options) {
  RETORT_ASSIGN_OR_RETURN(bindir_, FindPgBindir(options.bindir));
  bool as_root = geteuid() == 0;

  // Unix socket paths are limited to ~107 bytes: keep the directory short.
  std::string base = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR");
      tmp && *tmp && std::strlen(tmp) < 60) {
    base = tmp;
  }
  std::string pattern = base + "/" + options.dir_prefix + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("mkdtemp " + pattern + ": " + strerror(errno));
  }
  dir_ = pattern;
  const passwd* user = nullptr;
  if (as_root) {
    user = getpwnam(kServerUser);
    if (user == nullptr) {
      return Status::NotFound(
          "running as root, but there is no 'postgres' OS user to run the "
          "server as (PostgreSQL refuses to run as root); create one, or run "
          "retort as another user");
    }
    if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return Status::IOError("chown " + dir_ + ": " + strerror(errno));
    }
  }
  std::string log = dir_ + "/initdb.log";
  std::string data = dir_ + "/data";
  // initdb takes a second or more: an interrupted start must not leave the
  // directory behind either.
  guard_slot_ = RegisterGuard(0, bindir_ + "/pg_ctl", data, dir_);
  std::vector<std::string> initdb = {
      bindir_ + "/initdb", "-D", data,   "-U",         "postgres",
      "--no-sync",         "-E", "UTF8", "--locale=C", "--no-instructions"};
  std::string pwfile = dir_ + "/pwfile";
  if (options.password.empty()) {
    initdb.insert(initdb.end(), {"-A", "trust"});
  } else {
    password_ = options.password;
    // Written where only the server's user can read it, and removed as soon
    // as initdb has hashed it.
    int fd =
        open(pwfile.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IOError("cannot write " + pwfile);
    std::string text = password_ + "\n";
    bool written = write(fd, text.data(), text.size()) ==
                   static_cast<ssize_t>(text.size());
    if (user != nullptr && fchown(fd, user->pw_uid, user->pw_gid) != 0) {
      written = false;
    }
    close(fd);
    if (!written) return Status::IOError("cannot write " + pwfile);
    initdb.insert(initdb.end(),
                  {"--auth-local=trust", "--auth-host=scram-sha-256",
                   "--pwfile=" + pwfile});
  }
  int rc = RunCommand(initdb, as_root, log, dir_);
  std::error_code ec;
  fs::remove(pwfile, ec);
  if (rc != 0) {
    return Status::IOError("initdb failed with exit status " +
                           std::to_string(rc));
  }
  major_version_ = std::atoi(ReadFile(data + "/PG_VERSION").c_str());

  int attempts = std::max(options.start_attempts, 1);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    RETORT_ASSIGN_OR_RETURN(int port, PickFreePort());
    std::string server_options =
        "-F -c listen_addresses=127.0.0.1 -c port=" + std::to_string(port) +
        " -c unix_socket_directories=" + dir_ +
        " -c unix_socket_permissions=0700"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        " -c max_connections=100";
    for (const std::string& setting : options.settings) {
      server_options += " -c " + setting;
    }
    rc =
        RunCommand({bindir_ + "/pg_ctl", "-D", data, "-l", dir_ + "/server.log",
                    "-w", "-t", "60", "-o", server_options, "start"},
                   as_root, log, dir_);
    if (rc == 0) {
      port_ = port;
      break;
    }
    // A failed start can leave a postmaster behind on timeout; make sure.
    RunCommand(
        {bindir_ + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"},
        as_root, log, dir_);
    if (attempt == attempts) {
      return Status::IOError("pg_ctl start failed " + std::to_string(attempts) +
                             " times (last exit status " + std::to_string(rc) +
                             ")");
    }
  }

  // The first line of postmaster.pid is the postmaster's pid: what the
  // crash handler signals.
  pid_t postmaster = std::atoi(ReadFile(data + "/postmaster.pid").c_str());
  UnregisterGuard(guard_slot_);
  guard_slot_ = RegisterGuard(postmaster, bindir_ + "/pg_ctl", data, dir_);
  return Status::OK();
}

EphemeralPgCluster::~EphemeralPgCluster() { Stop(); }

Status EphemeralPgCluster::Stop() {
  if (dir_.empty()) return Status::OK();
  Status result;
  if (port_ != 0) {
    int rc = RunCommand({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-m",
                         "fast", "-w", "-t", "30", "stop"},
                        geteuid() == 0, dir_ + "/initdb.log", dir_);
    if (rc != 0) {
      result = Status::IOError("pg_ctl stop failed with exit status " +
                               std::to_string(rc) + "\n" + ServerLog());
    }
    port_ = 0;
  }
  UnregisterGuard(guard_slot_);
  guard_slot_ = -1;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec && result.ok()) {
    result = Status::IOError("cannot remove " + dir_ + ": " + ec.message());
  }
  dir_.clear();
  return result;
}

std::string EphemeralPgCluster::Url(std::string_view dbname) const {
  std::string auth = "postgres";
  if (!password_.empty()) auth += ":" + password_;
  return "postgresql://" + auth + "@127.0.0.1:" + std::to_string(port_) + "/" +
         std::string(dbname);
}

std::string EphemeralPgCluster::ServerLog() const {
  if (dir_.empty()) return "";
  return ReadFile(dir_ + "/initdb.log") + ReadFile(dir_ + "/server.log");
}

}  // namespace retort
