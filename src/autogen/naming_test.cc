// Unit tests of the SQLAlchemy naming conventions: template parsing and its
// errors, every token, SQLAlchemy's truncation, and the model rewrite of
// each statement form (tests/naming_sqlalchemy_test.cc checks the names
// against SQLAlchemy itself).
#include "autogen/naming.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace retort {
namespace {

// The convention SQLAlchemy's documentation recommends.
NamingConvention Recommended() {
  NamingConvention n;
  n.pk = "pk_%(table_name)s";
  n.fk = "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s";
  n.uq = "uq_%(table_name)s_%(column_0_name)s";
  n.ix = "ix_%(column_0_label)s";
  n.ck = "ck_%(table_name)s_%(constraint_name)s";
  return n;
}

// Recommended(), but CHECKs named from the table alone, so that unnamed
// ones can be named.
NamingConvention Unnamed() {
  NamingConvention n = Recommended();
  n.ck = "ck_%(table_name)s";
  return n;
}

std::string Apply(std::string_view sql, const NamingConvention& naming) {
  auto out = ApplyNamingConvention(sql, "models/m.sql", naming);
  return out.ok() ? *out : "error: " + out.status().message();
}

std::string Error(std::string_view sql, const NamingConvention& naming) {
  auto out = ApplyNamingConvention(sql, "models/m.sql", naming);
  return out.ok() ? "no error: " + *out : out.status().message();
}

NamingSubject Subject(NamingKind kind, std::string table,
                      std::vector<std::string> columns) {
  NamingSubject s;
  s.kind = kind;
  s.table = std::move(table);
  s.columns = std::move(columns);
  return s;
}

// The name `tmpl` gives `subject` (as the template of subject's kind), or
// "error: ..." / "(unchanged)".
std::string Name(const std::string& tmpl, const NamingSubject& subject) {
  NamingConvention n;
  n.pk = n.fk = n.uq = n.ix = n.ck = tmpl;
  auto name = ConventionName(n, subject);
  if (!name.ok()) return "error: " + name.status().message();
  return name->has_value() ? **name : "(unchanged)";
}

// --- Templates and [naming]. ---

TEST(NamingConventionTest, EmptyMeansUnset) {
  NamingConvention n;
  EXPECT_TRUE(n.empty());
  n.ix = "ix_%(column_0_label)s";
  EXPECT_FALSE(n.empty());
  EXPECT_EQ(n.Template(NamingKind::kIndex), "ix_%(column_0_label)s");
  EXPECT_EQ(n.Template(NamingKind::kPrimaryKey), "");
}

TEST(NamingConventionTest, MakeTakesTheFiveKeys) {
  auto n = MakeNamingConvention({{"pk", "pk_%(table_name)s"},
                                 {"fk", "fk_%(table_name)s"},
                                 {"uq", "uq_%(table_name)s"},
                                 {"ix", "ix_%(column_0_label)s"},
                                 {"ck", ""}},
                                "retort.toml:12");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->pk, "pk_%(table_name)s");
  EXPECT_EQ(n->fk, "fk_%(table_name)s");
  EXPECT_EQ(n->uq, "uq_%(table_name)s");
  EXPECT_EQ(n->ix, "ix_%(column_0_label)s");
  EXPECT_EQ(n->ck, "");
  EXPECT_TRUE(MakeNamingConvention({}, "retort.toml:1")->empty());
}

TEST(NamingConventionTest, MakeErrors) {
  EXPECT_EQ(
      MakeNamingConvention({{"px", "x"}}, "retort.toml:12").status().message(),
      "retort.toml:12: [naming] has no key 'px' (it takes pk, fk, uq, ix and "
      "ck, SQLAlchemy's convention keys); did you mean 'pk'?");
  EXPECT_EQ(
      MakeNamingConvention({{"ix", "ix_%(column_0_lable)s"}}, "retort.toml:14")
          .status()
          .message(),
      "retort.toml:14: [naming] ix = \"ix_%(column_0_lable)s\": unknown "
      "token %(column_0_lable)s; did you mean %(column_0_label)s?");
  EXPECT_EQ(MakeNamingConvention({{"uq", "uq_%(table_name"}}, "retort.toml:3")
                .status()
                .message(),
            "retort.toml:3: [naming] uq = \"uq_%(table_name\": \"%(\" has no "
            "closing \")\"");
}

