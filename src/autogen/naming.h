// SQLAlchemy naming conventions for SQL models: the [naming] table of
// retort.toml holds the templates of SQLAlchemy's
// MetaData(naming_convention={...}), and the constraints and indexes the
// model files leave unnamed get the names SQLAlchemy 1.4 gives the
// equivalent Table -- so that a database created by SQLAlchemy compares
// equal to the models instead of every constraint looking renamed.
//
//   [naming]
//   pk = "pk_%(table_name)s"
//   fk = "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
//   uq = "uq_%(table_name)s_%(column_0_name)s"
//   ix = "ix_%(column_0_label)s"
//   ck = "ck_%(table_name)s_%(constraint_name)s"
//
// SQLAlchemy's rules, as read from its 1.4 source (sql/naming.py,
// sql/compiler.py) and checked against it by tests/naming_sqlalchemy_test.cc:
//  - A template applies to an unnamed constraint or index of its kind, and
//    also to a named one when the template's text contains
//    "constraint_name" anywhere (SQLAlchemy tests the substring, not the
//    token). %(constraint_name)s on an unnamed one is an error.
//  - Tokens: table_name; constraint_name; referred_table_name (fk only);
//    column_<i>_name, column_<i>_key, column_<i>_label, and the joined forms
//    column_0N_<attr> (no separator) and column_0_N_<attr> ("_"); and
//    referred_column_<i>_name, referred_column_0N_name,
//    referred_column_0_N_name (fk only). <i> is any decimal index (leading
//    zeros allowed); a column past the end is "". The key of a column is its
//    name (SQL has no separate key); its label is "<table>_<column>", or
//    "<schema>_<table>_<column>" with the schema's dots made "_" when the
//    table is schema-qualified. A foreign key's columns are its referring
//    columns. %% is a literal %; anything else after % is malformed.
//  - A name made by a template that is longer than 63 characters (Unicode
//    code points, PostgreSQL's identifier length in SQLAlchemy) becomes its
//    first 55 characters, "_" and the last 4 hex digits of the MD5 of the
//    whole UTF-8 name: always 60 characters.
//  - Explicit names a template does not apply to are left alone.
//  - A name holding "%" is written "%%" in the DDL text SQLAlchemy's
//    psycopg2 dialect compiles (pyformat); the driver makes it "%" again,
//    so the database has "%", as here.
//
// How SQL maps to SQLAlchemy's Table, where the SQL leaves a choice:
//  - Names are PostgreSQL's: unquoted identifiers folded to lower case,
//    quoted ones as written. That is the name the database holds, and the
//    one SQLAlchemy's Table must be given to create the same table (Table
//    names are used as given). Identifiers PostgreSQL truncates to 63 bytes
//    are used untruncated, as SQLAlchemy would. The names inserted are
//    double-quoted when PostgreSQL would otherwise fold or reject them, so
//    the database ends up with exactly SQLAlchemy's name.
//  - A table's schema is the one the statement writes (`auth.users`, or the
//    enclosing CREATE SCHEMA), none when unqualified: SET search_path does
//    not count (Table("users") and Table("users", schema="auth") are both
//    possible; only %(column_0_label)s tells them apart).
//  - A CHECK constraint's columns: SQLAlchemy has none for a text CHECK
//    (CheckConstraint("price > 0"), what Alembic writes) and the columns of
//    the expression for a SQL-expression CHECK. SQL cannot tell which, so a
//    column token in the template of a CHECK that mentions a column is an
//    error (name it); a CHECK that mentions none has no columns either way.
//  - An index element that is an expression counts as the one column it
//    mentions (func.lower(t.c.email) in SQLAlchemy); one mentioning several
//    columns makes column tokens from that element on an error, since
//    SQLAlchemy takes the first column of its own expression tree. Duplicate
//    columns count once, as in SQLAlchemy's column collection.
//  - PRIMARY KEY, UNIQUE, REFERENCES / FOREIGN KEY and CHECK, at column or
//    table level in CREATE TABLE or ALTER TABLE ... ADD (COLUMN), and
//    CREATE [UNIQUE] INDEX (unique or not: SQLAlchemy's ix) are named.
//    REFERENCES without a column list refers to the primary key the file
//    gives that table (SQLAlchemy's ForeignKey always names its column);
//    when the file gives it none, only %(referred_column_...)s tokens fail
//    (and %(referred_table_name)s assumes no "." in that column's name).
//  - What SQLAlchemy 1.4 cannot write but PostgreSQL can is named as its
//    nearest equivalent: UNIQUE ... INCLUDE (...) and UNIQUE NULLS NOT
//    DISTINCT as a UniqueConstraint of the key columns; an index's INCLUDE
//    columns, WHERE, USING and opclasses do not count (as in SQLAlchemy's
//    postgresql_include / _where / _using).
//
// Where retort is more lenient than SQLAlchemy, which refuses outright:
//  - A pk template with %(constraint_name)s: SQLAlchemy fails on every
//    Table (it names each table's empty implicit primary key first);
//    retort renames named primary keys and refuses unnamed ones.
//  - No ix template: SQLAlchemy cannot create an unnamed Index at all;
//    retort leaves unnamed indexes to PostgreSQL (a SQLAlchemy project can
//    only have them from raw DDL, named by PostgreSQL). Likewise for the
//    other kinds, where SQLAlchemy too leaves the name to PostgreSQL.
//  - Names longer than 63 characters that no template makes (explicit
//    ones, table names): SQLAlchemy refuses them; PostgreSQL cuts them.
//
// Left as PostgreSQL names them, with why:
//  - EXCLUDE constraints: SQLAlchemy's ExcludeConstraint has no convention
//    key, so SQLAlchemy leaves them unnamed too.
//  - CREATE TABLE ... PARTITION OF, CREATE FOREIGN TABLE, CREATE DOMAIN ...
//    CHECK: SQLAlchemy 1.4 has no Table or type for them; a SQLAlchemy
//    project creates them with raw DDL, so PostgreSQL names them there too.
//  - ALTER TABLE ... ADD PRIMARY KEY / UNIQUE USING INDEX: the constraint
//    takes the index's name.
//  - NOT NULL (not a named constraint in PostgreSQL 15).
// Refused with an error naming file:line:
//  - A statement referring by its old name to a constraint or index whose
//    explicit name a "constraint_name" template replaced earlier in the
//    file (COMMENT ON CONSTRAINT/INDEX, ALTER INDEX, DROP INDEX, CLUSTER,
//    ALTER TABLE ... VALIDATE/ALTER/DROP CONSTRAINT, CLUSTER ON, REPLICA
//    IDENTITY / ADD ... USING INDEX): the database would say it does not
//    exist.
//  - CREATE TABLE ... (LIKE t INCLUDING INDEXES / CONSTRAINTS / ALL) while
//    a template applies to what it copies: PostgreSQL names the copies.
#ifndef RETORT_AUTOGEN_NAMING_H_
#define RETORT_AUTOGEN_NAMING_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"

