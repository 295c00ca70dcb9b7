// The crash suite: kill -9 of retort at random points of a 50-revision chain
// mixing transactional revisions and non-transactional ones (CREATE INDEX
// CONCURRENTLY), in one-transaction and per-revision modes; half the trials
// also end the server side (pg_terminate_backend), as a lost connection
// would, leaving INVALID indexes behind. After each kill the version table
// must match the DDL in the database, and a rerun must finish with every
// revision applied once. RETORT_CRASH_TRIALS sets the number of trials
// (default 50; bench/crash.sh runs 200); the seed is printed to replay one.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

constexpr int kRevisions = 50;

std::string Id(int i) {
  char id[13];
  snprintf(id, sizeof id, "%012x", i);
  return id;
}

// Every fifth revision builds an index concurrently on the table of the
// revision before; the others create and fill a table.
bool IsCic(int i) { return i % 5 == 0; }

void WriteChain(const TempProject& p) {
  for (int i = 1; i <= kRevisions; ++i) {
    std::string n = std::to_string(i);
    std::string up =
        IsCic(i) ? "CREATE INDEX CONCURRENTLY ix_" + n + " ON t_" +
                       std::to_string(i - 1) + " (id);"
                 : "CREATE TABLE t_" + n +
                       " (id int PRIMARY KEY, v text);\nINSERT INTO t_" + n +
                       " SELECT g, md5(g::text) FROM generate_series(1, 200) "
                       "g;";
    std::string down =
        IsCic(i) ? "DROP INDEX ix_" + n + ";" : "DROP TABLE t_" + n + ";";
    WriteRevision(p, Id(i), i > 1 ? Id(i - 1) : "", "", "", up, down);
  }
}

// relname -> "r" for a table, "valid"/"invalid" for an index.
std::map<std::string, std::string> Objects(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const std::string& row : Rows(
           url,
           "SELECT c.relname || ' ' || CASE WHEN i.indisvalid IS NULL THEN "
           "'r' WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END FROM "
           "pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE "
           "c.relnamespace = 'public'::regnamespace AND (c.relname ~ "
           "'^t_[0-9]+$' OR c.relname ~ '^ix_[0-9]+$')")) {
    size_t space = row.find(' ');
    out[row.substr(0, space)] = row.substr(space + 1);
  }
  return out;
}

// The version table matches the DDL: every revision up to `applied` is in
// the database, none after it -- except the non-transactional revision
// right after it, which may have run in part (its progress rows say so).
void ExpectConsistent(const std::string& url, int applied,
                      const std::string& trial) {
  auto objects = Objects(url);
  for (int i = 1; i <= kRevisions; ++i) {
    std::string name = (IsCic(i) ? "ix_" : "t_") + std::to_string(i);
    auto it = objects.find(name);
    if (i <= applied) {
      EXPECT_TRUE(it != objects.end() &&
                  it->second == (IsCic(i) ? "valid" : "r"))
          << trial << ": " << name << " missing though applied";
    } else if (!(IsCic(i) && i == applied + 1)) {
      EXPECT_TRUE(it == objects.end())
          << trial << ": " << name << " exists though not applied (at "
          << applied << ")";
    }
  }
}

TEST(Crash, KillNineAtRandomPointsThenRerunFinishes) {
  int trials = 50;
  if (const char* env = std::getenv("RETORT_CRASH_TRIALS")) {
    trials = std::max(1, std::atoi(env));
  }
  unsigned seed = static_cast<unsigned>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  if (const char* env = std::getenv("RETORT_CRASH_SEED")) {
    seed = static_cast<unsigned>(std::strtoul(env, nullptr, 10));
  }
  std::printf("crash suite: %d trials, RETORT_CRASH_SEED=%u\n", trials, seed);
  // Unflushed, the line would be written again by every spawned child.
  std::fflush(stdout);
  std::mt19937 rng(seed);
  TempProject p;
  p.WriteFile("migrations/script.sql.tmpl", "");
  WriteChain(p);

  // Calibrate: how long a whole run takes here.
  std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  p.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                 url + "\"\n");
  auto start = std::chrono::steady_clock::now();
  CliResult first = p.Run({"upgrade", "head"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const int full_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start)
          .count());

  int killed_mid_run = 0, invalid_seen = 0, resumed = 0;
  const auto suite_start = std::chrono::steady_clock::now();
  for (int trial = 0; trial < trials; ++trial) {
    const bool per_migration = trial % 2 == 1;
    const bool terminate_server = (trial / 2) % 2 == 1;
    url = FreshDatabaseUrl();
    ASSERT_FALSE(url.empty());
    p.WriteFile("retort.toml",
                "script_location = \"migrations\"\nurl = \"" + url +
                    "\"\nlock_timeout = \"0\"\ntransaction_per_migration = " +
                    (per_migration ? "true" : "false") + "\n");
    const int delay_ms =
        std::uniform_int_distribution<int>(0, full_ms * 11 / 10)(rng);
    const std::string name = "trial " + std::to_string(trial) + " (" +
                             (per_migration ? "per-revision" : "one-tx") +
                             (terminate_server ? ", server side ended" : "") +
                             ", kill at " + std::to_string(delay_ms) + " ms)";
    int pid = p.Spawn({"upgrade", "head"}, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    CliResult killed = p.Wait(pid, 1);
    if (killed.exit_code != 0) ++killed_mid_run;
    if (terminate_server) {
      Rows(url,
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
           "datname = current_database() AND pid <> pg_backend_pid()");
    }
    // Whatever the server still runs for the dead client finishes first
    // (the rerun would wait for its advisory lock anyway).
    for (int i = 0; i < 200; ++i) {
      if (Scalar(url,
                 "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                 "current_database() AND pid <> pg_backend_pid()") == "0") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // A kill before the version table was created leaves none.
    std::vector<std::string> heads;
    if (TableExists(url, "alembic_version")) heads = VersionRows(url);
    ASSERT_LE(heads.size(), 1u) << name;
    const int applied = heads.empty() ? 0 : std::stoi(heads[0], nullptr, 16);
    ExpectConsistent(url, applied, name);
    for (const auto& [object, state] : Objects(url)) {
      if (state == "invalid") ++invalid_seen;
    }
    CliResult rerun = p.Run({"upgrade", "head"});
    ASSERT_EQ(rerun.exit_code, 0) << name << ": " << rerun.err;
    if (rerun.err.find("resuming upgrade") != std::string::npos ||
        rerun.err.find("was running when an earlier run stopped") !=
            std::string::npos) {
      ++resumed;
    }
    EXPECT_EQ(VersionRows(url), (std::vector<std::string>{Id(kRevisions)}))
        << name;
    ExpectConsistent(url, kRevisions, name);
    EXPECT_EQ(Scalar(url,
                     "SELECT count(*) FROM (SELECT revision FROM "
                     "alembic_version_history WHERE direction = 'upgrade' "
                     "AND progress IS NULL GROUP BY revision HAVING count(*) "
                     "= 1) x"),
              std::to_string(kRevisions))
        << name << ": each revision recorded once";
    if (::testing::Test::HasFailure()) break;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                    suite_start)
          .count();
  std::printf(
      "crash suite: %d trials in %.1f s (full run %d ms); %d killed mid-run, "
      "%d INVALID indexes left and rebuilt, %d reruns resumed a "
      "non-transactional revision\n",
      trials, seconds, full_ms, killed_mid_run, invalid_seen, resumed);
}

}  // namespace
}  // namespace retort::testing
