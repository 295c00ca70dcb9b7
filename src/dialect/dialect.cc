// Dialect-independent parts of the database interface: names, the error
// message format, and SQL-standard quoting.
#include "dialect/dialect.h"

namespace retort {

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return "postgresql";
    case Dialect::kSqlite:
      return "sqlite";
  }
  return "unknown";
}

DbError DbError::Client(std::string sqlstate, std::string message,
                        std::string statement) {
  DbError error;
  error.severity = "ERROR";
  error.sqlstate = std::move(sqlstate);
  error.message = std::move(message);
  error.statement = std::move(statement);
  return error;
}

Status DbError::ToStatus() const {
  std::string text = severity.empty() ? "ERROR" : severity;
  if (!sqlstate.empty()) text += " " + sqlstate;
  text += ": " + message;
  if (!detail.empty()) text += "\nDETAIL: " + detail;
  if (!hint.empty()) text += "\nHINT: " + hint;
  if (!context.empty()) text += "\nCONTEXT: " + context;
  return Status::Database(std::move(text));
}

Status Connection::QueryEach(const std::vector<std::string>& sqls,
                             const ResultHandler& on_result) {
  for (size_t i = 0; i < sqls.size(); ++i) {
    Result<QueryResult> r = Query(sqls[i]);
    if (!r.ok()) return r.status();
    RETORT_RETURN_IF_ERROR(on_result(i, std::move(r).value()));
  }
  return Status::OK();
}

namespace {

std::string QuoteWith(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string QuoteSqlIdent(std::string_view ident) {
  return QuoteWith(ident, '"');
}

std::string QuotePgLiteral(std::string_view value) {
  if (value.find('\\') == std::string_view::npos) return QuoteWith(value, '\'');
  std::string out = "E'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::string QuoteSqliteLiteral(std::string_view value) {
  return QuoteWith(value, '\'');
}

}  // namespace retort
