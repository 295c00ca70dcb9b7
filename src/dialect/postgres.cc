// PostgresConnection over libpq: asynchronous send + result loop so that
// every result of a multi-statement string (and any COPY) is consumed.
#include "dialect/postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace retort {

namespace {

std::string TrimTrailingNewlines(std::string text) {
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// Replaces every occurrence of `secret` in `text` with "***". Passwords
// shorter than four bytes are left alone: masking "ab" everywhere would
// mangle the message and hide nothing worth hiding.
std::string MaskSecret(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

// The password a conninfo string carries, if any; libpq's own parser decides
// (URI or keyword form, percent-decoding, quoting).
std::vector<std::string> PasswordsIn(const std::string& conninfo) {
  std::vector<std::string> found;
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (options == nullptr) return found;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") {
      found.emplace_back(o->val);
    }
  }
  PQconninfoFree(options);
  return found;
}

std::string Field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

DbError ErrorFromResult(const PGresult* result, std::string_view sql) {
  DbError error;
  error.severity = Field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (error.severity.empty()) error.severity = Field(result, PG_DIAG_SEVERITY);
  error.sqlstate = Field(result, PG_DIAG_SQLSTATE);
  error.message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (error.message.empty()) {
    error.message = TrimTrailingNewlines(PQresultErrorMessage(result));
  }
  error.detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  error.hint = Field(result, PG_DIAG_MESSAGE_HINT);
  error.context = Field(result, PG_DIAG_CONTEXT);
  std::string position = Field(result, PG_DIAG_STATEMENT_POSITION);
  if (!position.empty()) error.position = std::atoi(position.c_str());
  error.statement = std::string(sql);
  return error;
}

// The first keyword of `sql`, upper-cased, after whitespace and comments.
std::string FirstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v' || c == '(') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
      if (i == std::string_view::npos) return "";
    } else if (sql.substr(i, 2) == "/*") {
      int depth = 0;  // PostgreSQL's block comments nest
      do {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (depth > 0 && i < sql.size());
    } else {
      break;
    }
  }
  std::string word;
  for (; i < sql.size(); ++i) {
    char c = sql[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    word += c;
  }
  return word;
}

// Whether `sql` must not travel in a pipeline: COPY switches the protocol
// into copy mode, which libpq does not allow in a pipeline; statements that
// end the transaction would make the rest of the pipeline one implicit
// transaction instead of autocommitting each, as they would one by one.
bool KeepOutOfPipeline(std::string_view sql) {
  std::string word = FirstKeyword(sql);
  return word == "COPY" || word == "COMMIT" || word == "END" ||
         word == "ROLLBACK" || word == "ABORT" || word == "PREPARE";
}

int64_t AffectedRows(PGresult* result) {
  const char* tuples = PQcmdTuples(result);
  if (tuples == nullptr || *tuples == '\0') return -1;
  return std::atoll(tuples);
}

// Frees a PGresult when it goes out of scope.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::Open(
    const std::string& conninfo, const ConnectOptions& options) {
  // Defaults go before "dbname" (which libpq expands from `conninfo`): what
  // the URL says overrides them; environment variables are respected by not
  // passing a default at all.
  std::vector<const char*> keys;
  std::vector<const char*> values;
  std::string timeout = std::to_string(options.connect_timeout_seconds);
  if (options.connect_timeout_seconds > 0 &&
      std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    keys.push_back("connect_timeout");
    values.push_back(timeout.c_str());
  }
  if (std::getenv("PGCLIENTENCODING") == nullptr) {
    // Revision files are UTF-8, and error positions are counted in the
    // client encoding's characters.
    keys.push_back("client_encoding");
    values.push_back("UTF8");
  }
  keys.push_back("dbname");
  values.push_back(conninfo.c_str());
  if (!options.application_name.empty()) {
    keys.push_back("fallback_application_name");
    values.push_back(options.application_name.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  PGconn* conn = PQconnectdbParams(keys.data(), values.data(),
                                   /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Database("out of memory in libpq");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = TrimTrailingNewlines(PQerrorMessage(conn));
    PQfinish(conn);
    for (const std::string& password : PasswordsIn(conninfo)) {
      message = MaskSecret(std::move(message), password);
    }
    if (const char* env = std::getenv("PGPASSWORD")) {
      message = MaskSecret(std::move(message), env);
    }
    return Status::Database(std::move(message));
  }
  return std::unique_ptr<PostgresConnection>(new PostgresConnection(conn));
}

PostgresConnection::PostgresConnection(pg_conn* conn) : conn_(conn) {
  server_version_ = PQserverVersion(conn_);
  PQsetNoticeReceiver(conn_, &PostgresConnection::OnNotice, this);
}

PostgresConnection::~PostgresConnection() { Close(); }

void PostgresConnection::Close() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

bool PostgresConnection::IsOpen() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

int PostgresConnection::backend_pid() const {
  return conn_ == nullptr ? 0 : PQbackendPID(conn_);
}

void PostgresConnection::SetNoticeHandler(NoticeHandler handler) {
  notice_handler_ = std::move(handler);
}

void PostgresConnection::OnNotice(void* self, const pg_result* result) {
  auto* connection = static_cast<PostgresConnection*>(self);
  if (!connection->notice_handler_) return;
  DbError notice = ErrorFromResult(result, "");
  connection->notice_handler_(notice);
}

Status PostgresConnection::Fail(DbError error) {
  last_error_ = std::move(error);
  return last_error_.ToStatus();
}

Status PostgresConnection::Run(std::string_view sql, const Params* params,
                               QueryResult* out) {
  last_error_ = DbError();
  if (conn_ == nullptr) {
    return Fail(
        DbError::Client("", "the connection is closed", std::string(sql)));
  }
  std::string text(sql);
  int sent;
  if (params == nullptr) {
    sent = PQsendQuery(conn_, text.c_str());
  } else {
    std::vector<const char*> values;
    values.reserve(params->size());
    for (const auto& p : *params) {
      values.push_back(p.has_value() ? p->c_str() : nullptr);
    }
    sent =
        PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0);
  }
  if (!sent) {
    return Fail(
        DbError::Client("", TrimTrailingNewlines(PQerrorMessage(conn_)), text));
  }

  // The first error wins; later results (there are none after an error in a
  // simple query, but a COPY abort produces one) are drained regardless so
  // the connection stays usable.
  std::optional<DbError> error;
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr result(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        if (out != nullptr && !error) {
          *out = QueryResult();
          int ncols = PQnfields(raw);
          int nrows = PQntuples(raw);
          for (int c = 0; c < ncols; ++c)
            out->columns.emplace_back(PQfname(raw, c));
          out->rows.reserve(nrows);
          for (int r = 0; r < nrows; ++r) {
            Row row;
            row.reserve(ncols);
            for (int c = 0; c < ncols; ++c) {
              if (PQgetisnull(raw, r, c)) {
                row.emplace_back(std::nullopt);
              } else {
                row.emplace_back(
                    std::string(PQgetvalue(raw, r, c), PQgetlength(raw, r, c)));
              }
            }
            out->rows.push_back(std::move(row));
          }
          out->affected_rows = AffectedRows(raw);
        }
        break;
      case PGRES_COPY_IN:
        // Migrations run from files, not from a terminal: there is no stdin
        // to feed. Abort the COPY; the server's error becomes ours.
        PQputCopyEnd(conn_, "retort cannot feed COPY FROM STDIN");
        break;
      case PGRES_COPY_OUT: {
        char* buffer = nullptr;
        while (PQgetCopyData(conn_, &buffer, 0) > 0) PQfreemem(buffer);
        if (!error) {
          error = DbError::Client("", "retort cannot run COPY TO STDOUT", text);
        }
        break;
      }
      default:
        if (!error) error = ErrorFromResult(raw, text);
        break;
    }
  }
  if (error) return Fail(std::move(*error));
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Fail(
        DbError::Client("", TrimTrailingNewlines(PQerrorMessage(conn_)), text));
  }
  return Status::OK();
}

