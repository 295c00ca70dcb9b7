// The guides of docs/guides/, performed: each test follows its guide's
// steps in order on PostgreSQL (and Debian's Alembic where the guide uses
// it). When a guide changes, its test changes with it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "alembic_util.h"
#include "cli_util.h"
#include "pg_harness.h"
#include "runtime/version_table.h"
#include "runtime_util.h"
#include "vault_server.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

std::string Guide(const std::string& name) {
  std::ifstream in(std::string(RETORT_SOURCE_DIR) + "/docs/guides/" + name,
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The tables an Alembic revision drops (`op.drop_table('NAME')`).
std::set<std::string> DroppedTables(const std::string& revision) {
  std::set<std::string> out;
  const std::string call = "op.drop_table('";
  for (size_t at = revision.find(call); at != std::string::npos;
       at = revision.find(call, at + 1)) {
    size_t begin = at + call.size();
    out.insert(revision.substr(begin, revision.find('\'', begin) - begin));
  }
  return out;
}

// Every guide names the test that performs it, and every test here has its
// guide.
TEST(Guides, EachGuideNamesItsTest) {
  const std::map<std::string, std::string> guides = {
      {"from-alembic.md", "Guides.FromAlembic"},
      {"000-schema-per-domain.md", "SchemasPg.Seed000Replay"},
      {"001-schemas-from-models.md", "Guides.SchemasFromModels"},
      {"002-autogenerate-from-models.md", "Guides.AutogenerateFromModels"},
      {"003-models-package-and-makefile.md",
       "Guides.ModelsPackageAndMakefile"},
      {"004-everyday-commands.md", "Guides.EverydayCommands"},
  };
  // The tests compiled into this binary, as "Suite.Name".
  std::set<std::string> registered;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      registered.insert(std::string(suite.name()) + "." +
                        suite.GetTestInfo(j)->name());
    }
  }
  std::set<std::string> performing;
  for (const auto& [file, test] : guides) {
    std::string text = Guide(file);
    ASSERT_FALSE(text.empty()) << file;
    EXPECT_NE(text.find("`" + test + "`"), std::string::npos) << file;
    EXPECT_TRUE(registered.count(test)) << file << " names " << test
                                        << ", which is no test";
    performing.insert(test);
  }
  // Every guide is in the table, and every Guides test performs a guide.
  for (const auto& entry : fs::directory_iterator(
           std::string(RETORT_SOURCE_DIR) + "/docs/guides")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".md" && name != "README.md") {
      EXPECT_TRUE(guides.count(name)) << name << " has no test named here";
    }
  }
  for (const std::string& test : registered) {
    if (test.starts_with("Guides.") && test != "Guides.EachGuideNamesItsTest") {
      EXPECT_TRUE(performing.count(test)) << test << " performs no guide";
    }
  }
}

