// A throwaway PostgreSQL server started from the installed server binaries:
// initdb into a temporary directory, pg_ctl start on a free loopback port,
// stopped and deleted when the object dies -- also, best effort, when the
// process is interrupted or crashes. Used by autogenerate when no database
// server is at hand (`--dev ephemeral`) and by the integration tests.
//
//   auto cluster = EphemeralPgCluster::Start({});
//   Connect((*cluster)->Url("postgres"));
//
// PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
// `postgres` OS user (runuser), which then owns the directory.
#ifndef RETORT_DIALECT_PG_CLUSTER_H_
#define RETORT_DIALECT_PG_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"

namespace retort {

// EphemeralPgClusterOptions say how EphemeralPgCluster::Start sets up a
// server.
struct EphemeralPgClusterOptions {
  // Directory holding initdb and pg_ctl. Default: $RETORT_PG_BINDIR, else
  // `pg_config --bindir`, else /usr/lib/postgresql/<newest>/bin.
  std::string bindir;
  // Extra server settings, "name=value" each, passed as -c options.
  // Default: none.
  std::vector<std::string> settings;
  // Fresh ports to try when the server fails to start (the free port we
  // picked can be taken before the server binds it). Default: 5.
  int start_attempts = 5;
  // Password of the `postgres` superuser for TCP connections
  // (scram-sha-256). Empty: TCP connections are trusted, so any local user
  // could connect while the server runs -- fine for a test machine, not for
  // a shared host. The Unix socket (in the server's directory, mode 0700)
  // is always trusted. Default: "".
  std::string password;
  // Start of the temporary directory's name. Default: "retort-pg-".
  std::string dir_prefix = "retort-pg-";
};

// EphemeralPgCluster is one PostgreSQL server this process started in its
// own temporary directory (data/, server.log, the Unix socket), under
// $TMPDIR when that is short enough for a socket path, else /tmp.
class EphemeralPgCluster {
 public:
  // Fails with what went wrong and the initdb/server log in the message,
  // or, when `failure_log` is given, in *failure_log instead. The first start
  // installs signal handlers (SIGINT, SIGTERM, SIGSEGV, ...) that stop every
  // cluster of this process and delete its directory, then re-raise the signal.
  static Result<std::unique_ptr<EphemeralPgCluster>> Start(
      const EphemeralPgClusterOptions& options = {},
      std::string* failure_log = nullptr);
  ~EphemeralPgCluster();
  EphemeralPgCluster(const EphemeralPgCluster&) = delete;
  EphemeralPgCluster& operator=(const EphemeralPgCluster&) = delete;

  // pg_ctl stop -m fast, then removes the directory. Idempotent.
  Status Stop();

  // postgresql://postgres[:password]@127.0.0.1:<port>/<dbname>
  std::string Url(std::string_view dbname = "postgres") const;
  int port() const { return port_; }
  // The temporary directory; "" once stopped.
  const std::string& dir() const { return dir_; }
  const std::string& bindir() const { return bindir_; }
  // The server's major version (data/PG_VERSION), e.g. 15.
  int major_version() const { return major_version_; }
  // How long Start() took, initdb included.
  double startup_seconds() const { return startup_seconds_; }
  // The initdb/pg_ctl output and the server's log so far.
  std::string ServerLog() const;

 private:
  EphemeralPgCluster() = default;
  Status StartServer(const EphemeralPgClusterOptions& options);

  std::string bindir_;
  std::string dir_;
  std::string password_;
  int port_ = 0;
  int major_version_ = 0;
  double startup_seconds_ = 0;
  int guard_slot_ = -1;  // entry in the crash-cleanup registry
};

// Where initdb and pg_ctl are (see EphemeralPgClusterOptions::bindir).
// Errors say what was tried and what to install or set.
Result<std::string> FindPgBindir(const std::string& preferred);

}  // namespace retort

#endif  // RETORT_DIALECT_PG_CLUSTER_H_