Status PostgresConnection::Execute(std::string_view sql) {
  return Run(sql, nullptr, nullptr);
}

Result<QueryResult> PostgresConnection::Query(std::string_view sql,
                                              const Params& params) {
  QueryResult result;
  RETORT_RETURN_IF_ERROR(Run(sql, &params, &result));
  return result;
}

Status PostgresConnection::ExecuteBatch(const std::vector<BatchStatement>& batch,
                                        std::vector<int64_t>* affected_rows,
                                        size_t* failed_index) {
  bool pipeline = conn_ != nullptr &&
                  PQtransactionStatus(conn_) == PQTRANS_INTRANS &&
                  PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
  for (size_t i = 0; pipeline && i < batch.size(); ++i) {
    if (KeepOutOfPipeline(batch[i].sql)) pipeline = false;
  }
  if (!pipeline) {
    if (affected_rows != nullptr) affected_rows->clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      QueryResult result;
      Status status = Run(batch[i].sql,
                          batch[i].parameterized ? &batch[i].params : nullptr,
                          &result);
      if (!status.ok()) {
        if (failed_index != nullptr) *failed_index = i;
        return status;
      }
      if (affected_rows != nullptr) {
        affected_rows->push_back(result.affected_rows);
      }
    }
    if (failed_index != nullptr) *failed_index = batch.size();
    return Status::OK();
  }

  if (affected_rows != nullptr) affected_rows->clear();
  last_error_ = DbError();
  // Why a cap: in blocking mode libpq writes the whole pipeline before it
  // reads a single result, while the server writes results as it goes. If
  // those results (a SELECT in a revision, a flood of notices) outgrow the
  // socket buffers while we are still writing, both sides wait on each
  // other -- the deadlock libpq's manual warns about for blocking-mode
  // pipelines. libpq does read while a write would block, but only by
  // buffering everything in memory. Bounding a pipeline keeps what is in
  // flight small; a migration step is rarely longer, and beyond that the
  // round trips saved are a vanishing share of the time anyway.
  for (size_t begin = 0; begin < batch.size();
       begin += kMaxPipelinedStatements) {
    size_t end = std::min(batch.size(), begin + kMaxPipelinedStatements);
    RETORT_RETURN_IF_ERROR(
        RunPipeline(batch, begin, end, affected_rows, failed_index));
  }
  if (failed_index != nullptr) *failed_index = batch.size();
  return Status::OK();
}

