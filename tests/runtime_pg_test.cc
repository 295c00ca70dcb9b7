// Run / ReadCurrentHeads against the real PostgreSQL the harness starts:
// every target form, branches and merges, stamp, per-schema runs, the
// transaction modes, the advisory lock, and errors that name file and line.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime/version_table.h"
#include "runtime_util.h"
#include "script/script_directory.h"

namespace retort {
namespace {

using testing::ChainId;
using testing::CollectingSettings;
using testing::FreshDatabaseUrl;
using testing::MigrationProject;
using testing::RevisionSpec;
using testing::Rows;
using testing::Scalar;
using testing::TableExists;
using testing::VersionRows;

using Strings = std::vector<std::string>;

using testing::Target;

TEST(RuntimePg, UpgradeHeadCreatesTablesAndRecordsHistory) {
  MigrationProject p;
  p.AddChain(3);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunSettings settings;
  settings.tool_version = "9.9.9";
  auto report = p.Upgrade(Target(url), "head", settings);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->heads_before.empty());
  EXPECT_EQ(report->heads_after, Strings{ChainId(2)});
  ASSERT_EQ(report->steps.size(), 3u);
  EXPECT_EQ(report->steps[0].description, "upgrade  -> 000000000001, rev 0");
  EXPECT_EQ(report->steps[1].description,
            "upgrade 000000000001 -> 000000000002, rev 1");
  EXPECT_EQ(VersionRows(url), Strings{ChainId(2)});
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(TableExists(url, "t_" + std::to_string(i)));

  // The version table is Alembic's, column for column.
  EXPECT_EQ(Rows(url,
                 "SELECT column_name, data_type, character_maximum_length, "
                 "is_nullable FROM information_schema.columns WHERE "
                 "table_name = 'alembic_version'"),
            Strings{"version_num|character varying|32|NO"});
  EXPECT_EQ(Scalar(url,
                   "SELECT conname FROM pg_constraint WHERE conrelid = "
                   "'alembic_version'::regclass AND contype = 'p'"),
            "alembic_version_pkc");

  // One history row per step, with the file's checksum.
  auto history = Rows(url,
                      "SELECT revision, direction, checksum, applied_by, "
                      "tool_version, finished_at >= started_at, duration_ms "
                      ">= 0 FROM alembic_version_history ORDER BY id");
  ASSERT_EQ(history.size(), 3u);
  auto sha = FileSha256Hex(p.PathOf(ChainId(0)));
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(history[0].substr(0, history[0].find('|', 30)),
            ChainId(0) + "|upgrade|" + *sha);
  EXPECT_NE(history[0].find("@"), std::string::npos);
  EXPECT_NE(history[0].find("|9.9.9|t|t"), std::string::npos) << history[0];

  // A second run has nothing to do and adds no history.
  auto again = p.Upgrade(Target(url), "head");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->steps.empty());
  EXPECT_EQ(again->heads_before, Strings{ChainId(2)});
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history"), "3");
}

TEST(RuntimePg, EveryTargetForm) {
  MigrationProject p;
  p.AddChain(5);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget t = Target(url);
  struct Case {
    bool up;
    std::string target;
    Strings rows;
  };
  std::vector<Case> cases = {
      {true, "+1", {ChainId(0)}},
      {true, "+2", {ChainId(2)}},  // relative from current
      {false, "-1", {ChainId(1)}},
      {true, ChainId(3), {ChainId(3)}},
      {true, "head", {ChainId(4)}},
      {false, "base", {}},
      {true, "heads", {ChainId(4)}},
      {false, ChainId(1), {ChainId(1)}},
      {true, "head-1", {ChainId(3)}},
      {false, "-3", {ChainId(0)}},
      {true, ChainId(2), {ChainId(2)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE((c.up ? "upgrade " : "downgrade ") + c.target);
    auto r = c.up ? p.Upgrade(t, c.target) : p.Downgrade(t, c.target);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(VersionRows(url), c.rows);
    EXPECT_EQ(r->heads_after, c.rows);
  }
  // Tables follow the version table.
  EXPECT_TRUE(TableExists(url, "t_2"));
  EXPECT_FALSE(TableExists(url, "t_3"));
  // Downgrades are in the history too.
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM alembic_version_history WHERE "
                   "direction = 'downgrade'"),
            "12");
  // Alembic's errors pass through.
  auto bad = p.Upgrade(t, "zzzz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Can't locate revision identified by 'zzzz'");
  auto range = p.Upgrade(t, "a:b");
  EXPECT_EQ(range.status().message(), "Range revision not allowed");
}

