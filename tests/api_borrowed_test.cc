// A Migrator on a connection the application already holds
// (Options::connection, retort/connection.h): libpq's PGconn and an sqlite3
// handle opened by this test as an application would, used for upgrade,
// current, verify and downgrade, and handed back open, outside a
// transaction, with every session setting as it was lent.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <retort_embedded/api_basic.h>
#include <retort_embedded/api_session.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>

#include "pg_harness.h"
#include "retort/retort.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

struct PqFinish {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgHandle = std::unique_ptr<PGconn, PqFinish>;

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteClose>;

PgHandle ConnectPg(const std::string& url) {
  PgHandle conn(PQconnectdb(url.c_str()));
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  return conn;
}

// One value of a one-row query; "<error: ...>" when it fails.
std::string PgValue(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                        ? PQgetvalue(r, 0, 0)
                        : "<error: " + std::string(PQerrorMessage(conn)) + ">";
  PQclear(r);
  return out;
}

void PgExec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn);
  PQclear(r);
}

std::string SqliteValue(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(stmt);
  return out;
}

std::unique_ptr<Migrator> OpenOn(const BorrowedConnection& connection,
                                 const MigrationSet& set) {
  Options options;
  options.config_path = "";
  options.migrations = &set;
  options.connection = connection;
  auto m = Migrator::Open(options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

TEST(ApiBorrowed, PostgresSessionIsHandedBackAsItWasLent) {
  PgHandle conn = ConnectPg(testing::FreshDatabaseUrl());
  ASSERT_NE(conn, nullptr);
  // The application's own settings, which retort changes for its run
  // (lock_timeout, client_encoding) or the revision does (work_mem,
  // DateStyle).
  PgExec(conn.get(), "SET lock_timeout = '42s'");
  PgExec(conn.get(), "SET work_mem = '3MB'");
  PgExec(conn.get(), "SET client_encoding = 'LATIN1'");
  const std::string datestyle = PgValue(conn.get(), "SHOW DateStyle");

  BorrowedConnection lent;
  lent.postgres = conn.get();
  auto m = OpenOn(lent, embedded::api_session());
  ASSERT_NE(m, nullptr);
  auto pending = m->Pending();
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, "c3c3c3c3c3c3");
  auto up = m->Upgrade("head");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->heads_after, std::vector<std::string>{"c3c3c3c3c3c3"});

  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK);
  EXPECT_EQ(PQtransactionStatus(conn.get()), PQTRANS_IDLE);
  EXPECT_EQ(PgValue(conn.get(), "SHOW lock_timeout"), "42s");
  EXPECT_EQ(PgValue(conn.get(), "SHOW work_mem"), "3MB");
  EXPECT_EQ(PgValue(conn.get(), "SHOW client_encoding"), "LATIN1");
  EXPECT_EQ(PgValue(conn.get(), "SHOW DateStyle"), datestyle);
  // The advisory lock is released: another session can take it.
  EXPECT_EQ(PgValue(conn.get(),
                    "SELECT count(*) FROM pg_locks WHERE "
                    "locktype = 'advisory' AND pid = "
                    "pg_backend_pid()"),
            "0");
  // The work is committed and visible on the application's session.
  EXPECT_EQ(PgValue(conn.get(), "SELECT version_num FROM alembic_version"),
            "c3c3c3c3c3c3");
  EXPECT_EQ(PgValue(conn.get(),
                    "SELECT to_regclass('public.session_probe') "
                    "IS NOT NULL"),
            "t");

  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].id, "c3c3c3c3c3c3");
  auto verified = m->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->clean);
  EXPECT_EQ(m->RedactedUrl(), "the application's postgresql connection");

  auto down = m->Downgrade("base");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(PgValue(conn.get(),
                    "SELECT to_regclass('public.session_probe') "
                    "IS NULL"),
            "t");
  EXPECT_EQ(PgValue(conn.get(), "SHOW lock_timeout"), "42s");
}

TEST(ApiBorrowed, PostgresConnectionInsideATransactionIsRefused) {
  PgHandle conn = ConnectPg(testing::FreshDatabaseUrl());
  ASSERT_NE(conn, nullptr);
  PgExec(conn.get(), "BEGIN");
  PgExec(conn.get(), "CREATE TABLE app_work (id integer)");
  BorrowedConnection lent;
  lent.postgres = conn.get();
  auto m = OpenOn(lent, embedded::api_basic());
  ASSERT_NE(m, nullptr);
  auto up = m->Upgrade("head");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(up.status().message(),
            "the borrowed postgresql connection is inside a transaction; "
            "retort commits and rolls back its own, so commit or roll back "
            "the application's first");
  // The application's transaction and its work are untouched.
  EXPECT_EQ(PQtransactionStatus(conn.get()), PQTRANS_INTRANS);
  EXPECT_EQ(PgValue(conn.get(), "SELECT count(*) FROM app_work"), "0");
  PgExec(conn.get(), "ROLLBACK");
  EXPECT_EQ(PgValue(conn.get(), "SELECT to_regclass('items') IS NULL"), "t");
}

