// PostgresConnection and the harness against the real PostgreSQL server the
// harness starts: queries, error fields, transactions, notices, locks,
// connection failures, and the outside-transaction list checked against the
// server itself.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "dialect/postgres.h"
#include "dialect/splitter.h"
#include "dialect/url.h"
#include "pg_harness.h"

namespace retort {
namespace {

using testing::FreshDatabaseUrl;
using testing::PgCluster;
using testing::PgHarness;

std::unique_ptr<Connection> MustConnect(const std::string& url,
                                        const ConnectOptions& options = {}) {
  auto connection = Connect(url, options);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(connection).value() : nullptr;
}

// The single value of a one-row, one-column query ("<NULL>" for NULL).
std::string Scalar(Connection& db, const std::string& sql,
                   const Params& params = {}) {
  auto result = db.Query(sql, params);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  if (!result.ok() || result->rows.size() != 1 || result->rows[0].size() != 1) {
    return "<no single value>";
  }
  return result->rows[0][0].value_or("<NULL>");
}

TEST(DialectPg, ConnectsToAFreshDatabase) {
  std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto db = MustConnect(url);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), Dialect::kPostgres);
  EXPECT_GE(db->ServerVersion(), 150000);
  EXPECT_EQ(Scalar(*db, "SELECT current_database()"),
            ParseDatabaseUrl(url)->dbname);
  EXPECT_EQ(Scalar(*db, "SHOW application_name"), "retort");
  EXPECT_EQ(Scalar(*db, "SHOW client_encoding"), "UTF8");
  EXPECT_EQ(Scalar(*db,
                   "SELECT count(*) FROM pg_class WHERE relnamespace = "
                   "'public'::regnamespace"),
            "0");
  EXPECT_TRUE(db->IsOpen());
  db->Close();
  EXPECT_FALSE(db->IsOpen());
  EXPECT_EQ(db->Execute("SELECT 1").message(),
            "ERROR: the connection is closed");
}

TEST(DialectPg, BorrowedSessionStaysOpenAndReachesItsDatabaseAgain) {
  std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  PGconn* raw = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(raw), CONNECTION_OK) << PQerrorMessage(raw);
  auto borrowed = PostgresConnection::Borrow(raw);
  ASSERT_TRUE(borrowed.ok()) << borrowed.status().ToString();
  EXPECT_EQ(Scalar(**borrowed, "SELECT current_database()"),
            ParseDatabaseUrl(url)->dbname);
  // The watcher's second session: the borrowed one's own parameters
  // (PQconninfo), not the environment's defaults.
  auto another = (*borrowed)->OpenAnother();
  ASSERT_TRUE(another.ok()) << another.status().ToString();
  EXPECT_EQ(Scalar(**another, "SELECT current_database()"),
            ParseDatabaseUrl(url)->dbname);
  EXPECT_NE((*another)->backend_pid(), (*borrowed)->backend_pid());
  (*borrowed)->Close();
  EXPECT_EQ(PQstatus(raw), CONNECTION_OK);  // the application's to close
  PQfinish(raw);

  auto null = PostgresConnection::Borrow(nullptr);
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.status().message(),
            "the borrowed PostgreSQL connection is null");
}

TEST(DialectPg, ApplicationNameFromTheUrlWins) {
  auto db = MustConnect(FreshDatabaseUrl() + "?application_name=mine");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Scalar(*db, "SHOW application_name"), "mine");
}

TEST(DialectPg, HarnessGivesEachTestItsOwnDatabase) {
  std::string a = FreshDatabaseUrl();
  std::string b = FreshDatabaseUrl();
  ASSERT_NE(a, b);
  EXPECT_NE(a.find("dialectpg_harnessgiveseachtestitsowndatabase"),
            std::string::npos)
      << a;
  auto da = MustConnect(a);
  auto db = MustConnect(b);
  ASSERT_TRUE(da->Execute("CREATE TABLE only_in_a (x int)").ok());
  EXPECT_EQ(Scalar(*db, "SELECT to_regclass('only_in_a') IS NULL"), "t");
  EXPECT_EQ(Scalar(*da, "SELECT to_regclass('only_in_a') IS NULL"), "f");
}

