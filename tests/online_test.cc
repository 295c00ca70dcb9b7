// Online plans and backfills against the harness's PostgreSQL:
// `revision --autogenerate --online` for the five changes of the online
// issue (an index, a foreign key, a CHECK, NOT NULL, integer -> bigint) and
// a unique constraint, each plan's SQL, the run on a table with rows, the
// models agreeing afterwards, and the downgrade; "-- retort: backfill"
// batches, resumed exactly after kill -9, refused on a non-unique key, and
// the offline DO block run by the server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

constexpr char kModelsV1[] =
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, "
    "qty integer, note text, ref text);\n"
    "CREATE INDEX orders_qty ON orders (qty);\n";

constexpr char kModelsV2[] =
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY,\n"
    "  customer_id bigint CONSTRAINT orders_customer_fk REFERENCES "
    "customers (id),\n"
    "  qty bigint DEFAULT 1 NOT NULL CONSTRAINT orders_qty_positive CHECK "
    "(qty > 0),\n"
    "  note text NOT NULL, ref text CONSTRAINT orders_ref_key UNIQUE);\n"
    "CREATE INDEX orders_qty ON orders (qty);\n"
    "CREATE INDEX orders_customer ON orders (customer_id);\n";

class OnlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\nmodels = [\"models/*.sql\"]\n");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(OnlineTest, FiveChangesPlanAndRunOnlineThenModelsAgree) {
  p_.WriteFile("models/app.sql", kModelsV1);
  ASSERT_EQ(p_.Run({"revision", "--autogenerate", "-m", "v1", "--rev-id",
                    "aaaa00000001"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  auto conn = Open(url_);
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Execute("INSERT INTO customers SELECT g, 'c' || g FROM "
                            "generate_series(1, 100) g; INSERT INTO orders "
                            "SELECT g, 1 + g % 100, 1 + g % 7, 'n', 'r' || g "
                            "FROM generate_series(1, 12000) g")
                  .ok());
  ASSERT_EQ(Scalar(url_, "SELECT sum(qty) FROM orders"), "47997");

  p_.WriteFile("models/app.sql", kModelsV2);
  CliResult r = p_.Run({"revision", "--autogenerate", "--online", "-m", "v2",
                        "--rev-id", "aaaa00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string file =
      p_.ReadFile("migrations/versions/aaaa00000002_v2.sql");
  auto has = [&](const std::string& text) {
    EXPECT_NE(file.find(text), std::string::npos) << text << "\n---\n" << file;
  };
  has("-- Lock Timeout: 100ms\n");
  // An index: built concurrently, in an autocommit step.
  has("-- retort: step transactional=false\n"
      "-- built while writes go on; an INVALID leftover of an interrupted "
      "build is dropped and built again on resume\n"
      "CREATE INDEX CONCURRENTLY orders_customer ON public.orders USING btree "
      "(customer_id);\n");
  // A foreign key and a CHECK: NOT VALID, then validated in a step of its
  // own.
  has("-- retort: step\nALTER TABLE public.orders ADD CONSTRAINT "
      "orders_customer_fk FOREIGN KEY (customer_id) REFERENCES "
      "public.customers(id) NOT VALID;\n-- retort: step\n-- checks the "
      "existing "
      "rows while writes go on\nALTER TABLE public.orders VALIDATE "
      "CONSTRAINT orders_customer_fk;\n");
  has("ALTER TABLE public.orders ADD CONSTRAINT orders_qty_positive CHECK "
      "((qty > 0)) NOT VALID;\n");
  // NOT NULL through a validated check.
  has("-- retort: step\nALTER TABLE public.orders ADD CONSTRAINT "
      "note_not_null_retort CHECK (note IS NOT NULL) NOT VALID;\n"
      "-- retort: step\nALTER TABLE public.orders VALIDATE CONSTRAINT "
      "note_not_null_retort;\n-- retort: step\n-- the validated check "
      "spares SET NOT NULL its scan (PostgreSQL 12+)\nALTER TABLE "
      "public.orders ALTER COLUMN note SET NOT NULL;\nALTER TABLE "
      "public.orders DROP CONSTRAINT note_not_null_retort;\n");
  // A unique constraint from an index built concurrently.
  has("-- retort: step transactional=false\nCREATE UNIQUE INDEX CONCURRENTLY "
      "orders_ref_key ON public.orders USING btree (ref);\n-- retort: step\n"
      "ALTER TABLE public.orders ADD CONSTRAINT orders_ref_key UNIQUE USING "
      "INDEX orders_ref_key;\n");
  // integer -> bigint: a new column, a trigger, a batched backfill, its
  // index built concurrently, the swap.
  has("ALTER TABLE public.orders ADD COLUMN qty_retort_new bigint;\n");
  has("-- retort: step transactional=false\n-- retort: backfill "
      "table=public.orders key=id batch=5000\nUPDATE public.orders SET "
      "qty_retort_new = qty::bigint WHERE qty_retort_new IS DISTINCT FROM "
      "qty::bigint;\n");
  has("CREATE INDEX CONCURRENTLY orders_qty_retort_new ON public.orders "
      "USING btree (qty_retort_new);\n");
  has("ALTER TABLE public.orders DROP COLUMN qty;\nALTER TABLE public.orders "
      "RENAME COLUMN qty_retort_new TO qty;\nALTER INDEX "
      "public.orders_qty_retort_new RENAME TO orders_qty;\nALTER TABLE "
      "public.orders ALTER COLUMN qty SET DEFAULT 1;\nALTER TABLE "
      "public.orders ALTER COLUMN qty SET NOT NULL;\n");
  EXPECT_EQ(file.find("blocks writes"), std::string::npos) << file;

  r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("backfill of public.orders: 12000 rows in 3 batches"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Scalar(url_,
                   "SELECT sum(qty)::text || ' ' || "
                   "min(pg_typeof(qty)::text) FROM orders"),
            "47997 bigint");
  EXPECT_EQ(Scalar(url_,
                   "SELECT count(*) FROM pg_index WHERE NOT "
                   "indisvalid"),
            "0");
  r = p_.Run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "No new upgrade operations detected.\n");

  // The downgrade is the plain reverse.
  r = p_.Run({"downgrade", "-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT pg_typeof(qty)::text FROM orders LIMIT 1"),
            "integer");
  EXPECT_EQ(Scalar(url_, "SELECT sum(qty) FROM orders"), "47997");
}

// The online revision killed (kill -9, and in odd trials the server side
// ended too, as a lost connection would) after each of its progress rows in
// turn -- every step and autocommit statement, the backfill's batches among
// them -- then run again: the rerun finishes, the data is whole, no INVALID
// index or helper is left, and the models agree.
TEST_F(OnlineTest, KilledAfterEveryStepResumes) {
  p_.WriteFile("models/app.sql", kModelsV1);
  ASSERT_EQ(p_.Run({"revision", "--autogenerate", "-m", "v1", "--rev-id",
                    "aaaa00000001"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  p_.WriteFile("models/app.sql", kModelsV2);
  // Small batches, so that the backfill has several to be killed between.
  CliResult r = p_.Run({"revision", "--autogenerate", "--online", "-m", "v2",
                        "--rev-id", "aaaa00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = "migrations/versions/aaaa00000002_v2.sql";
  std::string file = p_.ReadFile(path);
  const size_t batch = file.find("batch=5000");
  ASSERT_NE(batch, std::string::npos);
  file.replace(batch, 10, "batch=2000");
  p_.WriteFile(path, file);

  int finished_uninterrupted = 0;
  int kills = 0;
  for (int k = 1; k <= 60 && finished_uninterrupted == 0; ++k) {
    SCOPED_TRACE("killed after progress row " + std::to_string(k));
    const std::string url = FreshDatabaseUrl();
    ASSERT_EQ(p_.Run({"--url", url, "upgrade", "aaaa00000001"}).exit_code, 0);
    auto conn = Open(url);
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Execute("INSERT INTO customers SELECT g, 'c' || g FROM "
                              "generate_series(1, 100) g; INSERT INTO orders "
                              "SELECT g, 1 + g % 100, 1 + g % 7, 'n', 'r' || "
                              "g FROM generate_series(1, 12000) g")
                    .ok());
    int pid = p_.Spawn({"--url", url, "upgrade", "head"}, k);
    bool killed = false;
    for (int i = 0; i < 2000 && !killed; ++i) {
      auto rows = conn->Query(
          "SELECT count(*) FROM alembic_version_history WHERE revision = "
          "'aaaa00000002' AND progress IS NOT NULL");
      if (rows.ok() && std::stoi(rows->rows[0][0].value_or("0")) >= k) {
        ::kill(pid, SIGKILL);
        killed = true;
        break;
      }
      if (::waitpid(pid, nullptr, WNOHANG) == pid) break;  // finished
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!killed) {
      // The run got through before the k-th row: every row was covered.
      ++finished_uninterrupted;
    } else {
      (void)p_.Wait(pid, k);
      ++kills;
      if (k % 2 == 1) {
        Scalar(url,
               "SELECT count(pg_terminate_backend(pid)) FROM "
               "pg_stat_activity WHERE datname = current_database() AND pid "
               "<> pg_backend_pid()");
      }
      r = p_.Run({"--url", url, "upgrade", "head"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    EXPECT_EQ(Scalar(url,
                     "SELECT sum(qty)::text || ' ' || "
                     "min(pg_typeof(qty)::text) FROM orders"),
              "47997 bigint");
    EXPECT_EQ(Scalar(url,
                     "SELECT count(*) FROM pg_index WHERE NOT "
                     "indisvalid"),
              "0");
    EXPECT_EQ(Scalar(url,
                     "SELECT count(*) FROM pg_class WHERE relname LIKE "
                     "'%retort%' AND relname NOT LIKE 'alembic%'"),
              "0");
    EXPECT_EQ(Scalar(url,
                     "SELECT count(*) FROM pg_proc WHERE proname LIKE "
                     "'%retort%'"),
              "0");
    r = p_.Run({"--url", url, "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // The loop ran past the last progress row: every one was a kill point.
  EXPECT_EQ(finished_uninterrupted, 1);
  EXPECT_GE(kills, 20);  // the steps, the autocommit statements, 6 batches
  std::printf("online plan killed at %d points, each resumed\n", kills);
}

TEST_F(OnlineTest, OnlineOnAnExistingTableOnlyAndNotOnSqlite) {
  // A table the revision creates keeps its plain statements.
  p_.WriteFile("models/app.sql", kModelsV2);
  CliResult r = p_.Run({"revision", "--autogenerate", "--online", "-m", "new",
                        "--rev-id", "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p_.ReadFile("migrations/versions/aaaa00000001_new.sql");
  EXPECT_EQ(file.find("CONCURRENTLY"), std::string::npos) << file;
  EXPECT_EQ(file.find("-- retort: step"), std::string::npos) << file;
  EXPECT_NE(file.find("CREATE INDEX orders_customer ON public.orders"),
            std::string::npos)
      << file;

  TempProject lite;
  ASSERT_EQ(lite.Run({"init", "migrations"}).exit_code, 0);
  lite.WriteFile("retort.toml",
                 "script_location = \"migrations\"\nurl = \"sqlite:///app.db\""
                 "\nmodels = [\"models/*.sql\"]\n");
  lite.WriteFile("models/app.sql",
                 "CREATE TABLE t (id integer PRIMARY KEY);\n");
  r = lite.Run({"revision", "--autogenerate", "--online", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --online: online plans are for PostgreSQL, and the "
            "database is SQLite, which has no concurrent index builds or NOT "
            "VALID constraints and locks the whole file for every write; "
            "autogenerate without it\n");
  lite.WriteFile("retort.toml",
                 "script_location = \"migrations\"\nurl = \"sqlite:///app.db\""
                 "\nmodels = [\"models/*.sql\"]\nonline = true\n");
  r = lite.Run({"diff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: online = true in retort.toml: online plans "
                       "are for PostgreSQL"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(lite.List("migrations/versions").empty());
}

class BackfillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    // lock_timeout off: the kill test holds a row lock on purpose.
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\nlock_timeout = \"0\"\n");
    p_.WriteFile("migrations/script.sql.tmpl", "");
    WriteRevision(p_, "aaaaaaaaaaa1", "", "", "",
                  "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL, "
                  "tag text);\n"
                  "INSERT INTO t SELECT g, 0, 'x' FROM generate_series(1, "
                  "1000) g;",
                  "DROP TABLE t;");
    ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  }
  // Not idempotent on purpose: a batch run twice shows as n = 2.
  void WriteBackfill(const std::string& directive) {
    WriteRevision(
        p_, "bbbbbbbbbbb2", "aaaaaaaaaaa1", "", "",
        "SELECT 1;\n" + directive + "\nUPDATE t SET n = n + 1 WHERE tag = 'x';",
        "UPDATE t SET n = 0;");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(BackfillTest, BatchesKillResumeAndEveryRowOnce) {
  WriteBackfill("-- retort: backfill table=t key=id batch=100 sleep=10ms");
  // A row lock in the fourth batch holds it.
  auto blocker = Open(url_);
  ASSERT_TRUE(blocker);
  ASSERT_TRUE(blocker->Begin().ok());
  ASSERT_TRUE(blocker->Execute("UPDATE t SET tag = tag WHERE id = 350").ok());
  int pid = p_.Spawn({"upgrade", "head"}, 1);
  std::string backend;
  for (int i = 0; i < 400 && backend.empty(); ++i) {
    backend = Scalar(url_,
                     "SELECT COALESCE(min(pid)::text, '') FROM "
                     "pg_stat_activity WHERE query LIKE 'UPDATE t SET n%' AND "
                     "wait_event_type = 'Lock'");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (backend.empty()) {
    ::kill(pid, SIGKILL);
    CliResult r = p_.Wait(pid, 1);
    FAIL() << r.err;
  }
  ::kill(pid, SIGKILL);
  (void)p_.Wait(pid, 1);
  Scalar(url_, "SELECT pg_terminate_backend(" + backend + ")");
  for (int i = 0; i < 400; ++i) {
    if (Scalar(url_, "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                         backend) == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(blocker->Rollback().ok());
  // Three batches committed, each with its progress row.
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(n::text || ':' || c, ',' ORDER "
                   "BY n) FROM (SELECT n, count(*) c FROM t GROUP BY n) "
                   "s"),
            "0:700,1:300");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"aaaaaaaaaaa1"}));

  CliResult r = p_.Run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("the backfill at line 12 was interrupted; continuing "
                       "after key 300"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("backfill of t: 700 rows in 7 batches"),
            std::string::npos)
      << r.err;
  // Every row once: none skipped, none updated twice.
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(n::text || ':' || c, ',') FROM "
                   "(SELECT n, count(*) c FROM t GROUP BY n) s"),
            "1:1000");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"bbbbbbbbbbb2"}));
}

// CREATE INDEX CONCURRENTLY under a short lock timeout gives up waiting
// for an older transaction and leaves an INVALID index behind; the retry
// drops it concurrently first, instead of failing on its name.
TEST_F(BackfillTest, ConcurrentIndexRetriedAfterLockTimeoutDropsLeftover) {
  p_.WriteFile("migrations/versions/bbbbbbbbbbb2.sql",
               "-- cic\n--\n-- Revision ID: bbbbbbbbbbb2\n-- Revises: "
               "aaaaaaaaaaa1\n-- Create Date: 2026-11-21 10:00:00.000000\n"
               "-- Lock Timeout: 100ms\n\n-- migrate:upgrade\n"
               "CREATE INDEX CONCURRENTLY t_n ON t (n);\n\n"
               "-- migrate:downgrade\nDROP INDEX t_n;\n");
  auto blocker = Open(url_);
  ASSERT_TRUE(blocker);
  ASSERT_TRUE(blocker->Begin().ok());
  ASSERT_TRUE(blocker->Execute("INSERT INTO t VALUES (5000, 0, 'y')").ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    (void)blocker->Commit();
  });
  CliResult r = p_.Run({"upgrade", "head"});
  release.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("retrying the statement (1 of 5)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(": DROP INDEX CONCURRENTLY IF EXISTS"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Scalar(url_,
                   "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                   "'t_n'::regclass"),
            "t");
  EXPECT_EQ(VersionRows(url_), (std::vector<std::string>{"bbbbbbbbbbb2"}));
}

TEST_F(BackfillTest, KeyMustBeUniqueAndStatementAnUpdate) {
  WriteBackfill("-- retort: backfill table=t key=n batch=100");
  CliResult r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("backfill of t: key n is not unique on its own there "
                       "(no primary key or valid unique index on that column "
                       "alone), so its ranges could miss or repeat rows; name "
                       "such a column in key="),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT sum(n) FROM t"), "0");

  WriteRevision(p_, "bbbbbbbbbbb2", "aaaaaaaaaaa1", "", "",
                "-- retort: backfill table=t key=id batch=10\n"
                "DELETE FROM t WHERE n = 5;",
                "-- retort: empty");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":11: the statement after \"-- retort: backfill\" "
                       "must be an UPDATE (a plain one: no WITH before it) "
                       "(\"-- retort: backfill\" at line 10)"),
            std::string::npos)
      << r.err;

  // In a transactional step it is refused before anything runs.
  WriteRevision(p_, "bbbbbbbbbbb2", "aaaaaaaaaaa1", "", "",
                "-- retort: step\n-- retort: backfill table=t key=id "
                "batch=10\nUPDATE t SET n = 1;",
                "-- retort: empty");
  r = p_.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":12: a backfill (\"-- retort: backfill\"), whose "
                       "batches commit on their own, cannot run inside a "
                       "transaction, and this statement is in a "
                       "transactional step (line 10)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Scalar(url_, "SELECT sum(n) FROM t"), "0");
}

TEST_F(BackfillTest, OfflineDoBlockCommitsPerBatchAndCoversEveryRow) {
  WriteBackfill("-- retort: backfill table=t key=id batch=300");
  CliResult r = p_.Run({"upgrade", "aaaaaaaaaaa1:head", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-- backfill in batches of 300 by id (\"-- retort: "
                       "backfill\" at line 11)\n\nDO $retort_backfill$"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    COMMIT;\n"), std::string::npos) << r.out;
  // The server runs the block as printed (outside a transaction block).
  const size_t begin = r.out.find("DO $retort_backfill$");
  const size_t end = r.out.find("$retort_backfill$;", begin + 5);
  ASSERT_NE(end, std::string::npos) << r.out;
  auto conn = Open(url_);
  ASSERT_TRUE(conn);
  Status ran = conn->Execute(r.out.substr(begin, end + 17 - begin));
  ASSERT_TRUE(ran.ok()) << ran.message();
  EXPECT_EQ(Scalar(url_,
                   "SELECT string_agg(n::text || ':' || c, ',') FROM "
                   "(SELECT n, count(*) c FROM t GROUP BY n) s"),
            "1:1000");
}

}  // namespace
}  // namespace retort::testing

namespace retort::testing {
namespace {

// Expand and contract: `upgrade head --phase expand` stops each branch
// before its first contract revision (and what comes after it); `current`
// names what is left; `upgrade head` finishes.
TEST(PhaseTest, ExpandStopsBeforeContractOnEveryBranch) {
  TempProject p;
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"sqlite:///app.db\"\n");
  auto rev = [&](const std::string& id, const std::string& revises,
                 const std::string& extra, const std::string& labels,
                 const std::string& sql) {
    p.WriteFile("migrations/versions/" + id + ".sql",
                "-- " + id + "\n--\n-- Revision ID: " + id + "\n-- Revises: " +
                    revises + "\n-- Branch Labels: " + labels +
                    "\n-- Create Date: 2026-12-06 10:00:00\n" + extra +
                    "\n-- migrate:upgrade\n" + sql +
                    "\n\n-- migrate:downgrade\n-- retort: empty\n");
  };
  rev("a1", "", "", "", "CREATE TABLE t (id integer PRIMARY KEY, old text);");
  rev("b2", "a1", "-- Phase: expand\n", "",
      "ALTER TABLE t ADD COLUMN new text;");
  rev("c3", "b2", "-- Phase: contract\n", "", "ALTER TABLE t DROP COLUMN old;");
  rev("d4", "c3", "", "", "CREATE TABLE after_contract (id integer);");
  rev("e5", "", "", "other", "CREATE TABLE o (id integer);");
  rev("f6", "e5", "-- Phase: contract\n", "", "CREATE TABLE o2 (id integer);");

  // Offline, the same plan: no contract revision's SQL.
  CliResult r = p.Run({"upgrade", "heads", "--phase", "expand", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ALTER TABLE t ADD COLUMN new text;"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("DROP COLUMN old"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("after_contract"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("o2"), std::string::npos) << r.out;

  r = p.Run({"upgrade", "heads", "--phase", "expand"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p.Run({"current"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "b2\ne5\nContract revisions pending (upgrade head runs them): "
            "f6, c3\n");
  // Expanding again changes nothing.
  r = p.Run({"upgrade", "heads", "--phase", "expand"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.Run({"current"}).out,
            "b2\ne5\nContract revisions pending (upgrade head runs them): "
            "f6, c3\n");

  r = p.Run({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.Run({"current"}).out, "d4 (head)\nf6 (head)\n");

  r = p.Run({"upgrade", "heads", "--phase", "contract"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--phase"), std::string::npos) << r.err;

  // The fan-out stops at the same place on every target.
  p.WriteFile("retort.toml",
              "script_location = \"migrations\"\nurl = \"sqlite:///app.db\"\n"
              "[targets.one]\nurl = \"sqlite:///one.db\"\n"
              "[targets.two]\nurl = \"sqlite:///two.db\"\n");
  r = p.Run({"upgrade", "heads", "--phase", "expand", "--targets", "all"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* db : {"one.db", "two.db"}) {
    r = p.Run({"current", "--url", std::string("sqlite:///") + db});
    EXPECT_EQ(r.out,
              "b2\ne5\nContract revisions pending (upgrade head runs them): "
              "f6, c3\n")
        << db << r.err;
  }

  rev("g7", "d4", "-- Phase: shrink\n", "", "SELECT 1;");
  r = p.Run({"heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("g7.sql:7: invalid \"Phase\" value \"shrink\"; use "
                       "\"expand\" (old and new application versions both "
                       "work after it) or \"contract\" (only the new one "
                       "does)"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace retort::testing