// base -> a -> {b1 (label x), b2 (label y)} -> m (merge), plus a labelled
// independent branch "auth".
void AddBranchyGraph(MigrationProject& p) {
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE a (id int);",
                     "DROP TABLE a;"));
  p.Add(testing::Rev("bbbb00000001", "aaaa00000001",
                     "CREATE TABLE b1 (id int);", "DROP TABLE b1;")
            .Labels("x"));
  p.Add(testing::Rev("bbbb00000002", "aaaa00000001",
                     "CREATE TABLE b2 (id int);", "DROP TABLE b2;")
            .Labels("y"));
  p.Add(testing::Rev("cccc00000001", "bbbb00000001, bbbb00000002",
                     "CREATE TABLE m (id int);", "DROP TABLE m;"));
  p.Add(testing::Rev("dddd00000001", "", "CREATE TABLE auth_users (id int);",
                     "DROP TABLE auth_users;")
            .Labels("auth"));
  p.Add(testing::Rev("dddd00000002", "dddd00000001",
                     "ALTER TABLE auth_users ADD COLUMN name text;",
                     "ALTER TABLE auth_users DROP COLUMN name;"));
}

TEST(RuntimePg, BranchesMergesAndLabels) {
  MigrationProject p;
  AddBranchyGraph(p);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget t = Target(url);
  // Several heads: "head" is Alembic's error.
  auto head = p.Upgrade(t, "head");
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("Multiple head revisions"),
            std::string::npos)
      << head.status().message();
  EXPECT_TRUE(ReadCurrentHeads(t, {})->empty());
  EXPECT_FALSE(TableExists(url, "alembic_version"));  // rolled back too

  ASSERT_TRUE(p.Upgrade(t, "auth@head").ok());
  EXPECT_EQ(VersionRows(url), Strings{"dddd00000002"});
  ASSERT_TRUE(p.Upgrade(t, "bbbb00000001").ok());
  EXPECT_EQ(VersionRows(url), (Strings{"bbbb00000001", "dddd00000002"}));
  ASSERT_TRUE(p.Upgrade(t, "bbbb00000002").ok());
  EXPECT_EQ(VersionRows(url),
            (Strings{"bbbb00000001", "bbbb00000002", "dddd00000002"}));
  // The merge: delete + update (by a partial id).
  ASSERT_TRUE(p.Upgrade(t, "cccc").ok());
  EXPECT_EQ(VersionRows(url), (Strings{"cccc00000001", "dddd00000002"}));
  // Undo the merge: update + insert.
  // "cccc@-1" is Alembic's "Ambiguous walk" (two parents).
  EXPECT_EQ(p.Downgrade(t, "cccc@-1").status().message(), "Ambiguous walk");
  auto unmerge = p.Downgrade(t, "bbbb00000002");
  ASSERT_TRUE(unmerge.ok()) << unmerge.status().ToString();
  EXPECT_EQ(VersionRows(url),
            (Strings{"bbbb00000001", "bbbb00000002", "dddd00000002"}));
  ASSERT_TRUE(p.Downgrade(t, "auth@base").ok());
  EXPECT_EQ(VersionRows(url), (Strings{"bbbb00000001", "bbbb00000002"}));
  EXPECT_FALSE(TableExists(url, "auth_users"));
  ASSERT_TRUE(p.Downgrade(t, "base").ok());
  EXPECT_TRUE(VersionRows(url).empty());
  EXPECT_FALSE(TableExists(url, "a"));
}

