// Compare on hand-built catalogs: which operations come out, their SQL,
// their reverses and the destructive flags.
#include "autogen/diff.h"

#include <gtest/gtest.h>

#include "autogen/autogen.h"
#include "autogen/render.h"

namespace retort {
namespace {

Table MakeTable(const std::string& name, std::vector<Column> columns) {
  Table t;
  t.schema = "public";
  t.name = name;
  t.columns = std::move(columns);
  return t;
}

Column Col(const std::string& name, const std::string& type,
           bool not_null = false) {
  Column c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  return c;
}

Catalog With(std::vector<Table> tables) {
  Catalog c;
  c.schemas[SchemaKey("public")] = Schema{"public", std::nullopt};
  for (Table& t : tables) c.tables[RelationKey(t.schema, t.name)] = t;
  return c;
}

TEST(AutogenCompare, IdenticalCatalogsGiveNoOperations) {
  Catalog a = With({MakeTable("t", {Col("id", "integer", true)})});
  EXPECT_TRUE(Compare(a, a).empty());
  AutogenResult r = DiffCatalogs(a, a);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.upgrade_sql, "");
  EXPECT_EQ(r.downgrade_sql, "");
}

TEST(AutogenCompare, NewTableAndItsReverse) {
  Catalog a = With({});
  Table t =
      MakeTable("users", {Col("id", "bigint", true), Col("user", "text")});
  Constraint pk;
  pk.name = "users_pkey";
  pk.kind = ConstraintKind::kPrimaryKey;
  pk.definition = "PRIMARY KEY (id)";
  t.constraints.push_back(pk);
  Catalog b = With({t});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "CREATE TABLE public.users (\n"
            "    id bigint NOT NULL,\n"
            "    \"user\" text,\n"
            "    CONSTRAINT users_pkey PRIMARY KEY (id)\n"
            ");\n");
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\nDROP TABLE public.users;\n");
  ASSERT_EQ(r.operations.size(), 1u);
  EXPECT_EQ(OpKindName(r.operations[0].kind), "create_table");
  EXPECT_EQ(r.operations[0].Reverse().kind, OpKind::kDropTable);
  EXPECT_TRUE(r.operations[0].Reverse().destructive);
}

TEST(AutogenCompare, DropPlusAddOfSameTypeSuggestsRename) {
  Catalog a =
      With({MakeTable("t", {Col("id", "integer"), Col("name", "text")})});
  Catalog b =
      With({MakeTable("t", {Col("id", "integer"), Col("full_name", "text")})});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "-- retort: name is dropped and full_name (same type) is added: "
            "if this is a rename, use instead:\n"
            "--   ALTER TABLE public.t RENAME COLUMN name TO full_name;\n"
            "-- retort: destructive\n"
            "ALTER TABLE public.t DROP COLUMN name;\n\n"
            "ALTER TABLE public.t ADD COLUMN full_name text;\n");
}

TEST(AutogenCompare, DifferentTypesGiveNoRenameHint) {
  Catalog a = With({MakeTable("t", {Col("name", "text")})});
  Catalog b = With({MakeTable("t", {Col("age", "integer")})});
  EXPECT_EQ(DiffCatalogs(a, b).upgrade_sql.find("RENAME"), std::string::npos);
}

TEST(AutogenCompare, TypeNarrowingIsDestructiveWideningIsNot) {
  Catalog a = With({MakeTable("t", {Col("v", "character varying(10)")})});
  Catalog b = With({MakeTable("t", {Col("v", "character varying(20)")})});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "ALTER TABLE public.t ALTER COLUMN v TYPE character varying(20) "
            "USING v::character varying(20);\n");
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\n"
            "ALTER TABLE public.t ALTER COLUMN v TYPE character varying(10) "
            "USING v::character varying(10);\n");
}

TEST(AutogenCompare, WideningTable) {
  EXPECT_TRUE(IsWideningTypeChange("integer", "bigint"));
  EXPECT_FALSE(IsWideningTypeChange("bigint", "integer"));
  EXPECT_TRUE(IsWideningTypeChange("character varying(5)", "text"));
  EXPECT_TRUE(
      IsWideningTypeChange("character varying(5)", "character varying"));
  EXPECT_FALSE(IsWideningTypeChange("text", "character varying(5)"));
  EXPECT_TRUE(IsWideningTypeChange("numeric(10,2)", "numeric(12,2)"));
  EXPECT_FALSE(IsWideningTypeChange("numeric(10,2)", "numeric(10,1)"));
  EXPECT_TRUE(IsWideningTypeChange("integer", "numeric"));
  EXPECT_TRUE(IsWideningTypeChange("integer", "numeric(10,0)"));
  EXPECT_FALSE(IsWideningTypeChange("bigint", "numeric(10,0)"));
  EXPECT_TRUE(IsWideningTypeChange("real", "double precision"));
  EXPECT_FALSE(IsWideningTypeChange("text", "integer"));
}

TEST(AutogenCompare, EnumValuesAddedInPlaceOthersAreManual) {
  Catalog a, b, c;
  a.enums[TypeKey("public", "mood")] =
      EnumType{"public", "mood", {"sad", "happy"}, {}};
  b.enums[TypeKey("public", "mood")] =
      EnumType{"public", "mood", {"new", "sad", "ok", "happy"}, {}};
  c.enums[TypeKey("public", "mood")] =
      EnumType{"public", "mood", {"happy", "sad"}, {}};
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "ALTER TYPE public.mood ADD VALUE 'new' BEFORE 'sad';\n\n"
            "ALTER TYPE public.mood ADD VALUE 'ok' BEFORE 'happy';\n");
  EXPECT_NE(r.downgrade_sql.find("-- retort: manual: PostgreSQL cannot drop "
                                 "value 'ok' from enum public.mood"),
            std::string::npos)
      << r.downgrade_sql;
  AutogenResult reorder = DiffCatalogs(a, c);
  ASSERT_EQ(reorder.operations.size(), 1u);
  EXPECT_EQ(reorder.operations[0].kind, OpKind::kManual);
  EXPECT_NE(reorder.upgrade_sql.find("cannot remove or reorder"),
            std::string::npos);
}

TEST(AutogenCompare, ChangedViewRebuildsItsDependents) {
  Catalog a, b;
  a.views[RelationKey("public", "v")] =
      View{"public", "v", false, "SELECT 1 AS x", {}};
  a.views[RelationKey("public", "w")] =
      View{"public", "w", false, "SELECT x FROM public.v", {}};
  a.depends_on[RelationKey("public", "w")] = {RelationKey("public", "v")};
  b = a;
  b.views[RelationKey("public", "v")].definition = "SELECT 2 AS x";
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "DROP VIEW public.w;\n\nDROP VIEW public.v;\n\n"
            "CREATE VIEW public.v AS\nSELECT 2 AS x;\n\n"
            "CREATE VIEW public.w AS\nSELECT x FROM public.v;\n");
}

TEST(AutogenCompare, CommentsChangeBothWays) {
  Table t = MakeTable("t", {Col("id", "integer")});
  Catalog a = With({t});
  t.comment = "it's a table";
  Catalog b = With({t});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql, "COMMENT ON TABLE public.t IS 'it''s a table';\n");
  EXPECT_EQ(r.downgrade_sql, "COMMENT ON TABLE public.t IS NULL;\n");
}

}  // namespace
}  // namespace retort
