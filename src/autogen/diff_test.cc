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

View MakeView(const std::string& name, const std::string& definition) {
  View v;
  v.schema = "public";
  v.name = name;
  v.definition = definition;
  return v;
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
            "-- name is dropped and full_name (same type) is added: "
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

// Values added in place; the downgrade, and a reorder, recreate the type.
TEST(AutogenCompare, EnumValuesAddedInPlaceOthersRecreateTheType) {
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
  EXPECT_NE(r.downgrade_sql.find(
                "CREATE TYPE public.mood__retort_swap AS ENUM ('sad', "
                "'happy');\nDROP TYPE public.mood;\nALTER TYPE "
                "public.mood__retort_swap RENAME TO mood;\n"),
            std::string::npos)
      << r.downgrade_sql;
  AutogenResult reorder = DiffCatalogs(a, c);
  ASSERT_EQ(reorder.operations.size(), 1u);
  EXPECT_EQ(reorder.operations[0].kind, OpKind::kAlterType);
  EXPECT_NE(reorder.upgrade_sql.find("cannot remove or reorder"),
            std::string::npos);
  EXPECT_NE(reorder.upgrade_sql.find("CREATE TYPE public.mood__retort_swap "
                                     "AS ENUM ('happy', 'sad');"),
            std::string::npos)
      << reorder.upgrade_sql;
}

// A collation's definition cannot be altered: a manual step, both ways.
TEST(AutogenCompare, ChangedCollationIsManual) {
  Catalog a, b;
  Collation c{"public", "ci", "icu", "und-u-ks-level2", "", "", false, {}};
  a.collations[CollationKey("public", "ci")] = c;
  c.locale = "und-u-ks-level1";
  b.collations[CollationKey("public", "ci")] = c;
  AutogenResult r = DiffCatalogs(a, b);
  ASSERT_EQ(r.operations.size(), 1u);
  EXPECT_EQ(r.operations[0].kind, OpKind::kManual);
  EXPECT_EQ(r.upgrade_sql,
            "-- manual: collation public.ci changes from public.ci (provider "
            "= icu, locale = 'und-u-ks-level2', deterministic = false);\n"
            "-- to public.ci (provider = icu, locale = 'und-u-ks-level1', "
            "deterministic = false);\n"
            "-- PostgreSQL cannot alter a collation's definition: create one "
            "under a new name and move the columns, indexes and constraints "
            "that use it\n");
}

TEST(AutogenCompare, ChangedViewRebuildsItsDependents) {
  Catalog a, b;
  a.views[RelationKey("public", "v")] = MakeView("v", "SELECT 1 AS x");
  a.views[RelationKey("public", "w")] = MakeView("w", "SELECT x FROM public.v");
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

TEST(AutogenCompare, EnumRenameIsReadAsRenameOnlyWhenUnambiguous) {
  auto enum_of = [](std::vector<std::string> labels) {
    Catalog c;
    c.enums[TypeKey("public", "mood")] =
        EnumType{"public", "mood", std::move(labels), {}};
    return c;
  };
  AutogenResult r = DiffCatalogs(enum_of({"sad", "ok", "happy"}),
                                 enum_of({"sad", "fine", "happy"}));
  EXPECT_EQ(r.upgrade_sql,
            "-- enum public.mood: 'ok' is not in the models and "
            "'fine' is new in its place: read as a rename (if 'ok' must go "
            "and its rows change, recreate the type instead)\n"
            "ALTER TYPE public.mood RENAME VALUE 'ok' TO 'fine';\n");
  EXPECT_EQ(r.downgrade_sql,
            "-- enum public.mood: renaming back 'fine' to 'ok'\n"
            "ALTER TYPE public.mood RENAME VALUE 'fine' TO 'ok';\n");
  // Two new labels could take the missing one's place: no rename is
  // guessed; the type is recreated.
  auto recreated = [](const AutogenResult& d) {
    return d.operations.size() == 1 &&
           d.operations[0].kind == OpKind::kAlterType &&
           d.upgrade_sql.find("RENAME VALUE") == std::string::npos &&
           d.upgrade_sql.find("CREATE TYPE public.mood__retort_swap") !=
               std::string::npos;
  };
  AutogenResult ambiguous =
      DiffCatalogs(enum_of({"sad", "ok", "happy"}),
                   enum_of({"sad", "fine", "good", "happy"}));
  EXPECT_TRUE(recreated(ambiguous)) << ambiguous.upgrade_sql;
  // Two labels missing: recreated too.
  AutogenResult two =
      DiffCatalogs(enum_of({"a", "b", "c"}), enum_of({"a", "x", "y"}));
  EXPECT_TRUE(recreated(two)) << two.upgrade_sql;
  // A label removed at the end with nothing in its place: recreated.
  AutogenResult removed = DiffCatalogs(enum_of({"a", "b"}), enum_of({"a"}));
  EXPECT_TRUE(recreated(removed)) << removed.upgrade_sql;
}

Catalog WithGrants(std::vector<Grant> grants, std::string column = "") {
  Catalog c = With({MakeTable("t", {Col("id", "integer")})});
  std::string key = column.empty() ? RelationKey("public", "t")
                                   : ColumnKey("public", "t", column);
  if (!grants.empty()) {
    c.grants[key] = ObjectGrants{"TABLE public.t", column, std::move(grants)};
  }
  return c;
}

TEST(AutogenCompare, GrantsAndRevokesWithExactReverses) {
  Catalog a = WithGrants({{"app", "SELECT", false}, {"old", "DELETE", false}});
  Catalog b = WithGrants({{"app", "INSERT", false},
                          {"app", "SELECT", false},
                          {"app", "UPDATE", false},
                          {"PUBLIC", "SELECT", false}});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "REVOKE DELETE ON TABLE public.t FROM old;\n\n"
            "GRANT SELECT ON TABLE public.t TO PUBLIC;\n\n"
            "GRANT INSERT, UPDATE ON TABLE public.t TO app;\n");
  EXPECT_EQ(r.downgrade_sql,
            "REVOKE INSERT, UPDATE ON TABLE public.t FROM app;\n\n"
            "REVOKE SELECT ON TABLE public.t FROM PUBLIC;\n\n"
            "GRANT DELETE ON TABLE public.t TO old;\n");
  EXPECT_TRUE(DiffCatalogs(b, b).empty());
}

TEST(AutogenCompare, GrantOptionChangesAlone) {
  Catalog a = WithGrants({{"app", "SELECT", true}, {"ro", "SELECT", false}});
  Catalog b = WithGrants({{"app", "SELECT", false}, {"ro", "SELECT", true}});
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM app;\n\n"
            "GRANT SELECT ON TABLE public.t TO ro WITH GRANT OPTION;\n");
  EXPECT_EQ(r.downgrade_sql,
            "REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM ro;\n\n"
            "GRANT SELECT ON TABLE public.t TO app WITH GRANT OPTION;\n");
}