TEST(DialectPg, ExecuteAndQueryWithParameters) {
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_TRUE(db->Execute("CREATE TABLE t (id serial PRIMARY KEY, name text, "
                          "n int);\n"
                          "INSERT INTO t (name, n) VALUES ('a', 1), (NULL, 2);")
                  .ok());
  auto rows = db->Query("SELECT id, name, n FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"id", "name", "n"}));
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[0], (Row{"1", "a", "1"}));
  EXPECT_EQ(rows->rows[1], (Row{"2", std::nullopt, "2"}));

  auto insert = db->Query("INSERT INTO t (name, n) VALUES ($1, $2)",
                          {"it's; \"quoted\"", std::nullopt});
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  EXPECT_EQ(insert->affected_rows, 1);
  EXPECT_TRUE(insert->columns.empty());
  EXPECT_EQ(Scalar(*db, "SELECT name FROM t WHERE n IS NULL"),
            "it's; \"quoted\"");
  auto update = db->Query("UPDATE t SET n = n + 1 WHERE n IS NOT NULL");
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->affected_rows, 2);
}

TEST(DialectPg, ErrorFieldsAndPosition) {
  auto db = MustConnect(FreshDatabaseUrl());
  Status st = db->Execute("SELECT * FROM missing");
  EXPECT_EQ(st.code(), Status::Code::kDatabase);
  EXPECT_EQ(st.message(), "ERROR 42P01: relation \"missing\" does not exist");
  const DbError& error = db->last_error();
  EXPECT_EQ(error.severity, "ERROR");
  EXPECT_EQ(error.sqlstate, "42P01");
  EXPECT_EQ(error.message, "relation \"missing\" does not exist");
  EXPECT_EQ(error.position, 15);
  EXPECT_EQ(error.statement, "SELECT * FROM missing");

  auto query = db->Query("SELECT no_such_function(1)");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.status().message(),
            "ERROR 42883: function no_such_function(integer) does not exist\n"
            "HINT: No function matches the given name and argument types. "
            "You might need to add explicit type casts.");
  EXPECT_EQ(db->last_error().position, 8);

  ASSERT_TRUE(db->Execute("CREATE TABLE u (a int UNIQUE); "
                          "INSERT INTO u VALUES (1)")
                  .ok());
  EXPECT_EQ(db->last_error().message, "");
  EXPECT_EQ(db->Execute("INSERT INTO u VALUES (1)").message(),
            "ERROR 23505: duplicate key value violates unique constraint "
            "\"u_a_key\"\n"
            "DETAIL: Key (a)=(1) already exists.");
  EXPECT_EQ(db->last_error().position, 0);
}

TEST(DialectPg, PlpgsqlErrorsCarryContext) {
  auto db = MustConnect(FreshDatabaseUrl());
  EXPECT_EQ(db->Execute("DO $$ BEGIN RAISE EXCEPTION 'boom %', 42 USING "
                        "DETAIL = 'd', HINT = 'h'; END $$")
                .message(),
            "ERROR P0001: boom 42\n"
            "DETAIL: d\n"
            "HINT: h\n"
            "CONTEXT: PL/pgSQL function inline_code_block line 1 at RAISE");
}

TEST(DialectPg, SyntaxErrorPositionMapsToTheScriptLine) {
  // What the migrator does: split, run each statement, and turn the
  // server's character position into a line of the file.
  std::string script =
      "CREATE TABLE a (x int);\n"
      "-- the next one is wrong\n"
      "INSERT INTO a\n"
      "  VALUSE (1);\n";
  auto statements = SplitPostgresScript(script);
  ASSERT_TRUE(statements.ok());
  ASSERT_EQ(statements->size(), 2u);
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_TRUE(db->Execute((*statements)[0].text).ok());
  const SqlStatement& bad = (*statements)[1];
  Status st = db->Execute(bad.text);
  EXPECT_EQ(st.message(), "ERROR 42601: syntax error at or near \"VALUSE\"");
  TextPosition where = LocatePosition(bad.text, db->last_error().position);
  EXPECT_EQ(bad.line + where.line - 1, 4);
  EXPECT_EQ(where.column, 3);
}

