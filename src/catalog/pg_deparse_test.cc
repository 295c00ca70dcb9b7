#include "catalog/pg_deparse.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(CatalogPgDeparse, KeyConstraints) {
  KeyConstraintParts key;
  key.primary = true;
  key.columns = {"id"};
  EXPECT_EQ(KeyConstraintDefinition(key), "PRIMARY KEY (id)");
  key.primary = false;
  key.nulls_not_distinct = true;
  key.columns = {"a", "Order"};
  key.include = {"c"};
  key.deferrable = true;
  key.initially_deferred = true;
  EXPECT_EQ(KeyConstraintDefinition(key),
            "UNIQUE NULLS NOT DISTINCT (a, \"Order\") INCLUDE (c) DEFERRABLE "
            "INITIALLY DEFERRED");
}

TEST(CatalogPgDeparse, ForeignKeys) {
  ForeignKeyParts fk;
  fk.columns = {"user_id"};
  fk.referenced = "auth.users";
  fk.referenced_columns = {"id"};
  EXPECT_EQ(ForeignKeyDefinition(fk),
            "FOREIGN KEY (user_id) REFERENCES auth.users(id)");
  fk.match = 'f';
  fk.on_update = 'c';
  fk.on_delete = 'n';
  fk.set_columns = {"user_id"};
  fk.not_valid = true;
  EXPECT_EQ(ForeignKeyDefinition(fk),
            "FOREIGN KEY (user_id) REFERENCES auth.users(id) MATCH FULL ON "
            "UPDATE CASCADE ON DELETE SET NULL (user_id) NOT VALID");
  fk.on_delete = 'x';
  EXPECT_EQ(ForeignKeyDefinition(fk), std::nullopt);
  fk.on_delete = 'a';
  fk.match = '?';
  EXPECT_EQ(ForeignKeyDefinition(fk), std::nullopt);
  EXPECT_EQ(ForeignKeyActionSql('a'), "");
  EXPECT_EQ(ForeignKeyActionSql('r'), "RESTRICT");
  EXPECT_EQ(ForeignKeyActionSql('d'), "SET DEFAULT");
}

TEST(CatalogPgDeparse, PlainIndexes) {
  PlainIndexParts index;
  index.name = "ix";
  index.table = "auth.users";
  index.columns = {{"email"}};
  EXPECT_EQ(PlainIndexDefinition(index),
            "CREATE INDEX ix ON auth.users USING btree (email)");
  index.unique = true;
  index.name = "Ix";
  index.method = "hash";
  index.columns = {{"a", true, true}, {"b", true, false}, {"c", false, true}};
  index.include = {"d"};
  EXPECT_EQ(PlainIndexDefinition(index),
            "CREATE UNIQUE INDEX \"Ix\" ON auth.users USING hash (a DESC, b "
            "DESC NULLS LAST, c NULLS FIRST) INCLUDE (d)");
}

}  // namespace
}  // namespace retort
