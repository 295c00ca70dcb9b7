// The differential test of the [naming] conventions against SQLAlchemy
// itself: a corpus of tables, each written twice -- as SQLAlchemy Tables on
// a MetaData(naming_convention=...) and as plain SQL without names -- is
// named by Debian's SQLAlchemy 1.4 (create_all on a mock PostgreSQL
// engine, the DDL compiled as its PostgreSQL dialect emits it) and by
// ApplyNamingConvention, under several conventions. The names of every
// constraint and index are read back from both DDL texts with libpg_query
// and must be the same; where SQLAlchemy refuses (a %(constraint_name)s
// template on an unnamed constraint, a dotted referred table) retort must
// refuse too. A second test runs both on the harness's PostgreSQL server
// and compares the names its catalog ends up with.
#include <gtest/gtest.h>
#include <pg_query.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "autogen/naming.h"
#include "pg_harness.h"
#include "runtime_util.h"
#include "util/temp_dir.h"

namespace retort {
namespace {

using json = nlohmann::json;

// NamingCase is one entry of the corpus: the same tables in SQL (what a
// model file holds) and as the body of a Python function `build(m)` that
// defines them on MetaData `m`.
struct NamingCase {
  std::string name;
  std::string sql;
  std::string python;
};

// A convention of the differential run, by name.
struct NamedConvention {
  std::string name;
  NamingConvention naming;
};

std::vector<NamedConvention> Conventions() {
  std::vector<NamedConvention> out;
  {
    // SQLAlchemy's documentation's recommendation.
    NamingConvention n;
    n.pk = "pk_%(table_name)s";
    n.fk = "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s";
    n.uq = "uq_%(table_name)s_%(column_0_name)s";
    n.ix = "ix_%(column_0_label)s";
    n.ck = "ck_%(table_name)s_%(constraint_name)s";
    out.push_back({"recommended", n});
  }
  {
    // Every token form (CHECKs get no column token: see the file comment of
    // naming.h for why that is refused rather than guessed).
    NamingConvention n;
    n.pk = "pk_%(table_name)s_%(column_0N_name)s";
    n.fk =
        "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s_"
        "%(referred_column_0N_name)s";
    n.uq = "uq_%(column_0_N_label)s_%(column_1_key)s";
    n.ix = "ix_%(table_name)s_%(column_0N_label)s_%(column_2_name)s";
    n.ck = "ck_%(table_name)s";
    out.push_back({"tokens", n});
  }
  {
    // Explicit names rewritten: %(constraint_name)s wherever SQLAlchemy
    // allows it (a pk template with it fails on every Table in SQLAlchemy).
    NamingConvention n;
    n.pk = "pk_%(table_name)s";
    n.fk = "fk_%(constraint_name)s_%(referred_column_0_name)s";
    n.uq = "uq_%(table_name)s_%(constraint_name)s";
    n.ix = "%(constraint_name)s_ix";
    n.ck = "ck_%(table_name)s_%(constraint_name)s";
    out.push_back({"explicit", n});
  }
  {
    // Long enough to truncate nearly everything.
    NamingConvention n;
    n.pk = "primary_key_of_%(table_name)s_on_%(column_0_N_name)s";
    n.fk =
        "foreign_key_from_%(column_0_N_label)s_to_%(referred_table_name)s_"
        "%(referred_column_0_N_name)s";
    n.uq = "unique_constraint_%(table_name)s_%(column_0_N_name)s";
    n.ix = "index_%(column_0_N_label)s_%(column_1_label)s";
    n.ck = "check_constraint_of_the_table_named_%(table_name)s_number";
    out.push_back({"long", n});
  }
  {
    // "constraint_name" as literal text: SQLAlchemy tests the substring, so
    // explicit names are replaced even without the token.
    NamingConvention n;
    n.ck = "ck_%(table_name)s_constraint_name";
    n.uq = "uq_%(column_0_key)s_%%_constraint_names";
    // (Without an ix template SQLAlchemy cannot create an unnamed Index at
    // all; retort leaves such indexes to PostgreSQL.)
    n.ix = "ix_%(column_0_name)s_constraint_name";
    out.push_back({"literal", n});
  }
  {
    // SQLAlchemy's default (MetaData() without a convention): indexes only.
    NamingConvention n;
    n.ix = "ix_%(column_0_label)s";
    out.push_back({"default", n});
  }
  return out;
}

std::vector<NamingCase> Corpus() {
  std::vector<NamingCase> cases;
  cases.push_back({"users", R"sql(
CREATE TABLE users (
  id integer PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  age integer CONSTRAINT age_positive CHECK (age > 0)
);
CREATE INDEX ON users (name);
CREATE UNIQUE INDEX ON users (lower(email));
)sql",
                   R"py(
users = Table("users", m,
    Column("id", Integer, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text),
    Column("age", Integer, CheckConstraint("age > 0", name="age_positive")))
Index(None, users.c.name)
Index(None, func.lower(users.c.email), unique=True)
)py"});
  cases.push_back({"orders", R"sql(
CREATE TABLE customers (
  id integer PRIMARY KEY,
  region text,
  code integer,
  UNIQUE (region, code)
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  region text,
  code integer,
  FOREIGN KEY (region, code) REFERENCES customers (region, code),
  CONSTRAINT id_positive CHECK (id > 0)
);
)sql",
                   R"py(
Table("customers", m,
    Column("id", Integer, primary_key=True),
    Column("region", Text),
    Column("code", Integer),
    UniqueConstraint("region", "code"))
Table("orders", m,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("region", Text),
    Column("code", Integer),
    ForeignKeyConstraint(["region", "code"],
                         ["customers.region", "customers.code"]),
    CheckConstraint("id > 0", name="id_positive"))
)py"});
  cases.push_back({"self_reference", R"sql(
CREATE TABLE nodes (
  tree integer,
  id integer,
  parent integer,
  PRIMARY KEY (tree, id),
  FOREIGN KEY (tree, parent) REFERENCES nodes (tree, id)
);
CREATE TABLE staff (
  id integer PRIMARY KEY,
  manager_id integer REFERENCES staff (id)
);
)sql",
                   R"py(
Table("nodes", m,
    Column("tree", Integer),
    Column("id", Integer),
    Column("parent", Integer),
    PrimaryKeyConstraint("tree", "id"),
    ForeignKeyConstraint(["tree", "parent"], ["nodes.tree", "nodes.id"]))
Table("staff", m,
    Column("id", Integer, primary_key=True),
    Column("manager_id", Integer, ForeignKey("staff.id")))
)py"});
  cases.push_back({"cross_schema", R"sql(
CREATE TABLE auth.accounts (
  id integer PRIMARY KEY,
  login text UNIQUE
);
CREATE TABLE billing.invoices (
  id integer PRIMARY KEY,
  account_id integer REFERENCES auth.accounts (id),
  number text,
  UNIQUE (account_id, number)
);
CREATE INDEX ON billing.invoices (account_id);
CREATE INDEX ON billing.invoices (number, account_id);
)sql",
                   R"py(
Table("accounts", m,
    Column("id", Integer, primary_key=True),
    Column("login", Text, unique=True),
    schema="auth")
invoices = Table("invoices", m,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("auth.accounts.id")),
    Column("number", Text),
    UniqueConstraint("account_id", "number"),
    schema="billing")
Index(None, invoices.c.account_id)
Index(None, invoices.c.number, invoices.c.account_id)
)py"});
  cases.push_back({"schema_multi_column_fk", R"sql(
CREATE TABLE geo.regions (
  country text,
  code text,
  PRIMARY KEY (country, code)
);
CREATE TABLE geo.cities (
  id integer PRIMARY KEY,
  country text,
  region text,
  FOREIGN KEY (country, region) REFERENCES geo.regions (country, code)
);
CREATE INDEX ON geo.cities (region, country);
)sql",
                   R"py(
Table("regions", m,
    Column("country", Text),
    Column("code", Text),
    PrimaryKeyConstraint("country", "code"),
    schema="geo")
cities = Table("cities", m,
    Column("id", Integer, primary_key=True),
    Column("country", Text),
    Column("region", Text),
    ForeignKeyConstraint(["country", "region"],
                         ["geo.regions.country", "geo.regions.code"]),
    schema="geo")
Index(None, cities.c.region, cities.c.country)
)py"});
  cases.push_back({"long_names", R"sql(
CREATE TABLE subscription_entitlements_with_a_rather_long_name (
  entitlement_identifier integer PRIMARY KEY
);
CREATE TABLE customer_subscription_entitlement_assignments_history (
  assignment_identifier integer PRIMARY KEY,
  entitlement_identifier_reference_column integer
    REFERENCES subscription_entitlements_with_a_rather_long_name
      (entitlement_identifier),
  effective_period_start_timestamp timestamp UNIQUE,
  CONSTRAINT effective_period_must_start_after_the_epoch
    CHECK (effective_period_start_timestamp > '1970-01-01')
);
CREATE INDEX ON customer_subscription_entitlement_assignments_history
  (entitlement_identifier_reference_column, effective_period_start_timestamp);
)sql",
                   R"py(
Table("subscription_entitlements_with_a_rather_long_name", m,
    Column("entitlement_identifier", Integer, primary_key=True))
h = Table("customer_subscription_entitlement_assignments_history", m,
    Column("assignment_identifier", Integer, primary_key=True),
    Column("entitlement_identifier_reference_column", Integer,
           ForeignKey("subscription_entitlements_with_a_rather_long_name"
                      ".entitlement_identifier")),
    Column("effective_period_start_timestamp", DateTime, unique=True),
    CheckConstraint("effective_period_start_timestamp > '1970-01-01'",
                    name="effective_period_must_start_after_the_epoch"))
Index(None, h.c.entitlement_identifier_reference_column,
      h.c.effective_period_start_timestamp)
)py"});
  {
    // Names right at SQLAlchemy's limit: "pk_" + 60 characters is 63 (kept),
    // + 61 is 64 (cut); the index label likewise.
    const std::string t60 = "edge_" + std::string(55, 'x');
    const std::string t61 = "edge_" + std::string(56, 'y');
    const std::string t57 = "edge_" + std::string(52, 'z');
    cases.push_back(
        {"limits",
         "CREATE TABLE " + t60 + " (id integer PRIMARY KEY);\n" +
             "CREATE TABLE " + t61 + " (id integer PRIMARY KEY);\n" +
             "CREATE TABLE " + t57 +
             " (id integer, ab integer UNIQUE, "
             "abc integer);\n" +
             "CREATE INDEX ON " + t57 + " (ab);\nCREATE INDEX ON " + t57 +
             " (abc);\n",
         "Table(\"" + t60 +
             "\", m, Column(\"id\", Integer, primary_key=True))\n" +
             "Table(\"" + t61 +
             "\", m, Column(\"id\", Integer, primary_key=True))\n" +
             "t = Table(\"" + t57 + "\", m, Column(\"id\", Integer), " +
             "Column(\"ab\", Integer, unique=True), Column(\"abc\", "
             "Integer))\n" +
             "Index(None, t.c.ab)\nIndex(None, t.c.abc)\n"});
  }
  {
    // A column name longer than PostgreSQL's 63 bytes: PostgreSQL cuts it,
    // SQLAlchemy names from all of it.
    const std::string column = "a_column_name_" + std::string(60, 'w');
    cases.push_back(
        {"long_column",
         "CREATE TABLE wide (id integer PRIMARY KEY, " + column +
             " text UNIQUE);\nCREATE INDEX ON wide (" + column + ");\n",
         "w = Table(\"wide\", m, Column(\"id\", Integer, primary_key=True), "
         "Column(\"" +
             column + "\", Text, unique=True))\nIndex(None, w.c." + column +
             ")\n"});
  }
  cases.push_back({"quoted", R"sql(
CREATE TABLE "Accounts" (
  "Id" integer PRIMARY KEY,
  "Email" text UNIQUE,
  Plain text UNIQUE
);
CREATE INDEX ON "Accounts" ("Email", Plain);
)sql",
                   R"py(
a = Table("Accounts", m,
    Column("Id", Integer, primary_key=True),
    Column("Email", Text, unique=True),
    Column("plain", Text, unique=True))
Index(None, a.c.Email, a.c.plain)
)py"});
  cases.push_back({"reserved_words", R"sql(
CREATE TABLE "user" (
  "order" integer PRIMARY KEY,
  "select" text UNIQUE,
  "group" integer REFERENCES "user" ("order")
);
CREATE INDEX ON "user" ("group");
)sql",
                   R"py(
u = Table("user", m,
    Column("order", Integer, primary_key=True),
    Column("select", Text, unique=True),
    Column("group", Integer, ForeignKey("user.order")))
Index(None, u.c.group)
)py"});
  cases.push_back({"checks", R"sql(
CREATE TABLE prices (
  amount numeric CHECK (amount >= 0),
  currency text CONSTRAINT currency_iso CHECK (length(currency) = 3),
  CHECK (amount < 1000000)
);
)sql",
                   R"py(
Table("prices", m,
    Column("amount", Numeric, CheckConstraint("amount >= 0")),
    Column("currency", Text,
           CheckConstraint("length(currency) = 3", name="currency_iso")),
    CheckConstraint("amount < 1000000"))
)py"});
  cases.push_back({"named_checks", R"sql(
CREATE TABLE rates (
  id integer PRIMARY KEY,
  pct numeric CONSTRAINT pct_range CHECK (pct BETWEEN 0 AND 100),
  CONSTRAINT rates_sane CHECK (id <> 0),
  CONSTRAINT audit_identifier_must_be_positive_and_reasonably_small CHECK (id < 1000000000)
);
)sql",
                   R"py(
Table("rates", m,
    Column("id", Integer, primary_key=True),
    Column("pct", Numeric,
           CheckConstraint("pct BETWEEN 0 AND 100", name="pct_range")),
    CheckConstraint("id <> 0", name="rates_sane"),
    CheckConstraint(
        "id < 1000000000",
        name="audit_identifier_must_be_positive_and_reasonably_small"))
)py"});
  cases.push_back({"indexes", R"sql(
CREATE TABLE events (
  id integer PRIMARY KEY,
  kind text,
  payload jsonb,
  created_at timestamp,
  deleted boolean
);
CREATE INDEX ON events (kind) WHERE NOT deleted;
CREATE INDEX ON events ((payload ->> 'type'));
CREATE UNIQUE INDEX ON events (kind, created_at DESC);
CREATE INDEX ON events USING gin (payload);
CREATE INDEX ON events (date_trunc('day', created_at), kind);
CREATE INDEX ON events (kind, kind, created_at);
CREATE INDEX ON events (created_at) INCLUDE (kind);
)sql",
                   R"py(
ev = Table("events", m,
    Column("id", Integer, primary_key=True),
    Column("kind", Text),
    Column("payload", JSONB),
    Column("created_at", DateTime),
    Column("deleted", Boolean))
Index(None, ev.c.kind, postgresql_where=~ev.c.deleted)
Index(None, ev.c.payload["type"].astext)
Index(None, ev.c.kind, ev.c.created_at.desc(), unique=True)
Index(None, ev.c.payload, postgresql_using="gin")
Index(None, func.date_trunc("day", ev.c.created_at), ev.c.kind)
Index(None, ev.c.kind, ev.c.kind, ev.c.created_at)
Index(None, ev.c.created_at, postgresql_include=["kind"])
)py"});
  cases.push_back({"alter_table", R"sql(
CREATE TABLE owners (id integer PRIMARY KEY);
CREATE TABLE tags (id integer, label text, owner integer);
ALTER TABLE tags ADD PRIMARY KEY (id);
ALTER TABLE tags ADD UNIQUE (label);
ALTER TABLE tags ADD FOREIGN KEY (owner) REFERENCES owners (id);
ALTER TABLE tags ADD CONSTRAINT label_length CHECK (length(label) < 50);
ALTER TABLE ONLY tags ADD COLUMN slug text UNIQUE,
  ADD COLUMN rank integer CHECK (rank > 0);
)sql",
                   R"py(
Table("owners", m, Column("id", Integer, primary_key=True))
Table("tags", m,
    Column("id", Integer),
    Column("label", Text),
    Column("owner", Integer),
    Column("slug", Text, unique=True),
    Column("rank", Integer, CheckConstraint("rank > 0")),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("label"),
    ForeignKeyConstraint(["owner"], ["owners.id"]),
    CheckConstraint("length(label) < 50", name="label_length"))
)py"});
  cases.push_back({"references_primary_key", R"sql(
CREATE TABLE authors (id integer, PRIMARY KEY (id));
CREATE TABLE books (
  id integer PRIMARY KEY,
  author_id integer REFERENCES authors
);
CREATE TABLE pairs (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (x integer, y integer, FOREIGN KEY (x, y) REFERENCES pairs);
)sql",
                   R"py(
Table("authors", m, Column("id", Integer), PrimaryKeyConstraint("id"))
Table("books", m,
    Column("id", Integer, primary_key=True),
    Column("author_id", Integer, ForeignKey("authors.id")))
Table("pairs", m, Column("a", Integer), Column("b", Integer),
      PrimaryKeyConstraint("a", "b"))
Table("pair_refs", m, Column("x", Integer), Column("y", Integer),
      ForeignKeyConstraint(["x", "y"], ["pairs.a", "pairs.b"]))
)py"});
  cases.push_back({"create_schema", R"sql(
CREATE SCHEMA inventory
  CREATE TABLE items (sku text PRIMARY KEY, name text UNIQUE)
  CREATE TABLE stock (sku text REFERENCES items (sku), qty integer)
  CREATE INDEX ON items (name);
)sql",
                   R"py(
event.listen(m, "before_create", DDL("CREATE SCHEMA inventory"))
items = Table("items", m,
    Column("sku", Text, primary_key=True),
    Column("name", Text, unique=True),
    schema="inventory")
Table("stock", m,
    Column("sku", Text, ForeignKey("inventory.items.sku")),
    Column("qty", Integer),
    schema="inventory")
Index(None, items.c.name)
)py"});
  cases.push_back({"explicit_names", R"sql(
CREATE TABLE ledgers (
  id integer CONSTRAINT ledger_key PRIMARY KEY,
  code text CONSTRAINT ledger_code UNIQUE,
  parent integer CONSTRAINT ledger_parent REFERENCES ledgers (id),
  CONSTRAINT ledger_code_not_empty CHECK (code <> ''),
  CONSTRAINT "Ledger Pair" UNIQUE (code, parent)
);
CREATE INDEX ledger_by_parent ON ledgers (parent);
CREATE UNIQUE INDEX "LedgerUpper" ON ledgers (upper(code));
)sql",
                   R"py(
l = Table("ledgers", m,
    Column("id", Integer),
    Column("code", Text),
    Column("parent", Integer),
    PrimaryKeyConstraint("id", name="ledger_key"),
    UniqueConstraint("code", name="ledger_code"),
    ForeignKeyConstraint(["parent"], ["ledgers.id"], name="ledger_parent"),
    CheckConstraint("code <> ''", name="ledger_code_not_empty"),
    UniqueConstraint("code", "parent", name="Ledger Pair"))
Index("ledger_by_parent", l.c.parent)
Index("LedgerUpper", func.upper(l.c.code), unique=True)
)py"});
  cases.push_back({"long_explicit_names", R"sql(
CREATE TABLE audit (
  id integer PRIMARY KEY,
  ref integer,
  CONSTRAINT audit_identifier_must_be_positive_and_reasonably_small_value
    CHECK (id > 0),
  CONSTRAINT audit_reference_must_be_unique_across_the_whole_audit_table
    UNIQUE (ref)
);
CREATE INDEX audit_lookup_by_reference_for_the_nightly_reconciliation_job
  ON audit (ref);
)sql",
                   R"py(
a = Table("audit", m,
    Column("id", Integer, primary_key=True),
    Column("ref", Integer),
    CheckConstraint(
        "id > 0",
        name="audit_identifier_must_be_positive_and_reasonably_small_value"),
    UniqueConstraint(
        "ref",
        name="audit_reference_must_be_unique_across_the_whole_audit_table"))
Index("audit_lookup_by_reference_for_the_nightly_reconciliation_job", a.c.ref)
)py"});
  cases.push_back({"partitioned_parent", R"sql(
CREATE TABLE measurements (
  city integer,
  logdate date,
  PRIMARY KEY (city, logdate)
) PARTITION BY RANGE (logdate);
CREATE INDEX ON measurements (logdate);
)sql",
                   R"py(
ms = Table("measurements", m,
    Column("city", Integer),
    Column("logdate", Date),
    PrimaryKeyConstraint("city", "logdate"),
    postgresql_partition_by="RANGE (logdate)")
Index(None, ms.c.logdate)
)py"});
  cases.push_back({"non_ascii", R"sql(
CREATE TABLE "größen" (
  "maß" integer PRIMARY KEY,
  "äußerst_langer_spaltenname_mit_umlauten_äöü_und_noch_viel_mehr_text" text UNIQUE,
  "ökonomie" integer REFERENCES "größen" ("maß")
);
CREATE INDEX ON "größen" ("ökonomie");
)sql",
                   R"py(
g = Table("größen", m,
    Column("maß", Integer, primary_key=True),
    Column("äußerst_langer_spaltenname_mit_umlauten_äöü_und_noch_viel_mehr_text",
           Text, unique=True),
    Column("ökonomie", Integer, ForeignKey("größen.maß")))
Index(None, g.c["ökonomie"])
)py"});
  cases.push_back({"options", R"sql(
CREATE TABLE people (id integer PRIMARY KEY);
CREATE TABLE sessions (
  token text,
  user_id integer REFERENCES people (id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (token, user_id) DEFERRABLE
);
)sql",
                   R"py(
Table("people", m, Column("id", Integer, primary_key=True))
Table("sessions", m,
    Column("token", Text),
    Column("user_id", Integer,
           ForeignKey("people.id", ondelete="CASCADE", deferrable=True,
                      initially="DEFERRED")),
    UniqueConstraint("token", "user_id", deferrable=True))
)py"});
  cases.push_back({"column_order", R"sql(
CREATE TABLE ordered (
  a integer,
  b integer,
  c integer,
  amount numeric,
  PRIMARY KEY (b, a),
  UNIQUE (c, b, a)
);
CREATE INDEX ON ordered (c);
CREATE UNIQUE INDEX ON ordered (a);
CREATE INDEX ON ordered ((amount * 100), b);
CREATE INDEX ON ordered (b, a) WHERE c > 0;
)sql",
                   R"py(
o = Table("ordered", m,
    Column("a", Integer, unique=True, index=True),
    Column("b", Integer),
    Column("c", Integer, index=True),
    Column("amount", Numeric),
    PrimaryKeyConstraint("b", "a"),
    UniqueConstraint("c", "b", "a"))
Index(None, o.c.amount * 100, o.c.b)
Index(None, o.c.b, o.c.a, postgresql_where=o.c.c > 0)
)py"});
  cases.push_back({"exclude", R"sql(
CREATE TABLE bookings (
  id integer PRIMARY KEY,
  room integer,
  during tsrange,
  EXCLUDE USING gist (during WITH &&)
);
)sql",
                   R"py(
Table("bookings", m,
    Column("id", Integer, primary_key=True),
    Column("room", Integer),
    Column("during", TSRANGE),
    ExcludeConstraint(("during", "&&"), using="gist"))
)py"});
  cases.push_back({"dotted_schema", R"sql(
CREATE TABLE "a.b".things (x integer UNIQUE, y integer);
CREATE INDEX ON "a.b".things (y);
)sql",
                   R"py(
t = Table("things", m,
    Column("x", Integer, unique=True),
    Column("y", Integer),
    schema="a.b")
Index(None, t.c.y)
)py"});
  // SQLAlchemy fails on the dots of "a.b.things.x" for
  // %(referred_table_name)s; so must retort.
  cases.push_back({"dotted_reference", R"sql(
CREATE TABLE "a.b".things (x integer UNIQUE);
CREATE TABLE pointers (x integer REFERENCES "a.b".things (x));
)sql",
                   R"py(
Table("things", m, Column("x", Integer, unique=True), schema="a.b")
Table("pointers", m, Column("x", Integer, ForeignKey("a.b.things.x")))
)py"});
  return cases;
}

// The constraints and indexes a DDL script names, as "table KIND name"
// lines ("(unnamed)" when it names none), read with libpg_query.
class NameCollector {
 public:
  // `undouble_percents`: SQLAlchemy's psycopg2 dialect writes "%" as "%%"
  // in the DDL text (its paramstyle is pyformat), and the driver turns it
  // back into "%" when it runs the DDL.
  explicit NameCollector(bool undouble_percents)
      : undouble_percents_(undouble_percents) {}

  // Adds the names of `sql`; false (with the parser's message in *error)
  // when it does not parse.
  bool Add(const std::string& sql, std::string* error) {
    PgQueryParseResult result = pg_query_parse(sql.c_str());
    if (result.error != nullptr) {
      *error = std::string(result.error->message) + " in: " + sql;
      pg_query_free_parse_result(result);
      return false;
    }
    json tree = json::parse(result.parse_tree);
    pg_query_free_parse_result(result);
    for (const json& raw : tree.value("stmts", json::array())) {
      Statement(raw.value("stmt", json::object()), "");
    }
    return true;
  }

  std::vector<std::string> Sorted() const {
    std::vector<std::string> out = names_;
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  static std::string Table(const json& range_var, const std::string& schema) {
    std::string s = range_var.value("schemaname", schema);
    return (s.empty() ? "" : s + ".") + range_var.value("relname", "");
  }

  void Statement(const json& stmt, const std::string& schema) {
    if (stmt.contains("CreateSchemaStmt")) {
      const json& body = stmt["CreateSchemaStmt"];
      for (const json& e : body.value("schemaElts", json::array())) {
        Statement(e, body.value("schemaname", ""));
      }
    } else if (stmt.contains("CreateStmt")) {
      const json& body = stmt["CreateStmt"];
      std::string table = Table(body["relation"], schema);
      for (const json& e : body.value("tableElts", json::array())) {
        if (e.contains("ColumnDef")) {
          for (const json& c :
               e["ColumnDef"].value("constraints", json::array())) {
            Constraint(table, c);
          }
        } else {
          Constraint(table, e);
        }
      }
    } else if (stmt.contains("IndexStmt")) {
      const json& body = stmt["IndexStmt"];
      Push(Table(body["relation"], schema), "INDEX",
           body.value("idxname", "(unnamed)"));
    } else if (stmt.contains("AlterTableStmt")) {
      const json& body = stmt["AlterTableStmt"];
      std::string table = Table(body["relation"], schema);
      for (const json& item : body.value("cmds", json::array())) {
        const json& def =
            item.value("AlterTableCmd", json::object()).value("def", json());
        if (def.contains("ColumnDef")) {
          for (const json& c :
               def["ColumnDef"].value("constraints", json::array())) {
            Constraint(table, c);
          }
        } else {
          Constraint(table, def);
        }
      }
    }
  }

  void Constraint(const std::string& table, const json& node) {
    if (!node.is_object() || !node.contains("Constraint")) return;
    const json& c = node["Constraint"];
    static const std::map<std::string, std::string> kKinds = {
        {"CONSTR_PRIMARY", "PRIMARY KEY"},
        {"CONSTR_UNIQUE", "UNIQUE"},
        {"CONSTR_FOREIGN", "FOREIGN KEY"},
        {"CONSTR_CHECK", "CHECK"},
        {"CONSTR_EXCLUSION", "EXCLUDE"}};
    auto kind = kKinds.find(c.value("contype", ""));
    if (kind == kKinds.end()) return;
    Push(table, kind->second, c.value("conname", "(unnamed)"));
  }

  void Push(const std::string& table, const std::string& kind,
            std::string name) {
    for (size_t at = 0;
         undouble_percents_ && (at = name.find("%%", at)) != std::string::npos;
         ++at) {
      name.erase(at, 1);
    }
    names_.push_back(table + " " + kind + " " + name);
  }

  bool undouble_percents_;
  std::vector<std::string> names_;
};

std::string Indent(const std::string& body) {
  std::istringstream in(body);
  std::string out, line;
  while (std::getline(in, line)) out += "    " + line + "\n";
  return out + "    pass\n";
}

std::string PythonString(const std::string& s) { return json(s).dump(); }

// The script: for each convention and case, SQLAlchemy's DDL or its error,
// as JSON in argv[1].
// The constraints and indexes of a database's own schemas, as
// "schema.table <contype|index> name" lines.
constexpr char kCatalogQuery[] =
    "SELECT n.nspname || '.' || c.relname || ' ' || con.contype::text || ' ' "
    "|| con.conname FROM pg_constraint con JOIN pg_class c ON c.oid = "
    "con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
    "UNION ALL SELECT schemaname || '.' || tablename || ' index ' || "
    "indexname FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', "
    "'information_schema', 'pg_toast') ORDER BY 1";

std::string Script(const std::vector<NamedConvention>& conventions,
                   const std::vector<NamingCase>& cases) {
  std::string script =
      "import json, sys, warnings\n"
      "warnings.simplefilter('ignore')\n"
      "import sqlalchemy\n"
      "from sqlalchemy import *\n"
      "from sqlalchemy import DDL, create_engine, create_mock_engine, "
      "event, text\n"
      "from sqlalchemy.dialects.postgresql import JSONB, TSRANGE, "
      "ExcludeConstraint\n"
      "assert sqlalchemy.__version__.startswith('1.4'), "
      "sqlalchemy.__version__\n";
  json conventions_json = json::array();
  for (const NamedConvention& c : conventions) {
    json keys = json::object();
    for (NamingKind kind :
         {NamingKind::kPrimaryKey, NamingKind::kForeignKey, NamingKind::kUnique,
          NamingKind::kIndex, NamingKind::kCheck}) {
      const std::string& t = c.naming.Template(kind);
      if (!t.empty()) keys[NamingKey(kind)] = t;
    }
    conventions_json.push_back(json::array({c.name, keys}));
  }
  script += "CONVENTIONS = json.loads(" +
            PythonString(conventions_json.dump()) + ")\n";
  script += "CATALOG = " + PythonString(kCatalogQuery) + "\n";
  script += "CASES = []\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    script += "def case_" + std::to_string(i) + "(m):\n" +
              Indent(cases[i].python) + "CASES.append((" +
              PythonString(cases[i].name) + ", case_" + std::to_string(i) +
              "))\n";
  }
  script += R"py(
# With a database URL: create_all on the database, in a transaction rolled
# back after reading the names from the catalog. Without: the DDL as the
# PostgreSQL dialect compiles it, on a mock engine.
database = create_engine(sys.argv[2], future=True) if len(sys.argv) > 2 else None
results = []
for conv_name, conv in CONVENTIONS:
    for case_name, build in CASES:
        m = MetaData(naming_convention=conv)
        ddl = []
        def dump(sql, *multiparams, **params):
            ddl.append(str(sql.compile(dialect=engine.dialect)))
        engine = create_mock_engine("postgresql://", dump)
        entry = {"convention": conv_name, "case": case_name}
        try:
            build(m)
            if database is None:
                m.create_all(engine, checkfirst=False)
                entry["ddl"] = ddl
            else:
                with database.connect() as conn:
                    conn.begin()
                    try:
                        m.create_all(conn, checkfirst=False)
                        entry["catalog"] = [
                            row[0] for row in conn.execute(text(CATALOG))]
                    finally:
                        conn.rollback()
        except Exception as e:
            entry["error"] = type(e).__name__ + ": " + str(e).split("\n")[0]
        results.append(entry)
with open(sys.argv[1], "w") as out:
    json.dump(results, out)
)py";
  return script;
}

// SQLAlchemy's outcome for every convention and case, by (convention,
// case): its DDL on a mock engine, or with `database_url` the names its
// create_all left in that database.
using SqlalchemyResults = std::map<std::pair<std::string, std::string>, json>;

SqlalchemyResults RunSqlalchemy(const std::vector<NamedConvention>& conventions,
                                const std::vector<NamingCase>& cases,
                                const std::string& database_url = "") {
  SqlalchemyResults by_key;
  auto dir = TempDir::Create("retort-naming-");
  EXPECT_TRUE(dir.ok()) << dir.status().message();
  if (!dir.ok()) return by_key;
  const std::string script_path = (*dir)->path() + "/names.py";
  const std::string out_path = (*dir)->path() + "/names.json";
  {
    std::ofstream script(script_path);
    script << Script(conventions, cases);
  }
  std::string output;
  std::string command = "/usr/bin/python3 " + script_path + " " + out_path;
  if (!database_url.empty()) command += " '" + database_url + "'";
  EXPECT_EQ(testing::Shell(command, &output), 0) << output;
  std::ifstream in(out_path);
  json results = json::parse(in, nullptr, false);
  EXPECT_TRUE(results.is_array()) << "cannot read " << out_path << output;
  if (!results.is_array()) return by_key;
  EXPECT_EQ(results.size(), conventions.size() * cases.size());
  for (json& r : results) {
    std::pair<std::string, std::string> key(r["convention"].get<std::string>(),
                                            r["case"].get<std::string>());
    by_key[key] = std::move(r);
  }
  return by_key;
}

TEST(NamingSqlalchemyTest, NamesMatchSqlalchemy) {
  const std::vector<NamedConvention> conventions = Conventions();
  const std::vector<NamingCase> cases = Corpus();
  const SqlalchemyResults by_key = RunSqlalchemy(conventions, cases);
  ASSERT_EQ(by_key.size(), conventions.size() * cases.size());

  int compared_names = 0, both_refused = 0;
  // Constraints and indexes per case (the most any convention names).
  std::map<std::string, size_t> objects;
  for (const NamedConvention& convention : conventions) {
    for (const NamingCase& c : cases) {
      SCOPED_TRACE("convention " + convention.name + ", case " + c.name);
      const json& sa = by_key.at({convention.name, c.name});
      auto ours = ApplyNamingConvention(c.sql, "models/" + c.name + ".sql",
                                        convention.naming);
      if (sa.contains("error")) {
        EXPECT_FALSE(ours.ok())
            << "SQLAlchemy refuses (" << sa["error"].get<std::string>()
            << ") but retort names them:\n"
            << *ours;
        if (ours.ok()) continue;
        ++both_refused;
        // For the same reason.
        const std::string theirs = sa["error"].get<std::string>();
        const std::string& mine = ours.status().message();
        if (theirs.find("%(constraint_name)s token requires") !=
            std::string::npos) {
          EXPECT_NE(mine.find("uses %(constraint_name)s"), std::string::npos)
              << theirs << "\n"
              << mine;
        } else if (theirs.starts_with("ValueError")) {
          EXPECT_NE(mine.find("splits schema.table.column"), std::string::npos)
              << theirs << "\n"
              << mine;
        } else {
          ADD_FAILURE() << "an unexpected refusal: " << theirs << "\n" << mine;
        }
        continue;
      }
      ASSERT_TRUE(ours.ok()) << "retort refuses: " << ours.status().message()
                             << "\nbut SQLAlchemy names them:\n"
                             << sa["ddl"].dump(2);
      NameCollector theirs_names(true), our_names(false);
      std::string error;
      for (const json& ddl : sa["ddl"]) {
        ASSERT_TRUE(theirs_names.Add(ddl.get<std::string>(), &error)) << error;
      }
      ASSERT_TRUE(our_names.Add(*ours, &error)) << error;
      std::vector<std::string> expected = theirs_names.Sorted();
      std::vector<std::string> actual = our_names.Sorted();
      EXPECT_EQ(actual, expected) << "retort's SQL:\n" << *ours;
      compared_names += static_cast<int>(expected.size());
      objects[c.name] = std::max(objects[c.name], expected.size());
    }
  }
  // The corpus is big enough to mean something.
  size_t object_count = 0;
  for (const auto& [name, count] : objects) object_count += count;
  EXPECT_GE(object_count, 40u);
  EXPECT_GE(compared_names, 250);
  EXPECT_GE(both_refused, 5);
  std::printf(
      "[naming] %zu constraints and indexes, %d names compared, %d "
      "refusals agreed\n",
      object_count, compared_names, both_refused);
}

// The same corpus on a real server: SQLAlchemy's create_all (through
// psycopg2) and retort's rewritten models each run in a transaction that is
// rolled back, and the constraint and index names PostgreSQL's catalog then
// holds must be the same -- quoting, "%" and PostgreSQL's own cut of names
// over 63 bytes included. Both may fail (a convention that gives two
// constraints of a table one name), but only together.
TEST(NamingSqlalchemyTest, DatabasesMatchSqlalchemy) {
  const std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto db = testing::Open(url);
  ASSERT_NE(db, nullptr);
  // The schemas the corpus uses but does not create.
  ASSERT_TRUE(db->Execute("CREATE SCHEMA auth; CREATE SCHEMA billing; "
                          "CREATE SCHEMA geo; CREATE SCHEMA \"a.b\";")
                  .ok());
  const std::vector<NamedConvention> conventions = Conventions();
  const std::vector<NamingCase> cases = Corpus();
  std::string sa_url = url;
  sa_url.replace(0, sa_url.find("://"), "postgresql+psycopg2");
  const SqlalchemyResults by_key = RunSqlalchemy(conventions, cases, sa_url);
  ASSERT_EQ(by_key.size(), conventions.size() * cases.size());

  int compared = 0, both_failed = 0;
  for (const NamedConvention& convention : conventions) {
    for (const NamingCase& c : cases) {
      SCOPED_TRACE("convention " + convention.name + ", case " + c.name);
      const json& sa = by_key.at({convention.name, c.name});
      auto ours = ApplyNamingConvention(c.sql, "models/" + c.name + ".sql",
                                        convention.naming);
      std::vector<std::string> catalog;
      std::string failure;
      if (!ours.ok()) {
        failure = ours.status().message();
      } else {
        ASSERT_TRUE(db->Begin().ok());
        Status run = db->Execute(*ours);
        if (!run.ok()) {
          failure = run.message();
        } else {
          auto rows = db->Query(kCatalogQuery);
          ASSERT_TRUE(rows.ok()) << rows.status().message();
          for (const Row& row : rows->rows)
            catalog.push_back(row[0].value_or(""));
        }
        ASSERT_TRUE(db->Rollback().ok());
      }
      if (sa.contains("error") || !failure.empty()) {
        EXPECT_TRUE(sa.contains("error") && !failure.empty())
            << "SQLAlchemy: " << sa.value("error", std::string("no error"))
            << "\nretort: " << (failure.empty() ? "no error" : failure);
        ++both_failed;
        continue;
      }
      std::vector<std::string> expected =
          sa["catalog"].get<std::vector<std::string>>();
      std::sort(expected.begin(), expected.end());
      std::sort(catalog.begin(), catalog.end());
      EXPECT_EQ(catalog, expected) << "retort's SQL:\n" << *ours;
      compared += static_cast<int>(expected.size());
    }
  }
  EXPECT_GE(compared, 400);
  std::printf("[naming] %d catalog names compared, %d failures agreed\n",
              compared, both_failed);
}

}  // namespace
}  // namespace retort
