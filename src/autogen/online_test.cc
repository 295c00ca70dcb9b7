// Online plans on hand-built catalogs: the SQL of each plan kind the
// integration tests do not run (partitioned indexes, DROP INDEX, PRIMARY
// KEY USING INDEX), what is left alone, and what is marked "blocks writes"
// with its reason.
#include "autogen/online.h"

#include <gtest/gtest.h>

#include "autogen/autogen.h"

namespace retort {
namespace {

Column Col(const std::string& name, const std::string& type,
           bool not_null = false) {
  Column c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  return c;
}

Constraint Key(const std::string& name, ConstraintKind kind,
               const std::string& definition) {
  Constraint k;
  k.name = name;
  k.kind = kind;
  k.definition = definition;
  return k;
}

Table Orders() {
  Table t;
  t.schema = "public";
  t.name = "orders";
  t.columns = {Col("id", "bigint", true), Col("qty", "integer"),
               Col("code", "character varying(10)")};
  t.constraints = {
      Key("orders_pkey", ConstraintKind::kPrimaryKey, "PRIMARY KEY (id)")};
  return t;
}

Index MakeIndex(const std::string& name, const std::string& table,
                const std::string& columns) {
  Index x;
  x.schema = "public";
  x.name = name;
  x.table = RelationKey("public", table);
  x.definition = "CREATE INDEX " + name + " ON public." + table +
                 " USING btree (" + columns + ")";
  return x;
}

Catalog With(std::vector<Table> tables, std::vector<Index> indexes = {}) {
  Catalog c;
  c.schemas[SchemaKey("public")] = Schema{"public", std::nullopt};
  for (Table& t : tables) c.tables[RelationKey(t.schema, t.name)] = t;
  for (Index& x : indexes) c.indexes[RelationKey(x.schema, x.name)] = x;
  return c;
}

std::string Online(const Catalog& from, const Catalog& to) {
  return DiffCatalogs(from, to, false, {}, /*online=*/true).upgrade_sql;
}

TEST(AutogenOnline, DropIndexConcurrently) {
  Catalog from = With({Orders()}, {MakeIndex("orders_qty", "orders", "qty")});
  Catalog to = With({Orders()});
  EXPECT_EQ(Online(from, to),
            "-- retort: step transactional=false\n"
            "DROP INDEX CONCURRENTLY public.orders_qty;\n");
}

TEST(AutogenOnline, PartitionedIndexOnOnlyThenEachPartitionThenAttach) {
  Table parent = Orders();
  parent.kind = RelationKind::kPartitionedTable;
  parent.partition_key = "RANGE (id)";
  parent.constraints.clear();
  Table p1 = Orders();
  p1.name = "orders_1";
  p1.partition_of = RelationKey("public", "orders");
  p1.partition_bound = "FOR VALUES FROM (0) TO (100)";
  p1.constraints.clear();
  Catalog from = With({parent, p1});
  Catalog to = With({parent, p1}, {MakeIndex("orders_qty", "orders", "qty")});
  EXPECT_EQ(Online(from, to),
            "-- partitioned: the index is created ON ONLY the parent, built "
            "on each partition concurrently, and attached\n"
            "CREATE INDEX orders_qty ON ONLY public.orders USING btree "
            "(qty);\n"
            "-- retort: step transactional=false\n"
            "CREATE INDEX CONCURRENTLY orders_1_orders_qty ON "
            "public.orders_1 USING btree (qty);\n"
            "-- retort: step\n"
            "ALTER INDEX public.orders_qty ATTACH PARTITION "
            "public.orders_1_orders_qty;\n");
}

TEST(AutogenOnline, PrimaryKeyUsingAConcurrentIndex) {
  Table before = Orders();
  before.constraints.clear();
  Catalog from = With({before});
  Catalog to = With({Orders()});
  EXPECT_EQ(Online(from, to),
            "-- retort: step transactional=false\n"
            "CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON public.orders "
            "USING btree (id);\n"
            "-- retort: step\n"
            "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY "
            "USING INDEX orders_pkey;\n");
}

TEST(AutogenOnline, ChangesThatTakeOnlyABriefLockStayAsTheyAre) {
  // varchar(10) -> varchar(20) and -> text do not rewrite the table.
  for (const char* type : {"character varying(20)", "text"}) {
    Table after = Orders();
    after.columns[2].type = type;
    EXPECT_EQ(Online(With({Orders()}), With({after})),
              "ALTER TABLE public.orders ALTER COLUMN code TYPE " +
                  std::string(type) + " USING code::" + type + ";\n");
  }
  // A table the revision creates: nobody writes to it yet.
  EXPECT_EQ(Online(With({}),
                   With({Orders()}, {MakeIndex("orders_qty", "orders", "qty")}))
                .find("CONCURRENTLY"),
            std::string::npos);
}

TEST(AutogenOnline, SwapThatCannotBeDoneOnlineSaysWhy) {
  Table before = Orders();
  before.constraints.push_back(
      Key("orders_qty_key", ConstraintKind::kUnique, "UNIQUE (qty)"));
  Table after = before;
  after.columns[1].type = "bigint";
  EXPECT_EQ(Online(With({before}), With({after})),
            "-- retort: blocks writes: changing qty from integer to bigint "
            "rewrites public.orders; it is in key orders_qty_key (a swap of a "
            "key column is not planned online yet)\n"
            "ALTER TABLE public.orders ALTER COLUMN qty TYPE bigint USING "
            "qty::bigint;\n");

  // A unique key other tables reference: the file says what that costs.
  Table lines;
  lines.schema = "public";
  lines.name = "lines";
  lines.columns = {Col("order_qty", "integer")};
  Constraint fk = Key("lines_order_fk", ConstraintKind::kForeignKey,
                      "FOREIGN KEY (order_qty) REFERENCES public.orders(qty)");
  fk.referenced_table = RelationKey("public", "orders");
  lines.constraints = {fk};
  Table keyed = Orders();
  keyed.constraints.push_back(
      Key("orders_qty_key", ConstraintKind::kUnique, "UNIQUE (qty)"));
  Table wide = keyed;
  wide.columns[1].type = "numeric";
  EXPECT_NE(Online(With({keyed, lines}), With({wide, lines}))
                .find("; it is in key orders_qty_key, which foreign keys "
                      "reference (public.lines.lines_order_fk; each is "
                      "checked again, its table locked too) (a swap of a key "
                      "column is not planned online yet)\n"),
            std::string::npos);

  // A CHECK on the column is made again on the new one, renamed at the
  // swap...
  before = Orders();
  before.constraints.push_back(
      Key("orders_qty_check", ConstraintKind::kCheck, "CHECK ((qty > 0))"));
  after = before;
  after.columns[1].type = "bigint";
  const std::string plan = Online(With({before}), With({after}));
  EXPECT_NE(plan.find("-- retort: step\nALTER TABLE public.orders ADD "
                      "CONSTRAINT orders_qty_check_retort_new CHECK "
                      "((qty_retort_new > 0)) NOT VALID;\n-- retort: step\n"
                      "ALTER TABLE public.orders VALIDATE CONSTRAINT "
                      "orders_qty_check_retort_new;\n"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("ALTER TABLE public.orders RENAME CONSTRAINT "
                      "orders_qty_check_retort_new TO orders_qty_check;\n"),
            std::string::npos)
      << plan;
  // ... unless it uses the name otherwise than as the column.
  before.constraints.back().definition = "CHECK ((qty(id) > 0))";
  after = before;
  after.columns[1].type = "bigint";
  EXPECT_NE(Online(With({before}), With({after}))
                .find("; constraint orders_qty_check uses the column (a swap "
                      "of a constrained column is not planned online yet)"),
            std::string::npos);

  // No single-column primary key to backfill by.
  before = Orders();
  before.constraints.clear();
  after = before;
  after.columns[1].type = "bigint";
  EXPECT_NE(Online(With({before}), With({after}))
                .find("-- retort: blocks writes: changing qty from integer "
                      "to bigint rewrites public.orders; it has no "
                      "single-column primary key to backfill by\n"),
            std::string::npos);

  // A materialized view reading the table: made again, its query would run
  // under the swap's lock. (Plain views move into the swap: tests/.)
  before = Orders();
  after = before;
  after.columns[1].type = "bigint";
  Catalog from = With({before});
  View v;
  v.schema = "public";
  v.name = "big_orders";
  v.definition = " SELECT orders.id FROM orders WHERE orders.qty > 10;";
  v.materialized = true;
  const std::string view_key = RelationKey("public", "big_orders");
  from.views[view_key] = v;
  from.depends_on[view_key] = {RelationKey("public", "orders")};
  Catalog to = With({after});
  to.views[view_key] = v;
  to.depends_on[view_key] = {RelationKey("public", "orders")};
  EXPECT_NE(Online(from, to).find("; materialized view public.big_orders "
                                  "reads the table, and making it again "
                                  "would run its query under the swap's "
                                  "lock"),
            std::string::npos)
      << Online(from, to);
}

TEST(AutogenOnline, ExclusionConstraintBlocksWrites) {
  Table after = Orders();
  after.constraints.push_back(Key("orders_excl", ConstraintKind::kExclusion,
                                  "EXCLUDE USING gist (qty WITH =)"));
  EXPECT_NE(Online(With({Orders()}), With({after}))
                .find("-- retort: blocks writes: an exclusion constraint is "
                      "built with the table locked against writes"),
            std::string::npos);
}

TEST(AutogenOnline, WhatFollowsAnOnlineChangeStartsAStepOfItsOwn) {
  // The comment sorts after the index: it must not run inside the index's
  // autocommit step, nor be taken for part of it.
  Table after = Orders();
  after.comment = "all orders";
  Catalog to = With({after}, {MakeIndex("orders_qty", "orders", "qty")});
  EXPECT_EQ(Online(With({Orders()}), to),
            "-- retort: step transactional=false\n"
            "-- built while writes go on; an INVALID leftover of an "
            "interrupted build is dropped and built again on resume\n"
            "CREATE INDEX CONCURRENTLY orders_qty ON public.orders USING "
            "btree (qty);\n\n"
            "-- retort: step\n"
            "COMMENT ON TABLE public.orders IS 'all orders';\n");
}

TEST(AutogenOnline, RemovalsGoToTheContractUnlessSomethingNeedsThemFirst) {
  Table after = Orders();
  after.columns.pop_back();  // code dropped
  Table added;
  added.schema = "public";
  added.name = "audit";
  added.columns = {Col("id", "bigint")};
  AutogenResult r = DiffCatalogs(With({Orders()}), With({after, added}), false,
                                 {}, /*online=*/true);
  EXPECT_EQ(r.upgrade_sql, "CREATE TABLE public.audit (\n    id bigint\n);\n");
  EXPECT_EQ(r.contract_upgrade_sql,
            "-- retort: destructive\n"
            "ALTER TABLE public.orders DROP COLUMN code;\n");
  EXPECT_EQ(r.contract_downgrade_sql,
            "ALTER TABLE public.orders ADD COLUMN code character "
            "varying(10);\n");

  // A view replaced by a table of its name: the drop must come first, so
  // it stays in the expand revision.
  Catalog from = With({Orders()});
  View v;
  v.schema = "public";
  v.name = "audit";
  v.definition = " SELECT 1;";
  from.views[RelationKey("public", "audit")] = v;
  r = DiffCatalogs(from, With({Orders(), added}), false, {}, true);
  EXPECT_EQ(r.contract_upgrade_sql, "");
  EXPECT_NE(r.upgrade_sql.find("DROP VIEW public.audit;"), std::string::npos)
      << r.upgrade_sql;

  // Without --online nothing is split.
  r = DiffCatalogs(With({Orders()}), With({after}));
  EXPECT_EQ(r.contract_upgrade_sql, "");
  EXPECT_NE(r.upgrade_sql.find("DROP COLUMN code"), std::string::npos);
}

}  // namespace
}  // namespace retort