TEST(RuntimePg, StampAndPurge) {
  MigrationProject p;
  p.AddChain(3);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget t = Target(url);
  auto stamped = p.Run(t, RunRequest::Command::kStamp, {ChainId(1)});
  ASSERT_TRUE(stamped.ok()) << stamped.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{ChainId(1)});
  EXPECT_FALSE(TableExists(url, "t_0"));  // nothing ran
  EXPECT_EQ(Rows(url,
                 "SELECT revision, direction, checksum FROM "
                 "alembic_version_history"),
            Strings{ChainId(1) + "|stamp|<NULL>"});
  ASSERT_TRUE(p.Upgrade(t, "head").ok());
  EXPECT_TRUE(TableExists(url, "t_2"));
  EXPECT_FALSE(TableExists(url, "t_1"));
  ASSERT_TRUE(p.Run(t, RunRequest::Command::kStamp, {"base"}).ok());
  EXPECT_TRUE(VersionRows(url).empty());

  // A row retort does not know: stamp fails, stamp --purge replaces it.
  {
    auto db = testing::Open(url);
    ASSERT_TRUE(
        db->Execute("INSERT INTO alembic_version VALUES ('feedfeedfeed')")
            .ok());
  }
  auto unknown = p.Run(t, RunRequest::Command::kStamp, {"head"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "Can't locate revision identified by 'feedfeedfeed'");
  EXPECT_EQ(VersionRows(url), Strings{"feedfeedfeed"});
  auto purged =
      p.Run(t, RunRequest::Command::kStamp, {ChainId(0)}, {}, /*purge=*/true);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->heads_before, Strings{"feedfeedfeed"});
  EXPECT_EQ(VersionRows(url), Strings{ChainId(0)});
}

TEST(RuntimePg, FailingStatementNamesFileLineAndRollsBack) {
  MigrationProject p;
  p.AddChain(2);
  p.Add(testing::Rev("0000000000f3", ChainId(1),
                     "CREATE TABLE fine (id int);\n"
                     "INSERT INTO fine\n"
                     "  SELECT id FROM users;",
                     "DROP TABLE fine;"));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget t = Target(url);
  ASSERT_TRUE(p.Upgrade(t, "+1").ok());

  auto failed = p.Upgrade(t, "head");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Status::Code::kDatabase);
  // Header is 8 lines + blank + marker: the body starts on line 10; the
  // error position points at "users" on the body's third line.
  EXPECT_EQ(failed.status().message(),
            p.PathOf("0000000000f3") +
                ":12: upgrade 0000000000f3 failed: ERROR 42P01: relation "
                "\"users\" does not exist");
  // Everything rolled back: t_1 (applied in the same run) is gone too.
  EXPECT_EQ(VersionRows(url), Strings{ChainId(0)});
  EXPECT_FALSE(TableExists(url, "t_1"));
  EXPECT_FALSE(TableExists(url, "fine"));
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history"), "1");
  // The lock was released: nothing advisory is held.
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM pg_locks WHERE locktype = "
                   "'advisory'"),
            "0");
}

TEST(RuntimePg, ErrorsCarryDetailAndHint) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "",
                     "CREATE TABLE u (id int PRIMARY KEY);\n"
                     "INSERT INTO u VALUES (1);\n\n"
                     "INSERT INTO u VALUES (1);",
                     ""));
  p.Add(testing::Rev("aaaa00000002", "aaaa00000001",
                     "SELECT no_such_function(1, 'x');", ""));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  auto dup = p.Upgrade(Target(url), "aaaa00000001");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            p.PathOf("aaaa00000001") +
                ":13: upgrade aaaa00000001 failed: ERROR 23505: duplicate key "
                "value violates unique constraint \"u_pkey\"\n"
                "DETAIL: Key (id)=(1) already exists.");
  auto fn = p.Upgrade(Target(url), "heads");
  ASSERT_FALSE(fn.ok());
  EXPECT_NE(fn.status().message().find(":13: upgrade aaaa00000001 failed"),
            std::string::npos)
      << fn.status().message();
  // Fix the first: now the second fails with a HINT.
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE u (id int PRIMARY KEY);",
                     ""));
  ASSERT_TRUE(p.Load());
  fn = p.Upgrade(Target(url), "heads");
  ASSERT_FALSE(fn.ok());
  EXPECT_EQ(fn.status().message(),
            p.PathOf("aaaa00000002") +
                ":10: upgrade aaaa00000002 failed: ERROR 42883: function "
                "no_such_function(integer, unknown) does not exist\n"
                "HINT: No function matches the given name and argument types. "
                "You might need to add explicit type casts.");
  EXPECT_TRUE(ReadCurrentHeads(Target(url), {})->empty());
}

