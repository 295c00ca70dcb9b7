// Online plans; see online.h. Each rewrite builds its statements from the
// catalogs (pg_get_indexdef, pg_get_constraintdef, format_type texts), and
// looks at SQL text only through PostgreSQL's own lexer (dialect/pg_scan.h).
#include "autogen/online.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialect/dialect.h"
#include "dialect/pg_scan.h"
#include "util/strings.h"

namespace retort {
namespace {

constexpr std::string_view kStep = "-- retort: step\n";
constexpr std::string_view kAutocommitStep =
    "-- retort: step transactional=false\n";

// Rows updated per backfill transaction in a generated plan.
constexpr int kBackfillBatch = 5000;

std::string Q(std::string_view ident) { return QuoteIdentIfNeeded(ident); }

// A name PostgreSQL keeps whole: at most 63 bytes, cut at a character
// boundary, `suffix` kept.
std::string NameWithSuffix(std::string_view base, std::string_view suffix) {
  size_t room = suffix.size() >= 63 ? 0 : 63 - suffix.size();
  std::string head(base.substr(0, std::min(room, base.size())));
  // Do not cut a UTF-8 sequence: drop continuation bytes left dangling.
  while (!head.empty() && head.size() < base.size() &&
         (static_cast<unsigned char>(base[head.size()]) & 0xC0) == 0x80) {
    head.pop_back();
  }
  return head + std::string(suffix);
}

bool IsIdentifierOrKeyword(const PgToken& t) {
  return t.kind == PgToken::Kind::kIdentifier ||
         t.kind == PgToken::Kind::kKeyword;
}

// Whether `sql` names `column` as an identifier (a conservative test: any
// identifier token of that name counts).
bool MentionsColumn(std::string_view sql, std::string_view column) {
  Result<std::vector<PgToken>> tokens = ScanPostgres(sql);
  if (!tokens.ok()) return true;  // cannot tell: assume it does
  for (const PgToken& t : *tokens) {
    if (IsIdentifierOrKeyword(t) && IdentifierName(t.text) == column) {
      return true;
    }
  }
  return false;
}

// A CHECK's definition with `column` renamed to `renamed`; nullopt when a
// use of the column is not a plain column reference.
std::optional<std::string> RetargetCheck(std::string_view definition,
                                         std::string_view column,
                                         std::string_view renamed) {
  Result<std::vector<PgToken>> tokens = ScanPostgres(definition);
  if (!tokens.ok()) return std::nullopt;
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const PgToken& t = (*tokens)[i];
    if (!IsIdentifierOrKeyword(t) || IdentifierName(t.text) != column) {
      continue;
    }
    const bool qualified = i > 0 && (*tokens)[i - 1].text == ".";
    const bool called =
        i + 1 < tokens->size() &&
        ((*tokens)[i + 1].text == "(" || (*tokens)[i + 1].text == ".");
    if (qualified || called) return std::nullopt;
    out += definition.substr(copied, t.begin - copied);
    out += QuoteIdentIfNeeded(renamed);
    copied = t.end;
  }
  out += definition.substr(copied);
  return out;
}

// `definition` (pg_get_indexdef of an index of the table) with `column`
// renamed to `renamed` in its column list, expressions and predicate, and
// the index named `name`; nullopt when a use of the column is not a plain
// column reference (qualified, or a function of that name).
std::optional<std::string> RetargetIndex(std::string_view definition,
                                         std::string_view column,
                                         std::string_view renamed,
                                         std::string_view old_name,
                                         std::string_view name) {
  Result<std::vector<PgToken>> tokens = ScanPostgres(definition);
  if (!tokens.ok()) return std::nullopt;
  std::string out;
  size_t copied = 0;
  bool in_columns = false;
  bool named = false;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const PgToken& t = (*tokens)[i];
    const bool ident = IsIdentifierOrKeyword(t);
    if (!named && ident && IdentifierName(t.text) == old_name &&
        t.kind == PgToken::Kind::kIdentifier) {
      out += definition.substr(copied, t.begin - copied);
      out += Q(name);
      copied = t.end;
      named = true;
      continue;
    }
    if (t.text == "(") in_columns = true;
    if (!in_columns || !ident || IdentifierName(t.text) != column) continue;
    const bool qualified = i > 0 && (*tokens)[i - 1].text == ".";
    const bool called = i + 1 < tokens->size() && (*tokens)[i + 1].text == "(";
    const bool qualifier =
        i + 1 < tokens->size() && (*tokens)[i + 1].text == ".";
    if (qualified || called || qualifier) return std::nullopt;
    out += definition.substr(copied, t.begin - copied);
    out += Q(renamed);
    copied = t.end;
  }
  if (!named) return std::nullopt;
  out += definition.substr(copied);
  return out;
}

