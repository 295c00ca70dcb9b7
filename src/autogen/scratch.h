// The scratch databases autogenerate loads the models into (and, with
// `--from migrations`, replays the revisions into): a dev database the user
// names, used inside a transaction that is rolled back; or temporary
// databases on a server -- the target's, the dev database's, or a throwaway
// cluster started for the occasion -- dropped afterwards (also on error).
// Loading goes statement by statement so an error names the model file and
// line.
#ifndef RETORT_AUTOGEN_SCRATCH_H_
#define RETORT_AUTOGEN_SCRATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "autogen/model_scan.h"
#include "dialect/dialect.h"
#include "dialect/pg_cluster.h"
#include "dialect/url.h"
#include "retort/status.h"

namespace retort {

// Scans `files` (ScanModels: every statement is parsed before anything
// runs, so a syntax error anywhere is reported as "models/auth.sql:12:
// syntax error at or near ..." without touching the database), then runs
// them.
Status LoadModels(Connection& conn, const std::vector<ModelFile>& files);

// Runs the scanned statements in file order. A server error is reported as
// "models/auth.sql:LINE: ERROR 42P01: ..." with LINE mapped from the
// server's error position.
Status LoadModels(Connection& conn, const ModelScan& scan);

// ScratchDatabase owns the connection to one scratch database and cleans it
// up: a temporary database is dropped; a dev database is used inside a
// transaction that is rolled back.
class ScratchDatabase {
 public:
  // `dev_url`'s database, inside a transaction (left as it was).
  static Result<std::unique_ptr<ScratchDatabase>> OpenDev(
      const std::string& dev_url);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Connection& conn() { return *conn_; }
  // A URL other sessions can connect to it with (credentials included:
  // print it only through RedactedUrl). "" for a dev database.
  const std::string& url() const { return url_; }
  // The temporary database's name; "" for a dev database.
  const std::string& temp_name() const { return temp_name_; }

  // Rolls back / drops the temporary database. Idempotent; the destructor
  // calls it and ignores the result.
  Status Close();

 private:
  friend class ScratchServer;
  ScratchDatabase() = default;

  std::unique_ptr<Connection> conn_;
  Connection* admin_ = nullptr;  // the server's, for DROP DATABASE
  std::string url_;
  std::string temp_name_;
  bool closed_ = false;
};

// ScratchServer is a PostgreSQL server temporary databases are created on.
// It must outlive the databases it created.
class ScratchServer {
 public:
  // The server `url` points at (needs CREATEDB there).
  static Result<std::unique_ptr<ScratchServer>> OnServerOf(
      const std::string& url);
  // A throwaway cluster from the installed server binaries (see
  // EphemeralPgCluster), with a random password; stopped and deleted with
  // this object.
  static Result<std::unique_ptr<ScratchServer>> Ephemeral();
  ~ScratchServer();
  ScratchServer(const ScratchServer&) = delete;
  ScratchServer& operator=(const ScratchServer&) = delete;

  // CREATE DATABASE retort_scratch_<12 random hex> TEMPLATE template0.
  Result<std::unique_ptr<ScratchDatabase>> CreateDatabase();

  // For messages: "a throwaway PostgreSQL 15 cluster" or "the server of
  // postgresql://app:***@db/game".
  const std::string& description() const { return description_; }
  // server_version_num, e.g. 150004.
  int server_version() const;
  // The throwaway cluster; null for a server of a URL.
  const EphemeralPgCluster* cluster() const { return cluster_.get(); }

 private:
  ScratchServer() = default;

  DatabaseUrl url_;
  std::unique_ptr<EphemeralPgCluster> cluster_;
  std::unique_ptr<Connection> admin_;
  std::string description_;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_SCRATCH_H_