Status PostgresConnection::RunPipeline(const std::vector<BatchStatement>& batch,
                                       size_t begin, size_t end,
                                       std::vector<int64_t>* affected_rows,
                                       size_t* failed_index) {
  std::optional<DbError> error;
  size_t error_index = end;
  auto fail_at = [&](size_t index, DbError e) {
    if (error) return;
    error = std::move(e);
    error_index = index;
  };
  auto client_error = [&](std::string_view sql) {
    return DbError::Client("", TrimTrailingNewlines(PQerrorMessage(conn_)),
                           std::string(sql));
  };
  if (PQenterPipelineMode(conn_) != 1) {
    if (failed_index != nullptr) *failed_index = begin;
    return Fail(client_error(batch[begin].sql));
  }

  size_t sent = begin;
  for (; sent < end; ++sent) {
    const BatchStatement& statement = batch[sent];
    std::string text(statement.sql);
    std::vector<const char*> values;
    if (statement.parameterized) {
      values.reserve(statement.params.size());
      for (const auto& p : statement.params) {
        values.push_back(p.has_value() ? p->c_str() : nullptr);
      }
    }
    if (!PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()),
                           nullptr, values.data(), nullptr, nullptr, 0)) {
      fail_at(sent, client_error(statement.sql));
      break;
    }
  }
  const bool synced = PQpipelineSync(conn_) == 1;
  if (!synced) fail_at(sent < end ? sent : end - 1, client_error(""));

  // One group of results per statement sent, each ended by a NULL. After the
  // first error the server skips the rest up to the sync point: those come
  // back as PGRES_PIPELINE_ABORTED.
  for (size_t i = begin; i < sent && PQstatus(conn_) == CONNECTION_OK; ++i) {
    while (PGresult* raw = PQgetResult(conn_)) {
      ResultPtr result(raw);
      switch (PQresultStatus(raw)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
          if (!error && affected_rows != nullptr) {
            affected_rows->push_back(AffectedRows(raw));
          }
          break;
        case PGRES_PIPELINE_ABORTED:
          fail_at(i, DbError::Client("", "the pipeline was aborted",
                                     std::string(batch[i].sql)));
          break;
        case PGRES_COPY_IN:
          // KeepOutOfPipeline() sends COPY one by one; should one slip
          // through (a COPY behind a WITH?), end it as Run() does.
          PQputCopyEnd(conn_, "retort cannot feed COPY FROM STDIN");
          break;
        case PGRES_COPY_OUT: {
          char* buffer = nullptr;
          while (PQgetCopyData(conn_, &buffer, 0) > 0) PQfreemem(buffer);
          fail_at(i, DbError::Client("", "retort cannot run COPY TO STDOUT",
                                     std::string(batch[i].sql)));
          break;
        }
        default:
          fail_at(i, ErrorFromResult(raw, batch[i].sql));
          break;
      }
    }
  }
  if (synced && PQstatus(conn_) == CONNECTION_OK) {
    // The sync point's own result; anything else here is unexpected but is
    // drained so the connection stays usable.
    while (PGresult* raw = PQgetResult(conn_)) {
      ResultPtr result(raw);
      if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) break;
    }
  }
  if (PQexitPipelineMode(conn_) != 1 && PQstatus(conn_) == CONNECTION_OK) {
    fail_at(end - 1, client_error(""));
  }
  if (!error && PQstatus(conn_) != CONNECTION_OK) {
    fail_at(sent < end ? sent : end - 1, client_error(""));
  }
  if (error) {
    if (failed_index != nullptr) *failed_index = error_index;
    return Fail(std::move(*error));
  }
  return Status::OK();
}

