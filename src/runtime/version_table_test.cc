// The version/history table SQL: Alembic's exact DDL and statements, the
// quoting rules, and the stability of the advisory lock key.
#include "runtime/version_table.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(RuntimeVersionTable, AlembicDdlByteForByte) {
  VersionTableSql pg(Dialect::kPostgres, "alembic_version", "");
  EXPECT_EQ(pg.CreateVersionTable(),
            "CREATE TABLE alembic_version (\n"
            "    version_num VARCHAR(32) NOT NULL, \n"
            "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
            ")");
  VersionTableSql vs(Dialect::kPostgres, "alembic_version", "vs");
  EXPECT_EQ(vs.qualified(), "vs.alembic_version");
  EXPECT_EQ(vs.qualified_history(), "vs.alembic_version_history");
  EXPECT_EQ(vs.CreateVersionTable().substr(0, 32),
            "CREATE TABLE vs.alembic_version ");
}

TEST(RuntimeVersionTable, OfflineOpsAsAlembicPrintsThem) {
  VersionTableSql pg(Dialect::kPostgres, "alembic_version", "");
  EXPECT_EQ(pg.OfflineOp({VersionOp::Kind::kInsert, "", "000000000001"}),
            "INSERT INTO alembic_version (version_num) VALUES "
            "('000000000001') RETURNING alembic_version.version_num");
  EXPECT_EQ(
      pg.OfflineOp({VersionOp::Kind::kUpdate, "000000000001", "000000000002"}),
      "UPDATE alembic_version SET version_num='000000000002' WHERE "
      "alembic_version.version_num = '000000000001'");
  EXPECT_EQ(pg.OfflineOp({VersionOp::Kind::kDelete, "000000000001", ""}),
            "DELETE FROM alembic_version WHERE alembic_version.version_num = "
            "'000000000001'");
  VersionTableSql lite(Dialect::kSqlite, "alembic_version", "");
  EXPECT_EQ(lite.OfflineOp({VersionOp::Kind::kInsert, "", "a"}),
            "INSERT INTO alembic_version (version_num) VALUES ('a')");
}

TEST(RuntimeVersionTable, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(MaybeQuoteIdent("alembic_version_auth"), "alembic_version_auth");
  EXPECT_EQ(MaybeQuoteIdent("Versions"), "\"Versions\"");
  EXPECT_EQ(MaybeQuoteIdent("my-table"), "\"my-table\"");
  EXPECT_EQ(MaybeQuoteIdent("user"), "\"user\"");
  EXPECT_EQ(MaybeQuoteIdent("1abc"), "\"1abc\"");
}

TEST(RuntimeVersionTable, LockKeyIsStable) {
  // Pinned: other processes (and other retort builds) must agree on it.
  // The value is FNV-1a 64 over "retort-migration-lock", database, schema
  // and table, each followed by a 0xff byte (checked with Python).
  EXPECT_EQ(MigrationLockKey("game", "auth", "alembic_version_auth"),
            -6806343915266286841LL);
  EXPECT_NE(MigrationLockKey("game", "auth", "v"),
            MigrationLockKey("game", "", "authv"));
  EXPECT_NE(MigrationLockKey("game", "a", "v"),
            MigrationLockKey("gamea", "", "v"));
  EXPECT_EQ(MigrationLockKey("", "", ""), MigrationLockKey("", "", ""));
}

TEST(RuntimeVersionTable, AppliedByIsUserAtHost) {
  std::string who = AppliedBy();
  EXPECT_NE(who.find('@'), std::string::npos) << who;
  EXPECT_GT(who.find('@'), 0u);
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

TEST(RuntimeVersionTable, MetaTableAndHistoryVersionTwo) {
  VersionTableSql pg(Dialect::kPostgres, "alembic_version_auth", "auth");
  EXPECT_EQ(pg.qualified_meta(), "auth.alembic_version_auth_retort");
  EXPECT_EQ(pg.CreateMetaTable(),
            "CREATE TABLE IF NOT EXISTS auth.alembic_version_auth_retort (\n"
            "    name VARCHAR(64) NOT NULL, \n"
            "    value VARCHAR(255) NOT NULL, \n"
            "    CONSTRAINT alembic_version_auth_retort_pkey PRIMARY KEY "
            "(name)\n)");
  auto columns = pg.HistoryV2Columns();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0].second,
            "ALTER TABLE auth.alembic_version_auth_history ADD COLUMN "
            "progress VARCHAR(16)");
  EXPECT_EQ(columns[1].first, "statement");
  Params params;
  EXPECT_NE(pg.HistoryColumnsQuery(&params).find("pg_attribute"),
            std::string::npos);
  EXPECT_EQ(params, (Params{"auth.alembic_version_auth_history"}));
  VersionTableSql lite(Dialect::kSqlite, "alembic_version", "");
  EXPECT_EQ(lite.HistoryColumnsQuery(&params),
            "SELECT name FROM pragma_table_info($1)");
  EXPECT_EQ(params, (Params{"alembic_version_history"}));
  EXPECT_EQ(kHistoryTableVersion, 2);
}

}  // namespace
}  // namespace retort
