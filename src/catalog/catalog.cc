// Identity keys and identifier quoting for the schema model.
#include "catalog/catalog.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

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

// Called for every name the catalogs print (a tenth of a 2,000-table
// autogenerate once was this binary search): keywords hold no digits and
// are 2 to 17 letters long, which settles most names (m_12, created_at)
// before any lookup.
bool IsQuotedKeyword(std::string_view ident) {
  static constexpr auto kShortest =
      std::min_element(kQuotedKeywords.begin(), kQuotedKeywords.end(),
                       [](std::string_view a, std::string_view b) {
                         return a.size() < b.size();
                       })
          ->size();
  static constexpr auto kLongest =
      std::max_element(kQuotedKeywords.begin(), kQuotedKeywords.end(),
                       [](std::string_view a, std::string_view b) {
                         return a.size() < b.size();
                       })
          ->size();
  if (ident.size() < kShortest || ident.size() > kLongest) return false;
  for (char c : ident) {
    if (c >= '0' && c <= '9') return false;
  }
  static const std::unordered_set<std::string_view> kSet(
      kQuotedKeywords.begin(), kQuotedKeywords.end());
  return kSet.count(ident) > 0;
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
std::string CollationKey(std::string_view schema, std::string_view name) {
  return "collation:" + QualifiedName(schema, name);
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

namespace {

// The range of an identity column's type (smallint, integer, bigint).
std::pair<int64_t, int64_t> IntegerRange(std::string_view type) {
  if (type == "smallint") return {-32768, 32767};
  if (type == "integer") return {-2147483648LL, 2147483647};
  return {std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max()};
}

}  // namespace

std::string IdentityOptionsSql(std::string_view column_type,
                               const IdentitySequence& seq) {
  auto [type_min, type_max] = IntegerRange(column_type);
  bool ascending = seq.increment > 0;
  std::string out;
  auto add = [&](bool differs, const std::string& clause) {
    if (!differs) return;
    out += (out.empty() ? "" : " ") + clause;
  };
  add(seq.increment != 1, "INCREMENT BY " + std::to_string(seq.increment));
  add(seq.min_value != (ascending ? 1 : type_min),
      "MINVALUE " + std::to_string(seq.min_value));
  add(seq.max_value != (ascending ? type_max : -1),
      "MAXVALUE " + std::to_string(seq.max_value));
  add(seq.start != (ascending ? seq.min_value : seq.max_value),
      "START WITH " + std::to_string(seq.start));
  add(seq.cache != 1, "CACHE " + std::to_string(seq.cache));
  add(seq.cycle, "CYCLE");
  return out;
}

IdentitySequence ParseIdentityOptions(std::string_view column_type,
                                      std::string_view options) {
  std::map<std::string, int64_t> given;
  bool cycle = false;
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < options.size()) {
    size_t end = options.find(' ', pos);
    if (end == std::string_view::npos) end = options.size();
    if (end > pos) words.emplace_back(options.substr(pos, end - pos));
    pos = end + 1;
  }
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "CYCLE") {
      cycle = true;
      continue;
    }
    // "INCREMENT BY n" and "START WITH n" have a second keyword.
    size_t value = i + 1;
    if ((words[i] == "INCREMENT" || words[i] == "START") &&
        value < words.size()) {
      ++value;
    }
    if (value >= words.size()) break;
    try {
      given[words[i]] = std::stoll(words[value]);
    } catch (...) {
      break;
    }
    i = value;
  }
  auto [type_min, type_max] = IntegerRange(column_type);
  IdentitySequence seq;
  auto get = [&](const char* key, int64_t fallback) {
    auto it = given.find(key);
    return it == given.end() ? fallback : it->second;
  };
  seq.increment = get("INCREMENT", 1);
  bool ascending = seq.increment > 0;
  seq.min_value = get("MINVALUE", ascending ? 1 : type_min);
  seq.max_value = get("MAXVALUE", ascending ? type_max : -1);
  seq.start = get("START", ascending ? seq.min_value : seq.max_value);
  seq.cache = get("CACHE", 1);
  seq.cycle = cycle;
  return seq;
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

