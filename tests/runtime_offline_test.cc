// Offline (--sql) runs: the script compared with Debian's Alembic on the same
// revisions, the request checks Alembic makes, per-revision and
// non-transactional layouts, and -- on the real server -- that running the
// script with psql leaves what an online run leaves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dialect/url.h"
#include "pg_harness.h"
#include "runtime_util.h"
#include "script/script_directory.h"

namespace retort {
namespace {

using testing::ChainId;
using testing::FreshDatabaseUrl;
using testing::MigrationProject;
using testing::Rows;
using testing::Shell;
using testing::VersionRows;

using Strings = std::vector<std::string>;
using Command = RunRequest::Command;

constexpr char kPgUrl[] = "postgresql://postgres@127.0.0.1:1/offline";

RunTarget Target(const std::string& url = kPgUrl) {
  RunTarget target;
  target.url = url;
  return target;
}

std::string Offline(const MigrationProject& p, Command command, Strings targets,
                    const RunTarget& target = Target(),
                    const RunSettings& settings = {}) {
  auto r = p.Run(target, command, std::move(targets), settings, false, true);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->offline_sql : "<error>";
}

// What retort's scripts start with beyond Alembic's: the default
// lock_timeout (docs/safety.md).
constexpr char kLockTimeoutLine[] = "SET lock_timeout = '5s';\n\n";

// The script without retort's own tables' statements (history, meta) and
// its leading SET lock_timeout: what Alembic would print.
std::string WithoutHistory(const std::string& sql) {
  std::string out;
  size_t pos = 0;
  // (PostgreSQL scripts; FullScriptWithHistory checks it is there.)
  if (sql.starts_with(kLockTimeoutLine)) {
    pos = std::string(kLockTimeoutLine).size();
  }
  while (pos < sql.size()) {
    size_t end = sql.find("\n\n", pos);
    end = end == std::string::npos ? sql.size() : end + 2;
    std::string block = sql.substr(pos, end - pos);
    if (block.find("alembic_version_history") == std::string::npos &&
        block.find("alembic_version_auth_history") == std::string::npos &&
        block.find("alembic_version_retort") == std::string::npos &&
        block.find("alembic_version_auth_retort") == std::string::npos) {
      out += block;
    }
    pos = end;
  }
  return out;
}

// Debian's Alembic on a tests/tools/gen_alembic.py project of `n` revisions;
// `env_edit` is a sed command run on its env.py (the generator keeps the
// text "literal_binds=True, version_table=vt," for it).
std::string AlembicSql(int n, const std::string& args,
                       const std::string& env_edit = "") {
  std::string dir =
      (std::filesystem::temp_directory_path() /
       ("retort-alembic-" + std::to_string(getpid()) + "-" + std::to_string(n)))
          .string();
  std::string out;
  std::string gen = "rm -rf " + dir + " && /usr/bin/python3 " +
                    testing::GenAlembicScript() + " " + dir +
                    " --revisions " + std::to_string(n) + " --url " + kPgUrl;
  EXPECT_EQ(Shell(gen, &out), 0) << out;
  if (!env_edit.empty()) {
    EXPECT_EQ(Shell("cd " + dir + " && sed -i '" + env_edit + "' env.py", &out),
              0)
        << out;
  }
  int rc = Shell(
      "cd " + dir + " && /usr/bin/python3 -m alembic " + args + " 2>/dev/null",
      &out);
  EXPECT_EQ(rc, 0) << out;
  std::string rm;
  Shell("rm -rf " + dir, &rm);
  return out;
}

TEST(RuntimeOffline, SameScriptAsAlembic) {
  MigrationProject p;
  p.AddChain(3);
  ASSERT_TRUE(p.Load());
  struct Case {
    Command command;
    Strings targets;
    std::string alembic;
  };
  std::vector<Case> cases = {
      {Command::kUpgrade, {"head"}, "upgrade head --sql"},
      {Command::kUpgrade,
       {ChainId(0) + ":head"},
       "upgrade 000000000001:head --sql"},
      {Command::kUpgrade,
       {"base:" + ChainId(1)},
       "upgrade base:000000000002 --sql"},
      {Command::kDowngrade,
       {ChainId(2) + ":" + ChainId(0)},
       "downgrade 000000000003:000000000001 --sql"},
      {Command::kDowngrade,
       {ChainId(1) + ":base"},
       "downgrade 000000000002:base --sql"},
      {Command::kStamp, {ChainId(1)}, "stamp 000000000002 --sql"},
      {Command::kStamp,
       {ChainId(0) + ":" + ChainId(2)},
       "stamp 000000000001:000000000003 --sql"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.alembic);
    std::string ours = Offline(p, c.command, c.targets);
    EXPECT_EQ(WithoutHistory(ours), AlembicSql(3, c.alembic));
  }
}

TEST(RuntimeOffline, PerMigrationTransactionsAndVersionTableSchemaAsAlembic) {
  MigrationProject p;
  p.AddChain(2);
  ASSERT_TRUE(p.Load());
  RunTarget target = Target();
  target.version_table_schema = "vs";
  RunSettings settings;
  settings.transaction_per_migration = true;
  std::string ours = Offline(p, Command::kUpgrade, {"head"}, target, settings);
  EXPECT_EQ(WithoutHistory(ours),
            AlembicSql(2, "upgrade head --sql",
                       "s/literal_binds=True, version_table=vt,/"
                       "literal_binds=True, version_table=vt, "
                       "transaction_per_migration=True, "
                       "version_table_schema=\"vs\",/"));
  target.version_table_schema = "";
  target.version_table = "alembic_version_auth";
  EXPECT_EQ(WithoutHistory(Offline(p, Command::kUpgrade, {"head"}, target)),
            AlembicSql(2, "-x schema=auth upgrade head --sql"));
}

TEST(RuntimeOffline, FullScriptWithHistory) {
  MigrationProject p;
  p.AddChain(1);
  ASSERT_TRUE(p.Load());
  RunSettings settings;
  settings.tool_version = "0.1.0";
  std::string sql = Offline(p, Command::kUpgrade, {"head"}, Target(), settings);
  auto sha = FileSha256Hex(p.PathOf(ChainId(0)));
  ASSERT_TRUE(sha.ok());
  std::string expected =
      std::string(kLockTimeoutLine) +
      "BEGIN;\n\n"
      "CREATE TABLE alembic_version (\n"
      "    version_num VARCHAR(32) NOT NULL, \n"
      "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
      ");\n\n"
      "CREATE TABLE IF NOT EXISTS alembic_version_history (\n"
      "    id SERIAL NOT NULL, \n"
      "    revision VARCHAR(255) NOT NULL, \n"
      "    direction VARCHAR(16) NOT NULL, \n"
      "    checksum VARCHAR(64), \n"
      "    started_at TIMESTAMP WITH TIME ZONE NOT NULL, \n"
      "    finished_at TIMESTAMP WITH TIME ZONE NOT NULL, \n"
      "    duration_ms BIGINT NOT NULL, \n"
      "    applied_by VARCHAR(255) NOT NULL, \n"
      "    tool_version VARCHAR(64) NOT NULL, \n"
      "    CONSTRAINT alembic_version_history_pkey PRIMARY KEY (id), \n"
      "    CONSTRAINT alembic_version_history_direction_check CHECK "
      "(direction IN ('upgrade', 'downgrade', 'stamp'))\n"
      ");\n\n"
      "ALTER TABLE alembic_version_history ADD COLUMN IF NOT EXISTS progress "
      "VARCHAR(16);\n\n"
      "ALTER TABLE alembic_version_history ADD COLUMN IF NOT EXISTS statement "
      "INTEGER;\n\n"
      "CREATE TABLE IF NOT EXISTS alembic_version_retort (\n"
      "    name VARCHAR(64) NOT NULL, \n"
      "    value VARCHAR(255) NOT NULL, \n"
      "    CONSTRAINT alembic_version_retort_pkey PRIMARY KEY (name)\n"
      ");\n\n"
      "INSERT INTO alembic_version_retort (name, value) VALUES "
      "('history_version', '2') ON CONFLICT (name) DO UPDATE SET value = "
      "excluded.value;\n\n"
      "-- Running upgrade  -> 000000000001\n\n"
      "CREATE TABLE t_0 (id integer PRIMARY KEY, name text NOT NULL, "
      "created_at timestamptz DEFAULT now());\n\n"
      "INSERT INTO alembic_version (version_num) VALUES ('000000000001') "
      "RETURNING alembic_version.version_num;\n\n"
      "INSERT INTO alembic_version_history (revision, direction, checksum, "
      "started_at, finished_at, duration_ms, applied_by, tool_version) VALUES "
      "('000000000001', 'upgrade', '" +
      *sha + "', now(), now(), 0, '";
  ASSERT_EQ(sql.substr(0, expected.size()), expected);
  const std::string tail = "', '0.1.0');\n\nCOMMIT;\n\n";
  EXPECT_EQ(sql.substr(sql.size() - tail.size()), tail);
}

TEST(RuntimeOffline, RequestChecksAsAlembic) {
  MigrationProject p;
  p.AddChain(2);
  ASSERT_TRUE(p.Load());
  auto err = [&](Command c, Strings targets, bool purge = false) {
    auto r = p.Run(Target(), c, std::move(targets), {}, purge, true);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string("<ok>") : r.status().message();
  };
  EXPECT_EQ(err(Command::kDowngrade, {"-1"}),
            "downgrade with --sql requires <fromrev>:<torev>");
  EXPECT_EQ(err(Command::kStamp, {"head"}, true),
            "Can't use --purge with --sql mode");
  EXPECT_EQ(err(Command::kStamp, {ChainId(0) + ":head", "base:head"}),
            "Stamp operation with --sql only supports one starting revision "
            "at a time");
  // Online, a range is refused before connecting.
  auto online = p.Run(Target(), Command::kUpgrade, {"a:b"});
  EXPECT_EQ(online.status().message(), "Range revision not allowed");
  // The starting revision may be a symbol.
  auto r = p.Run(Target(), Command::kUpgrade, {"head:head"}, {}, false, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->heads_before, Strings{ChainId(1)});
  EXPECT_EQ(r->heads_after, Strings{ChainId(1)});
  EXPECT_TRUE(r->steps.empty());
}

TEST(RuntimeOffline, NonTransactionalRevisionsGoBetweenTransactions) {
  MigrationProject p;
  p.AddChain(1);
  p.Add(testing::Rev("000000000002", ChainId(0),
                     "CREATE INDEX CONCURRENTLY t_0_name ON t_0 (name);",
                     "DROP INDEX CONCURRENTLY t_0_name;"));
  p.Add(testing::Rev("000000000003", "000000000002",
                     "CREATE TABLE t_3 (id int) -- trailing comment",
                     "DROP TABLE t_3;"));
  ASSERT_TRUE(p.Load());
  std::string sql =
      WithoutHistory(Offline(p, Command::kUpgrade, {ChainId(0) + ":head"}));
  EXPECT_EQ(sql,
            "BEGIN;\n\n"
            "COMMIT;\n\n"
            "-- Running upgrade 000000000001 -> 000000000002\n\n"
            "-- outside a transaction: CREATE INDEX CONCURRENTLY at line 10\n\n"
            "CREATE INDEX CONCURRENTLY t_0_name ON t_0 (name);\n\n"
            "BEGIN;\n\n"
            "UPDATE alembic_version SET version_num='000000000002' WHERE "
            "alembic_version.version_num = '000000000001';\n\n"
            "-- Running upgrade 000000000002 -> 000000000003\n\n"
            "CREATE TABLE t_3 (id int) -- trailing comment\n;\n\n"
            "UPDATE alembic_version SET version_num='000000000003' WHERE "
            "alembic_version.version_num = '000000000002';\n\n"
            "COMMIT;\n\n");
}

TEST(RuntimeOffline, SqliteScript) {
  MigrationProject p;
  p.AddChain(1, /*portable=*/true);
  ASSERT_TRUE(p.Load());
  std::string sql = WithoutHistory(
      Offline(p, Command::kUpgrade, {"head"}, Target("sqlite:///x.db")));
  EXPECT_EQ(sql,
            "BEGIN;\n\n"
            "CREATE TABLE alembic_version (\n"
            "    version_num VARCHAR(32) NOT NULL, \n"
            "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
            ");\n\n"
            "-- Running upgrade  -> 000000000001\n\n"
            "CREATE TABLE t_0 (id integer PRIMARY KEY, name text NOT NULL);\n\n"
            "INSERT INTO alembic_version (version_num) VALUES "
            "('000000000001');\n\n"
            "COMMIT;\n\n");
}

// pg_dump --schema-only, minus the lines that differ between any two dumps.
std::string SchemaDump(const std::string& url) {
  std::string out;
  EXPECT_EQ(Shell("pg_dump --schema-only --no-owner '" + url + "'", &out), 0)
      << out;
  std::istringstream in(out);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.rfind("\\restrict", 0) == 0 || line.rfind("\\unrestrict", 0) == 0)
      continue;
    kept += line + "\n";
  }
  return kept;
}

