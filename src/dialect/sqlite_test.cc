// SqliteConnection against in-memory and temporary-file databases: queries,
// parameters, errors with positions, transactions and locking.
#include "dialect/sqlite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "dialect/url.h"

namespace retort {
namespace {

std::unique_ptr<SqliteConnection> OpenMemory() {
  auto connection = SqliteConnection::Open(":memory:");
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(connection).value() : nullptr;
}

// A temporary file path, deleted (with its -wal/-journal) at scope exit.
class TempDbPath {
 public:
  TempDbPath() {
    path_ = (std::filesystem::temp_directory_path() /
             ("retort_sqlite_test_" + std::to_string(getpid()) + "_" +
              std::to_string(counter_++) + ".db"))
                .string();
  }
  ~TempDbPath() {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
    }
  }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(DialectSqlite, ExecuteAndQuery) {
  auto db = OpenMemory();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), Dialect::kSqlite);
  ASSERT_TRUE(db->Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, "
                          "score REAL, data BLOB);\n"
                          "INSERT INTO t (name, score) VALUES ('a', 1.5), "
                          "(NULL, 2);")
                  .ok());
  auto result = db->Query("SELECT id, name, score FROM t ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->columns, (std::vector<std::string>{"id", "name", "score"}));
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[0], (Row{"1", "a", "1.5"}));
  EXPECT_EQ(result->rows[1], (Row{"2", std::nullopt, "2.0"}));
  EXPECT_EQ(result->affected_rows, -1);
}

TEST(DialectSqlite, ParametersUseDollarNumbersLikePostgres) {
  auto db = OpenMemory();
  ASSERT_TRUE(db->Execute("CREATE TABLE v (a TEXT, b TEXT)").ok());
  auto insert = db->Query("INSERT INTO v (b, a) VALUES ($2, $1)",
                          {"first", std::nullopt});
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  EXPECT_EQ(insert->affected_rows, 1);
  auto rows = db->Query("SELECT a, b FROM v WHERE a = ?", {"first"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0], (Row{"first", std::nullopt}));

  auto missing = db->Query("SELECT $3", {"x"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "ERROR SQLITE_MISUSE: no value for parameter $3 (1 given)");
}

TEST(DialectSqlite, QueryRunsOneStatement) {
  auto db = OpenMemory();
  auto result = db->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "ERROR SQLITE_MISUSE: Query() runs one statement; use Execute() "
            "for several");
  EXPECT_TRUE(db->Query("SELECT 1; -- just a comment").ok());
}

TEST(DialectSqlite, SyntaxErrorHasCodeAndPosition) {
  auto db = OpenMemory();
  std::string sql = "CREATE TABLE a (x);\nSELEC 1;";
  Status st = db->Execute(sql);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kDatabase);
  EXPECT_EQ(st.message(), "ERROR SQLITE_ERROR: near \"SELEC\": syntax error");
  const DbError& error = db->last_error();
  EXPECT_EQ(error.sqlstate, "SQLITE_ERROR");
  EXPECT_EQ(error.statement, sql);
  EXPECT_EQ(error.position, static_cast<int>(sql.find("SELEC")) + 1);
  // The statement before the error ran.
  EXPECT_TRUE(db->Query("SELECT * FROM a").ok());
}

TEST(DialectSqlite, ConstraintErrorsNameTheExtendedCode) {
  auto db = OpenMemory();
  ASSERT_TRUE(db->Execute("CREATE TABLE u (a INTEGER UNIQUE);"
                          "INSERT INTO u VALUES (1);")
                  .ok());
  Status st = db->Execute("INSERT INTO u VALUES (1)");
  EXPECT_EQ(st.message(),
            "ERROR SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed: u.a");
  EXPECT_EQ(db->last_error().position, 0);
  EXPECT_TRUE(db->Execute("SELECT 1").ok());
  EXPECT_EQ(db->last_error().message, "");
}

TEST(DialectSqlite, ForeignKeysAreEnforced) {
  auto db = OpenMemory();
  ASSERT_TRUE(db->Execute("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                          "CREATE TABLE c (p INTEGER REFERENCES p (id));")
                  .ok());
  EXPECT_EQ(
      db->Execute("INSERT INTO c VALUES (42)").message(),
      "ERROR SQLITE_CONSTRAINT_FOREIGNKEY: FOREIGN KEY constraint failed");
}

TEST(DialectSqlite, TransactionsAndRollback) {
  auto db = OpenMemory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t (a INT)").ok());
  EXPECT_FALSE(db->InTransaction());
  ASSERT_TRUE(db->Begin().ok());
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(
      db->Execute("INSERT INTO t VALUES (1); CREATE TABLE t2 (b INT)").ok());
  ASSERT_TRUE(db->Rollback().ok());
  EXPECT_FALSE(db->InTransaction());
  auto count = db->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0], "0");
  EXPECT_FALSE(db->Query("SELECT * FROM t2").ok()) << "DDL rolls back too";
  EXPECT_TRUE(db->Rollback().ok()) << "no transaction: nothing to do";

  ASSERT_TRUE(db->Begin(BeginMode::kImmediate).ok());
  ASSERT_TRUE(db->Execute("INSERT INTO t VALUES (2)").ok());
  ASSERT_TRUE(db->Commit().ok());
  count = db->Query("SELECT count(*) FROM t");
  EXPECT_EQ(count->rows[0][0], "1");
  EXPECT_EQ(db->Commit().message(),
            "ERROR SQLITE_ERROR: cannot commit - no transaction is active");
}