TEST(NamingConventionTest, TemplateErrors) {
  auto error = [](NamingKind kind, std::string_view tmpl) {
    Status st = ValidateNamingTemplate(kind, tmpl);
    return st.ok() ? std::string("ok") : st.message();
  };
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_%(table_name)s"), "ok");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_100%%_%(table_name)s"), "ok");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk"), "ok");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_%(table_name)"),
            "pk = \"pk_%(table_name)\": %(table_name) must be followed by "
            "\"s\": %(table_name)s");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_%(table_name)r"),
            "pk = \"pk_%(table_name)r\": %(table_name) must be followed by "
            "\"s\": %(table_name)s");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_%s"),
            "pk = \"pk_%s\": \"%s\" is not a token; tokens are written "
            "%(name)s and %% is a literal %");
  EXPECT_EQ(error(NamingKind::kPrimaryKey, "pk_%"),
            "pk = \"pk_%\": a lone \"%\" at the end; write %% for a literal %");
  EXPECT_EQ(error(NamingKind::kUnique, "uq_%(referred_table_name)s"),
            "uq = \"uq_%(referred_table_name)s\": %(referred_table_name)s "
            "applies only to foreign keys (the fk template)");
  EXPECT_EQ(error(NamingKind::kCheck, "ck_%(referred_column_0_name)s"),
            "ck = \"ck_%(referred_column_0_name)s\": "
            "%(referred_column_0_name)s applies only to foreign keys (the fk "
            "template)");
  EXPECT_EQ(error(NamingKind::kForeignKey, "fk_%(referred_column_0_key)s"),
            "fk = \"fk_%(referred_column_0_key)s\": unknown token "
            "%(referred_column_0_key)s; did you mean "
            "%(referred_column_0_name)s?");
  // Only "0N" / "0_N" make the joined forms (SQLAlchemy replaces exactly
  // those); the convention's own keys are no tokens.
  EXPECT_EQ(error(NamingKind::kIndex, "ix_%(column_1N_name)s"),
            "ix = \"ix_%(column_1N_name)s\": unknown token "
            "%(column_1N_name)s; did you mean %(column_0N_name)s?");
  EXPECT_EQ(error(NamingKind::kIndex, "ix_%(pk)s"),
            "ix = \"ix_%(pk)s\": unknown token %(pk)s");
  EXPECT_EQ(error(NamingKind::kIndex, "ix_%(column_X_name)s"),
            "ix = \"ix_%(column_X_name)s\": unknown token %(column_X_name)s; "
            "did you mean %(column_0_name)s?");
  // Python matches nested parentheses in the key.
  EXPECT_EQ(error(NamingKind::kIndex, "ix_%(a(b)c)s"),
            "ix = \"ix_%(a(b)c)s\": unknown token %(a(b)c)s");
  for (const char* ok :
       {"%(column_0_name)s", "%(column_12_key)s", "%(column_00_label)s",
        "%(column_0N_name)s", "%(column_0_N_label)s", "%(column_0N_key)s"}) {
    EXPECT_EQ(error(NamingKind::kIndex, ok), "ok") << ok;
  }
  for (const char* ok :
       {"%(referred_table_name)s", "%(referred_column_0_name)s",
        "%(referred_column_0N_name)s", "%(referred_column_0_N_name)s"}) {
    EXPECT_EQ(error(NamingKind::kForeignKey, ok), "ok") << ok;
  }
}

// --- Tokens. ---

TEST(NamingTokensTest, TableAndColumns) {
  NamingSubject s = Subject(NamingKind::kUnique, "orders", {"a", "b", "c"});
  EXPECT_EQ(Name("uq_%(table_name)s", s), "uq_orders");
  EXPECT_EQ(Name("uq_%(column_0_name)s", s), "uq_a");
  EXPECT_EQ(Name("uq_%(column_2_name)s", s), "uq_c");
  EXPECT_EQ(Name("uq_%(column_002_name)s", s), "uq_c");
  // Past the last column: "" (SQLAlchemy's IndexError is caught).
  EXPECT_EQ(Name("uq_%(column_3_name)s_x", s), "uq__x");
  EXPECT_EQ(Name("uq_%(column_99999999999999999999999_name)s", s), "uq_");
  EXPECT_EQ(Name("uq_%(column_0N_name)s", s), "uq_abc");
  EXPECT_EQ(Name("uq_%(column_0_N_name)s", s), "uq_a_b_c");
  EXPECT_EQ(Name("uq_%(column_1_key)s_%(column_0N_key)s", s), "uq_b_abc");
  EXPECT_EQ(Name("%(column_0_label)s", s), "orders_a");
  EXPECT_EQ(Name("%(column_0N_label)s", s), "orders_aorders_borders_c");
  EXPECT_EQ(Name("%(column_0_N_label)s", s), "orders_a_orders_b_orders_c");
  EXPECT_EQ(Name("100%%_%(table_name)s", s), "100%_orders");
  s.schema = "auth";
  EXPECT_EQ(Name("ix_%(column_0_label)s", s), "ix_auth_orders_a");
  EXPECT_EQ(Name("ix_%(table_name)s", s), "ix_orders");
  // The schema's dots become "_" in labels.
  s.schema = "a.b";
  EXPECT_EQ(Name("ix_%(column_1_label)s", s), "ix_a_b_orders_b");
  // No columns at all: the joined forms are "".
  EXPECT_EQ(Name("ck_%(table_name)s_%(column_0N_name)s",
                 Subject(NamingKind::kCheck, "t", {})),
            "ck_t_");
}

TEST(NamingTokensTest, ForeignKeys) {
  NamingSubject s =
      Subject(NamingKind::kForeignKey, "orders", {"user_id", "tenant"});
  s.referred_table = "users";
  s.referred_columns = {"id", "tenant_id"};
  EXPECT_EQ(Name("fk_%(table_name)s_%(referred_table_name)s", s),
            "fk_orders_users");
  EXPECT_EQ(Name("fk_%(column_0N_name)s_%(referred_column_0N_name)s", s),
            "fk_user_idtenant_idtenant_id");
  EXPECT_EQ(Name("fk_%(referred_column_0_N_name)s", s), "fk_id_tenant_id");
  EXPECT_EQ(Name("fk_%(referred_column_1_name)s", s), "fk_tenant_id");
  EXPECT_EQ(Name("fk_%(column_5_name)s", s), "fk_");
  EXPECT_EQ(Name("fk_%(referred_column_2_name)s", s),
            "error: fk = \"fk_%(referred_column_2_name)s\" uses "
            "%(referred_column_2_name)s, but the foreign key has 2 columns "
            "(SQLAlchemy fails with an IndexError)");
  // target_fullname split on dots: schema.table.column or table.column.
  s.referred_schema = "auth";
  EXPECT_EQ(Name("%(referred_table_name)s", s), "users");
  s.referred_schema = "";
  s.referred_table = "a.b";
  EXPECT_EQ(Name("%(referred_table_name)s", s), "b");
  s.referred_schema = "s";
  EXPECT_EQ(Name("%(referred_table_name)s", s),
            "error: fk = \"%(referred_table_name)s\" uses "
            "%(referred_table_name)s, and SQLAlchemy fails on the \".\" in "
            "the referred \"s.a.b.id\" (it splits schema.table.column on "
            "dots)");
  s.referred_schema = "";
  s.referred_table = "users";
  s.referred_columns.clear();
  s.referred_columns_unknown = "REFERENCES users names no columns";
  EXPECT_EQ(Name("fk_%(referred_table_name)s", s), "fk_users");
  EXPECT_EQ(Name("fk_%(referred_column_0_name)s", s),
            "error: fk = \"fk_%(referred_column_0_name)s\" uses "
            "%(referred_column_0_name)s, but REFERENCES users names no "
            "columns");
}

