// The public API in-process, as an embedding application uses it: a
// Migrator opened without a configuration file on revision files compiled
// into the program (retort_embed_migrations: tests/data/embedded/), on
// SQLite and on the harness's PostgreSQL; options structs, progress events,
// RequestInterrupt, offline SQL into a string, and the errors.
#include <gtest/gtest.h>
#include <retort_embedded/api_basic.h>
#include <retort_embedded/api_secret.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/redact.h"
#include "pg_harness.h"
#include "retort/retort.h"
#include "util/scoped_env.h"
#include "vault_server.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

std::string TempSqliteUrl(const std::string& name) {
  std::string path =
      (fs::temp_directory_path() /
       ("retort-api-" + name + "-" +
        std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
        ".db"))
          .string();
  fs::remove(path);
  return "sqlite:///" + path;
}

std::unique_ptr<Migrator> MustOpen(
    const std::string& url, const MigrationSet* set = &embedded::api_basic()) {
  Options options;
  options.url = url;
  options.config_path = "";
  options.migrations = set;
  auto m = Migrator::Open(options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

// "started 1/2 a1a1a1a1a1a1", "statement 1/2 line 10: CREATE TABLE ...",
// "finished 1/2 a1a1a1a1a1a1".
std::vector<std::string> Record(std::vector<std::string>* events,
                                const Progress& p) {
  std::string where =
      std::to_string(p.step) + "/" + std::to_string(p.steps) + " ";
  switch (p.event) {
    case Progress::Event::kStepStarted:
      events->push_back("started " + where + p.revision);
      break;
    case Progress::Event::kStatement:
      events->push_back("statement " + where + "line " +
                        std::to_string(p.line) + ": " + p.statement);
      break;
    case Progress::Event::kStepFinished:
      events->push_back("finished " + where + p.revision);
      break;
  }
  return *events;
}

void UpgradeDowngradeWithProgress(const std::string& url) {
  auto m = MustOpen(url);
  ASSERT_NE(m, nullptr);
  std::vector<std::string> events;
  RunOptions run;
  run.progress = [&events](const Progress& p) { Record(&events, p); };
  auto up = m->Upgrade("head", run);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_EQ(up->steps.size(), 2u);
  EXPECT_EQ(up->heads_after, std::vector<std::string>{"b2b2b2b2b2b2"});
  EXPECT_EQ(events,
            (std::vector<std::string>{
                "started 1/2 a1a1a1a1a1a1",
                "statement 1/2 line 10: CREATE TABLE items (id integer "
                "PRIMARY KEY, name text NOT NULL)",
                "statement 1/2 line 11: CREATE INDEX items_name ON items "
                "(name)",
                "finished 1/2 a1a1a1a1a1a1",
                "started 2/2 b2b2b2b2b2b2",
                "statement 2/2 line 10: ALTER TABLE items ADD COLUMN price "
                "integer",
                "finished 2/2 b2b2b2b2b2b2",
            }));

  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].id, "b2b2b2b2b2b2");
  EXPECT_EQ((*current)[0].path, "embedded:api_basic/versions/b2_add_price.sql");

  // The whole history, newest first, from the compiled-in files.
  auto history = m->History("");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].id, "a1a1a1a1a1a1");

  // verify checksums the embedded texts, as it does files.
  auto verified = m->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();

  events.clear();
  auto down = m->Downgrade("base", run);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->steps.size(), 2u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front(), "started 1/2 b2b2b2b2b2b2");
  EXPECT_EQ(events.back(), "finished 2/2 a1a1a1a1a1a1");
  current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());
}

TEST(Api, EmbeddedRevisionsOnSqlite) {
  UpgradeDowngradeWithProgress(TempSqliteUrl("sqlite"));
}

TEST(Api, EmbeddedRevisionsOnPostgres) {
  std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  UpgradeDowngradeWithProgress(url);
}