TEST(RuntimeOffline, PsqlRunOfTheScriptMatchesAnOnlineRun) {
  MigrationProject p;
  p.AddChain(3);
  p.Add(testing::Rev("000000000004", ChainId(2),
                     "CREATE INDEX CONCURRENTLY t_0_name ON t_0 (name);",
                     "DROP INDEX CONCURRENTLY t_0_name;"));
  p.Add(
      testing::Rev("000000000005", "000000000004",
                   "CREATE TABLE ${schema}.fn_owner (id int);\n"
                   "CREATE FUNCTION bump(i int) RETURNS int AS $$\n"
                   "BEGIN RETURN i + 1; END; $$ LANGUAGE plpgsql;",
                   "DROP FUNCTION bump(int);\nDROP TABLE ${schema}.fn_owner;"));
  ASSERT_TRUE(p.Load());
  std::string online = FreshDatabaseUrl();
  std::string offline = FreshDatabaseUrl();
  RunTarget on = Target(online);
  on.schema = "app";
  on.create_schema = true;
  on.version_table = "alembic_version_app";
  RunTarget off = on;
  off.url = offline;
  auto r = p.Upgrade(on, "head");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string sql = Offline(p, Command::kUpgrade, {"head"}, off);
  std::string file = p.dir() + "/upgrade.sql";
  std::ofstream(file) << sql;
  std::string out;
  ASSERT_EQ(Shell("psql -X -q -v ON_ERROR_STOP=1 -1 -f " + file + " '" +
                      offline + "'",
                  &out),
            0)
      << out << "\n"
      << sql;
  EXPECT_EQ(SchemaDump(offline), SchemaDump(online));
  EXPECT_EQ(VersionRows(offline, "app.alembic_version_app"),
            VersionRows(online, "app.alembic_version_app"));
  EXPECT_EQ(VersionRows(offline, "app.alembic_version_app"),
            Strings{"000000000005"});
  // Whole-revision rows alike; an online run also records the progress of
  // its non-transactional statements (progress IS NOT NULL), which a psql
  // script has no way to.
  EXPECT_EQ(Rows(offline,
                 "SELECT revision, direction FROM "
                 "app.alembic_version_app_history ORDER BY id"),
            Rows(online,
                 "SELECT revision, direction FROM "
                 "app.alembic_version_app_history WHERE progress IS NULL "
                 "ORDER BY id"));
}

}  // namespace
}  // namespace retort
