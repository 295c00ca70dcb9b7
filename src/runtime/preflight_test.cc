// The statements a revision may not run, read from PostgreSQL's parse tree
// and SQLite's tokens (never from the text alone). The refusals with their
// file:line are tested end to end in tests/bad_inputs_test.cc.
#include "runtime/preflight.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::string Pg(const std::string& sql, const std::string& schema = "") {
  return ForbiddenStatement(Dialect::kPostgres, sql, "alembic_version", schema);
}
std::string Lite(const std::string& sql) {
  return ForbiddenStatement(Dialect::kSqlite, sql, "alembic_version", "");
}

TEST(Preflight, TransactionControlThatEndsTheRunsTransaction) {
  EXPECT_EQ(Pg("COMMIT"), "COMMIT");
  EXPECT_EQ(Pg("end"), "COMMIT");
  EXPECT_EQ(Pg("ROLLBACK"), "ROLLBACK");
  EXPECT_EQ(Pg("abort"), "ROLLBACK");
  EXPECT_EQ(Pg("BEGIN"), "BEGIN");
  EXPECT_EQ(Pg("START TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
            "START TRANSACTION");
  EXPECT_EQ(Pg("PREPARE TRANSACTION 'x'"), "PREPARE TRANSACTION");
  // Savepoints stay inside the transaction.
  EXPECT_EQ(Pg("SAVEPOINT a"), "");
  EXPECT_EQ(Pg("RELEASE SAVEPOINT a"), "");
  EXPECT_EQ(Pg("ROLLBACK TO SAVEPOINT a"), "");
  // Text is not a statement.
  EXPECT_EQ(Pg("SELECT 'COMMIT'"), "");
  EXPECT_EQ(Pg("CREATE FUNCTION f() RETURNS void AS $$ BEGIN COMMIT; END $$ "
               "LANGUAGE plpgsql"),
            "");
  EXPECT_EQ(Lite("COMMIT"), "COMMIT");
  EXPECT_EQ(Lite("END TRANSACTION"), "COMMIT");
  EXPECT_EQ(Lite("begin immediate"), "BEGIN");
  EXPECT_EQ(Lite("ROLLBACK"), "ROLLBACK");
  EXPECT_EQ(Lite("ROLLBACK TRANSACTION TO SAVEPOINT a"), "");
  EXPECT_EQ(Lite("ROLLBACK TO a"), "");
  EXPECT_EQ(Lite("SAVEPOINT a"), "");
  EXPECT_EQ(Lite("SELECT 'COMMIT'"), "");
}

TEST(Preflight, RetortsOwnTables) {
  EXPECT_EQ(Pg("DROP TABLE alembic_version"), "DROP TABLE alembic_version");
  EXPECT_EQ(Pg("DROP TABLE IF EXISTS t, public.alembic_version CASCADE"),
            "DROP TABLE public.alembic_version");
  EXPECT_EQ(Pg("DROP TABLE alembic_version_history"),
            "DROP TABLE alembic_version_history");
  EXPECT_EQ(Pg("TRUNCATE alembic_version"), "TRUNCATE alembic_version");
  EXPECT_EQ(Pg("ALTER TABLE alembic_version RENAME TO old"),
            "ALTER TABLE alembic_version RENAME");
  EXPECT_EQ(Pg("ALTER TABLE alembic_version SET SCHEMA x"),
            "ALTER TABLE alembic_version SET SCHEMA");
  // Widening version_num is Alembic practice; other tables are the user's.
  EXPECT_EQ(Pg("ALTER TABLE alembic_version ALTER COLUMN version_num TYPE "
               "varchar(64)"),
            "");
  EXPECT_EQ(Pg("DROP TABLE alembic_versions"), "");
  EXPECT_EQ(Pg("DROP TABLE \"Alembic_Version\""), "");
  EXPECT_EQ(Pg("DROP VIEW alembic_version"), "");
  EXPECT_EQ(Pg("SELECT 'DROP TABLE alembic_version'"), "");
  // With the version table in schema auth, another schema's is not ours.
  EXPECT_EQ(Pg("DROP TABLE billing.alembic_version", "auth"), "");
  EXPECT_EQ(Pg("DROP TABLE auth.alembic_version", "auth"),
            "DROP TABLE auth.alembic_version");
  EXPECT_EQ(Lite("DROP TABLE IF EXISTS \"ALEMBIC_VERSION\""),
            "DROP TABLE ALEMBIC_VERSION");
  EXPECT_EQ(Lite("DROP TABLE main.alembic_version"),
            "DROP TABLE main.alembic_version");
  EXPECT_EQ(Lite("ALTER TABLE alembic_version RENAME TO x"),
            "ALTER TABLE alembic_version RENAME");
  EXPECT_EQ(Lite("ALTER TABLE alembic_version RENAME COLUMN a TO b"), "");
  EXPECT_EQ(Lite("DROP TABLE t"), "");
  EXPECT_EQ(Lite("INSERT INTO t VALUES ('DROP TABLE alembic_version')"), "");
}

}  // namespace
}  // namespace retort
