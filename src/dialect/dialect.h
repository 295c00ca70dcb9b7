// The database interface every layer above talks to: a Connection, the
// structured error a database reports (DbError), and which dialect it is.
// Implementations: postgres.h (libpq) and sqlite.h (libsqlite3).
#ifndef RETORT_DIALECT_DIALECT_H_
#define RETORT_DIALECT_DIALECT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"

namespace retort {

// Which database a connection or a URL speaks. New databases are added here
// and get their own Connection implementation; nothing else keys on the
// number of enumerators.
enum class Dialect {
  kPostgres,
  kSqlite,
};

// "postgresql" or "sqlite": the name used in URLs, messages and JSON output.
std::string_view DialectName(Dialect dialect);

// DbError is what the database said about a failed statement (or, with
// severity NOTICE/WARNING/..., a message it sent along the way). Kept as a
// record rather than a flat string so callers can map `position` back to a
// line of a revision file and branch on `sqlstate`.
struct DbError {
  // "ERROR", "FATAL", "NOTICE", "WARNING", ...; PostgreSQL's non-localized
  // severity. SQLite errors are always "ERROR".
  std::string severity;
  // PostgreSQL: the five-character SQLSTATE ("42P01"). SQLite has no
  // SQLSTATEs: the extended result code's name ("SQLITE_CONSTRAINT_UNIQUE").
  // Empty when the failure happened outside the server (connection lost).
  std::string sqlstate;
  std::string message;  // primary message, one line
  std::string detail;   // optional
  std::string hint;     // optional
  std::string context;  // optional: PL/pgSQL call stack and the like
  // 1-based *character* (not byte) position inside `statement` where the
  // error was detected; 0 when the database did not say.
  int position = 0;
  // The SQL text that was sent (the whole string handed to Execute/Query).
  std::string statement;

  // An ERROR raised on the client side (a closed connection, a COPY we cannot
  // feed) in the same shape as the server's.
  static DbError Client(std::string sqlstate, std::string message,
                        std::string statement);

  // Status::Database with the message a user reads:
  //   ERROR 42P01: relation "x" does not exist
  //   DETAIL: ...
  //   HINT: ...
  //   CONTEXT: ...
  // (only the lines that are present; the statement itself is left to the
  // caller, which knows the file and line it came from).
  Status ToStatus() const;
};

// One cell is NULL (nullopt) or the value in the database's text format.
using Row = std::vector<std::optional<std::string>>;

// QueryResult holds everything a statement returned, fully materialised:
// migrations read small results (version rows, catalog queries).
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  // Rows inserted/updated/deleted by the statement, or -1 when not reported.
  int64_t affected_rows = -1;
};

// Text parameters for Query: nullopt binds SQL NULL. Placeholders are $1, $2,
// ... in both dialects (SQLite also accepts ?NNN and bare ?).
using Params = std::vector<std::optional<std::string>>;

// How Begin() opens a transaction. PostgreSQL has only one kind: the modes
// exist for SQLite, where kImmediate takes the write lock at once (what the
// migrator uses to serialise concurrent `upgrade`s).
enum class BeginMode {
  kDeferred,
  kImmediate,
  kExclusive,
};

// ConnectOptions tune how Connect() opens a session; the URL wins where both
// say something (a connect_timeout in the URL beats connect_timeout_seconds).
struct ConnectOptions {
  // PostgreSQL: seconds to wait for the server before giving up; 0 leaves it
  // to libpq (wait forever, or PGCONNECT_TIMEOUT). Default: 10.
  int connect_timeout_seconds = 10;
  // PostgreSQL: application_name shown in pg_stat_activity unless the URL or
  // PGAPPNAME names one. Default: "retort".
  std::string application_name = "retort";
  // SQLite: how long a statement waits for another connection's lock before
  // failing with SQLITE_BUSY. Default: 5000 ms.
  int sqlite_busy_timeout_ms = 5000;
  // SQLite: open read-only; the file must exist. Default: false.
  bool sqlite_read_only = false;
};

// Receives NOTICE/WARNING/INFO messages the server sends while a statement
// runs (RAISE NOTICE, "relation already exists, skipping").
using NoticeHandler = std::function<void(const DbError& notice)>;

// Connection is one open session with a database. Not thread-safe: one
// thread uses a connection at a time. Every failing call returns a
// Status::Database built by DbError::ToStatus() and leaves the structured
// error in last_error() until the next call.
class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;

  // Runs SQL that may hold several statements; results are discarded.
  // PostgreSQL runs them as one simple-query message (an implicit
  // transaction when none is open); SQLite runs them one by one.
  virtual Status Execute(std::string_view sql) = 0;

  // Runs one statement with optional parameters and returns its rows.
  virtual Result<QueryResult> Query(std::string_view sql,
                                    const Params& params = {}) = 0;

  // Runs the statements of `sqls` (one each, no parameters) and hands each
  // result to `on_result` in order, as it arrives; stops at the first
  // failed statement or handler and returns that status. PostgreSQL sends
  // them all at once (libpq's pipeline mode, when the loaded libpq has
  // it): the server runs each query while the client is still reading the
  // one before. The default runs them one by one with Query.
  using ResultHandler = std::function<Status(size_t index, QueryResult result)>;
  virtual Status QueryEach(const std::vector<std::string>& sqls,
                           const ResultHandler& on_result);

  virtual Status Begin(BeginMode mode = BeginMode::kDeferred) = 0;
  // Fails (and rolls back) if the transaction is aborted by an earlier error:
  // PostgreSQL would otherwise answer COMMIT with a silent ROLLBACK.
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // True inside an explicit transaction, including an aborted one.
  virtual bool InTransaction() const = 0;

  // PostgreSQL: server_version_num (150004). SQLite: the library's
  // sqlite3_libversion_number() (3040001).
  virtual int ServerVersion() const = 0;

  // Always-quoted identifier ("my ""table""") and string literal ('it''s').
  virtual std::string QuoteIdent(std::string_view ident) const = 0;
  virtual std::string QuoteLiteral(std::string_view value) const = 0;

  // Optional: databases without notices (SQLite) ignore the handler. Pass an
  // empty handler to drop notices again (the default: nothing is printed).
  virtual void SetNoticeHandler(NoticeHandler handler) { (void)handler; }

  // Closes the session; later calls fail. Idempotent; the destructor closes.
  virtual void Close() = 0;
  virtual bool IsOpen() const = 0;

  // The error of the most recent failing call (empty message if it
  // succeeded).
  const DbError& last_error() const { return last_error_; }

 protected:
  Connection() = default;
  DbError last_error_;
};

// Quoting shared by the dialects (both follow the SQL standard here), so
// offline SQL rendering can quote without a connection.
std::string QuoteSqlIdent(std::string_view ident);
// PostgreSQL: a backslash switches to an E'' literal so the result means the
// same whatever standard_conforming_strings says.
std::string QuotePgLiteral(std::string_view value);
std::string QuoteSqliteLiteral(std::string_view value);

}  // namespace retort

#endif  // RETORT_DIALECT_DIALECT_H_
