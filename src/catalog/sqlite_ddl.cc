// A recursive-descent reader for SQLite's column definitions and table
// constraints, over tokens.
#include "catalog/sqlite_ddl.h"

#include <algorithm>

#include "dialect/sqlite_tokenizer.h"

namespace retort {
namespace {

using Tokens = std::vector<SqliteToken>;

// Parser walks a range of one statement's tokens; the range bounds the
// current part so that running off a column definition is an error, not a
// read into the next one.
class Parser {
 public:
  Parser(const Tokens& t, size_t begin, size_t end)
      : t_(t), p_(begin), end_(end) {}

  size_t pos() const { return p_; }
  bool AtEnd() const { return p_ >= end_; }
  const SqliteToken* Peek(size_t ahead = 0) const {
    return p_ + ahead < end_ ? &t_[p_ + ahead] : nullptr;
  }
  bool PeekIs(std::string_view word, size_t ahead = 0) const {
    const SqliteToken* tok = Peek(ahead);
    return tok != nullptr && tok->Is(word);
  }
  bool PeekPunct(std::string_view punct, size_t ahead = 0) const {
    const SqliteToken* tok = Peek(ahead);
    return tok != nullptr && tok->kind == SqliteTokenKind::kPunct &&
           tok->text == punct;
  }
  // Consumes the next token whatever it is.
  const SqliteToken* Next() { return AtEnd() ? nullptr : &t_[p_++]; }
  bool Accept(std::string_view word) {
    if (!PeekIs(word)) return false;
    ++p_;
    return true;
  }
  bool AcceptPunct(std::string_view punct) {
    if (!PeekPunct(punct)) return false;
    ++p_;
    return true;
  }
  Status Expect(std::string_view word) {
    if (Accept(word)) return Status::OK();
    return Error("expected " + std::string(word));
  }
  // A name; SQLite also accepts a string literal where a name goes.
  Status ExpectName(std::string* name = nullptr) {
    const SqliteToken* tok = Peek();
    if (tok == nullptr ||
        (!tok->IsName() && tok->kind != SqliteTokenKind::kString)) {
      return Error("expected a name");
    }
    if (name != nullptr) {
      *name = tok->kind == SqliteTokenKind::kString
                  ? std::string(tok->text.substr(1, tok->text.size() - 2))
                  : tok->Name();
    }
    ++p_;
    return Status::OK();
  }
  // A parenthesised group, nested groups included; the names inside are
  // added to `names` when given.
  Status SkipParens(std::set<std::string>* names) {
    if (!PeekPunct("(")) return Error("expected (");
    int depth = 0;
    while (!AtEnd()) {
      const SqliteToken& tok = t_[p_++];
      if (tok.kind == SqliteTokenKind::kPunct && tok.text == "(") ++depth;
      if (tok.kind == SqliteTokenKind::kPunct && tok.text == ")" &&
          --depth == 0) {
        return Status::OK();
      }
      if (names != nullptr && tok.IsName()) {
        names->insert(SqliteFold(tok.Name()));
      }
    }
    return Error("unbalanced parentheses");
  }
  // [ON CONFLICT ROLLBACK|ABORT|FAIL|IGNORE|REPLACE]
  Status ConflictClause() {
    if (!(PeekIs("ON") && PeekIs("CONFLICT", 1))) return Status::OK();
    p_ += 2;
    return ExpectName();
  }
  // REFERENCES table [(columns)] [ON DELETE|UPDATE action | MATCH name]...
  // [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]]
  Status ForeignKeyClause(std::set<std::string>* names) {
    RETORT_RETURN_IF_ERROR(Expect("REFERENCES"));
    std::string table;
    RETORT_RETURN_IF_ERROR(ExpectName(&table));
    names->insert(SqliteFold(table));
    if (PeekPunct("(")) RETORT_RETURN_IF_ERROR(SkipParens(names));
    while (true) {
      if (Accept("ON")) {
        if (!Accept("DELETE") && !Accept("UPDATE")) {
          return Error("expected DELETE or UPDATE");
        }
        if (Accept("SET")) {
          if (!Accept("NULL") && !Accept("DEFAULT")) {
            return Error("expected NULL or DEFAULT");
          }
        } else if (Accept("NO")) {
          RETORT_RETURN_IF_ERROR(Expect("ACTION"));
        } else if (!Accept("CASCADE") && !Accept("RESTRICT")) {
          return Error("expected a foreign key action");
        }
      } else if (Accept("MATCH")) {
        RETORT_RETURN_IF_ERROR(ExpectName());
      } else {
        break;
      }
    }
    // NOT DEFERRABLE, but not NOT NULL: that is the next column constraint.
    if (PeekIs("NOT") && PeekIs("DEFERRABLE", 1)) ++p_;
    if (Accept("DEFERRABLE") && Accept("INITIALLY")) {
      if (!Accept("DEFERRED") && !Accept("IMMEDIATE")) {
        return Error("expected DEFERRED or IMMEDIATE");
      }
    }
    return Status::OK();
  }

