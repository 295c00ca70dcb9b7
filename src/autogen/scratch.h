// The scratch databases autogenerate loads the models into (and, with
// `--from migrations`, replays the revisions into): a dev database the user
// names, used inside a transaction that is rolled back; or temporary
// databases on a server -- the target's, the dev database's, or a throwaway
// cluster started for the occasion -- dropped afterwards (also on error).
// An error while loading names the model file and line of the failing
// statement, however the statements were sent.
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

// Runs the scanned statements in load order (ModelScan::statements), one
// round trip and (outside a transaction) one commit each. A server error is
// reported as "models/auth.sql:LINE: ERROR 42P01: ..." with LINE mapped
// from the server's error position, and the scan's order note on that
// statement after it, if any ("...; these model statements need each
// other in a cycle, ...").
Status LoadModels(Connection& conn, const ModelScan& scan);

// LoadModelsOptions say how LoadModels sends the statements. Loading the
// models costs the server's own DDL time plus, per statement, a round trip
// and (in autocommit) a commit, i.e. a WAL flush on a durable server;
// batching and transactions remove the latter two.
struct LoadModelsOptions {
  // The database is a temporary one and the connection is outside a
  // transaction: the loader runs the statements in transactions of its own,
  // committed every `commit_every` statements and around the statements
  // that cannot run inside one (CREATE INDEX CONCURRENTLY, ...: run alone,
  // autocommitted). A failed load leaves what was committed: drop the
  // database. Without it, the statements run in the transaction the caller
  // has open (a dev database), or one by one in autocommit when none is.
  // Default: false.
  bool own_transactions = false;
  // Inside a transaction, up to this many statements of one file go in one
  // multi-statement query, after a savepoint; when the query fails, the
  // batch is rolled back to the savepoint and replayed statement by
  // statement, so the error is the one that statement gives alone, with its
  // file and line. 1 = one statement per round trip. Default: 1.
  int batch_statements = 1;
  // A batch also ends once it holds this many bytes of SQL. Default: 256 KiB.
  size_t batch_bytes = 256 * 1024;
  // With own_transactions: statements per transaction. Every relation a
  // transaction creates holds a lock until it ends, and the server's lock
  // table is sized for about max_locks_per_transaction (64) per connection,
  // so one transaction for 10,000 tables would fail with "out of shared
  // memory". Default: 1000.
  int commit_every = 1000;
};

// LoadModels as `options` say. Models holding transaction control (BEGIN,
// COMMIT, SAVEPOINT, ...) are run one statement at a time, as the other
// overload does, since they would end the loader's transaction.
Status LoadModels(Connection& conn, const ModelScan& scan,
                  const LoadModelsOptions& options);

// What a scratch database's contents depend on besides the statements run
// in it: the model cache's key includes it (model_cache.h), so that a
// recording is reused only where the same statements would give the same
// catalog. `text` is opaque; `server_version` is server_version_num.
struct ScratchIdentity {
  std::string text;
  int server_version = 0;
  // A session's current_user on that server and where its search_path
  // comes from (pg_settings.source: "default" when nobody set it), for
  // where unqualified names in the models go. ServerIdentity only; empty
  // otherwise.
  std::string user;
  std::string search_path_source;
};

// A database on the server `conn` is connected to: the server's version(),
// the current user (the owner of what the models create), every setting a
// session there does not have by default (TimeZone and DateStyle change how
// defaults are printed; search_path, where unqualified names go; the data
// directory tells servers apart) and the encoding and locale.
// `database_settings`: include those made for `conn`'s own database (ALTER
// DATABASE ... SET), which apply to a dev database but not to a temporary
// database created beside it.
Result<ScratchIdentity> ServerIdentity(Connection& conn,
                                       bool database_settings);

// A dev database: ServerIdentity, plus the state of its catalog (the row
// count and the newest row version of each system catalog, so any DDL
// there changes it), since the models load on top of what it holds.
Result<ScratchIdentity> DevDatabaseIdentity(Connection& conn);

// A throwaway cluster's, known without starting one: where the server
// binaries are and their version (postgres -V), and what the cluster and
// its sessions take from the environment (TZ, PGTZ, PGDATESTYLE,
// PGOPTIONS, PGCLIENTENCODING, /etc/localtime).
Result<ScratchIdentity> EphemeralServerIdentity();

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
  // For a temporary database on this server (ScratchIdentity).
  Result<ScratchIdentity> Identity();

 private:
  ScratchServer() = default;

  DatabaseUrl url_;
  std::unique_ptr<EphemeralPgCluster> cluster_;
  std::unique_ptr<Connection> admin_;
  std::string description_;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_SCRATCH_H_