TEST(DialectPg, ScannerFallbackLetsTheServerReportTheError) {
  auto statements = SplitPostgresScript("SELECT 1;\nSELEC 2;");
  ASSERT_TRUE(statements.ok());
  ASSERT_EQ(statements->size(), 2u);
  auto db = MustConnect(FreshDatabaseUrl());
  EXPECT_EQ(db->Execute((*statements)[1].text).message(),
            "ERROR 42601: syntax error at or near \"SELEC\"");
  EXPECT_EQ(db->last_error().position, 1);
}

TEST(DialectPg, TransactionsCommitAndRollBack) {
  auto db = MustConnect(FreshDatabaseUrl());
  EXPECT_FALSE(db->InTransaction());
  ASSERT_TRUE(db->Begin().ok());
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(db->Execute("CREATE TABLE rolled_back (a int)").ok());
  ASSERT_TRUE(db->Rollback().ok());
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(Scalar(*db, "SELECT to_regclass('rolled_back') IS NULL"), "t");
  EXPECT_TRUE(db->Rollback().ok()) << "no transaction: nothing to do";

  ASSERT_TRUE(db->Begin(BeginMode::kImmediate).ok());
  ASSERT_TRUE(db->Execute("CREATE TABLE kept (a int)").ok());
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_EQ(Scalar(*db, "SELECT to_regclass('kept') IS NULL"), "f");

  EXPECT_EQ(db->Commit().message(),
            "ERROR 25P01: there is no transaction in progress");
}

// QueryEach sends every query before reading the first result: while the
// client still handles the first result, the server is already running the
// second (seen from another session).
TEST(DialectPg, QueryEachPipelinesTheQueries) {
  std::string url = FreshDatabaseUrl();
  auto db = MustConnect(url);
  auto observer = MustConnect(url);
  ASSERT_NE(db, nullptr);
  ASSERT_NE(observer, nullptr);
  std::vector<std::string> seen;
  std::string running;
  Status st = db->QueryEach(
      {"SELECT pg_backend_pid()", "SELECT 2 FROM pg_sleep(1)", "SELECT 3"},
      [&](size_t i, QueryResult result) {
        seen.push_back(std::to_string(i) + ":" + *result.rows[0][0]);
        if (i != 0) return Status::OK();
        for (int tries = 0; tries < 100; ++tries) {
          running = Scalar(*observer,
                           "SELECT state || ' ' || query FROM "
                           "pg_stat_activity WHERE pid = $1",
                           {*result.rows[0][0]});
          if (running.find("pg_sleep") != std::string::npos) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return Status::OK();
      });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1], "1:2");
  EXPECT_EQ(seen[2], "2:3");
  EXPECT_EQ(running, "active SELECT 2 FROM pg_sleep(1)");
  EXPECT_EQ(Scalar(*db, "SELECT 4"), "4")
      << "the connection left pipeline mode";
}

