#include "runtime/run_dialect.h"

#include <gtest/gtest.h>

#include <limits>

namespace retort {
namespace {

using V = std::vector<std::string>;

TEST(RunDialectTest, PostgresStartsTheSessionWithItsTimeouts) {
  const RunDialect& pg = RunDialect::For(Dialect::kPostgres);
  RunSettings settings;
  settings.lock_timeout = "5s";
  settings.statement_timeout = "";
  EXPECT_EQ(pg.TimeoutStatements(settings), V{"SET lock_timeout = '5s'"});
  settings.lock_timeout = "";
  settings.statement_timeout = "it's";
  EXPECT_EQ(pg.TimeoutStatements(settings),
            V{"SET statement_timeout = 'it''s'"});
  EXPECT_TRUE(pg.HasLockTimeout());
  EXPECT_TRUE(pg.LockOutlivesTransactions());
  EXPECT_EQ(pg.MigrationBegin(), BeginMode::kDeferred);
  EXPECT_EQ(pg.BorrowedSessionStatements(true),
            V{"SET client_encoding = 'UTF8'"});
}

TEST(RunDialectTest, PostgresSchemaStatements) {
  const RunDialect& pg = RunDialect::For(Dialect::kPostgres);
  RunTarget target;
  EXPECT_FALSE(pg.SearchPathStatement(target).has_value());
  EXPECT_FALSE(pg.CreateSchemaStatement(target).has_value());
  target.schema = "Auth";
  EXPECT_EQ(pg.SearchPathStatement(target),
            "SET search_path TO \"Auth\", public");
  EXPECT_FALSE(pg.CreateSchemaStatement(target).has_value());
  target.create_schema = true;
  EXPECT_EQ(pg.CreateSchemaStatement(target),
            "CREATE SCHEMA IF NOT EXISTS \"Auth\"");
}

TEST(RunDialectTest, SqliteLocksWithBeginImmediate) {
  const RunDialect& lite = RunDialect::For(Dialect::kSqlite);
  RunSettings settings;
  RunTarget target;
  target.schema = "auth";
  target.create_schema = true;
  EXPECT_EQ(lite.TimeoutStatements(settings), V{});
  EXPECT_FALSE(lite.SearchPathStatement(target).has_value());
  EXPECT_FALSE(lite.CreateSchemaStatement(target).has_value());
  EXPECT_FALSE(lite.HasLockTimeout());
  EXPECT_FALSE(lite.LockOutlivesTransactions());
  EXPECT_EQ(lite.MigrationBegin(), BeginMode::kImmediate);
  // The busy timeout is the wait for the migration lock.
  EXPECT_EQ(lite.ConnectOptionsFor(settings).sqlite_busy_timeout_ms,
            std::numeric_limits<int>::max());
  settings.lock_wait_timeout_ms = 1500;
  EXPECT_EQ(lite.ConnectOptionsFor(settings).sqlite_busy_timeout_ms, 1500);
  EXPECT_EQ(lite.BorrowedSessionStatements(true),
            V{"PRAGMA foreign_keys = ON"});
  EXPECT_EQ(lite.BorrowedSessionStatements(false), V{});
}

}  // namespace
}  // namespace retort