// "CREATE [UNIQUE] INDEX name ON [ONLY] table USING ..." with CONCURRENTLY
// after INDEX, the index named `name` and on `table` (when not empty), and
// ONLY removed. nullopt when the text is not of that shape.
std::optional<std::string> ConcurrentIndexSql(std::string_view definition,
                                              std::string_view name,
                                              std::string_view table) {
  Result<std::vector<PgToken>> tokens = ScanPostgres(definition);
  if (!tokens.ok()) return std::nullopt;
  const std::vector<PgToken>& t = *tokens;
  size_t i = 0;
  auto is = [&](size_t k, std::string_view word) {
    return k < t.size() && t[k].kind == PgToken::Kind::kKeyword &&
           AsciiLower(t[k].text) == word;
  };
  if (!is(i, "create")) return std::nullopt;
  ++i;
  const bool unique = is(i, "unique");
  if (unique) ++i;
  if (!is(i, "index")) return std::nullopt;
  ++i;
  if (i >= t.size()) return std::nullopt;
  ++i;  // the index's name (pg_get_indexdef never qualifies it)
  if (!is(i, "on")) return std::nullopt;
  ++i;
  if (is(i, "only")) ++i;
  size_t table_begin = i;
  while (i < t.size() && !is(i, "using")) ++i;
  if (i == t.size() || i == table_begin) return std::nullopt;
  std::string out = unique ? "CREATE UNIQUE INDEX CONCURRENTLY "
                           : "CREATE INDEX CONCURRENTLY ";
  out += Q(name) + " ON ";
  out += table.empty()
             ? std::string(definition.substr(
                   t[table_begin].begin, t[i - 1].end - t[table_begin].begin))
             : std::string(table);
  out += " " + std::string(definition.substr(t[i].begin));
  return out;
}

struct Found {
  const Table* table = nullptr;
  const Column* column = nullptr;
  const Constraint* constraint = nullptr;
};

class Planner {
 public:
  Planner(const Catalog& from, const Catalog& to) : from_(from), to_(to) {
    IndexKeys(to_, &to_keys_);
    IndexKeys(from_, &from_keys_);
  }

  // Rewrites `op`; false when it is left as it is.
  // Notes the columns whose type change will be swapped online, before
  // any operation is rewritten: the foreign keys on them, or on the keys
  // they are, move with the swap instead of being dropped and made again.
  void Prepare(const std::vector<Operation>& ops) {
    for (const Operation& op : ops) {
      if (op.kind != OpKind::kAlterColumn) continue;
      const Found* now = Find(to_keys_, op.object);
      const Found* was = Find(from_keys_, op.object);
      if (now == nullptr || was == nullptr || now->column == nullptr ||
          was->column == nullptr) {
        continue;
      }
      const Column& a = *was->column;
      const Column& b = *now->column;
      if (a.type == b.type || !RewritesTable(a.type, b.type)) continue;
      if (CannotSwap(*was->table, *now->table, a, b).empty()) {
        will_swap_.insert(op.object);
        swap_tables_.insert(RelationKey(now->table->schema, now->table->name));
      }
    }
    // Views the comparer drops and makes again around the type change (a
    // view using the column blocks ALTER ... TYPE, and DROP COLUMN): inside
    // each swap of their tables instead, so readers never miss them for
    // longer than the swap's transaction. Views on those views go along.
    std::map<std::string, std::set<std::string>> reaches;  // view -> tables
    for (int pass = 0; pass < 2; ++pass) {
      for (const Operation& op : ops) {
        if (op.kind != OpKind::kDropView && op.kind != OpKind::kCreateView) {
          continue;
        }
        for (const Catalog* side : {&from_, &to_}) {
          auto deps = side->depends_on.find(op.object);
          if (deps == side->depends_on.end()) continue;
          for (const std::string& dep : deps->second) {
            if (swap_tables_.count(dep)) reaches[op.object].insert(dep);
            auto via = reaches.find(dep);
            if (via != reaches.end() && dep != op.object) {
              reaches[op.object].insert(via->second.begin(), via->second.end());
            }
          }
        }
      }
    }
    for (const Operation& op : ops) {
      auto it = reaches.find(op.object);
      if (it == reaches.end() || op.sql.empty()) continue;
      if (op.kind != OpKind::kDropView && op.kind != OpKind::kCreateView) {
        continue;
      }
      moved_views_.insert(op.object);
      for (const std::string& table : it->second) {
        (op.kind == OpKind::kDropView ? view_drops_ : view_creates_)[table] +=
            op.sql;
      }
    }
  }

  bool Rewrite(Operation& op) {
    if ((op.kind == OpKind::kDropView || op.kind == OpKind::kCreateView) &&
        moved_views_.count(op.object)) {
      op.sql.clear();  // in the swap (Prepare)
      return false;
    }
    if ((op.kind == OpKind::kDropForeignKey ||
         op.kind == OpKind::kAddForeignKey) &&
        MovesWithASwap(op.object)) {
      op.sql.clear();  // the swap keeps the key (Swap)
      return false;
    }
    switch (op.kind) {
      case OpKind::kCreateIndex:
        return CreateIndex(op);
      case OpKind::kDropIndex:
        return DropIndex(op);
      case OpKind::kAddForeignKey:
      case OpKind::kAddConstraint:
        return AddConstraint(op);
      case OpKind::kAlterColumn:
        return AlterColumn(op);
      default:
        return false;
    }
  }

 private:
  static void IndexKeys(const Catalog& c, std::map<std::string, Found>* keys) {
    for (const auto& [key, table] : c.tables) {
      for (const Column& col : table.columns) {
        (*keys)[ColumnKey(table.schema, table.name, col.name)] = {&table, &col,
                                                                  nullptr};
      }
      for (const Constraint& k : table.constraints) {
        (*keys)[ConstraintKey(table.schema, table.name, k.name)] = {
            &table, nullptr, &k};
      }
    }
  }
  static const Found* Find(const std::map<std::string, Found>& keys,
                           const std::string& key) {
    auto it = keys.find(key);
    return it == keys.end() ? nullptr : &it->second;
  }
  bool Existed(const std::string& table_key) const {
    return from_.tables.count(table_key) > 0;
  }