TEST(RuntimePg, PlaceholdersAndErrorLinesAfterSubstitution) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "",
                     "CREATE TABLE ${schema}.t (\n"
                     "  id int DEFAULT ${n:raw},\n"
                     "  note text DEFAULT ${note:literal});\n"
                     "SELECT '$${not_a_placeholder}';\n"
                     "SELECT ${two:raw} FROM missing;",
                     "DROP TABLE ${schema}.t;"));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget t = Target(url);
  t.schema = "app";
  t.create_schema = true;
  RunSettings settings;
  settings.placeholders = {{"n", "7"}, {"note", "it's"}, {"two", "1,\n2"}};
  auto failed = p.Upgrade(t, "head", settings);
  ASSERT_FALSE(failed.ok());
  // The value of ${two:raw} spans two lines; the error still names the
  // line the file has "missing" on.
  EXPECT_EQ(failed.status().message(),
            p.PathOf("aaaa00000001") +
                ":14: upgrade aaaa00000001 failed: ERROR 42P01: relation "
                "\"missing\" does not exist");
  p.Add(testing::Rev("aaaa00000001", "",
                     "CREATE TABLE ${schema}.t (\n"
                     "  id int DEFAULT ${n:raw},\n"
                     "  note text DEFAULT ${note:literal});\n"
                     "SELECT '$${not_a_placeholder}';",
                     "DROP TABLE ${schema}.t;"));
  ASSERT_TRUE(p.Load());
  ASSERT_TRUE(p.Upgrade(t, "head", settings).ok());
  EXPECT_EQ(Scalar(url,
                   "SELECT column_default FROM information_schema.columns "
                   "WHERE table_schema = 'app' AND table_name = 't' AND "
                   "column_name = 'note'"),
            "'it''s'::text");
  // An unknown placeholder names file:line and runs nothing.
  p.Add(testing::Rev("aaaa00000002", "aaaa00000001",
                     "SELECT 1;\nSELECT ${nope};", ""));
  ASSERT_TRUE(p.Load());
  auto unknown = p.Upgrade(t, "head", settings);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            p.PathOf("aaaa00000002") +
                ":11: unknown placeholder ${nope} (defined: n, note, schema, "
                "two)");
}

TEST(RuntimePg, PerSchemaVersionTables) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE users (id int);",
                     "DROP TABLE users;"));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunTarget auth = Target(url);
  auth.schema = "auth";
  auth.version_table = "alembic_version_auth";
  // Nothing exists yet: current is empty and creates nothing.
  auto none = ReadCurrentHeads(auth, {});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(
      Scalar(url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'auth'"),
      "0");

  auth.create_schema = true;
  ASSERT_TRUE(p.Upgrade(auth, "head").ok());
  // As the seed's Alembic setup: table and version table land in "auth".
  EXPECT_TRUE(TableExists(url, "auth.users"));
  EXPECT_FALSE(TableExists(url, "public.users"));
  EXPECT_EQ(VersionRows(url, "auth.alembic_version_auth"),
            Strings{"aaaa00000001"});
  EXPECT_TRUE(TableExists(url, "auth.alembic_version_auth_history"));
  EXPECT_EQ(*ReadCurrentHeads(auth, {}), Strings{"aaaa00000001"});

  // A second schema gets its own version table and lock.
  RunTarget inv = auth;
  inv.schema = "inventory";
  inv.version_table = "alembic_version_inventory";
  ASSERT_TRUE(p.Upgrade(inv, "head").ok());
  EXPECT_TRUE(TableExists(url, "inventory.users"));
  EXPECT_EQ(VersionRows(url, "inventory.alembic_version_inventory"),
            Strings{"aaaa00000001"});

  // version_table_schema puts the version table elsewhere.
  RunTarget billing = auth;
  billing.schema = "billing";
  billing.version_table = "alembic_version_billing";
  billing.version_table_schema = "public";
  ASSERT_TRUE(p.Upgrade(billing, "head").ok());
  EXPECT_TRUE(TableExists(url, "billing.users"));
  EXPECT_EQ(VersionRows(url, "public.alembic_version_billing"),
            Strings{"aaaa00000001"});
  EXPECT_EQ(*ReadCurrentHeads(billing, {}), Strings{"aaaa00000001"});
  ASSERT_TRUE(p.Downgrade(billing, "base").ok());
  EXPECT_FALSE(TableExists(url, "billing.users"));
  EXPECT_TRUE(TableExists(url, "auth.users"));
}