// A failing query ends the run with its error; the results after it are
// drained, and the connection stays usable (in its transaction, aborted).
TEST(DialectPg, QueryEachStopsAtTheFirstFailure) {
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_NE(db, nullptr);
  std::vector<size_t> seen;
  auto record = [&](size_t i, QueryResult) {
    seen.push_back(i);
    return Status::OK();
  };
  Status st = db->QueryEach({"SELECT 1", "SELECT 1/0", "SELECT 3"}, record);
  EXPECT_EQ(st.message(), "ERROR 22012: division by zero");
  EXPECT_EQ(db->last_error().statement, "SELECT 1/0");
  EXPECT_EQ(seen, std::vector<size_t>{0});
  EXPECT_EQ(Scalar(*db, "SELECT 4"), "4");

  ASSERT_TRUE(db->Begin().ok());
  seen.clear();
  st = db->QueryEach({"SELECT 1", "SELECT 1/0", "SELECT 3"}, record);
  EXPECT_EQ(st.message(), "ERROR 22012: division by zero");
  EXPECT_TRUE(db->InTransaction());
  EXPECT_EQ(db->Commit().message(),
            "ERROR 25P02: current transaction is aborted; it was rolled back "
            "instead of committed");

  // A handler's failure stops the handling the same way.
  seen.clear();
  st = db->QueryEach(
      {"SELECT 1", "SELECT 2", "SELECT 3"}, [&](size_t i, QueryResult) {
        seen.push_back(i);
        return i == 1 ? Status::InvalidArgument("enough") : Status::OK();
      });
  EXPECT_EQ(st.message(), "enough");
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(Scalar(*db, "SELECT 5"), "5");
}

// Past 64 KB of query text, and for a single query, QueryEach takes its
// one-by-one path: the same results, in order, and the same first error.
TEST(DialectPg, QueryEachHandlesLongAndSingleQueries) {
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_NE(db, nullptr);
  const std::string padding = "/* " + std::string(40 * 1024, 'x') + " */ ";
  std::vector<std::string> seen;
  auto record = [&](size_t i, QueryResult result) {
    seen.push_back(std::to_string(i) + ":" + *result.rows[0][0]);
    return Status::OK();
  };
  Status st = db->QueryEach(
      {padding + "SELECT 'a'", padding + "SELECT 'b'", "SELECT 'c'"}, record);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"0:a", "1:b", "2:c"}));
  seen.clear();
  st = db->QueryEach({"SELECT 'only'"}, record);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, std::vector<std::string>{"0:only"});
  st = db->QueryEach({padding + "SELECT 1/0", "SELECT 2"}, record);
  EXPECT_EQ(st.message(), "ERROR 22012: division by zero");
}

TEST(DialectPg, CommitOfAnAbortedTransactionIsAnError) {
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_TRUE(db->Begin().ok());
  ASSERT_TRUE(db->Execute("CREATE TABLE lost (a int)").ok());
  EXPECT_FALSE(db->Execute("SELECT 1/0").ok());
  EXPECT_TRUE(db->InTransaction());
  EXPECT_EQ(db->Execute("SELECT 1").message(),
            "ERROR 25P02: current transaction is aborted, commands ignored "
            "until end of transaction block");
  EXPECT_EQ(db->Commit().message(),
            "ERROR 25P02: current transaction is aborted; it was rolled back "
            "instead of committed");
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(Scalar(*db, "SELECT to_regclass('lost') IS NULL"), "t");
}

TEST(DialectPg, NoticesGoToTheHandlerAndNowhereElse) {
  auto db = MustConnect(FreshDatabaseUrl());
  std::vector<DbError> notices;
  db->SetNoticeHandler([&](const DbError& n) { notices.push_back(n); });
  ASSERT_TRUE(db->Execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; "
                          "RAISE WARNING 'careful' USING HINT = 'h'; END $$")
                  .ok());
  ASSERT_TRUE(db->Execute("CREATE TABLE IF NOT EXISTS t (a int); "
                          "CREATE TABLE IF NOT EXISTS t (a int)")
                  .ok());
  ASSERT_EQ(notices.size(), 3u);
  EXPECT_EQ(notices[0].severity, "NOTICE");
  EXPECT_EQ(notices[0].sqlstate, "00000");
  EXPECT_EQ(notices[0].message, "hello 42");
  EXPECT_EQ(notices[1].severity, "WARNING");
  EXPECT_EQ(notices[1].hint, "h");
  EXPECT_EQ(notices[2].ToStatus().message(),
            "NOTICE 42P07: relation \"t\" already exists, skipping");

  // Without a handler libpq would print to stderr; retort stays quiet.
  db->SetNoticeHandler(nullptr);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(db->Execute("DO $$ BEGIN RAISE NOTICE 'quiet'; END $$").ok());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(notices.size(), 3u);
}

