// Identifier quoting and identity keys of the schema model.
#include "catalog/catalog.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(CatalogQuote, PlainIdentifiersStayBare) {
  EXPECT_EQ(QuoteIdentIfNeeded("users"), "users");
  EXPECT_EQ(QuoteIdentIfNeeded("_t1$"), "\"_t1$\"");
  EXPECT_EQ(QuoteIdentIfNeeded("t_1"), "t_1");
}

TEST(CatalogQuote, KeywordsUpperCaseAndSymbolsAreQuoted) {
  EXPECT_EQ(QuoteIdentIfNeeded("user"), "\"user\"");
  EXPECT_EQ(QuoteIdentIfNeeded("order"), "\"order\"");
  EXPECT_EQ(QuoteIdentIfNeeded("Users"), "\"Users\"");
  EXPECT_EQ(QuoteIdentIfNeeded("1abc"), "\"1abc\"");
  EXPECT_EQ(QuoteIdentIfNeeded("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentIfNeeded(""), "\"\"");
  // Unreserved keywords need no quotes (PostgreSQL's quote_ident agrees).
  EXPECT_EQ(QuoteIdentIfNeeded("name"), "name");
  EXPECT_EQ(QuoteIdentIfNeeded("data"), "data");
  // The shortest and the longest quoted keyword, and near misses.
  EXPECT_EQ(QuoteIdentIfNeeded("as"), "\"as\"");
  EXPECT_EQ(QuoteIdentIfNeeded("current_timestamp"), "\"current_timestamp\"");
  EXPECT_EQ(QuoteIdentIfNeeded("current_timestamps"), "current_timestamps");
  EXPECT_EQ(QuoteIdentIfNeeded("as1"), "as1");
  EXPECT_EQ(QuoteIdentIfNeeded("a"), "a");
}

TEST(CatalogKeys, KeysAreKindAndQualifiedName) {
  EXPECT_EQ(RelationKey("auth", "users"), "relation:auth.users");
  EXPECT_EQ(ColumnKey("auth", "users", "Email"), "column:auth.users.\"Email\"");
  EXPECT_EQ(ConstraintKey("a", "t", "t_pkey"), "constraint:a.t.t_pkey");
  EXPECT_EQ(TypeKey("public", "mood"), "type:public.mood");
  EXPECT_EQ(FunctionKey("s", "f", "integer, text"),
            "function:s.f(integer, text)");
  EXPECT_EQ(SchemaKey("user"), "schema:\"user\"");
  EXPECT_EQ(ExtensionKey("pgcrypto"), "extension:pgcrypto");
  // A dot inside a name cannot collide with a schema boundary.
  EXPECT_NE(RelationKey("a.b", "c"), RelationKey("a", "b.c"));
}

TEST(CatalogModel, FindAndCount) {
  Catalog c;
  Table t;
  t.schema = "public";
  t.name = "t";
  Column id;
  id.name = "id";
  id.type = "integer";
  t.columns.push_back(id);
  Constraint pk;
  pk.name = "t_pkey";
  pk.kind = ConstraintKind::kPrimaryKey;
  pk.definition = "PRIMARY KEY (id)";
  t.constraints.push_back(pk);
  c.tables[RelationKey("public", "t")] = t;
  c.schemas[SchemaKey("public")] = Schema{"public", std::nullopt};
  ASSERT_NE(t.FindColumn("id"), nullptr);
  EXPECT_EQ(t.FindColumn("nope"), nullptr);
  EXPECT_EQ(t.FindConstraint("t_pkey")->kind, ConstraintKind::kPrimaryKey);
  EXPECT_EQ(c.ObjectCount(), 4u);  // schema, table, column, constraint
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

TEST(CatalogIdentity, OptionsAreThoseThatDifferFromTheTypesDefaults) {
  IdentitySequence seq;
  seq.max_value = 2147483647;
  EXPECT_EQ(IdentityOptionsSql("integer", seq), "");
  // The same sequence on a bigint column has a non-default MAXVALUE.
  EXPECT_EQ(IdentityOptionsSql("bigint", seq), "MAXVALUE 2147483647");
  seq.increment = 5;
  seq.start = 10;
  seq.cache = 20;
  seq.cycle = true;
  EXPECT_EQ(IdentityOptionsSql("integer", seq),
            "INCREMENT BY 5 START WITH 10 CACHE 20 CYCLE");
  // Descending: MINVALUE is the type's minimum, MAXVALUE and START -1.
  IdentitySequence down{-1, -32768, -1, -1, 1, false};
  EXPECT_EQ(IdentityOptionsSql("smallint", down), "INCREMENT BY -1");
}

TEST(CatalogIdentity, ParseFillsInDefaults) {
  IdentitySequence seq = ParseIdentityOptions("integer", "START WITH 10");
  EXPECT_EQ(seq.increment, 1);
  EXPECT_EQ(seq.min_value, 1);
  EXPECT_EQ(seq.max_value, 2147483647);
  EXPECT_EQ(seq.start, 10);
  EXPECT_EQ(seq.cache, 1);
  EXPECT_FALSE(seq.cycle);
  seq = ParseIdentityOptions("bigint",
                             "INCREMENT BY -2 MINVALUE -100 CACHE 3 CYCLE");
  EXPECT_EQ(seq.increment, -2);
  EXPECT_EQ(seq.min_value, -100);
  EXPECT_EQ(seq.max_value, -1);
  EXPECT_EQ(seq.start, -1);
  EXPECT_EQ(seq.cache, 3);
  EXPECT_TRUE(seq.cycle);
  // Round trip through the text.
  EXPECT_EQ(IdentityOptionsSql("bigint", seq),
            "INCREMENT BY -2 MINVALUE -100 CACHE 3 CYCLE");
}

}  // namespace
}  // namespace retort
