// Reading an SQLite schema: sqlite_schema for the objects and their text,
// table-valued pragmas joined against it for columns, foreign keys and
// index columns (one query each for the whole database, not one per table).
#include "catalog/sqlite_introspect.h"

#include <charconv>
#include <utility>

#include "dialect/sqlite_tokenizer.h"

namespace retort {
namespace {

const std::string& Cell(const Row& row, size_t i) {
  static const std::string kEmpty;
  return row[i].has_value() ? *row[i] : kEmpty;
}

int IntCell(const Row& row, size_t i) {
  const std::string& s = Cell(row, i);
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

bool StartsWithFolded(const std::string& text, std::string_view prefix) {
  return SqliteFold(text.substr(0, prefix.size())) == prefix;
}

SqliteObject MakeObject(const std::string& name, const std::string& table,
                        const std::string& sql) {
  SqliteObject o;
  o.name = name;
  o.table = SqliteFold(table);
  o.sql = sql;
  std::vector<SqliteToken> tokens = TokenizeSqlite(sql);
  o.canonical = CanonicalSqlite(tokens, 0, tokens.size());
  o.names_used = SqliteNamesUsed(sql);
  return o;
}

// Shadow tables of virtual tables (an FTS5 table's _data, _idx, ...):
// PRAGMA table_list says so from SQLite 3.37; before that, tables named
// after a virtual table plus "_" are taken for its shadow tables.
Result<std::set<std::string>> ShadowTables(Connection& conn,
                                           const std::set<std::string>& vtabs,
                                           const std::vector<Row>& master) {
  std::set<std::string> shadow;
  if (vtabs.empty()) return shadow;
  if (conn.ServerVersion() >= 3037000) {
    RETORT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn.Query("SELECT name FROM pragma_table_list WHERE schema = 'main' "
                   "AND type = 'shadow'"));
    for (const Row& row : r.rows) shadow.insert(SqliteFold(Cell(row, 0)));
    return shadow;
  }
  for (const Row& row : master) {
    std::string name = SqliteFold(Cell(row, 1));
    for (const std::string& v : vtabs) {
      if (name.size() > v.size() + 1 && name.starts_with(v + "_")) {
        shadow.insert(name);
      }
    }
  }
  return shadow;
}

Result<SqliteSchema> Read(Connection& conn, const IntrospectOptions& filter) {
  SqliteSchema schema;
  RETORT_ASSIGN_OR_RETURN(
      QueryResult master,
      conn.Query("SELECT type, name, tbl_name, sql FROM sqlite_master "
                 "ORDER BY rowid"));
  auto included = [&](const std::string& name) {
    return !StartsWithFolded(name, "sqlite_") &&
           RelationIncluded(filter, "main", name);
  };
  std::set<std::string> vtabs;
  for (const Row& row : master.rows) {
    if (Cell(row, 0) == "table" &&
        StartsWithFolded(Cell(row, 3), "create virtual table")) {
      vtabs.insert(SqliteFold(Cell(row, 1)));
    }
  }
  RETORT_ASSIGN_OR_RETURN(std::set<std::string> shadow,
                          ShadowTables(conn, vtabs, master.rows));
  for (const Row& row : master.rows) {
    const std::string& type = Cell(row, 0);
    const std::string& name = Cell(row, 1);
    const std::string& table = Cell(row, 2);
    const std::string& sql = Cell(row, 3);
    std::string key = SqliteFold(name);
    if (type == "table") {
      if (!included(name) || shadow.count(key)) continue;
      SqliteTable t;
      t.name = name;
      t.sql = sql;
      if (vtabs.count(key)) {
        t.is_virtual = true;
        std::vector<SqliteToken> tokens = TokenizeSqlite(sql);
        t.virtual_canonical = CanonicalSqlite(tokens, 0, tokens.size());
      } else {
        auto def = ParseSqliteCreateTable(sql);
        if (!def.ok()) {
          return def.status().WithContext(
              "cannot read the definition of table " + name);
        }
        t.def = std::move(def).value();
      }
      schema.tables.emplace(key, std::move(t));
    } else if (!sql.empty() && included(table) &&
               !shadow.count(SqliteFold(table)) &&
               (type == "index" || type == "view" || type == "trigger")) {
      auto& map = type == "index"  ? schema.indexes
                  : type == "view" ? schema.views
                                   : schema.triggers;
      map.emplace(key, MakeObject(name, table, sql));
    }
  }

  // Columns, checked against what the parser found: a parser mistake must
  // not pass for a schema difference.
  RETORT_ASSIGN_OR_RETURN(
      QueryResult cols,
      conn.Query("SELECT m.name, c.name, c.\"notnull\", c.pk, c.hidden "
                 "FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c "
                 "WHERE m.type = 'table' ORDER BY m.rowid, c.cid"));
  for (const Row& row : cols.rows) {
    auto it = schema.tables.find(SqliteFold(Cell(row, 0)));
    if (it == schema.tables.end()) continue;
    SqliteTable& t = it->second;
    SqliteColumn c;
    c.name = Cell(row, 1);
    c.not_null = IntCell(row, 2) != 0;
    c.pk = IntCell(row, 3);
    c.hidden = IntCell(row, 4);
    if (!t.is_virtual) {
      size_t i = t.columns.size();
      if (i >= t.def.columns.size() ||
          SqliteFold(t.def.columns[i].name) != SqliteFold(c.name)) {
        return Status::Internal("cannot read the definition of table " +
                                t.name + ": SQLite lists column " + c.name +
                                " where the CREATE TABLE text has " +
                                (i < t.def.columns.size()
                                     ? t.def.columns[i].name
                                     : std::string("no more columns")));
      }
      c.def = t.def.columns[i];
    }
    t.columns.push_back(std::move(c));
  }
  for (auto& [key, t] : schema.tables) {
    if (!t.is_virtual && t.columns.size() != t.def.columns.size()) {
      return Status::Internal("cannot read the definition of table " + t.name +
                              ": SQLite lists " +
                              std::to_string(t.columns.size()) +
                              " columns, the CREATE TABLE text has " +
                              std::to_string(t.def.columns.size()));
    }
    // The rowid alias: a lone INTEGER PRIMARY KEY of a rowid table.
    int pk_columns = 0;
    const SqliteColumn* pk = nullptr;
    for (const SqliteColumn& c : t.columns) {
      if (c.pk > 0) {
        ++pk_columns;
        pk = &c;
      }
    }
    t.rowid_alias = !t.is_virtual && !t.def.without_rowid && pk_columns == 1 &&
                    pk->def.type == "integer";
  }

  RETORT_ASSIGN_OR_RETURN(
      QueryResult fks,
      conn.Query("SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" "
                 "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f "
                 "WHERE m.type = 'table' ORDER BY m.rowid, f.id, f.seq"));
  int last_id = -1;
  std::string last_table;
  for (const Row& row : fks.rows) {
    auto it = schema.tables.find(SqliteFold(Cell(row, 0)));
    if (it == schema.tables.end()) continue;
    SqliteTable& t = it->second;
    int id = IntCell(row, 1);
    if (id != last_id || it->first != last_table || t.foreign_keys.empty()) {
      t.foreign_keys.push_back(
          SqliteForeignKey{SqliteFold(Cell(row, 2)), {}, {}});
    }
    last_id = id;
    last_table = it->first;
    SqliteForeignKey& fk = t.foreign_keys.back();
    fk.from.push_back(SqliteFold(Cell(row, 3)));
    if (row[4].has_value()) fk.to.push_back(SqliteFold(*row[4]));
  }

  RETORT_ASSIGN_OR_RETURN(
      QueryResult idx,
      conn.Query("SELECT m.name, x.name FROM sqlite_master m "
                 "JOIN pragma_index_list(m.name) l "
                 "JOIN pragma_index_xinfo(l.name) x "
                 "WHERE m.type = 'table' AND x.key AND x.cid >= 0"));
  for (const Row& row : idx.rows) {
    auto it = schema.tables.find(SqliteFold(Cell(row, 0)));
    if (it == schema.tables.end()) continue;
    it->second.indexed_columns.insert(SqliteFold(Cell(row, 1)));
  }
  return schema;
}

}  // namespace

const SqliteColumn* SqliteTable::FindColumn(
    const std::string& folded_name) const {
  for (const SqliteColumn& c : columns) {
    if (SqliteFold(c.name) == folded_name) return &c;
  }
  return nullptr;
}

Result<SqliteSchema> IntrospectSqlite(Connection& conn,
                                      const IntrospectOptions& options) {
  if (conn.dialect() != Dialect::kSqlite) {
    return Status::InvalidArgument(
        "SQLite introspection needs an SQLite connection");
  }
  // SQLite has one schema per database file: only the table filters apply.
  IntrospectOptions filter;
  filter.exclude_tables = options.exclude_tables;
  // One read transaction: every query sees the same schema.
  bool own_transaction = !conn.InTransaction();
  if (own_transaction) RETORT_RETURN_IF_ERROR(conn.Begin());
  Result<SqliteSchema> schema = Read(conn, filter);
  if (own_transaction) {
    Status rolled_back = conn.Rollback();
    if (schema.ok() && !rolled_back.ok()) return rolled_back;
  }
  if (!schema.ok()) return schema.status().WithContext("reading the schema");
  return schema;
}

}  // namespace retort