TEST(NamingTokensTest, ConstraintName) {
  NamingSubject s = Subject(NamingKind::kCheck, "t", {});
  EXPECT_EQ(Name("ck_%(table_name)s_%(constraint_name)s", s),
            "error: ck = \"ck_%(table_name)s_%(constraint_name)s\" uses "
            "%(constraint_name)s, which SQLAlchemy allows only on an "
            "explicitly named constraint (\"Naming convention including "
            "%(constraint_name)s token requires that constraint is "
            "explicitly named.\"); name it");
  s.name = "positive";
  EXPECT_EQ(Name("ck_%(table_name)s_%(constraint_name)s", s), "ck_t_positive");
  // An explicit name is kept unless the template's text says
  // "constraint_name" -- anywhere, as SQLAlchemy tests the substring.
  EXPECT_EQ(Name("ck_%(table_name)s", s), "(unchanged)");
  EXPECT_EQ(Name("ck_%(table_name)s_constraint_name", s),
            "ck_t_constraint_name");
  NamingSubject index = Subject(NamingKind::kIndex, "t", {"a"});
  EXPECT_EQ(Name("ix_%(constraint_name)s", index),
            "error: ix = \"ix_%(constraint_name)s\" uses %(constraint_name)s, "
            "which SQLAlchemy allows only on an explicitly named index "
            "(\"Naming convention including %(constraint_name)s token "
            "requires that constraint is explicitly named.\"); name it");
  // No template for the kind: left alone.
  NamingConvention none;
  none.pk = "pk_%(table_name)s";
  EXPECT_FALSE(ConventionName(none, index)->has_value());
}

TEST(NamingTokensTest, UnknownColumns) {
  NamingSubject s = Subject(NamingKind::kIndex, "t", {"a"});
  s.columns_unknown = "element 2 is an expression";
  EXPECT_EQ(Name("ix_%(column_0_name)s", s), "ix_a");
  EXPECT_EQ(Name("ix_%(table_name)s", s), "ix_t");
  EXPECT_EQ(Name("ix_%(column_1_name)s", s),
            "error: ix = \"ix_%(column_1_name)s\" uses %(column_1_name)s, "
            "but element 2 is an expression; give it a name");
  EXPECT_EQ(Name("ix_%(column_0N_name)s", s),
            "error: ix = \"ix_%(column_0N_name)s\" uses %(column_0N_name)s, "
            "but element 2 is an expression; give it a name");
}

// --- Truncation. ---

TEST(NamingTruncationTest, SqlalchemysRule) {
  // Values from Python: name[:55] + "_" + hashlib.md5(name).hexdigest()[-4:]
  EXPECT_EQ(TruncateConventionName(std::string(63, 'a'), 63),
            std::string(63, 'a'));
  EXPECT_EQ(TruncateConventionName(std::string(64, 'a'), 63),
            std::string(55, 'a') + "_7367");
  EXPECT_EQ(TruncateConventionName("ix_" + std::string(97, 'x'), 63),
            "ix_" + std::string(52, 'x') + "_f3b5");
  // Characters, not bytes, and the MD5 of the UTF-8 bytes.
  std::string aerger;
  for (int i = 0; i < 12; ++i) aerger += "\xc3\xa4rger";
  std::string cut;
  for (int i = 0; i < 9; ++i) cut += "\xc3\xa4rger";
  EXPECT_EQ(TruncateConventionName("uq_orders_" + aerger, 63),
            "uq_orders_" + cut + "_bc41");
  // 60 characters (69 bytes): not cut again.
  std::string sixty = "uq_orders_" + cut + "_bc41";
  EXPECT_EQ(TruncateConventionName(sixty, 63), sixty);
}

TEST(NamingTruncationTest, ConventionNamesAreCutExplicitOnesKept) {
  NamingSubject s = Subject(NamingKind::kForeignKey, std::string(61, 'b'), {});
  s.referred_table = "u";
  s.referred_columns = {"id"};
  EXPECT_EQ(Name("fk_%(table_name)s", s),
            "fk_" + std::string(52, 'b') + "_dc93");
  s.table = std::string(60, 'b');
  EXPECT_EQ(Name("fk_%(table_name)s", s), "fk_" + std::string(60, 'b'));
  s.name = std::string(100, 'n');
  EXPECT_EQ(Name("fk_%(table_name)s", s), "(unchanged)");
}

