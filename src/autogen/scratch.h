// The scratch database autogenerate loads the models into: a dev database
// the user names, or a temporary database created on the target server and
// dropped afterwards (also on error). Loading goes statement by statement
// so an error names the model file and line.
#ifndef RETORT_AUTOGEN_SCRATCH_H_
#define RETORT_AUTOGEN_SCRATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// ModelFile is one model file's name (as shown in errors) and its text.
struct ModelFile {
  std::string path;
  std::string text;
};

// Reads each path into a ModelFile; "models/auth.sql: cannot read: ..." on
// failure.
Result<std::vector<ModelFile>> ReadModelFiles(
    const std::vector<std::string>& paths);

// Splits every file with the PostgreSQL parser and parses each statement
// before anything runs, so a syntax error anywhere is reported as
// "models/auth.sql:12: syntax error at or near ..." without touching the
// database; then runs the statements in file order. A server error is
// reported as "models/auth.sql:LINE: ERROR 42P01: ..." with LINE mapped
// from the server's error position.
Status LoadModels(Connection& conn, const std::vector<ModelFile>& files);

// ScratchDatabase owns the connection to the database the models are
// loaded into and cleans it up: a temporary database is dropped; a dev
// database is used inside a transaction that is rolled back.
class ScratchDatabase {
 public:
  // `dev_url` non-empty: use that database (left unchanged). Otherwise
  // CREATE DATABASE retort_scratch_<random> TEMPLATE template0 on the
  // server of `target_url`.
  static Result<std::unique_ptr<ScratchDatabase>> Open(
      const std::string& target_url, const std::string& dev_url);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Connection& conn() { return *conn_; }
  // The temporary database's name; "" for a dev database.
  const std::string& temp_name() const { return temp_name_; }

  // Rolls back / drops the temporary database. Idempotent; the destructor
  // calls it and ignores the result.
  Status Close();

 private:
  ScratchDatabase() = default;

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Connection> admin_;  // on the target server, for DROP
  std::string temp_name_;
  bool closed_ = false;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_SCRATCH_H_
