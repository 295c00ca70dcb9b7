// The PostgreSQL test harness: initdb + pg_ctl in a temp directory, one
// template database copied per test, and cleanup that also runs when the
// test binary is interrupted or crashes.
#include "pg_harness.h"

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
#include <sstream>

#include "dialect/url.h"

namespace retort::testing {

namespace {

namespace fs = std::filesystem;

constexpr char kServerUser[] = "postgres";
constexpr char kTemplateDb[] = "retort_template";

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
    pid_t child = fork();
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
    // mkdtemp names need no shell quoting beyond single quotes.
    std::string script = "i=0; while kill -0 " + std::to_string(postmaster) +
                         " 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; "
                         "i=$((i+1)); done; rm -rf '" +
                         dir + "'";
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
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
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

// Where initdb and pg_ctl live (see PgClusterOptions::bindir).
Result<std::string> FindBindir(const std::string& preferred) {
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
      "pg_config --bindir, /usr/lib/postgresql/*/bin); install postgresql or "
      "set RETORT_PG_BINDIR");
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

// "t3_dialectpg_connects": readable in pg_stat_activity and server logs.
std::string MakeDbName(std::string_view prefix, int number,
                       std::string_view hint) {
  std::string base(hint);
  if (base.empty()) {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    base = info != nullptr
               ? std::string(info->test_suite_name()) + "_" + info->name()
               : "db";
  }
  std::string name = std::string(prefix) + "t" + std::to_string(number) + "_";
  for (char c : base) {
    unsigned char u = static_cast<unsigned char>(c);
    char out = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    if (out == '_' && !name.empty() && name.back() == '_') continue;
    name += out;
  }
  if (name.size() > 63) name.resize(63);  // NAMEDATALEN - 1
  return name;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

PgHarness* g_harness = nullptr;

}  // namespace

// ---------------------------------------------------------------------------
// PgCluster

Result<std::unique_ptr<PgCluster>> PgCluster::Start(
    const PgClusterOptions& options) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  Status st = cluster->StartServer(options);
  if (!st.ok()) {
    std::string log = cluster->ServerLog();
    cluster->Stop();  // whatever got created goes
    return Status::IOError(
        "cannot start a PostgreSQL test server: " + st.message() +
        "\n---- harness and server log ----\n" + log + "---- end of log ----");
  }
  RETORT_RETURN_IF_ERROR(cluster->Prepare());
  cluster->startup_seconds_ = SecondsSince(start);
  return cluster;
}

Status PgCluster::StartServer(const PgClusterOptions& options) {
  RETORT_ASSIGN_OR_RETURN(bindir_, FindBindir(options.bindir));
  bool as_root = geteuid() == 0;

  // Unix socket paths are limited to ~107 bytes: keep the directory short.
  std::string base = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR");
      tmp && *tmp && std::strlen(tmp) < 60) {
    base = tmp;
  }
  std::string pattern = base + "/retort-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("mkdtemp " + pattern + ": " + strerror(errno));
  }
  dir_ = pattern;
  if (as_root) {
    const passwd* user = getpwnam(kServerUser);
    if (user == nullptr) {
      return Status::NotFound(
          "running as root, but there is no 'postgres' OS user to run the "
          "server as (PostgreSQL refuses to run as root)");
    }
    if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return Status::IOError("chown " + dir_ + ": " + strerror(errno));
    }
  }
  std::string log = dir_ + "/harness.log";
  std::string data = dir_ + "/data";
  int rc = RunCommand(
      {bindir_ + "/initdb", "-D", data, "-A", "trust", "-U", "postgres",
       "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions"},
      as_root, log, dir_);
  if (rc != 0) {
    return Status::IOError("initdb failed with exit status " +
                           std::to_string(rc));
  }

  int attempts = std::max(options.start_attempts, 1);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    RETORT_ASSIGN_OR_RETURN(int port, PickFreePort());
    std::string server_options =
        "-F -c listen_addresses=127.0.0.1 -c port=" + std::to_string(port) +
        " -c unix_socket_directories=" + dir_ +
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
  guard_slot_ = RegisterGuard(postmaster, bindir_ + "/pg_ctl", data, dir_);

  ConnectOptions connect;
  connect.application_name = "retort_test_harness";
  auto admin = PostgresConnection::Open(Url("postgres"), connect);
  if (!admin.ok()) return admin.status().WithContext("connecting to " + Url());
  admin_ = std::move(admin).value();
  server_version_ = admin_->ServerVersion();
  return Status::OK();
}

Status PgCluster::Prepare() {
  // Tests copy this instead of template0/template1: it can later carry
  // whatever every test database should have, and nobody connects to it
  // (CREATE DATABASE ... TEMPLATE requires that).
  std::string sql = std::string("CREATE DATABASE ") + kTemplateDb +
                    " TEMPLATE template0 IS_TEMPLATE true";
  return admin_->Execute(sql).WithContext("preparing the template database");
}

PgCluster::~PgCluster() { Stop(); }