  static void SetSql(Operation& op, std::string sql) {
    op.sql = std::move(sql);
  }

  static void BlocksWrites(Operation& op, const std::string& why) {
    op.comments.push_back("-- retort: blocks writes: " + why);
  }

  bool CreateIndex(Operation& op) {
    auto it = to_.indexes.find(op.object);
    if (it == to_.indexes.end() || op.sql.empty()) return false;
    const Index& x = it->second;
    if (!Existed(x.table)) return false;  // a new table: nobody writes yet
    const Table& table = to_.tables.at(x.table);
    const std::string name = QualifiedName(x.schema, x.name);
    if (table.kind != RelationKind::kPartitionedTable) {
      auto sql = ConcurrentIndexSql(x.definition, x.name, "");
      if (!sql) return false;
      SetSql(op, std::string(kAutocommitStep) +
                     "-- built while writes go on; an INVALID leftover of an "
                     "interrupted build is dropped and built again on "
                     "resume\n" +
                     *sql + ";\n");
      return true;
    }
    // ON ONLY the parent (invalid until every partition's index is
    // attached), each partition's built concurrently, then attached.
    std::vector<const Table*> partitions;
    for (const auto& [key, t] : to_.tables) {
      if (t.partition_of != x.table) continue;
      if (!Existed(key) || t.kind == RelationKind::kPartitionedTable) {
        BlocksWrites(op, "partition " + QualifiedName(t.schema, t.name) +
                             (Existed(key) ? " is partitioned itself"
                                           : " is new in this revision") +
                             ": the index is built on every partition at "
                             "once");
        return true;
      }
      partitions.push_back(&t);
    }
    std::string definition = x.definition;
    if (definition.find(" ON ONLY ") == std::string::npos) {
      size_t on = definition.find(" ON ");
      if (on == std::string::npos) return false;
      definition.insert(on + 4, "ONLY ");
    }
    std::string sql =
        "-- partitioned: the index is created ON ONLY the parent, built on "
        "each partition concurrently, and attached\n" +
        definition + ";\n";
    std::string attach;
    for (const Table* p : partitions) {
      std::string part_index = NameWithSuffix(p->name + "_" + x.name, "");
      auto build = ConcurrentIndexSql(x.definition, part_index,
                                      QualifiedName(p->schema, p->name));
      if (!build) return false;
      sql += std::string(kAutocommitStep) + *build + ";\n";
      attach += "ALTER INDEX " + name + " ATTACH PARTITION " +
                QualifiedName(p->schema, part_index) + ";\n";
    }
    if (!attach.empty()) sql += std::string(kStep) + attach;
    SetSql(op, std::move(sql));
    return true;
  }

  bool DropIndex(Operation& op) {
    auto it = from_.indexes.find(op.object);
    if (it == from_.indexes.end() || op.sql.empty()) return false;
    const Index& x = it->second;
    auto table = from_.tables.find(x.table);
    if (table == from_.tables.end() || !to_.tables.count(x.table) ||
        table->second.kind == RelationKind::kPartitionedTable) {
      return false;  // partitioned indexes cannot be dropped concurrently
    }
    SetSql(op, std::string(kAutocommitStep) + "DROP INDEX CONCURRENTLY " +
                   QualifiedName(x.schema, x.name) + ";\n");
    return true;
  }

  bool AddConstraint(Operation& op) {
    const Found* f = Find(to_keys_, op.object);
    if (f == nullptr || f->constraint == nullptr) return false;
    const Table& t = *f->table;
    const std::string table_key = RelationKey(t.schema, t.name);
    if (!Existed(table_key)) return false;
    const Constraint& k = *f->constraint;
    const std::string table = QualifiedName(t.schema, t.name);
    const std::string add =
        "ALTER TABLE " + table + " ADD CONSTRAINT " + Q(k.name) + " ";
    switch (k.kind) {
      case ConstraintKind::kForeignKey:
      case ConstraintKind::kCheck: {
        if (k.definition.ends_with(" NOT VALID")) return false;
        SetSql(op, std::string(kStep) + add + k.definition + " NOT VALID;\n" +
                       std::string(kStep) +
                       "-- checks the existing rows while writes go on\n"
                       "ALTER TABLE " +
                       table + " VALIDATE CONSTRAINT " + Q(k.name) + ";\n");
        return true;
      }
      case ConstraintKind::kUnique:
      case ConstraintKind::kPrimaryKey:
        return AddKeyUsingIndex(op, t, k, add);
      case ConstraintKind::kExclusion:
        BlocksWrites(op,
                     "an exclusion constraint is built with the table "
                     "locked against writes (PostgreSQL cannot attach one "
                     "built concurrently)");
        return true;
    }
    return false;
  }

