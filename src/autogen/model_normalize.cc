// The plain-DDL normaliser (model_normalize.h). Every shape accepted here
// is one a test has loaded into PostgreSQL 15 and compared with the
// introspected catalog; the texts below (format_type's type names,
// pg_get_expr's defaults, pg_get_constraintdef's and pg_get_indexdef's
// definitions, the names PostgreSQL chooses for unnamed constraints, the
// pg_depend edges) are what that server prints for them.
#include "autogen/model_normalize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "autogen/model_residual.h"
#include "autogen/model_settings.h"
#include "catalog/pg_deparse.h"

namespace retort {
namespace {

using json = nlohmann::json;

// NAMEDATALEN - 1: longer identifiers are truncated by the server (with a
// notice), and so are the names it makes up.
constexpr size_t kMaxIdentifier = 63;
// INDEX_MAX_KEYS (key and INCLUDE columns of an index; foreign key columns)
// and MaxHeapAttributeNumber.
constexpr size_t kMaxIndexColumns = 32;
constexpr size_t kMaxTableColumns = 1600;

// `node` is an object whose keys are all in `allowed`: a key the
// normaliser does not know is a feature it does not handle.
bool OnlyKeys(const json& node,
              std::initializer_list<std::string_view> allowed) {
  if (!node.is_object()) return false;
  for (const auto& item : node.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) ==
        allowed.end()) {
      return false;
    }
  }
  return true;
}

// `node[key]` without a copy, or an empty array/object (null) when absent.
const json& Field(const json& node, const char* key) {
  static const json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

// `node[key]` as a string without a copy; "" when absent or not a string.
const std::string& Text(const json& node, const char* key) {
  static const std::string kEmpty;
  const json& value = Field(node, key);
  return value.is_string() ? value.get_ref<const std::string&>() : kEmpty;
}

// The strings of a list of {"String": {"sval": ...}} nodes; nullopt when
// any item is something else.
std::optional<std::vector<std::string>> Strings(const json& list) {
  if (!list.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json& item : list) {
    if (!item.is_object() || !item.contains("String")) return std::nullopt;
    const json& s = item["String"];
    if (!OnlyKeys(s, {"sval"})) return std::nullopt;
    out.push_back(Text(s, "sval"));
  }
  return out;
}

// 'text' with its quotes doubled, as the server prints a string constant
// (callers refuse backslashes, which it would print otherwise).
std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}

// An integer constant (an A_Const's body) read from the statement's text
// at its location: libpg_query's JSON prints neither 0 nor negative
// numbers ({"ival": {}} for both). Digits only -- a sign is refused -- and
// at most 9 of them (an int4). A constant the parser made up (location -1,
// e.g. char's length 1) has its value in the tree.
std::optional<int64_t> IntegerConst(const json& body, const std::string& text) {
  if (!OnlyKeys(body, {"ival", "location"}) || !body.contains("ival")) {
    return std::nullopt;
  }
  const json& ival = body["ival"];
  const int64_t in_tree =
      ival.contains("ival") ? ival["ival"].get<int64_t>() : 0;
  const int64_t at = body.value("location", int64_t{-1});
  if (at < 0) {
    if (!ival.contains("ival")) return std::nullopt;
    return in_tree;
  }
  size_t end = size_t(at);
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == size_t(at) || end - size_t(at) > 9) return std::nullopt;
  const int64_t n = std::stoll(text.substr(size_t(at), end - size_t(at)));
  if (n != in_tree) return std::nullopt;
  return n;
}

// A built-in type as format_type prints it, from a TypeName node; nullopt
// for anything else (user types, serial, arrays, interval fields, ...).
struct ColumnType {
  std::string text;
  bool btree = true;  // has a default btree operator class (keys, indexes)
  bool integer = false;
  bool numeric = false;  // integer literals as defaults print bare
  bool string = false;
  bool boolean = false;
  bool timestamp = false;
  bool date = false;
  bool uuid = false;
  bool json = false;  // json, jsonb: '{}' and '[]' defaults
  // serial, bigserial, smallserial (and serial4/8/2): the integer type, a
  // sequence owned by the column and a default taking from it.
  bool serial = false;
  // For integer types: the largest value (a sequence's default maximum).
  int64_t max_value = 0;
  // An enum of the models: its key and labels.
  std::string enum_key;
  const std::vector<std::string>* labels = nullptr;
};

// The names of pg_catalog's types on PostgreSQL 15 other than pg_* and
// arrays (_*), sorted: an unqualified type name finds these before any
// schema on the search_path, so an enum may not be named like one here
// (AutogenNormalize.BuiltinTypeNamesAreTheServers checks the list).
constexpr std::array<std::string_view, 98> kCatalogTypeNames = {
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "char",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml"};

bool IsCatalogTypeName(std::string_view name) {
  return std::binary_search(kCatalogTypeNames.begin(), kCatalogTypeNames.end(),
                            name);
}

std::optional<ColumnType> BuiltinType(const json& type_name,
                                      const std::string& text) {
  if (!OnlyKeys(type_name, {"names", "typmods", "typemod", "location"}) ||
      type_name.value("typemod", -1) != -1) {
    return std::nullopt;
  }
  auto names = Strings(Field(type_name, "names"));
  if (!names || names->empty() || names->size() > 2) return std::nullopt;
  const bool qualified = names->size() == 2;
  if (qualified && (*names)[0] != "pg_catalog") return std::nullopt;
  const std::string& name = names->back();
  std::vector<int64_t> mods;
  if (type_name.contains("typmods")) {
    for (const json& mod : type_name["typmods"]) {
      if (!mod.is_object() || !mod.contains("A_Const")) return std::nullopt;
      auto n = IntegerConst(mod["A_Const"], text);
      if (!n) return std::nullopt;
      mods.push_back(*n);
    }
  }
  ColumnType t;
  auto no_mods = [&](const char* text) -> std::optional<ColumnType> {
    if (!mods.empty()) return std::nullopt;
    t.text = text;
    return t;
  };
  // Names the grammar qualifies (keywords: INTEGER, VARCHAR, ...) and
  // names a user may write bare; a bare name is pg_catalog's as long as
  // the models create no type (they cannot here).
  if (name == "int4" || name == "int2" || name == "int8") {
    t.integer = t.numeric = true;
    t.max_value = name == "int4"   ? 2147483647
                  : name == "int2" ? 32767
                                   : 9223372036854775807;
    return no_mods(name == "int4"   ? "integer"
                   : name == "int2" ? "smallint"
                                    : "bigint");
  }
  if (!qualified &&
      (name == "serial" || name == "serial4" || name == "bigserial" ||
       name == "serial8" || name == "smallserial" || name == "serial2")) {
    t.integer = t.numeric = t.serial = true;
    const bool big = name == "bigserial" || name == "serial8";
    const bool small = name == "smallserial" || name == "serial2";
    t.max_value = big ? 9223372036854775807 : small ? 32767 : 2147483647;
    return no_mods(big ? "bigint" : small ? "smallint" : "integer");
  }
  if (name == "float8" || name == "float4") {
    t.numeric = true;
    return no_mods(name == "float8" ? "double precision" : "real");
  }
  if (name == "numeric") {
    t.numeric = true;
    if (mods.empty()) return no_mods("numeric");
    const int64_t precision = mods[0];
    const int64_t scale = mods.size() > 1 ? mods[1] : 0;
    if (mods.size() > 2 || precision < 1 || precision > 1000 || scale < 0 ||
        scale > precision) {
      return std::nullopt;
    }
    t.text = "numeric(" + std::to_string(precision) + "," +
             std::to_string(scale) + ")";
    return t;
  }
  if (name == "text") {
    t.string = true;
    return no_mods("text");
  }
  if (name == "varchar" || (name == "bpchar" && qualified)) {
    t.string = true;
    t.text = name == "varchar" ? "character varying" : "character";
    if (mods.empty())
      return name == "varchar" ? std::optional(t) : std::nullopt;
    if (mods.size() != 1 || mods[0] < 1 || mods[0] > 10485760) {
      return std::nullopt;
    }
    t.text += "(" + std::to_string(mods[0]) + ")";
    return t;
  }
  if (name == "bool") {
    t.boolean = true;
    return no_mods("boolean");
  }
  if (name == "timestamptz" || name == "timestamp") {
    t.timestamp = true;
    const char* zone =
        name == "timestamptz" ? " with time zone" : " without time zone";
    if (mods.empty()) {
      t.text = std::string("timestamp") + zone;
      return t;
    }
    if (mods.size() != 1 || mods[0] < 0 || mods[0] > 6) return std::nullopt;
    t.text = "timestamp(" + std::to_string(mods[0]) + ")" + zone;
    return t;
  }
  if (name == "date") {
    t.date = true;
    return no_mods("date");
  }
  if (name == "uuid") {
    t.uuid = true;
    return no_mods("uuid");
  }
  if (name == "jsonb") {
    t.json = true;
    return no_mods("jsonb");
  }
  if (name == "bytea" || name == "inet") {
    return no_mods(name.c_str());
  }
  if (name == "json") {
    t.btree = false;
    t.json = true;
    return no_mods("json");
  }
  return std::nullopt;
}

// Key into the per-schema name sets.
std::string SchemaName(const std::string& schema, const std::string& name) {
  return schema + '\x1f' + name;
}

}  // namespace

class ModelNormalizer::Impl {
 public:
  Impl() : catalog_(EmptyDatabaseCatalog()) { schemas_.insert("public"); }

  bool declined() const { return !declined_.empty(); }
  bool leaves_statements() const { return !residual_.empty(); }