TEST(NamingQuoteTest, QuotesWhatPostgresWouldChange) {
  EXPECT_EQ(QuotePostgresIdentifier("pk_users"), "pk_users");
  EXPECT_EQ(QuotePostgresIdentifier("_x1"), "_x1");
  EXPECT_EQ(QuotePostgresIdentifier("pk_Users"), "\"pk_Users\"");
  EXPECT_EQ(QuotePostgresIdentifier("1abc"), "\"1abc\"");
  EXPECT_EQ(QuotePostgresIdentifier("uq a"), "\"uq a\"");
  EXPECT_EQ(QuotePostgresIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuotePostgresIdentifier("user"), "\"user\"");  // reserved
  EXPECT_EQ(QuotePostgresIdentifier("name"), "\"name\"");  // unreserved
  EXPECT_EQ(QuotePostgresIdentifier("x$"), "\"x$\"");
  EXPECT_EQ(QuotePostgresIdentifier("\xc3\xa4"), "\"\xc3\xa4\"");
}

// --- The model rewrite. ---

TEST(NamingApplyTest, EmptyConventionLeavesTheTextAlone) {
  EXPECT_EQ(Apply("CREATE TABLE t (id int PRIMARY KEY); not even sql",
                  NamingConvention{}),
            "CREATE TABLE t (id int PRIMARY KEY); not even sql");
}

TEST(NamingApplyTest, ColumnConstraints) {
  EXPECT_EQ(Apply("CREATE TABLE orders (\n"
                  "  id int PRIMARY KEY,\n"
                  "  email text NOT NULL UNIQUE,\n"
                  "  user_id int REFERENCES users (id) ON DELETE CASCADE,\n"
                  "  qty int CHECK (qty > 0) CONSTRAINT named CHECK (qty < 9)\n"
                  ");\n",
                  Unnamed()),
            "CREATE TABLE orders (\n"
            "  id int CONSTRAINT pk_orders PRIMARY KEY,\n"
            "  email text NOT NULL CONSTRAINT uq_orders_email UNIQUE,\n"
            "  user_id int CONSTRAINT fk_orders_user_id_users REFERENCES "
            "users (id) ON DELETE CASCADE,\n"
            "  qty int CONSTRAINT ck_orders CHECK (qty > 0) CONSTRAINT named "
            "CHECK (qty < 9)\n"
            ");\n");
}

TEST(NamingApplyTest, TableConstraints) {
  EXPECT_EQ(Apply("CREATE TABLE line (a int, b int, c int, d int,\n"
                  "  PRIMARY KEY (b, a),\n"
                  "  UNIQUE (c, d) DEFERRABLE,\n"
                  "  FOREIGN KEY (c, d) REFERENCES shop.orders (x, y),\n"
                  "  CHECK (a < b),\n"
                  "  CONSTRAINT keep UNIQUE (d),\n"
                  "  EXCLUDE USING gist (a WITH =)\n"
                  ")",
                  Unnamed()),
            "CREATE TABLE line (a int, b int, c int, d int,\n"
            "  CONSTRAINT pk_line PRIMARY KEY (b, a),\n"
            "  CONSTRAINT uq_line_c UNIQUE (c, d) DEFERRABLE,\n"
            "  CONSTRAINT fk_line_c_orders FOREIGN KEY (c, d) REFERENCES "
            "shop.orders (x, y),\n"
            "  CONSTRAINT ck_line CHECK (a < b),\n"
            "  CONSTRAINT keep UNIQUE (d),\n"
            "  EXCLUDE USING gist (a WITH =)\n"
            ")");
}

TEST(NamingApplyTest, WhatSqlalchemyCannotWrite) {
  // Named after the key columns, as SQLAlchemy's nearest UniqueConstraint.
  EXPECT_EQ(Apply("CREATE TABLE t (a int, b int, UNIQUE NULLS NOT DISTINCT "
                  "(a), UNIQUE (b) INCLUDE (a))",
                  Unnamed()),
            "CREATE TABLE t (a int, b int, CONSTRAINT uq_t_a UNIQUE NULLS NOT "
            "DISTINCT (a), CONSTRAINT uq_t_b UNIQUE (b) INCLUDE (a))");
  // Temporary, unlogged and typed tables are Tables too.
  EXPECT_EQ(Apply("CREATE TEMP TABLE t (a int PRIMARY KEY);\n"
                  "CREATE UNLOGGED TABLE u (a int UNIQUE);\n"
                  "CREATE TABLE v OF some_type (a WITH OPTIONS PRIMARY KEY)",
                  Unnamed()),
            "CREATE TEMP TABLE t (a int CONSTRAINT pk_t PRIMARY KEY);\n"
            "CREATE UNLOGGED TABLE u (a int CONSTRAINT uq_u_a UNIQUE);\n"
            "CREATE TABLE v OF some_type (a WITH OPTIONS CONSTRAINT pk_v "
            "PRIMARY KEY)");
}

TEST(NamingApplyTest, PrimaryKeyConstraintName) {
  NamingConvention n;
  n.pk = "pk_%(table_name)s_%(constraint_name)s";
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT main PRIMARY KEY)", n),
            "CREATE TABLE t (a int CONSTRAINT pk_t_main PRIMARY KEY)");
  EXPECT_EQ(Error("CREATE TABLE t (a int PRIMARY KEY)", n),
            "models/m.sql:1: the primary key of table t: pk = "
            "\"pk_%(table_name)s_%(constraint_name)s\" uses "
            "%(constraint_name)s, which SQLAlchemy allows only on an "
            "explicitly named constraint (\"Naming convention including "
            "%(constraint_name)s token requires that constraint is "
            "explicitly named.\"); name it");
}

