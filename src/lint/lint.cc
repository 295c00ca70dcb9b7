// The lint engine over libpg_query's JSON parse tree: one parse per
// statement, the rules of lint_rules.cc applied to each node. Statements
// inside function bodies and DO blocks are strings to the parser, so they
// are never read as statements of the revision.
#include "lint/lint.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "dialect/pg_json.h"
#include "dialect/splitter.h"
#include "runtime/placeholders.h"
#include "util/strings.h"

namespace retort {
namespace {

using Json = nlohmann::json;
using pgjson::BoolMember;
using pgjson::Member;
using pgjson::ParseHolder;
using pgjson::StringMember;

// The elements of an array member; empty when absent.
const std::vector<Json>& Items(const Json& node, const char* key) {
  static const std::vector<Json> kNone;
  const Json* m = Member(node, key);
  if (m == nullptr || !m->is_array()) return kNone;
  return m->get_ref<const Json::array_t&>();
}

// The sval of each {"String": {...}} of a name list.
std::vector<std::string> Names(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const Json& item : list) {
    if (const Json* s = Member(item, "String")) {
      out.push_back(StringMember(*s, "sval"));
    }
  }
  return out;
}

// The parsed statements of `sql`, or the parser's message.
Result<Json> Parse(const std::string& sql) {
  ParseHolder parsed{pg_query_parse(sql.c_str())};
  if (parsed.result.error != nullptr) {
    return Status::InvalidArgument(parsed.result.error->message != nullptr
                                       ? parsed.result.error->message
                                       : "syntax error");
  }
  Json tree = Json::parse(parsed.result.parse_tree, nullptr, false);
  if (tree.is_discarded()) {
    return Status::Internal("cannot read libpg_query's parse tree");
  }
  return tree;
}

LintTable TableOf(const Json& range_var) {
  return {StringMember(range_var, "schemaname"),
          StringMember(range_var, "relname")};
}

LintTable TableOfNames(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  if (names.size() == 1) return {"", names[0]};
  return {names[names.size() - 2], names.back()};
}

// A type as the parser reads it: canonical name, modifiers, array or not.
struct PgType {
  std::string name;
  std::vector<long> mods;
  bool array = false;
  bool ok = false;
};

std::string CanonicalTypeName(std::vector<std::string> names) {
  if (names.size() > 1 && names.front() == "pg_catalog") {
    names.erase(names.begin());
  }
  std::string name = Join(names, ".");
  if (name == "serial" || name == "serial4") return "int4";
  if (name == "bigserial" || name == "serial8") return "int8";
  if (name == "smallserial" || name == "serial2") return "int2";
  if (name == "timestamp with time zone") return "timestamptz";
  return name;
}

PgType TypeOf(const Json& type_name) {
  PgType t;
  const Json* names = Member(type_name, "names");
  if (names == nullptr) return t;
  t.name = CanonicalTypeName(Names(*names));
  for (const Json& mod : Items(type_name, "typmods")) {
    const Json* c = Member(mod, "A_Const");
    if (c == nullptr) return t;  // an expression: not understood
    const Json* ival = Member(*c, "ival");
    if (ival == nullptr) return t;
    const Json* v = Member(*ival, "ival");
    t.mods.push_back(v != nullptr && v->is_number() ? v->get<long>() : 0);
  }
  t.array = Member(type_name, "arrayBounds") != nullptr;
  t.ok = !t.name.empty();
  return t;
}

// A type name written in SQL ("character varying(20)"), read by the parser.
PgType ParseType(std::string_view text) {
  Result<Json> tree = Parse("CREATE TABLE t (c " + std::string(text) + ")");
  if (!tree.ok()) return {};
  for (const Json& raw : Items(*tree, "stmts")) {
    const Json* create = Member(raw, "stmt");
    create = create != nullptr ? Member(*create, "CreateStmt") : nullptr;
    if (create == nullptr) continue;
    for (const Json& elt : Items(*create, "tableElts")) {
      const Json* def = Member(elt, "ColumnDef");
      const Json* tn = def != nullptr ? Member(*def, "typeName") : nullptr;
      if (tn != nullptr) return TypeOf(*tn);
    }
  }
  return {};
}

// "varchar(20)", "numeric(10,2)[]": a type as lint keeps and prints it.
std::string TypeText(const PgType& t) {
  std::string out = t.name;
  if (!t.mods.empty()) {
    out += "(";
    for (size_t i = 0; i < t.mods.size(); ++i) {
      if (i) out += ",";
      out += std::to_string(t.mods[i]);
    }
    out += ")";
  }
  if (t.array) out += "[]";
  return out;
}

bool Rewrites(const PgType& from, const PgType& to) {
  if (!from.ok || !to.ok || from.array != to.array) return true;
  if (from.name == to.name) {
    if (from.mods == to.mods || to.mods.empty()) return false;
    if (from.mods.empty()) return true;  // a limit where there was none
    const std::string& n = from.name;
    if (n == "varchar" || n == "varbit") return to.mods[0] < from.mods[0];
    if (n == "numeric") {
      long from_scale = from.mods.size() > 1 ? from.mods[1] : 0;
      long to_scale = to.mods.size() > 1 ? to.mods[1] : 0;
      return from_scale != to_scale || to.mods[0] < from.mods[0];
    }
    if (n == "timestamp" || n == "timestamptz" || n == "time" ||
        n == "timetz") {
      return to.mods[0] < from.mods[0];
    }
    return true;
  }
  // Binary-coercible pairs (pg_cast castmethod 'b') with no limit to check.
  auto is = [](const PgType& t, const char* name) { return t.name == name; };
  if (is(from, "varchar") && is(to, "text")) return false;
  if (is(from, "text") && is(to, "varchar")) return !to.mods.empty();
  if (is(from, "cidr") && is(to, "inet")) return false;
  return true;
}

// Functions whose every call may return something new: a default calling
// one is computed for each existing row.
bool IsVolatileFunction(const std::string& name) {
  static constexpr std::string_view kVolatile[] = {
      "random",           "gen_random_uuid",
      "uuid_generate_v1", "uuid_generate_v1mc",
      "uuid_generate_v4", "clock_timestamp",
      "timeofday",        "nextval",
      "setseed",          "random_normal",
      "txid_current"};
  return std::find(std::begin(kVolatile), std::end(kVolatile), name) !=
         std::end(kVolatile);
}

// The first volatile function called anywhere in `expr`; "" when none.
std::string VolatileCall(const Json& expr) {
  if (expr.is_object()) {
    if (const Json* call = Member(expr, "FuncCall")) {
      const Json* names = Member(*call, "funcname");
      std::vector<std::string> n =
          names != nullptr ? Names(*names) : std::vector<std::string>{};
      if (!n.empty() && IsVolatileFunction(n.back())) return n.back() + "()";
    }
    for (auto it = expr.begin(); it != expr.end(); ++it) {
      std::string found = VolatileCall(it.value());
      if (!found.empty()) return found;
    }
  } else if (expr.is_array()) {
    for (const Json& item : expr) {
      std::string found = VolatileCall(item);
      if (!found.empty()) return found;
    }
  }
  return "";
}

// The column c of "c IS NOT NULL"; "" when `expr` is something else.
std::string NotNullTestColumn(const Json& expr) {
  const Json* test = Member(expr, "NullTest");
  if (test == nullptr || StringMember(*test, "nulltesttype") != "IS_NOT_NULL") {
    return "";
  }
  const Json* arg = Member(*test, "arg");
  const Json* ref = arg != nullptr ? Member(*arg, "ColumnRef") : nullptr;
  if (ref == nullptr) return "";
  std::vector<std::string> fields = Names(*Member(*ref, "fields"));
  return fields.size() == 1 ? fields[0] : "";
}

// Lock modes, weakest first, as PostgreSQL names them.
constexpr const char* kLockNames[] = {"",
                                      "ACCESS SHARE",
                                      "ROW SHARE",
                                      "ROW EXCLUSIVE",
                                      "SHARE UPDATE EXCLUSIVE",
                                      "SHARE",
                                      "SHARE ROW EXCLUSIVE",
                                      "EXCLUSIVE",
                                      "ACCESS EXCLUSIVE"};
enum Lock {
  kNoLock,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive
};

// The lock one ALTER TABLE subcommand takes on its table.
Lock AlterCommandLock(const Json& cmd) {
  const std::string sub = StringMember(cmd, "subtype");
  if (sub == "AT_AddConstraint") {
    const Json* def = Member(cmd, "def");
    const Json* c = def != nullptr ? Member(*def, "Constraint") : nullptr;
    if (c != nullptr && StringMember(*c, "contype") == "CONSTR_FOREIGN") {
      return kShareRowExclusive;
    }
    return kAccessExclusive;
  }
  if (sub == "AT_ValidateConstraint" || sub == "AT_SetStatistics" ||
      sub == "AT_ClusterOn" || sub == "AT_DropCluster" ||
      sub == "AT_AttachPartition" || sub == "AT_SetRelOptions" ||
      sub == "AT_ResetRelOptions") {
    return kShareUpdateExclusive;
  }
  if (sub == "AT_DetachPartition") {
    const Json* def = Member(cmd, "def");
    const Json* p = def != nullptr ? Member(*def, "PartitionCmd") : nullptr;
    if (p != nullptr && BoolMember(*p, "concurrent")) {
      return kShareUpdateExclusive;
    }
    return kAccessExclusive;
  }
  if (sub.rfind("AT_EnableTrig", 0) == 0 ||
      sub.rfind("AT_DisableTrig", 0) == 0 || sub == "AT_EnableAlwaysTrig" ||
      sub == "AT_EnableReplicaTrig") {
    return kShareRowExclusive;
  }
  return kAccessExclusive;
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// The state key of a table's column.
std::string ColumnKey(const LintTable& t, const std::string& column) {
  return t.Display() + "|" + column;
}

// Lints the statements of one file.
class FileLinter {
 public:
  FileLinter(const LintFileInput& in, const LintEnvironment& env,
             LintState* state)
      : in_(in), env_(env), state_(*state) {}

  Status Run(std::vector<LintFinding>* out, std::vector<LintTable>* tables) {
    out_ = out;
    tables_ = tables;
    RETORT_ASSIGN_OR_RETURN(
        SubstitutedText up,
        SubstitutePlaceholders(in_.sections.upgrade, in_.placeholders,
                               in_.dialect, in_.path,
                               in_.sections.upgrade_line));
    RETORT_ASSIGN_OR_RETURN(
        SubstitutedText down,
        SubstitutePlaceholders(in_.sections.downgrade, in_.placeholders,
                               in_.dialect, in_.path,
                               in_.sections.downgrade_line));
    auto split = [&](const SubstitutedText& text, int line,
                     const char* section) -> Result<std::vector<SqlStatement>> {
      auto s = SplitScript(in_.dialect, text.text);
      if (!s.ok()) {
        return s.status().WithContext(in_.path + ":" + std::to_string(line) +
                                      ": " + section + " section");
      }
      return s;
    };
    RETORT_ASSIGN_OR_RETURN(std::vector<SqlStatement> ups,
                            split(up, in_.sections.upgrade_line, "upgrade"));
    RETORT_ASSIGN_OR_RETURN(
        std::vector<SqlStatement> downs,
        split(down, in_.sections.downgrade_line, "downgrade"));
    if (in_.dialect == Dialect::kPostgres) {
      for (const SqlStatement& s : ups) Statement(up, s);
    }
    // A "-- retort: code" downgrade is the application's function.
    if (downs.empty() && in_.sections.downgrade_directives.empty_line() == 0 &&
        in_.sections.downgrade_directives.code_line() == 0) {
      LintFinding f;
      f.rule = "irreversible-downgrade";
      f.line = std::max(1, in_.sections.downgrade_line - 1);
      f.message =
          "the downgrade section has no statement and no "
          "\"-- retort: empty\"";
      Add(std::move(f));
    }
    return Status::OK();
  }

 private:
  // One upgrade statement.
  void Statement(const SubstitutedText& body, const SqlStatement& s) {
    current_.line =
        LineAtOffset(in_.sections.upgrade, in_.sections.upgrade_line,
                     body.OriginalOffset(s.offset));
    current_.text = FirstLine(body, s);
    Result<Json> tree = Parse(s.text);
    if (!tree.ok()) {
      LintFinding f = Here("unparsed-statement", {}, kNoLock);
      f.message = "not checked: " + tree.status().message();
      Add(std::move(f));
      return;
    }
    for (const Json& raw : Items(*tree, "stmts")) {
      const Json* stmt = Member(raw, "stmt");
      if (stmt == nullptr || !stmt->is_object()) continue;
      for (auto it = stmt->begin(); it != stmt->end(); ++it) {
        Node(it.key(), it.value());
      }
    }
  }

  // The statement's first line as the file writes it, at most 80 chars.
  std::string FirstLine(const SubstitutedText& body, const SqlStatement& s) {
    const std::string& original = in_.sections.upgrade;
    size_t begin = std::min(body.OriginalOffset(s.offset), original.size());
    size_t end = std::min(body.OriginalOffset(s.offset + s.text.size()),
                          original.size());
    if (end < original.size() && original[end] == ';') ++end;
    std::string_view text(original.data() + begin, end - begin);
    size_t nl = text.find('\n');
    std::string line(Trim(text.substr(0, nl)));
    if (line.size() > 80) line = line.substr(0, 77) + "...";
    return line;
  }

  void Node(const std::string& type, const Json& node) {
    if (type == "CreateStmt") return Create(node);
    if (type == "AlterTableStmt") return AlterTable(node);
    if (type == "IndexStmt") return Index(node);
    if (type == "DropStmt") return Drop(node);
    if (type == "TruncateStmt") return Truncate(node);
    if (type == "RenameStmt") return Rename(node);
    if (type == "AlterEnumStmt") return Enum(node);
    if (type == "VariableSetStmt") return Set(node);
  }

  // Created earlier in this revision, or by a pending revision before it:
  // empty, and unseen by the deployed application.
  bool IsNew(const LintTable& t) const {
    return created_.count(t) > 0 || state_.pending_tables.count(t) > 0;
  }

  void Created(const LintTable& t) {
    created_.insert(t);
    if (in_.pending) state_.pending_tables.insert(t);
  }

  void Create(const Json& node) {
    const Json* rel = Member(node, "relation");
    if (rel == nullptr) return;
    LintTable t = TableOf(*rel);
    Created(t);
    for (const Json& elt : Items(node, "tableElts")) {
      if (const Json* def = Member(elt, "ColumnDef")) {
        ColumnDefined(t, *def);
      } else if (const Json* c = Member(elt, "Constraint")) {
        CheckAdded(t, *c);
      }
    }
  }

  // Records a column's type (and its NOT NULL checks) in the state.
  void ColumnDefined(const LintTable& t, const Json& def) {
    const std::string column = StringMember(def, "colname");
    if (const Json* tn = Member(def, "typeName")) {
      PgType type = TypeOf(*tn);
      if (type.ok) state_.column_types[ColumnKey(t, column)] = TypeText(type);
    }
    for (const Json& c : Items(def, "constraints")) {
      const Json* con = Member(c, "Constraint");
      if (con != nullptr) CheckAdded(t, *con);
    }
  }

  // Records "CHECK (c IS NOT NULL)", validated or not.
  void CheckAdded(const LintTable& t, const Json& c) {
    if (StringMember(c, "contype") != "CONSTR_CHECK") return;
    const Json* expr = Member(c, "raw_expr");
    std::string column = expr != nullptr ? NotNullTestColumn(*expr) : "";
    if (column.empty()) return;
    if (BoolMember(c, "skip_validation")) {
      state_
          .unvalidated_checks[t.Display() + "|" + StringMember(c, "conname")] =
          column;
    } else {
      state_.not_null_checks.insert(ColumnKey(t, column));
    }
  }

  void AlterTable(const Json& node) {
    const Json* rel = Member(node, "relation");
    if (rel == nullptr) return;
    if (StringMember(node, "objtype") != "OBJECT_TABLE") return;
    const LintTable t = TableOf(*rel);
    Lock lock = kNoLock;
    for (const Json& item : Items(node, "cmds")) {
      if (const Json* cmd = Member(item, "AlterTableCmd")) {
        lock = std::max(lock, AlterCommandLock(*cmd));
      }
    }
    LockTaken(t, lock);
    for (const Json& item : Items(node, "cmds")) {
      const Json* cmd = Member(item, "AlterTableCmd");
      if (cmd != nullptr) AlterCommand(t, lock, *cmd);
    }
  }

  void AlterCommand(const LintTable& t, Lock lock, const Json& cmd) {
    const std::string sub = StringMember(cmd, "subtype");
    const std::string name = StringMember(cmd, "name");
    const bool existing = !IsNew(t);
    const Json* def = Member(cmd, "def");
    if (sub == "AT_DropColumn") {
      size_t finding = std::string::npos;
      if (existing) {
        LintFinding f = Here("drop-column", t, lock);
        f.message = "drops column " + Quoted(name) + " of " + t.Display() +
                    " and its data";
        if (in_.report) finding = out_->size();
        Add(std::move(f));
      }
      dropped_columns_[ColumnKey(t, name)] = finding;
      state_.column_types.erase(ColumnKey(t, name));
    } else if (sub == "AT_AlterColumnType") {
      AlterType(t, lock, name, def, existing);
    } else if (sub == "AT_AddColumn") {
      const Json* cd = def != nullptr ? Member(*def, "ColumnDef") : nullptr;
      if (cd == nullptr) return;
      added_columns_.insert(ColumnKey(t, StringMember(*cd, "colname")));
      if (existing) {
        AddColumn(t, lock, *cd);
        for (const Json& c : Items(*cd, "constraints")) {
          const Json* con = Member(c, "Constraint");
          if (con != nullptr) UniqueAdded(t, lock, *con);
        }
      }
      ColumnDefined(t, *cd);
    } else if (sub == "AT_SetNotNull") {
      if (!existing || state_.not_null_checks.count(ColumnKey(t, name))) {
        return;
      }
      if (env_.catalog != nullptr && env_.catalog->HasNotNullCheck(t, name)) {
        return;
      }
      LintFinding f = Here("set-not-null", t, lock);
      f.message = "SET NOT NULL on " + t.Display() + "." + name +
                  " scans the whole table under " + kLockNames[lock];
      Add(std::move(f));
    } else if (sub == "AT_AddConstraint") {
      const Json* c = def != nullptr ? Member(*def, "Constraint") : nullptr;
      if (c == nullptr) return;
      CheckAdded(t, *c);
      const std::string type = StringMember(*c, "contype");
      if (existing) UniqueAdded(t, lock, *c);
      if (!existing || BoolMember(*c, "skip_validation")) return;
      if (type != "CONSTR_FOREIGN" && type != "CONSTR_CHECK") return;
      LintFinding f = Here("constraint-without-not-valid", t, lock);
      std::string kind =
          type == "CONSTR_FOREIGN" ? "foreign key" : "check constraint";
      std::string conname = StringMember(*c, "conname");
      f.message = "adds " + kind +
                  (conname.empty() ? "" : " " + Quoted(conname)) +
                  " without NOT VALID: every row of " + t.Display() +
                  " is checked under " + kLockNames[lock];
      Add(std::move(f));
    } else if (sub == "AT_ValidateConstraint") {
      auto it = state_.unvalidated_checks.find(t.Display() + "|" + name);
      if (it != state_.unvalidated_checks.end()) {
        state_.not_null_checks.insert(ColumnKey(t, it->second));
      }
    }
  }

  // ADD UNIQUE / PRIMARY KEY (of a table or a new column) that builds its
  // index in the statement, on an existing table.
  void UniqueAdded(const LintTable& t, Lock lock, const Json& c) {
    const std::string type = StringMember(c, "contype");
    if (type != "CONSTR_UNIQUE" && type != "CONSTR_PRIMARY") return;
    if (!StringMember(c, "indexname").empty()) return;  // USING INDEX
    const std::string conname = StringMember(c, "conname");
    LintFinding f = Here("add-unique-without-index", t, lock);
    f.message =
        std::string("adds ") +
        (type == "CONSTR_PRIMARY" ? "primary key" : "unique constraint") +
        (conname.empty() ? "" : " " + Quoted(conname)) + " to " + t.Display() +
        ", building its unique index under " + kLockNames[lock] +
        ": reads and writes wait for the whole build";
    Add(std::move(f));
  }

  void AlterType(const LintTable& t, Lock lock, const std::string& column,
                 const Json* def, bool existing) {
    const Json* cd = def != nullptr ? Member(*def, "ColumnDef") : nullptr;
    const Json* tn = cd != nullptr ? Member(*cd, "typeName") : nullptr;
    if (tn == nullptr) return;
    const PgType to = TypeOf(*tn);
    const std::string key = ColumnKey(t, column);
    std::optional<std::string> from;
    if (auto it = state_.column_types.find(key);
        it != state_.column_types.end()) {
      from = it->second;
    } else if (env_.catalog != nullptr) {
      from = env_.catalog->ColumnType(t, column);
    }
    if (to.ok) state_.column_types[key] = TypeText(to);
    if (!existing) return;
    const bool using_expr = Member(*cd, "raw_default") != nullptr;
    std::string why;
    if (using_expr) {
      why = "USING computes every row again";
    } else if (!from) {
      why =
          "its current type is unknown to lint (not created by the "
          "revisions linted, no database to ask), so it may rewrite";
    } else if (Rewrites(ParseType(*from), to)) {
      why = *from + " is not binary-coercible to " + TypeText(to);
    } else {
      return;
    }
    LintFinding f = Here("alter-column-type", t, lock);
    f.message = "changes the type of " + t.Display() + "." + column + " to " +
                TypeText(to) + ": " + why + "; the table is rewritten under " +
                kLockNames[lock];
    Add(std::move(f));
  }

  void AddColumn(const LintTable& t, Lock lock, const Json& cd) {
    const std::string column = StringMember(cd, "colname");
    std::string why;
    if (const Json* tn = Member(cd, "typeName")) {
      std::vector<std::string> names = Names(*Member(*tn, "names"));
      std::string n = names.empty() ? "" : names.back();
      if (n == "serial" || n == "bigserial" || n == "smallserial" ||
          n == "serial2" || n == "serial4" || n == "serial8") {
        why = "a " + n + " fills every row from a sequence";
      }
    }
    for (const Json& c : Items(cd, "constraints")) {
      const Json* con = Member(c, "Constraint");
      if (con == nullptr || !why.empty()) continue;
      const std::string type = StringMember(*con, "contype");
      if (type == "CONSTR_GENERATED") {
        why = "a stored generated column is computed for every row";
      } else if (type == "CONSTR_IDENTITY") {
        why = "an identity column fills every row from a sequence";
      } else if (type == "CONSTR_DEFAULT") {
        const Json* expr = Member(*con, "raw_expr");
        std::string call = expr != nullptr ? VolatileCall(*expr) : "";
        if (!call.empty()) {
          why = "its default " + call + " is volatile";
        } else if (env_.catalog != nullptr &&
                   env_.catalog->server_version() < 110000) {
          why = "PostgreSQL " +
                std::to_string(env_.catalog->server_version() / 10000) +
                " writes any default into every row";
        }
      }
    }
    if (why.empty()) return;
    LintFinding f = Here("add-column-volatile-default", t, lock);
    f.message = "adds column " + Quoted(column) + " to " + t.Display() + ": " +
                why + ", rewriting the table under " + kLockNames[lock];
    Add(std::move(f));
  }

  void Index(const Json& node) {
    const Json* rel = Member(node, "relation");
    if (rel == nullptr) return;
    const LintTable t = TableOf(*rel);
    const bool concurrent = BoolMember(node, "concurrent");
    const Lock lock = concurrent ? kShareUpdateExclusive : kShare;
    const std::string index = StringMember(node, "idxname");
    if (!index.empty()) state_.index_tables[{t.schema, index}] = t;
    LockTaken(t, lock);
    if (concurrent || IsNew(t)) return;
    LintFinding f = Here("create-index-non-concurrent", t, lock);
    std::string name = StringMember(node, "idxname");
    f.message = "builds index" + (name.empty() ? "" : " " + Quoted(name)) +
                " on " + t.Display() +
                " without CONCURRENTLY: writes wait for the whole build";
    Add(std::move(f));
  }

  void Drop(const Json& node) {
    const std::string type = StringMember(node, "removeType");
    if (type == "OBJECT_INDEX") return DropIndex(node);
    if (type != "OBJECT_TABLE" && type != "OBJECT_SCHEMA") return;
    for (const Json& object : Items(node, "objects")) {
      std::vector<std::string> names;
      if (const Json* list = Member(object, "List")) {
        names = Names(*Member(*list, "items"));
      } else if (const Json* s = Member(object, "String")) {
        names.push_back(StringMember(*s, "sval"));
      }
      if (names.empty()) continue;
      if (type == "OBJECT_SCHEMA") {
        LintFinding f = Here("drop-schema", {}, kNoLock);
        f.message = "drops schema " + Quoted(names.back()) +
                    (StringMember(node, "behavior") == "DROP_CASCADE"
                         ? " and, with CASCADE, everything in it"
                         : "");
        Add(std::move(f));
        continue;
      }
      const LintTable t = TableOfNames(names);
      LockTaken(t, kAccessExclusive);
      if (IsNew(t)) continue;
      LintFinding f = Here("drop-table", t, kAccessExclusive);
      f.message = "drops table " + t.Display() + " and its data";
      Add(std::move(f));
    }
  }

  // DROP INDEX without CONCURRENTLY: ACCESS EXCLUSIVE on the index's
  // table, which, queued behind a long query, stops every query after it.
  void DropIndex(const Json& node) {
    const bool concurrent = BoolMember(node, "concurrent");
    for (const Json& object : Items(node, "objects")) {
      const Json* list = Member(object, "List");
      if (list == nullptr) continue;
      const LintTable index = TableOfNames(Names(*Member(*list, "items")));
      if (index.name.empty()) continue;
      std::optional<LintTable> table;
      if (auto it = state_.index_tables.find(index);
          it != state_.index_tables.end()) {
        table = it->second;
      } else if (env_.catalog != nullptr) {
        table = env_.catalog->IndexTable(index);
      }
      const Lock lock = concurrent ? kShareUpdateExclusive : kAccessExclusive;
      if (table) LockTaken(*table, lock);
      if (concurrent || (table && IsNew(*table))) continue;
      LintFinding f =
          Here("drop-index-non-concurrent", table.value_or(LintTable{}), lock);
      f.message = "drops index " + index.Display() +
                  " without CONCURRENTLY: ACCESS EXCLUSIVE on " +
                  (table ? table->Display() : std::string("its table")) +
                  " until it is done, and every query on the table queues "
                  "behind it while it waits for that lock";
      Add(std::move(f));
    }
  }

  void Truncate(const Json& node) {
    for (const Json& item : Items(node, "relations")) {
      const Json* rel = Member(item, "RangeVar");
      if (rel == nullptr) continue;
      const LintTable t = TableOf(*rel);
      LockTaken(t, kAccessExclusive);
      if (IsNew(t)) continue;
      LintFinding f = Here("truncate", t, kAccessExclusive);
      f.message = "deletes every row of " + t.Display();
      Add(std::move(f));
    }
  }

  void Rename(const Json& node) {
    const std::string type = StringMember(node, "renameType");
    const Json* rel = Member(node, "relation");
    if (rel == nullptr) return;
    const LintTable t = TableOf(*rel);
    const bool column = type == "OBJECT_COLUMN" &&
                        StringMember(node, "relationType") == "OBJECT_TABLE";
    if (type != "OBJECT_TABLE" && !column) return;
    LockTaken(t, kAccessExclusive);
    const std::string new_name = StringMember(node, "newname");
    if (IsNew(t)) {
      if (!column) Created({t.schema, new_name});
      return;
    }
    // A column this revision added takes the name of one it dropped: a
    // swap. The data moved to the new column (its backfill), and readers
    // see the same name: neither the drop nor the rename is a finding.
    if (column) {
      auto dropped = dropped_columns_.find(ColumnKey(t, new_name));
      if (dropped != dropped_columns_.end() &&
          added_columns_.count(ColumnKey(t, StringMember(node, "subname")))) {
        if (const size_t at = dropped->second; at != std::string::npos) {
          out_->erase(out_->begin() + static_cast<std::ptrdiff_t>(at));
          tables_->erase(tables_->begin() + static_cast<std::ptrdiff_t>(at));
          for (auto& [key, index] : dropped_columns_) {
            if (index != std::string::npos && index > at) --index;
          }
        }
        dropped_columns_.erase(dropped);
        return;
      }
    }
    LintFinding f =
        Here(column ? "rename-column" : "rename-table", t, kAccessExclusive);
    f.message =
        column ? "renames column " + Quoted(StringMember(node, "subname")) +
                     " of " + t.Display() + " to " + Quoted(new_name)
               : "renames table " + t.Display() + " to " + Quoted(new_name);
    Add(std::move(f));
  }

  void Enum(const Json& node) {
    if (Member(node, "oldVal") != nullptr) return;  // RENAME VALUE
    if (!in_.transactional) return;
    const int version =
        env_.catalog != nullptr ? env_.catalog->server_version() : 0;
    if (version >= 120000) return;
    const Json* names = Member(node, "typeName");
    LintTable type = TableOfNames(
        names != nullptr ? Names(*names) : std::vector<std::string>{});
    LintFinding f = Here("enum-add-value-in-transaction", {}, kNoLock);
    f.message =
        "adds value '" + StringMember(node, "newVal") + "' to type " +
        type.Display() + " inside the revision's transaction" +
        (version == 0 ? ", which fails on PostgreSQL 11 and older "
                        "(no database to ask for its version)"
                      : ", which PostgreSQL " +
                            std::to_string(version / 10000) + " refuses");
    Add(std::move(f));
  }

  void Set(const Json& node) {
    if (StringMember(node, "name") != "lock_timeout" ||
        StringMember(node, "kind") != "VAR_SET_VALUE") {
      return;
    }
    const auto& args = Items(node, "args");
    if (args.size() != 1) return;
    const Json* c = Member(args[0], "A_Const");
    if (c == nullptr) return;
    std::string value;
    if (const Json* s = Member(*c, "sval")) {
      value = StringMember(*s, "sval");
    } else if (const Json* i = Member(*c, "ival")) {
      const Json* v = Member(*i, "ival");
      value =
          v != nullptr && v->is_number() ? std::to_string(v->get<long>()) : "0";
    } else {
      return;
    }
    if (!LockTimeoutDisabled(value)) return;
    set_to_zero_ = true;
    LintFinding f = Here("lock-timeout-disabled", {}, kNoLock);
    f.message =
        "sets lock_timeout to 0: the statements after it wait for "
        "their locks without a limit";
    Add(std::move(f));
  }

  // A statement locks `t`: with the configured lock_timeout 0, the first
  // such statement of the file on an existing table is reported.
  // The file's "Lock Timeout:" header, when it has one, else the
  // configuration's lock_timeout.
  void LockTaken(const LintTable& t, Lock lock) {
    const bool header = !in_.lock_timeout.empty();
    const std::string& timeout = header ? in_.lock_timeout : env_.lock_timeout;
    if (lock == kNoLock || IsNew(t) || lock_timeout_reported_ || set_to_zero_ ||
        !LockTimeoutDisabled(timeout)) {
      return;
    }
    lock_timeout_reported_ = true;
    LintFinding f = Here("lock-timeout-disabled", t, lock);
    f.message =
        (header ? "\"Lock Timeout: " + timeout + "\" in the file's header"
                : "lock_timeout = \"" + timeout + "\" in " + env_.config_name) +
        ": waiting for " + kLockNames[lock] + " on " + t.Display() +
        " has no limit";
    Add(std::move(f));
  }

  LintFinding Here(const char* rule, const LintTable& t, Lock lock) {
    LintFinding f;
    f.rule = rule;
    f.line = current_.line;
    f.statement = current_.text;
    f.table = t.Display();
    f.lock = kLockNames[lock];
    here_table_ = t;
    return f;
  }

  void Add(LintFinding f) {
    LintTable table = std::move(here_table_);
    here_table_ = {};
    if (!in_.report) return;
    const LintRuleInfo* rule = FindLintRule(f.rule);
    f.severity = rule != nullptr ? rule->severity : LintSeverity::kWarning;
    f.revision = in_.revision;
    f.path = in_.path;
    out_->push_back(std::move(f));
    tables_->push_back(std::move(table));
  }

  const LintFileInput& in_;
  const LintEnvironment& env_;
  LintState& state_;
  std::vector<LintFinding>* out_ = nullptr;
  std::vector<LintTable>* tables_ = nullptr;
  LintTable here_table_;  // the table of the finding Here() made
  // Tables created earlier in this revision: empty, unseen by others
  // (IsNew adds those of pending revisions before it).
  std::set<LintTable> created_;
  // A column swap (an online type change, docs/online.md) in this
  // revision: columns it added, and the columns it dropped with where
  // their drop-column finding is in out_ (npos: none was reported).
  std::set<std::string> added_columns_;
  std::map<std::string, size_t> dropped_columns_;
  struct {
    int line = 0;
    std::string text;
  } current_;
  bool lock_timeout_reported_ = false;
  bool set_to_zero_ = false;
};

// The rule ids of the file's "-- retort: lint disable=" directives.
Result<std::set<std::string>> DisabledRules(const LintFileInput& in) {
  std::set<std::string> out;
  for (const SectionDirectives* section :
       {&in.sections.upgrade_directives, &in.sections.downgrade_directives}) {
    for (const Directive& d : section->all) {
      if (d.kind != Directive::Kind::kLintDisable) continue;
      for (const std::string& id : SplitList(d.argument, ',')) {
        if (FindLintRule(id) == nullptr) {
          std::vector<std::string> ids;
          for (const LintRuleInfo& r : LintRules()) ids.push_back(r.id);
          return Status::InvalidArgument(
              in.path + ":" + std::to_string(d.line) + ": unknown lint rule " +
              Quoted(id) + " in \"-- retort: lint disable=" + d.argument +
              "\"" + DidYouMean(id, ids) +
              " (see 'retort lint --rules' for the rules)");
        }
        out.insert(id);
      }
    }
  }
  return out;
}

}  // namespace

std::string LintTable::Display() const {
  if (schema.empty()) return name;
  return schema + "." + name;
}

bool LockTimeoutDisabled(std::string_view value) {
  std::string_view v = Trim(value);
  if (v.empty()) return false;
  size_t i = 0;
  while (i < v.size() && v[i] == '0') ++i;
  if (i == 0) return false;
  std::string_view unit = Trim(v.substr(i));
  if (!unit.empty() && unit.front() == '.') {  // "0.0s"
    size_t j = 1;
    while (j < unit.size() && unit[j] == '0') ++j;
    unit = Trim(unit.substr(j));
  }
  return unit.empty() || unit == "ms" || unit == "s" || unit == "min" ||
         unit == "h" || unit == "d" || unit == "us";
}

bool TypeChangeRewrites(std::string_view from, std::string_view to) {
  return Rewrites(ParseType(from), ParseType(to));
}

Result<std::vector<LintFileFinding>> LintFile(const LintFileInput& input,
                                              const LintEnvironment& env,
                                              LintState* state, int* disabled) {
  RETORT_ASSIGN_OR_RETURN(std::set<std::string> off, DisabledRules(input));
  std::vector<LintFinding> all;
  std::vector<LintTable> tables;
  FileLinter linter(input, env, state);
  RETORT_RETURN_IF_ERROR(linter.Run(&all, &tables));
  std::vector<LintFileFinding> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (off.count(all[i].rule)) {
      if (disabled != nullptr) ++*disabled;
      continue;
    }
    out.push_back({std::move(all[i]), std::move(tables[i])});
  }
  return out;
}

}  // namespace retort
