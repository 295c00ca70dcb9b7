#include "schemas/schema_choice.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

RevisionMap Graph() {
  Revision a;
  a.id = "aaaa";
  a.branch_labels = {"billing"};
  Revision b;
  b.id = "bbbb";
  b.down_revisions = {"aaaa"};
  auto map = RevisionMap::Build({a, b});
  EXPECT_TRUE(map.ok());
  return std::move(map).value();
}

std::string Check(const Config& config, const RevisionMap& map,
                  const std::string& schema, bool online = true,
                  bool all = true) {
  SchemaChoice c;
  c.config = &config;
  c.map = &map;
  c.schema = schema;
  c.command = "upgrade";
  c.all_schemas_possible = all;
  if (online) {
    c.database_schemas = []() -> Result<std::vector<std::string>> {
      return std::vector<std::string>{"public", "prod", "reporting"};
    };
  }
  Status s = CheckSchemaChoice(c);
  return s.ok() ? "ok" : s.message();
}

TEST(SchemaChoice, ConfiguredSchemas) {
  Config config;
  config.path = "retort.toml";
  config.schemas["auth"].name = "auth";
  config.schemas["inventory"].name = "inventory";
  RevisionMap map = Graph();
  EXPECT_EQ(Check(config, map, "auth"), "ok");
  EXPECT_EQ(Check(config, map, ""),
            "upgrade: this project keeps a version table per schema (auth, "
            "inventory: the [schemas.*] sections of retort.toml); name one "
            "with --schema auth (or -x schema=auth), or run them all with "
            "--all-schemas");
  EXPECT_EQ(Check(config, map, "", true, false),
            "upgrade: this project keeps a version table per schema (auth, "
            "inventory: the [schemas.*] sections of retort.toml); name one "
            "with --schema auth (or -x schema=auth)");
  EXPECT_EQ(Check(config, map, "authh"),
            "--schema authh: not a schema of this project (auth, inventory: "
            "the [schemas.*] sections of retort.toml); to add it, add a "
            "[schemas.authh] section; did you mean 'auth'?");
  // A branch label or a database schema does not count here.
  EXPECT_NE(Check(config, map, "billing"), "ok");
  EXPECT_NE(Check(config, map, "prod"), "ok");
}

TEST(SchemaChoice, WithoutConfiguredSchemas) {
  Config config;
  config.path = "retort.toml";
  config.tenants.schemas = {"tenant_a"};
  RevisionMap map = Graph();
  EXPECT_EQ(Check(config, map, ""), "ok");
  EXPECT_EQ(Check(config, map, "tenant_a"), "ok");
  EXPECT_EQ(Check(config, map, "billing"), "ok");  // a branch label
  EXPECT_EQ(Check(config, map, "prod"), "ok");     // in the database
  EXPECT_EQ(Check(config, map, "prodd"),
            "--schema prodd: no schema prodd in the database, and it is "
            "neither a [tenants] schema nor a branch label of this project "
            "(a new schema's first revision carries its name as branch "
            "label; or declare it with a [schemas.prodd] section); did you "
            "mean 'prod'?");
  EXPECT_EQ(Check(config, map, "prod", /*online=*/false),
            "--schema prod: retort cannot see the database's schemas "
            "offline, and it is neither a [tenants] schema nor a branch "
            "label of this project; declare it with a [schemas.prod] section "
            "of retort.toml");
  EXPECT_EQ(Check(config, map, "billing", /*online=*/false), "ok");
}

TEST(SchemaChoice, GraphCommandsNeedABranch) {
  Config plain;
  plain.path = "retort.toml";
  RevisionMap map = Graph();
  SchemaChoice c;
  c.config = &plain;
  c.map = &map;
  c.command = "heads";
  c.graph_only = true;
  EXPECT_TRUE(CheckSchemaChoice(c).ok());  // no schema: the whole graph
  c.schema = "billing";
  EXPECT_TRUE(CheckSchemaChoice(c).ok());
  c.schema = "billng";
  EXPECT_EQ(CheckSchemaChoice(c).message(),
            "--schema billng: heads shows a schema's branch, and this project "
            "has no branch billng (no [schemas.billng] section, [tenants] "
            "schema or branch label of that name); did you mean 'billing'?");
  Config configured = plain;
  configured.schemas["auth"].name = "auth";
  c.config = &configured;
  c.schema = "";
  EXPECT_TRUE(CheckSchemaChoice(c).ok());
  c.schema = "nosuch";
  EXPECT_NE(CheckSchemaChoice(c).message().find("not a schema of this project"),
            std::string::npos);
}

}  // namespace
}  // namespace retort