Status PostgresConnection::Begin(BeginMode mode) {
  (void)mode;  // PostgreSQL takes locks per statement; one kind of BEGIN.
  return Execute("BEGIN");
}

Status PostgresConnection::Commit() {
  if (conn_ != nullptr && PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    // COMMIT of an aborted transaction "succeeds" with a ROLLBACK tag;
    // a migrator must not mistake that for success.
    RETORT_RETURN_IF_ERROR(Execute("ROLLBACK"));
    return Fail(DbError::Client("25P02",
                                "current transaction is aborted; it was rolled "
                                "back instead of committed",
                                "COMMIT"));
  }
  if (!InTransaction()) {
    return Fail(DbError::Client("25P01", "there is no transaction in progress",
                                "COMMIT"));
  }
  return Execute("COMMIT");
}

Status PostgresConnection::Rollback() {
  if (!InTransaction()) return Status::OK();
  return Execute("ROLLBACK");
}

bool PostgresConnection::InTransaction() const {
  if (conn_ == nullptr) return false;
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR ||
         status == PQTRANS_ACTIVE;
}

std::string PostgresConnection::QuoteIdent(std::string_view ident) const {
  return QuoteSqlIdent(ident);
}

std::string PostgresConnection::QuoteLiteral(std::string_view value) const {
  return QuotePgLiteral(value);
}

}  // namespace retort