  Status Error(const std::string& what) const {
    std::string found = p_ < end_ ? "'" + std::string(t_[p_].text) + "'"
                                  : std::string("the end");
    return Status::Corruption(what + ", found " + found);
  }

 private:
  const Tokens& t_;
  size_t p_;
  size_t end_;
};

bool StartsColumnConstraint(const SqliteToken& tok) {
  for (std::string_view k :
       {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
        "COLLATE", "REFERENCES", "GENERATED", "AS"}) {
    if (tok.Is(k)) return true;
  }
  return false;
}

bool StartsTableConstraint(const SqliteToken& tok) {
  for (std::string_view k :
       {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}) {
    if (tok.Is(k)) return true;
  }
  return false;
}

// DEFAULT's value: (expr), [+|-]number, a literal or a bare word.
Status DefaultValue(Parser& in, SqliteColumnDef& col) {
  if (in.PeekPunct("(")) {
    col.default_kind = SqliteDefaultKind::kExpression;
    return in.SkipParens(&col.names_used);
  }
  if (!in.AcceptPunct("+")) in.AcceptPunct("-");
  const SqliteToken* value = in.Next();
  if (value == nullptr || value->kind == SqliteTokenKind::kPunct) {
    return in.Error("expected a default value");
  }
  if (value->Is("NULL")) {
    col.default_kind = SqliteDefaultKind::kNull;
  } else if (value->Is("CURRENT_TIME") || value->Is("CURRENT_DATE") ||
             value->Is("CURRENT_TIMESTAMP")) {
    col.default_kind = SqliteDefaultKind::kExpression;
  } else {
    col.default_kind = SqliteDefaultKind::kConstant;
  }
  return Status::OK();
}

// One column constraint at the parser's position, recorded into `col`.
Status ColumnConstraint(Parser& in, const Tokens& t, SqliteColumnDef& col) {
  size_t start = in.pos();
  if (in.Accept("CONSTRAINT")) RETORT_RETURN_IF_ERROR(in.ExpectName());
  if (in.Accept("PRIMARY")) {
    RETORT_RETURN_IF_ERROR(in.Expect("KEY"));
    col.primary_key = true;
    if (!in.Accept("ASC")) in.Accept("DESC");
    RETORT_RETURN_IF_ERROR(in.ConflictClause());
    if (in.Accept("AUTOINCREMENT")) col.autoincrement = true;
  } else if (in.Accept("NOT")) {
    RETORT_RETURN_IF_ERROR(in.Expect("NULL"));
    col.not_null = true;
    RETORT_RETURN_IF_ERROR(in.ConflictClause());
  } else if (in.Accept("NULL")) {
    RETORT_RETURN_IF_ERROR(in.ConflictClause());
  } else if (in.Accept("UNIQUE")) {
    col.unique = true;
    RETORT_RETURN_IF_ERROR(in.ConflictClause());
  } else if (in.Accept("CHECK")) {
    col.check = true;
    RETORT_RETURN_IF_ERROR(in.SkipParens(&col.names_used));
  } else if (in.Accept("DEFAULT")) {
    RETORT_RETURN_IF_ERROR(DefaultValue(in, col));
  } else if (in.Accept("COLLATE")) {
    RETORT_RETURN_IF_ERROR(in.ExpectName());
  } else if (in.PeekIs("REFERENCES")) {
    col.references = true;
    RETORT_RETURN_IF_ERROR(in.ForeignKeyClause(&col.names_used));
  } else if (in.PeekIs("GENERATED") || in.PeekIs("AS")) {
    if (in.Accept("GENERATED")) RETORT_RETURN_IF_ERROR(in.Expect("ALWAYS"));
    RETORT_RETURN_IF_ERROR(in.Expect("AS"));
    col.generated = true;
    RETORT_RETURN_IF_ERROR(in.SkipParens(&col.names_used));
    if (in.Accept("STORED")) {
      col.stored = true;
    } else {
      in.Accept("VIRTUAL");
    }
  } else {
    return in.Error("expected a column constraint");
  }
  col.constraints.push_back(CanonicalSqlite(t, start, in.pos()));
  return Status::OK();
}

// A column definition: tokens [begin, end) of one comma-separated part.
Result<SqliteColumnDef> ColumnDef(std::string_view sql, const Tokens& t,
                                  size_t begin, size_t end) {
  SqliteColumnDef col;
  Parser in(t, begin, end);
  RETORT_RETURN_IF_ERROR(in.ExpectName(&col.name));
  size_t type_begin = in.pos();
  while (!in.AtEnd() && !StartsColumnConstraint(*in.Peek())) {
    if (in.PeekPunct("(")) {
      RETORT_RETURN_IF_ERROR(in.SkipParens(nullptr));
    } else {
      in.Next();
    }
  }
  col.type = CanonicalSqlite(t, type_begin, in.pos());
  while (!in.AtEnd()) RETORT_RETURN_IF_ERROR(ColumnConstraint(in, t, col));
  size_t from = t[begin].offset;
  size_t to = t[end - 1].offset + t[end - 1].text.size();
  col.sql = std::string(sql.substr(from, to - from));
  return col;
}

// The table constraints in tokens [begin, end): one, or several when SQLite's
// grammar lets them follow each other without a comma.
Status TableConstraints(const Tokens& t, size_t begin, size_t end,
                        SqliteTableDef& def) {
  Parser in(t, begin, end);
  while (!in.AtEnd()) {
    size_t start = in.pos();
    if (in.Accept("CONSTRAINT")) RETORT_RETURN_IF_ERROR(in.ExpectName());
    std::set<std::string>& names = def.constraint_names_used;
    if (in.Accept("PRIMARY")) {
      RETORT_RETURN_IF_ERROR(in.Expect("KEY"));
      RETORT_RETURN_IF_ERROR(in.SkipParens(&names));
      RETORT_RETURN_IF_ERROR(in.ConflictClause());
    } else if (in.Accept("UNIQUE")) {
      RETORT_RETURN_IF_ERROR(in.SkipParens(&names));
      RETORT_RETURN_IF_ERROR(in.ConflictClause());
    } else if (in.Accept("CHECK")) {
      RETORT_RETURN_IF_ERROR(in.SkipParens(&names));
    } else if (in.Accept("FOREIGN")) {
      RETORT_RETURN_IF_ERROR(in.Expect("KEY"));
      RETORT_RETURN_IF_ERROR(in.SkipParens(&names));
      RETORT_RETURN_IF_ERROR(in.ForeignKeyClause(&names));
    } else {
      return in.Error("expected a table constraint");
    }
    def.constraints.push_back(CanonicalSqlite(t, start, in.pos()));
  }
  return Status::OK();
}

}  // namespace

std::string SqliteColumnDef::Canonical() const {
  std::vector<std::string> sorted = constraints;
  std::sort(sorted.begin(), sorted.end());
  std::string out = type;
  for (const std::string& c : sorted) out += " | " + c;
  return out;
}

Result<SqliteTableDef> ParseSqliteCreateTable(std::string_view sql) {
  Tokens t = TokenizeSqlite(sql);
  while (!t.empty() && t.back().kind == SqliteTokenKind::kPunct &&
         t.back().text == ";") {
    t.pop_back();
  }
  SqliteTableDef def;
  Parser in(t, 0, t.size());
  RETORT_RETURN_IF_ERROR(in.Expect("CREATE"));
  if (!in.Accept("TEMP")) in.Accept("TEMPORARY");
  RETORT_RETURN_IF_ERROR(in.Expect("TABLE"));
  if (in.PeekIs("IF") && in.PeekIs("NOT", 1) && in.PeekIs("EXISTS", 2)) {
    for (int i = 0; i < 3; ++i) in.Next();
  }
  size_t name_at = in.pos();
  RETORT_RETURN_IF_ERROR(in.ExpectName(&def.name));
  if (in.AcceptPunct(".")) RETORT_RETURN_IF_ERROR(in.ExpectName(&def.name));
  const SqliteToken& last_name = t[in.pos() - 1];
  def.name_begin = t[name_at].offset;
  def.name_end = last_name.offset + last_name.text.size();
  if (!in.PeekPunct("(")) return in.Error("expected ( after the table name");
  size_t open = in.pos();
  RETORT_RETURN_IF_ERROR(in.SkipParens(nullptr));
  size_t close = in.pos() - 1;
  // Split the body at the commas outside parentheses.
  size_t part = open + 1;
  int depth = 0;
  for (size_t i = open + 1; i <= close; ++i) {
    const SqliteToken& tok = t[i];
    bool punct = tok.kind == SqliteTokenKind::kPunct;
    if (punct && tok.text == "(") ++depth;
    if (punct && tok.text == ")" && i != close) --depth;
    if (!(i == close || (depth == 0 && punct && tok.text == ","))) continue;
    if (part == i) return Status::Corruption("empty table element");
    if (StartsTableConstraint(t[part])) {
      RETORT_RETURN_IF_ERROR(TableConstraints(t, part, i, def));
    } else {
      RETORT_ASSIGN_OR_RETURN(SqliteColumnDef col, ColumnDef(sql, t, part, i));
      def.columns.push_back(std::move(col));
    }
    part = i + 1;
  }
  // Table options: WITHOUT ROWID, STRICT, comma-separated.
  while (!in.AtEnd()) {
    size_t start = in.pos();
    if (in.Accept("WITHOUT")) {
      RETORT_RETURN_IF_ERROR(in.Expect("ROWID"));
      def.without_rowid = true;
    } else if (!in.Accept("STRICT")) {
      return in.Error("expected a table option");
    }
    def.options.push_back(CanonicalSqlite(t, start, in.pos()));
    if (!in.AtEnd()) {
      if (!in.AcceptPunct(",")) return in.Error("expected ,");
    }
  }
  return def;
}

std::string RenameSqliteCreateTable(std::string_view sql,
                                    const SqliteTableDef& def,
                                    std::string_view new_name) {
  return std::string(sql.substr(0, def.name_begin)) +
         QuoteSqliteIdentIfNeeded(new_name) +
         std::string(sql.substr(def.name_end));
}

std::set<std::string> SqliteNamesUsed(std::string_view sql) {
  std::set<std::string> names;
  for (const SqliteToken& tok : TokenizeSqlite(sql)) {
    if (tok.IsName()) names.insert(SqliteFold(tok.Name()));
  }
  return names;
}

}  // namespace retort
