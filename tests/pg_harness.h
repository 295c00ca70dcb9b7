// The PostgreSQL test harness: starts a throwaway PostgreSQL server for the
// integration test binary and hands each test a fresh database.
//
//   std::string url = retort::testing::FreshDatabaseUrl();  // in a TEST
//   auto other = retort::testing::PgCluster::Start();       // a 2nd server
//
// One server per process (tests/main.cc registers PgHarness): initdb into a
// temp directory, pg_ctl start on a free 127.0.0.1 port with durability off,
// stopped and deleted at the end -- also on a crash or Ctrl-C, best effort.
// RETORT_TEST_PG_URL=postgresql://... uses an existing server instead;
// RETORT_PG_BINDIR overrides where initdb/pg_ctl are found.
#ifndef RETORT_TESTS_PG_HARNESS_H_
#define RETORT_TESTS_PG_HARNESS_H_

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/pg_cluster.h"
#include "dialect/postgres.h"
#include "retort/status.h"

namespace retort::testing {

// PgClusterOptions say how PgCluster::Start sets up a server.
struct PgClusterOptions {
  // Directory holding initdb and pg_ctl. Default: $RETORT_PG_BINDIR, else
  // `pg_config --bindir`, else /usr/lib/postgresql/<newest>/bin.
  std::string bindir;
  // Extra server settings, "name=value" each, passed as -c options.
  std::vector<std::string> settings;
  // Fresh ports to try when the server fails to start (the free port we
  // picked can be taken before the server binds it). Default: 5.
  int start_attempts = 5;
};

// PgCluster is one PostgreSQL server this process started in its own temp
// directory (data/, server.log, the Unix socket): the core library's
// EphemeralPgCluster plus what tests need on top (an admin connection, a
// template database, fresh databases). Destroying it stops the server and
// deletes the directory.
class PgCluster {
 public:
  // Fails with the server log in the message when the server cannot start.
  static Result<std::unique_ptr<PgCluster>> Start(
      const PgClusterOptions& options = {});
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // pg_ctl stop -m fast, then removes the directory. Idempotent.
  Status Stop();

  // A new database copied from this server's template; returns its URL.
  // `name_hint` (default: the running test's name) makes the name readable.
  Result<std::string> CreateDatabase(std::string_view name_hint = "");

  // postgresql://postgres@127.0.0.1:<port>/<dbname>
  std::string Url(std::string_view dbname = "postgres") const;
  int port() const { return server_->port(); }
  const std::string& dir() const { return server_->dir(); }
  int server_version() const { return server_version_; }
  // How long Start() took, initdb included.
  double startup_seconds() const { return startup_seconds_; }
  // The server's log file so far (for failure messages).
  std::string ServerLog() const;

 private:
  PgCluster() = default;
  Status Prepare();

  std::unique_ptr<EphemeralPgCluster> server_;
  int server_version_ = 0;
  double startup_seconds_ = 0;
  int next_db_ = 0;
  std::mutex mu_;
  std::unique_ptr<PostgresConnection> admin_;
};

// PgHarness is the gtest Environment owning the shared server. SetUp fails
// the whole run (with the server log) when PostgreSQL cannot start: tests
// never silently skip.
class PgHarness : public ::testing::Environment {
 public:
  PgHarness();
  ~PgHarness() override;

  // The registered harness; null before tests/main.cc creates it.
  static PgHarness* Get();

  void SetUp() override;
  void TearDown() override;

  // A fresh empty database on the shared server (or on RETORT_TEST_PG_URL's
  // server); returns its URL.
  Result<std::string> CreateDatabase(std::string_view name_hint = "");
  // A URL for the maintenance database ("postgres") of the shared server.
  std::string AdminUrl() const;
  // Another independent server, for tests that need more than one.
  Result<std::unique_ptr<PgCluster>> StartCluster(
      const PgClusterOptions& options = {});

  bool ready() const { return ready_; }
  // Why SetUp failed ("" if it did not): main() repeats it after the run,
  // where gtest's summary would otherwise say "0 FAILED TESTS".
  const std::string& setup_error() const { return setup_error_; }
  bool external() const { return !external_url_.empty(); }
  PgCluster* cluster() const { return cluster_.get(); }

 private:
  std::unique_ptr<PgCluster> cluster_;
  bool ready_ = false;
  std::string setup_error_;
  // RETORT_TEST_PG_URL mode: the server is not ours; we drop what we made.
  std::string external_url_;
  std::unique_ptr<PostgresConnection> external_admin_;
  std::vector<std::string> external_dbs_;
  int next_db_ = 0;
  std::mutex mu_;
};

// For use inside a TEST: a fresh database's URL, or "" after recording a
// test failure.
std::string FreshDatabaseUrl();

// The database name part replaced in a libpq URI or keyword string.
std::string WithDatabase(const std::string& url, std::string_view dbname);

}  // namespace retort::testing

#endif  // RETORT_TESTS_PG_HARNESS_H_
