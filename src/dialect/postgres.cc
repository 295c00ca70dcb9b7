// PostgresConnection over libpq: asynchronous send + result loop so that
// every result of a multi-statement string (and any COPY) is consumed.
#include "dialect/postgres.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "dialect/libpq.h"

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
  PQconninfoOption* options = Pq().PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) Pq().PQfreemem(err);
  if (options == nullptr) return found;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") {
      found.emplace_back(o->val);
    }
  }
  Pq().PQconninfoFree(options);
  return found;
}

std::string Field(const PGresult* result, int code) {
  const char* value = Pq().PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

DbError ErrorFromResult(const PGresult* result, std::string_view sql) {
  DbError error;
  error.severity = Field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (error.severity.empty()) error.severity = Field(result, PG_DIAG_SEVERITY);
  error.sqlstate = Field(result, PG_DIAG_SQLSTATE);
  error.message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (error.message.empty()) {
    error.message = TrimTrailingNewlines(Pq().PQresultErrorMessage(result));
  }
  error.detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  error.hint = Field(result, PG_DIAG_MESSAGE_HINT);
  error.context = Field(result, PG_DIAG_CONTEXT);
  std::string position = Field(result, PG_DIAG_STATEMENT_POSITION);
  if (!position.empty()) error.position = std::atoi(position.c_str());
  error.statement = std::string(sql);
  return error;
}

// Frees a PGresult when it goes out of scope.
struct ResultDeleter {
  void operator()(PGresult* r) const { Pq().PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::Open(
    const std::string& conninfo, const ConnectOptions& options) {
  RETORT_RETURN_IF_ERROR(LoadLibPq().status());
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

  PGconn* conn = Pq().PQconnectdbParams(keys.data(), values.data(),
                                        /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Database("out of memory in libpq");
  if (Pq().PQstatus(conn) != CONNECTION_OK) {
    std::string message = TrimTrailingNewlines(Pq().PQerrorMessage(conn));
    Pq().PQfinish(conn);
    for (const std::string& password : PasswordsIn(conninfo)) {
      message = MaskSecret(std::move(message), password);
    }
    if (const char* env = std::getenv("PGPASSWORD")) {
      message = MaskSecret(std::move(message), env);
    }
    return Status::Database(std::move(message));
  }
  auto opened = std::unique_ptr<PostgresConnection>(
      new PostgresConnection(conn, /*owned=*/true));
  opened->conninfo_ = conninfo;
  opened->options_ = options;
  return opened;
}

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::Borrow(
    pg_conn* conn) {
  RETORT_RETURN_IF_ERROR(LoadLibPq().status());
  if (conn == nullptr) {
    return Status::InvalidArgument("the borrowed PostgreSQL connection is null");
  }
  if (Pq().PQstatus(conn) != CONNECTION_OK) {
    return Status::InvalidArgument(
        "the borrowed PostgreSQL connection is not open (" +
        TrimTrailingNewlines(Pq().PQerrorMessage(conn)) +
        "); connect it before handing it to retort");
  }
  return std::unique_ptr<PostgresConnection>(
      new PostgresConnection(conn, /*owned=*/false));
}

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::OpenAnother()
    const {
  if (owned_ || conn_ == nullptr) return Open(conninfo_, options_);
  // The borrowed session's own parameters (host, port, user, password,
  // dbname, sslmode, ...), as a keyword string.
  PQconninfoOption* params = Pq().PQconninfo(conn_);
  if (params == nullptr) return Status::Database("out of memory in libpq");
  std::string conninfo;
  for (PQconninfoOption* p = params; p->keyword != nullptr; ++p) {
    if (p->val == nullptr || *p->val == '\0') continue;
    std::string value;
    for (const char* c = p->val; *c != '\0'; ++c) {
      if (*c == '\\' || *c == '\'') value += '\\';
      value += *c;
    }
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += std::string(p->keyword) + "='" + value + "'";
  }
  Pq().PQconninfoFree(params);
  return Open(conninfo, options_);
}

bool PostgresConnection::RequestCancel(std::string* error) {
  std::lock_guard<std::mutex> lock(cancel_mu_);
  if (cancel_ == nullptr) {
    if (error) *error = "the connection is closed";
    return false;
  }
  char buffer[256] = {0};
  if (Pq().PQcancel(cancel_, buffer, sizeof(buffer)) == 0) {
    if (error) *error = TrimTrailingNewlines(buffer);
    return false;
  }
  return true;
}

PostgresConnection::PostgresConnection(pg_conn* conn, bool owned)
    : conn_(conn), owned_(owned) {
  server_version_ = Pq().PQserverVersion(conn_);
  // libpq gives back the previous receiver but not its argument, so a
  // borrowed session's receiver (the application's) is left alone.
  if (owned_) {
    Pq().PQsetNoticeReceiver(conn_, &PostgresConnection::OnNotice, this);
  }
  cancel_ = Pq().PQgetCancel(conn_);
}

PostgresConnection::~PostgresConnection() { Close(); }

void PostgresConnection::Close() {
  {
    std::lock_guard<std::mutex> lock(cancel_mu_);
    if (cancel_ != nullptr) Pq().PQfreeCancel(cancel_);
    cancel_ = nullptr;
  }
  if (conn_ != nullptr && owned_) Pq().PQfinish(conn_);
  conn_ = nullptr;
}

bool PostgresConnection::IsOpen() const {
  return conn_ != nullptr && Pq().PQstatus(conn_) == CONNECTION_OK;
}

int PostgresConnection::backend_pid() const {
  return conn_ == nullptr ? 0 : Pq().PQbackendPID(conn_);
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

namespace {

QueryResult ToQueryResult(PGresult* raw) {
  QueryResult out;
  int ncols = Pq().PQnfields(raw);
  int nrows = Pq().PQntuples(raw);
  for (int c = 0; c < ncols; ++c)
    out.columns.emplace_back(Pq().PQfname(raw, c));
  out.rows.reserve(nrows);
  for (int r = 0; r < nrows; ++r) {
    Row row;
    row.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      if (Pq().PQgetisnull(raw, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(Pq().PQgetvalue(raw, r, c),
                                     Pq().PQgetlength(raw, r, c)));
      }
    }
    out.rows.push_back(std::move(row));
  }
  const char* tuples = Pq().PQcmdTuples(raw);
  if (tuples != nullptr && *tuples != '\0')
    out.affected_rows = std::atoll(tuples);
  return out;
}

// Pipelined statements are all sent before any result is read, so their
// text must fit the socket buffers between client and server (the server
// stops reading while it writes results nobody reads yet): past this
// size, QueryEach runs them one by one.
constexpr size_t kMaxPipelinedText = 64 * 1024;

}  // namespace

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
    sent = Pq().PQsendQuery(conn_, text.c_str());
  } else {
    std::vector<const char*> values;
    values.reserve(params->size());
    for (const auto& p : *params) {
      values.push_back(p.has_value() ? p->c_str() : nullptr);
    }
    sent = Pq().PQsendQueryParams(conn_, text.c_str(),
                                  static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  }
  if (!sent) {
    return Fail(DbError::Client(
        "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), text));
  }

  // The first error wins; later results (there are none after an error in a
  // simple query, but a COPY abort produces one) are drained regardless so
  // the connection stays usable.
  std::optional<DbError> error;
  while (PGresult* raw = Pq().PQgetResult(conn_)) {
    ResultPtr result(raw);
    switch (Pq().PQresultStatus(raw)) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        if (out != nullptr && !error) *out = ToQueryResult(raw);
        break;
      case PGRES_COPY_IN:
        // Migrations run from files, not from a terminal: there is no stdin
        // to feed. Abort the COPY; the server's error becomes ours.
        Pq().PQputCopyEnd(conn_, "retort cannot feed COPY FROM STDIN");
        break;
      case PGRES_COPY_OUT: {
        char* buffer = nullptr;
        while (Pq().PQgetCopyData(conn_, &buffer, 0) > 0)
          Pq().PQfreemem(buffer);
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
  if (Pq().PQstatus(conn_) != CONNECTION_OK) {
    return Fail(DbError::Client(
        "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), text));
  }
  return Status::OK();
}

Status PostgresConnection::QueryEach(const std::vector<std::string>& sqls,
                                     const ResultHandler& on_result) {
  size_t text = 0;
  for (const std::string& sql : sqls) text += sql.size();
  if (conn_ == nullptr || Pq().PQenterPipelineMode == nullptr ||
      Pq().PQsendFlushRequest == nullptr || sqls.size() < 2 ||
      text > kMaxPipelinedText || !Pq().PQenterPipelineMode(conn_)) {
    return Connection::QueryEach(sqls, on_result);
  }
  last_error_ = DbError();
  // Every result is read, whatever fails, so that the connection leaves
  // pipeline mode usable; the first failure is what is returned.
  Status status;
  size_t sent = 0;
  for (; sent < sqls.size(); ++sent) {
    // The flush request makes the server send each result as soon as it
    // is ready; otherwise it holds them until the final sync.
    if (!Pq().PQsendQueryParams(conn_, sqls[sent].c_str(), 0, nullptr, nullptr,
                                nullptr, nullptr, 0) ||
        !Pq().PQsendFlushRequest(conn_)) {
      status = Fail(DbError::Client(
          "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), sqls[sent]));
      break;
    }
  }
  if (!Pq().PQpipelineSync(conn_) && status.ok()) {
    status = Fail(DbError::Client(
        "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), ""));
  }
  for (size_t i = 0; i < sent; ++i) {
    // One result per statement, then a null.
    while (PGresult* raw = Pq().PQgetResult(conn_)) {
      ResultPtr result(raw);
      if (!status.ok()) continue;
      switch (Pq().PQresultStatus(raw)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
          status = on_result(i, ToQueryResult(raw));
          break;
        default:
          status = Fail(ErrorFromResult(raw, sqls[i]));
          break;
      }
    }
  }
  // The sync's own result, then leave pipeline mode.
  while (PGresult* raw = Pq().PQgetResult(conn_)) {
    ResultPtr result(raw);
    if (Pq().PQresultStatus(raw) == PGRES_PIPELINE_SYNC) break;
  }
  if (!Pq().PQexitPipelineMode(conn_) && status.ok()) {
    status = Fail(DbError::Client(
        "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), ""));
  }
  if (status.ok() && Pq().PQstatus(conn_) != CONNECTION_OK) {
    status = Fail(DbError::Client(
        "", TrimTrailingNewlines(Pq().PQerrorMessage(conn_)), ""));
  }
  return status;
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

Status PostgresConnection::Begin(BeginMode mode) {
  (void)mode;  // PostgreSQL takes locks per statement; one kind of BEGIN.
  return Execute("BEGIN");
}

Status PostgresConnection::Commit() {
  if (conn_ != nullptr && Pq().PQtransactionStatus(conn_) == PQTRANS_INERROR) {
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
  PGTransactionStatusType status = Pq().PQtransactionStatus(conn_);
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