  // UNIQUE / PRIMARY KEY: the index built concurrently, then the
  // constraint made from it.
  bool AddKeyUsingIndex(Operation& op, const Table& t, const Constraint& k,
                        const std::string& add) {
    Result<std::vector<PgToken>> scanned = ScanPostgres(k.definition);
    if (!scanned.ok()) return false;
    const std::vector<PgToken>& tokens = *scanned;
    const bool pk = k.kind == ConstraintKind::kPrimaryKey;
    size_t i = pk ? 2 : 1;  // after PRIMARY KEY / UNIQUE
    std::string nulls;
    if (!pk && i + 2 < tokens.size() && AsciiLower(tokens[i].text) == "nulls") {
      nulls = " NULLS NOT DISTINCT";
      i += 3;
    }
    if (i >= tokens.size() || tokens[i].text != "(") return false;
    int depth = 0;
    size_t close = i;
    for (; close < tokens.size(); ++close) {
      if (tokens[close].text == "(") ++depth;
      if (tokens[close].text == ")" && --depth == 0) break;
    }
    if (close == tokens.size()) return false;
    // Only DEFERRABLE / INITIALLY ... may follow: they go on the constraint.
    std::string tail;
    for (size_t j = close + 1; j < tokens.size(); ++j) {
      std::string word = AsciiLower(tokens[j].text);
      if (word != "deferrable" && word != "not" && word != "initially" &&
          word != "deferred" && word != "immediate") {
        BlocksWrites(op, "the key's index options (" +
                             std::string(tokens[j].text) +
                             " ...) are built with the table locked");
        return true;
      }
    }
    if (close + 1 < tokens.size()) {
      tail = " " + k.definition.substr(tokens[close + 1].begin);
    }
    const std::string columns = k.definition.substr(
        tokens[i].begin, tokens[close].end - tokens[i].begin);
    const std::string table = QualifiedName(t.schema, t.name);
    SetSql(op, std::string(kAutocommitStep) +
                   "CREATE UNIQUE INDEX CONCURRENTLY " + Q(k.name) + " ON " +
                   table + " USING btree " + columns + nulls + ";\n" +
                   std::string(kStep) + add + (pk ? "PRIMARY KEY" : "UNIQUE") +
                   " USING INDEX " + Q(k.name) + tail + ";\n");
    return true;
  }

  bool AlterColumn(Operation& op) {
    const Found* now = Find(to_keys_, op.object);
    const Found* was = Find(from_keys_, op.object);
    if (now == nullptr || was == nullptr || now->column == nullptr ||
        was->column == nullptr) {
      return false;
    }
    const Table& t = *now->table;
    const Column& a = *was->column;
    const Column& b = *now->column;
    const std::string table = QualifiedName(t.schema, t.name);
    const std::string prefix =
        "ALTER TABLE " + table + " ALTER COLUMN " + Q(b.name) + " ";
    if (op.sql == prefix + "SET NOT NULL;\n") {
      if (swapped_.count(op.object)) {
        op.sql.clear();  // the swap set it, from a validated check
        return false;
      }
      SetSql(op, SetNotNull(table, b.name, ""));
      return true;
    }
    if (a.type == b.type && a.collation == b.collation) return false;
    if (!RewritesTable(a.type, b.type) && a.collation == b.collation) {
      return false;
    }
    std::string why = CannotSwap(*was->table, t, a, b);
    if (!why.empty()) {
      BlocksWrites(op, "changing " + Q(b.name) + " from " + a.type + " to " +
                           b.type + " rewrites " + table + "; " + why);
      return true;
    }
    SetSql(op, Swap(*was->table, t, a, b));
    swapped_.insert(op.object);
    return true;
  }

  // SET NOT NULL through a validated CHECK. With `extra` (the swap's
  // statements), the final step holds them too.
  static std::string SetNotNull(const std::string& table,
                                const std::string& column,
                                const std::string& check_on) {
    const std::string on = check_on.empty() ? column : check_on;
    const std::string check = NameWithSuffix(on, "_not_null_retort");
    return std::string(kStep) + "ALTER TABLE " + table + " ADD CONSTRAINT " +
           Q(check) + " CHECK (" + Q(on) + " IS NOT NULL) NOT VALID;\n" +
           std::string(kStep) + "ALTER TABLE " + table +
           " VALIDATE CONSTRAINT " + Q(check) + ";\n" + std::string(kStep) +
           "-- the validated check spares SET NOT NULL its scan (PostgreSQL "
           "12+)\n"
           "ALTER TABLE " +
           table + " ALTER COLUMN " + Q(column) + " SET NOT NULL;\n" +
           "ALTER TABLE " + table + " DROP CONSTRAINT " + Q(check) + ";\n";
  }

  // Whether ALTER COLUMN ... TYPE from `a` to `b` rewrites the table
  // (anything not known to be binary-coercible without a scan does).
  static bool RewritesTable(const std::string& a, const std::string& b) {
    auto limit = [](const std::string& type, std::string_view base) -> int {
      if (!type.starts_with(base)) return -2;
      if (type.size() == base.size()) return -1;  // unlimited
      if (type[base.size()] != '(' || type.back() != ')') return -2;
      return std::atoi(type.c_str() + base.size() + 1);
    };
    for (std::string_view base : {"character varying", "bit varying"}) {
      int la = limit(a, base), lb = limit(b, base);
      if (la != -2 && lb != -2) return !(lb == -1 || (la != -1 && lb >= la));
    }
    if (b == "text" && (a == "text" || limit(a, "character varying") != -2)) {
      return false;
    }
    if (a.starts_with("numeric(") && (b == "numeric")) return false;
    return true;
  }