// docs/guides/from-alembic.md
TEST(Guides, FromAlembic) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  // An Alembic project (tests/data/alembic/shop) and its database, which
  // Alembic has migrated halfway.
  TempProject p;
  fs::copy(AlembicFixture("shop"), p.Path("alembic"),
           fs::copy_options::recursive);
  // The database Alembic runs on (a second one in step 7).
  std::string alembic_url = url;
  auto alembic = [&](const std::string& args) {
    std::string out;
    int rc = Shell("cd " + p.Path("alembic") + " && SHOP_DATABASE_URL='" +
                       SaUrl(alembic_url) + "' " + kPython + " -m alembic " +
                       args + " 2>&1",
                   &out);
    EXPECT_EQ(rc, 0) << "alembic " << args << ":\n" << out;
    return out;
  };
  alembic("upgrade 9d3a6c2e8f17");

  // 2. A retort project beside it.
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  std::string config = p.ReadFile("retort.toml");
  p.WriteFile("retort.toml", "url = \"" + url + "\"\npython = \"" + kPython +
                                 "\"\n" +
                                 config.substr(config.find("script_location")));

  // 3. Import: first what would be written, then the files.
  CliResult dry = p.Run({"import-alembic", "alembic/alembic.ini", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 3) << dry.err;
  EXPECT_NE(dry.out.find("13 revisions: 13 to create\n"), std::string::npos)
      << dry.out;
  EXPECT_TRUE(p.List("migrations/versions").empty());
  CliResult imported = p.Run({"import-alembic", "alembic/alembic.ini"});
  EXPECT_EQ(imported.exit_code, 3) << imported.err;
  EXPECT_NE(imported.out.find("3 sections to convert by hand"),
            std::string::npos)
      << imported.out;
  auto file_of = [&](const std::string& id) {
    for (const std::string& name : p.List("migrations/versions"))
      if (name.rfind(id, 0) == 0) return "migrations/versions/" + name;
    ADD_FAILURE() << id;
    return std::string();
  };
  // A `def downgrade(): pass` is `-- retort: empty`.
  EXPECT_NE(p.ReadFile(file_of("b1f7d9a3c5e2"))
                .find("-- migrate:downgrade\n-- retort: empty\n"),
            std::string::npos);
  // retort refuses the TODO sections...
  CliResult refused = p.Run({"upgrade", "head"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("is not ready to run"), std::string::npos)
      << refused.err;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"9d3a6c2e8f17"});
  // ... until they are converted by hand, which a second import keeps.
  RewriteUpgrade(p, file_of("b1f7d9a3c5e2"),
                 "UPDATE customers c SET loyalty_points = 10 * o.n\n"
                 "FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY "
                 "customer_id) o\nWHERE o.customer_id = c.id;");
  RewriteUpgrade(
      p, file_of("0e6a3c9f2b58"),
      "ALTER TABLE customers ADD COLUMN welcome_credit NUMERIC(8, 2) DEFAULT "
      "'0' NOT NULL;\n\nUPDATE customers SET welcome_credit = 5 WHERE NOT "
      "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id);");
  RewriteUpgrade(p, file_of("6b2d8f4a1c37"),
                 "ALTER TABLE orders ADD COLUMN items_total NUMERIC(12, 2);");
  CliResult again = p.Run({"import-alembic", "alembic/alembic.ini"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("3 kept (edited by hand)"), std::string::npos)
      << again.out;

  // 5. The same graph as Alembic's, and a script to review.
  EXPECT_EQ(HistoryIds(p.Run({"history"}).out), HistoryIds(alembic("history")));
  EXPECT_EQ(p.Run({"heads"}).out.substr(0, 12), alembic("heads").substr(0, 12));
  CliResult review = p.Run({"upgrade", "head", "--sql"});
  ASSERT_EQ(review.exit_code, 0) << review.err;
  EXPECT_NE(review.out.find("UPDATE customers c SET loyalty_points"),
            std::string::npos);

  // 6. retort takes over where Alembic stopped, with its version table.
  CliResult current = p.Run({"current"});
  EXPECT_EQ(current.out, "9d3a6c2e8f17\n") << current.err;
  CliResult up = p.Run({"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"6b2d8f4a1c37"});
  EXPECT_NE(alembic("current").find("6b2d8f4a1c37 (head)"), std::string::npos);
  alembic("downgrade -1");
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"0e6a3c9f2b58"});
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);

  // 7. Alembic's autogenerate proposes to drop retort's two tables...
  auto probe = [&]() {
    alembic("revision --autogenerate -m probe --rev-id probe0000001");
    std::string text;
    for (const std::string& name : p.List("alembic/migrations/versions")) {
      if (name.rfind("probe0000001", 0) != 0) continue;
      text = p.ReadFile("alembic/migrations/versions/" + name);
      fs::remove(p.Path("alembic/migrations/versions/" + name));
    }
    EXPECT_FALSE(text.empty());
    return text;
  };
  // (The fixture's models declare no table, so the probe also drops the
  // shop's own tables: the tables dropped besides those are the point.)
  const std::set<std::string> shop_tables = {
      "catalog_items", "customers",   "daily_sales",
      "order_items",   "order_statuses", "orders"};
  std::set<std::string> with_retort = shop_tables;
  with_retort.insert("alembic_version_history");
  with_retort.insert("alembic_version_retort");
  const std::string original_env = p.ReadFile("alembic/migrations/env.py");
  std::string before = probe();
  EXPECT_EQ(DroppedTables(before), with_retort) << before;
  // ... unless env.py has the guide's include_object: then it proposes
  // to drop no table of retort's.
  const std::string snippet =
      "# The version tables retort uses (retort.toml: version_table, and the\n"
      "# version_table of each [schemas.NAME] section).\n"
      "RETORT_VERSION_TABLES = [\"alembic_version\"]\n"
      "\n"
      "\n"
      "def include_object(object, name, type_, reflected, compare_to):\n"
      "    # retort's own tables beside each version table V: V_history, "
      "V_retort\n"
      "    if type_ == \"table\" and any(\n"
      "        name in (v + \"_history\", v + \"_retort\") for v in "
      "RETORT_VERSION_TABLES\n"
      "    ):\n"
      "        return False\n"
      "    return True\n";
  ASSERT_NE(Guide("from-alembic.md").find(snippet), std::string::npos)
      << "the guide's snippet changed; change the test with it";
  std::string env = original_env;
  size_t at = env.find("target_metadata = metadata\n");
  ASSERT_NE(at, std::string::npos);
  env.insert(at, snippet + "\n\n");
  size_t configure = 0;
  while ((configure = env.find("compare_type=True,", configure)) !=
         std::string::npos) {
    env.insert(configure, "include_object=include_object, ");
    configure += 60;
  }
  p.WriteFile("alembic/migrations/env.py", env);
  std::string with_snippet = probe();
  EXPECT_EQ(DroppedTables(with_snippet), shop_tables) << with_snippet;
  EXPECT_EQ(with_snippet.find("alembic_version"), std::string::npos)
      << with_snippet;

  // The snippet with a version table of another name leaves out exactly
  // the two tables retort keeps beside it (the names runtime/version_table
  // gives them), and nothing else.
  const VersionTableSql auth(Dialect::kPostgres, "alembic_version_auth",
                             "auth");
  std::string custom = snippet;
  custom.replace(custom.find("[\"alembic_version\"]"), 19,
                 "[\"alembic_version\", \"alembic_version_auth\"]");
  p.WriteFile("include_object.py",
              custom +
                  "for name in ['" + auth.history_table() + "', '" +
                  auth.meta_table() +
                  "', 'alembic_version_auth', 'alembic_version_history_x', "
                  "'auth_history', 'customers']:\n"
                  "    print(name, include_object(None, name, 'table', True, "
                  "None))\n"
                  "print(include_object(None, 'alembic_version_auth_retort', "
                  "'index', True, None))\n");
  std::string decided;
  EXPECT_EQ(Shell(kPython + " " + p.Path("include_object.py") + " 2>&1",
                  &decided),
            0)
      << decided;
  EXPECT_EQ(decided,
            "alembic_version_auth_history False\n"
            "alembic_version_auth_retort False\n"
            "alembic_version_auth True\n"
            "alembic_version_history_x True\n"
            "auth_history True\n"
            "customers True\n"
            "True\n");

  // Or, without the snippet, history_table = false: retort then creates
  // no table of its own for Alembic to propose to drop. (A database
  // retort has not run on yet: the one above keeps the tables it made.)
  p.WriteFile("alembic/migrations/env.py", original_env);
  alembic_url = FreshDatabaseUrl();
  ASSERT_FALSE(alembic_url.empty());
  alembic("upgrade 9d3a6c2e8f17");
  std::string toml = p.ReadFile("retort.toml");
  const std::string old_url = "url = \"" + url + "\"\n";
  ASSERT_EQ(toml.find(old_url), 0u) << toml;
  p.WriteFile("retort.toml", "url = \"" + alembic_url +
                                 "\"\nhistory_table = false\n" +
                                 toml.substr(old_url.size()));
  CliResult no_history = p.Run({"upgrade", "head"});
  ASSERT_EQ(no_history.exit_code, 0) << no_history.err;
  EXPECT_EQ(VersionRows(alembic_url),
            std::vector<std::string>{"6b2d8f4a1c37"});
  EXPECT_FALSE(TableExists(alembic_url, "alembic_version_history"));
  EXPECT_FALSE(TableExists(alembic_url, "alembic_version_retort"));
  std::string without_history = probe();
  EXPECT_EQ(DroppedTables(without_history), shop_tables) << without_history;
  EXPECT_EQ(without_history.find("alembic_version"), std::string::npos)
      << without_history;
}

