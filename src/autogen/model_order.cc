// ModelDependencies: what each model statement creates and needs, read
// from libpg_query's JSON parse trees, and the load order that follows.
#include "autogen/model_order.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dialect/pg_json.h"
#include "dialect/pg_scan.h"
#include "util/strings.h"

namespace retort {
namespace {

using json = nlohmann::json;

// Kinds of name (the first byte of a key).
constexpr char kSchema = 's';
constexpr char kRelation = 'r';  // tables, views, sequences, indexes, ...
constexpr char kType = 't';
constexpr char kFunction = 'f';
constexpr char kKey = 'k';     // a primary or unique key, by its columns
constexpr char kColumn = 'c';  // a column of a relation

// The "extra" of a primary key's key (no column list is empty).
const std::string kPrimaryKey(1, '\x01');

bool IsSystemSchema(std::string_view name) {
  return name == "pg_catalog" || name == "information_schema" ||
         name.starts_with("pg_toast") || name.starts_with("pg_temp");
}

// The member `key` of an object node, or null. (A string_view key: the
// map's transparent comparison then needs no strlen per step.)
const json* Member(const json& node, std::string_view key) {
  if (!node.is_object()) return nullptr;
  auto it = node.find(key);
  return it == node.end() ? nullptr : &*it;
}

std::string Str(const json& node, std::string_view key) {
  const json* v = Member(node, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

// {"String": {"sval": "x"}} -> "x"; "" for anything else. A view of the
// tree's own string.
std::string_view StringNode(const json& node) {
  // {"String": {"sval": "x"}}: one member each, read without a search.
  if (!node.is_object() || node.size() != 1) return {};
  auto outer = node.begin();
  if (outer.key() != "String" || !outer.value().is_object()) return {};
  const json& inner = outer.value();
  auto it = inner.size() == 1 ? inner.begin() : inner.find("sval");
  if (it == inner.end() || it.key() != "sval" || !it.value().is_string()) {
    return {};
  }
  return it.value().get_ref<const std::string&>();
}

// A qualified name's schema ("" when unqualified) and name, from a list of
// String nodes ([name], [schema, name] or [catalog, schema, name]).
struct QualifiedName {
  std::string_view schema;
  std::string_view name;
};
QualifiedName NameOf(const json& list) {
  QualifiedName q;
  if (!list.is_array() || list.empty()) return q;
  q.name = StringNode(list[list.size() - 1]);
  if (list.size() >= 2) q.schema = StringNode(list[list.size() - 2]);
  return q;
}

// A list of String nodes, bare or wrapped ({"List": {"items": [...]}}).
std::vector<std::string> Strings(const json& node) {
  const json* list = &node;
  if (const json* wrapped = Member(node, "List")) {
    list = Member(*wrapped, "items");
    if (list == nullptr) return {};
  }
  std::vector<std::string> out;
  if (!list->is_array()) return out;
  for (const json& item : *list) out.emplace_back(StringNode(item));
  return out;
}

// {"A_Const": {"sval": {"sval": "x"}}} -> "x"; nullopt otherwise.
std::optional<std::string> StringConstant(const json& node) {
  const json* c = Member(node, "A_Const");
  if (c == nullptr) return std::nullopt;
  const json* s = Member(*c, "sval");
  if (s == nullptr) return std::nullopt;
  return Str(*s, "sval");
}

// A constant as SET would read it: the string, or the number's text.
std::string ConstantText(const json& node) {
  const json* c = Member(node, "A_Const");
  if (c == nullptr) return node.dump();
  for (const char* field : {"sval", "fval", "bsval"}) {
    if (const json* v = Member(*c, field)) {
      for (const auto& [k, x] : v->items()) {
        if (x.is_string()) return x.get<std::string>();
      }
    }
  }
  if (const json* v = Member(*c, "ival")) {
    const json* i = Member(*v, "ival");
    return i != nullptr ? i->dump() : "0";
  }
  if (const json* v = Member(*c, "boolval")) {
    const json* b = Member(*v, "boolval");
    return b != nullptr && b->is_boolean() && b->get<bool>() ? "true" : "false";
  }
  return node.dump();
}

// The names of a regclass string or a search_path value ("auth.users",
// "\"Auth\", public") as PostgreSQL reads them, split by its own lexer:
// quoted identifiers as written, others folded to lower case. `sep` is the
// separator ("." or ","). Empty when the text is not such a list.
std::vector<std::string> NameList(std::string_view text, std::string_view sep) {
  auto tokens = ScanPostgres(text);
  std::vector<std::string> out;
  if (!tokens.ok()) return out;
  bool want_name = true;
  for (const PgToken& t : *tokens) {
    if (t.kind == PgToken::Kind::kComment) continue;
    if (want_name) {
      std::string name;
      if (t.kind == PgToken::Kind::kIdentifier && t.text.starts_with("\"")) {
        for (size_t i = 1; i + 1 < t.text.size(); ++i) {
          name += t.text[i];
          if (t.text[i] == '"') ++i;
        }
      } else if (t.kind == PgToken::Kind::kIdentifier ||
                 t.kind == PgToken::Kind::kKeyword) {
        for (char c : t.text) {
          name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
      } else {
        return {};
      }
      out.push_back(std::move(name));
      want_name = false;
    } else {
      if (t.text != sep) return {};
      want_name = true;
    }
  }
  if (want_name && !out.empty()) return {};
  return out;
}

// Settings that change nothing about what later model statements create
// or how they are read: a SET of one is no fence.
bool HarmlessSetting(const std::string& name) {
  static const char* const kNames[] = {
      "statement_timeout",
      "lock_timeout",
      "idle_in_transaction_session_timeout",
      "idle_session_timeout",
      "client_min_messages",
      "application_name",
      "synchronous_commit",
      "work_mem",
      "maintenance_work_mem",
      "max_parallel_maintenance_workers",
      "row_security",
  };
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// Statement kinds nothing is moved across (beyond SET and SELECT, which
// are looked at more closely).
const char* FenceKind(std::string_view kind) {
  static const std::pair<const char*, const char*> kKinds[] = {
      {"DoStmt", "DO"},
      {"CallStmt", "CALL"},
      {"TransactionStmt", "transaction control"},
      {"LockStmt", "LOCK"},
      {"DiscardStmt", "DISCARD"},
      {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
      {"ExecuteStmt", "EXECUTE"},
      {"PrepareStmt", "PREPARE"},
      {"DeallocateStmt", "DEALLOCATE"},
      {"CheckPointStmt", "CHECKPOINT"},
      {"LoadStmt", "LOAD"},
      {"AlterSystemStmt", "ALTER SYSTEM"},
      {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
      {"AlterEventTrigStmt", "ALTER EVENT TRIGGER"},
      {"CopyStmt", "COPY"},
      {"ExplainStmt", "EXPLAIN"},
      {"VacuumStmt", "VACUUM"},
      {"ClusterStmt", "CLUSTER"},
      {"ReindexStmt", "REINDEX"},
      {"RefreshMatViewStmt", "REFRESH MATERIALIZED VIEW"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"MergeStmt", "MERGE"},
  };
  for (const auto& [k, label] : kKinds) {
    if (kind == k) return label;
  }
  return nullptr;
}

bool IsRelationObject(const std::string& objtype) {
  return objtype == "OBJECT_TABLE" || objtype == "OBJECT_VIEW" ||
         objtype == "OBJECT_MATVIEW" || objtype == "OBJECT_SEQUENCE" ||
         objtype == "OBJECT_INDEX" || objtype == "OBJECT_FOREIGN_TABLE";
}

// The keys below live in one arena (Impl::arena_): a model set's tens of
// thousands of them cost no allocation each.
struct KeyRef {
  uint32_t offset = 0;
  uint32_t length = 0;
};

// What a statement creates or touches. Described for notes only when one
// is written (WhatOf): most never are.
struct Provided {
  KeyRef key;
  const char* noun = "";  // "table", "view", ...
  bool creates = true;    // false: DROP, or the old name of a RENAME
  bool qualified = true;  // the statement wrote the schema
};

// What a statement needs: the keys that would meet it, in the order the
// search_path would look (one when the name is qualified): `keys` of them
// from `first` on in Impl::need_keys_.
struct Need {
  uint32_t first = 0;
  uint32_t keys = 0;
  bool foreign_key = false;  // from a REFERENCES clause
};

// A key's parts: kind, schema, name and extra (see Impl::AddKey).
struct KeyParts {
  char kind = 0;
  std::string_view schema;
  std::string_view name;
  std::string_view extra;
};
KeyParts SplitKey(std::string_view key) {
  KeyParts k;
  if (key.empty()) return k;
  k.kind = key[0];
  key.remove_prefix(1);
  size_t nul = key.find('\0');
  k.schema = key.substr(0, nul);
  if (nul == std::string_view::npos) return k;
  key.remove_prefix(nul + 1);
  nul = key.find('\0');
  k.name = key.substr(0, nul);
  if (nul != std::string_view::npos) k.extra = key.substr(nul + 1);
  return k;
}

// "table users", "the primary key of table auth.users", ...
std::string WhatOf(std::string_view key, const Provided& p) {
  KeyParts k = SplitKey(key);
  if (k.kind == kSchema) return "schema " + std::string(k.name);
  std::string name = p.qualified ? std::string(k.schema) + "." : "";
  name += k.name;
  if (k.kind == kColumn) {
    return "column " + std::string(k.extra) + " of table " + name;
  }
  if (k.kind == kKey) {
    if (k.extra == kPrimaryKey) return "the primary key of table " + name;
    std::string columns;
    for (char c : k.extra) {
      if (c == '\0') {
        columns += ", ";
      } else {
        columns += c;
      }
    }
    return "the unique key (" + columns + ") of table " + name;
  }
  return std::string(p.noun) + " " + name;
}

// A relation as a statement names it: the schema written ("" when
// unqualified), the schema it resolves to, and the name. Views of the
// tree and of the walker's state, valid while the statement is read.
struct Relation {
  std::string_view written;
  std::string_view schema;
  std::string_view name;
};

}  // namespace

class ModelDependencies::Impl {
 public:
  void Statement(size_t index, const json& stmt) {
    Start(index);
    skip_.clear();
    Top(stmt);
  }

  // Whether a reading of a statement made with the session's defaults
  // (`read`, which read one statement at index 0) holds here, and takes it
  // as statement `index`.
  bool Take(size_t index, const Impl& read) {
    if (read.session_statement_ || !enclosing_.empty() || path_.size() != 1 ||
        path_.front() != "public") {
      return false;
    }
    Start(index);
    const uint32_t base = static_cast<uint32_t>(arena_.size());
    const uint32_t key_base = static_cast<uint32_t>(need_keys_.size());
    arena_ += read.arena_;
    for (Provided p : read.provides_) {
      p.key.offset += base;
      provides_.push_back(p);
    }
    for (KeyRef k : read.need_keys_) {
      k.offset += base;
      need_keys_.push_back(k);
    }
    for (Need n : read.needs_) {
      n.first += key_base;
      needs_.push_back(n);
    }
    if (auto fence = read.fences_.find(0); fence != read.fences_.end()) {
      fences_[index] = fence->second;
    }
    return true;
  }

  ModelOrder Order(size_t count,
                   const std::function<std::string(size_t)>& where) const;

  const std::vector<std::string>& mentions() const { return mentions_; }

 private:
  // --- Names

  // The schema an object named with `written` ("" when unqualified) is
  // created in.
  std::string_view CreatedIn(std::string_view written) const {
    if (!written.empty()) return written;
    if (!enclosing_.empty()) return enclosing_;
    return path_.empty() ? std::string_view("public")
                         : std::string_view(path_.front());
  }

  // Statement `index` starts (or goes on, for a statement of several
  // nodes): its provides and needs run from here to the next one's start.
  void Start(size_t index) {
    while (provide_start_.size() <= index) {
      provide_start_.push_back(static_cast<uint32_t>(provides_.size()));
      need_start_.push_back(static_cast<uint32_t>(needs_.size()));
    }
    current_ = index;
  }

  // Appends a key to the arena: `kind`, `schema`, NUL, `name`, and NUL
  // and `extra` when there is one -- no two keys of different parts alike.
  KeyRef AddKey(char kind, std::string_view schema, std::string_view name,
                std::string_view extra) {
    KeyRef ref{static_cast<uint32_t>(arena_.size()), 0};
    arena_ += kind;
    arena_ += schema;
    arena_ += '\0';
    arena_ += name;
    if (!extra.empty()) {
      arena_ += '\0';
      arena_ += extra;
    }
    ref.length = static_cast<uint32_t>(arena_.size() - ref.offset);
    return ref;
  }

  std::string_view KeyOf(KeyRef ref) const {
    return std::string_view(arena_).substr(ref.offset, ref.length);
  }

  void Provide(char kind, std::string_view schema, std::string_view name,
               const char* noun, bool qualified, bool creates = true,
               std::string_view extra = {}) {
    if (name.empty()) return;
    provides_.push_back(
        {AddKey(kind, schema, name, extra), noun, creates, qualified});
  }

  void Fence(std::string label) { fences_[current_] = std::move(label); }

  // Creates the object `names` (a list of String nodes) names.
  void ProvideNamed(char kind, const json& names, const char* noun) {
    QualifiedName q = NameOf(names);
    ProvideName(kind, q, noun);
  }
  void ProvideName(char kind, QualifiedName q, const char* noun) {
    std::string_view schema = CreatedIn(q.schema);
    Provide(kind, schema, q.name, noun,
            !q.schema.empty() || !enclosing_.empty());
    NeedSchema(schema);
  }

  // DROP, or the old name of a RENAME: kept in order with the statements
  // creating the same name.
  void Touch(char kind, QualifiedName q, const char* noun) {
    Provide(kind, CreatedIn(q.schema), q.name, noun, !q.schema.empty(),
            /*creates=*/false);
  }

  Relation ResolveRelation(const json& range_var) const {
    Relation r;
    if (const json* s = Member(range_var, "schemaname")) {
      if (s->is_string()) r.written = s->get_ref<const std::string&>();
    }
    if (const json* n = Member(range_var, "relname")) {
      if (n->is_string()) r.name = n->get_ref<const std::string&>();
    }
    r.schema = CreatedIn(r.written);
    return r;
  }

  // The relation `range_var` creates (and its row type, when `row_type`).
  Relation ProvideRelation(const json& range_var, const char* noun,
                           bool row_type = true) {
    skip_.push_back(&range_var);
    Relation r = ResolveRelation(range_var);
    const bool qualified = !r.written.empty() || !enclosing_.empty();
    Provide(kRelation, r.schema, r.name, noun, qualified);
    if (row_type) Provide(kType, r.schema, r.name, noun, qualified);
    NeedSchema(r.schema);
    return r;
  }

  void NeedSchema(std::string_view schema) {
    // public is in every new database; the schema being created is there.
    if (schema.empty() || schema == "public" || schema == enclosing_ ||
        IsSystemSchema(schema)) {
      return;
    }
    const uint32_t first = static_cast<uint32_t>(need_keys_.size());
    need_keys_.push_back(AddKey(kSchema, "", schema, {}));
    AddNeed(first, false);
  }

  // A need of `kind` for `name`, qualified by `written` or looked up along
  // the search_path.
  void NeedObject(char kind, std::string_view written, std::string_view name,
                  bool foreign_key = false, std::string_view extra = {}) {
    if (name.empty()) return;
    const uint32_t first = static_cast<uint32_t>(need_keys_.size());
    if (!written.empty()) {
      if (IsSystemSchema(written)) return;
      NeedSchema(written);
      need_keys_.push_back(AddKey(kind, written, name, extra));
      AddNeed(static_cast<uint32_t>(need_keys_.size() - 1), foreign_key);
      return;
    }
    if (!enclosing_.empty()) {
      need_keys_.push_back(AddKey(kind, enclosing_, name, extra));
    }
    for (const std::string& schema : path_) {
      if (schema != enclosing_) {
        need_keys_.push_back(AddKey(kind, schema, name, extra));
      }
    }
    AddNeed(first, foreign_key);
  }

  void NeedNamed(char kind, const json& names) {
    QualifiedName q = NameOf(names);
    NeedObject(kind, q.schema, q.name);
  }

  // The keys from `first` to the end of need_keys_ as one need; each need
  // once per statement (by its first key; a foreign key's mark kept).
  void AddNeed(uint32_t first, bool foreign_key) {
    const uint32_t keys = static_cast<uint32_t>(need_keys_.size()) - first;
    if (keys == 0) return;
    const std::string_view key = KeyOf(need_keys_[first]);
    for (size_t n = need_start_[current_]; n < needs_.size(); ++n) {
      if (KeyOf(need_keys_[needs_[n].first]) == key) {
        needs_[n].foreign_key = needs_[n].foreign_key || foreign_key;
        arena_.resize(need_keys_[first].offset);
        need_keys_.resize(first);
        return;
      }
    }
    needs_.push_back(Need{first, keys, foreign_key});
  }

  // 'auth.users_id_seq' as a regclass names a relation.
  void NeedRegclass(std::string_view text) {
    std::vector<std::string> parts = NameList(text, ".");
    if (parts.empty() || parts.size() > 3) return;
    NeedObject(kRelation, parts.size() >= 2 ? parts[parts.size() - 2] : "",
               parts.back());
  }

  // --- Statements

  void Top(const json& stmt) {
    if (!stmt.is_object() || stmt.size() != 1) {
      Walk(stmt);
      return;
    }
    const std::string_view kind = stmt.begin().key();
    const json& body = stmt.begin().value();
    if (kind == "CreateStmt") {
      CreateTable(body, "table");
    } else if (kind == "IndexStmt") {
      Index(body);
    } else if (kind == "AlterTableStmt") {
      AlterTable(body);
    } else if (kind == "CreateSchemaStmt") {
      CreateSchema(body);
    } else if (kind == "CreateForeignTableStmt") {
      for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() == "base") {
          CreateTable(it.value(), "foreign table");
        } else {
          MentionsOnly(it.value());
        }
      }
    } else if (kind == "ViewStmt") {
      if (const json* view = Member(body, "view")) {
        ProvideRelation(*view, "view");
      }
      Walk(body);
    } else if (kind == "CreateTableAsStmt") {
      const json* into = Member(body, "into");
      const json* rel = into != nullptr ? Member(*into, "rel") : nullptr;
      if (rel != nullptr) {
        ProvideRelation(*rel, Str(body, "objtype") == "OBJECT_MATVIEW"
                                  ? "materialized view"
                                  : "table");
      }
      Walk(body);
    } else if (kind == "CreateSeqStmt") {
      if (const json* seq = Member(body, "sequence")) {
        ProvideRelation(*seq, "sequence", /*row_type=*/false);
      }
      OwnedBy(body);
      Walk(body);
    } else if (kind == "AlterSeqStmt") {
      OwnedBy(body);
      Walk(body);
    } else if (kind == "CompositeTypeStmt") {
      if (const json* typevar = Member(body, "typevar")) {
        skip_.push_back(typevar);
        Relation r = ResolveRelation(*typevar);
        ProvideName(kType, {r.written, r.name}, "type");
      }
      Walk(body);
    } else if (kind == "CreateEnumStmt" || kind == "CreateRangeStmt") {
      if (const json* names = Member(body, "typeName")) {
        ProvideNamed(kType, *names, "type");
      }
      Walk(body);
    } else if (kind == "CreateDomainStmt") {
      if (const json* names = Member(body, "domainname")) {
        ProvideNamed(kType, *names, "domain");
      }
      Walk(body);
    } else if (kind == "DefineStmt") {
      const json* names = Member(body, "defnames");
      std::string objtype = Str(body, "kind");
      if (names != nullptr && objtype == "OBJECT_TYPE") {
        ProvideNamed(kType, *names, "type");
      } else if (names != nullptr && objtype == "OBJECT_AGGREGATE") {
        ProvideNamed(kFunction, *names, "aggregate");
      }
      Walk(body);
    } else if (kind == "CreateFunctionStmt") {
      if (const json* names = Member(body, "funcname")) {
        const json* proc = Member(body, "is_procedure");
        bool procedure = proc != nullptr && proc->is_boolean() && *proc;
        ProvideNamed(kFunction, *names, procedure ? "procedure" : "function");
      }
      Walk(body);
      SqlBody(body);
    } else if (kind == "CreateTrigStmt") {
      if (const json* names = Member(body, "funcname")) {
        NeedNamed(kFunction, *names);
      }
      Walk(body);
    } else if (kind == "CreateExtensionStmt") {
      MentionsOnly(body);
      if (const json* options = Member(body, "options")) {
        for (const json& option : *options) {
          const json* def = Member(option, "DefElem");
          if (def != nullptr && Str(*def, "defname") == "schema") {
            if (const json* arg = Member(*def, "arg")) {
              NeedSchema(StringNode(*arg));
            }
          }
        }
      }
    } else if (kind == "CommentStmt") {
      Comment(body);
    } else if (kind == "GrantStmt") {
      Grant(body);
    } else if (kind == "AlterEnumStmt" || kind == "AlterDomainStmt") {
      if (const json* names = Member(body, "typeName")) {
        NeedNamed(kType, *names);
      }
      Walk(body);
    } else if (kind == "RenameStmt") {
      Rename(body);
    } else if (kind == "DropStmt") {
      Drop(body);
    } else if (kind == "VariableSetStmt") {
      session_statement_ = true;
      Set(body);
    } else if (kind == "SelectStmt") {
      session_statement_ = true;
      Select(body);
    } else if (const char* fence = FenceKind(kind)) {
      Fence(fence);
      Walk(body);
    } else {
      Walk(body);
    }
  }

  void CreateSchema(const json& body) {
    std::string name = Str(body, "schemaname");
    if (name.empty()) {
      // CREATE SCHEMA AUTHORIZATION role: named after the role.
      if (const json* role = Member(body, "authrole")) {
        name = Str(*role, "rolename");
      }
    }
    Provide(kSchema, "", name, "schema", true);
    const json* elements = Member(body, "schemaElts");
    if (elements == nullptr || !elements->is_array()) return;
    std::string outer = enclosing_;
    enclosing_ = name;
    for (const json& element : *elements) Top(element);
    enclosing_ = outer;
  }

  void CreateTable(const json& body, const char* noun) {
    const json* rv = Member(body, "relation");
    // A temporary table lives in the session's own schema.
    if (rv == nullptr || Str(*rv, "relpersistence") == "t") {
      Walk(body);
      return;
    }
    Relation table = ProvideRelation(*rv, noun);
    if (const json* elements = Member(body, "tableElts")) {
      for (const json& element : *elements) {
        if (const json* column = Member(element, "ColumnDef")) {
          ColumnKeys(table, *column);
        } else if (const json* constraint = Member(element, "Constraint")) {
          ProvideKey(table, *constraint, "");
        }
      }
    }
    Walk(body);
  }

  // A column's keys and its sequence (serial, identity). The columns of
  // CREATE TABLE are not provided one by one: whatever needs one needs the
  // table, which is.
  void ColumnKeys(const Relation& table, const json& column) {
    std::string_view name;
    if (const json* n = Member(column, "colname")) {
      if (n->is_string()) name = n->get_ref<const std::string&>();
    }
    if (name.empty()) return;
    bool sequence = false;
    if (const json* type = Member(column, "typeName")) {
      if (const json* names = Member(*type, "names")) {
        if (names->is_array() && names->size() == 1) {
          std::string_view t = StringNode((*names)[0]);
          sequence = t == "serial" || t == "serial4" || t == "bigserial" ||
                     t == "serial8" || t == "smallserial" || t == "serial2";
        }
      }
    }
    if (const json* constraints = Member(column, "constraints")) {
      for (const json& c : *constraints) {
        const json* constraint = Member(c, "Constraint");
        if (constraint == nullptr) continue;
        if (Str(*constraint, "contype") == "CONSTR_IDENTITY") sequence = true;
        ProvideKey(table, *constraint, name);
      }
    }
    if (sequence) {
      std::string seq =
          std::string(table.name) + "_" + std::string(name) + "_seq";
      if (seq.size() <= 63) {
        Provide(kRelation, table.schema, seq, "sequence",
                !table.written.empty());
      }
    }
  }

  // A PRIMARY KEY or UNIQUE constraint of `table` (`column`'s, for a
  // column constraint): provides the key by its columns.
  void ProvideKey(const Relation& table, const json& constraint,
                  std::string_view column) {
    std::string contype = Str(constraint, "contype");
    bool primary = contype == "CONSTR_PRIMARY";
    if (!primary && contype != "CONSTR_UNIQUE") return;
    std::vector<std::string> columns;
    if (!column.empty()) {
      columns.emplace_back(column);
    } else if (const json* keys = Member(constraint, "keys")) {
      columns = Strings(*keys);
    }
    ProvideKeyColumns(table, std::move(columns), primary);
  }

  void ProvideKeyColumns(const Relation& table,
                         std::vector<std::string> columns, bool primary) {
    if (columns.empty()) return;
    std::sort(columns.begin(), columns.end());
    const bool qualified = !table.written.empty();
    Provide(kKey, table.schema, table.name, "key", qualified, true,
            Join(columns, std::string_view("\0", 1)));
    if (primary) {
      Provide(kKey, table.schema, table.name, "key", qualified, true,
              kPrimaryKey);
    }
  }

  void AlterTable(const json& body) {
    const json* rv = Member(body, "relation");
    const json* cmds = Member(body, "cmds");
    if (rv != nullptr && cmds != nullptr && cmds->is_array()) {
      Relation table = ResolveRelation(*rv);
      for (const json& item : *cmds) {
        const json* cmd = Member(item, "AlterTableCmd");
        const json* def = cmd != nullptr ? Member(*cmd, "def") : nullptr;
        if (def == nullptr) continue;
        std::string subtype = Str(*cmd, "subtype");
        if (subtype == "AT_AddColumn") {
          if (const json* column = Member(*def, "ColumnDef")) {
            Provide(kColumn, table.schema, table.name, "column",
                    !table.written.empty(), true, Str(*column, "colname"));
            ColumnKeys(table, *column);
          }
        } else if (subtype == "AT_AddConstraint") {
          if (const json* constraint = Member(*def, "Constraint")) {
            ProvideKey(table, *constraint, "");
          }
        }
      }
    }
    Walk(body);
  }

  void Index(const json& body) {
    const json* rv = Member(body, "relation");
    if (rv != nullptr) {
      Relation table = ResolveRelation(*rv);
      std::string name = Str(body, "idxname");
      if (!name.empty()) {
        Provide(kRelation, table.schema, name, "index", !table.written.empty());
      }
      std::vector<std::string> columns;
      bool plain = Member(body, "whereClause") == nullptr;
      if (const json* params = Member(body, "indexParams")) {
        for (const json& item : *params) {
          const json* elem = Member(item, "IndexElem");
          std::string column = elem != nullptr ? Str(*elem, "name") : "";
          if (column.empty()) {
            plain = false;
            continue;
          }
          NeedObject(kColumn, table.written, table.name, false, column);
          columns.push_back(std::move(column));
        }
      }
      const json* unique = Member(body, "unique");
      if (plain && unique != nullptr && unique->is_boolean() && *unique) {
        ProvideKeyColumns(table, std::move(columns), false);
      }
    }
    Walk(body);
  }

  // OWNED BY table.column.
  void OwnedBy(const json& body) {
    const json* options = Member(body, "options");
    if (options == nullptr || !options->is_array()) return;
    for (const json& option : *options) {
      const json* def = Member(option, "DefElem");
      if (def == nullptr || Str(*def, "defname") != "owned_by") continue;
      const json* arg = Member(*def, "arg");
      if (arg == nullptr) continue;
      std::vector<std::string> list = Strings(*arg);
      if (list.size() < 2) continue;  // OWNED BY NONE
      list.pop_back();
      NeedObject(kRelation, list.size() >= 2 ? list[list.size() - 2] : "",
                 list.back());
    }
  }

  void Comment(const json& body) {
    std::string objtype = Str(body, "objtype");
    if (const json* object = Member(body, "object")) {
      std::vector<std::string> list = Strings(*object);
      auto need = [&](char kind, size_t drop, std::string_view extra) {
        if (list.size() <= drop) return;
        size_t n = list.size() - drop;
        NeedObject(kind, n >= 2 ? list[n - 2] : "", list[n - 1], false, extra);
      };
      if (IsRelationObject(objtype)) {
        need(kRelation, 0, {});
      } else if (objtype == "OBJECT_COLUMN") {
        need(kRelation, 1, {});
        if (!list.empty()) need(kColumn, 1, list.back());
      } else if (objtype == "OBJECT_TABCONSTRAINT" ||
                 objtype == "OBJECT_TRIGGER" || objtype == "OBJECT_POLICY" ||
                 objtype == "OBJECT_RULE") {
        need(kRelation, 1, {});
      } else if (objtype == "OBJECT_SCHEMA") {
        NeedSchema(StringNode(*object));
      }
    }
    Walk(body);
  }

  void Grant(const json& body) {
    std::string objtype = Str(body, "objtype");
    const json* objects = Member(body, "objects");
    if (Str(body, "targtype") == "ACL_TARGET_ALL_IN_SCHEMA") {
      // What it grants on depends on what exists at that point.
      Fence("GRANT ... ON ALL ... IN SCHEMA");
    } else if (objects != nullptr && objects->is_array()) {
      for (const json& object : *objects) {
        if (objtype == "OBJECT_SCHEMA") {
          NeedSchema(StringNode(object));
        } else if (objtype == "OBJECT_TYPE" || objtype == "OBJECT_DOMAIN") {
          if (const json* list = Member(object, "List")) {
            if (const json* items = Member(*list, "items")) {
              NeedNamed(kType, *items);
            }
          }
        }
      }
    }
    Walk(body);
  }

  void Rename(const json& body) {
    std::string type = Str(body, "renameType");
    std::string newname = Str(body, "newname");
    const json* rv = Member(body, "relation");
    const json* object = Member(body, "object");
    if (IsRelationObject(type) && rv != nullptr) {
      Relation r = ResolveRelation(*rv);
      const bool row_type = type != "OBJECT_INDEX" && type != "OBJECT_SEQUENCE";
      Touch(kRelation, {r.written, r.name}, "relation");
      if (row_type) Touch(kType, {r.written, r.name}, "relation");
      Provide(kRelation, r.schema, newname, "relation", !r.written.empty());
      if (row_type) {
        Provide(kType, r.schema, newname, "relation", !r.written.empty());
      }
    } else if (type == "OBJECT_COLUMN" && rv != nullptr) {
      Relation r = ResolveRelation(*rv);
      Provide(kColumn, r.schema, r.name, "column", !r.written.empty(), true,
              newname);
    } else if ((type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") &&
               object != nullptr) {
      if (const json* list = Member(*object, "List")) {
        if (const json* items = Member(*list, "items")) {
          QualifiedName q = NameOf(*items);
          NeedObject(kType, q.schema, q.name);
          Touch(kType, q, "type");
          ProvideName(kType, {q.schema, newname}, "type");
        }
      }
    } else if ((type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE") &&
               object != nullptr) {
      if (const json* owa = Member(*object, "ObjectWithArgs")) {
        if (const json* names = Member(*owa, "objname")) {
          QualifiedName q = NameOf(*names);
          Touch(kFunction, q, "function");
          ProvideName(kFunction, {q.schema, newname}, "function");
        }
      }
    } else if (type == "OBJECT_SCHEMA") {
      std::string old = Str(body, "subname");
      NeedSchema(old);
      Provide(kSchema, "", old, "schema", true, /*creates=*/false);
      Provide(kSchema, "", newname, "schema", true);
    }
    Walk(body);
  }

  void Drop(const json& body) {
    MentionsOnly(body);
    std::string type = Str(body, "removeType");
    const json* objects = Member(body, "objects");
    if (objects == nullptr || !objects->is_array()) return;
    for (const json& object : *objects) {
      if (IsRelationObject(type)) {
        const json* list = Member(object, "List");
        const json* items = list != nullptr ? Member(*list, "items") : nullptr;
        if (items == nullptr) continue;
        QualifiedName q = NameOf(*items);
        Touch(kRelation, q, "relation");
        if (type != "OBJECT_INDEX" && type != "OBJECT_SEQUENCE") {
          Touch(kType, q, "relation");
        }
      } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
        if (const json* type_name = Member(object, "TypeName")) {
          if (const json* names = Member(*type_name, "names")) {
            Touch(kType, NameOf(*names), "type");
          }
        }
      } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" ||
                 type == "OBJECT_AGGREGATE") {
        if (const json* owa = Member(object, "ObjectWithArgs")) {
          if (const json* names = Member(*owa, "objname")) {
            Touch(kFunction, NameOf(*names), "function");
          }
        }
      } else if (type == "OBJECT_SCHEMA") {
        Provide(kSchema, "", StringNode(object), "schema", true,
                /*creates=*/false);
      }
    }
    // Nothing needed: DROP ... IF EXISTS before a CREATE of the same name
    // must not move after it.
  }

  // SET: a fence when it changes a setting that matters (see the top of
  // model_order.h); follows the search_path.
  void Set(const json& body) {
    MentionsOnly(body);
    std::string kind = Str(body, "kind");
    std::string name = Str(body, "name");
    if (kind == "VAR_RESET_ALL") {
      Fence("RESET ALL");
      session_.clear();
      path_ = {"public"};
      return;
    }
    if (kind == "VAR_SET_MULTI" || kind == "VAR_SET_CURRENT" || name.empty()) {
      Fence("SET");
      return;
    }
    std::string value;  // "" = the default
    std::vector<std::string> values;
    if (kind == "VAR_SET_VALUE") {
      if (const json* args = Member(body, "args")) {
        for (const json& arg : *args) values.push_back(ConstantText(arg));
      }
      value = "=" + Join(values, ", ");
    }
    Setting(name, value, "SET " + name);
    if (name == "search_path") {
      if (kind == "VAR_SET_VALUE") {
        path_.clear();
        for (const std::string& v : values) {
          if (!v.empty() && v != "$user") path_.push_back(v);
        }
      } else {
        path_ = {"public"};
      }
    }
  }

  void Setting(const std::string& name, const std::string& value,
               const std::string& label) {
    if (HarmlessSetting(name)) return;
    auto it = session_.find(name);
    const std::string& before = it == session_.end() ? "" : it->second;
    if (before == value) return;  // no change: no fence
    Fence(label);
    session_[name] = value;
  }

  // SELECT pg_catalog.set_config('name', 'value', false) is the SET it
  // stands for; any other SELECT is a fence (it may call anything).
  void Select(const json& body) {
    const json* targets = Member(body, "targetList");
    bool set_config = false;
    if (targets != nullptr && targets->is_array() && targets->size() == 1 &&
        body.size() <= 3) {
      const json* res = Member((*targets)[0], "ResTarget");
      const json* val = res != nullptr ? Member(*res, "val") : nullptr;
      const json* call = val != nullptr ? Member(*val, "FuncCall") : nullptr;
      const json* names = call != nullptr ? Member(*call, "funcname") : nullptr;
      const json* args = call != nullptr ? Member(*call, "args") : nullptr;
      if (names != nullptr && args != nullptr && args->is_array() &&
          args->size() == 3) {
        QualifiedName fn = NameOf(*names);
        auto name = StringConstant((*args)[0]);
        auto value = StringConstant((*args)[1]);
        if (fn.name == "set_config" &&
            (fn.schema.empty() || fn.schema == "pg_catalog") &&
            names->size() <= 2 && name && value) {
          set_config = true;
          Setting(*name, "=" + *value, "set_config('" + *name + "', ...)");
          if (*name == "search_path") path_ = NameList(*value, ",");
        }
      }
    }
    if (!set_config) Fence("SELECT");
    Walk(body);
  }

  // --- The generic walk: relations, types, functions, foreign keys and
  // regclass strings anywhere in a tree.

  void Walk(const json& node) {
    if (node.is_array()) {
      for (const json& child : node) {
        if (child.is_structured()) Walk(child);
      }
      return;
    }
    if (!node.is_object()) return;
    // One pass over the members: what the node is, and its children. Node
    // kinds (wrappers: {"FuncCall": {...}}) start with a capital.
    bool range_var = false, type_mod = false, pct_type = false;
    const json* names = nullptr;
    const json* funcname = nullptr;
    std::string_view schemaname;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string_view key = it.key();
      const json& child = it.value();
      if (key.empty()) continue;
      switch (key[0]) {
        case 'r':
          range_var = range_var || key == "relname";
          break;
        case 's':
          if (key == "schemaname" && child.is_string()) {
            schemaname = child.get_ref<const std::string&>();
          }
          break;
        case 't':
          type_mod = type_mod || key == "typemod";
          break;
        case 'n':
          if (key == "names") names = &child;
          break;
        case 'f':
          if (key == "funcname") funcname = &child;
          break;
        case 'p':
          pct_type = pct_type || (key == "pct_type" && child.is_boolean() &&
                                  child.get<bool>());
          break;
        default:
          break;
      }
      if (!child.is_structured()) continue;
      if (read_needs_ && key[0] >= 'A' && key[0] <= 'Z') {
        if (key == "FuncCall") {
          FuncCall(child);
        } else if (key == "TypeCast") {
          TypeCast(child);
        } else if (key == "Constraint") {
          ForeignKey(child);
        } else if (key == "ObjectWithArgs") {
          if (const json* objname = Member(child, "objname")) {
            NeedNamed(kFunction, *objname);
          }
        }
      }
      Walk(child);
    }
    // The schemas the tree names, as the schema scan counts them
    // (model_scan.cc): a RangeVar's, and those of "names" and "funcname".
    if (range_var) Mention(schemaname);
    if (names != nullptr) Mention(NameOf(*names).schema);
    if (funcname != nullptr) Mention(NameOf(*funcname).schema);
    if (!read_needs_) return;
    if (range_var) {
      if (std::find(skip_.begin(), skip_.end(), &node) == skip_.end()) {
        Relation r = ResolveRelation(node);
        NeedObject(kRelation, r.written, r.name);
      }
    } else if (names != nullptr && type_mod && !pct_type) {  // a TypeName
      QualifiedName q = NameOf(*names);
      NeedObject(kType, q.schema, q.name);
    }
  }

  // A LANGUAGE sql function whose body is a string (AS $$ ... $$): the
  // server parses and checks the body when the function is created (unless
  // check_function_bodies is off), so what it reads is needed first, as
  // for a view. A body that does not parse needs nothing: the server says
  // what is wrong with it.
  void SqlBody(const json& body) {
    const json* options = Member(body, "options");
    if (options == nullptr || !options->is_array()) return;
    std::string_view language;
    const json* as = nullptr;
    for (const json& option : *options) {
      const json* def = Member(option, "DefElem");
      const json* arg = def != nullptr ? Member(*def, "arg") : nullptr;
      if (arg == nullptr) continue;
      const std::string name = Str(*def, "defname");
      if (name == "language") {
        language = StringNode(*arg);
      } else if (name == "as") {
        as = arg;
      }
    }
    if (as == nullptr || language != "sql") return;
    const json* list = Member(*as, "List");
    const json* items = list != nullptr ? Member(*list, "items") : nullptr;
    if (items == nullptr || !items->is_array() || items->size() != 1) return;
    const std::string source(StringNode((*items)[0]));
    if (source.empty()) return;
    pgjson::ParseHolder parsed{pg_query_parse(source.c_str())};
    if (parsed.result.error != nullptr) return;
    json tree = json::parse(parsed.result.parse_tree, nullptr, false);
    const json* stmts = Member(tree, "stmts");
    if (stmts == nullptr || !stmts->is_array()) return;
    const size_t skipped = skip_.size();
    for (const json& raw : *stmts) {
      if (const json* stmt = Member(raw, "stmt")) Walk(*stmt);
    }
    skip_.resize(skipped);  // no pointers into `tree` outlive it
  }

  void Mention(std::string_view schema) {
    if (schema.empty() || IsSystemSchema(schema)) return;
    if (std::find(mentions_.begin(), mentions_.end(), schema) ==
        mentions_.end()) {
      mentions_.emplace_back(schema);
    }
  }

  // Walks `node` for the schemas it names only (a statement whose needs
  // are read otherwise, or not at all).
  void MentionsOnly(const json& node) {
    read_needs_ = false;
    Walk(node);
    read_needs_ = true;
  }

  void FuncCall(const json& call) {
    const json* names = Member(call, "funcname");
    if (names == nullptr) return;
    QualifiedName fn = NameOf(*names);
    NeedObject(kFunction, fn.schema, fn.name);
    // nextval('s'): the string is read as a regclass when the call is.
    if (names->size() > 2 ||
        (!fn.schema.empty() && fn.schema != "pg_catalog")) {
      return;
    }
    if (fn.name != "nextval" && fn.name != "currval" && fn.name != "setval") {
      return;
    }
    const json* args = Member(call, "args");
    if (args == nullptr || !args->is_array() || args->empty()) return;
    if (auto text = StringConstant((*args)[0])) NeedRegclass(*text);
  }

  // 'users'::regclass.
  void TypeCast(const json& cast) {
    const json* type = Member(cast, "typeName");
    const json* arg = Member(cast, "arg");
    if (type == nullptr || arg == nullptr) return;
    const json* names = Member(*type, "names");
    if (names == nullptr || NameOf(*names).name != "regclass") return;
    if (auto text = StringConstant(*arg)) NeedRegclass(*text);
  }

  // REFERENCES t (cols): the table and the key it refers to.
  void ForeignKey(const json& constraint) {
    if (Str(constraint, "contype") != "CONSTR_FOREIGN") return;
    const json* pktable = Member(constraint, "pktable");
    if (pktable == nullptr) return;
    skip_.push_back(pktable);
    Relation r = ResolveRelation(*pktable);
    NeedObject(kRelation, r.written, r.name, /*foreign_key=*/true);
    std::vector<std::string> columns;
    if (const json* attrs = Member(constraint, "pk_attrs")) {
      columns = Strings(*attrs);
    }
    std::sort(columns.begin(), columns.end());
    NeedObject(kKey, r.written, r.name, /*foreign_key=*/true,
               columns.empty() ? kPrimaryKey
                               : Join(columns, std::string_view("\0", 1)));
  }

  // Every statement's provides and needs, in statement order, and where
  // each statement's start; the keys' bytes in `arena_`.
  std::string arena_;
  std::vector<Provided> provides_;
  std::vector<Need> needs_;
  std::vector<KeyRef> need_keys_;
  std::vector<uint32_t> provide_start_;
  std::vector<uint32_t> need_start_;
  // The fences, by statement: e.g. "SET search_path".
  std::map<size_t, std::string> fences_;
  size_t current_ = 0;
  // A SET or SELECT was read: what it does depends on the session's state
  // (StatementReading).
  bool session_statement_ = false;
  // The schemas the statements' trees name (StatementReading::mentions).
  std::vector<std::string> mentions_;
  // Off while a tree is walked for its mentions only.
  bool read_needs_ = true;
  // Where unqualified names go and are looked up, as the statements set it.
  std::vector<std::string> path_ = {"public"};
  // Settings the statements changed: name -> "=value" ("" for the default).
  std::map<std::string, std::string> session_;
  // The schema of the CREATE SCHEMA whose elements are being read.
  std::string enclosing_;
  // RangeVars of the current statement that are not needs (what it
  // creates, a foreign key's table, read with its key).
  std::vector<const json*> skip_;

  friend class ModelDependencies;
};

namespace {

constexpr uint32_t kEnd = 0xFFFFFFFFu;

// One provider of a key, chained to the key's next provider (in the order
// read).
struct Entry {
  uint32_t index;
  uint32_t next;
  const Provided* provide;
};

// An ordering constraint: statement `from` before the one holding it.
struct Edge {
  size_t from;
  const Entry* what;  // what `from` provides
  bool foreign_key;
  bool need;  // false: the order of two statements on the same name
};

}  // namespace

ModelOrder ModelDependencies::Impl::Order(
    size_t count, const std::function<std::string(size_t)>& where) const {
  // Statement i's provides and needs: [start[i], start[i + 1]).
  auto provides_of = [&](size_t i) {
    size_t begin =
        i < provide_start_.size() ? provide_start_[i] : provides_.size();
    size_t end = i + 1 < provide_start_.size() ? provide_start_[i + 1]
                                               : provides_.size();
    if (i >= provide_start_.size()) end = begin;
    return std::make_pair(begin, end);
  };
  auto needs_of = [&](size_t i) {
    size_t begin = i < need_start_.size() ? need_start_[i] : needs_.size();
    size_t end =
        i + 1 < need_start_.size() ? need_start_[i + 1] : needs_.size();
    if (i >= need_start_.size()) end = begin;
    return std::make_pair(begin, end);
  };
  auto fence_of = [&](size_t i) -> const std::string* {
    auto it = fences_.find(i);
    return it == fences_.end() ? nullptr : &it->second;
  };
  // Each key's providers, in the order read: a chain through `entries`.
  std::vector<Entry> entries;
  entries.reserve(provides_.size());
  std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>> chains;
  chains.reserve(provides_.size());
  for (size_t i = 0; i < count; ++i) {
    auto [begin, end] = provides_of(i);
    for (size_t k = begin; k < end; ++k) {
      const uint32_t at = static_cast<uint32_t>(entries.size());
      entries.push_back(Entry{static_cast<uint32_t>(i), kEnd, &provides_[k]});
      auto [it, added] = chains.try_emplace(KeyOf(provides_[k].key), at, at);
      if (!added) {
        entries[it->second.second].next = at;
        it->second.second = at;
      }
    }
  }
  std::vector<size_t> fences;
  for (const auto& [i, label] : fences_) {
    if (i < count) fences.push_back(i);
  }
  auto first = [&](std::string_view key) -> uint32_t {
    auto it = chains.find(key);
    return it == chains.end() ? kEnd : it->second.first;
  };
  auto what = [&](const Entry& e) {
    return WhatOf(KeyOf(e.provide->key), *e.provide);
  };

  ModelOrder out;
  std::vector<std::vector<Edge>> preds(count);
  bool backward = false;
  for (size_t i = 0; i < count; ++i) {
    auto [pbegin, pend] = provides_of(i);
    auto [nbegin, nend] = needs_of(i);
    const std::string* own_fence = fence_of(i);
    // The latest provider of `key` read before `i`, or null.
    auto prior = [&](std::string_view key) -> const Entry* {
      const Entry* last = nullptr;
      for (uint32_t e = first(key); e != kEnd && entries[e].index < i;
           e = entries[e].next) {
        last = &entries[e];
      }
      return last;
    };
    for (size_t k = pbegin; k < pend; ++k) {
      if (const Entry* e = prior(KeyOf(provides_[k].key))) {
        preds[i].push_back(Edge{e->index, e, false, false});
      }
    }
    for (size_t n = nbegin; n < nend; ++n) {
      const Need& need = needs_[n];
      auto key_at = [&](uint32_t k) {
        return KeyOf(need_keys_[need.first + k]);
      };
      bool self = false;
      for (uint32_t k = 0; k < need.keys && !self; ++k) {
        for (size_t p = pbegin; p < pend && !self; ++p) {
          self = provides_[p].creates && KeyOf(provides_[p].key) == key_at(k);
        }
      }
      if (self) continue;
      const Entry* met = nullptr;
      for (uint32_t k = 0; met == nullptr && k < need.keys; ++k) {
        met = prior(key_at(k));
      }
      if (met != nullptr) {
        preds[i].push_back(Edge{met->index, met, need.foreign_key, true});
        continue;
      }
      const Entry* later = nullptr;
      for (uint32_t k = 0; later == nullptr && k < need.keys; ++k) {
        for (uint32_t e = first(key_at(k)); e != kEnd; e = entries[e].next) {
          if (entries[e].index > i && entries[e].provide->creates) {
            later = &entries[e];
            break;
          }
        }
      }
      if (later == nullptr) continue;
      // A fence between (or this statement one): it stays where it is.
      auto fence = std::upper_bound(fences.begin(), fences.end(), i);
      if (own_fence != nullptr ||
          (fence != fences.end() && *fence < later->index)) {
        if (out.notes.count(i) == 0) {
          std::string note = what(*later) + " is created later, by " +
                             where(later->index) + ", and ";
          if (own_fence != nullptr) {
            note += "a statement like this one (" + *own_fence +
                    ") is not moved, since what it does to the statements "
                    "after it cannot be told";
          } else {
            note += "this statement is not moved after it: " + where(*fence) +
                    " (" + *fence_of(*fence) +
                    ") lies between, and no statement is moved past one "
                    "whose effect on the statements after it cannot be told";
          }
          out.notes[i] = std::move(note);
        }
        continue;
      }
      preds[i].push_back(Edge{later->index, later, need.foreign_key, true});
      backward = true;
    }
  }

  out.needs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    for (const Edge& e : preds[i]) out.needs[i].push_back(e.from);
    std::sort(out.needs[i].begin(), out.needs[i].end());
    out.needs[i].erase(std::unique(out.needs[i].begin(), out.needs[i].end()),
                       out.needs[i].end());
  }
  if (!backward) {
    out.order.resize(count);
    for (size_t i = 0; i < count; ++i) out.order[i] = i;
    return out;
  }

  // Kahn's algorithm, the statement read first first among those ready.
  std::vector<std::vector<size_t>> succ(count);
  std::vector<size_t> waiting(count, 0);
  for (size_t i = 0; i < count; ++i) {
    std::stable_sort(
        preds[i].begin(), preds[i].end(),
        [](const Edge& a, const Edge& b) { return a.from < b.from; });
    preds[i].erase(std::unique(preds[i].begin(), preds[i].end(),
                               [](const Edge& a, const Edge& b) {
                                 return a.from == b.from;
                               }),
                   preds[i].end());
    for (const Edge& e : preds[i]) succ[e.from].push_back(i);
    waiting[i] = preds[i].size();
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < count; ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  std::vector<bool> done(count, false);
  size_t first_left = 0;
  out.order.reserve(count);
  while (out.order.size() < count) {
    if (ready.empty()) {
      // A cycle: the first statement left keeps its place, with a note.
      while (done[first_left]) ++first_left;
      size_t forced = first_left;
      std::vector<size_t> path = {forced};
      std::vector<const Edge*> hops;
      std::unordered_map<size_t, size_t> at = {{forced, 0}};
      for (size_t cur = forced; hops.size() < count;) {
        const Edge* pick = nullptr;
        for (const Edge& e : preds[cur]) {
          if (done[e.from]) continue;
          bool better =
              pick == nullptr || (e.from > cur && pick->from < cur) ||
              ((e.from > cur) == (pick->from > cur) && e.from < pick->from);
          if (better) pick = &e;
        }
        if (pick == nullptr) break;
        hops.push_back(pick);
        path.push_back(pick->from);
        if (!at.emplace(pick->from, path.size() - 1).second) break;
        cur = pick->from;
      }
      std::string note =
          "these model statements need each other in a cycle, so no order "
          "loads them: " +
          where(path[0]);
      bool foreign_key = false;
      for (size_t k = 0; k < hops.size(); ++k) {
        if (k > 0) note += ", which";
        const std::string provided = what(*hops[k]->what);
        note +=
            hops[k]->need ? " needs " + provided + " from " : " comes after ";
        note += where(path[k + 1]);
        if (!hops[k]->need) note += " (" + provided + ")";
        foreign_key = foreign_key || hops[k]->foreign_key;
      }
      if (foreign_key) {
        note +=
            "; create one of the foreign keys after both tables instead, "
            "with ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY";
      }
      out.notes[forced] = std::move(note);
      ready.push(forced);
    }
    size_t next = ready.top();
    ready.pop();
    if (done[next]) continue;
    done[next] = true;
    out.order.push_back(next);
    for (size_t s : succ[next]) {
      if (--waiting[s] == 0 && !done[s]) ready.push(s);
    }
  }
  return out;
}

bool ModelOrder::identity() const {
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] != i) return false;
  }
  return true;
}

class StatementReading::Impl : public ModelDependencies::Impl {};

StatementReading::StatementReading() = default;
StatementReading::~StatementReading() = default;
StatementReading::StatementReading(StatementReading&&) noexcept = default;
StatementReading& StatementReading::operator=(StatementReading&&) noexcept =
    default;

const std::vector<std::string>& StatementReading::mentions() const {
  static const std::vector<std::string> kNone;
  return impl_ != nullptr ? impl_->mentions() : kNone;
}

StatementReading ReadModelStatement(const json& stmt) {
  StatementReading reading;
  reading.impl_ = std::make_unique<StatementReading::Impl>();
  reading.impl_->Statement(0, stmt);
  return reading;
}

ModelDependencies::ModelDependencies() : impl_(std::make_unique<Impl>()) {}
ModelDependencies::~ModelDependencies() = default;

void ModelDependencies::Statement(size_t index, const json& stmt,
                                  StatementReading* reading) {
  if (reading != nullptr && reading->impl_ != nullptr &&
      impl_->Take(index, *reading->impl_)) {
    return;
  }
  impl_->Statement(index, stmt);
}

ModelOrder ModelDependencies::Order(
    size_t count, const std::function<std::string(size_t)>& where) const {
  return impl_->Order(count, where);
}

}  // namespace retort