TEST(DialectPg, AdvisoryLocksAcrossSessions) {
  std::string url = FreshDatabaseUrl();
  auto first = MustConnect(url);
  auto second = MustConnect(url);
  EXPECT_EQ(Scalar(*first, "SELECT pg_try_advisory_lock($1::bigint)", {"4242"}),
            "t");
  EXPECT_EQ(
      Scalar(*second, "SELECT pg_try_advisory_lock($1::bigint)", {"4242"}),
      "f");
  first->Close();
  // The server releases a closed session's locks when its backend exits,
  // which happens shortly after the client hangs up: poll for up to 5 s.
  std::string got;
  for (int i = 0; i < 100; ++i) {
    got = Scalar(*second, "SELECT pg_try_advisory_lock($1::bigint)", {"4242"});
    if (got == "t") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(got, "t");
}

TEST(DialectPg, CopyFromStdinFailsAndTheConnectionSurvives) {
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_TRUE(db->Execute("CREATE TABLE c (a int)").ok());
  EXPECT_EQ(db->Execute("COPY c FROM STDIN").message(),
            "ERROR 57014: COPY from stdin failed: retort cannot feed COPY FROM "
            "STDIN\n"
            "CONTEXT: COPY c, line 1");
  EXPECT_EQ(db->Execute("COPY c TO STDOUT").message(),
            "ERROR: retort cannot run COPY TO STDOUT");
  EXPECT_EQ(Scalar(*db, "SELECT 1"), "1");
}

TEST(DialectPg, TerminatedSessionReportsTheServersReason) {
  std::string url = FreshDatabaseUrl();
  auto victim = MustConnect(url);
  auto admin = MustConnect(url);
  int pid = static_cast<PostgresConnection&>(*victim).backend_pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(
      Scalar(*admin, "SELECT pg_terminate_backend($1)", {std::to_string(pid)}),
      "t");
  // Wait until the backend is gone so the next query sees it.
  for (int i = 0; i < 100; ++i) {
    if (Scalar(*admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
               {std::to_string(pid)}) == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Status st = victim->Execute("SELECT 1");
  EXPECT_EQ(st.message(),
            "FATAL 57P01: terminating connection due to administrator command");
  EXPECT_FALSE(victim->IsOpen());
}

TEST(DialectPg, QuotingRoundTrips) {
  auto db = MustConnect(FreshDatabaseUrl());
  for (const std::string value :
       {"plain", "it's", "back\\slash", "both\\'s", "semi;colon", "ünïcode"}) {
    EXPECT_EQ(Scalar(*db, "SELECT " + db->QuoteLiteral(value)), value) << value;
    std::string ident = db->QuoteIdent(value + "\"x");
    ASSERT_TRUE(db->Execute("CREATE TABLE " + ident + " (a int)").ok())
        << db->last_error().message;
    EXPECT_EQ(
        Scalar(*db, "SELECT relname FROM pg_class WHERE oid = $1::regclass",
               {ident}),
        value + "\"x");
  }
  // Whatever standard_conforming_strings says.
  ASSERT_TRUE(db->Execute("SET standard_conforming_strings = off").ok());
  EXPECT_EQ(Scalar(*db, "SELECT " + db->QuoteLiteral("back\\slash")),
            "back\\slash");
}

TEST(DialectPg, ConnectionRefusedNeverShowsThePassword) {
  auto connection = Connect("postgresql://postgres:Zq9secret@127.0.0.1:1/x");
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), Status::Code::kDatabase);
  EXPECT_EQ(connection.status().message(),
            "cannot connect to postgresql://postgres:***@127.0.0.1:1/x: "
            "connection to server at \"127.0.0.1\", port 1 failed: Connection "
            "refused\n"
            "\tIs the server running on that host and accepting TCP/IP "
            "connections?");
}

TEST(DialectPg, UnknownDatabaseAndBadPortNeverShowThePassword) {
  PgHarness* harness = PgHarness::Get();
  ASSERT_NE(harness, nullptr);
  auto admin = ParseDatabaseUrl(harness->AdminUrl());
  ASSERT_TRUE(admin.ok());
  std::string base =
      "postgresql://postgres:Zq9secret@" + admin->host + ":" + admin->port;
  auto missing = Connect(base + "/no_such_db");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot connect to postgresql://postgres:***@" + admin->host + ":" +
                admin->port + "/no_such_db: connection to server at \"" +
                admin->host + "\", port " + admin->port +
                " failed: FATAL:  database \"no_such_db\" does not exist");

  auto bad_port = Connect("postgresql://u:Zq9secret@127.0.0.1:notaport/db");
  ASSERT_FALSE(bad_port.ok());
  EXPECT_EQ(bad_port.status().message(),
            "cannot connect to postgresql://u:***@127.0.0.1:notaport/db: "
            "invalid integer value \"notaport\" for connection option "
            "\"port\"");
  auto keywords = Connect("host=127.0.0.1 port=1 password=Zq9secret dbname=x");
  ASSERT_FALSE(keywords.ok());
  EXPECT_EQ(keywords.status().message().find("Zq9"), std::string::npos);
  EXPECT_EQ(keywords.status().message().rfind(
                "cannot connect to host=127.0.0.1 port=1 password=*** "
                "dbname=x: ",
                0),
            0u)
      << keywords.status().message();
}

