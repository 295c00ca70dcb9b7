// What the catalog says about an interrupted statement; see settle.h. The
// statement is read from libpg_query's parse tree, never from its text.
#include "runtime/settle.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include "dialect/pg_json.h"

namespace retort {

namespace {

using Json = nlohmann::json;
using pgjson::Member;
using pgjson::ParseHolder;
using pgjson::StringMember;

bool Bool(const Json& node, const char* key) {
  const Json* v = Member(node, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

// "schema"."name" (or "name") from a RangeVar, always quoted.
std::string RangeVarName(const Json& range_var) {
  std::string schema = StringMember(range_var, "schemaname");
  std::string name = QuoteSqlIdent(StringMember(range_var, "relname"));
  return schema.empty() ? name : QuoteSqlIdent(schema) + "." + name;
}

// A qualified name given as a list of String nodes.
std::string ListName(const Json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const Json& item : list) {
    const Json* s = Member(item, "String");
    if (s == nullptr) return "";
    if (!out.empty()) out += ".";
    out += QuoteSqlIdent(StringMember(*s, "sval"));
  }
  return out;
}

Result<bool> RelationExists(Connection& db, const std::string& name) {
  RETORT_ASSIGN_OR_RETURN(
      QueryResult r,
      db.Query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", {name}));
  return !r.rows.empty() && r.rows[0][0].value_or("f") == "t";
}

Settlement Rerun(std::string said) {
  Settlement s;
  s.outcome = Settlement::Outcome::kRerun;
  s.said = std::move(said);
  return s;
}

Settlement Done(std::string said) {
  Settlement s;
  s.outcome = Settlement::Outcome::kDone;
  s.said = std::move(said);
  return s;
}

Settlement Unknown(std::string check) {
  Settlement s;
  s.outcome = Settlement::Outcome::kUnknown;
  s.said = std::move(check);
  return s;
}

Result<Settlement> SettleIndex(Connection& db, const Json& node, bool failed) {
  const Json* relation = Member(node, "relation");
  std::string index = StringMember(node, "idxname");
  if (relation == nullptr) return Unknown("the statement names no table");
  std::string table = RangeVarName(*relation);
  if (index.empty()) {
    return Unknown(
        "the index has no name, so the catalog cannot say which index of " +
        table + " it built: look for an INVALID index on that table (\\d " +
        table + " in psql)");
  }
  RETORT_ASSIGN_OR_RETURN(
      QueryResult r,
      db.Query("SELECT i.indisvalid, n.nspname FROM pg_catalog.pg_index i "
               "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN "
               "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
               "i.indrelid = pg_catalog.to_regclass($1) AND c.relname = $2",
               {table, index}));
  if (r.rows.empty()) {
    return Rerun("index " + index + " on " + table + " does not exist");
  }
  const bool valid = r.rows[0][0].value_or("f") == "t";
  const std::string qualified =
      QuoteSqlIdent(r.rows[0][1].value_or("")) + "." + QuoteSqlIdent(index);
  if (valid) {
    if (failed) return Rerun("index " + index + " exists and is valid");
    return Done("index " + index + " on " + table +
                " exists and is valid: the CREATE INDEX finished");
  }
  Settlement s = Rerun("index " + index + " on " + table +
                       " was left INVALID by the interrupted build; "
                       "dropping it concurrently and building it again");
  s.cleanup.push_back("DROP INDEX CONCURRENTLY IF EXISTS " + qualified);
  return s;
}

// REINDEX ... CONCURRENTLY leaves INVALID "<name>_ccnew[N]" (before the
// swap) or "<name>_ccold[N]" (after it) indexes when interrupted.
Result<Settlement> SettleReindex(Connection& db, const Json& node) {
  std::string kind = StringMember(node, "kind");
  const Json* relation = Member(node, "relation");
  if (relation == nullptr) {
    return Rerun("REINDEX of a schema or database: running it again");
  }
  std::string name = RangeVarName(*relation);
  std::string table_oid =
      kind == "REINDEX_OBJECT_INDEX"
          ? "(SELECT indrelid FROM pg_catalog.pg_index WHERE indexrelid = "
            "pg_catalog.to_regclass($1))"
          : "pg_catalog.to_regclass($1)";
  RETORT_ASSIGN_OR_RETURN(
      QueryResult r,
      db.Query("SELECT n.nspname, c.relname FROM pg_catalog.pg_index i JOIN "
               "pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN "
               "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
               "NOT i.indisvalid AND i.indrelid = " +
                   table_oid +
                   " AND (c.relname ~ '_ccnew[0-9]*$' OR c.relname ~ "
                   "'_ccold[0-9]*$') ORDER BY c.relname",
               {name}));
  if (r.rows.empty()) {
    return Rerun("no INVALID _ccnew/_ccold index is left of " + name +
                 "; running the REINDEX again");
  }
  Settlement s;
  s.outcome = Settlement::Outcome::kRerun;
  std::string names;
  for (const Row& row : r.rows) {
    std::string index = row[1].value_or("");
    names += (names.empty() ? "" : ", ") + index;
    s.cleanup.push_back("DROP INDEX CONCURRENTLY IF EXISTS " +
                        QuoteSqlIdent(row[0].value_or("")) + "." +
                        QuoteSqlIdent(index));
  }
  s.said = "the interrupted REINDEX CONCURRENTLY of " + name + " left " +
           names + " INVALID; dropping " +
           (r.rows.size() == 1 ? "it" : "them") +
           " concurrently and running the REINDEX again";
  return s;
}

Result<Settlement> SettleDrop(Connection& db, const Json& node, bool failed) {
  if (Bool(node, "missing_ok") || failed) {
    return Rerun("the DROP is safe to run again");
  }
  std::string type = StringMember(node, "removeType");
  if (type != "OBJECT_INDEX" && type != "OBJECT_TABLE" &&
      type != "OBJECT_VIEW" && type != "OBJECT_MATVIEW" &&
      type != "OBJECT_SEQUENCE") {
    return Unknown("check whether the objects it drops are gone");
  }
  const Json* objects = Member(node, "objects");
  size_t present = 0, total = 0;
  std::string names;
  if (objects != nullptr && objects->is_array()) {
    for (const Json& item : *objects) {
      const Json* list = Member(item, "List");
      std::string name = list ? ListName(*Member(*list, "items")) : "";
      if (name.empty()) return Unknown("check whether it dropped everything");
      ++total;
      names += (names.empty() ? "" : ", ") + name;
      RETORT_ASSIGN_OR_RETURN(bool exists, RelationExists(db, name));
      if (exists) ++present;
    }
  }
  if (total == 0) return Unknown("check whether it dropped everything");
  if (present == 0) return Done(names + " no longer exist(s): the DROP ran");
  if (present == total) return Rerun(names + " still exist(s)");
  return Unknown("some of " + names + " are gone and some are not");
}

// CREATE TABLE / SEQUENCE / VIEW / MATERIALIZED VIEW without IF NOT EXISTS:
// one statement in autocommit is atomic, so the relation existing means it
// ran.
Result<Settlement> SettleCreate(Connection& db, const Json* range_var,
                                bool idempotent, bool failed) {
  if (idempotent || failed || range_var == nullptr) {
    return Rerun("the statement is safe to run again");
  }
  std::string name = RangeVarName(*range_var);
  RETORT_ASSIGN_OR_RETURN(bool exists, RelationExists(db, name));
  if (exists) return Done(name + " exists: the CREATE ran");
  return Rerun(name + " does not exist");
}

Result<Settlement> SettleEnum(Connection& db, const Json& node, bool failed) {
  if (Member(node, "oldVal") != nullptr) {
    return Unknown("check whether the enum value was renamed");
  }
  if (Bool(node, "skipIfNewValExists") || failed) {
    return Rerun("ADD VALUE IF NOT EXISTS is safe to run again");
  }
  const Json* type_name = Member(node, "typeName");
  std::string type = type_name ? ListName(*type_name) : "";
  std::string value = StringMember(node, "newVal");
  if (type.empty()) return Unknown("check whether the value was added");
  RETORT_ASSIGN_OR_RETURN(
      QueryResult r,
      db.Query("SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = "
               "pg_catalog.to_regtype($1) AND enumlabel = $2",
               {type, value}));
  if (!r.rows.empty()) {
    return Done("enum " + type + " has the value '" + value + "'");
  }
  return Rerun("enum " + type + " lacks the value '" + value + "'");
}

}  // namespace

Result<Settlement> SettleStatement(Connection& db, std::string_view statement,
                                   bool failed) {
  if (db.dialect() != Dialect::kPostgres) {
    // SQLite rolls an interrupted statement back from its journal, but a
    // statement in autocommit may also have committed just before the
    // kill: only a failure is certain.
    if (failed) return Rerun("the statement failed and was rolled back");
    return Unknown("check whether its change is in the database");
  }
  std::string text(statement);
  ParseHolder parsed{pg_query_parse(text.c_str())};
  if (parsed.result.error != nullptr || parsed.result.parse_tree == nullptr) {
    if (failed) return Rerun("the statement failed");
    return Unknown("the statement does not parse; check it by hand");
  }
  Json tree = Json::parse(parsed.result.parse_tree, nullptr, false);
  const Json* stmts = Member(tree, "stmts");
  if (stmts == nullptr || !stmts->is_array() || stmts->size() != 1) {
    return Unknown("check whether its change is in the database");
  }
  const Json* stmt = Member((*stmts)[0], "stmt");
  if (stmt == nullptr || !stmt->is_object() || stmt->empty()) {
    return Unknown("check whether its change is in the database");
  }
  const std::string type = stmt->begin().key();
  const Json& node = stmt->begin().value();
  if (type == "IndexStmt") {
    if (Bool(node, "if_not_exists") && !Bool(node, "concurrent")) {
      return Rerun("CREATE INDEX IF NOT EXISTS is safe to run again");
    }
    return SettleIndex(db, node, failed);
  }
  if (type == "ReindexStmt") return SettleReindex(db, node);
  if (type == "DropStmt") return SettleDrop(db, node, failed);
  if (type == "VacuumStmt" || type == "ClusterStmt" ||
      type == "RefreshMatViewStmt") {
    return Rerun("the statement is safe to run again");
  }
  if (type == "CreateStmt") {
    return SettleCreate(db, Member(node, "relation"),
                        Bool(node, "if_not_exists"), failed);
  }
  if (type == "CreateSeqStmt") {
    return SettleCreate(db, Member(node, "sequence"),
                        Bool(node, "if_not_exists"), failed);
  }
  if (type == "ViewStmt") {
    return SettleCreate(db, Member(node, "view"), Bool(node, "replace"),
                        failed);
  }
  if (type == "CreateTableAsStmt") {
    const Json* into = Member(node, "into");
    return SettleCreate(db, into ? Member(*into, "rel") : nullptr,
                        Bool(node, "if_not_exists"), failed);
  }
  if (type == "AlterEnumStmt") return SettleEnum(db, node, failed);
  if (failed) return Rerun("the statement failed and was rolled back");
  return Unknown("check whether its change is in the database");
}

}  // namespace retort