  void Statement(const json& stmt, const std::string& text,
                 const std::string& path, int line, size_t index) {
    if (declined()) return;
    text_ = &text;
    where_ = path + ":" + std::to_string(line);
    if (!stmt.is_object() || stmt.size() != 1) {
      Decline("a statement libpg_query did not parse into one node");
      return;
    }
    const std::string& kind = stmt.begin().key();
    const json& body = stmt.begin().value();
    if (Residual(kind, body)) {
      if (residual_.empty() || residual_.back() != index) {
        residual_.push_back(index);
      }
      return;
    }
    if (declined()) return;
    if (kind == "CreateStmt") {
      CreateTable(body);
    } else if (kind == "IndexStmt") {
      CreateIndex(body);
    } else if (kind == "AlterTableStmt") {
      AlterTable(body);
    } else if (kind == "CommentStmt") {
      CommentOn(body);
    } else if (kind == "CreateSchemaStmt") {
      CreateSchema(body);
    } else if (kind == "CreateEnumStmt") {
      CreateEnum(body);
    } else if (kind == "VariableSetStmt" || kind == "SelectStmt") {
      // pg_dump's preamble and Rails' footer (model_settings.h): settings
      // that change nothing the normaliser builds. Run again before what is
      // left to a database (they may matter there: check_function_bodies).
      SettingEffect effect = ReadSettingStatement(kind, body);
      if (!effect.declined.empty()) {
        Decline(effect.declined);
        return;
      }
      if (effect.empty_search_path) {
        empty_search_path_ = *effect.empty_search_path;
      }
      if (session_.empty() || session_.back() != index) {
        session_.push_back(index);
      }
    } else if (kind == "CreateSeqStmt") {
      CreateSequence(body);
    } else if (kind == "AlterSeqStmt") {
      AlterSequence(body);
    } else if (kind == "InsertStmt") {
      Insert(body);
    } else {
      Decline("a " + kind + " statement");
    }
  }

  NormalizedModels Finish(const ModelOrder* order) {
    NormalizedModels out;
    if (!residual_.empty()) {
      where_ = "models";
      for (const std::string& key : residual_relations_) {
        if (catalog_.tables.count(key) || catalog_.indexes.count(key) ||
            catalog_.sequences.count(key)) {
          Decline("a view or materialized view named like a table, index or "
                  "sequence");
          break;
        }
      }
      if (order == nullptr || order->needs.size() <= residual_.back()) {
        Decline("views or functions, and no load order to load them by");
      }
    }
    out.declined = declined_;
    out.unqualified = unqualified_;
    out.created_schemas = created_schemas_;
    out.needed_schemas = needed_schemas_;
    if (declined()) return out;
    if (!residual_.empty()) {
      out.residual = residual_;
      out.load = LoadClosure(order->needs, residual_, session_);
    }
    for (auto& [key, table] : catalog_.tables) {
      std::sort(table.constraints.begin(), table.constraints.end(),
                [](const Constraint& a, const Constraint& b) {
                  return a.name < b.name;
                });
    }
    out.catalog = std::move(catalog_);
    return out;
  }

 private:
  // A table's keys, for foreign keys to find theirs.
  struct UniqueKey {
    std::vector<std::string> columns;
    std::string constraint_key;  // or a unique index's relation key
    bool primary = false;
  };
  struct TableState {
    std::string schema;
    std::string name;
    std::string key;         // RelationKey
    Table* table = nullptr;  // in catalog_.tables
    std::vector<UniqueKey> keys;
    std::unordered_map<std::string, ColumnType> types;  // by column name
  };

  // Whether the statement is left to a database (NormalizedModels::
  // residual): it creates a view, a materialized view, a function or an
  // extension -- kinds not modelled here -- or only touches such objects
  // (COMMENT, GRANT, an index on a materialized view, ALTER VIEW, ALTER
  // FUNCTION), and changes nothing the normaliser builds.
  bool Residual(const std::string& kind, const json& body) {
    if (kind == "CreateFunctionStmt" || kind == "AlterFunctionStmt" ||
        kind == "CreateExtensionStmt") {
      return true;
    }
    if (kind == "ViewStmt") return NewResidualRelation(Field(body, "view"));
    if (kind == "CreateTableAsStmt") {
      const json& into = Field(body, "into");
      return Text(body, "objtype") == "OBJECT_MATVIEW" &&
             into.is_object() && NewResidualRelation(Field(into, "rel"));
    }
    if (kind == "IndexStmt" || kind == "AlterTableStmt") {
      return IsResidualRelation(Field(body, "relation"));
    }
    if (kind == "AlterOwnerStmt") {
      return IsRoutine(Text(body, "objectType"));
    }
    if (kind == "CommentStmt") {
      const std::string& objtype = Text(body, "objtype");
      if (IsRoutine(objtype) || objtype == "OBJECT_EXTENSION") return true;
      const json& object = Field(body, "object");
      const json& list = Field(object, "List");
      auto names = Strings(Field(list, "items"));
      if (!names || names->empty() || names->size() > 3) return false;
      if (objtype == "OBJECT_VIEW" || objtype == "OBJECT_MATVIEW") {
        return names->size() <= 2 && IsResidualName(*names);
      }
      if (objtype == "OBJECT_COLUMN" && names->size() >= 2) {
        return IsResidualName(
            std::vector<std::string>(names->begin(), names->end() - 1));
      }
      return false;
    }
    if (kind == "GrantStmt") {
      if (Text(body, "targtype") != "ACL_TARGET_OBJECT") return false;
      const std::string& objtype = Text(body, "objtype");
      if (IsRoutine(objtype)) return true;
      const json& objects = Field(body, "objects");
      if (objtype != "OBJECT_TABLE" || !objects.is_array() ||
          objects.empty()) {
        return false;
      }
      for (const json& object : objects) {
        if (!IsResidualRelation(Field(object, "RangeVar"))) return false;
      }
      return true;
    }
    return false;
  }

  static bool IsRoutine(const std::string& objtype) {
    return objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_PROCEDURE" ||
           objtype == "OBJECT_ROUTINE";
  }

  // The relation key a RangeVar names, or "" for one named with a catalog.
  std::string ResidualKey(const json& range_var) {
    if (!range_var.is_object() || range_var.contains("catalogname")) return "";
    const std::string& name = Text(range_var, "relname");
    if (name.empty()) return "";
    return RelationKey(Resolve(Text(range_var, "schemaname")), name);
  }

  bool IsResidualRelation(const json& range_var) {
    return !residual_relations_.empty() &&
           residual_relations_.count(ResidualKey(range_var)) > 0;
  }

  bool IsResidualName(const std::vector<std::string>& parts) {
    if (residual_relations_.empty() || parts.empty() || parts.size() > 2) {
      return false;
    }
    return residual_relations_.count(RelationKey(
               parts.size() == 2 ? parts[0] : Resolve(""), parts.back())) > 0;
  }

  // A view or materialized view the statement creates. Named like a table,
  // index or sequence the models created, or like an enum (whose row type
  // would clash), the statement is left to the server to report: declined.
  bool NewResidualRelation(const json& range_var) {
    const std::string key = ResidualKey(range_var);
    if (key.empty()) return false;
    const std::string schema = Resolve(Text(range_var, "schemaname"));
    const std::string& name = Text(range_var, "relname");
    if (relation_names_.count(SchemaName(schema, name)) ||
        catalog_.enums.count(TypeKey(schema, name))) {
      return Decline("a view named like a relation or type the models made");
    }
    residual_relations_.insert(key);
    return true;
  }

  // Whether `a` and `b` are the same type, typmods aside
  // ('x'::character varying on a varchar(20) column).
  static bool SameTypeIgnoringModifier(const ColumnType& a,
                                       const ColumnType& b) {
    auto base = [](const std::string& t) {
      return t.substr(0, t.find('('));
    };
    return a.enum_key == b.enum_key && base(a.text) == base(b.text) &&
           a.text.find('[') == std::string::npos &&
           b.text.find('[') == std::string::npos;
  }