TEST(Api, OfflineSqlIntoAStringWithoutProgress) {
  auto m = MustOpen("postgresql://nobody@127.0.0.1:1/none");
  ASSERT_NE(m, nullptr);
  int events = 0;
  RunOptions run;
  run.sql = true;
  run.progress = [&events](const Progress&) { ++events; };
  auto script = m->Upgrade("base:head", run);
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_NE(script->sql.find("CREATE TABLE items"), std::string::npos)
      << script->sql;
  EXPECT_NE(script->sql.find("ALTER TABLE items ADD COLUMN price integer"),
            std::string::npos);
  EXPECT_EQ(events, 0);
}

TEST(Api, RequestInterruptStopsTheRunAndRollsBack) {
  const std::string url = TempSqliteUrl("interrupt");
  auto m = MustOpen(url);
  ASSERT_NE(m, nullptr);
  RunOptions run;
  run.progress = [](const Progress& p) {
    if (p.event == Progress::Event::kStatement && p.step == 2) {
      RequestInterrupt();
    }
  };
  auto up = m->Upgrade("head", run);
  ClearInterrupt();
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kInterrupted);
  EXPECT_NE(up.status().message().find("the application (RequestInterrupt)"),
            std::string::npos)
      << up.status().message();
  // One transaction for the run: nothing of it stayed.
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());
  // Cleared, the next run goes through.
  auto again = m->Upgrade("head");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->steps.size(), 2u);
}

TEST(Api, SecretPlaceholdersAreMaskedInProgressEvents) {
  std::string url = testing::FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  const std::string dir =
      (fs::temp_directory_path() / "retort-api-secret").string();
  fs::create_directories(dir);
  const std::string config = dir + "/retort.toml";
  std::ofstream(config) << "[placeholders]\n"
                           "app_pw = { value = \"s3cr3t-Value\", secret = "
                           "true }\n";
  Options options;
  options.url = url;
  options.config_path = config;
  options.migrations = &embedded::api_secret();
  std::vector<std::string> logged;
  options.log = [&logged](LogLevel, std::string_view line) {
    logged.emplace_back(line);
  };
  options.log_level = LogLevel::kDebug;
  auto m = Migrator::Open(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<std::string> events;
  RunOptions run;
  run.progress = [&events](const Progress& p) { Record(&events, p); };
  auto up = (*m)->Upgrade("head", run);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2],
            "statement 1/1 line 11: COMMENT ON TABLE vaulted IS '***'");
  for (const std::string& line : logged) {
    EXPECT_EQ(line.find("s3cr3t-Value"), std::string::npos) << line;
  }
  fs::remove_all(dir);
}

TEST(Api, EmbeddedSetsIgnoreOtherFilesAndNameErrorsByEmbeddedPath) {
  static const char kGood[] =
      "-- one\n--\n-- Revision ID: d4d4d4d4d4d4\n-- Revises:\n\n"
      "-- migrate:upgrade\nCREATE TABLE one (id integer);\n\n"
      "-- migrate:downgrade\nDROP TABLE one;\n";
  static const char kNotes[] = "not a revision";
  static const MigrationFile kFiles[] = {
      {"versions/d4_one.sql", kGood, sizeof(kGood) - 1},
      {"versions/README.md", kNotes, sizeof(kNotes) - 1},
      {"versions/.draft.sql", kNotes, sizeof(kNotes) - 1},
      {".hidden/x.sql", kNotes, sizeof(kNotes) - 1},
  };
  static const MigrationSet kSet = {"handmade", kFiles, 4};
  auto m = MustOpen(TempSqliteUrl("handmade"), &kSet);
  ASSERT_NE(m, nullptr);
  auto heads = m->Heads();
  ASSERT_TRUE(heads.ok()) << heads.status().ToString();
  ASSERT_EQ(heads->size(), 1u);
  EXPECT_EQ((*heads)[0].id, "d4d4d4d4d4d4");

  static const char kBad[] = "-- broken\n--\n-- Revises: x\n";
  static const MigrationFile kBadFiles[] = {
      {"versions/e5_broken.sql", kBad, sizeof(kBad) - 1}};
  static const MigrationSet kBadSet = {"broken", kBadFiles, 1};
  auto broken = MustOpen(TempSqliteUrl("broken"), &kBadSet);
  ASSERT_NE(broken, nullptr);
  auto r = broken->Heads();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message().rfind("embedded:broken/versions/e5_broken.sql", 0),
      0u)
      << r.status().message();
}