// Replaces both sections of a revision file written by `revision`.
void SetSections(const TempProject& p, const std::string& rel,
                 const std::string& up, const std::string& down) {
  std::string text = p.ReadFile(rel);
  size_t at = text.find("-- migrate:upgrade\n");
  ASSERT_FALSE(text.empty()) << rel;
  ASSERT_NE(at, std::string::npos) << text;
  p.WriteFile(rel, text.substr(0, at) + "-- migrate:upgrade\n" + up +
                       "\n\n-- migrate:downgrade\n" + down + "\n");
}

// The path of the file `revision` printed ("Generating PATH ...  done").
std::string Generated(const CliResult& r) {
  size_t begin = r.out.find("Generating ");
  size_t end = r.out.find(" ...  done");
  EXPECT_NE(begin, std::string::npos) << r.out;
  EXPECT_NE(end, std::string::npos) << r.out;
  if (begin == std::string::npos || end == std::string::npos) return "";
  std::string path = r.out.substr(begin + 11, end - begin - 11);
  size_t versions = path.find("migrations/versions/");
  return versions == std::string::npos ? path : path.substr(versions);
}

// docs/guides/004-everyday-commands.md
TEST(Guides, EverydayCommands) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  // The database password lives in Vault (trust authentication ignores it,
  // so it only has to never be printed).
  std::string with_password = url;
  with_password.insert(with_password.find('@'), ":Sup3r-Secret");
  VaultServer vault("token-123");
  ASSERT_EQ(vault.error(), "");
  vault.Mount("secret", 2);
  vault.Put("secret", "app/db", {{"url", with_password}});
  vault.Put("secret", "app/prod-db", {{"url", with_password}});
  const std::map<std::string, std::string> env = {
      {"VAULT_ADDR", vault.address()}, {"VAULT_TOKEN", "token-123"}};

  TempProject p;
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  std::string config = p.ReadFile("retort.toml");
  p.WriteFile("retort.toml", "url = \"vault:secret/data/app/db#url\"\n" +
                                 config.substr(config.find("script_location")) +
                                 "\n[env.production]\nurl = "
                                 "\"vault:secret/data/app/prod-db#url\"\n");
  auto run = [&](const std::vector<std::string>& args) {
    CliResult r = p.Run(args, env);
    EXPECT_EQ(r.out.find("Sup3r-Secret"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("Sup3r-Secret"), std::string::npos) << r.err;
    return r;
  };

  // alembic revision -m "create_user_table", twice.
  CliResult r =
      run({"revision", "-m", "create_user_table", "--rev-id", "123456789abc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SetSections(p, Generated(r),
              "CREATE TABLE users (\n    id uuid PRIMARY KEY,\n    email "
              "varchar NOT NULL,\n    hashed_password varchar NOT NULL\n);",
              "DROP TABLE users;");
  r = run({"revision", "-m", "add full_name", "--rev-id", "234567890abc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SetSections(p, Generated(r),
              "ALTER TABLE users ADD COLUMN full_name varchar(255);",
              "ALTER TABLE users DROP COLUMN full_name;");

  // SQL for review: no database, and Vault is not asked.
  vault.ClearRequests();
  r = run({"upgrade", "head", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-- Running upgrade  -> 123456789abc"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE users"), std::string::npos);
  EXPECT_NE(r.out.find("INSERT INTO alembic_version (version_num) VALUES "
                       "('123456789abc')"),
            std::string::npos)
      << r.out;
  r = run({"upgrade", "123456789abc:head", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("CREATE TABLE users"), std::string::npos);
  r = run({"downgrade", "head:base", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("DROP TABLE users;"), std::string::npos);
  EXPECT_TRUE(vault.requests().empty());

  // upgrade head, downgrade -1, upgrade <revision prefix>.
  r = run({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Database " + url.substr(0, url.find('@')) + ":***@"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(vault.requests().empty());
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"234567890abc"});
  r = run({"downgrade", "-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"123456789abc"});
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM information_schema.columns "
                   "WHERE table_name = 'users' AND column_name = "
                   "'full_name'"),
            "0");
  r = run({"upgrade", "2345"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // current, history, heads.
  EXPECT_EQ(run({"current"}).out, "234567890abc (head)\n");
  EXPECT_EQ(run({"history"}).out,
            "123456789abc -> 234567890abc (head), add full_name\n"
            "<base> -> 123456789abc, create_user_table\n");
  EXPECT_EQ(run({"history", "-i"}).out,
            "123456789abc -> 234567890abc (head) (current), add full_name\n"
            "<base> -> 123456789abc, create_user_table\n");
  EXPECT_EQ(run({"heads"}).out, "234567890abc (head)\n");

  // Debugging: every statement, whole, and the version table's.
  r = run({"-x", "debug=true", "downgrade", "base"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ALTER TABLE users DROP COLUMN full_name"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("DELETE FROM alembic_version WHERE "
                       "alembic_version.version_num IN "
                       "($1)  -- ['234567890abc']"),
            std::string::npos)
      << r.err;

  // A named environment.
  r = run({"-n", "production", "upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"234567890abc"});
  bool read_prod = false;
  for (const auto& req : vault.requests())
    read_prod = read_prod || req.path == "/v1/secret/data/app/prod-db";
  EXPECT_TRUE(read_prod);
}

// docs/guides/002-autogenerate-from-models.md
TEST(Guides, AutogenerateFromModels) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  std::string config = p.ReadFile("retort.toml");
  p.WriteFile("retort.toml",
              "url = \"" + url +
                  "\"\nmodels = [\"sqlalchemy:src.models.user:Base.metadata\"]"
                  "\npython = \"" +
                  kPython + "\"\n" +
                  config.substr(config.find("script_location")));
  // The seed's layout: Base in src/models/base.py, the model in user.py.
  p.WriteFile("src/__init__.py", "");
  p.WriteFile("src/models/__init__.py", "");
  p.WriteFile("src/models/base.py",
              "from sqlalchemy.orm import declarative_base\n\n"
              "Base = declarative_base()\n");
  const std::string user =
      "from sqlalchemy import Column, Integer, String\n\n"
      "from src.models.base import Base\n\n\n"
      "class User(Base):\n"
      "    __tablename__ = \"users\"\n"
      "    id = Column(Integer, primary_key=True)\n"
      "    email = Column(String(255), nullable=False, unique=True)\n";
  p.WriteFile("src/models/user.py", user);

  // The first migration: the users table.
  CliResult r = p.Run({"revision", "--autogenerate", "-m", "create users"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(p.Run({"check"}).exit_code, 0);

  // A model change, its migration, as the guide shows it.
  p.WriteFile("src/models/user.py",
              user + "    full_name = Column(String(255), nullable=True)\n");
  CliResult check = p.Run({"check"});
  EXPECT_EQ(check.exit_code, 1);
  r = p.Run(
      {"revision", "--autogenerate", "-m", "Add full_name to User model"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = Generated(r);
  EXPECT_TRUE(path.ends_with("_add_full_name_to_user_model.sql")) << path;
  std::string file = p.ReadFile(path);
  const std::string guide = Guide("002-autogenerate-from-models.md");
  const std::string shown = file.substr(file.find("-- migrate:upgrade"));
  EXPECT_NE(guide.find(shown), std::string::npos)
      << "the guide shows another file than retort writes:\n"
      << shown;
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM information_schema.columns "
                   "WHERE table_name = 'users' AND column_name = "
                   "'full_name'"),
            "1");
  EXPECT_EQ(p.Run({"check"}).exit_code, 0);
  ASSERT_EQ(p.Run({"downgrade", "-1"}).exit_code, 0);
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM information_schema.columns "
                   "WHERE table_name = 'users' AND column_name = "
                   "'full_name'"),
            "0");
}

// A project from `retort init` whose retort.toml starts with `lines`.
void InitWith(const TempProject& p, const std::string& lines) {
  ASSERT_EQ(p.Run({"init", "migrations"}).exit_code, 0);
  std::string config = p.ReadFile("retort.toml");
  p.WriteFile("retort.toml",
              lines + config.substr(config.find("script_location")));
}

// docs/guides/001-schemas-from-models.md
TEST(Guides, SchemasFromModels) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  fs::copy(std::string(RETORT_SOURCE_DIR) + "/tests/data/sqlalchemy/garage/app",
           p.Path("app"), fs::copy_options::recursive);
  InitWith(p, "url = \"" + url +
                  "\"\nmodels = [\"sqlalchemy:app.schemas:Base.metadata\"]\n"
                  "python = \"" +
                  kPython + "\"\n");
  const std::string guide = Guide("001-schemas-from-models.md");

  // 2. The schemas, from the models alone.
  CliResult r = p.Run({"schemas"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(guide.find("```\n" + r.out + "```"), std::string::npos) << r.out;

  // 3. The first migration: schemas first, IF NOT EXISTS; DROP commented.
  r = p.Run({"revision", "--autogenerate", "-m", "consolidate tables"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = p.ReadFile(Generated(r));
  std::string up = file.substr(file.find("-- migrate:upgrade"));
  EXPECT_TRUE(
      up.starts_with("-- migrate:upgrade\n"
                     "CREATE SCHEMA IF NOT EXISTS cars;\n\n"
                     "CREATE SCHEMA IF NOT EXISTS participants;\n\n"
                     "CREATE SCHEMA IF NOT EXISTS work_shop;\n"))
      << file;
  std::string down = file.substr(file.find("-- migrate:downgrade"));
  EXPECT_NE(down.find("-- DROP SCHEMA is left commented out so that a "
                      "downgrade never drops a schema other revisions or data "
                      "may still use; uncomment it to drop cars with "
                      "everything in it:\n-- DROP SCHEMA IF EXISTS cars "
                      "CASCADE;\n"),
            std::string::npos)
      << file;
  EXPECT_EQ(down.find("\nDROP SCHEMA"), std::string::npos) << file;
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(p.Run({"check"}).exit_code, 0);

  // 4. A new schema needs nothing but the model.
  p.WriteFile("app/schemas/billing.py",
              "import sqlalchemy as sa\n\n"
              "from app.schemas.base import Base\n\n\n"
              "class Invoice(Base):\n"
              "    __tablename__ = \"invoice\"\n"
              "    __table_args__ = {\"schema\": \"billing\"}\n"
              "    id = sa.Column(sa.Integer, primary_key=True)\n"
              "    total = sa.Column(sa.Numeric(10, 2), nullable=False)\n");
  std::string init = p.ReadFile("app/schemas/__init__.py");
  p.WriteFile("app/schemas/__init__.py",
              "from app.schemas.billing import Invoice  # noqa: F401\n" + init);
  r = p.Run({"revision", "--autogenerate", "-m", "invoices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  file = p.ReadFile(Generated(r));
  EXPECT_NE(file.find("-- migrate:upgrade\nCREATE SCHEMA IF NOT EXISTS "
                      "billing;\n"),
            std::string::npos)
      << file;
  ASSERT_EQ(p.Run({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(p.Run({"check"}).exit_code, 0);

  // 5. Down to base: the tables go, the schemas stay.
  ASSERT_EQ(p.Run({"downgrade", "base"}).exit_code, 0);
  EXPECT_FALSE(TableExists(url, "cars.car"));
  EXPECT_EQ(Scalar(url,
                   "SELECT count(*) FROM pg_namespace WHERE nspname IN "
                   "('cars', 'participants', 'work_shop', 'billing')"),
            "4");
}

// docs/guides/003-models-package-and-makefile.md
TEST(Guides, ModelsPackageAndMakefile) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  TempProject p;
  InitWith(p, "url = \"" + url +
                  "\"\nmodels = [\"sqlalchemy:app.schemas:Base.metadata\"]\n"
                  "python_path = [\"src\"]\npython = \"" +
                  kPython + "\"\n");
  p.WriteFile("src/app/__init__.py", "");
  p.WriteFile("src/app/schemas/base.py",
              "from sqlalchemy import MetaData\n"
              "from sqlalchemy.orm import registry\n\n"
              "mapper_registry = registry(metadata=MetaData(naming_convention={"
              "\n    \"ix\": \"ix_%(column_0_label)s\",\n"
              "    \"uq\": \"uq_%(table_name)s_%(column_0_name)s\",\n"
              "    \"pk\": \"pk_%(table_name)s\",\n}))\n"
              "Base = mapper_registry.generate_base()\n");
  p.WriteFile("src/app/schemas/example.py",
              "from sqlalchemy import Column, Integer, String\n\n"
              "from .base import Base\n\n\n"
              "class Example(Base):\n"
              "    __tablename__ = \"example\"\n"
              "    id = Column(Integer, primary_key=True)\n"
              "    name = Column(String(50), nullable=False, unique=True, "
              "index=True)\n");
  p.WriteFile("src/app/schemas/profile.py",
              "from sqlalchemy import Column, Integer, String\n\n"
              "from .base import Base\n\n\n"
              "class UserProfile(Base):\n"
              "    __tablename__ = \"user_profile\"\n"
              "    id = Column(Integer, primary_key=True)\n"
              "    bio = Column(String(500))\n");
  // The pitfall first: profile.py is not imported by the package.
  p.WriteFile("src/app/schemas/__init__.py",
              "from .base import Base\nfrom .example import Example\n\n"
              "__all__ = [\"Base\", \"Example\"]\n");
  const std::string guide = Guide("003-models-package-and-makefile.md");
  size_t make_at = guide.find("```make\n");
  ASSERT_NE(make_at, std::string::npos);
  std::string makefile = guide.substr(make_at + 8);
  makefile = makefile.substr(0, makefile.find("```"));
  p.WriteFile("Makefile", makefile);
  auto make = [&](const std::string& args) {
    std::string out;
    int rc = Shell("cd " + p.dir() + " && make -s RETORT=" +
                       std::string(RETORT_BINARY) + " " + args,
                   &out);
    EXPECT_EQ(rc, 0) << "make " << args << ":\n" << out;
    return out;
  };
  make("mm m=\"create example\"");
  make("uh");
  EXPECT_TRUE(TableExists(url, "example"));
  EXPECT_EQ(Scalar(url,
                   "SELECT string_agg(conname, ',' ORDER BY conname) "
                   "FROM pg_constraint WHERE conrelid = "
                   "'example'::regclass"),
            "pk_example");
  // unique=True with index=True is SQLAlchemy's unique index, named by ix.
  EXPECT_EQ(Scalar(url,
                   "SELECT indexdef FROM pg_indexes WHERE indexname = "
                   "'ix_example_name'"),
            "CREATE UNIQUE INDEX ix_example_name ON public.example USING btree "
            "(name)");
  EXPECT_FALSE(TableExists(url, "user_profile"));
  // Not imported, not seen: nothing to do.
  CliResult check = p.Run({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "No new upgrade operations detected.\n");
  // Imported, it is.
  p.WriteFile("src/app/schemas/__init__.py",
              "from .base import Base\nfrom .example import Example\n"
              "from .profile import UserProfile\n\n"
              "__all__ = [\"Base\", \"Example\", \"UserProfile\"]\n");
  make("mm m=\"add_user_profile_table\"");
  make("uh");
  EXPECT_TRUE(TableExists(url, "user_profile"));
  EXPECT_EQ(p.Run({"check"}).exit_code, 0);
  // Nothing changed: an empty revision, and it says so.
  EXPECT_NE(make("mm m=\"nothing\"")
                .find("No changes in schema detected; the new revision is "
                      "empty"),
            std::string::npos);
  EXPECT_EQ(p.List("migrations/versions").size(), 3u);
  make("uh");
  // An empty metadata is an error, not a revision dropping every table.
  p.WriteFile("src/app/schemas/__init__.py",
              "from sqlalchemy import MetaData\n\n"
              "class Base:\n    metadata = MetaData()\n");
  CliResult empty = p.Run({"revision", "--autogenerate", "-m", "oops"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("sqlalchemy:app.schemas:Base.metadata"),
            std::string::npos)
      << empty.err;
  EXPECT_EQ(p.List("migrations/versions").size(), 3u);
}

}  // namespace
}  // namespace retort::testing
