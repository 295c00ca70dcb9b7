// Constraint definitions as pg_get_constraintdef prints them.
#include "catalog/pg_deparse.h"

#include "catalog/catalog.h"

namespace retort {
namespace {

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentIfNeeded(n);
  }
  return out;
}

std::string Tail(bool deferrable, bool initially_deferred, bool not_valid) {
  std::string out;
  if (deferrable) out += " DEFERRABLE";
  if (initially_deferred) out += " INITIALLY DEFERRED";
  if (not_valid) out += " NOT VALID";
  return out;
}

}  // namespace

std::string KeyConstraintDefinition(const KeyConstraintParts& key) {
  std::string def = key.primary ? "PRIMARY KEY " : "UNIQUE ";
  if (key.nulls_not_distinct) def += "NULLS NOT DISTINCT ";
  def += "(" + Names(key.columns) + ")";
  if (!key.include.empty()) def += " INCLUDE (" + Names(key.include) + ")";
  return def + Tail(key.deferrable, key.initially_deferred, key.not_valid);
}

std::string PlainIndexDefinition(const PlainIndexParts& index) {
  std::string def = index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  def += QuoteIdentIfNeeded(index.name) + " ON " + index.table + " USING " +
         QuoteIdentIfNeeded(index.method) + " (";
  for (size_t i = 0; i < index.columns.size(); ++i) {
    const IndexColumnParts& c = index.columns[i];
    if (i > 0) def += ", ";
    def += QuoteIdentIfNeeded(c.name);
    if (c.desc) {
      def += c.nulls_first ? " DESC" : " DESC NULLS LAST";
    } else if (c.nulls_first) {
      def += " NULLS FIRST";
    }
  }
  def += ")";
  if (!index.include.empty()) def += " INCLUDE (" + Names(index.include) + ")";
  if (!index.predicate.empty()) def += " WHERE " + index.predicate;
  return def;
}

std::optional<std::string> ForeignKeyActionSql(char code) {
  switch (code) {
    case 'a':
      return "";
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return std::nullopt;
  }
}

std::optional<std::string> ForeignKeyDefinition(const ForeignKeyParts& fk) {
  std::string def = "FOREIGN KEY (" + Names(fk.columns) + ") REFERENCES " +
                    fk.referenced + "(" + Names(fk.referenced_columns) + ")";
  if (fk.match == 'f') {
    def += " MATCH FULL";
  } else if (fk.match == 'p') {
    def += " MATCH PARTIAL";
  } else if (fk.match != 's') {
    return std::nullopt;
  }
  auto update = ForeignKeyActionSql(fk.on_update);
  auto del = ForeignKeyActionSql(fk.on_delete);
  if (!update || !del) return std::nullopt;
  if (!update->empty()) def += " ON UPDATE " + *update;
  if (!del->empty()) def += " ON DELETE " + *del;
  if (!fk.set_columns.empty()) def += " (" + Names(fk.set_columns) + ")";
  return def + Tail(fk.deferrable, fk.initially_deferred, fk.not_valid);
}

}  // namespace retort