namespace {

std::string Opt(const std::optional<std::string>& text) {
  return text ? "'" + *text + "'" : "null";
}

void ColumnText(const std::string& prefix, const Column& c, std::string* out) {
  *out += prefix + " column " + c.name + " type=" + c.type +
          " not_null=" + (c.not_null ? "t" : "f") +
          " default=" + Opt(c.default_expr) + " identity=" + c.identity +
          " identity_options=" + c.identity_options +
          " generated=" + c.generated_expr + " collation=" + c.collation +
          " comment=" + Opt(c.comment) + " type_key=" + c.type_key + "\n";
}

void ConstraintText(const std::string& prefix, const Constraint& k,
                    std::string* out) {
  *out += prefix + " constraint " + k.name +
          " kind=" + std::string(ConstraintKindName(k.kind)) +
          " def=" + k.definition + " references=" + k.referenced_table +
          " comment=" + Opt(k.comment) + "\n";
}

void TriggerText(const std::string& prefix, const Trigger& t,
                 std::string* out) {
  *out += prefix + " trigger " + t.name + " def=" + t.definition +
          " comment=" + Opt(t.comment) + "\n";
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

std::string CatalogText(const Catalog& catalog) {
  std::string out;
  for (const auto& [key, s] : catalog.schemas) {
    out += key + " name=" + s.name + " comment=" + Opt(s.comment) + "\n";
  }
  for (const auto& [key, t] : catalog.tables) {
    out +=
        key + " table " + t.schema + "." + t.name +
        " kind=" + (t.kind == RelationKind::kTable ? "table" : "partitioned") +
        " unlogged=" + (t.unlogged ? "t" : "f") +
        " partition_key=" + t.partition_key +
        " partition_of=" + t.partition_of + " bound=" + t.partition_bound +
        " rls=" + (t.rls_enabled ? "t" : "f") +
        " forced=" + (t.rls_forced ? "t" : "f") +
        " options=" + Joined(t.options) + " comment=" + Opt(t.comment) + "\n";
    for (const Column& c : t.columns) ColumnText(key, c, &out);
    for (const Constraint& k : t.constraints) ConstraintText(key, k, &out);
    for (const Trigger& tr : t.triggers) TriggerText(key, tr, &out);
    for (const Policy& p : t.policies) {
      out += key + " policy " + p.name + " def=" + p.definition +
             " comment=" + Opt(p.comment) + "\n";
    }
  }
  for (const auto& [key, x] : catalog.indexes) {
    out += key + " index " + x.schema + "." + x.name + " on=" + x.table +
           " unique=" + (x.unique ? "t" : "f") + " def=" + x.definition +
           " comment=" + Opt(x.comment) + "\n";
  }
  for (const auto& [key, q] : catalog.sequences) {
    out += key + " sequence " + q.schema + "." + q.name +
           " type=" + q.data_type + " " + std::to_string(q.start) + "/" +
           std::to_string(q.increment) + "/" + std::to_string(q.min_value) +
           "/" + std::to_string(q.max_value) + "/" + std::to_string(q.cache) +
           (q.cycle ? " cycle" : "") + " owned_by=" + q.owned_by_table + "." +
           q.owned_by_column + " comment=" + Opt(q.comment) + "\n";
  }
  for (const auto& [key, v] : catalog.views) {
    out += key + " view " + v.schema + "." + v.name +
           (v.materialized ? " materialized" : "") + " def=" + v.definition +
           " options=" + Joined(v.options) + " comment=" + Opt(v.comment) +
           " owner=" + v.owner + "\n";
    for (const Trigger& tr : v.triggers) TriggerText(key, tr, &out);
  }
  for (const auto& [key, e] : catalog.enums) {
    out += key + " enum " + e.schema + "." + e.name +
           " labels=" + Joined(e.labels) + " comment=" + Opt(e.comment) + "\n";
  }
  for (const auto& [key, d] : catalog.domains) {
    out += key + " domain " + d.schema + "." + d.name + " base=" + d.base_type +
           " not_null=" + (d.not_null ? "t" : "f") +
           " default=" + Opt(d.default_expr) + " collation=" + d.collation +
           " comment=" + Opt(d.comment) + "\n";
    for (const Constraint& k : d.checks) ConstraintText(key, k, &out);
  }
  for (const auto& [key, c] : catalog.composites) {
    out += key + " composite " + c.schema + "." + c.name +
           " comment=" + Opt(c.comment) + "\n";
    for (const Column& a : c.attributes) ColumnText(key, a, &out);
  }
  for (const auto& [key, f] : catalog.functions) {
    out += key + " function " + f.schema + "." + f.name + "(" +
           f.identity_args + ")" + (f.procedure ? " procedure" : "") +
           " result=" + f.result + " arguments=" + f.arguments +
           " signature=" + f.signature_types + " comment=" + Opt(f.comment) +
           " def=" + f.definition + "\n";
  }
  for (const auto& [key, x] : catalog.extensions) {
    out += key + " extension " + x.name + " schema=" + x.schema +
           " version=" + x.version + "\n";
  }
  for (const auto& [key, g] : catalog.grants) {
    out += key + " grants on=" + g.target + " column=" + g.column;
    for (const Grant& grant : g.grants) {
      out += " " + grant.grantee + ":" + grant.privilege +
             (grant.grantable ? "+" : "");
    }
    out += "\n";
  }
  std::map<std::string, const std::set<std::string>*> deps;
  for (const auto& [from, to] : catalog.depends_on) deps[from] = &to;
  for (const auto& [from, to] : deps) {
    for (const std::string& key : *to) out += from + " -> " + key + "\n";
  }
  return out;
}

}  // namespace retort
