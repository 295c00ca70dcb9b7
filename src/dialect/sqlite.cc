// SqliteConnection over libsqlite3: prepare/step loops so each statement's
// error carries its position, and $N placeholders work as on PostgreSQL.
#include "dialect/sqlite.h"

#include <sqlite3.h>

#include <cstdlib>
#include <utility>

namespace retort {

namespace {

// Finalizes a prepared statement when it goes out of scope.
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// 1-based character position of byte `offset` in UTF-8 `text`, matching
// PostgreSQL's convention for DbError::position.
int CharPosition(std::string_view text, size_t offset) {
  int chars = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars + 1;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
        c != '\v') {
      return false;
    }
  }
  return true;
}

// Which params[] entry binds the placeholder at 1-based `index`: "$3", "?3",
// ":3" and "@3" mean params[2]; a bare "?" means the index-th parameter.
// Returns -1 for names that are not numbers.
int ParamSlot(sqlite3_stmt* stmt, int index) {
  const char* name = sqlite3_bind_parameter_name(stmt, index);
  if (name == nullptr) return index - 1;
  std::string_view digits(name + 1);
  if (digits.empty()) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || n > 100000) return -1;
    n = n * 10 + (c - '0');
  }
  return n - 1;
}

}  // namespace

std::string SqliteCodeName(int code) {
  switch (code) {
#define RETORT_SQLITE_CODE(c) \
  case c:                     \
    return #c;
    RETORT_SQLITE_CODE(SQLITE_OK)
    RETORT_SQLITE_CODE(SQLITE_ERROR)
    RETORT_SQLITE_CODE(SQLITE_INTERNAL)
    RETORT_SQLITE_CODE(SQLITE_PERM)
    RETORT_SQLITE_CODE(SQLITE_ABORT)
    RETORT_SQLITE_CODE(SQLITE_BUSY)
    RETORT_SQLITE_CODE(SQLITE_LOCKED)
    RETORT_SQLITE_CODE(SQLITE_NOMEM)
    RETORT_SQLITE_CODE(SQLITE_READONLY)
    RETORT_SQLITE_CODE(SQLITE_INTERRUPT)
    RETORT_SQLITE_CODE(SQLITE_IOERR)
    RETORT_SQLITE_CODE(SQLITE_CORRUPT)
    RETORT_SQLITE_CODE(SQLITE_NOTFOUND)
    RETORT_SQLITE_CODE(SQLITE_FULL)
    RETORT_SQLITE_CODE(SQLITE_CANTOPEN)
    RETORT_SQLITE_CODE(SQLITE_PROTOCOL)
    RETORT_SQLITE_CODE(SQLITE_EMPTY)
    RETORT_SQLITE_CODE(SQLITE_SCHEMA)
    RETORT_SQLITE_CODE(SQLITE_TOOBIG)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT)
    RETORT_SQLITE_CODE(SQLITE_MISMATCH)
    RETORT_SQLITE_CODE(SQLITE_MISUSE)
    RETORT_SQLITE_CODE(SQLITE_NOLFS)
    RETORT_SQLITE_CODE(SQLITE_AUTH)
    RETORT_SQLITE_CODE(SQLITE_FORMAT)
    RETORT_SQLITE_CODE(SQLITE_RANGE)
    RETORT_SQLITE_CODE(SQLITE_NOTADB)
    RETORT_SQLITE_CODE(SQLITE_ERROR_MISSING_COLLSEQ)
    RETORT_SQLITE_CODE(SQLITE_ERROR_RETRY)
    RETORT_SQLITE_CODE(SQLITE_ERROR_SNAPSHOT)
    RETORT_SQLITE_CODE(SQLITE_BUSY_RECOVERY)
    RETORT_SQLITE_CODE(SQLITE_BUSY_SNAPSHOT)
    RETORT_SQLITE_CODE(SQLITE_BUSY_TIMEOUT)
    RETORT_SQLITE_CODE(SQLITE_LOCKED_SHAREDCACHE)
    RETORT_SQLITE_CODE(SQLITE_READONLY_RECOVERY)
    RETORT_SQLITE_CODE(SQLITE_READONLY_CANTLOCK)
    RETORT_SQLITE_CODE(SQLITE_READONLY_ROLLBACK)
    RETORT_SQLITE_CODE(SQLITE_READONLY_DBMOVED)
    RETORT_SQLITE_CODE(SQLITE_READONLY_DIRECTORY)
    RETORT_SQLITE_CODE(SQLITE_CANTOPEN_ISDIR)
    RETORT_SQLITE_CODE(SQLITE_CANTOPEN_FULLPATH)
    RETORT_SQLITE_CODE(SQLITE_CORRUPT_INDEX)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_CHECK)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_COMMITHOOK)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_FOREIGNKEY)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_FUNCTION)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_NOTNULL)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_PRIMARYKEY)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_TRIGGER)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_UNIQUE)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_VTAB)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_ROWID)
    RETORT_SQLITE_CODE(SQLITE_CONSTRAINT_DATATYPE)