TEST(RuntimePg, ReadCurrentHeadsNeverCreates) {
  std::string url = FreshDatabaseUrl();
  auto heads = ReadCurrentHeads(Target(url), {});
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_TRUE(heads->empty());
  EXPECT_FALSE(TableExists(url, "alembic_version"));
  EXPECT_FALSE(TableExists(url, "alembic_version_history"));
  RunTarget qualified = Target(url);
  qualified.version_table_schema = "nosuchschema";
  heads = ReadCurrentHeads(qualified, {});
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  EXPECT_TRUE(heads->empty());
}

TEST(RuntimePg, PerMigrationTransactions) {
  MigrationProject p;
  p.AddChain(2);
  p.Add(testing::Rev("0000000000f3", ChainId(1), "SELECT 1/0;", ""));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunSettings settings;
  settings.transaction_per_migration = true;
  auto failed = p.Upgrade(Target(url), "head", settings);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("ERROR 22012: division by zero"),
            std::string::npos);
  // The two revisions before the failing one were committed.
  EXPECT_EQ(VersionRows(url), Strings{ChainId(1)});
  EXPECT_TRUE(TableExists(url, "t_1"));
  EXPECT_EQ(Scalar(url, "SELECT count(*) FROM alembic_version_history"), "2");
}

TEST(RuntimePg, NonTransactionalRevisions) {
  MigrationProject p;
  p.AddChain(1);
  p.Add(testing::Rev("000000000002", ChainId(0),
                     "INSERT INTO t_0 VALUES (1, 'x');\n"
                     "CREATE INDEX CONCURRENTLY t_0_name ON t_0 (name);",
                     "DROP INDEX CONCURRENTLY t_0_name;"));
  p.Add(testing::Rev("000000000003", "000000000002",
                     "CREATE TABLE t_3 (id int);\nSELECT 1/0;",
                     "DROP TABLE t_3;")
            .Header("-- Transactional: false\n"));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  std::vector<std::string> log;
  RunSettings settings = CollectingSettings(&log, LogLevel::kInfo);
  ASSERT_TRUE(p.Upgrade(Target(url), "000000000002", settings).ok());
  EXPECT_EQ(VersionRows(url), Strings{"000000000002"});
  EXPECT_EQ(Scalar(url,
                   "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                   "'t_0_name'::regclass"),
            "t");
  bool said_why = std::any_of(log.begin(), log.end(), [](const std::string& l) {
    return l.rfind(
               "I: 000000000002 runs outside a transaction (CREATE INDEX "
               "CONCURRENTLY at line 11)",
               0) == 0;
  });
  EXPECT_TRUE(said_why) << ::testing::PrintToString(log);

  // Transactional: false -- what ran before the failure stays (autocommit),
  // the version table does not move.
  auto failed = p.Upgrade(Target(url), "head", settings);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(":12: upgrade 000000000003 failed"),
            std::string::npos)
      << failed.status().message();
  EXPECT_TRUE(TableExists(url, "t_3"));
  EXPECT_EQ(VersionRows(url), Strings{"000000000002"});

  ASSERT_TRUE(p.Downgrade(Target(url), "000000000001").ok());
  EXPECT_FALSE(TableExists(url, "t_0_name"));
}

