// LintCatalog answered by a live PostgreSQL database: column types, NOT NULL
// checks, indexes' tables and table sizes, read from pg_catalog (read-only, one
// query each, cached per table).
#ifndef RETORT_LINT_LINT_CATALOG_H_
#define RETORT_LINT_LINT_CATALOG_H_

#include <map>
#include <optional>
#include <string>

#include "dialect/dialect.h"
#include "lint/lint.h"

namespace retort {

class PgLintCatalog : public LintCatalog {
 public:
  // `db` must outlive the catalog.
  explicit PgLintCatalog(Connection* db);

  int server_version() const override;
  std::optional<std::string> ColumnType(const LintTable& table,
                                        const std::string& column) override;
  bool HasNotNullCheck(const LintTable& table,
                       const std::string& column) override;
  // Schema-qualified.
  std::optional<LintTable> IndexTable(const LintTable& index) override;
  // The table's size; nullopt when it does not exist (or a query failed:
  // lint goes on without the size).
  std::optional<LintTableSize> TableSize(const LintTable& table);

 private:
  Connection* db_;
  std::map<LintTable, std::optional<LintTableSize>> sizes_;
};

// `"schema"."name"` (or `"name"`), for to_regclass().
std::string QualifiedTableName(const LintTable& table);

}  // namespace retort

#endif  // RETORT_LINT_LINT_CATALOG_H_