namespace retort {

// The kinds of object a convention names, by SQLAlchemy's convention key.
enum class NamingKind { kPrimaryKey, kForeignKey, kUnique, kIndex, kCheck };

// "pk", "fk", "uq", "ix", "ck".
const char* NamingKey(NamingKind kind);

// NamingConvention is the [naming] table: one SQLAlchemy template per kind,
// "" when that kind is left to PostgreSQL.
struct NamingConvention {
  std::string pk;
  std::string fk;
  std::string uq;
  std::string ix;
  std::string ck;

  bool empty() const {
    return pk.empty() && fk.empty() && uq.empty() && ix.empty() && ck.empty();
  }
  const std::string& Template(NamingKind kind) const;
};

// The [naming] keys and values as read from retort.toml. Unknown keys,
// unknown tokens and malformed % sequences fail with `where` (e.g.
// "retort.toml:12") in front: `retort.toml:12: [naming] ix =
// "ix_%(column_0_lable)s": unknown token %(column_0_lable)s; did you mean
// %(column_0_label)s?`. An empty value leaves that kind unset.
Result<NamingConvention> MakeNamingConvention(
    const std::map<std::string, std::string>& keys, const std::string& where);

// Checks one template for `kind` (what MakeNamingConvention does per key);
// the message has no location: `ix = "...": unknown token %(x)s`.
Status ValidateNamingTemplate(NamingKind kind, std::string_view tmpl);

// NamingSubject is one constraint or index as SQLAlchemy's naming sees it.
struct NamingSubject {
  NamingKind kind = NamingKind::kPrimaryKey;
  // The table's schema as written ("" when unqualified) and name.
  std::string schema;
  std::string table;
  // The columns SQLAlchemy's object holds, in its order; for a foreign key
  // the referring columns.
  std::vector<std::string> columns;
  // Not empty when SQLAlchemy's columns past `columns` cannot be known from
  // the SQL: why, for the error a column token there gets.
  std::string columns_unknown;
  // Foreign keys: the referred table (schema as written) and columns.
  std::string referred_schema;
  std::string referred_table;
  std::vector<std::string> referred_columns;
  // Not empty when the referred columns are not known (REFERENCES t with no
  // column list and no primary key of t in sight): why.
  std::string referred_columns_unknown;
  // The explicit name, if any.
  std::optional<std::string> name;
};

// The longest identifier SQLAlchemy's PostgreSQL dialect emits.
inline constexpr size_t kPostgresMaxIdentifierLength = 63;

// The name SQLAlchemy 1.4 gives `subject` under `naming`, truncated as its
// DDL compiler does; nullopt when the convention leaves the name as it is
// (no template for the kind, or an explicit name and a template without
// "constraint_name"). Errors say why SQLAlchemy could not name it or why
// its name cannot be known from SQL.
Result<std::optional<std::string>> ConventionName(
    const NamingConvention& naming, const NamingSubject& subject,
    size_t max_identifier_length = kPostgresMaxIdentifierLength);

// SQLAlchemy's truncation of a convention-made name longer than `max`
// characters: first max-8 characters + "_" + last 4 hex digits of its MD5.
std::string TruncateConventionName(const std::string& name, size_t max);

// `name` as a PostgreSQL identifier: bare when PostgreSQL would read it
// back unchanged (lower case letters, digits, "_", not a keyword), else
// double-quoted.
std::string QuotePostgresIdentifier(const std::string& name);

// The model file `sql` (named `path` in errors) with the constraints and
// indexes it defines named by `naming` (see the file comment): "CONSTRAINT
// <name> " inserted before each unnamed constraint, "<name> " before ON of
// each unnamed CREATE INDEX, and explicit names replaced where a
// "constraint_name" template applies. Every line stays where it was.
// Errors name the file and line: "models/shop.sql:7: ...". An empty
// convention returns `sql` unchanged without parsing it.
Result<std::string> ApplyNamingConvention(std::string_view sql,
                                          const std::string& path,
                                          const NamingConvention& naming);

}  // namespace retort

#endif  // RETORT_AUTOGEN_NAMING_H_
