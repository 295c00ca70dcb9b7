// PostgresConnection: the Connection interface over libpq.
#ifndef RETORT_DIALECT_POSTGRES_H_
#define RETORT_DIALECT_POSTGRES_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "dialect/dialect.h"

// libpq's handles, forward-declared so users of this header need no libpq.
struct pg_conn;
struct pg_result;
struct pg_cancel;

namespace retort {

// PostgresConnection is one libpq session. Statements are sent as text; every
// value comes back in PostgreSQL's text format. Notices are swallowed unless
// a handler is set (libpq's default prints them to stderr).
class PostgresConnection : public Connection {
 public:
  // `conninfo` is a libpq URI (postgresql://...) or keyword string
  // (host=... dbname=...), handed to libpq unchanged so PGHOST, PGPASSWORD,
  // ~/.pgpass and PGSERVICE apply as they do for psql. The error on failure
  // is libpq's message with the password (if any) masked.
  static Result<std::unique_ptr<PostgresConnection>> Open(
      const std::string& conninfo, const ConnectOptions& options = {});

  // A session the application opened and keeps (retort/connection.h):
  // Close() leaves it open, and its notice receiver stays the
  // application's. Fails unless the connection is established.
  static Result<std::unique_ptr<PostgresConnection>> Borrow(pg_conn* conn);

  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Status Execute(std::string_view sql) override;
  Result<QueryResult> Query(std::string_view sql,
                            const Params& params = {}) override;
  Status QueryEach(const std::vector<std::string>& sqls,
                   const ResultHandler& on_result) override;
  Status Begin(BeginMode mode = BeginMode::kDeferred) override;
  Status Commit() override;
  // Outside a transaction this does nothing (PostgreSQL would only warn).
  Status Rollback() override;
  bool InTransaction() const override;
  int ServerVersion() const override { return server_version_; }
  std::string QuoteIdent(std::string_view ident) const override;
  std::string QuoteLiteral(std::string_view value) const override;
  void SetNoticeHandler(NoticeHandler handler) override;
  void Close() override;
  bool IsOpen() const override;

  // The server process serving this session (pg_backend_pid()).
  int backend_pid() const;

  // Asks the server to cancel the statement this session is running
  // (PQcancel). Safe to call from any thread while another thread runs a
  // statement on this connection; a session that runs nothing ignores it.
  // False, with libpq's reason in *error, when the request could not be
  // sent.
  bool RequestCancel(std::string* error);

  // A second session to the same server and database, opened with the
  // same conninfo and options (a watcher's connection); for a borrowed
  // session, with the parameters libpq reports for it (PQconninfo).
  Result<std::unique_ptr<PostgresConnection>> OpenAnother() const;

 private:
  PostgresConnection(pg_conn* conn, bool owned);
  // Sends `sql` (with the extended protocol when `params` is non-null) and
  // consumes every result; the rows of the last one land in `out`.
  Status Run(std::string_view sql, const Params* params, QueryResult* out);
  Status Fail(DbError error);
  static void OnNotice(void* self, const pg_result* result);

  pg_conn* conn_;
  // False for a borrowed session: Close() does not PQfinish it.
  bool owned_ = true;
  int server_version_ = 0;
  std::string conninfo_;
  ConnectOptions options_;
  // RequestCancel's handle; freed by Close under cancel_mu_.
  std::mutex cancel_mu_;
  pg_cancel* cancel_ = nullptr;
  NoticeHandler notice_handler_;
};

}  // namespace retort

#endif  // RETORT_DIALECT_POSTGRES_H_