TEST(NamingApplyTest, AlterTableAdd) {
  EXPECT_EQ(Apply("ALTER TABLE ONLY auth.users ADD PRIMARY KEY (id),\n"
                  "  ADD UNIQUE (email), ADD CONSTRAINT c CHECK (id > 0),\n"
                  "  ADD FOREIGN KEY (org) REFERENCES orgs NOT VALID,\n"
                  "  ADD COLUMN z int UNIQUE CHECK (z > 1);\n"
                  "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;",
                  Unnamed()),
            "ALTER TABLE ONLY auth.users ADD CONSTRAINT pk_users PRIMARY KEY "
            "(id),\n"
            "  ADD CONSTRAINT uq_users_email UNIQUE (email), ADD CONSTRAINT c "
            "CHECK (id > 0),\n"
            "  ADD CONSTRAINT fk_users_org_orgs FOREIGN KEY (org) REFERENCES "
            "orgs NOT VALID,\n"
            "  ADD COLUMN z int CONSTRAINT uq_users_z UNIQUE CONSTRAINT "
            "ck_users CHECK (z > 1);\n"
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;");
  // USING INDEX without a name: the constraint takes the index's name.
  EXPECT_EQ(Apply("ALTER TABLE t ADD PRIMARY KEY USING INDEX i", Unnamed()),
            "ALTER TABLE t ADD PRIMARY KEY USING INDEX i");
}

TEST(NamingApplyTest, CreateIndex) {
  EXPECT_EQ(Apply("CREATE INDEX ON users (email);\n"
                  "CREATE UNIQUE INDEX CONCURRENTLY ON ONLY auth.users "
                  "USING btree (lower(email), id) WHERE id > 0;\n"
                  "create index\n  on\n  users (name) include (id);\n"
                  "CREATE INDEX keep ON users (email);",
                  Recommended()),
            "CREATE INDEX ix_users_email ON users (email);\n"
            "CREATE UNIQUE INDEX CONCURRENTLY ix_auth_users_email ON ONLY "
            "auth.users USING btree (lower(email), id) WHERE id > 0;\n"
            "create index\n  ix_users_name on\n  users (name) include (id);\n"
            "CREATE INDEX keep ON users (email);");
}

TEST(NamingApplyTest, IndexColumns) {
  NamingConvention n;
  n.ix = "ix_%(table_name)s_%(column_0_N_name)s";
  // Each column once; an expression over one column counts as it; one
  // over no column counts as none.
  EXPECT_EQ(Apply("CREATE INDEX ON t (a, a, (lower(b)), (1), c DESC)", n),
            "CREATE INDEX ix_t_a_b_c ON t (a, a, (lower(b)), (1), c DESC)");
  EXPECT_EQ(Apply("CREATE INDEX ON t ((a + b))", n),
            "error: models/m.sql:1: the index on table t: ix = "
            "\"ix_%(table_name)s_%(column_0_N_name)s\" uses "
            "%(column_0_N_name)s, but index element 1 is an expression over "
            "several columns, and SQLAlchemy takes the first column its own "
            "expression tree holds, which SQL cannot tell; give it a name");
  // Columns before the expression are known.
  n.ix = "ix_%(column_0_name)s";
  EXPECT_EQ(Apply("CREATE INDEX ON t (c, (a || b))", n),
            "CREATE INDEX ix_c ON t (c, (a || b))");
  EXPECT_EQ(Apply("CREATE INDEX ON t ((a || b), c)", n),
            "error: models/m.sql:1: the index on table t: ix = "
            "\"ix_%(column_0_name)s\" uses %(column_0_name)s, but index "
            "element 1 is an expression over several columns, and SQLAlchemy "
            "takes the first column its own expression tree holds, which SQL "
            "cannot tell; give it a name");
  n.ix = "ix_%(table_name)s";
  EXPECT_EQ(Apply("CREATE INDEX ON t ((a || b))", n),
            "CREATE INDEX ix_t ON t ((a || b))");
}

TEST(NamingApplyTest, CheckColumnsAreUnknowable) {
  NamingConvention n;
  n.ck = "ck_%(table_name)s_%(column_0_name)s";
  EXPECT_EQ(Error("CREATE TABLE t (\n  a int CHECK (a > 0)\n)", n),
            "models/m.sql:2: the CHECK constraint of table t: ck = "
            "\"ck_%(table_name)s_%(column_0_name)s\" uses %(column_0_name)s, "
            "but SQLAlchemy gives a CHECK constraint the columns of its "
            "expression only when it is written as one "
            "(CheckConstraint(t.c.x > 0)), none when written as text "
            "(CheckConstraint(\"x > 0\")), and SQL cannot say which; give it "
            "a name");
  // A CHECK mentioning no column has none either way.
  EXPECT_EQ(Apply("CREATE TABLE t (a int CHECK (now() > '2000-01-01'))", n),
            "CREATE TABLE t (a int CONSTRAINT ck_t_ CHECK (now() > "
            "'2000-01-01'))");
  // A named one is left alone (no "constraint_name" in the template).
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0))", n),
            "CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0))");
}

