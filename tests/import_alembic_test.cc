// `retort import-alembic` end to end, with Debian's Alembic beside it: the
// hand-written projects of tests/data/alembic (every operation, data
// migrations, labels, merges, dependencies, schema per domain, SQLite batch
// rebuilds) and projects from tests/tools/gen_alembic.py. Each imported
// project is run by retort on a real database and compared with what
// Alembic itself builds; a database Alembic migrated halfway is continued
// by retort and handed back to Alembic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "alembic_util.h"
#include "cli_util.h"
#include "pg_harness.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

TEST(ImportAlembic, ShopOnPostgresWithTodosConvertedByHand) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  ImportProject project("shop", url);
  CliResult r = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("Importing alembic/migrations (13 revisions, "
                       "postgresql) into migrations/versions:\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("13 revisions: 13 created\n"), std::string::npos);
  EXPECT_NE(
      r.out.find(
          "3 sections to convert by hand (-- retort: TODO; retort upgrade "
          "refuses to run them):\n"
          "  alembic/migrations/versions/b1f7d9a3c5e2_backfill_loyalty_points."
          "py:22: upgrade of b1f7d9a3c5e2: reads rows: the result of execute() "
          "at b1f7d9a3c5e2_backfill_loyalty_points.py:22 is used (.fetchall at "
          "b1f7d9a3c5e2_backfill_loyalty_points.py:24); offline there is no "
          "database to read\n"
          "    -> migrations/versions/"
          "b1f7d9a3c5e2_backfill_loyalty_points_from_past_orders.sql\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("0e6a3c9f2b58_welcome_credit.py:35: upgrade of "
                       "0e6a3c9f2b58: reads rows: the result of execute() at "
                       "shopdb/backfill.py:7 is used"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("6b2d8f4a1c37_order_items_total.py:30: upgrade of "
                       "6b2d8f4a1c37: reads rows:"),
            std::string::npos)
      << r.out;

  // The same graph as Alembic's.
  CliResult history = project.Retort({"history"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  std::string alembic_history = project.Alembic("history");
  EXPECT_EQ(HistoryIds(history.out), HistoryIds(alembic_history));
  EXPECT_EQ(HistoryIds(history.out).size(), 13u);
  CliResult heads = project.Retort({"heads"});
  EXPECT_EQ(heads.out.substr(0, 12), project.Alembic("heads").substr(0, 12));

  // A TODO section is refused before anything runs.
  CliResult up = project.Retort({"upgrade", "head"});
  EXPECT_EQ(up.exit_code, 1);
  const std::string backfill = project.VersionFile("b1f7d9a3c5e2");
  EXPECT_NE(up.err.find(backfill + ":"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("upgrade b1f7d9a3c5e2 is not ready to run"),
            std::string::npos)
      << up.err;
  EXPECT_FALSE(TableExists(url, "customers"));

  // Converted by hand, the files are kept by a second import.
  RewriteUpgrade(project.p(), backfill,
                 "UPDATE customers c SET loyalty_points = 10 * o.n\n"
                 "FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY "
                 "customer_id) o\nWHERE o.customer_id = c.id;");
  RewriteUpgrade(
      project.p(), project.VersionFile("0e6a3c9f2b58"),
      "ALTER TABLE customers ADD COLUMN welcome_credit NUMERIC(8, 2) DEFAULT "
      "'0' NOT NULL;\n\nUPDATE customers SET welcome_credit = 5 WHERE NOT "
      "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id);");
  RewriteUpgrade(project.p(), project.VersionFile("6b2d8f4a1c37"),
                 "ALTER TABLE orders ADD COLUMN items_total NUMERIC(12, 2);");
  CliResult again = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("13 revisions: 10 unchanged, 3 kept (edited by "
                           "hand)\n"),
            std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("  keep  " + backfill +
                           "  (edited since the last import; --force "
                           "overwrites it)\n"),
            std::string::npos)
      << again.out;

  // retort runs the whole project, and Alembic reads where it stopped.
  CliResult full = project.Retort({"upgrade", "head"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"6b2d8f4a1c37"});
  EXPECT_TRUE(TableExists(url, "catalog_items"));
  std::string current =
      project.Alembic("current", "SHOP_DATABASE_URL='" + SaUrl(url) + "'");
  EXPECT_NE(current.find("6b2d8f4a1c37 (head)"), std::string::npos) << current;
  // And back down to nothing.
  CliResult down = project.Retort({"downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_FALSE(TableExists(url, "customers"));
  EXPECT_FALSE(TableExists(url, "orders"));
}

TEST(ImportAlembic, RerunsRewriteOnlyWhatTheImportWrote) {
  ImportProject project("multischema", "sqlite:///app.db");
  auto import = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"import-alembic", "alembic/alembic.ini",
                                     "--dialect", "postgresql"};
    args.insert(args.end(), extra.begin(), extra.end());
    return project.Retort(args);
  };
  CliResult dry = import({"--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("Would import alembic/migrations (6 revisions, "
                         "postgresql) into migrations/versions:\n"
                         "  would create  migrations/versions/"
                         "1a7f3c5e9b20_auth_users.sql\n"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("6 revisions: 6 to create\n"), std::string::npos);
  EXPECT_TRUE(project.p().List("migrations/versions").empty());

  CliResult first = import({});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(project.p().List("migrations/versions").size(), 6u);
  CliResult same = import({});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_NE(same.out.find("6 revisions: 6 unchanged\n"), std::string::npos)
      << same.out;

  // An Alembic file changed: its import is rewritten.
  const std::string users_py =
      "alembic/migrations/versions/1a7f3c5e9b20_auth_users.py";
  std::string py = project.File(users_py);
  size_t at = py.find("sa.Column(\"password_hash\"");
  ASSERT_NE(at, std::string::npos);
  project.p().WriteFile(
      users_py, py.substr(0, at) +
                    "sa.Column(\"display_name\", sa.String(80)),\n        " +
                    py.substr(at));
  CliResult updated = import({});
  EXPECT_EQ(updated.exit_code, 0);
  EXPECT_NE(updated.out.find("  update  migrations/versions/"
                             "1a7f3c5e9b20_auth_users.sql\n"),
            std::string::npos)
      << updated.out;
  EXPECT_NE(project.File(project.VersionFile("1a7f3c5e9b20"))
                .find("display_name VARCHAR(80)"),
            std::string::npos);

  // Edited by hand: kept and reported, unless --force.
  const std::string roles = project.VersionFile("6d2b8e0f4a13");
  project.p().WriteFile(roles,
                        project.File(roles) + "-- reviewed by the DBA\n");
  CliResult kept = import({});
  EXPECT_EQ(kept.exit_code, 0);
  EXPECT_NE(kept.out.find("  keep  " + roles +
                          "  (edited since the last import; --force "
                          "overwrites it)\n"),
            std::string::npos)
      << kept.out;
  EXPECT_NE(project.File(roles).find("-- reviewed by the DBA"),
            std::string::npos);
  CliResult forced = import({"--force"});
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_NE(forced.out.find("  overwrite  " + roles + "\n"), std::string::npos)
      << forced.out;
  EXPECT_EQ(project.File(roles).find("-- reviewed by the DBA"),
            std::string::npos);

  // An Alembic revision that went away is reported, its file left alone.
  fs::remove(project.p().Path(
      "alembic/migrations/versions/e2f4a6c8d0b9_inventory_reorder_level.py"));
  CliResult orphan = import({});
  EXPECT_EQ(orphan.exit_code, 0);
  EXPECT_NE(orphan.out.find("No longer in the Alembic project (left in "
                            "place):\n  migrations/versions/"
                            "e2f4a6c8d0b9_inventory_reorder_level.sql\n"),
            std::string::npos)
      << orphan.out;

  // A file retort did not write that declares one of the ids: an error,
  // nothing written.
  std::string mine = project.File(roles);
  fs::remove(project.p().Path(roles));
  WriteRevision(project.p(), "6d2b8e0f4a13", "1a7f3c5e9b20", "", "",
                "SELECT 1;", "SELECT 1;", "my own");
  CliResult conflict = import({});
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.err.find(
                "error: these files of the retort project declare revisions "
                "of the Alembic project and were not written by "
                "import-alembic (no Import Checksum); move them out of "
                "migrations/versions and import again (nothing was "
                "written):\n"
                "  migrations/versions/6d2b8e0f4a13.sql declares revision "
                "6d2b8e0f4a13\n"),
            std::string::npos)
      << conflict.err;
}

TEST(ImportAlembic, SchemaPerDomainMatchesAlembic) {
  const std::string url = FreshDatabaseUrl();
  const std::string alembic_url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  ImportProject project("multischema", url);
  CliResult r = project.Retort({"import-alembic", "alembic/alembic.ini"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string block =
      "[schemas.auth]\n"
      "version_table = \"alembic_version_auth\"\n"
      "create = true\n"
      "branch = \"auth\"\n"
      "\n"
      "[schemas.inventory]\n"
      "version_table = \"alembic_version_inventory\"\n"
      "create = true\n"
      "branch = \"inventory\"\n";
  EXPECT_NE(r.out.find("alembic/migrations/env.py:15 (SCHEMA_VERSION_TABLES) "
                       "maps schemas to version tables; the matching "
                       "sections of retort.toml:\n\n" +
                       block),
            std::string::npos)
      << r.out;
  EXPECT_NE(project.File(project.VersionFile("6d2b8e0f4a13"))
                .find("ALTER TABLE ${schema}.users ADD COLUMN is_admin"),
            std::string::npos);
  // The block pasted into retort.toml, as the output says.
  project.p().WriteFile("retort.toml",
                        project.File("retort.toml") + "\n" + block);
  project.SetAlembicUrl(alembic_url);
  for (const std::string schema : {"auth", "inventory"}) {
    CliResult up =
        project.Retort({"upgrade", schema + "@head", "--schema", schema});
    ASSERT_EQ(up.exit_code, 0) << schema << ": " << up.err;
    project.Alembic("-x schema=" + schema + " upgrade " + schema + "@head");
  }
  const std::string schemas = "'auth', 'inventory'";
  std::vector<std::string> ours = Fingerprint(url, schemas);
  EXPECT_GT(ours.size(), 10u);
  EXPECT_EQ(ours, Fingerprint(alembic_url, schemas));
  for (const std::string schema : {"auth", "inventory"}) {
    const std::string table = schema + ".alembic_version_" + schema;
    EXPECT_EQ(VersionRows(url, table), VersionRows(alembic_url, table))
        << table;
    EXPECT_EQ(VersionRows(url, table).size(), 1u) << table;
  }
  // And down again, one schema at a time.
  CliResult down =
      project.Retort({"downgrade", "auth@base", "--schema", "auth"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_FALSE(TableExists(url, "auth.users"));
  EXPECT_TRUE(TableExists(url, "inventory.items"));
}

// Revisions that take the schema from -x schema= and an env.py whose
// schema -> version table mapping retort cannot read (here computed, not a
// literal): the import says what to add to retort.toml.
TEST(ImportAlembic, SchemaWithoutAMappingIsNoted) {
  ImportProject project("multischema", "sqlite:///app.db");
  const std::string env_rel = "alembic/migrations/env.py";
  std::string env = project.File(env_rel);
  const std::string mapping =
      "SCHEMA_VERSION_TABLES = {\n"
      "    \"auth\": \"alembic_version_auth\",\n"
      "    \"inventory\": \"alembic_version_inventory\",\n"
      "}\n";
  ASSERT_NE(env.find(mapping), std::string::npos) << env;
  env.replace(env.find(mapping), mapping.size(),
              "SCHEMAS = (\"auth\", \"inventory\")\n");
  const std::string lookup = "version_table = SCHEMA_VERSION_TABLES[schema]";
  ASSERT_NE(env.find(lookup), std::string::npos);
  env.replace(env.find(lookup), lookup.size(),
              "version_table = \"alembic_version_\" + schema");
  for (size_t at; (at = env.find("SCHEMA_VERSION_TABLES")) !=
                  std::string::npos;) {
    env.replace(at, 21, "SCHEMAS");
  }
  project.p().WriteFile(env_rel, env);
  auto import = [&]() {
    return project.Retort({"import-alembic", "alembic/alembic.ini",
                           "--dialect", "postgresql", "--dry-run"});
  };
  const std::string note =
      "\nnote: revisions use ${schema} (they take the schema from -x "
      "schema=); alembic/migrations/env.py has no schema -> version table "
      "mapping retort could read: add a [schemas.NAME] section per schema to "
      "retort.toml (docs/configuration.md), or run with --schema NAME\n";
  CliResult r = import();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.ends_with("6 revisions: 6 to create\n" + note)) << r.out;
  EXPECT_EQ(r.out.find("maps schemas to version tables"), std::string::npos);

  // Without env.py at all, the note says so.
  fs::remove(project.p().Path(env_rel));
  CliResult no_env = import();
  EXPECT_EQ(no_env.exit_code, 0) << no_env.err;
  EXPECT_TRUE(no_env.out.ends_with(
      "6 revisions: 6 to create\n"
      "\nnote: revisions use ${schema} (they take the schema from -x "
      "schema=); there is no env.py to read a schema -> version table "
      "mapping from: add a [schemas.NAME] section per schema to retort.toml "
      "(docs/configuration.md), or run with --schema NAME\n"))
      << no_env.out;

  // Once retort.toml has [schemas.*] sections there is nothing to say.
  project.p().WriteFile(env_rel, env);
  project.p().WriteFile("retort.toml", project.File("retort.toml") +
                                           "\n[schemas.auth]\n"
                                           "[schemas.inventory]\n");
  CliResult configured = import();
  EXPECT_EQ(configured.exit_code, 0) << configured.err;
  EXPECT_TRUE(configured.out.ends_with("6 revisions: 6 to create\n"))
      << configured.out;
  EXPECT_EQ(configured.out.find("note:"), std::string::npos);
}

// env.py passes a literal version_table= and version_table_schema= to
// context.configure(): the import names the settings retort.toml needs,
// until it has them.
TEST(ImportAlembic, EnvVersionTableSettingsAreNoted) {
  ImportProject project("sqlite_batch", "sqlite:///app.db");
  const std::string env_rel = "alembic/alembic/env.py";
  std::string env = project.File(env_rel);
  for (size_t at = 0;
       (at = env.find("render_as_batch=True,\n", at)) != std::string::npos;) {
    at += 22;
    env.insert(at, "        version_table=\"notes_version\",\n"
                   "        version_table_schema=\"app\",\n");
  }
  project.p().WriteFile(env_rel, env);
  const std::string notes =
      "\nnote: alembic/alembic/env.py passes version_table=\"notes_version\" "
      "to context.configure(); set version_table = \"notes_version\" in "
      "retort.toml so retort reads the table Alembic wrote\n"
      "note: alembic/alembic/env.py passes version_table_schema=\"app\"; set "
      "version_table_schema = \"app\" in retort.toml\n";
  CliResult r = project.Retort({"import-alembic", "alembic", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.ends_with("5 revisions: 5 to create\n" + notes)) << r.out;

  // Set as the notes say, they are not repeated.
  project.p().WriteFile("retort.toml",
                        "version_table = \"notes_version\"\n"
                        "version_table_schema = \"app\"\n" +
                            project.File("retort.toml"));
  CliResult set = project.Retort({"import-alembic", "alembic", "--dry-run"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_TRUE(set.out.ends_with("5 revisions: 5 to create\n")) << set.out;
}

// A database Alembic migrated halfway is continued by retort after the
// import, with the version table as Alembic left it; Alembic then reads
// retort's head and can move the database again.
TEST(ImportAlembic, TakeOverHalfwayAndHandBack) {
  const std::string url = FreshDatabaseUrl();
  const std::string reference = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  ImportProject project("", url);
  std::string out;
  ASSERT_EQ(
      Shell(kPython + " " + std::string(RETORT_SOURCE_DIR) +
                "/tests/tools/gen_alembic.py " + project.p().Path("alembic") +
                " --revisions 40 --ops mixed --shape branchy "
                "--data-every 0 --seed 7 --url '" +
                SaUrl(url) + "'",
            &out),
      0)
      << out;
  const std::string ini = "-c " + project.p().Path("alembic/alembic.ini");
  project.Alembic(ini + " upgrade 000000000014");
  CliResult r = project.Retort({"import-alembic", "alembic"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("40 revisions: 40 created\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"000000000014"});
  CliResult up = project.Retort({"upgrade", "heads"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::vector<std::string> heads = VersionRows(url);
  ASSERT_FALSE(heads.empty());

  // The same schema as Alembic's own run of the whole project.
  std::string ref_ini = project.p().Path("alembic/ref.ini");
  std::string text = project.File("alembic/alembic.ini");
  size_t at = text.find("sqlalchemy.url = ");
  ASSERT_NE(at, std::string::npos);
  project.p().WriteFile("alembic/ref.ini",
                        text.substr(0, at) +
                            "sqlalchemy.url = " + SaUrl(reference) +
                            text.substr(text.find('\n', at)));
  project.Alembic("-c " + ref_ini + " upgrade heads");
  EXPECT_EQ(Fingerprint(url, "'public'"), Fingerprint(reference, "'public'"));
  EXPECT_EQ(heads, VersionRows(reference));

  // Alembic reads retort's heads, and moves the database again.
  std::string current = project.Alembic(ini + " current");
  for (const std::string& h : heads)
    EXPECT_NE(current.find(h + " (head)"), std::string::npos) << current;
  project.Alembic(ini + " downgrade 000000000014");
  EXPECT_EQ(VersionRows(url), std::vector<std::string>{"000000000014"});
  CliResult again = project.Retort({"upgrade", "heads"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(VersionRows(url), heads);
}

// SQLite: batch operations Alembic cannot render offline are rendered on
// a scratch database; the imported revisions build what Alembic builds.
TEST(ImportAlembic, SqliteBatchRebuilds) {
  ImportProject project("sqlite_batch", "sqlite:///app.db");
  CliResult r = project.Retort({"import-alembic", "alembic/alembic.ini"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(5 revisions, sqlite)"), std::string::npos) << r.out;
  CliResult up = project.Retort({"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string ours = "sqlite:///" + project.p().Path("app.db");
  const std::string theirs = "sqlite:///" + project.p().Path("alembic.db");
  std::string text = project.File("alembic/alembic.ini");
  size_t at = text.find("sqlalchemy.url = ");
  ASSERT_NE(at, std::string::npos);
  project.p().WriteFile("alembic/alembic.ini",
                        text.substr(0, at) + "sqlalchemy.url = sqlite:///" +
                            project.p().Path("alembic.db") +
                            text.substr(text.find('\n', at)));
  project.Alembic("upgrade head");
  // SQLite keeps each CREATE statement as written; Alembic's offline
  // rendering (which import-alembic uses) indents with four spaces where
  // its online run writes a tab.
  const std::string schema =
      "SELECT type || ' ' || name || ' ' || replace(coalesce(sql, ''), "
      "char(9), '    ') FROM sqlite_master WHERE tbl_name NOT LIKE "
      "'alembic_version%' ORDER BY 1";
  EXPECT_EQ(Rows(ours, schema), Rows(theirs, schema));
  EXPECT_EQ(VersionRows(ours), VersionRows(theirs));
  CliResult down = project.Retort({"downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  project.Alembic("downgrade base");
  EXPECT_EQ(Rows(ours, schema), Rows(theirs, schema));
}

// A batch operation Alembic cannot render offline, which fails on the
// scratch database too (it alters a column the table does not have): the
// upgrade is a TODO with the scratch database's error, the downgrade one
// saying why it could not be rendered, and the other batch revisions are
// rendered all the same.
TEST(ImportAlembic, ScratchRenderFailureLeavesTodo) {
  ImportProject project("sqlite_batch", "sqlite:///app.db");
  const std::string rel =
      "alembic/alembic/versions/7b3d5f1e9c62_longer_titles.py";
  std::string py = project.File(rel);
  const std::string column = "batch_op.alter_column(\n            \"title\",";
  ASSERT_NE(py.find(column), std::string::npos) << py;
  py.replace(py.find(column), column.size(),
             "batch_op.alter_column(\n            \"headline\",");
  project.p().WriteFile(rel, py);
  CliResult r = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string file = project.VersionFile("7b3d5f1e9c62");
  EXPECT_NE(r.out.find("5 revisions: 5 created\n\n"
                       "2 sections to convert by hand (-- retort: TODO; "
                       "retort upgrade refuses to run them):\n"
                       "  " + rel + ":20: upgrade of 7b3d5f1e9c62: scratch "
                       "database: KeyError: 'headline' "
                       "(alembic/operations/batch.py:494, from "
                       "7b3d5f1e9c62_longer_titles.py:20)\n"
                       "    -> " + file + "\n"
                       "  " + rel + ":30: downgrade of 7b3d5f1e9c62: scratch "
                       "database: not at this revision, its upgrade() "
                       "failed\n"
                       "    -> " + file + "\n"),
            std::string::npos)
      << r.out;
  const std::string text = project.File(file);
  EXPECT_NE(text.find("-- migrate:upgrade\n-- retort: TODO scratch database: "
                      "KeyError: 'headline' (alembic/operations/batch.py:494, "
                      "from 7b3d5f1e9c62_longer_titles.py:20) (" + rel +
                      ":20)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("-- migrate:downgrade\n-- retort: TODO scratch "
                      "database: not at this revision, its upgrade() failed (" +
                      rel + ":30)\n"),
            std::string::npos)
      << text;
  // The other batch revisions were rendered on their scratch databases.
  for (const std::string id : {"2f7a1c9e5d34", "d0c8e6a4b2f1"}) {
    const std::string other = project.File(project.VersionFile(id));
    EXPECT_EQ(other.find("-- retort: TODO"), std::string::npos) << other;
  }
  CliResult up = project.Retort({"upgrade", "head"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.err.find("upgrade 7b3d5f1e9c62 is not ready to run"),
            std::string::npos)
      << up.err;
}

// `python` relative to retort.toml's folder (the worker itself runs in the
// Alembic folder), and a file_template giving two revisions one name.
TEST(ImportAlembic, RelativePythonAndFileNameClash) {
  ImportProject project("sqlite_batch", "sqlite:///app.db",
                        "file_template = \"imported\"\n");
  project.p().WriteFile("bin/py.sh",
                        "#!/bin/sh\nexec " + kPython + " \"$@\"\n");
  fs::permissions(project.p().Path("bin/py.sh"), fs::perms::owner_all);
  std::string config = project.File("retort.toml");
  const size_t at = config.find("python = ");
  ASSERT_NE(at, std::string::npos);
  config = config.substr(0, at) + "python = \"bin/py.sh\"" +
           config.substr(config.find('\n', at));
  project.p().WriteFile("retort.toml", config);

  CliResult clash = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(clash.exit_code, 1);
  // (after the progress lines; the revisions in the graph's order)
  EXPECT_TRUE(clash.err.ends_with(
      "\nerror: file_template \"imported\" gives these revisions the "
      "same file name (nothing was written); put %(rev)s in "
      "file_template in retort.toml:\n"
      "  migrations/versions/imported.sql for revisions 5c1e9a3f7b20, "
      "9e4b2d6f8a13, 2f7a1c9e5d34, 7b3d5f1e9c62, d0c8e6a4b2f1\n"))
      << clash.err;
  EXPECT_TRUE(project.p().List("migrations/versions").empty());

  project.p().WriteFile(
      "retort.toml", config.substr(0, config.find("file_template")));
  CliResult ok = project.Retort({"import-alembic", "alembic", "-q"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "");  // -q: only a TODO list, and there is none
  EXPECT_EQ(project.p().List("migrations/versions").size(), 5u);
}

TEST(ImportAlembic, Errors) {
  TempProject bare;
  CliResult no_config = bare.Run({"import-alembic", AlembicFixture("shop")});
  EXPECT_EQ(no_config.exit_code, 1);
  EXPECT_EQ(no_config.err, "error: no retort.toml in " + bare.dir() +
                               ": import-alembic writes into a retort "
                               "project; create one with 'retort init "
                               "migrations' (then set its url) and import "
                               "again\n");

  // A Python without Alembic.
  ImportProject project("broken", "sqlite:///app.db");
  project.p().WriteFile("nopy.sh",
                        "#!/bin/sh\nexec " + kPython + " -S \"$@\"\n");
  fs::permissions(project.p().Path("nopy.sh"), fs::perms::owner_all);
  std::string config = project.File("retort.toml");
  project.p().WriteFile(
      "retort.toml", config.substr(0, config.find("python =")) + "python = \"" +
                         project.p().Path("nopy.sh") + "\"\n");
  CliResult no_alembic = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(no_alembic.exit_code, 1);
  EXPECT_EQ(no_alembic.err,
            "error: " + project.p().Path("nopy.sh") +
                " (the 'python' setting, retort.toml:3) cannot import "
                "alembic (ModuleNotFoundError: No module named 'alembic'): "
                "install Debian's "
                "python3-alembic (apt-get install python3-alembic), or pip "
                "install alembic into that interpreter's environment, or set "
                "python = \"/path/to/python3\" in retort.toml to an "
                "interpreter that has it\n");
  project.p().WriteFile("retort.toml", config);

  // The fixture's alembic.ini names PostgreSQL, retort.toml SQLite: which
  // SQL to render is not guessed.
  CliResult mismatch = project.Retort({"import-alembic", "alembic"});
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_EQ(mismatch.err,
            "error: the url in retort.toml is a SQLite database, but " +
                project.p().Path("alembic/alembic.ini") +
                "'s sqlalchemy.url is PostgreSQL: set url in retort.toml to "
                "the database Alembic migrates, or pass --dialect postgresql "
                "(or --dialect sqlite) to choose the SQL the revisions are "
                "rendered in\n");

  // Headers retort cannot read without running the file: every one listed.
  CliResult broken = project.Retort(
      {"import-alembic", "alembic", "--dialect", "postgresql"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("Alembic revision files could not be read "
                            "(nothing was written):\n"),
            std::string::npos)
      << broken.err;
  EXPECT_NE(broken.err.find("  alembic/migrations/versions/"
                            "22bb33cc44dd_parent_from_a_name.py:"),
            std::string::npos)
      << broken.err;
  EXPECT_NE(broken.err.find("down_revision is not a literal"),
            std::string::npos)
      << broken.err;
  EXPECT_TRUE(project.p().List("migrations/versions").empty());

  CliResult missing = project.Retort({"import-alembic", "nowhere"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: import-alembic nowhere: " + project.p().Path("nowhere") +
                " does not exist; give the project's "
                "alembic.ini or its scripts folder (the one "
                "holding env.py and versions/)\n");
  CliResult own = project.Retort({"import-alembic", "migrations"});
  EXPECT_EQ(own.exit_code, 1);
  EXPECT_EQ(own.err, "error: retort's versions folder " +
                         project.p().Path("migrations/versions") +
                         " is also a version location of the Alembic "
                         "project: the imported revisions would be written "
                         "beside its .py files; set script_location in "
                         "retort.toml to a folder only retort uses and "
                         "import again\n");

  CliResult bad_dialect =
      project.Retort({"import-alembic", "alembic", "--dialect", "mysql"});
  EXPECT_EQ(bad_dialect.exit_code, 2);
}

}  // namespace
}  // namespace retort::testing