#undef RETORT_SQLITE_CODE
    default:
      break;
  }
  // An extended code we do not list: name its primary code instead.
  if ((code & 0xff) != code) return SqliteCodeName(code & 0xff);
  return "SQLITE_" + std::to_string(code);
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, const ConnectOptions& options) {
  int flags = options.sqlite_read_only
                  ? SQLITE_OPEN_READONLY
                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Database("cannot open SQLite database '" + path +
                            "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db, path));
  connection->SetBusyTimeout(options.sqlite_busy_timeout_ms);
  // Reading the schema proves the file is a database: opening is lazy and
  // would accept any file.
  Status st = connection->Execute(
      "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master");
  if (!st.ok()) {
    return st.WithContext("cannot open SQLite database '" + path + "'");
  }
  return connection;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Borrow(
    sqlite3* db) {
  if (db == nullptr) {
    return Status::InvalidArgument("the borrowed SQLite connection is null");
  }
  const char* file = sqlite3_db_filename(db, "main");
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(
      db, file != nullptr ? std::string(file) : std::string(),
      /*owned=*/false));
}

SqliteConnection::SqliteConnection(sqlite3* db, std::string path, bool owned)
    : db_(db), path_(std::move(path)), owned_(owned) {}

SqliteConnection::~SqliteConnection() { Close(); }

void SqliteConnection::Close() {
  if (db_ != nullptr && owned_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void SqliteConnection::Interrupt() {
  if (db_ != nullptr) sqlite3_interrupt(db_);
}

void SqliteConnection::SetBusyTimeout(int milliseconds) {
  if (db_ != nullptr) sqlite3_busy_timeout(db_, milliseconds);
}

Status SqliteConnection::Fail(std::string_view sql, size_t base) {
  DbError error;
  error.severity = "ERROR";
  error.sqlstate = SqliteCodeName(sqlite3_extended_errcode(db_));
  error.message = sqlite3_errmsg(db_);
  error.statement = std::string(sql);
#if SQLITE_VERSION_NUMBER >= 3038000
  int offset = sqlite3_error_offset(db_);
  if (offset >= 0) error.position = CharPosition(sql, base + offset);
#else
  (void)base;
#endif
  last_error_ = std::move(error);
  return last_error_.ToStatus();
}

Status SqliteConnection::Execute(std::string_view sql) {
  last_error_ = DbError();
  if (db_ == nullptr) {
    last_error_ =
        DbError::Client("", "the connection is closed", std::string(sql));
    return last_error_.ToStatus();
  }
  const char* begin = sql.data();
  const char* end = sql.data() + sql.size();
  const char* cursor = begin;
  while (cursor < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, cursor, static_cast<int>(end - cursor),
                                &raw, &tail);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return Fail(sql, cursor - begin);
    if (stmt == nullptr) break;  // only whitespace and comments were left
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Fail(sql, cursor - begin);
    cursor = tail;
  }
  return Status::OK();
}

Result<QueryResult> SqliteConnection::Query(std::string_view sql,
                                            const Params& params) {
  last_error_ = DbError();
  if (db_ == nullptr) {
    last_error_ =
        DbError::Client("", "the connection is closed", std::string(sql));
    return last_error_.ToStatus();
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                              &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return Fail(sql, 0);
  auto usage_error = [&](std::string message) {
    last_error_ =
        DbError::Client("SQLITE_MISUSE", std::move(message), std::string(sql));
    return last_error_.ToStatus();
  };
  if (stmt == nullptr) return QueryResult();
  {
    // A second statement in the tail would be silently ignored otherwise.
    sqlite3_stmt* next = nullptr;
    size_t rest = sql.size() - (tail - sql.data());
    if (!IsBlank(std::string_view(tail, rest)) &&
        sqlite3_prepare_v2(db_, tail, static_cast<int>(rest), &next, nullptr) ==
            SQLITE_OK &&
        next != nullptr) {
      sqlite3_finalize(next);
      return usage_error(
          "Query() runs one statement; use Execute() for "
          "several");
    }
  }
  int nparams = sqlite3_bind_parameter_count(stmt.get());
  for (int i = 1; i <= nparams; ++i) {
    int slot = ParamSlot(stmt.get(), i);
    if (slot < 0 || slot >= static_cast<int>(params.size())) {
      const char* name = sqlite3_bind_parameter_name(stmt.get(), i);
      return usage_error("no value for parameter " +
                         std::string(name != nullptr ? name : "?") + " (" +
                         std::to_string(params.size()) + " given)");
    }
    const auto& value = params[slot];
    rc = value.has_value() ? sqlite3_bind_text(stmt.get(), i, value->data(),
                                               static_cast<int>(value->size()),
                                               SQLITE_TRANSIENT)
                           : sqlite3_bind_null(stmt.get(), i);
    if (rc != SQLITE_OK) return Fail(sql, 0);
  }

  QueryResult result;
  int ncols = sqlite3_column_count(stmt.get());
  for (int c = 0; c < ncols; ++c) {
    result.columns.emplace_back(sqlite3_column_name(stmt.get(), c));
  }
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    Row row;
    row.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      if (sqlite3_column_type(stmt.get(), c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
        continue;
      }
      // Text for every type (numbers as SQLite prints them); blobs raw.
      const void* data =
          sqlite3_column_type(stmt.get(), c) == SQLITE_BLOB
              ? sqlite3_column_blob(stmt.get(), c)
              : static_cast<const void*>(sqlite3_column_text(stmt.get(), c));
      int size = sqlite3_column_bytes(stmt.get(), c);
      const auto* text = static_cast<const char*>(data);
      row.emplace_back(text == nullptr ? std::string()
                                       : std::string(text, size));
    }
    result.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return Fail(sql, 0);
  if (!sqlite3_stmt_readonly(stmt.get())) {
    result.affected_rows = sqlite3_changes64(db_);
  }
  return result;
}

Status SqliteConnection::Begin(BeginMode mode) {
  switch (mode) {
    case BeginMode::kDeferred:
      return Execute("BEGIN DEFERRED");
    case BeginMode::kImmediate:
      return Execute("BEGIN IMMEDIATE");
    case BeginMode::kExclusive:
      return Execute("BEGIN EXCLUSIVE");
  }
  return Execute("BEGIN");
}

Status SqliteConnection::Commit() { return Execute("COMMIT"); }

Status SqliteConnection::Rollback() {
  if (!InTransaction()) return Status::OK();
  return Execute("ROLLBACK");
}

bool SqliteConnection::InTransaction() const {
  return db_ != nullptr && !sqlite3_get_autocommit(db_);
}

int SqliteConnection::ServerVersion() const {
  return sqlite3_libversion_number();
}

std::string SqliteConnection::QuoteIdent(std::string_view ident) const {
  return QuoteSqlIdent(ident);
}

std::string SqliteConnection::QuoteLiteral(std::string_view value) const {
  return QuoteSqliteLiteral(value);
}

}  // namespace retort