TEST(NamingApplyTest, ExplicitNamesUnderConstraintName) {
  NamingConvention n;
  n.ck = "ck_%(table_name)s_%(constraint_name)s";
  n.uq = "uq_%(constraint_name)s";
  n.ix = "ix_%(constraint_name)s";
  EXPECT_EQ(Apply("CREATE TABLE t (\n"
                  "  a int CONSTRAINT positive CHECK (a > 0),\n"
                  "  CONSTRAINT \"Mixed\" UNIQUE (a)\n"
                  ");\n"
                  "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS by_a ON t "
                  "(a);\n"
                  "CREATE INDEX \"Odd\" ON t (a);",
                  n),
            "CREATE TABLE t (\n"
            "  a int CONSTRAINT ck_t_positive CHECK (a > 0),\n"
            "  CONSTRAINT \"uq_Mixed\" UNIQUE (a)\n"
            ");\n"
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_by_a ON t "
            "(a);\n"
            "CREATE INDEX \"ix_Odd\" ON t (a);");
  EXPECT_EQ(Error("CREATE TABLE t (a int,\n\n  CHECK (a > 0))", n),
            "models/m.sql:3: the CHECK constraint of table t: ck = "
            "\"ck_%(table_name)s_%(constraint_name)s\" uses "
            "%(constraint_name)s, which SQLAlchemy allows only on an "
            "explicitly named constraint (\"Naming convention including "
            "%(constraint_name)s token requires that constraint is "
            "explicitly named.\"); name it");
  EXPECT_EQ(Error("SELECT 1;\nCREATE INDEX ON t (a)", n),
            "models/m.sql:2: the index on table t: ix = "
            "\"ix_%(constraint_name)s\" uses %(constraint_name)s, which "
            "SQLAlchemy allows only on an explicitly named index (\"Naming "
            "convention including %(constraint_name)s token requires that "
            "constraint is explicitly named.\"); name it");
  // A quoted name spanning lines is replaced without moving the lines
  // after it.
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT \"two\nlines\" CHECK "
                  "(a > 0));\nSELECT 1;",
                  n),
            "CREATE TABLE t (a int CONSTRAINT \"ck_t_two\nlines\" CHECK "
            "(a > 0));\nSELECT 1;");
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT \"two\nlines\" UNIQUE);"
                  "\nSELECT 1;",
                  n),
            "CREATE TABLE t (a int CONSTRAINT \"uq_two\nlines\" UNIQUE);\n"
            "SELECT 1;");
  NamingConvention drop;
  drop.ck = "ck_%(table_name)s_constraint_name";
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT \"two\nlines\" CHECK "
                  "(a > 0));\nSELECT 1;",
                  drop),
            "CREATE TABLE t (a int CONSTRAINT ck_t_constraint_name\n CHECK "
            "(a > 0));\nSELECT 1;");
}

TEST(NamingApplyTest, NamesWithLineBreaksAreRefused) {
  EXPECT_EQ(Error("CREATE TABLE \"a\nb\" (\n  id int PRIMARY KEY)", Unnamed()),
            "models/m.sql:3: the name \"pk_a\nb\" the [naming] convention "
            "gives holds a line break, which would move the lines after it");
}

TEST(NamingApplyTest, ReferencesToReplacedNamesAreRefused) {
  NamingConvention n;
  n.ck = "ck_%(table_name)s_%(constraint_name)s";
  n.uq = "uq_%(constraint_name)s";
  n.ix = "ix_%(constraint_name)s";
  const std::string models =
      "CREATE TABLE t (a int CONSTRAINT positive CHECK (a > 0),\n"
      "  CONSTRAINT one_a UNIQUE (a));\n"
      "CREATE INDEX by_a ON t (a);\n";
  EXPECT_EQ(Error(models + "COMMENT ON CONSTRAINT positive ON t IS 'x';", n),
            "models/m.sql:4: COMMENT ON CONSTRAINT refers to positive, which "
            "the [naming] convention names ck_t_positive (ck = "
            "\"ck_%(table_name)s_%(constraint_name)s\"); refer to it by that "
            "name");
  EXPECT_EQ(Error(models + "COMMENT ON INDEX by_a IS 'x';", n),
            "models/m.sql:4: COMMENT ON INDEX refers to by_a, which the "
            "[naming] convention names ix_by_a (ix = "
            "\"ix_%(constraint_name)s\"); refer to it by that name");
  EXPECT_EQ(Error(models + "\nALTER TABLE t VALIDATE CONSTRAINT positive;", n),
            "models/m.sql:5: VALIDATE CONSTRAINT refers to positive, which "
            "the [naming] convention names ck_t_positive (ck = "
            "\"ck_%(table_name)s_%(constraint_name)s\"); refer to it by that "
            "name");
  // A unique constraint's index has its name.
  EXPECT_EQ(Error(models + "ALTER INDEX one_a SET (fillfactor = 50);", n),
            "models/m.sql:4: ALTER INDEX refers to one_a, which the [naming] "
            "convention names uq_one_a (uq = \"uq_%(constraint_name)s\"); "
            "refer to it by that name");
  EXPECT_EQ(Error(models + "CLUSTER t USING by_a;", n),
            "models/m.sql:4: CLUSTER refers to by_a, which the [naming] "
            "convention names ix_by_a (ix = \"ix_%(constraint_name)s\"); "
            "refer to it by that name");
  EXPECT_EQ(Error(models + "DROP INDEX IF EXISTS x, s.by_a;", n),
            "models/m.sql:4: DROP INDEX refers to by_a, which the [naming] "
            "convention names ix_by_a (ix = \"ix_%(constraint_name)s\"); "
            "refer to it by that name");
  // By the new names, or to other tables' constraints: fine.
  const std::string fine = models +
                           "COMMENT ON CONSTRAINT ck_t_positive ON t IS 'x';\n"
                           "COMMENT ON CONSTRAINT positive ON other IS 'y';\n"
                           "COMMENT ON INDEX ix_by_a IS 'z';\n";
  auto out = ApplyNamingConvention(fine, "m.sql", n);
  EXPECT_TRUE(out.ok()) << out.status().message();
}

