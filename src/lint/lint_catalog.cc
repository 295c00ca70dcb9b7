// The catalog queries behind PgLintCatalog.
#include "lint/lint_catalog.h"

#include <cmath>

namespace retort {
namespace {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int64_t ToInt(const std::optional<std::string>& cell) {
  if (!cell) return 0;
  char* end = nullptr;
  double v = std::strtod(cell->c_str(), &end);
  return v > 0 ? static_cast<int64_t>(std::llround(v)) : 0;
}

}  // namespace

std::string QualifiedTableName(const LintTable& table) {
  if (table.schema.empty()) return QuoteIdentifier(table.name);
  return QuoteIdentifier(table.schema) + "." + QuoteIdentifier(table.name);
}

PgLintCatalog::PgLintCatalog(Connection* db) : db_(db) {}

int PgLintCatalog::server_version() const { return db_->ServerVersion(); }

std::optional<std::string> PgLintCatalog::ColumnType(
    const LintTable& table, const std::string& column) {
  auto r = db_->Query(
      "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
      "WHERE a.attrelid = to_regclass($1) AND a.attname = $2 "
      "AND a.attnum > 0 AND NOT a.attisdropped",
      {QualifiedTableName(table), column});
  if (!r.ok() || r->rows.empty() || r->rows[0].empty() || !r->rows[0][0]) {
    return std::nullopt;
  }
  return *r->rows[0][0];
}

bool PgLintCatalog::HasNotNullCheck(const LintTable& table,
                                    const std::string& column) {
  auto r = db_->Query(
      "SELECT 1 FROM pg_constraint c WHERE c.conrelid = to_regclass($1) "
      "AND c.contype = 'c' AND c.convalidated "
      "AND pg_get_constraintdef(c.oid) = "
      "'CHECK ((' || quote_ident($2) || ' IS NOT NULL))'",
      {QualifiedTableName(table), column});
  return r.ok() && !r->rows.empty();
}

std::optional<LintTable> PgLintCatalog::IndexTable(const LintTable& index) {
  auto r = db_->Query(
      "SELECT n.nspname, c.relname FROM pg_index i "
      "JOIN pg_class c ON c.oid = i.indrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE i.indexrelid = to_regclass($1)",
      {QualifiedTableName(index)});
  if (!r.ok() || r->rows.empty() || r->rows[0].size() != 2 || !r->rows[0][0] ||
      !r->rows[0][1]) {
    return std::nullopt;
  }
  return LintTable{*r->rows[0][0], *r->rows[0][1]};
}

std::optional<LintTableSize> PgLintCatalog::TableSize(const LintTable& table) {
  if (auto it = sizes_.find(table); it != sizes_.end()) return it->second;
  std::optional<LintTableSize> size;
  auto r = db_->Query(
      "SELECT c.relpages, c.reltuples, pg_total_relation_size(c.oid) "
      "FROM pg_class c WHERE c.oid = to_regclass($1)",
      {QualifiedTableName(table)});
  if (r.ok() && !r->rows.empty() && r->rows[0].size() == 3) {
    const Row& row = r->rows[0];
    size = LintTableSize{ToInt(row[2]), ToInt(row[1]), ToInt(row[0])};
  }
  sizes_[table] = size;
  return size;
}

}  // namespace retort