TEST(RuntimePg, SessionTimeoutsAreApplied) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "",
                     "DO $$ BEGIN\n"
                     "  IF current_setting('statement_timeout') <> '7s' OR\n"
                     "     current_setting('lock_timeout') <> '3s' THEN\n"
                     "    RAISE EXCEPTION 'timeouts: %, %',\n"
                     "      current_setting('statement_timeout'),\n"
                     "      current_setting('lock_timeout');\n"
                     "  END IF;\n"
                     "END $$;",
                     ""));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  RunSettings settings;
  settings.statement_timeout = "7s";
  settings.lock_timeout = "3s";
  auto r = p.Upgrade(Target(url), "head", settings);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  auto unset = p.Downgrade(Target(url), "base");
  ASSERT_TRUE(unset.ok());
  // Unset: the server's statement_timeout, and lock_timeout's default 5s
  // (a migration never queues readers behind it for long).
  auto without = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(without.ok());
  EXPECT_NE(without.status().message().find("timeouts: 0, 5s"),
            std::string::npos)
      << without.status().message();
}

TEST(RuntimePg, DeleteOfAVersionRowMustMatchExactlyOne) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "", "SELECT 1;",
                     "DELETE FROM alembic_version;"));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  ASSERT_TRUE(p.Upgrade(Target(url), "head").ok());
  auto r = p.Downgrade(Target(url), "base");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Online migration expected to match one row when deleting "
            "'aaaa00000001' in 'alembic_version'; 0 found");
  EXPECT_EQ(VersionRows(url), Strings{"aaaa00000001"});
}

TEST(RuntimePg, LogsStepsAndStatements) {
  MigrationProject p;
  p.AddChain(2);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  std::vector<std::string> log;
  auto r = p.Upgrade(Target(url), "head", CollectingSettings(&log));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto has = [&log](const std::string& prefix, const std::string& part) {
    return std::any_of(log.begin(), log.end(), [&](const std::string& l) {
      return l.rfind(prefix, 0) == 0 && l.find(part) != std::string::npos;
    });
  };
  EXPECT_TRUE(has("I: ", "Running upgrade  -> 000000000001, rev 0"))
      << ::testing::PrintToString(log);
  EXPECT_TRUE(has("I: ", "creating the version table alembic_version"));
  EXPECT_TRUE(has("D: ", " ms  CREATE TABLE t_1 (id integer PRIMARY KEY"));
  log.clear();
  RunSettings quiet = CollectingSettings(&log, LogLevel::kWarn);
  ASSERT_TRUE(p.Downgrade(Target(url), "base", quiet).ok());
  EXPECT_TRUE(log.empty()) << ::testing::PrintToString(log);
}

TEST(RuntimePg, VersionRowMustMatchExactlyOne) {
  MigrationProject p;
  p.AddChain(1);
  p.Add(testing::Rev("000000000002", ChainId(0), "DELETE FROM alembic_version;",
                     ""));
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  ASSERT_TRUE(p.Upgrade(Target(url), "+1").ok());
  auto r = p.Upgrade(Target(url), "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Online migration expected to match one row when updating "
            "'000000000001' to '000000000002' in 'alembic_version'; 0 found");
  EXPECT_EQ(VersionRows(url), Strings{ChainId(0)});
}