TEST(NamingApplyTest, QuotedIdentifiersAndFolding) {
  NamingConvention n = Unnamed();
  EXPECT_EQ(Apply("CREATE TABLE \"Users\" (\"Email\" text UNIQUE, "
                  "Name text UNIQUE);\n"
                  "CREATE TABLE Orders (ID int PRIMARY KEY);\n"
                  "CREATE TABLE \"user\" (\"select\" int UNIQUE);",
                  n),
            "CREATE TABLE \"Users\" (\"Email\" text CONSTRAINT "
            "\"uq_Users_Email\" UNIQUE, Name text CONSTRAINT \"uq_Users_name\" "
            "UNIQUE);\n"
            "CREATE TABLE Orders (ID int CONSTRAINT pk_orders PRIMARY KEY);\n"
            "CREATE TABLE \"user\" (\"select\" int CONSTRAINT uq_user_select "
            "UNIQUE);");
}

TEST(NamingApplyTest, Schemas) {
  NamingConvention n = Unnamed();
  n.fk = "fk_%(column_0_label)s_%(referred_table_name)s";
  EXPECT_EQ(Apply("CREATE TABLE auth.users (id int PRIMARY KEY,\n"
                  "  org int REFERENCES public.orgs (id));\n"
                  "CREATE SCHEMA shop\n"
                  "  CREATE TABLE items (id int PRIMARY KEY, u int "
                  "REFERENCES auth.users)\n"
                  "  CREATE INDEX ON items (u);",
                  n),
            "CREATE TABLE auth.users (id int CONSTRAINT pk_users PRIMARY "
            "KEY,\n"
            "  org int CONSTRAINT fk_auth_users_org_orgs REFERENCES "
            "public.orgs (id));\n"
            "CREATE SCHEMA shop\n"
            "  CREATE TABLE items (id int CONSTRAINT pk_items PRIMARY KEY, u "
            "int CONSTRAINT fk_shop_items_u_users REFERENCES auth.users)\n"
            "  CREATE INDEX ix_shop_items_u ON items (u);");
}

TEST(NamingApplyTest, CommentsAroundTheIndexNameSlot) {
  EXPECT_EQ(
      Apply("CREATE INDEX /* before */ ON -- after\n t (a)", Recommended()),
      "CREATE INDEX /* before */ ix_t_a ON -- after\n t (a)");
  EXPECT_EQ(Apply("CREATE TABLE t (a int CONSTRAINT /* x */ c -- y\n CHECK "
                  "(a > 0))",
                  Recommended()),
            "CREATE TABLE t (a int CONSTRAINT /* x */ ck_t_c -- y\n CHECK "
            "(a > 0))");
  // The parser's relation position is that of the schema when qualified.
  EXPECT_EQ(Apply("CREATE INDEX ON \"S\" . t (a)", Recommended()),
            "CREATE INDEX \"ix_S_t_a\" ON \"S\" . t (a)");
}

TEST(NamingApplyTest, ReferencesWithoutColumnsUsesThePrimaryKey) {
  NamingConvention n;
  n.fk = "fk_%(table_name)s_%(referred_column_0N_name)s";
  EXPECT_EQ(Apply("CREATE TABLE orders (u int REFERENCES users,\n"
                  "  p int REFERENCES orders);\n"
                  "CREATE TABLE users (id int, PRIMARY KEY (id));\n"
                  "CREATE TABLE orders2 (x int, y int, FOREIGN KEY (x, y) "
                  "REFERENCES pairs);\n"
                  "ALTER TABLE pairs ADD PRIMARY KEY (a, b);\n"
                  "ALTER TABLE orders ADD PRIMARY KEY (p);",
                  n),
            "CREATE TABLE orders (u int CONSTRAINT fk_orders_id REFERENCES "
            "users,\n"
            "  p int CONSTRAINT fk_orders_p REFERENCES orders);\n"
            "CREATE TABLE users (id int, PRIMARY KEY (id));\n"
            "CREATE TABLE orders2 (x int, y int, CONSTRAINT fk_orders2_ab "
            "FOREIGN KEY (x, y) REFERENCES pairs);\n"
            "ALTER TABLE pairs ADD PRIMARY KEY (a, b);\n"
            "ALTER TABLE orders ADD PRIMARY KEY (p);");
  // Inside CREATE SCHEMA an unqualified table is the schema's.
  EXPECT_EQ(Apply("CREATE SCHEMA s CREATE TABLE a (id int PRIMARY KEY)\n"
                  "  CREATE TABLE b (a int REFERENCES a)",
                  n),
            "CREATE SCHEMA s CREATE TABLE a (id int PRIMARY KEY)\n"
            "  CREATE TABLE b (a int CONSTRAINT fk_b_id REFERENCES a)");
  EXPECT_EQ(Error("\nCREATE TABLE o (u int REFERENCES elsewhere)", n),
            "models/m.sql:2: the foreign key of table o: fk = "
            "\"fk_%(table_name)s_%(referred_column_0N_name)s\" uses "
            "%(referred_column_0N_name)s, but REFERENCES elsewhere names no "
            "columns and this file gives elsewhere no primary key; list the "
            "referred columns");
}