TEST(DialectSqlite, BeginImmediateLocksOutOtherWriters) {
  TempDbPath file;
  ConnectOptions options;
  options.sqlite_busy_timeout_ms = 50;
  auto first = SqliteConnection::Open(file.path(), options);
  auto second = SqliteConnection::Open(file.path(), options);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->Execute("CREATE TABLE t (a INT)").ok());
  ASSERT_TRUE((*first)->Begin(BeginMode::kImmediate).ok());
  Status st = (*second)->Begin(BeginMode::kImmediate);
  EXPECT_EQ(st.message(), "ERROR SQLITE_BUSY: database is locked");
  ASSERT_TRUE((*first)->Commit().ok());
  EXPECT_TRUE((*second)->Begin(BeginMode::kImmediate).ok());
  EXPECT_TRUE((*second)->Rollback().ok());
}

TEST(DialectSqlite, OpenErrors) {
  ConnectOptions read_only;
  read_only.sqlite_read_only = true;
  auto missing = SqliteConnection::Open("/nonexistent/dir/x.db", read_only);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot open SQLite database '/nonexistent/dir/x.db': unable to "
            "open database file");

  TempDbPath file;
  {
    std::FILE* f = std::fopen(file.path().c_str(), "w");
    std::fputs(
        "this is not a database, just some text long enough to have "
        "a header where SQLite looks for its magic string\n",
        f);
    std::fclose(f);
  }
  auto garbage = SqliteConnection::Open(file.path());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            "cannot open SQLite database '" + file.path() +
                "': ERROR SQLITE_NOTADB: file is not a database");
}

TEST(DialectSqlite, CloseMakesLaterCallsFail) {
  auto db = OpenMemory();
  EXPECT_TRUE(db->IsOpen());
  db->Close();
  db->Close();
  EXPECT_FALSE(db->IsOpen());
  EXPECT_EQ(db->Execute("SELECT 1").message(),
            "ERROR: the connection is closed");
}

TEST(DialectSqlite, QuotingAndVersion) {
  auto db = OpenMemory();
  EXPECT_EQ(db->QuoteIdent("my \"t\""), "\"my \"\"t\"\"\"");
  EXPECT_EQ(db->QuoteLiteral("it's \\"), "'it''s \\'");
  EXPECT_GE(db->ServerVersion(), 3030000);
  ASSERT_TRUE(db->Execute("CREATE TABLE " + db->QuoteIdent("we\"ird") +
                          " (a TEXT); INSERT INTO " +
                          db->QuoteIdent("we\"ird") + " VALUES (" +
                          db->QuoteLiteral("it's") + ")")
                  .ok());
  auto rows = db->Query("SELECT a FROM \"we\"\"ird\"");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0][0], "it's");
}

TEST(DialectSqlite, ConnectFromUrl) {
  auto memory = Connect("sqlite://");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_EQ((*memory)->dialect(), Dialect::kSqlite);
  auto fk = (*memory)->Query("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ(fk->rows[0][0], "1");

  TempDbPath file;
  auto on_disk = Connect("sqlite:///" + file.path() + "?timeout=0.2");
  ASSERT_TRUE(on_disk.ok()) << on_disk.status().ToString();
  ASSERT_TRUE((*on_disk)->Execute("CREATE TABLE t (a INT)").ok());
  EXPECT_TRUE(std::filesystem::exists(file.path()));
  auto read_only = Connect("sqlite:///" + file.path() + "?mode=ro");
  ASSERT_TRUE(read_only.ok());
  EXPECT_EQ((*read_only)->Execute("INSERT INTO t VALUES (1)").message(),
            "ERROR SQLITE_READONLY: attempt to write a readonly database");
}

TEST(DialectSqlite, CodeNames) {
  EXPECT_EQ(SqliteCodeName(19), "SQLITE_CONSTRAINT");
  EXPECT_EQ(SqliteCodeName(2067), "SQLITE_CONSTRAINT_UNIQUE");
  EXPECT_EQ(SqliteCodeName(19 | (99 << 8)), "SQLITE_CONSTRAINT");
  EXPECT_EQ(SqliteCodeName(200), "SQLITE_200");
}

}  // namespace
}  // namespace retort
