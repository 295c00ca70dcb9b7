// Identity keys and identifier quoting for the schema model.
#include "catalog/catalog.h"

#include <algorithm>
#include <array>
#include <string>

namespace retort {
namespace {

// PostgreSQL 15 keywords that quote_ident() quotes: reserved, column-name
// and type/function-name keywords (kwlist.h categories other than
// UNRESERVED_KEYWORD). Sorted for binary search.
constexpr std::array<std::string_view, 156> kQuotedKeywords = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json_array",
    "json_arrayagg",
    "json_object",
    "json_objectagg",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable"};

bool IsQuotedKeyword(std::string_view ident) {
  return std::binary_search(kQuotedKeywords.begin(), kQuotedKeywords.end(),
                            ident);
}

}  // namespace

std::string QuoteIdentIfNeeded(std::string_view ident) {
  bool plain = !ident.empty() &&
               ((ident[0] >= 'a' && ident[0] <= 'z') || ident[0] == '_');
  for (char c : ident) {
    if (!plain) break;
    plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (plain && !IsQuotedKeyword(ident)) return std::string(ident);
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return QuoteIdentIfNeeded(schema) + "." + QuoteIdentIfNeeded(name);
}

std::string SchemaKey(std::string_view schema) {
  return "schema:" + QuoteIdentIfNeeded(schema);
}
std::string RelationKey(std::string_view schema, std::string_view name) {
  return "relation:" + QualifiedName(schema, name);
}
std::string ColumnKey(std::string_view schema, std::string_view table,
                      std::string_view column) {
  return "column:" + QualifiedName(schema, table) + "." +
         QuoteIdentIfNeeded(column);
}
std::string ConstraintKey(std::string_view schema, std::string_view table,
                          std::string_view name) {
  return "constraint:" + QualifiedName(schema, table) + "." +
         QuoteIdentIfNeeded(name);
}
std::string TypeKey(std::string_view schema, std::string_view name) {
  return "type:" + QualifiedName(schema, name);
}
std::string FunctionKey(std::string_view schema, std::string_view name,
                        std::string_view identity_args) {
  return "function:" + QualifiedName(schema, name) + "(" +
         std::string(identity_args) + ")";
}
std::string TriggerKey(std::string_view schema, std::string_view table,
                       std::string_view name) {
  return "trigger:" + QualifiedName(schema, table) + "." +
         QuoteIdentIfNeeded(name);
}
std::string PolicyKey(std::string_view schema, std::string_view table,
                      std::string_view name) {
  return "policy:" + QualifiedName(schema, table) + "." +
         QuoteIdentIfNeeded(name);
}
std::string ExtensionKey(std::string_view name) {
  return "extension:" + QuoteIdentIfNeeded(name);
}
std::string UniqueKeysKey(std::string_view table_relation_key) {
  return "unique-keys:" + std::string(table_relation_key);
}

std::string_view ConstraintKindName(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::kPrimaryKey:
      return "PRIMARY KEY";
    case ConstraintKind::kUnique:
      return "UNIQUE";
    case ConstraintKind::kCheck:
      return "CHECK";
    case ConstraintKind::kForeignKey:
      return "FOREIGN KEY";
    case ConstraintKind::kExclusion:
      return "EXCLUDE";
  }
  return "CONSTRAINT";
}

const Column* Table::FindColumn(std::string_view column) const {
  for (const Column& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const Constraint* Table::FindConstraint(std::string_view constraint) const {
  for (const Constraint& c : constraints) {
    if (c.name == constraint) return &c;
  }
  return nullptr;
}

size_t Catalog::ObjectCount() const {
  size_t n = schemas.size() + indexes.size() + sequences.size() + views.size() +
             enums.size() + domains.size() + composites.size() +
             functions.size() + extensions.size();
  for (const auto& [key, table] : tables) {
    n += 1 + table.columns.size() + table.constraints.size() +
         table.triggers.size() + table.policies.size();
  }
  return n;
}

}  // namespace retort