  // The sequence of nextval's argument 'name'::regclass, when the models
  // created it.
  const Sequence* NextvalSequence(const json& arg) {
    const json& cast = Field(arg, "TypeCast");
    const json& constant = Field(Field(cast, "arg"), "A_Const");
    auto type = Strings(Field(Field(cast, "typeName"), "names"));
    if (!constant.is_object() || !OnlyKeys(constant, {"sval", "location"}) ||
        !type || (*type != std::vector<std::string>{"regclass"} &&
                  *type != std::vector<std::string>{"pg_catalog", "regclass"})) {
      Decline("a nextval() default of another form");
      return nullptr;
    }
    const std::string& text = Text(Field(constant, "sval"), "sval");
    // A plain "schema.name" or "name" (lower-case, unquoted).
    std::string schema, name = text;
    if (size_t dot = text.find('.'); dot != std::string::npos) {
      schema = text.substr(0, dot);
      name = text.substr(dot + 1);
    }
    for (const std::string& part : {schema, name}) {
      for (char c : part) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
          Decline("a nextval() of a quoted sequence name");
          return nullptr;
        }
      }
    }
    auto it = catalog_.sequences.find(RelationKey(Resolve(schema), name));
    if (it == catalog_.sequences.end()) {
      Decline("a nextval() of a sequence the models have not created");
      return nullptr;
    }
    return &it->second;
  }

  // ALTER TABLE ... ALTER COLUMN c SET DEFAULT expr (pg_dump's form for
  // serial columns: a nextval of the sequence it created).
  bool SetDefault(TableState& t, const json& cmd) {
    if (!OnlyKeys(cmd, {"subtype", "name", "def", "behavior"}) ||
        !cmd.contains("def")) {
      return Decline("ALTER COLUMN ... DROP DEFAULT");
    }
    Column* col = nullptr;
    for (Column& c : t.table->columns) {
      if (c.name == Text(cmd, "name")) col = &c;
    }
    if (col == nullptr) return Decline("SET DEFAULT on a missing column");
    if (!col->identity.empty()) {
      return Decline("SET DEFAULT on an identity column (an error)");
    }
    if (col->default_expr) {
      return Decline("SET DEFAULT on a column with a default");
    }
    bool none = false;
    std::string sequence;
    auto printed = Default(cmd["def"], t.types.at(col->name), &none, &sequence);
    if (!printed) return false;
    if (none) return true;
    col->default_expr = *printed;
    const std::string column_key = ColumnKey(t.schema, t.name, col->name);
    Dep(column_key, t.key);
    if (!sequence.empty()) Dep(column_key, sequence);
    return true;
  }

  // The value of a sequence option's argument (Integer, or Float for
  // values past 32 bits).
  static std::optional<int64_t> OptionNumber(const json& arg) {
    if (arg.contains("Integer")) {
      return arg["Integer"].value("ival", int64_t{0});
    }
    if (arg.contains("Float")) {
      const std::string text = arg["Float"].value("fval", "");
      if (text.empty() || text.size() > 20) return std::nullopt;
      for (size_t i = 0; i < text.size(); ++i) {
        if (!(std::isdigit(static_cast<unsigned char>(text[i])) ||
              (i == 0 && text[i] == '-'))) {
          return std::nullopt;
        }
      }
      errno = 0;
      long long n = std::strtoll(text.c_str(), nullptr, 10);
      if (errno != 0) return std::nullopt;
      return n;
    }
    return std::nullopt;
  }

  // CREATE SEQUENCE with AS, START, INCREMENT (positive), [NO] MINVALUE,
  // [NO] MAXVALUE, CACHE and [NO] CYCLE, as pg_dump writes them.
  void CreateSequence(const json& body) {
    if (!OnlyKeys(body, {"sequence", "options"})) {
      Decline("CREATE SEQUENCE with IF NOT EXISTS or OWNED BY");
      return;
    }
    auto rel = RangeVar(Field(body, "sequence"));
    if (!rel) return;
    const auto& [schema, name] = *rel;
    if (!OrdinaryName(schema, name)) return;
    if (!schemas_.count(schema)) needed_schemas_.insert(schema);
    if (relation_names_.count(SchemaName(schema, name))) {
      Decline("a sequence whose name is taken");
      return;
    }
    Sequence seq;
    seq.schema = schema;
    seq.name = name;
    std::optional<int64_t> start, min, max;
    std::set<std::string> seen;
    for (const json& option : Field(body, "options")) {
      const json& def = Field(option, "DefElem");
      const std::string& what = Text(def, "defname");
      if (!def.is_object() || !seen.insert(what).second ||
          Text(def, "defaction") != "DEFELEM_UNSPEC") {
        Decline("a sequence option repeated or of another form");
        return;
      }
      const json& arg = Field(def, "arg");
      if (what == "as") {
        auto type = ColumnTypeOf(arg.is_object() && arg.contains("TypeName")
                                     ? arg["TypeName"]
                                     : json());
        if (!type || !type->integer || type->serial) {
          Decline("a sequence of a type other than smallint, integer or bigint");
          return;
        }
        seq.data_type = type->text;
        seq.max_value = type->max_value;
        continue;
      }
      if (what == "cycle") {
        seq.cycle = arg.contains("Boolean") &&
                    arg["Boolean"].value("boolval", false);
        continue;
      }
      if (what != "start" && what != "increment" && what != "minvalue" &&
          what != "maxvalue" && what != "cache") {
        Decline("CREATE SEQUENCE with " + what + " (OWNED BY, RESTART, ...)");
        return;
      }
      std::optional<int64_t> n;
      if (!arg.is_null()) {
        n = OptionNumber(arg);
        if (!n) {
          Decline("a sequence option of another kind");
          return;
        }
      }
      if (what == "start" && n) {
        start = n;
      } else if (what == "increment" && n && *n > 0) {
        seq.increment = *n;
      } else if (what == "minvalue") {
        min = n;  // nullopt: NO MINVALUE
      } else if (what == "maxvalue") {
        max = n;
      } else if (what == "cache" && n && *n >= 1) {
        seq.cache = *n;
      } else {
        Decline("a sequence option " + what + " not normalised here");
        return;
      }
    }
    if (min) seq.min_value = *min;
    if (max) seq.max_value = *max;
    seq.start = start.value_or(seq.min_value);
    if (seq.min_value > seq.max_value || seq.start < seq.min_value ||
        seq.start > seq.max_value) {
      Decline("a sequence whose bounds the server refuses");
      return;
    }
    relation_names_.insert(SchemaName(schema, name));
    catalog_.sequences[RelationKey(schema, name)] = std::move(seq);
  }

  // ALTER SEQUENCE s OWNED BY table.column (pg_dump's form for serial).
  void AlterSequence(const json& body) {
    const json& options = Field(body, "options");
    if (!OnlyKeys(body, {"sequence", "options"}) || !options.is_array() ||
        options.size() != 1 ||
        Text(Field(options[0], "DefElem"), "defname") != "owned_by") {
      Decline("ALTER SEQUENCE other than OWNED BY");
      return;
    }
    auto rel = RangeVar(Field(body, "sequence"));
    if (!rel) return;
    auto it = catalog_.sequences.find(RelationKey(rel->first, rel->second));
    if (it == catalog_.sequences.end()) {
      Decline("ALTER SEQUENCE of a sequence the models have not created");
      return;
    }
    auto parts =
        Strings(Field(Field(Field(options[0], "DefElem"), "arg"), "List")
                    .value("items", json()));
    if (!parts || parts->size() < 2 || parts->size() > 3) {
      Decline("OWNED BY NONE, or naming a column oddly");
      return;
    }
    std::string schema = parts->size() == 3 ? (*parts)[0] : Resolve("");
    TableState* t = FindTable(schema, (*parts)[parts->size() - 2]);
    if (t == nullptr || t->schema != rel->first ||
        t->table->FindColumn(parts->back()) == nullptr ||
        !it->second.owned_by_table.empty()) {
      Decline("OWNED BY a column the models have not created, or twice");
      return;
    }
    it->second.owned_by_table = t->key;
    it->second.owned_by_column = parts->back();
  }

  // INSERT ... VALUES of constants into a table of the models (Rails'
  // schema_migrations rows): data, which the catalog does not hold.
  void Insert(const json& body) {
    if (!OnlyKeys(body, {"relation", "cols", "selectStmt", "override"}) ||
        body.value("override", "OVERRIDING_NOT_SET") != "OVERRIDING_NOT_SET") {
      Decline("an INSERT with RETURNING, ON CONFLICT, WITH or OVERRIDING");
      return;
    }
    auto rel = RangeVar(Field(body, "relation"));
    if (!rel) return;
    TableState* t = FindTable(rel->first, rel->second);
    if (t == nullptr) {
      Decline("an INSERT into a table the models have not created");
      return;
    }
    size_t width = 0;
    for (const json& c : Field(body, "cols")) {
      const json& target = Field(c, "ResTarget");
      if (!OnlyKeys(target, {"name", "location"}) ||
          t->table->FindColumn(Text(target, "name")) == nullptr) {
        Decline("an INSERT naming a column the table lacks");
        return;
      }
      ++width;
    }
    if (width == 0) width = t->table->columns.size();
    const json& select = Field(Field(body, "selectStmt"), "SelectStmt");
    const json& rows = Field(select, "valuesLists");
    if (!OnlyKeys(select, {"valuesLists", "limitOption", "op"}) ||
        !rows.is_array()) {
      Decline("an INSERT of a query");
      return;
    }
    for (const json& row : rows) {
      const json& items = Field(Field(row, "List"), "items");
      if (!items.is_array() || items.size() != width) {
        Decline("an INSERT row of another width");
        return;
      }
      for (const json& item : items) {
        if (!item.is_object() || !item.contains("A_Const")) {
          Decline("an INSERT of values other than constants");
          return;
        }
      }
    }
  }

  // Always returns false, for `return Decline(...)`.
  bool Decline(const std::string& why) {
    if (declined_.empty()) declined_ = where_ + ": " + why;
    return false;
  }

  void Dep(const std::string& from, const std::string& to) {
    if (from != to) catalog_.depends_on[from].insert(to);
  }

  // The schema an unqualified name goes to.
  std::string Resolve(const std::string& schema) {
    if (!schema.empty()) return schema;
    if (empty_search_path_) {
      Decline("an unqualified name while the search_path is empty");
    }
    unqualified_ = true;
    return "public";
  }

  bool Identifier(const std::string& name) {
    if (name.empty() || name.size() > kMaxIdentifier) {
      return Decline("a name longer than " + std::to_string(kMaxIdentifier) +
                     " bytes (the server truncates it)");
    }
    return true;
  }

  // A RangeVar naming a permanent (or unlogged) relation: schema, name.
  std::optional<std::pair<std::string, std::string>> RangeVar(
      const json& rv, bool* unlogged = nullptr, bool only = false) {
    if (!OnlyKeys(rv, {"schemaname", "relname", "inh", "relpersistence",
                       "location"}) ||
        (!only && !rv.value("inh", false))) {
      Decline("a relation named with ONLY or a catalog");
      return std::nullopt;
    }
    const std::string persistence = rv.value("relpersistence", "p");
    if (persistence == "u" && unlogged != nullptr) {
      *unlogged = true;
    } else if (persistence != "p") {
      Decline("a temporary or unlogged relation");
      return std::nullopt;
    }
    std::string schema = Resolve(Text(rv, "schemaname"));
    std::string name = Text(rv, "relname");
    if (!Identifier(schema) || !Identifier(name)) return std::nullopt;
    return std::make_pair(schema, name);
  }

  TableState* FindTable(const std::string& schema, const std::string& name) {
    auto it = tables_.find(RelationKey(schema, name));
    return it == tables_.end() ? nullptr : &it->second;
  }

  // Declines a system schema (pg_*, information_schema: creating there is
  // an error, or makes a temporary object in pg_temp) and object names
  // pg_*: an unqualified reference to one finds pg_catalog's relation of
  // that name first (pg_class, pg_index, ...).
  bool OrdinaryName(const std::string& schema, const std::string& name) {
    if (schema.starts_with("pg_") || schema == "information_schema") {
      return Decline("an object in a system schema");
    }
    if (name.starts_with("pg_")) return Decline("an object named pg_*");
    return true;
  }

  // A name PostgreSQL makes up ("t_a_b_key"), as makeObjectName would --
  // declined when it would be truncated -- and free in the schema as
  // ChooseRelationName/ChooseConstraintName require (else the server would
  // pick another by appending digits: declined too).
  std::optional<std::string> ChosenName(const TableState& t,
                                        const std::vector<std::string>& columns,
                                        const char* label, bool relation) {
    std::string name = t.name;
    for (const std::string& c : columns) name += "_" + c;
    name += "_";
    name += label;
    if (name.size() > kMaxIdentifier) {
      Decline("a constraint name the server would truncate");
      return std::nullopt;
    }
    if (constraint_names_.count(SchemaName(t.schema, name)) ||
        (relation && relation_names_.count(SchemaName(t.schema, name)))) {
      Decline("a constraint whose chosen name is taken");
      return std::nullopt;
    }
    return name;
  }

  // The columns of constraint `k` of `table`: `column` for a column
  // constraint, else the names in `k[list]`; declined when one is an
  // expression, missing or repeated.
  bool ConstraintColumns(const Table& table, const json& k,
                         const std::string& column, const char* list,
                         std::vector<std::string>* columns) {
    if (!column.empty()) {
      if (k.contains(list)) return Decline("a column constraint with columns");
      columns->assign(1, column);
    } else {
      auto names = Strings(Field(k, list));
      if (!names) return Decline("a key of expressions");
      *columns = std::move(*names);
    }
    return KeyColumns(table, *columns);
  }

  // The name of constraint `k` of `t`: its own (CONSTRAINT name), free on
  // the table -- and among the schema's relations when it names an index
  // too (`relation`) -- or the one PostgreSQL makes up from `columns` and
  // `label` (ChosenName).
  std::optional<std::string> ConstraintName(
      const TableState& t, const json& k,
      const std::vector<std::string>& columns, const char* label,
      bool relation) {
    if (!k.contains("conname")) return ChosenName(t, columns, label, relation);
    const std::string& name = Text(k, "conname");
    if (!Identifier(name)) return std::nullopt;
    if ((relation && relation_names_.count(SchemaName(t.schema, name))) ||
        table_constraints_.count(ConstraintKey(t.schema, t.name, name))) {
      Decline("a constraint whose name is taken");
      return std::nullopt;
    }
    return name;
  }

  // Column names of a key; declined when one is missing or repeated.
  bool KeyColumns(const Table& table, const std::vector<std::string>& columns) {
    if (columns.empty()) return Decline("a key without columns");
    if (columns.size() > kMaxIndexColumns) {
      return Decline("a key of more than 32 columns (an error)");
    }
    std::set<std::string> seen;
    for (const std::string& c : columns) {
      if (table.FindColumn(c) == nullptr) {
        return Decline("a key on column \"" + c + "\" the table lacks");
      }
      if (!seen.insert(c).second) return Decline("a key naming a column twice");
    }
    return true;
  }

  // A PRIMARY KEY / UNIQUE / FOREIGN KEY constraint of `t` (a Constraint
  // node's body); `column` for a column constraint.
  // A constraint waiting for its table's columns: a Constraint node's body,
  // the column it was written on ("" for a table constraint), and the
  // DEFERRABLE / INITIALLY DEFERRED clauses that followed it there (which
  // the grammar gives as nodes of their own).
  struct Pending {
    const json* node;
    std::string column;
    std::optional<bool> deferrable = std::nullopt;
    std::optional<bool> initdeferred = std::nullopt;
  };

  bool AddConstraint(TableState& t, const json& k, const std::string& column,
                     const Pending* attrs = nullptr) {
    const std::string& contype = Text(k, "contype");
    Table& table = *t.table;
    const std::string& table_key = t.key;
    if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") {
      if (!OnlyKeys(k, {"contype", "conname", "keys", "location"})) {
        return Decline("a key with options");
      }
      std::vector<std::string> columns;
      if (!ConstraintColumns(table, k, column, "keys", &columns)) return false;
      const bool primary = contype == "CONSTR_PRIMARY";
      for (const std::string& c : columns) {
        if (!t.types.at(c).btree) {
          return Decline("a key on a column without a btree operator class");
        }
      }
      for (const UniqueKey& u : t.keys) {
        if (primary && u.primary) return Decline("a second primary key");
        // PostgreSQL keeps one index for two keys on the same columns
        // written in one statement (`id integer PRIMARY KEY UNIQUE`).
        if (u.columns == columns) {
          return Decline("two keys on the same columns");
        }
      }
      auto chosen =
          primary ? ConstraintName(t, k, {}, "pkey", /*relation=*/true)
                  : ConstraintName(t, k, columns, "key", /*relation=*/true);
      if (!chosen) return false;
      const std::string name = std::move(*chosen);
      for (const std::string& c : columns) {
        if (primary) {
          for (Column& col : table.columns) {
            if (col.name == c) col.not_null = true;
          }
        }
      }
      const std::string key = ConstraintKey(t.schema, t.name, name);
      Constraint out;
      out.name = name;
      out.kind =
          primary ? ConstraintKind::kPrimaryKey : ConstraintKind::kUnique;
      KeyConstraintParts parts;
      parts.primary = primary;
      parts.columns = columns;
      out.definition = KeyConstraintDefinition(parts);
      table.constraints.push_back(std::move(out));
      Dep(key, table_key);
      for (const std::string& c : columns) {
        Dep(key, ColumnKey(t.schema, t.name, c));
      }
      t.keys.push_back(UniqueKey{columns, key, primary});
      NameTaken(t, name, true);
      return true;
    }
    if (contype == "CONSTR_FOREIGN") {
      return AddForeignKey(t, k, column, attrs);
    }
    if (contype == "CONSTR_CHECK") return AddCheck(t, k);
    return Decline("a " + contype + " constraint");
  }

  // A CHECK constraint whose expression CheckExpression can print.
  bool AddCheck(TableState& t, const json& k) {
    if (!OnlyKeys(k, {"contype", "conname", "location", "raw_expr",
                      "initially_valid"}) ||
        !k.value("initially_valid", false)) {
      return Decline("a CHECK constraint NOT VALID or NO INHERIT");
    }
    std::vector<std::string> columns;  // distinct, in order of appearance
    auto expr = CheckExpression(t, Field(k, "raw_expr"), &columns);
    if (!expr) return false;
    // Named after its column when it reads exactly one.
    auto chosen = ConstraintName(
        t, k, columns.size() == 1 ? columns : std::vector<std::string>(),
        "check", /*relation=*/false);
    if (!chosen) return false;
    const std::string name = std::move(*chosen);
    const std::string key = ConstraintKey(t.schema, t.name, name);
    Constraint out;
    out.name = name;
    out.kind = ConstraintKind::kCheck;
    out.definition = "CHECK (" + *expr + ")";
    t.table->constraints.push_back(std::move(out));
    Dep(key, t.key);
    for (const std::string& c : columns) {
      Dep(key, ColumnKey(t.schema, t.name, c));
    }
    NameTaken(t, name, false);
    return true;
  }

  // pg_get_constraintdef's text of a CHECK expression built from
  // comparisons of an integer column with an unsigned integer (= <> < <=
  // > >=; PostgreSQL has an operator for each pair of integer types, so no
  // cast is printed), IS [NOT] NULL of a column, and AND / OR of those;
  // the columns read are added to `*columns`. nullopt (declined) for
  // anything else.
  std::optional<std::string> CheckExpression(
      const TableState& t, const json& node,
      std::vector<std::string>* columns) {
    auto column_ref = [&](const json& ref) -> const Column* {
      if (!ref.is_object() || !ref.contains("ColumnRef")) return nullptr;
      const json& c = ref["ColumnRef"];
      auto fields = Strings(Field(c, "fields"));
      if (!OnlyKeys(c, {"fields", "location"}) || !fields ||
          fields->size() != 1) {
        return nullptr;
      }
      const Column* col = t.table->FindColumn(fields->front());
      if (col != nullptr && std::find(columns->begin(), columns->end(),
                                      col->name) == columns->end()) {
        columns->push_back(col->name);
      }
      return col;
    };
    if (node.is_object() && node.size() == 1) {
      const std::string& kind = node.begin().key();
      const json& body = node.begin().value();
      if (kind == "A_Expr" &&
          OnlyKeys(body, {"kind", "name", "lexpr", "rexpr", "location"}) &&
          Text(body, "kind") == "AEXPR_OP") {
        auto op = Strings(Field(body, "name"));
        const Column* col = column_ref(Field(body, "lexpr"));
        const json& value = Field(body, "rexpr");
        if (op && op->size() == 1 && col != nullptr &&
            t.types.at(col->name).integer && value.is_object() &&
            value.contains("A_Const")) {
          const std::string& o = op->front();
          auto n = IntegerConst(value["A_Const"], *text_);
          if (n && (o == "=" || o == "<>" || o == "<" || o == "<=" ||
                    o == ">" || o == ">=")) {
            return "(" + QuoteIdentIfNeeded(col->name) + " " + o + " " +
                   std::to_string(*n) + ")";
          }
        }
      } else if (kind == "BoolExpr" &&
                 OnlyKeys(body, {"boolop", "args", "location"})) {
        const std::string& op = Text(body, "boolop");
        const json& args = Field(body, "args");
        if ((op == "AND_EXPR" || op == "OR_EXPR") && args.is_array() &&
            args.size() >= 2) {
          std::string out = "(";
          for (const json& arg : args) {
            auto printed = CheckExpression(t, arg, columns);
            if (!printed) return std::nullopt;
            if (out.size() > 1) out += op == "AND_EXPR" ? " AND " : " OR ";
            out += *printed;
          }
          return out + ")";
        }
      } else if (kind == "NullTest" &&
                 OnlyKeys(body, {"arg", "nulltesttype", "location"})) {
        const Column* col = column_ref(Field(body, "arg"));
        const std::string& test = Text(body, "nulltesttype");
        if (col != nullptr && (test == "IS_NULL" || test == "IS_NOT_NULL")) {
          return "(" + QuoteIdentIfNeeded(col->name) +
                 (test == "IS_NULL" ? " IS NULL)" : " IS NOT NULL)");
        }
      }
    }
    Decline(
        "a CHECK expression other than integer comparisons, IS NULL, "
        "AND and OR");
    return std::nullopt;
  }

  void NameTaken(const TableState& t, const std::string& name, bool relation) {
    constraint_names_.insert(SchemaName(t.schema, name));
    table_constraints_.insert(ConstraintKey(t.schema, t.name, name));
    if (relation) relation_names_.insert(SchemaName(t.schema, name));
  }

  bool AddForeignKey(TableState& t, const json& k, const std::string& column,
                     const Pending* attrs) {
    if (!OnlyKeys(k,
                  {"contype", "conname", "location", "pktable", "fk_attrs",
                   "pk_attrs", "fk_matchtype", "fk_upd_action", "fk_del_action",
                   "initially_valid", "deferrable", "initdeferred"})) {
      return Decline("a foreign key with options");
    }
    if (!k.value("initially_valid", false)) {
      return Decline("a NOT VALID foreign key");
    }
    Table& table = *t.table;
    const std::string& table_key = t.key;
    std::vector<std::string> columns;
    if (!ConstraintColumns(table, k, column, "fk_attrs", &columns)) {
      return false;
    }
    auto ref_name = RangeVar(Field(k, "pktable"));
    if (!ref_name) return false;
    TableState* ref = FindTable(ref_name->first, ref_name->second);
    if (ref == nullptr) {
      return Decline("a foreign key to a table the models have not created");
    }
    if (!table.unlogged && ref->table->unlogged) {
      return Decline(
          "a foreign key from a permanent to an unlogged table (an "
          "error)");
    }
    const UniqueKey* target = nullptr;
    std::vector<std::string> ref_columns;
    if (k.contains("pk_attrs")) {
      auto attrs = Strings(k["pk_attrs"]);
      if (!attrs) return Decline("a foreign key to expressions");
      ref_columns = *attrs;
      std::set<std::string> wanted(ref_columns.begin(), ref_columns.end());
      if (wanted.size() != ref_columns.size()) {
        return Decline("a foreign key naming a column twice");
      }
      for (const UniqueKey& u : ref->keys) {
        if (std::set<std::string>(u.columns.begin(), u.columns.end()) !=
            wanted) {
          continue;
        }
        if (target != nullptr) {
          return Decline("a foreign key that two keys could serve");
        }
        target = &u;
      }
    } else {
      for (const UniqueKey& u : ref->keys) {
        if (u.primary) target = &u;
      }
      if (target != nullptr) ref_columns = target->columns;
    }
    if (target == nullptr) {
      return Decline("a foreign key without a matching key to reference");
    }
    if (ref_columns.size() != columns.size()) {
      return Decline("a foreign key with a different number of columns");
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::string& mine = table.FindColumn(columns[i])->type;
      const Column* theirs = ref->table->FindColumn(ref_columns[i]);
      if (theirs == nullptr || theirs->type != mine) {
        return Decline("a foreign key between columns of different types");
      }
    }
    const std::string match = k.value("fk_matchtype", "s");
    if (match != "s" && match != "f") return Decline("MATCH PARTIAL");
    auto chosen = ConstraintName(t, k, columns, "fkey", /*relation=*/false);
    if (!chosen) return false;
    const std::string name = std::move(*chosen);
    ForeignKeyParts fk;
    fk.columns = columns;
    fk.referenced = QualifiedName(ref->schema, ref->name);
    fk.referenced_columns = ref_columns;
    fk.match = match[0];
    auto code = [](const std::string& c) { return c.size() == 1 ? c[0] : '?'; };
    fk.on_update = code(k.value("fk_upd_action", "a"));
    fk.on_delete = code(k.value("fk_del_action", "a"));
    if (!ForeignKeyActionSql(fk.on_update) ||
        !ForeignKeyActionSql(fk.on_delete)) {
      return Decline("a foreign key action");
    }
    bool deferrable = k.value("deferrable", false);
    bool initdeferred = k.value("initdeferred", false);
    if (attrs != nullptr) {
      deferrable = attrs->deferrable.value_or(deferrable);
      initdeferred = attrs->initdeferred.value_or(initdeferred);
      if (attrs->deferrable == false && initdeferred) {
        return Decline("NOT DEFERRABLE INITIALLY DEFERRED");
      }
    }
    fk.deferrable = deferrable || initdeferred;
    fk.initially_deferred = initdeferred;
    std::optional<std::string> def = ForeignKeyDefinition(fk);
    if (!def) return Decline("a foreign key action");
    const std::string key = ConstraintKey(t.schema, t.name, name);
    const std::string ref_key = RelationKey(ref->schema, ref->name);
    Constraint out;
    out.name = name;
    out.kind = ConstraintKind::kForeignKey;
    out.definition = std::move(*def);
    out.referenced_table = ref_key;
    Dep(key, table_key);
    for (const std::string& c : columns)
      Dep(key, ColumnKey(t.schema, t.name, c));
    Dep(key, ref_key);
    for (const std::string& c : ref_columns) {
      Dep(key, ColumnKey(ref->schema, ref->name, c));
    }
    Dep(key, target->constraint_key);
    table.constraints.push_back(std::move(out));
    NameTaken(t, name, false);
    return true;
  }

  // The printed default of `value` for a column of `type`; nullopt (and
  // declined) for anything but the few shapes known. `*none` for DEFAULT
  // NULL, which PostgreSQL does not store. `*sequence`: the relation key of
  // the sequence a nextval() default takes from (the column depends on
  // it), else left as it was.
  std::optional<std::string> Default(const json& value, const ColumnType& type,
                                     bool* none, std::string* sequence) {
    if (!value.is_object() || value.size() != 1) {
      Decline("a default expression");
      return std::nullopt;
    }
    const std::string& kind = value.begin().key();
    const json& body = value.begin().value();
    if (kind == "TypeCast") {
      // 'x'::character varying, '{}'::jsonb, 'a'::public.mood (pg_dump's
      // form): a constant cast to the column's own type is the constant.
      const json& arg = Field(body, "arg");
      auto cast = ColumnTypeOf(Field(body, "typeName"));
      const json& mod = Field(Field(body, "typeName"), "typmods");
      if (OnlyKeys(body, {"arg", "typeName", "location"}) && cast &&
          mod.is_null() && arg.is_object() && arg.contains("A_Const") &&
          SameTypeIgnoringModifier(*cast, type)) {
        if (type.json && OnlyKeys(arg["A_Const"], {"sval", "location"})) {
          const std::string& s = Text(Field(arg["A_Const"], "sval"), "sval");
          if (s == "{}" || s == "[]") return QuoteLiteral(s) + "::" + type.text;
        } else if (!type.json) {
          return Default(arg, type, none, sequence);
        }
      }
    }
    if (kind == "FuncCall" && type.integer && !type.serial) {
      // nextval('s'::regclass) of a sequence the models created.
      auto name = Strings(Field(body, "funcname"));
      const json& args = Field(body, "args");
      if (OnlyKeys(body, {"funcname", "args", "funcformat", "location"}) &&
          name && (*name == std::vector<std::string>{"nextval"} ||
                   *name == std::vector<std::string>{"pg_catalog", "nextval"}) &&
          args.is_array() && args.size() == 1) {
        if (auto seq = NextvalSequence(args[0])) {
          *sequence = RelationKey(seq->schema, seq->name);
          return "nextval(" +
                 QuoteLiteral(QualifiedName(seq->schema, seq->name)) +
                 "::regclass)";
        }
      }
    }
    if (kind == "A_Const") {
      if (body.value("isnull", false)) {
        *none = true;
        return "";
      }
      if (body.contains("ival") && type.numeric) {
        auto n = IntegerConst(body, *text_);
        if (!n) {
          Decline("a default number with a sign or more than 9 digits");
          return std::nullopt;
        }
        return std::to_string(*n);
      }
      if (body.contains("sval") && type.string &&
          OnlyKeys(body, {"sval", "location"})) {
        const std::string s = Text(body["sval"], "sval");
        for (unsigned char ch : s) {
          if (ch < 0x20 || ch == '\\' || ch >= 0x80) {
            Decline("a default string with escapes or non-ASCII characters");
            return std::nullopt;
          }
        }
        std::string quoted = QuoteLiteral(s) + "::";
        quoted += type.text.starts_with("character varying")
                      ? "character varying"
                  : type.text.starts_with("character") ? "bpchar"
                                                       : "text";
        return quoted;
      }
      if (body.contains("sval") && type.labels != nullptr &&
          OnlyKeys(body, {"sval", "location"})) {
        const std::string& label = Text(body["sval"], "sval");
        if (std::find(type.labels->begin(), type.labels->end(), label) ==
            type.labels->end()) {
          Decline("a default that is not one of the enum's labels");
          return std::nullopt;
        }
        return QuoteLiteral(label) + "::" + type.text;
      }
      if (body.contains("boolval") && type.boolean &&
          OnlyKeys(body, {"boolval", "location"})) {
        return body["boolval"].value("boolval", false) ? "true" : "false";
      }
    } else if (kind == "FuncCall") {
      if (OnlyKeys(body, {"funcname", "funcformat", "location"}) &&
          Text(body, "funcformat") == "COERCE_EXPLICIT_CALL") {
        auto name = Strings(Field(body, "funcname"));
        if (name && name->size() == 1) {
          if ((*name)[0] == "now" && type.timestamp) return "now()";
          if ((*name)[0] == "gen_random_uuid" && type.uuid) {
            return "gen_random_uuid()";
          }
        }
      }
    } else if (kind == "SQLValueFunction") {
      if (OnlyKeys(body, {"op", "typmod", "location"}) &&
          body.value("typmod", 0) == -1) {
        const std::string& op = Text(body, "op");
        if (op == "SVFOP_CURRENT_TIMESTAMP" && type.timestamp) {
          return "CURRENT_TIMESTAMP";
        }
        if (op == "SVFOP_CURRENT_DATE" && type.date) return "CURRENT_DATE";
      }
    }
    Decline("a default expression of a kind not normalised here");
    return std::nullopt;
  }

  void CreateTable(const json& body) {
    if (!OnlyKeys(body, {"relation", "tableElts", "oncommit"}) ||
        body.value("oncommit", "ONCOMMIT_NOOP") != "ONCOMMIT_NOOP") {
      Decline("CREATE TABLE with options");
      return;
    }
    bool unlogged = false;
    auto name = RangeVar(Field(body, "relation"), &unlogged);
    if (!name) return;
    const auto& [schema, table_name] = *name;
    if (!OrdinaryName(schema, table_name)) return;
    if (!schemas_.count(schema)) {
      // Created before the models (DiffOptions::idempotent_schemas), or
      // the models fail: the caller decides.
      schemas_.insert(schema);
      needed_schemas_.insert(schema);
      Schema s;
      s.name = schema;
      catalog_.schemas[SchemaKey(schema)] = std::move(s);
    }
    if (relation_names_.count(SchemaName(schema, table_name))) {
      Decline("a table whose name is taken");
      return;
    }
    const std::string key = RelationKey(schema, table_name);
    Table& table = catalog_.tables[key];
    table.schema = schema;
    table.name = table_name;
    table.unlogged = unlogged;
    TableState& t = tables_[key];
    t.schema = schema;
    t.name = table_name;
    t.key = key;
    t.table = &table;
    relation_names_.insert(SchemaName(schema, table_name));
    // Columns first, with their NULL/NOT NULL and defaults; then keys in
    // the order written; then foreign keys, which may reference this
    // table's own keys.
    std::vector<Pending> keys, foreign;
    for (const json& element : Field(body, "tableElts")) {
      if (element.contains("ColumnDef")) {
        if (!AddColumn(t, table, element["ColumnDef"], &keys, &foreign)) return;
      } else if (element.contains("Constraint")) {
        const json& k = element["Constraint"];
        (Text(k, "contype") == "CONSTR_FOREIGN" ? foreign : keys)
            .push_back(Pending{&k, ""});
      } else {
        Decline("CREATE TABLE with LIKE");
        return;
      }
    }
    if (table.columns.empty() || table.columns.size() > kMaxTableColumns) {
      Decline("a table without columns, or with more than 1,600");
      return;
    }
    for (const Pending& k : keys) {
      if (!AddConstraint(t, *k.node, k.column, &k)) return;
    }
    for (const Pending& k : foreign) {
      if (!AddConstraint(t, *k.node, k.column, &k)) return;
    }
  }

  bool AddColumn(TableState& t, Table& table, const json& def,
                 std::vector<Pending>* keys, std::vector<Pending>* foreign) {
    if (!OnlyKeys(def, {"colname", "typeName", "is_local", "constraints",
                        "location"})) {
      return Decline("a column with COLLATE, identity, storage or the like");
    }
    Column col;
    col.name = Text(def, "colname");
    if (!Identifier(col.name)) return false;
    if (table.FindColumn(col.name) != nullptr) {
      return Decline("a column named twice");
    }
    for (const char* system :
         {"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"}) {
      if (col.name == system) {
        return Decline("a column named like a system column (an error)");
      }
    }
    auto type = ColumnTypeOf(Field(def, "typeName"));
    if (!type) return Decline("a column of a type not normalised here");
    col.type = type->text;
    t.types[col.name] = *type;
    bool null = false, not_null = false, has_default = false;
    std::string default_sequence;  // of a nextval() default
    std::string identity;     // "a" or "d" for GENERATED ... AS IDENTITY
    Pending* last = nullptr;  // the column's last foreign key
    std::optional<bool> unused;
    for (const json& c : Field(def, "constraints")) {
      if (!c.contains("Constraint")) return Decline("a column constraint");
      const json& k = c["Constraint"];
      const std::string& contype = Text(k, "contype");
      if (contype == "CONSTR_NULL" || contype == "CONSTR_NOTNULL") {
        if (!OnlyKeys(k, {"contype", "location"})) {
          return Decline("a named NOT NULL");
        }
        (contype == "CONSTR_NULL" ? null : not_null) = true;
        last = nullptr;
      } else if (contype == "CONSTR_DEFAULT") {
        if (!OnlyKeys(k, {"contype", "location", "raw_expr"}) || has_default) {
          return Decline("a named or repeated DEFAULT");
        }
        has_default = true;
        last = nullptr;
        bool none = false;
        auto printed =
            Default(Field(k, "raw_expr"), *type, &none, &default_sequence);
        if (!printed) return false;
        if (!none) col.default_expr = *printed;
      } else if (contype == "CONSTR_IDENTITY") {
        // Without options: the sequence's defaults for the type.
        if (!OnlyKeys(k, {"contype", "generated_when", "location"}) ||
            !identity.empty() || !type->integer || type->serial) {
          return Decline(
              "an identity column with options, twice, or of a "
              "type other than smallint, integer or bigint");
        }
        identity = Text(k, "generated_when");
        if (identity != "a" && identity != "d") {
          return Decline("an identity column of an unknown kind");
        }
        last = nullptr;
      } else if (contype == "CONSTR_FOREIGN") {
        foreign->push_back(Pending{&k, col.name});
        last = &foreign->back();
      } else if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE" ||
                 contype == "CONSTR_CHECK") {
        keys->push_back(Pending{&k, col.name});
        last = nullptr;  // DEFERRABLE keys are not normalised here
      } else if (contype.starts_with("CONSTR_ATTR_")) {
        // Applies to the constraint written just before it.
        std::optional<bool>& attr =
            contype == "CONSTR_ATTR_DEFERRABLE" ||
                    contype == "CONSTR_ATTR_NOT_DEFERRABLE"
                ? (last ? last->deferrable : unused)
                : (last ? last->initdeferred : unused);
        if (last == nullptr || attr.has_value() ||
            !OnlyKeys(k, {"contype", "location"})) {
          return Decline("DEFERRABLE or INITIALLY on a key, or repeated");
        }
        attr = contype == "CONSTR_ATTR_DEFERRABLE" ||
               contype == "CONSTR_ATTR_DEFERRED";
      } else {
        return Decline("a " + contype + " column constraint");
      }
    }
    if (null && not_null) return Decline("NULL and NOT NULL together");
    col.not_null = not_null;
    const std::string column_key = ColumnKey(t.schema, t.name, col.name);
    if (type->serial || !identity.empty()) {
      // Both are NOT NULL, take no other default and own a sequence named
      // as ChooseRelationName would: "<table>_<column>_seq".
      if (null || has_default) {
        return Decline(
            "a serial or identity column declared NULL or with a "
            "DEFAULT");
      }
      col.not_null = true;
      const std::string seq = t.name + "_" + col.name + "_seq";
      if (seq.size() > kMaxIdentifier) {
        return Decline("a sequence name the server would truncate");
      }
      if (relation_names_.count(SchemaName(t.schema, seq))) {
        return Decline("a sequence whose chosen name is taken");
      }
      relation_names_.insert(SchemaName(t.schema, seq));
      col.identity = identity;
      if (type->serial) {
        Sequence s;
        s.schema = t.schema;
        s.name = seq;
        s.data_type = type->text;
        s.max_value = type->max_value;
        s.owned_by_table = t.key;
        s.owned_by_column = col.name;
        const std::string seq_key = RelationKey(t.schema, seq);
        col.default_expr = "nextval(" +
                           QuoteLiteral(QualifiedName(t.schema, seq)) +
                           "::regclass)";
        Dep(column_key, seq_key);
        catalog_.sequences[seq_key] = std::move(s);
      }
    }
    // pg_attrdef depends on its column, which introspection folds into a
    // dependency of the column on its table.
    if (col.default_expr) Dep(column_key, t.key);
    if (!default_sequence.empty()) Dep(column_key, default_sequence);
    if (!type->enum_key.empty()) {
      col.type_key = type->enum_key;
      Dep(column_key, type->enum_key);
    }
    table.columns.push_back(std::move(col));
    return true;
  }

  void CreateIndex(const json& body) {
    if (!OnlyKeys(body, {"idxname", "relation", "accessMethod", "indexParams",
                         "indexIncludingParams", "unique", "whereClause"}) ||
        Text(body, "accessMethod") != "btree") {
      Decline(
          "CREATE INDEX with options, a method other than btree or "
          "CONCURRENTLY");
      return;
    }
    const std::string name = Text(body, "idxname");
    if (name.empty()) {
      Decline("an index without a name");
      return;
    }
    auto rel = RangeVar(Field(body, "relation"));
    if (!rel || !Identifier(name)) return;
    TableState* t = FindTable(rel->first, rel->second);
    if (t == nullptr) {
      Decline("an index on a table the models have not created");
      return;
    }
    if (!OrdinaryName(t->schema, name)) return;
    if (relation_names_.count(SchemaName(t->schema, name))) {
      Decline("an index whose name is taken");
      return;
    }
    const std::string& table_key = t->key;
    const Table& table = *t->table;
    const bool unique = body.value("unique", false);
    PlainIndexParts parts;
    parts.unique = unique;
    parts.name = name;
    parts.table = QualifiedName(t->schema, t->name);
    std::vector<std::string> columns;
    auto elements = [&](const json& list, bool key_columns) {
      bool first = true;
      for (const json& e : list) {
        if (!e.contains("IndexElem")) return Decline("an index element");
        const json& x = e["IndexElem"];
        if (!OnlyKeys(x, {"name", "ordering", "nulls_ordering"}) ||
            !x.contains("name")) {
          return Decline(
              "an index on an expression, or with an operator "
              "class or collation");
        }
        const std::string& column = Text(x, "name");
        const Column* col = table.FindColumn(column);
        if (col == nullptr) return Decline("an index on a missing column");
        if (!t->types.at(column).btree) {
          return Decline("an index on a column without a btree operator class");
        }
        first = false;
        columns.push_back(column);
        const std::string ordering = x.value("ordering", "SORTBY_DEFAULT");
        const std::string nulls =
            x.value("nulls_ordering", "SORTBY_NULLS_DEFAULT");
        if (!key_columns) {
          if (ordering != "SORTBY_DEFAULT" || nulls != "SORTBY_NULLS_DEFAULT") {
            return Decline("an ordered INCLUDE column");
          }
          parts.include.push_back(column);
          continue;
        }
        const bool desc = ordering == "SORTBY_DESC";
        if (!desc && ordering != "SORTBY_DEFAULT" && ordering != "SORTBY_ASC") {
          return Decline("an index ordering with USING");
        }
        const bool nulls_first = nulls == "SORTBY_NULLS_FIRST" ||
                                 (desc && nulls == "SORTBY_NULLS_DEFAULT");
        parts.columns.push_back({column, desc, nulls_first});
      }
      if (first && key_columns) return Decline("an index without columns");
      return true;
    };
    if (!elements(Field(body, "indexParams"), true)) return;
    const std::vector<std::string> key_columns = columns;
    if (body.contains("indexIncludingParams") &&
        !elements(body["indexIncludingParams"], false)) {
      return;
    }
    if (columns.size() > kMaxIndexColumns) {
      Decline("an index of more than 32 columns (an error)");
      return;
    }
    std::vector<std::string> predicate_columns;
    if (body.contains("whereClause")) {
      auto predicate =
          IndexPredicate(body["whereClause"], *t, &predicate_columns, true);
      if (!predicate) return;
      parts.predicate = *predicate;
    }
    Index index;
    index.schema = t->schema;
    index.name = name;
    index.table = table_key;
    index.definition = PlainIndexDefinition(parts);
    index.unique = unique;
    const std::string key = RelationKey(t->schema, name);
    Dep(key, table_key);
    for (const std::string& c : columns) {
      Dep(key, ColumnKey(t->schema, t->name, c));
    }
    for (const std::string& c : predicate_columns) {
      Dep(key, ColumnKey(t->schema, t->name, c));
    }
    catalog_.indexes[key] = std::move(index);
    relation_names_.insert(SchemaName(t->schema, name));
    // A unique index can serve a foreign key as a unique constraint does.
    if (unique) t->keys.push_back(UniqueKey{key_columns, key, false});
  }

  // A partial index's predicate as pg_get_indexdef prints it: `col IS
  // [NOT] NULL`, a boolean column, NOT of one, and ANDs of those; nullopt
  // (declined) for anything else. The columns it reads go to `*columns`.
  std::optional<std::string> IndexPredicate(const json& node,
                                            const TableState& t,
                                            std::vector<std::string>* columns,
                                            bool top) {
    auto column = [&](const json& ref) -> std::optional<std::string> {
      auto fields = Strings(Field(Field(ref, "ColumnRef"), "fields"));
      if (!fields || fields->size() != 1 ||
          t.table->FindColumn((*fields)[0]) == nullptr) {
        return std::nullopt;
      }
      columns->push_back((*fields)[0]);
      return QuoteIdentIfNeeded((*fields)[0]);
    };
    if (node.contains("NullTest")) {
      const json& test = node["NullTest"];
      const std::string& kind = Text(test, "nulltesttype");
      auto col = column(Field(test, "arg"));
      if (col && OnlyKeys(test, {"arg", "nulltesttype", "location"}) &&
          (kind == "IS_NULL" || kind == "IS_NOT_NULL")) {
        return "(" + *col + (kind == "IS_NULL" ? " IS NULL)" : " IS NOT NULL)");
      }
    } else if (node.contains("ColumnRef")) {
      auto col = column(node);
      if (col && t.types.at(columns->back()).boolean) return *col;
    } else if (node.contains("BoolExpr")) {
      const json& expr = node["BoolExpr"];
      const std::string& op = Text(expr, "boolop");
      const json& args = Field(expr, "args");
      if (OnlyKeys(expr, {"boolop", "args", "location"}) && args.is_array()) {
        if (op == "NOT_EXPR" && args.size() == 1 &&
            args[0].contains("ColumnRef")) {
          auto col = column(args[0]);
          if (col && t.types.at(columns->back()).boolean) {
            return "(NOT " + *col + ")";
          }
        } else if (op == "AND_EXPR" && args.size() >= 2) {
          std::string out = "(";
          for (size_t i = 0; i < args.size(); ++i) {
            // Nested ANDs are flattened by the parser; another BoolExpr
            // here is an OR or a NOT of more than a column.
            if (args[i].contains("BoolExpr") &&
                Text(args[i]["BoolExpr"], "boolop") != "NOT_EXPR") {
              break;
            }
            auto part = IndexPredicate(args[i], t, columns, false);
            if (!part) return std::nullopt;
            if (i > 0) out += " AND ";
            out += *part;
            if (i + 1 == args.size()) return out + ")";
          }
        }
      }
    }
    (void)top;
    Decline("a partial index's predicate of a kind not normalised here");
    return std::nullopt;
  }

  void AlterTable(const json& body) {
    if (!OnlyKeys(body, {"relation", "cmds", "objtype"}) ||
        Text(body, "objtype") != "OBJECT_TABLE") {
      Decline("ALTER TABLE with IF EXISTS, or of another kind");
      return;
    }
    // ONLY (as pg_dump writes): the tables normalised here have no
    // partitions or children for it to leave out.
    auto rel = RangeVar(Field(body, "relation"), nullptr, /*only=*/true);
    if (!rel) return;
    TableState* t = FindTable(rel->first, rel->second);
    if (t == nullptr) {
      Decline("ALTER TABLE of a table the models have not created");
      return;
    }
    for (const json& c : Field(body, "cmds")) {
      if (!c.contains("AlterTableCmd")) {
        Decline("an ALTER TABLE command");
        return;
      }
      const json& cmd = c["AlterTableCmd"];
      if (Text(cmd, "subtype") == "AT_ColumnDefault") {
        if (!SetDefault(*t, cmd)) return;
        continue;
      }
      if (!OnlyKeys(cmd, {"subtype", "def", "behavior"}) ||
          Text(cmd, "subtype") != "AT_AddConstraint" || !cmd.contains("def") ||
          !cmd["def"].contains("Constraint")) {
        Decline(
            "an ALTER TABLE command other than ADD CONSTRAINT or SET "
            "DEFAULT");
        return;
      }
      if (!AddConstraint(*t, cmd["def"]["Constraint"], "")) return;
    }
  }

  void CommentOn(const json& body) {
    if (!OnlyKeys(body, {"objtype", "object", "comment"})) {
      Decline("a COMMENT");
      return;
    }
    std::optional<std::string> comment;
    if (body.contains("comment")) comment = Text(body, "comment");
    if (comment && comment->empty()) comment.reset();  // '' drops it
    const std::string& objtype = Text(body, "objtype");
    const json& object = Field(body, "object");
    if (objtype == "OBJECT_SCHEMA") {
      if (!object.contains("String")) {
        Decline("a COMMENT ON SCHEMA");
        return;
      }
      const std::string name = Text(object["String"], "sval");
      auto it = catalog_.schemas.find(SchemaKey(name));
      if (it == catalog_.schemas.end()) {
        Decline("a comment on a schema the models have not created");
        return;
      }
      it->second.comment = comment;
      return;
    }
    if (objtype == "OBJECT_TYPE" && object.contains("TypeName")) {
      const json& type_name = object["TypeName"];
      auto names = Strings(Field(type_name, "names"));
      if (!OnlyKeys(type_name, {"names", "typemod", "location"}) || !names ||
          names->empty() || names->size() > 2) {
        Decline("a COMMENT ON TYPE naming a type oddly");
        return;
      }
      std::string schema = Resolve(names->size() == 2 ? (*names)[0] : "");
      auto it = catalog_.enums.find(TypeKey(schema, names->back()));
      if (it == catalog_.enums.end()) {
        Decline("a comment on a type the models have not created");
        return;
      }
      it->second.comment = comment;
      return;
    }
    if (!object.contains("List")) {
      Decline("a COMMENT on an object of this kind");
      return;
    }
    auto names = Strings(Field(object["List"], "items"));
    if (!names || names->empty()) {
      Decline("a COMMENT naming an object oddly");
      return;
    }
    // The relation named by `parts` (schema-qualified or not).
    auto table_of =
        [this](const std::vector<std::string>& parts) -> TableState* {
      if (parts.empty() || parts.size() > 2) return nullptr;
      std::string schema = parts.size() == 2 ? parts[0] : Resolve("");
      return FindTable(schema, parts.back());
    };
    if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_INDEX") {
      if (names->size() > 2) {
        Decline("a COMMENT naming a catalog");
        return;
      }
      std::string schema = names->size() == 2 ? (*names)[0] : Resolve("");
      const std::string key = RelationKey(schema, names->back());
      if (objtype == "OBJECT_TABLE") {
        auto it = catalog_.tables.find(key);
        if (it == catalog_.tables.end()) {
          Decline("a comment on a table the models have not created");
          return;
        }
        it->second.comment = comment;
      } else {
        auto it = catalog_.indexes.find(key);
        if (it == catalog_.indexes.end()) {
          Decline("a comment on an index the models have not created");
          return;
        }
        it->second.comment = comment;
      }
      return;
    }
    if (objtype == "OBJECT_COLUMN" || objtype == "OBJECT_TABCONSTRAINT") {
      std::vector<std::string> parts(names->begin(), names->end() - 1);
      TableState* t = table_of(parts);
      if (t == nullptr) {
        Decline(
            "a comment on an object of a table the models have not "
            "created");
        return;
      }
      Table& table = *t->table;
      if (objtype == "OBJECT_COLUMN") {
        for (Column& col : table.columns) {
          if (col.name == names->back()) {
            col.comment = comment;
            return;
          }
        }
      } else {
        for (Constraint& k : table.constraints) {
          if (k.name == names->back()) {
            k.comment = comment;
            return;
          }
        }
      }
      Decline("a comment on a column or constraint the table lacks");
      return;
    }
    Decline("a COMMENT on an object of this kind");
  }

  // A column's type: a built-in one, or an enum the models created.
  std::optional<ColumnType> ColumnTypeOf(const json& type_name) {
    auto names = Strings(Field(type_name, "names"));
    if (names && !names->empty() && names->size() <= 2 &&
        !(names->size() == 1 && IsCatalogTypeName(names->back())) &&
        (*names)[0] != "pg_catalog") {
      if (!OnlyKeys(type_name, {"names", "typemod", "location"}) ||
          type_name.value("typemod", -1) != -1) {
        return std::nullopt;
      }
      std::string schema = Resolve(names->size() == 2 ? (*names)[0] : "");
      if (names->size() == 1 && !user_types_)
        return BuiltinType(type_name, *text_);
      const std::string key = TypeKey(schema, names->back());
      auto it = catalog_.enums.find(key);
      if (it == catalog_.enums.end()) return BuiltinType(type_name, *text_);
      ColumnType t;
      t.text = QualifiedName(schema, names->back());
      t.enum_key = key;
      t.labels = &it->second.labels;
      return t;
    }
    return BuiltinType(type_name, *text_);
  }

  void CreateEnum(const json& body) {
    if (!OnlyKeys(body, {"typeName", "vals"})) {
      Decline("a CREATE TYPE ... AS ENUM of another shape");
      return;
    }
    auto names = Strings(Field(body, "typeName"));
    auto labels = body.contains("vals")
                      ? Strings(body["vals"])
                      : std::optional<std::vector<std::string>>(
                            std::vector<std::string>());
    if (!names || names->empty() || names->size() > 2 || !labels) {
      Decline("an enum named with a catalog, or labels that are not strings");
      return;
    }
    const std::string schema = Resolve(names->size() == 2 ? (*names)[0] : "");
    const std::string& name = names->back();
    if (!Identifier(schema) || !Identifier(name)) return;
    // serial & co. are not types: a column "serial" is one whatever types
    // exist.
    if (IsCatalogTypeName(name) || name.starts_with("pg_") ||
        name.starts_with("_") || name == "serial" || name == "serial2" ||
        name == "serial4" || name == "serial8" || name == "bigserial" ||
        name == "smallserial") {
      Decline("an enum named like a built-in type, serial, pg_* or _*");
      return;
    }
    if (!OrdinaryName(schema, name)) return;
    std::set<std::string> seen;
    for (const std::string& label : *labels) {
      if (label.empty() || label.size() > kMaxIdentifier ||
          !seen.insert(label).second) {
        Decline("an enum label that is empty, too long or repeated");
        return;
      }
    }
    if (!schemas_.count(schema)) {
      schemas_.insert(schema);
      needed_schemas_.insert(schema);
      catalog_.schemas[SchemaKey(schema)].name = schema;
    }
    // A table's row type shares the name space: declined either way round
    // (conservatively against indexes and sequences too).
    if (relation_names_.count(SchemaName(schema, name))) {
      Decline("an enum named like a relation or type of the models");
      return;
    }
    relation_names_.insert(SchemaName(schema, name));
    EnumType e;
    e.schema = schema;
    e.name = name;
    e.labels = std::move(*labels);
    catalog_.enums[TypeKey(schema, name)] = std::move(e);
    user_types_ = true;
  }

  void CreateSchema(const json& body) {
    if (!OnlyKeys(body, {"schemaname", "if_not_exists"})) {
      Decline("CREATE SCHEMA with AUTHORIZATION or elements");
      return;
    }
    const std::string name = Text(body, "schemaname");
    if (!Identifier(name)) return;
    if (name.starts_with("pg_") || name == "information_schema") {
      Decline("a schema named pg_* or information_schema (they exist)");
      return;
    }
    if (schemas_.count(name)) {
      if (!body.value("if_not_exists", false)) {
        Decline("a schema created twice");
      }
      return;
    }
    schemas_.insert(name);
    created_schemas_.insert(name);
    Schema s;
    s.name = name;
    catalog_.schemas[SchemaKey(name)] = std::move(s);
  }

  Catalog catalog_;
  std::string declined_;
  std::string where_;
  const std::string* text_ = nullptr;
  bool unqualified_ = false;
  bool user_types_ = false;  // the models created an enum
  std::set<std::string> schemas_;
  std::set<std::string> created_schemas_;
  std::set<std::string> needed_schemas_;
  std::unordered_map<std::string, TableState> tables_;  // by relation key
  std::unordered_set<std::string> relation_names_;      // SchemaName(s, name)
  std::unordered_set<std::string> constraint_names_;    // SchemaName(s, name)
  std::unordered_set<std::string> table_constraints_;   // ConstraintKey
  // Statements left to a database (Residual), by index, and the views and
  // materialized views they create (relation keys).
  std::vector<size_t> residual_;
  std::set<std::string> residual_relations_;
  // Settings statements (Set, SetConfig), by index: loaded with the rest.
  std::vector<size_t> session_;
  // After pg_dump's set_config('search_path', '', false).
  bool empty_search_path_ = false;
};