TEST(RuntimePg, LockWaitLogsTheHolderAndTimesOut) {
  MigrationProject p;
  p.AddChain(1);
  ASSERT_TRUE(p.Load());
  std::string url = FreshDatabaseUrl();
  auto holder = testing::Open(url + "?application_name=holder-app");
  ASSERT_NE(holder, nullptr);
  auto parsed = ParseDatabaseUrl(url);
  int64_t key = MigrationLockKey(parsed->dbname, "", "alembic_version");
  ASSERT_EQ(Scalar(url, "SELECT 1"), "1");
  ASSERT_TRUE(
      holder
          ->Query("SELECT pg_advisory_lock($1::bigint)", {std::to_string(key)})
          .ok());
  std::string pid =
      holder->Query("SELECT pg_backend_pid()")->rows[0][0].value();

  std::vector<std::string> log;
  RunSettings settings = CollectingSettings(&log, LogLevel::kWarn);
  settings.lock_poll_ms = 20;
  settings.lock_wait_timeout_ms = 300;
  auto r = p.Upgrade(Target(url), "head", settings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
  EXPECT_NE(r.status().message().find("timed out after 300 ms waiting for the "
                                      "migration lock on " +
                                      parsed->dbname + "/alembic_version"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("held by pid " + pid +
                                      " (application_name 'holder-app'"),
            std::string::npos)
      << r.status().message();
  ASSERT_EQ(log.size(), 1u) << ::testing::PrintToString(log);
  EXPECT_EQ(log[0].rfind("W: waiting for the migration lock on ", 0), 0u);
  EXPECT_NE(log[0].find("pid " + pid), std::string::npos);
  EXPECT_NE(log[0].find("connected since"), std::string::npos);
  EXPECT_FALSE(TableExists(url, "alembic_version"));  // heads never read

  // Released while we wait: the run proceeds.
  settings.lock_wait_timeout_ms = 0;
  std::thread release([&holder, key] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)holder->Query("SELECT pg_advisory_unlock($1::bigint)",
                        {std::to_string(key)});
  });
  auto waited = p.Upgrade(Target(url), "head", settings);
  release.join();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(VersionRows(url), Strings{ChainId(0)});
}

TEST(RuntimePg, ConnectionErrorsHideThePassword) {
  MigrationProject p;
  p.AddChain(1);
  ASSERT_TRUE(p.Load());
  RunTarget t = Target("postgresql://app:s3cretpw@127.0.0.1:1/nope");
  auto r = p.Upgrade(t, "head");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cretpw"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("app:***@"), std::string::npos)
      << r.status().message();
  auto heads = ReadCurrentHeads(t, {});
  ASSERT_FALSE(heads.ok());
  EXPECT_EQ(heads.status().message().find("s3cretpw"), std::string::npos);
}

// The version and history rows are written at each transaction's end; a
// revision outside a transaction gets its own, wherever it falls in the
// run (first after others, last of all), in either transaction mode.
TEST(RuntimePg, BookkeepingAroundStepsOutsideATransaction) {
  MigrationProject p;
  p.AddChain(1);
  p.Add(testing::Rev("000000000002", ChainId(0),
                     "CREATE INDEX CONCURRENTLY t_0_name ON t_0 (name);",
                     "DROP INDEX CONCURRENTLY t_0_name;"));
  p.Add(testing::Rev("000000000003", "000000000002",
                     "CREATE TABLE t_3 (id int);", "DROP TABLE t_3;"));
  p.Add(testing::Rev("000000000004", "000000000003",
                     "CREATE TABLE t_4 (id int);", "DROP TABLE t_4;")
            .Header("-- Transactional: false\n"));
  ASSERT_TRUE(p.Load());
  for (bool per_migration : {false, true}) {
    SCOPED_TRACE(per_migration ? "per migration" : "one transaction");
    std::string url = FreshDatabaseUrl();
    RunSettings settings;
    settings.transaction_per_migration = per_migration;
    auto up = p.Upgrade(Target(url), "head", settings);
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    EXPECT_EQ(VersionRows(url), Strings{"000000000004"});
    const std::string history =
        "SELECT revision || ' ' || direction || ' ' || (checksum IS NOT "
        "NULL)::text FROM alembic_version_history WHERE progress IS NULL "
        "ORDER BY id";  // the rows of whole steps (not progress rows)
    EXPECT_EQ(
        Rows(url, history),
        (Strings{"000000000001 upgrade true", "000000000002 upgrade true",
                 "000000000003 upgrade true", "000000000004 upgrade true"}));
    auto down = p.Downgrade(Target(url), "base", settings);
    ASSERT_TRUE(down.ok()) << down.status().ToString();
    EXPECT_EQ(VersionRows(url), Strings{});
    EXPECT_FALSE(TableExists(url, "t_0"));
    Strings rows = Rows(url, history);
    ASSERT_EQ(rows.size(), 8u);
    EXPECT_EQ(
        Strings(rows.begin() + 4, rows.end()),
        (Strings{"000000000004 downgrade true", "000000000003 downgrade true",
                 "000000000002 downgrade true",
                 "000000000001 downgrade true"}));
  }
}