  // Why the column cannot be swapped online; "" when it can.
  std::string CannotSwap(const Table& was, const Table& t, const Column& a,
                         const Column& b) const {
    const std::string key = RelationKey(t.schema, t.name);
    if (t.kind != RelationKind::kTable || !t.partition_of.empty() ||
        !t.inherits.empty()) {
      return "a partitioned, partition or inheriting table is not swapped "
             "online";
    }
    for (const auto& [k, other] : from_.tables) {
      for (const std::string& parent : other.inherits) {
        if (parent == key) return "other tables inherit from it";
      }
    }
    if (!a.generated_expr.empty() || !b.generated_expr.empty()) {
      return "generated columns are not swapped online";
    }
    if (a.identity != b.identity || !a.identity_options.empty() ||
        !b.identity_options.empty()) {
      return "an identity changing with the type, or with options of its "
             "own, is not swapped online";
    }
    if (!a.type_key.empty() || !b.type_key.empty()) {
      return "columns of user-defined types are not swapped online";
    }
    if (from_.grants.count(ColumnKey(t.schema, t.name, a.name))) {
      return "the column has privileges of its own";
    }
    if (BackfillKey(was).empty()) {
      return "it has no single-column primary key to backfill by";
    }
    // What exists before the revision would have to move to the new
    // column; what the revision adds comes after the swap.
    for (const Table* side : {&was}) {
      for (const Constraint& k : side->constraints) {
        if (!MentionsColumn(k.definition, a.name)) continue;
        std::vector<std::string> referencing = Referencing(key);
        if (k.kind == ConstraintKind::kPrimaryKey &&
            BackfillKey(was) == a.name) {
          continue;  // its own primary key: swapped with the column
        }
        if (k.kind == ConstraintKind::kForeignKey &&
            ForeignKeyRest(k, a.name)) {
          continue;  // a foreign key of this column alone: made again
        }
        if (k.kind == ConstraintKind::kCheck &&
            (!Kept(was, k) || RetargetCheck(k.definition, a.name, "x"))) {
          continue;  // made again on the new column (or by its own ops)
        }
        if (k.kind == ConstraintKind::kPrimaryKey ||
            k.kind == ConstraintKind::kUnique) {
          // What the plain ALTER costs besides this table: every foreign
          // key referencing it is checked again, its table locked.
          return "it is in key " + Q(k.name) +
                 (referencing.empty()
                      ? std::string()
                      : ", which foreign keys reference (" +
                            Join(referencing, ", ") +
                            "; each is checked again, its table locked too)") +
                 " (a swap of a key column is not planned online yet)";
        }
        return "constraint " + Q(k.name) + " uses the column (a swap of " +
               "a constrained column is not planned online yet)";
      }
      for (const Trigger& tr : side->triggers) {
        if (MentionsColumn(tr.definition, a.name)) {
          return "trigger " + Q(tr.name) + " names the column";
        }
      }
      for (const Policy& p : side->policies) {
        if (MentionsColumn(p.definition, a.name)) {
          return "policy " + Q(p.name) + " uses the column";
        }
      }
    }
    for (const auto& [view_key, view] : from_.views) {
      auto deps = from_.depends_on.find(view_key);
      if (view.materialized && deps != from_.depends_on.end() &&
          deps->second.count(key)) {
        return "materialized view " + QualifiedName(view.schema, view.name) +
               " reads the table, and making it again would run its query "
               "under the swap's lock";
      }
    }
    for (const auto& [index_key, x] : from_.indexes) {
      if (x.table != key || !MentionsColumn(x.definition, a.name)) continue;
      auto same = to_.indexes.find(index_key);
      if (same == to_.indexes.end() ||
          same->second.definition != x.definition) {
        continue;  // dropped or changed by operations of its own
      }
      if (!RetargetIndex(x.definition, a.name, "x", x.name, "y")) {
        return "index " + QualifiedName(x.schema, x.name) +
               " uses the column in a way retort does not rewrite";
      }
    }
    return "";
  }

  // A foreign key of `column` alone: its definition after "FOREIGN KEY
  // (column)" ("REFERENCES s.t(id) ON DELETE CASCADE"), without NOT VALID.
  static std::optional<std::string> ForeignKeyRest(const Constraint& k,
                                                   std::string_view column) {
    Result<std::vector<PgToken>> tokens = ScanPostgres(k.definition);
    if (!tokens.ok() || tokens->size() < 6) return std::nullopt;
    const std::vector<PgToken>& t = *tokens;
    if (AsciiLower(t[0].text) != "foreign" || t[2].text != "(" ||
        t[4].text != ")" || !IsIdentifierOrKeyword(t[3]) ||
        IdentifierName(t[3].text) != column) {
      return std::nullopt;
    }
    std::string rest = k.definition.substr(t[5].begin);
    if (rest.ends_with(" NOT VALID")) rest.resize(rest.size() - 10);
    return rest;
  }

  // Whether the foreign key `key`, the same on both sides, is on a column
  // swapped online or references a key that is: the comparer drops and
  // makes it again around the type change, the swap keeps it instead.
  bool MovesWithASwap(const std::string& key) const {
    const Found* was = Find(from_keys_, key);
    if (was == nullptr || was->constraint == nullptr ||
        was->constraint->kind != ConstraintKind::kForeignKey ||
        !Kept(*was->table, *was->constraint)) {
      return false;
    }
    const Table& t = *was->table;
    const Constraint& k = *was->constraint;
    for (const Column& c : t.columns) {
      if (will_swap_.count(ColumnKey(t.schema, t.name, c.name)) &&
          ForeignKeyRest(k, c.name)) {
        return true;
      }
    }
    auto referenced = from_.tables.find(k.referenced_table);
    if (referenced == from_.tables.end()) return false;
    const std::string pk = BackfillKey(referenced->second);
    return !pk.empty() &&
           will_swap_.count(ColumnKey(referenced->second.schema,
                                      referenced->second.name, pk)) > 0;
  }