Status PgCluster::Stop() {
  admin_.reset();
  if (dir_.empty()) return Status::OK();
  Status result;
  if (port_ != 0) {
    int rc = RunCommand({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-m",
                         "fast", "-w", "-t", "30", "stop"},
                        geteuid() == 0, dir_ + "/harness.log", dir_);
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

std::string PgCluster::Url(std::string_view dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" +
         std::string(dbname);
}

std::string PgCluster::ServerLog() const {
  if (dir_.empty()) return "";
  return ReadFile(dir_ + "/harness.log") + ReadFile(dir_ + "/server.log");
}

Result<std::string> PgCluster::CreateDatabase(std::string_view name_hint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (admin_ == nullptr) {
    return Status::Internal("the PostgreSQL test server is not running");
  }
  std::string name = MakeDbName("", ++next_db_, name_hint);
  RETORT_RETURN_IF_ERROR(admin_
                             ->Execute("CREATE DATABASE " +
                                       QuoteSqlIdent(name) + " TEMPLATE " +
                                       kTemplateDb)
                             .WithContext("creating test database " + name));
  return Url(name);
}

// ---------------------------------------------------------------------------
// PgHarness

PgHarness::PgHarness() { g_harness = this; }

PgHarness::~PgHarness() {
  if (g_harness == this) g_harness = nullptr;
}

PgHarness* PgHarness::Get() { return g_harness; }

void PgHarness::SetUp() {
  if (const char* url = std::getenv("RETORT_TEST_PG_URL"); url && *url) {
    external_url_ = url;
    auto parsed = ParseDatabaseUrl(external_url_);
    Status st = parsed.status();
    if (parsed.ok()) {
      auto admin = PostgresConnection::Open(parsed->conninfo);
      if (admin.ok()) {
        external_admin_ = std::move(admin).value();
      } else {
        st = admin.status();
      }
    }
    if (!st.ok()) {
      std::fprintf(stderr,
                   "\n[pg_harness] FATAL: RETORT_TEST_PG_URL=%s is not usable: "
                   "%s\n\n",
                   RedactedUrl(external_url_).c_str(), st.message().c_str());
      setup_error_ = "RETORT_TEST_PG_URL is not usable: " + st.message();
      GTEST_FAIL() << "RETORT_TEST_PG_URL is not usable: " << st.message();
    }
    ready_ = true;
    std::fprintf(stderr, "[pg_harness] using PostgreSQL %d at %s\n",
                 external_admin_->ServerVersion(),
                 RedactedUrl(external_url_).c_str());
    return;
  }
  auto cluster = PgCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr,
                 "\n[pg_harness] FATAL: the PostgreSQL test server did not "
                 "start; no integration test can run.\n%s\n\n",
                 cluster.status().message().c_str());
    setup_error_ = cluster.status().message();
    GTEST_FAIL() << cluster.status().message();
  }
  cluster_ = std::move(cluster).value();
  ready_ = true;
  std::fprintf(stderr,
               "[pg_harness] PostgreSQL %d on 127.0.0.1:%d (%s), started in "
               "%.2f s\n",
               cluster_->server_version(), cluster_->port(),
               cluster_->dir().c_str(), cluster_->startup_seconds());
}

void PgHarness::TearDown() {
  ready_ = false;
  if (external_admin_ != nullptr) {
    for (const std::string& name : external_dbs_) {
      Status st = external_admin_->Execute(
          "DROP DATABASE IF EXISTS " + QuoteSqlIdent(name) + " WITH (FORCE)");
      if (!st.ok()) {
        std::fprintf(stderr, "[pg_harness] cannot drop %s: %s\n", name.c_str(),
                     st.message().c_str());
      }
    }
    external_admin_.reset();
  }
  if (cluster_ != nullptr) {
    Status st = cluster_->Stop();
    if (!st.ok()) {
      std::fprintf(stderr, "[pg_harness] %s\n", st.message().c_str());
    }
    cluster_.reset();
  }
}

Result<std::string> PgHarness::CreateDatabase(std::string_view name_hint) {
  if (cluster_ != nullptr) return cluster_->CreateDatabase(name_hint);
  std::lock_guard<std::mutex> lock(mu_);
  if (external_admin_ == nullptr) {
    return Status::Internal("the PostgreSQL test harness is not running");
  }
  std::string prefix = "retort_" + std::to_string(getpid()) + "_";
  std::string name = MakeDbName(prefix, ++next_db_, name_hint);
  RETORT_RETURN_IF_ERROR(external_admin_
                             ->Execute("CREATE DATABASE " +
                                       QuoteSqlIdent(name) +
                                       " TEMPLATE template0")
                             .WithContext("creating test database " + name));
  external_dbs_.push_back(name);
  return WithDatabase(external_url_, name);
}

std::string PgHarness::AdminUrl() const {
  if (cluster_ != nullptr) return cluster_->Url("postgres");
  return external_url_;
}

Result<std::unique_ptr<PgCluster>> PgHarness::StartCluster(
    const PgClusterOptions& options) {
  return PgCluster::Start(options);
}

std::string FreshDatabaseUrl() {
  PgHarness* harness = PgHarness::Get();
  if (harness == nullptr || !harness->ready()) {
    ADD_FAILURE() << "the PostgreSQL test harness is not running";
    return "";
  }
  auto url = harness->CreateDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status().ToString();
    return "";
  }
  return std::move(url).value();
}

std::string WithDatabase(const std::string& url, std::string_view dbname) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) {
    return url + " dbname=" + std::string(dbname);  // later keywords win
  }
  size_t authority_end = url.find_first_of("/?", sep + 3);
  std::string query;
  if (authority_end != std::string::npos) {
    size_t q = url.find('?', authority_end);
    if (q != std::string::npos) query = url.substr(q);
  }
  return url.substr(0, authority_end) + "/" + std::string(dbname) + query;
}

}  // namespace retort::testing