TEST(Api, WritingRevisionsIsRefusedForAnEmbeddedSet) {
  auto m = MustOpen(TempSqliteUrl("refused"));
  ASSERT_NE(m, nullptr);
  CreateRevisionOptions options;
  options.message = "x";
  auto r = m->CreateRevision(options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "revision: the revisions are compiled into the application "
            "(embedded set \"api_basic\"); write revision files into its "
            "migrations folder and rebuild");
}

TEST(Api, NoConfigurationFileMeansNoneIsRead) {
  // A retort.toml in the working directory is not the application's.
  const std::string dir =
      (fs::temp_directory_path() / "retort-api-noconfig").string();
  fs::create_directories(dir);
  const fs::path before = fs::current_path();
  fs::current_path(dir);
  std::ofstream("retort.toml") << "this is not TOML [";
  auto m = MustOpen(TempSqliteUrl("noconfig"));
  fs::current_path(before);
  ASSERT_NE(m, nullptr);
  auto heads = m->Heads();
  EXPECT_TRUE(heads.ok()) << heads.status().ToString();
  fs::remove_all(dir);
}

// Two Migrators in one process, each with a .env beside its retort.toml
// naming another Vault: each resolves its vault: URL with its own .env
// (the .env fallback used to be process-wide: the last config read won).
TEST(Api, EachMigratorReadsItsOwnDotEnvForVault) {
  // A developer's own Vault settings would win over the .env files.
  ScopedEnv saved_addr("VAULT_ADDR"), saved_token("VAULT_TOKEN");
  unsetenv("VAULT_ADDR");
  unsetenv("VAULT_TOKEN");
  const fs::path root = fs::temp_directory_path() / "retort-api-two-vaults";
  fs::remove_all(root);
  std::vector<std::unique_ptr<testing::VaultServer>> vaults;
  std::vector<std::unique_ptr<Migrator>> migrators;
  for (const std::string name : {"a", "b"}) {
    const std::string token = "hvs.token-of-" + name;
    auto vault = std::make_unique<testing::VaultServer>(token);
    ASSERT_EQ(vault->error(), "");
    vault->Mount("secret", 2);
    const fs::path dir = root / name;
    fs::create_directories(dir);
    vault->Put("secret", "app/db",
               {{"url", "sqlite:///" + (dir / (name + ".db")).string()}});
    std::ofstream(dir / "retort.toml")
        << "url = \"vault:secret/data/app/db#url\"\n";
    std::ofstream(dir / ".env") << "VAULT_ADDR=" << vault->address()
                                << "\nVAULT_TOKEN=" << token << "\n";
    Options options;
    options.config_path = (dir / "retort.toml").string();
    options.migrations = &embedded::api_basic();
    auto m = Migrator::Open(options);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    migrators.push_back(std::move(m).value());
    vaults.push_back(std::move(vault));
  }
  // Both opened before either resolves: the second .env must not win.
  for (size_t i = 0; i < migrators.size(); ++i) {
    auto up = migrators[i]->Upgrade("head");
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    EXPECT_EQ(vaults[i]->requests().size(), 1u);
  }
  EXPECT_TRUE(fs::exists(root / "a" / "a.db"));
  EXPECT_TRUE(fs::exists(root / "b" / "b.db"));
  migrators.clear();
  fs::remove_all(root);
}

TEST(Api, UnknownTargetIsAnErrorValue) {
  auto m = MustOpen(TempSqliteUrl("unknown"));
  ASSERT_NE(m, nullptr);
  auto r = m->Upgrade("ffffffffffff");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("ffffffffffff"), std::string::npos)
      << r.status().message();
}

