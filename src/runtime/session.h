// Sessions on the database a command works on: a connection opened from
// the target's URL and closed afterwards, or the application's own
// connection (RunTarget::borrowed), checked before use and handed back with
// the settings it was lent with.
#ifndef RETORT_RUNTIME_SESSION_H_
#define RETORT_RUNTIME_SESSION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"
#include "runtime/run.h"

namespace retort {

class Session {
 public:
  // Takes over an open connection; End() closes it.
  static std::unique_ptr<Session> Own(std::unique_ptr<Connection> db);
  // Lends the application's connection `db` (not owned) for one command.
  // Refused inside a transaction: retort's transactions would commit or
  // roll back the application's work. Records the session's settings for
  // End(): on PostgreSQL every parameter a session may SET, on SQLite the
  // pragmas a revision may change (foreign_keys, legacy_alter_table,
  // recursive_triggers, busy_timeout).
  static Result<std::unique_ptr<Session>> Borrow(Connection* db);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // End(), its error dropped.
  ~Session();

  Connection& db() { return *db_; }
  bool borrowed() const { return owned_ == nullptr; }

  // Owned: closes the connection. Borrowed: rolls back a transaction left
  // open (a failed run has already), then sets back every recorded setting
  // whose value differs now -- what retort set (lock_timeout,
  // statement_timeout, search_path, client_encoding, foreign_keys) and
  // what a revision set. The error names the settings it could not put
  // back. Idempotent.
  Status End();

 private:
  Session() = default;
  // The recorded settings, read again: (name, value) pairs.
  Result<std::vector<std::pair<std::string, std::string>>> ReadSettings();
  Status Restore(const std::string& name, const std::string& value);

  std::unique_ptr<Connection> owned_;
  Connection* db_ = nullptr;
  std::vector<std::pair<std::string, std::string>> saved_;
  bool ended_ = false;
};

// What a session is opened for.
enum class SessionUse {
  // upgrade, downgrade, stamp: the run's timeouts (RunSettings), and on
  // SQLite foreign keys enforced and lock waits as long as the migration
  // lock's.
  kRun,
  // current, verify, lint: the same timeouts; an SQLite file is opened
  // read-only (callers check first that it exists).
  kRead,
};

// Whether `target` has no database to read yet: SQLite in memory, or a
// file that does not exist (a read-only command then finds no version
// table, and must not create the file by opening it). False for
// PostgreSQL and for a borrowed connection.
Result<bool> NoDatabaseYet(const RunTarget& target);

// A session on `target`'s database: target.borrowed when set (its URL is
// then not used), else a connection to target.url.
Result<std::unique_ptr<Session>> OpenSession(const RunTarget& target,
                                             const RunSettings& settings,
                                             SessionUse use);

// Opens a connection for runs on `url` with the session settings of
// `settings` (lock_timeout, statement_timeout) applied; the fan-out keeps
// one per job and runs many targets on it.
Result<std::unique_ptr<Connection>> ConnectForRun(const std::string& url,
                                                  const RunSettings& settings);

}  // namespace retort

#endif  // RETORT_RUNTIME_SESSION_H_