  // The constraint of `to` that is `k` of table `t` unchanged, or null
  // (the revision drops or changes it with operations of its own).
  const Constraint* Kept(const Table& t, const Constraint& k) const {
    const Found* f = Find(to_keys_, ConstraintKey(t.schema, t.name, k.name));
    if (f == nullptr || f->constraint == nullptr ||
        f->constraint->definition != k.definition) {
      return nullptr;
    }
    return f->constraint;
  }

  // The foreign keys referencing the table `key` ("schema.table.fk").
  std::vector<std::string> Referencing(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [other_key, other] : from_.tables) {
      for (const Constraint& fk : other.constraints) {
        if (fk.kind == ConstraintKind::kForeignKey &&
            fk.referenced_table == key) {
          out.push_back(QualifiedName(other.schema, other.name) + "." +
                        Q(fk.name));
        }
      }
    }
    return out;
  }

  // The single primary-key column of `t`, or "".
  static std::string BackfillKey(const Table& t) {
    for (const Constraint& k : t.constraints) {
      if (k.kind != ConstraintKind::kPrimaryKey) continue;
      Result<std::vector<PgToken>> tokens = ScanPostgres(k.definition);
      if (!tokens.ok() || tokens->size() != 5) return "";
      const PgToken& col = (*tokens)[3];
      if (!IsIdentifierOrKeyword(col)) return "";
      return IdentifierName(col.text);
    }
    return "";
  }

  std::string Swap(const Table& was, const Table& t, const Column& a,
                   const Column& b) const {
    const std::string table = QualifiedName(t.schema, t.name);
    const std::string key = RelationKey(t.schema, t.name);
    const std::string col = Q(b.name);
    const std::string fresh = NameWithSuffix(b.name, "_retort_new");
    const std::string sync =
        NameWithSuffix(t.name + "_" + b.name, "_retort_sync");
    const std::string function = QualifiedName(t.schema, sync);
    const std::string cast = "::" + b.type;
    const std::string by = BackfillKey(was);
    std::string sql =
        "-- " + table + "." + col + " " + a.type + " -> " + b.type +
        " would rewrite the table with writes blocked: a new column is kept "
        "in sync by a trigger, backfilled in batches, and swapped in under a "
        "brief lock. The old "
        "column's space is reclaimed by the next rewrite (VACUUM FULL, "
        "pg_repack).\n" +
        std::string(kStep) + "ALTER TABLE " + table + " ADD COLUMN " +
        Q(fresh) + " " + b.type +
        (b.collation.empty() ? "" : " COLLATE " + b.collation) + ";\n" +
        "CREATE FUNCTION " + function +
        "() RETURNS trigger LANGUAGE plpgsql AS $retort$\nBEGIN\n  NEW." +
        Q(fresh) + " := NEW." + col + cast +
        ";\n  RETURN NEW;\nEND\n$retort$;\n"
        "CREATE TRIGGER " +
        Q(sync) + " BEFORE INSERT OR UPDATE ON " + table +
        " FOR EACH ROW EXECUTE FUNCTION " + function + "();\n";
    const std::string check = NameWithSuffix(fresh, "_not_null_retort");
    if (b.not_null) {
      sql += "ALTER TABLE " + table + " ADD CONSTRAINT " + Q(check) +
             " CHECK (" + Q(fresh) + " IS NOT NULL) NOT VALID;\n";
    }
    sql += std::string(kAutocommitStep) + "-- retort: backfill table=" + table +
           " key=" + Q(by) + " batch=" + std::to_string(kBackfillBatch) + "\n" +
           "UPDATE " + table + " SET " + Q(fresh) + " = " + col + cast +
           " WHERE " + Q(fresh) + " IS DISTINCT FROM " + col + cast + ";\n";
    if (b.not_null) {
      sql += std::string(kStep) + "ALTER TABLE " + table +
             " VALIDATE CONSTRAINT " + Q(check) + ";\n";
    }
    // The column is the primary key: its index is built beside it, and the
    // key made from it at the swap; its sequence moves with it.
    const Constraint* pk = nullptr;
    if (by == a.name) {
      for (const Constraint& k : was.constraints) {
        if (k.kind == ConstraintKind::kPrimaryKey) pk = &k;
      }
    }
    const std::string pk_index =
        pk ? NameWithSuffix(pk->name, "_retort_new") : std::string();
    if (pk) {
      sql += std::string(kAutocommitStep) +
             "CREATE UNIQUE INDEX CONCURRENTLY " + Q(pk_index) + " ON " +
             table + " USING btree (" + Q(fresh) + ");\n";
    }
    // The column's own foreign keys: made again on the new column, NOT
    // VALID, validated before the swap, renamed at it (the old ones go with
    // the old column).
    std::string renamed_keys;
    std::string own_fks, validate_own;
    for (const Constraint& k : was.constraints) {
      if (k.kind != ConstraintKind::kForeignKey || !Kept(was, k)) continue;
      std::optional<std::string> rest = ForeignKeyRest(k, a.name);
      if (!rest) continue;
      const std::string temp = NameWithSuffix(k.name, "_retort_new");
      own_fks += "ALTER TABLE " + table + " ADD CONSTRAINT " + Q(temp) +
                 " FOREIGN KEY (" + Q(fresh) + ") " + *rest + " NOT VALID;\n";
      validate_own += std::string(kStep) + "ALTER TABLE " + table +
                      " VALIDATE CONSTRAINT " + Q(temp) + ";\n";
      renamed_keys += "ALTER TABLE " + table + " RENAME CONSTRAINT " + Q(temp) +
                      " TO " + Q(k.name) + ";\n";
    }
    // Its CHECKs likewise, on the new column.
    for (const Constraint& k : was.constraints) {
      if (k.kind != ConstraintKind::kCheck || !Kept(was, k)) continue;
      if (!MentionsColumn(k.definition, a.name)) continue;
      std::optional<std::string> def =
          RetargetCheck(k.definition, a.name, fresh);
      if (!def) continue;  // CannotSwap refused it
      const std::string temp = NameWithSuffix(k.name, "_retort_new");
      std::string body = *def;
      if (body.ends_with(" NOT VALID")) body.resize(body.size() - 10);
      own_fks += "ALTER TABLE " + table + " ADD CONSTRAINT " + Q(temp) + " " +
                 body + " NOT VALID;\n";
      validate_own += std::string(kStep) + "ALTER TABLE " + table +
                      " VALIDATE CONSTRAINT " + Q(temp) + ";\n";
      renamed_keys += "ALTER TABLE " + table + " RENAME CONSTRAINT " + Q(temp) +
                      " TO " + Q(k.name) + ";\n";
    }
    if (!own_fks.empty()) {
      sql += std::string(kStep) + own_fks + validate_own;
    }
    // Foreign keys referencing the key: dropped at the swap and made again
    // NOT VALID on the new key, then validated while writes go on.
    std::string drop_referencing, add_referencing, validate_referencing;
    std::vector<std::string> referencing_names;
    if (pk) {
      for (const auto& [other_key, other] : from_.tables) {
        for (const Constraint& fk : other.constraints) {
          if (fk.kind != ConstraintKind::kForeignKey ||
              fk.referenced_table != key || !Kept(other, fk)) {
            continue;
          }
          const std::string where = QualifiedName(other.schema, other.name);
          std::string def = fk.definition;
          if (def.ends_with(" NOT VALID")) def.resize(def.size() - 10);
          drop_referencing += "ALTER TABLE " + where +
                              " DROP CONSTRAINT IF EXISTS " + Q(fk.name) +
                              ";\n";
          add_referencing += "ALTER TABLE " + where + " ADD CONSTRAINT " +
                             Q(fk.name) + " " + def + " NOT VALID;\n";
          validate_referencing += std::string(kStep) + "ALTER TABLE " + where +
                                  " VALIDATE CONSTRAINT " + Q(fk.name) + ";\n";
          referencing_names.push_back(where + "." + Q(fk.name));
        }
      }
    }
    if (!referencing_names.empty()) {
      // What swapping a referenced key costs, said where it is paid.
      sql += "-- the key is referenced (" + Join(referencing_names, ", ") +
             "): the swap makes those foreign keys again NOT VALID, in its "
             "transaction, and each is validated after it, reading its "
             "whole table while writes go on\n";
    }
    const Sequence* serial = nullptr;  // OWNED BY the old column
    for (const auto& [seq_key, seq] : from_.sequences) {
      if (seq.owned_by_table == key && seq.owned_by_column == a.name) {
        serial = &seq;
      }
    }
    std::string renames;
    for (const auto& [index_key, x] : from_.indexes) {
      if (x.table != key || !MentionsColumn(x.definition, a.name)) continue;
      auto same = to_.indexes.find(index_key);
      if (same == to_.indexes.end() ||
          same->second.definition != x.definition) {
        continue;
      }
      const std::string temp = NameWithSuffix(x.name, "_retort_new");
      auto def = RetargetIndex(x.definition, a.name, fresh, x.name, temp);
      auto build = def ? ConcurrentIndexSql(*def, temp, "") : std::nullopt;
      if (!build) continue;  // CannotSwap checked it
      sql += std::string(kAutocommitStep) + *build + ";\n";
      renames += "ALTER INDEX " + QualifiedName(x.schema, temp) +
                 " RENAME TO " + Q(x.name) + ";\n";
    }
    sql += std::string(kStep) + "-- the swap: a brief ACCESS EXCLUSIVE lock\n" +
           "DROP TRIGGER " + Q(sync) + " ON " + table + ";\n" +
           "DROP FUNCTION " + function + "();\n";
    if (b.not_null) {
      // Before the rename, while the validated check names the column.
      sql += "ALTER TABLE " + table + " ALTER COLUMN " + Q(fresh) +
             " SET NOT NULL;\n" + "ALTER TABLE " + table + " DROP CONSTRAINT " +
             Q(check) + ";\n";
    }
    if (serial) {  // or dropping the column would drop it
      sql += "ALTER SEQUENCE " + QualifiedName(serial->schema, serial->name) +
             " OWNED BY NONE;\n";
    }
    if (pk && !b.identity.empty()) {
      // The new column's identity continues where the old one's was.
      sql += "ALTER TABLE " + table + " ALTER COLUMN " + Q(fresh) +
             " ADD GENERATED " + (b.identity == "a" ? "ALWAYS" : "BY DEFAULT") +
             " AS IDENTITY;\n"
             "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" +
             QuotePgLiteral(table) + ", " + QuotePgLiteral(fresh) +
             "), pg_catalog.nextval(pg_catalog.pg_get_serial_sequence(" +
             QuotePgLiteral(table) + ", " + QuotePgLiteral(a.name) + ")));\n";
    }
    if (pk) {
      sql += drop_referencing + "ALTER TABLE " + table + " DROP CONSTRAINT " +
             Q(pk->name) + ";\n";
    }
    auto views = view_drops_.find(key);
    if (views != view_drops_.end()) sql += views->second;
    sql += "ALTER TABLE " + table + " DROP COLUMN " + col + ";\n" +
           "ALTER TABLE " + table + " RENAME COLUMN " + Q(fresh) + " TO " +
           col + ";\n" + renames;
    if (pk) {
      sql += "ALTER INDEX " + QualifiedName(t.schema, pk_index) +
             " RENAME TO " + Q(pk->name) + ";\n" + "ALTER TABLE " + table +
             " ADD CONSTRAINT " + Q(pk->name) + " PRIMARY KEY USING INDEX " +
             Q(pk->name) + ";\n" + add_referencing;
    }
    sql += renamed_keys;
    if (auto made = view_creates_.find(key); made != view_creates_.end()) {
      sql += made->second;
    }
    if (serial) {
      sql += "ALTER SEQUENCE " + QualifiedName(serial->schema, serial->name) +
             " OWNED BY " + table + "." + col + ";\n";
    }
    if (b.default_expr) {
      sql += "ALTER TABLE " + table + " ALTER COLUMN " + col + " SET DEFAULT " +
             *b.default_expr + ";\n";
    }
    if (b.comment) {
      sql += "COMMENT ON COLUMN " + table + "." + col + " IS " +
             QuotePgLiteral(*b.comment) + ";\n";
    }
    return sql + validate_referencing;
  }

  const Catalog& from_;
  const Catalog& to_;
  std::map<std::string, Found> to_keys_, from_keys_;
  // Columns swapped for a new type: their NOT NULL comes with the swap.
  std::set<std::string> swapped_;
  // Columns whose swap is planned, and their tables (Prepare).
  std::set<std::string> will_swap_;
  std::set<std::string> swap_tables_;
  // Views dropped and made again inside the swaps (Prepare): their keys,
  // and per table the statements, in the comparer's order.
  std::set<std::string> moved_views_;
  std::map<std::string, std::string> view_drops_, view_creates_;
};

}  // namespace