// The library masks every Status it returns: a secret it has come to know
// (here registered as a Vault value would be) that ends up quoted in an
// error comes back hidden, without the caller -- the CLI, or an
// application -- filtering anything.
TEST(Api, ReturnedStatusesAreMasked) {
  RegisterSecret("S3cretFromVault");
  auto m = MustOpen(TempSqliteUrl("masked"));
  ASSERT_NE(m, nullptr);
  auto r = m->Show("S3cretFromVault");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Can't locate revision identified by '***'");
  EXPECT_EQ(MaskSecrets("dsn postgresql://app:Pw@db/game S3cretFromVault"),
            "dsn postgresql://app:***@db/game ***");
}

// An exception from the application's own callback does not cross back
// out of the API: the run rolls back, the lock is released, and the call
// returns kInternal; the next run goes through.
TEST(Api, AnExceptionFromACallbackBecomesAnError) {
  auto m = MustOpen(TempSqliteUrl("throwing-callback"));
  ASSERT_NE(m, nullptr);
  RunOptions run;
  run.progress = [](const Progress& p) {
    if (p.event == Progress::Event::kStatement && p.step == 2) {
      throw std::runtime_error("the application's callback failed");
    }
  };
  auto up = m->Upgrade("head", run);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Status::Code::kInternal);
  EXPECT_EQ(up.status().message(),
            "unexpected error: the application's callback failed");
  auto current = m->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_TRUE(current->empty());
  auto again = m->Upgrade("head");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->steps.size(), 2u);
}

// Settings compiled into the application instead of a file: the text of a
// retort.toml, parsed as one (errors named after config_path), and
// DATABASE_URL not read behind the application's back.
TEST(Api, ConfigurationTextInMemory) {
  const std::string url = TempSqliteUrl("config-text");
  Options options;
  options.config_path = "";
  options.config_text = "version_table = \"app_versions\"\n";
  options.url = url;
  options.migrations = &embedded::api_basic();
  auto m = Migrator::Open(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto up = (*m)->Upgrade("head");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  auto verified = (*m)->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->version_table, "app_versions");
  EXPECT_EQ(verified->applied, 2);

  options.config_text = "version_table = \n";
  options.config_path = "app.toml";
  auto bad = Migrator::Open(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("app.toml:1:", 0), 0u)
      << bad.status().message();

  ScopedEnv database_url("DATABASE_URL", url);
  options.config_text = "lock_timeout = \"2s\"\n";
  options.url.clear();
  auto no_url = Migrator::Open(options);
  ASSERT_TRUE(no_url.ok()) << no_url.status().ToString();
  auto current = (*no_url)->Current();
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.status().message(),
            "no database URL: set Options::url, or 'url' in "
            "Options::config_text");
}

// A secret retort knows of (registered as a Vault value would be) is
// masked in the statements progress events quote, even in a project
// without secret placeholders.
TEST(Api, ProgressEventsMaskKnownSecrets) {
  RegisterSecret("Zq9VaultValue");
  static const char kRevision[] =
      "-- one\n--\n-- Revision ID: f7f7f7f7f7f7\n-- Revises:\n\n"
      "-- migrate:upgrade\nCREATE TABLE t (note text DEFAULT "
      "'Zq9VaultValue');\n\n-- migrate:downgrade\nDROP TABLE t;\n";
  static const MigrationFile kFiles[] = {
      {"versions/f7_one.sql", kRevision, sizeof(kRevision) - 1}};
  static const MigrationSet kSet = {"secretive", kFiles, 1};
  auto m = MustOpen(TempSqliteUrl("progress-secret"), &kSet);
  ASSERT_NE(m, nullptr);
  std::vector<std::string> statements;
  RunOptions run;
  run.progress = [&statements](const Progress& p) {
    if (p.event == Progress::Event::kStatement) {
      statements.push_back(p.statement);
    }
  };
  auto up = m->Upgrade("head", run);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(statements, std::vector<std::string>{
                            "CREATE TABLE t (note text DEFAULT '***')"});
}

}  // namespace
}  // namespace retort
