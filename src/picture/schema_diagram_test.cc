#include "picture/schema_diagram.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

Table MakeTable(std::string schema, std::string name,
                std::vector<std::pair<std::string, std::string>> columns) {
  Table t;
  t.schema = std::move(schema);
  t.name = std::move(name);
  for (auto& [n, type] : columns) {
    Column c;
    c.name = n;
    c.type = type;
    t.columns.push_back(c);
  }
  return t;
}

Constraint Key(ConstraintKind kind, std::string name, std::string def,
               std::string referenced = "") {
  Constraint c;
  c.kind = kind;
  c.name = std::move(name);
  c.definition = std::move(def);
  c.referenced_table = std::move(referenced);
  return c;
}

// auth.users(id PK, email), shop.orders(id PK, "user", note) with
// orders.user -> users.id; a partition of orders left out.
Catalog TwoSchemas() {
  Catalog c;
  Table users =
      MakeTable("auth", "users", {{"id", "bigint"}, {"email", "text"}});
  users.columns[0].not_null = true;
  users.constraints.push_back(
      Key(ConstraintKind::kPrimaryKey, "users_pkey", "PRIMARY KEY (id)"));
  Table orders = MakeTable("shop", "orders",
                           {{"id", "integer"},
                            {"user", "bigint"},
                            {"note", "character varying(80)"}});
  orders.constraints.push_back(
      Key(ConstraintKind::kPrimaryKey, "orders_pkey", "PRIMARY KEY (id)"));
  orders.constraints.push_back(
      Key(ConstraintKind::kForeignKey, "orders_user_fkey",
          "FOREIGN KEY (\"user\") REFERENCES auth.users(id) ON DELETE CASCADE",
          RelationKey("auth", "users")));
  Table part = MakeTable("shop", "orders_2026", {{"id", "integer"}});
  part.partition_of = RelationKey("shop", "orders");
  c.tables[RelationKey("auth", "users")] = users;
  c.tables[RelationKey("shop", "orders")] = orders;
  c.tables[RelationKey("shop", "orders_2026")] = part;
  return c;
}

TEST(SchemaDiagram, OfAPostgresCatalog) {
  SchemaDiagram d = DiagramOf(TwoSchemas());
  ASSERT_EQ(d.tables.size(), 2u);
  EXPECT_EQ(d.tables[0].name, "users");
  EXPECT_TRUE(d.tables[0].columns[0].primary_key);
  EXPECT_TRUE(d.tables[0].columns[0].not_null);
  EXPECT_FALSE(d.tables[0].columns[1].primary_key);
  EXPECT_EQ(d.tables[1].name, "orders");
  EXPECT_TRUE(d.tables[1].columns[1].foreign_key);  // "user", a keyword
  ASSERT_EQ(d.foreign_keys.size(), 1u);
  const DiagramForeignKey& fk = d.foreign_keys[0];
  EXPECT_EQ(fk.name, "orders_user_fkey");
  EXPECT_EQ(fk.columns, std::vector<std::string>{"user"});
  EXPECT_EQ(fk.referenced_schema, "auth");
  EXPECT_EQ(fk.referenced_table, "users");
  EXPECT_EQ(fk.referenced_columns, std::vector<std::string>{"id"});
}

TEST(SchemaDiagram, ReferenceOutsideTheCatalogReadFromTheDefinition) {
  Catalog c;
  Table t = MakeTable("app", "a", {{"b_id", "integer"}});
  t.constraints.push_back(Key(ConstraintKind::kForeignKey, "a_b",
                              "FOREIGN KEY (b_id) REFERENCES \"Other\".b(id)",
                              RelationKey("Other", "b")));
  c.tables[RelationKey("app", "a")] = t;
  SchemaDiagram d = DiagramOf(c);
  ASSERT_EQ(d.foreign_keys.size(), 1u);
  EXPECT_EQ(d.foreign_keys[0].referenced_schema, "Other");
  EXPECT_EQ(d.foreign_keys[0].referenced_table, "b");
}

TEST(SchemaDiagram, MermaidEntitiesAndRelationships) {
  EXPECT_EQ(SchemaDiagramMermaid(DiagramOf(TwoSchemas())),
            "erDiagram\n"
            "  auth_users {\n"
            "    bigint id PK\n"
            "  }\n"
            "  shop_orders {\n"
            "    integer id PK\n"
            "    bigint user FK\n"
            "  }\n"
            "  shop_orders }o--|| auth_users : \"user\"\n");
  DiagramPictureOptions all;
  all.all_columns = true;
  all.title = "db: \"prod\"";
  std::string text = SchemaDiagramMermaid(DiagramOf(TwoSchemas()), all);
  const std::string title = "---\ntitle: \"db: \\\"prod\\\"\"\n---\n";
  EXPECT_EQ(text.substr(0, title.size()), title);
  EXPECT_NE(text.find("    character_varying(80) note\n"), std::string::npos);
  EXPECT_NE(text.find("    text email\n"), std::string::npos);
}

TEST(SchemaDiagram, DotClustersPerSchemaAndPortedEdges) {
  std::string dot = SchemaDiagramDot(DiagramOf(TwoSchemas()));
  const std::string head =
      "digraph schema {\n"
      "  rankdir=LR;\n"
      "  node [shape=plain, fontname=\"monospace\"];\n"
      "  subgraph \"cluster_auth\" {\n"
      "    label=\"auth\";\n";
  EXPECT_EQ(dot.substr(0, head.size()), head);
  EXPECT_NE(dot.find("<td port=\"c1\" align=\"left\">user</td>"),
            std::string::npos);
  EXPECT_EQ(dot.find(">note<"), std::string::npos);  // keys only
  EXPECT_NE(dot.find("  \"shop.orders\":c1 -> \"auth.users\":c0 "
                     "[tooltip=\"orders_user_fkey\"];\n"),
            std::string::npos);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST(SchemaDiagram, OneSchemaHasNoClustersAndPlainNames) {
  Catalog c = TwoSchemas();
  c.tables.erase(RelationKey("shop", "orders"));
  std::string dot = SchemaDiagramDot(DiagramOf(c));
  EXPECT_EQ(dot.find("subgraph"), std::string::npos);
  EXPECT_NE(dot.find("  \"auth.users\" [label=<"), std::string::npos);
  EXPECT_EQ(SchemaDiagramMermaid(DiagramOf(c)),
            "erDiagram\n  users {\n    bigint id PK\n  }\n");
}

TEST(SchemaDiagram, HtmlInNamesIsEscaped) {
  Catalog c;
  c.tables[RelationKey("s", "a<b>")] =
      MakeTable("s", "a<b>", {{"x&y", "text"}});
  DiagramPictureOptions all;
  all.all_columns = true;
  std::string dot = SchemaDiagramDot(DiagramOf(c), all);
  EXPECT_NE(dot.find("<b>a&lt;b&gt;</b>"), std::string::npos);
  EXPECT_NE(dot.find(">x&amp;y</td>"), std::string::npos);
}

}  // namespace
}  // namespace retort