TEST(AutogenCompare, ColumnGrants) {
  AutogenResult r = DiffCatalogs(
      WithGrants({}, "id"),
      WithGrants({{"app", "SELECT", false}, {"app", "UPDATE", false}}, "id"));
  EXPECT_EQ(r.upgrade_sql,
            "GRANT SELECT (id), UPDATE (id) ON TABLE public.t TO app;\n");
  EXPECT_EQ(r.downgrade_sql,
            "REVOKE SELECT (id), UPDATE (id) ON TABLE public.t FROM app;\n");
}

TEST(AutogenCompare, NewFunctionStartsFromDefaultExecuteToPublic) {
  Catalog a;
  Catalog b;
  Function f;
  f.schema = "public";
  f.name = "f";
  f.definition = "CREATE OR REPLACE FUNCTION public.f() ...";
  std::string key = FunctionKey("public", "f", "");
  b.functions[key] = f;
  // No entry: nobody but the owner may execute it, PUBLIC's default
  // EXECUTE is revoked after CREATE. The downgrade drops the function.
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "CREATE OR REPLACE FUNCTION public.f() ...;\n\n"
            "REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;\n");
  EXPECT_EQ(r.downgrade_sql, "DROP FUNCTION public.f();\n");
  // PUBLIC keeps its default EXECUTE: no statement.
  b.grants[key] =
      ObjectGrants{"FUNCTION public.f()", "", {{"PUBLIC", "EXECUTE", false}}};
  EXPECT_EQ(DiffCatalogs(a, b).upgrade_sql,
            "CREATE OR REPLACE FUNCTION public.f() ...;\n");
  // Dropping it: the downgrade creates it and restores its grants.
  b.grants[key].grants.push_back({"app", "EXECUTE", false});
  AutogenResult drop = DiffCatalogs(b, a);
  EXPECT_EQ(drop.upgrade_sql, "DROP FUNCTION public.f();\n");
  EXPECT_EQ(drop.downgrade_sql,
            "CREATE OR REPLACE FUNCTION public.f() ...;\n\n"
            "GRANT EXECUTE ON FUNCTION public.f() TO app;\n");
}