TEST(NamingApplyTest, LongIdentifiersAreUsedWhole) {
  // PostgreSQL cuts identifiers to 63 bytes; SQLAlchemy names from the
  // whole name (and truncates the result with its hash).
  NamingConvention n;
  n.uq = "uq_%(column_0_name)s";
  const std::string column(70, 'c');
  EXPECT_EQ(Apply("CREATE TABLE t (" + column + " int UNIQUE)", n),
            "CREATE TABLE t (" + column + " int CONSTRAINT " +
                TruncateConventionName("uq_" + column, 63) + " UNIQUE)");
  EXPECT_EQ(TruncateConventionName("uq_" + column, 63).size(), 60u);
  // Quoted, with characters PostgreSQL cuts between.
  std::string wide;
  for (int i = 0; i < 30; ++i) wide += "\xc3\xa4";  // 60 characters
  wide += "xyzw";                                   // 64 bytes
  EXPECT_EQ(Apply("CREATE TABLE t (\"" + wide + "\" int UNIQUE)", n),
            "CREATE TABLE t (\"" + wide + "\" int CONSTRAINT \"uq_" + wide +
                "\" UNIQUE)");
  // Two names PostgreSQL cannot tell apart.
  EXPECT_EQ(Error("CREATE TABLE t (" + std::string(64, 'c') + " int, " +
                      std::string(65, 'c') + " int, UNIQUE (" +
                      std::string(64, 'c') + "))",
                  n),
            "models/m.sql:1: the identifiers \"" + std::string(64, 'c') +
                "\" and \"" + std::string(65, 'c') +
                "\" are the same name to PostgreSQL, which cuts identifiers "
                "to 63 bytes, but not to SQLAlchemy");
}

TEST(NamingApplyTest, LeftToPostgres) {
  NamingConvention n = Unnamed();
  // Partitions, foreign tables and domains: SQLAlchemy has no Table.
  for (const char* sql :
       {"CREATE TABLE p1 PARTITION OF p (PRIMARY KEY (a), CHECK (a > 0)) "
        "FOR VALUES IN (1)",
        "CREATE FOREIGN TABLE f (a int CHECK (a > 0)) SERVER s",
        "CREATE DOMAIN d AS int CHECK (VALUE > 0)",
        "CREATE TABLE t (LIKE s INCLUDING DEFAULTS INCLUDING COMMENTS)"}) {
    EXPECT_EQ(Apply(sql, n), sql);
  }
  // A partitioned parent is an ordinary Table.
  EXPECT_EQ(
      Apply("CREATE TABLE p (a int PRIMARY KEY) PARTITION BY LIST (a)", n),
      "CREATE TABLE p (a int CONSTRAINT pk_p PRIMARY KEY) PARTITION BY "
      "LIST (a)");
}

TEST(NamingApplyTest, LikeCopyingNamedThingsIsRefused) {
  NamingConvention n = Unnamed();
  EXPECT_EQ(Error("\nCREATE TABLE t (LIKE s INCLUDING ALL, id int)", n),
            "models/m.sql:2: CREATE TABLE t (LIKE s INCLUDING ...) copies "
            "indexes (and with them primary keys and unique constraints) "
            "under names PostgreSQL makes up, not the ones the [naming] "
            "convention gives; write the table's constraints and indexes "
            "out, or copy only what the convention does not name");
  EXPECT_EQ(Error("CREATE TABLE t (LIKE s INCLUDING CONSTRAINTS)", n),
            "models/m.sql:1: CREATE TABLE t (LIKE s INCLUDING ...) copies "
            "CHECK constraints under names PostgreSQL makes up, not the ones "
            "the [naming] convention gives; write the table's constraints "
            "and indexes out, or copy only what the convention does not "
            "name");
  // Nothing the convention names is copied.
  NamingConvention only_ck;
  only_ck.ck = "ck_%(table_name)s";
  EXPECT_EQ(Apply("CREATE TABLE t (LIKE s INCLUDING INDEXES)", only_ck),
            "CREATE TABLE t (LIKE s INCLUDING INDEXES)");
}

TEST(NamingApplyTest, LinesStayPut) {
  const std::string sql =
      "-- header\n"
      "CREATE TABLE a (\n"
      "  id int PRIMARY KEY,\n"
      "  b int REFERENCES b (id),\n"
      "  CHECK (id > 0)\n"
      ");\n"
      "/* a comment; with a semicolon */\n"
      "CREATE INDEX\n"
      "  ON a (b);\n";
  auto out = ApplyNamingConvention(sql, "m.sql", Unnamed());
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(std::count(out->begin(), out->end(), '\n'),
            std::count(sql.begin(), sql.end(), '\n'));
  EXPECT_EQ(*out,
            "-- header\n"
            "CREATE TABLE a (\n"
            "  id int CONSTRAINT pk_a PRIMARY KEY,\n"
            "  b int CONSTRAINT fk_a_b_b REFERENCES b (id),\n"
            "  CONSTRAINT ck_a CHECK (id > 0)\n"
            ");\n"
            "/* a comment; with a semicolon */\n"
            "CREATE INDEX\n"
            "  ix_a_b ON a (b);\n");
}

TEST(NamingApplyTest, SyntaxErrorsNameFileAndLine) {
  EXPECT_EQ(Error("CREATE TABLE a (id int);\n\nCREATE TABLEE b ();", Unnamed()),
            "models/m.sql:3: syntax error at or near \"TABLEE\"");
  EXPECT_EQ(Error("CREATE TABLE a (id int);\nSELECT 'open", Unnamed()),
            "models/m.sql:2: unterminated quoted string at or near \"'open\"");
}

TEST(NamingApplyTest, OtherStatementsAreUntouched) {
  const std::string sql =
      "SET search_path = auth;\n"
      "CREATE VIEW v AS SELECT 1 AS one;\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
      "COMMENT ON TABLE t IS 'x';\n"
      "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;\n"
      "CREATE TABLE t2 AS SELECT 1 AS a;\n";
  EXPECT_EQ(Apply(sql, Unnamed()), sql);
}

}  // namespace
}  // namespace retort