TEST(ApiBorrowed, PostgresFanoutAndAutogenerateNeedAUrl) {
  PgHandle conn = ConnectPg(testing::FreshDatabaseUrl());
  ASSERT_NE(conn, nullptr);
  BorrowedConnection lent;
  lent.postgres = conn.get();
  auto m = OpenOn(lent, embedded::api_basic());
  ASSERT_NE(m, nullptr);
  FanoutOptions fanout;
  fanout.all_schemas = true;
  auto many = m->UpgradeMany("head", fanout);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().message(),
            "upgrade: the fan-out opens a session per unit from URLs and "
            "cannot use the borrowed connection (Options::connection); open "
            "another Migrator without it");
  VerifyOptions live;
  live.live = true;
  auto verified = m->Verify(live);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().message(),
            "no database URL: this command opens sessions of its own, and the "
            "borrowed connection (Options::connection) serves only upgrade, "
            "downgrade, stamp, current, history and verify; set Options::url");
  // Offline SQL takes the dialect from the connection and touches nothing.
  RunOptions sql;
  sql.sql = true;
  auto script = m->Upgrade("base:head", sql);
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_NE(script->sql.find("CREATE TABLE items"), std::string::npos);
  EXPECT_EQ(
      PgValue(conn.get(), "SELECT to_regclass('alembic_version') IS NULL"),
      "t");
}

TEST(ApiBorrowed, SqliteHandleIsHandedBackAsItWasLent) {
  const fs::path path =
      fs::temp_directory_path() /
      ("retort-borrowed-" +
       std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".db");
  fs::remove(path);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &raw), SQLITE_OK);
  SqliteHandle db(raw);
  // The application runs without foreign keys; retort enforces them for
  // its run only.
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA foreign_keys = OFF", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  BorrowedConnection lent;
  lent.sqlite = db.get();
  auto m = OpenOn(lent, embedded::api_basic());
  ASSERT_NE(m, nullptr);

  std::vector<std::string> revisions;
  RunOptions run;
  run.progress = [&revisions](const Progress& p) {
    if (p.event == Progress::Event::kStepFinished) {
      revisions.push_back(p.revision);
    }
  };
  auto up = m->Upgrade("head", run);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(revisions,
            (std::vector<std::string>{"a1a1a1a1a1a1", "b2b2b2b2b2b2"}));
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 1);
  EXPECT_EQ(SqliteValue(db.get(), "PRAGMA foreign_keys"), "0");
  EXPECT_EQ(SqliteValue(db.get(), "SELECT version_num FROM alembic_version"),
            "b2b2b2b2b2b2");
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].id, "b2b2b2b2b2b2");
  auto history = m->HistoryWithCurrent("");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE((*history)[0].is_current);

  // Inside the application's transaction: refused, the transaction kept.
  ASSERT_EQ(sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto down = m->Downgrade("base");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().message(),
            "the borrowed sqlite connection is inside a transaction; retort "
            "commits and rolls back its own, so commit or roll back the "
            "application's first");
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 0);
  ASSERT_EQ(sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr),
            SQLITE_OK);

  down = m->Downgrade("base");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(SqliteValue(db.get(),
                        "SELECT count(*) FROM sqlite_master WHERE "
                        "name = 'items'"),
            "0");
  m.reset();
  // Still the application's: open after the Migrator is gone.
  EXPECT_EQ(SqliteValue(db.get(), "SELECT 1"), "1");
  db.reset();
  fs::remove(path);
}

TEST(ApiBorrowed, BothConnectionsAtOnceIsAnError) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  SqliteHandle db(raw);
  PgHandle conn = ConnectPg(testing::FreshDatabaseUrl());
  Options options;
  options.config_path = "";
  options.migrations = &embedded::api_basic();
  options.connection.sqlite = db.get();
  options.connection.postgres = conn.get();
  auto m = Migrator::Open(options);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "Options::connection: lend a PostgreSQL or an SQLite connection, "
            "not both");
}

}  // namespace
}  // namespace retort
