// SqliteConnection: the Connection interface over libsqlite3.
#ifndef RETORT_DIALECT_SQLITE_H_
#define RETORT_DIALECT_SQLITE_H_

#include <memory>
#include <string>
#include <string_view>

#include "dialect/dialect.h"

struct sqlite3;

namespace retort {

// SqliteConnection is one handle on a database file (or ":memory:"). It opens
// with extended result codes, the configured busy timeout and
// `PRAGMA foreign_keys=ON` (SQLite's default is off, which no migration
// author expects).
class SqliteConnection : public Connection {
 public:
  // `path` is a filename or ":memory:"; the file is created unless
  // options.sqlite_read_only.
  static Result<std::unique_ptr<SqliteConnection>> Open(
      const std::string& path, const ConnectOptions& options = {});

  // A handle the application opened and keeps (retort/connection.h):
  // Close() leaves it open; its busy handler and result-code mode are left
  // as the application set them. path() is the main database's file ("" for
  // an in-memory or temporary database).
  static Result<std::unique_ptr<SqliteConnection>> Borrow(sqlite3* db);

  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  // Runs each statement of `sql` in turn (sqlite3_prepare_v2 with its tail),
  // stopping at the first error. The error's position is relative to `sql`.
  Status Execute(std::string_view sql) override;
  // Exactly one statement; $N, ?N and ? placeholders bind params[N-1].
  Result<QueryResult> Query(std::string_view sql,
                            const Params& params = {}) override;
  // BEGIN DEFERRED / IMMEDIATE / EXCLUSIVE.
  Status Begin(BeginMode mode = BeginMode::kDeferred) override;
  Status Commit() override;
  // Outside a transaction this does nothing.
  Status Rollback() override;
  bool InTransaction() const override;
  int ServerVersion() const override;
  std::string QuoteIdent(std::string_view ident) const override;
  std::string QuoteLiteral(std::string_view value) const override;
  void Close() override;
  bool IsOpen() const override { return db_ != nullptr; }

  void SetBusyTimeout(int milliseconds);
  // sqlite3_interrupt: the statement running on another thread stops with
  // SQLITE_INTERRUPT. Not safe against a concurrent Close().
  void Interrupt();
  const std::string& path() const { return path_; }

 private:
  SqliteConnection(sqlite3* db, std::string path, bool owned = true);
  // Records the handle's current error (offset `base` bytes into `sql`).
  Status Fail(std::string_view sql, size_t base);

  sqlite3* db_;
  std::string path_;
  // False for a borrowed handle: Close() does not close it.
  bool owned_ = true;
};

// The name of an SQLite (extended) result code: 2067 ->
// "SQLITE_CONSTRAINT_UNIQUE".
std::string SqliteCodeName(int code);

}  // namespace retort

#endif  // RETORT_DIALECT_SQLITE_H_