TEST(AutogenCompare, FunctionResultChangeIsDropAndCreate) {
  Function f;
  f.schema = "public";
  f.name = "f";
  f.result = "integer";
  f.definition = "CREATE OR REPLACE FUNCTION public.f() RETURNS integer";
  std::string key = FunctionKey("public", "f", "");
  Catalog a, b;
  a.functions[key] = f;
  a.grants[key] =
      ObjectGrants{"FUNCTION public.f()", "", {{"PUBLIC", "EXECUTE", false}}};
  b = a;
  b.functions[key].result = "bigint";
  b.functions[key].definition =
      "CREATE OR REPLACE FUNCTION public.f() RETURNS bigint";
  // A view using it is rebuilt around the re-creation.
  View v = MakeView("v", "SELECT public.f() AS x");
  a.views[RelationKey("public", "v")] = v;
  b.views[RelationKey("public", "v")] = v;
  a.depends_on[RelationKey("public", "v")] = {key};
  b.depends_on[RelationKey("public", "v")] = {key};
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "DROP VIEW public.v;\n\n"
            "DROP FUNCTION public.f();\n\n"
            "CREATE OR REPLACE FUNCTION public.f() RETURNS bigint;\n\n"
            "CREATE VIEW public.v AS\nSELECT public.f() AS x;\n");
  EXPECT_EQ(r.downgrade_sql,
            "DROP VIEW public.v;\n\n"
            "DROP FUNCTION public.f();\n\n"
            "CREATE OR REPLACE FUNCTION public.f() RETURNS integer;\n\n"
            "CREATE VIEW public.v AS\nSELECT public.f() AS x;\n");
  // Only the body changes: CREATE OR REPLACE, nothing rebuilt.
  b = a;
  b.functions[key].definition += " -- new body";
  EXPECT_EQ(DiffCatalogs(a, b).upgrade_sql,
            "CREATE OR REPLACE FUNCTION public.f() RETURNS integer -- new "
            "body;\n");
}