ModelNormalizer::ModelNormalizer() : impl_(std::make_unique<Impl>()) {}
ModelNormalizer::~ModelNormalizer() = default;

void ModelNormalizer::Statement(const json& stmt, const std::string& text,
                                const std::string& path, int line,
                                size_t index) {
  impl_->Statement(stmt, text, path, line, index);
}

bool ModelNormalizer::declined() const { return impl_->declined(); }

bool ModelNormalizer::leaves_statements() const {
  return impl_->leaves_statements();
}

NormalizedModels ModelNormalizer::Finish(const ModelOrder* order) {
  return impl_->Finish(order);
}

Catalog EmptyDatabaseCatalog() {
  Catalog c;
  Schema pub;
  pub.name = "public";
  pub.comment = "standard public schema";
  c.schemas[SchemaKey("public")] = std::move(pub);
  // PostgreSQL 15: owned by pg_database_owner, USAGE for PUBLIC.
  c.grants[SchemaKey("public")] =
      ObjectGrants{"SCHEMA public", "", {Grant{"PUBLIC", "USAGE", false}}};
  c.extensions[ExtensionKey("plpgsql")] =
      Extension{"plpgsql", "pg_catalog", "1.0"};
  return c;
}

bool FilterKeepsEverything(const Catalog& catalog,
                           const IntrospectOptions& filter) {
  for (const auto& [key, schema] : catalog.schemas) {
    if (!SchemaIncluded(filter, schema.name)) return false;
  }
  for (const auto& [key, table] : catalog.tables) {
    if (!RelationIncluded(filter, table.schema, table.name)) return false;
  }
  for (const auto& [key, seq] : catalog.sequences) {
    if (!RelationIncluded(filter, seq.schema, seq.name)) return false;
  }
  for (const auto& [key, e] : catalog.enums) {
    if (!SchemaIncluded(filter, e.schema)) return false;
  }
  return true;
}

