// The session a code migration's C++ function gets (retort/code_migration.h):
// the run's own connection, inside its transaction.
#ifndef RETORT_RUNTIME_CODE_SESSION_H_
#define RETORT_RUNTIME_CODE_SESSION_H_

#include <string>

#include "dialect/dialect.h"
#include "retort/code_migration.h"

namespace retort {

class ConnectionCodeSession : public CodeSession {
 public:
  ConnectionCodeSession(Connection* db, std::string revision, bool upgrade)
      : db_(db), revision_(std::move(revision)), upgrade_(upgrade) {}

  std::string_view dialect() const override;
  const std::string& revision() const override { return revision_; }
  bool upgrade() const override { return upgrade_; }
  Status Execute(std::string_view sql) override;
  Result<CodeRows> Query(
      std::string_view sql,
      const std::vector<std::optional<std::string>>& params) override;

  // What the database said about the last call that failed (its SQLSTATE
  // tells a lock_timeout, which the run retries); empty when none failed.
  const DbError& last_failure() const { return last_failure_; }

 private:
  Connection* db_;
  std::string revision_;
  bool upgrade_;
  DbError last_failure_;
};

// Calls `function` on `session`. An exception it throws comes back as an
// error (kInternal) saying what it was; none escapes.
Status CallCode(const CodeFunction& function, CodeSession& session);

}  // namespace retort

#endif  // RETORT_RUNTIME_CODE_SESSION_H_