TEST(DialectPg, OutsideTransactionListMatchesTheServer) {
  // Every statement we flag must really be refused inside a transaction
  // block -- otherwise we would give up atomicity for nothing.
  auto db = MustConnect(FreshDatabaseUrl());
  ASSERT_TRUE(db->Execute("CREATE TABLE t (a int); CREATE INDEX i ON t (a); "
                          "CREATE SCHEMA s; CREATE TYPE mood AS ENUM ('a')")
                  .ok());
  int version = db->ServerVersion();
  for (const char* sql : {
           "CREATE INDEX CONCURRENTLY i2 ON t (a)",
           "DROP INDEX CONCURRENTLY i",
           "REINDEX TABLE CONCURRENTLY t",
           "REINDEX SCHEMA s",
           "VACUUM t",
           "CREATE DATABASE never_created",
           "DROP DATABASE IF EXISTS never_created",
           "ALTER SYSTEM SET work_mem = '4MB'",
           "CREATE TABLESPACE ts LOCATION '/nonexistent'",
           "DROP TABLESPACE IF EXISTS ts",
           "DISCARD ALL",
           "CLUSTER",
       }) {
    ASSERT_TRUE(MustRunOutsideTransaction(sql, version)) << sql;
    ASSERT_TRUE(db->Begin().ok());
    Status st = db->Execute(sql);
    EXPECT_EQ(db->last_error().sqlstate, "25001")
        << sql << ": " << st.message();
    ASSERT_TRUE(db->Rollback().ok());
  }
  // And what we let through does run inside one.
  for (const char* sql : {"CREATE INDEX i3 ON t (a)", "ANALYZE t",
                          "REINDEX TABLE t", "ALTER TYPE mood ADD VALUE 'b'"}) {
    ASSERT_FALSE(MustRunOutsideTransaction(sql, version)) << sql;
    ASSERT_TRUE(db->Begin().ok());
    EXPECT_TRUE(db->Execute(sql).ok())
        << sql << ": " << db->last_error().message;
    ASSERT_TRUE(db->Rollback().ok());
  }
}

TEST(DialectPgHarness, StartsAnIndependentCluster) {
  PgHarness* harness = PgHarness::Get();
  ASSERT_NE(harness, nullptr);
  auto cluster = harness->StartCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  std::string dir = (*cluster)->dir();
  EXPECT_TRUE(std::filesystem::exists(dir));
  EXPECT_NE((*cluster)->Url(), harness->AdminUrl());
  std::fprintf(stderr, "[pg_harness] second cluster started in %.2f s\n",
               (*cluster)->startup_seconds());
  auto url = (*cluster)->CreateDatabase("second");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto db = MustConnect(*url);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Scalar(*db, "SELECT current_database()"), "t1_second");
  EXPECT_EQ(Scalar(*db, "SHOW fsync"), "off");
  db.reset();
  EXPECT_TRUE((*cluster)->Stop().ok());
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE((*cluster)->Stop().ok()) << "idempotent";
}

