#include "runtime/code_session.h"

#include <exception>
#include <utility>

namespace retort {

std::string_view ConnectionCodeSession::dialect() const {
  return DialectName(db_->dialect());
}

Status ConnectionCodeSession::Execute(std::string_view sql) {
  Status status = db_->Execute(sql);
  if (!status.ok()) last_failure_ = db_->last_error();
  return status;
}

Result<CodeRows> ConnectionCodeSession::Query(
    std::string_view sql,
    const std::vector<std::optional<std::string>>& params) {
  Result<QueryResult> result = db_->Query(sql, params);
  if (!result.ok()) {
    last_failure_ = db_->last_error();
    return result.status();
  }
  CodeRows rows;
  rows.columns = std::move(result->columns);
  rows.rows = std::move(result->rows);
  rows.affected_rows = result->affected_rows;
  return rows;
}

Status CallCode(const CodeFunction& function, CodeSession& session) {
  try {
    return function(session);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("the function threw ") + e.what());
  } catch (...) {
    return Status::Internal(
        "the function threw an exception that is not a std::exception");
  }
}

}  // namespace retort