// A revision with a COMMIT of its own (Flyway-style BEGIN ... COMMIT, or
// Alembic's op.execute("COMMIT")) would commit the run half-way: it is
// refused before anything runs, pointing to "-- retort: step" (issue 14).
TEST(RuntimePg, RevisionThatCommitsItselfIsRefused) {
  MigrationProject p;
  p.AddChain(1);
  p.Add(testing::Rev(
      "000000000002", ChainId(0),
      "BEGIN;\nCREATE TABLE t_2 (id int);\nCOMMIT;\n"
      "CREATE TABLE t_2_after (id int);",
      "DROP TABLE t_2_after;\nDROP TABLE t_2;"));
  ASSERT_TRUE(p.Load());
  for (bool per_migration : {false, true}) {
    SCOPED_TRACE(per_migration ? "per migration" : "one transaction");
    RunSettings settings;
    settings.transaction_per_migration = per_migration;
    std::string url = FreshDatabaseUrl();
    auto up = p.Upgrade(Target(url), "head", settings);
    ASSERT_FALSE(up.ok());
    EXPECT_NE(up.status().message().find(
                  "upgrade 000000000002 runs BEGIN, which would end the "
                  "transaction retort runs it in"),
              std::string::npos)
        << up.status().ToString();
    EXPECT_FALSE(TableExists(url, "t_0"));
    EXPECT_FALSE(TableExists(url, "t_2"));
    // Rolled back whole: not even the version table was kept.
    EXPECT_FALSE(TableExists(url, "alembic_version"));
  }
}

// A downgrade to base whose last revision drops the schema that holds the
// version table: nothing is left to record, and that is no error.
TEST(RuntimePg, DowngradeToBaseDropsTheVersionTablesSchema) {
  MigrationProject p;
  p.Add(testing::Rev("aaaa00000001", "", "CREATE TABLE a (id int);",
                     "DROP SCHEMA app CASCADE;"));
  p.Add(testing::Rev("aaaa00000002", "aaaa00000001", "CREATE TABLE b (id int);",
                     "DROP TABLE b;"));
  ASSERT_TRUE(p.Load());
  for (bool per_migration : {false, true}) {
    SCOPED_TRACE(per_migration ? "per migration" : "one transaction");
    std::string url = FreshDatabaseUrl();
    RunTarget app = Target(url);
    app.schema = "app";
    app.create_schema = true;
    RunSettings settings;
    settings.transaction_per_migration = per_migration;
    std::vector<std::string> log;
    ASSERT_TRUE(p.Upgrade(app, "head", settings).ok());
    EXPECT_EQ(VersionRows(url, "app.alembic_version"), Strings{"aaaa00000002"});
    RunSettings logged = CollectingSettings(&log, LogLevel::kInfo);
    logged.transaction_per_migration = per_migration;
    auto down = p.Downgrade(app, "base", logged);
    ASSERT_TRUE(down.ok()) << down.status().ToString();
    EXPECT_EQ(down->heads_after, Strings{});
    EXPECT_EQ(Scalar(url,
                     "SELECT count(*) FROM pg_namespace WHERE nspname = "
                     "'app'"),
              "0");
    EXPECT_NE(std::find(log.begin(), log.end(),
                        "I: the version table alembic_version was dropped by "
                        "the downgrade; nothing left to record"),
              log.end())
        << ::testing::PrintToString(log);
    // And up again from nothing.
    ASSERT_TRUE(p.Upgrade(app, "head", settings).ok());
    EXPECT_EQ(VersionRows(url, "app.alembic_version"), Strings{"aaaa00000002"});
  }
}

}  // namespace
}  // namespace retort
