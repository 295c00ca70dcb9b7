// Helpers for tests that run retort beside Debian's Alembic: a retort
// project holding a copy of an Alembic project (tests/data/alembic/...),
// Alembic run on it, and ways to compare what the two tools built.
#ifndef RETORT_TESTS_ALEMBIC_UTIL_H_
#define RETORT_TESTS_ALEMBIC_UTIL_H_

#include <string>
#include <vector>

#include "cli_util.h"

namespace retort::testing {

// Debian's interpreter, where python3-alembic and python3-sqlalchemy live
// (a python3 earlier on PATH may have neither).
inline const std::string kPython = "/usr/bin/python3";

// tests/data/alembic/<name>.
std::string AlembicFixture(const std::string& name);

// The SQLAlchemy URL of a libpq one (postgresql+psycopg2://...).
std::string SaUrl(const std::string& url);

// ImportProject is a retort project in a temp folder holding a copy of an
// Alembic project in alembic/ (none for an empty `fixture`), with a
// retort.toml pointing at `url` and at Debian's Python.
class ImportProject {
 public:
  ImportProject(const std::string& fixture, const std::string& url,
                const std::string& extra_config = "");

  const TempProject& p() const { return p_; }
  CliResult Retort(const std::vector<std::string>& args) const {
    return p_.Run(args);
  }
  // Runs Debian's Alembic in alembic/ with environment assignments `env`
  // ("A=b C=d"); returns stdout+stderr, failing the test on an error.
  std::string Alembic(const std::string& args,
                      const std::string& env = "") const;
  std::string File(const std::string& rel) const { return p_.ReadFile(rel); }
  // Points alembic/alembic.ini's sqlalchemy.url at `url`.
  void SetAlembicUrl(const std::string& url) const;
  // The retort file of revision `id` (relative to the project).
  std::string VersionFile(const std::string& id) const;

 private:
  TempProject p_;
};

// Ids in the order `history` prints them, from retort's or Alembic's
// output ("a -> b (head), msg" lines).
std::vector<std::string> HistoryIds(const std::string& text);

// Tables, columns, constraints, indexes and enums of `schemas` (a SQL list:
// "'public', 'auth'"), one fact per row, sorted: two databases built by
// different tools compare equal when their schemas do. Version tables are
// left out.
std::vector<std::string> Fingerprint(const std::string& url,
                                     const std::string& schemas);

// Replaces the upgrade section of a retort file (a human converting a TODO
// by hand).
void RewriteUpgrade(const TempProject& p, const std::string& rel,
                    const std::string& sql);

}  // namespace retort::testing

#endif  // RETORT_TESTS_ALEMBIC_UTIL_H_