namespace {

// Erases the entries of `m` that `keep` rejects, adding the keys of the
// others to `*kept`.
template <typename Map, typename Keep>
void KeepOnly(Map& m, Keep keep, std::set<std::string>* kept) {
  for (auto it = m.begin(); it != m.end();) {
    if (keep(it->second)) {
      kept->insert(it->first);
      ++it;
    } else {
      it = m.erase(it);
    }
  }
}

}  // namespace

Catalog FilterNormalizedCatalog(Catalog c, const IntrospectOptions& filter) {
  std::set<std::string> kept;
  KeepOnly(
      c.schemas,
      [&](const Schema& s) { return SchemaIncluded(filter, s.name); }, &kept);
  KeepOnly(
      c.enums,
      [&](const EnumType& e) { return SchemaIncluded(filter, e.schema); },
      &kept);
  for (auto it = c.tables.begin(); it != c.tables.end();) {
    Table& t = it->second;
    // A column of a type outside the filter keeps its type's name only.
    for (Column& col : t.columns) {
      if (!col.type_key.empty() && !kept.count(col.type_key)) {
        col.type_key.clear();
      }
    }
    if (!RelationIncluded(filter, t.schema, t.name)) {
      it = c.tables.erase(it);
      continue;
    }
    kept.insert(it->first);
    for (const Column& col : t.columns) {
      kept.insert(ColumnKey(t.schema, t.name, col.name));
    }
    for (const Constraint& k : t.constraints) {
      kept.insert(ConstraintKey(t.schema, t.name, k.name));
    }
    ++it;
  }
  for (auto& [key, t] : c.tables) {
    for (Constraint& k : t.constraints) {
      if (!k.referenced_table.empty() && !kept.count(k.referenced_table)) {
        k.referenced_table.clear();
      }
    }
  }
  for (auto it = c.sequences.begin(); it != c.sequences.end();) {
    Sequence& seq = it->second;
    if (!RelationIncluded(filter, seq.schema, seq.name)) {
      it = c.sequences.erase(it);
      continue;
    }
    if (!kept.count(seq.owned_by_table)) {
      seq.owned_by_table.clear();
      seq.owned_by_column.clear();
    }
    kept.insert(it->first);
    ++it;
  }
  // An index belongs to the comparison when its table does.
  KeepOnly(
      c.indexes, [&](const Index& x) { return kept.count(x.table) > 0; },
      &kept);
  for (auto it = c.extensions.begin(); it != c.extensions.end();) {
    const std::string& schema = it->second.schema;
    if (SchemaIncluded(filter, schema) || schema == "pg_catalog") {
      ++it;
    } else {
      it = c.extensions.erase(it);
    }
  }
  for (auto it = c.grants.begin(); it != c.grants.end();) {
    it = kept.count(it->first) ? std::next(it) : c.grants.erase(it);
  }
  for (auto it = c.depends_on.begin(); it != c.depends_on.end();) {
    if (!kept.count(it->first)) {
      it = c.depends_on.erase(it);
      continue;
    }
    std::set<std::string>& to = it->second;
    for (auto dep = to.begin(); dep != to.end();) {
      dep = kept.count(*dep) ? std::next(dep) : to.erase(dep);
    }
    it = to.empty() ? c.depends_on.erase(it) : std::next(it);
  }
  return c;
}

}  // namespace retort