TEST(DialectPg, PasswordAuthenticationEndToEnd) {
  // A server that wants passwords (the shared one trusts everybody): the
  // password must survive percent-decoding, PGPASSWORD must work when the
  // URL has none, and a wrong one must not be echoed.
  std::string hba = (std::filesystem::temp_directory_path() /
                     ("retort_hba_" + std::to_string(getpid()) + ".conf"))
                        .string();
  {
    std::FILE* f = std::fopen(hba.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "host all postgres 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n",
        f);
    std::fclose(f);
    chmod(hba.c_str(), 0644);
  }
  testing::PgClusterOptions options;
  options.settings = {"hba_file=" + hba};
  auto cluster = PgCluster::Start(options);
  std::remove(hba.c_str());
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto url = (*cluster)->CreateDatabase("auth");
  ASSERT_TRUE(url.ok());
  auto admin = MustConnect(*url);
  ASSERT_TRUE(
      admin->Execute("CREATE ROLE app LOGIN PASSWORD 'p@ss/w:rd?'").ok());
  std::string host_port = "127.0.0.1:" + std::to_string((*cluster)->port());

  auto good =
      Connect("postgresql://app:p%40ss%2Fw%3Ard%3F@" + host_port + "/t1_auth");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(Scalar(**good, "SELECT current_user"), "app");
  auto keywords =
      Connect("host=127.0.0.1 port=" + std::to_string((*cluster)->port()) +
              " user=app dbname=t1_auth password='p@ss/w:rd?'");
  EXPECT_TRUE(keywords.ok()) << keywords.status().ToString();

  setenv("PGPASSWORD", "p@ss/w:rd?", 1);
  auto from_env = Connect("postgresql://app@" + host_port + "/t1_auth");
  unsetenv("PGPASSWORD");
  EXPECT_TRUE(from_env.ok()) << from_env.status().ToString();

  auto bad = Connect("postgresql://app:Zq9wrong@" + host_port + "/t1_auth");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "cannot connect to postgresql://app:***@" + host_port +
                "/t1_auth: connection to server at \"127.0.0.1\", port " +
                std::to_string((*cluster)->port()) +
                " failed: FATAL:  password authentication failed for user "
                "\"app\"");
}

TEST(DialectPgHarness, StartFailureCarriesTheServerLog) {
  testing::PgClusterOptions options;
  options.settings = {"shared_buffers=plenty"};
  options.start_attempts = 1;
  auto cluster = PgCluster::Start(options);
  ASSERT_FALSE(cluster.ok());
  const std::string& message = cluster.status().message();
  EXPECT_EQ(message.rfind("cannot start a PostgreSQL test server: pg_ctl "
                          "start failed 1 times (last exit status 1)\n"
                          "---- harness and server log ----\n",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("invalid value for parameter \"shared_buffers\": "
                         "\"plenty\""),
            std::string::npos)
      << message;
}

TEST(DialectPgHarness, WithDatabaseReplacesTheName) {
  using testing::WithDatabase;
  EXPECT_EQ(WithDatabase("postgresql://u@h:1/old?sslmode=disable", "new"),
            "postgresql://u@h:1/new?sslmode=disable");
  EXPECT_EQ(WithDatabase("postgresql://u@h", "new"), "postgresql://u@h/new");
  EXPECT_EQ(WithDatabase("postgresql://u@h?sslmode=disable", "new"),
            "postgresql://u@h/new?sslmode=disable");
  EXPECT_EQ(WithDatabase("host=h dbname=old", "new"),
            "host=h dbname=old dbname=new");
}

}  // namespace
}  // namespace retort