TEST(AutogenCompare, TypeChangeLeavesTheTablesIndexesToAlterColumnType) {
  Table t = MakeTable("t", {Col("id", "integer"), Col("n", "integer")});
  Catalog a = With({t});
  Index x;
  x.schema = "public";
  x.name = "t_n";
  x.table = RelationKey("public", "t");
  x.definition = "CREATE INDEX t_n ON public.t USING btree (n)";
  a.indexes[RelationKey("public", "t_n")] = x;
  Index other = x;
  other.name = "t_id";
  other.definition = "CREATE INDEX t_id ON public.t USING btree (id)";
  a.indexes[RelationKey("public", "t_id")] = other;
  a.depends_on[RelationKey("public", "t_n")] = {RelationKey("public", "t"),
                                                ColumnKey("public", "t", "n")};
  a.depends_on[RelationKey("public", "t_id")] = {
      RelationKey("public", "t"), ColumnKey("public", "t", "id")};
  Catalog b = a;
  b.tables[RelationKey("public", "t")].columns[1].type = "bigint";
  // ALTER COLUMN TYPE rebuilds t_n itself (and skips that when the new type
  // is binary-coercible), so the diff neither drops nor re-creates it.
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "ALTER TABLE public.t ALTER COLUMN n TYPE bigint USING "
            "n::bigint;\n");
  EXPECT_EQ(r.downgrade_sql,
            "-- retort: destructive\n"
            "ALTER TABLE public.t ALTER COLUMN n TYPE integer USING "
            "n::integer;\n");
}

TEST(AutogenCompare, PartitionBoundAndKeyChanges) {
  Table parent = MakeTable("ev", {Col("at", "date")});
  parent.kind = RelationKind::kPartitionedTable;
  parent.partition_key = "RANGE (at)";
  Table part = MakeTable("ev_1", {});
  part.partition_of = RelationKey("public", "ev");
  part.partition_bound = "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')";
  Catalog a = With({parent, part});
  Catalog b = a;
  b.tables[RelationKey("public", "ev_1")].partition_bound =
      "FOR VALUES FROM ('2020-01-01') TO ('2025-01-01')";
  AutogenResult r = DiffCatalogs(a, b);
  EXPECT_EQ(r.upgrade_sql,
            "ALTER TABLE public.ev DETACH PARTITION public.ev_1;\n"
            "ALTER TABLE public.ev ATTACH PARTITION public.ev_1 FOR VALUES "
            "FROM ('2020-01-01') TO ('2025-01-01');\n");
  EXPECT_EQ(r.downgrade_sql,
            "ALTER TABLE public.ev DETACH PARTITION public.ev_1;\n"
            "ALTER TABLE public.ev ATTACH PARTITION public.ev_1 FOR VALUES "
            "FROM ('2024-01-01') TO ('2025-01-01');\n");
  // A plain table becoming a partition: ATTACH PARTITION (DETACH in the
  // downgrade), no column of it proposed for drop.
  b = a;
  Table plain = MakeTable("ev_2", {Col("at", "date")});
  a.tables[RelationKey("public", "ev_2")] = plain;
  plain.columns.clear();
  plain.partition_of = RelationKey("public", "ev");
  plain.partition_bound = "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')";
  b.tables[RelationKey("public", "ev_2")] = plain;
  AutogenResult attach = DiffCatalogs(a, b);
  ASSERT_EQ(attach.operations.size(), 1u) << attach.upgrade_sql;
  EXPECT_EQ(attach.operations[0].kind, OpKind::kAlterTable);
  EXPECT_EQ(attach.upgrade_sql,
            "ALTER TABLE public.ev ATTACH PARTITION public.ev_2 FOR VALUES "
            "FROM ('2025-01-01') TO ('2026-01-01');\n");
  EXPECT_EQ(attach.downgrade_sql,
            "ALTER TABLE public.ev DETACH PARTITION public.ev_2;\n");
  a.tables.erase(RelationKey("public", "ev_2"));
  b = a;
  b.tables[RelationKey("public", "ev")].partition_key = "LIST (at)";
  AutogenResult key = DiffCatalogs(a, b);
  ASSERT_EQ(key.operations.size(), 1u);
  EXPECT_EQ(key.operations[0].kind, OpKind::kManual);
  EXPECT_NE(key.upgrade_sql.find("PostgreSQL has no ALTER for a partition key"),
            std::string::npos)
      << key.upgrade_sql;
}

}  // namespace
}  // namespace retort