std::vector<Operation> TakeContractOperations(std::vector<Operation>* ops) {
  auto removal = [](const Operation& op) {
    switch (op.kind) {
      case OpKind::kDropColumn:
      case OpKind::kDropTable:
      case OpKind::kDropView:
      case OpKind::kDropFunction:
      case OpKind::kDropSequence:
      case OpKind::kDropType:
        return true;
      default:
        return false;
    }
  };
  auto intersects = [](const std::set<std::string>& a,
                       const std::set<std::string>& b) {
    for (const std::string& k : a) {
      if (b.count(k)) return true;
    }
    return false;
  };
  // j must follow i: it needs what i creates, i uses what j drops, or j
  // creates what i drops.
  auto follows = [&](const Operation& i, const Operation& j) {
    return intersects(i.creates, j.after_created) ||
           intersects(i.before_dropped, j.drops) ||
           intersects(i.drops, j.creates);
  };
  const size_t n = ops->size();
  std::vector<bool> take(n, false);
  for (size_t i = 0; i < n; ++i) take[i] = removal((*ops)[i]);
  // A removal that something left behind must follow stays; repeat until
  // no more stay (one staying may pin one before it).
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (!take[i]) continue;
      for (size_t j = i + 1; j < n; ++j) {
        if (!take[j] && follows((*ops)[i], (*ops)[j])) {
          take[i] = false;
          changed = true;
          break;
        }
      }
    }
  }
  std::vector<Operation> contract, kept;
  for (size_t i = 0; i < n; ++i) {
    (take[i] ? contract : kept).push_back(std::move((*ops)[i]));
  }
  *ops = std::move(kept);
  return contract;
}

int PlanOnline(std::vector<Operation>* ops, const Catalog& from,
               const Catalog& to) {
  Planner planner(from, to);
  planner.Prepare(*ops);
  int rewritten = 0;
  bool after_steps = false;  // the operation before ended in a step
  for (Operation& op : *ops) {
    const size_t comments = op.comments.size();
    const bool changed = planner.Rewrite(op);
    const bool stepped = changed && op.comments.size() == comments;
    if (changed) ++rewritten;
    if (!stepped && after_steps && !(op.sql.empty() && op.comments.empty())) {
      // What follows an online change starts a step of its own, so it
      // does not run inside the change's last (perhaps autocommit) step.
      op.comments.insert(op.comments.begin(), std::string("-- retort: step"));
    }
    if (stepped)
      after_steps = true;
    else if (!(op.sql.empty() && op.comments.empty()))
      after_steps = false;
  }
  return rewritten;
}

}  // namespace retort
