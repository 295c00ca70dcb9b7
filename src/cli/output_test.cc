#include "cli/output.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

RevisionInfo Rev(const std::string& id, std::vector<std::string> parents,
                 const std::string& doc) {
  RevisionInfo r;
  r.id = id;
  r.down_revisions = std::move(parents);
  r.doc = doc;
  r.longdoc = doc;
  r.path = "/p/versions/" + id + "_x.sql";
  r.create_date = "2026-11-21 10:00:00.000000";
  r.is_base = r.down_revisions.empty();
  return r;
}

TEST(CliOutput, RevisionJsonHasEveryField) {
  RevisionInfo r = Rev("bbbb", {"aaaa"}, "add users");
  r.branch_labels = {"auth"};
  r.depends_on = {"cccc"};
  r.children = {"dddd"};
  r.is_head = true;
  EXPECT_EQ(RevisionJson(r).dump(),
            R"({"id":"bbbb","down_revisions":["aaaa"],"depends_on":["cccc"],)"
            R"("branch_labels":["auth"],"children":["dddd"],)"
            R"("message":"add users","path":"/p/versions/bbbb_x.sql",)"
            R"("create_date":"2026-11-21 10:00:00.000000","is_head":true,)"
            R"("is_effective_head":true,"is_base":false,)"
            R"("is_branch_point":false,"is_merge_point":false})");
}

TEST(CliOutput, RevisionJsonWithCurrent) {
  RevisionInfo r = Rev("aaaa", {}, "one");
  EXPECT_FALSE(RevisionJson(r).contains("is_current"));
  r.is_current = true;
  nlohmann::ordered_json j = RevisionJson(r, /*with_current=*/true);
  EXPECT_EQ(j.back(), true);
  EXPECT_EQ((--j.end()).key(), "is_current");
  FormatOptions f;
  nlohmann::json arr = nlohmann::json::parse(RevisionsOutput(
      {Rev("bbbb", {"aaaa"}, "two"), r}, f, /*json=*/true,
      /*with_current=*/true));
  EXPECT_EQ(arr[0]["is_current"], false);
  EXPECT_EQ(arr[1]["is_current"], true);
  EXPECT_EQ(RevisionsOutput({r}, f, true).find("is_current"),
            std::string::npos);
}

TEST(CliOutput, RevisionsAsTextAndJson) {
  std::vector<RevisionInfo> revs = {Rev("bbbb", {"aaaa"}, "two"),
                                    Rev("aaaa", {}, "one")};
  FormatOptions f;
  f.include_doc = true;
  f.include_parents = true;
  EXPECT_EQ(RevisionsOutput(revs, f, false),
            "aaaa -> bbbb, two\n<base> -> aaaa, one\n");
  std::string j = RevisionsOutput(revs, f, true);
  EXPECT_EQ(j.substr(0, 4), "[\n  ");
  EXPECT_EQ(j.back(), '\n');
  EXPECT_EQ(nlohmann::json::parse(j).size(), 2u);
  EXPECT_EQ(RevisionsOutput({}, f, true), "[]\n");
  EXPECT_EQ(RevisionsOutput({}, f, false), "");
}

TEST(CliOutput, MigrationOutputIsTheSqlOrJson) {
  MigrationResult r;
  r.heads_before = {"aaaa"};
  r.heads_after = {"bbbb"};
  r.steps.push_back({"bbbb", "upgrade aaaa -> bbbb, two", true, 1.5});
  EXPECT_EQ(MigrationOutput(r, false), "");
  EXPECT_EQ(MigrationOutput(r, true),
            "{\n"
            "  \"heads_before\": [\n    \"aaaa\"\n  ],\n"
            "  \"heads_after\": [\n    \"bbbb\"\n  ],\n"
            "  \"steps\": [\n    {\n"
            "      \"revision\": \"bbbb\",\n"
            "      \"description\": \"upgrade aaaa -> bbbb, two\",\n"
            "      \"direction\": \"upgrade\",\n"
            "      \"duration_ms\": 1.5\n"
            "    }\n  ]\n}\n");
  r.sql = "BEGIN;\nCOMMIT;\n";
  EXPECT_EQ(MigrationOutput(r, false), "BEGIN;\nCOMMIT;\n");
  EXPECT_EQ(nlohmann::json::parse(MigrationOutput(r, true))["sql"],
            "BEGIN;\nCOMMIT;\n");
}

TEST(CliOutput, BranchesText) {
  BranchPoint bp;
  bp.revision = Rev("aaaa", {}, "root");
  bp.revision.is_branch_point = true;
  bp.revision.children = {"bbbb", "cccc"};
  bp.children = {Rev("bbbb", {"aaaa"}, "left"), Rev("cccc", {"aaaa"}, "right")};
  EXPECT_EQ(BranchesText({bp}, false),
            "aaaa (branchpoint)\n"
            "     -> bbbb\n"
            "     -> cccc\n"
            "\n");
  std::string verbose = BranchesText({bp}, true);
  EXPECT_NE(verbose.find("Rev: aaaa (branchpoint)"), std::string::npos)
      << verbose;
  EXPECT_NE(verbose.find("     -> bbbb, left\n"), std::string::npos) << verbose;
  auto j = BranchesJson({bp});
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "aaaa");
  EXPECT_EQ(j[0]["branches_into"].size(), 2u);
  EXPECT_EQ(j[0]["branches_into"][1]["id"], "cccc");
}

TEST(CliOutput, DiffJson) {
  DiffResult d;
  d.upgrade_sql = "CREATE TABLE t ();\n";
  d.downgrade_sql = "DROP TABLE t;\n";
  d.operations = 1;
  d.model_files = {"models/a.sql"};
  d.compared_with = ComparedWith::kDatabase;
  d.scratch = "no database";
  EXPECT_EQ(DiffJson(d).dump(),
            R"({"operations":1,"upgrade":"CREATE TABLE t ();\n",)"
            R"("downgrade":"DROP TABLE t;\n",)"
            R"("contract_upgrade":"","contract_downgrade":"",)"
            R"("models":["models/a.sql"],)"
            R"("unmatched_models":[],)"
            R"("compared_with":"database","scratch":"no database"})");
}

TEST(CliOutput, CheckJsonIsCleanThenDiffJson) {
  DiffResult d;
  d.compared_with = ComparedWith::kMigrations;
  EXPECT_EQ(CheckJson(d).dump(),
            R"({"clean":true,"operations":0,"upgrade":"","downgrade":"",)"
            R"("contract_upgrade":"","contract_downgrade":"",)"
            R"("models":[],"unmatched_models":[],)"
            R"("compared_with":"migrations","scratch":""})");
  d.operations = 2;
  d.upgrade_sql = "x;\n";
  EXPECT_EQ(CheckJson(d)["clean"], false);
}

TEST(CliOutput, DiffJsonListsTheFilesNoPatternMatched) {
  DiffResult d;
  d.model_files = {"models/a.sql", "sqlalchemy:app.models:Base.metadata"};
  d.unmatched_model_files = {"models/billing/invoices.sql", "models/old/x.sql"};
  d.compared_with = ComparedWith::kMigrations;
  EXPECT_EQ(
      DiffJson(d).dump(),
      R"({"operations":0,"upgrade":"","downgrade":"",)"
      R"("contract_upgrade":"","contract_downgrade":"",)"
      R"("models":["models/a.sql","sqlalchemy:app.models:Base.metadata"],)"
      R"("unmatched_models":["models/billing/invoices.sql",)"
      R"("models/old/x.sql"],)"
      R"("compared_with":"migrations","scratch":""})");
}

// An online plan's removals follow the rest under a line saying they are
// a contract revision's.
TEST(CliOutput, DiffTextPutsTheContractPartLast) {
  DiffResult d;
  d.upgrade_sql = "ALTER TABLE t ADD COLUMN b text;\n";
  EXPECT_EQ(DiffText(d), d.upgrade_sql);
  d.contract_upgrade_sql = "ALTER TABLE t DROP COLUMN a;\n";
  EXPECT_EQ(DiffText(d),
            "ALTER TABLE t ADD COLUMN b text;\n\n"
            "-- Phase: contract (a revision of its own: revision "
            "--autogenerate --online writes it after the one above)\n"
            "ALTER TABLE t DROP COLUMN a;\n");
}

TEST(CliOutput, ModelSchemasAligned) {
  ModelSchemaInfo auth;
  auth.name = "auth";
  auth.tables = 1;
  auth.objects = 2;
  auth.created = true;
  auth.files = {"models/auth.sql"};
  ModelSchemaInfo billing;
  billing.name = "billing";
  billing.mentioned_only = true;
  EXPECT_EQ(ModelSchemasText({auth, billing}),
            "auth     1 table\n"
            "billing  0 tables  (mentioned only)\n");
  EXPECT_EQ(ModelSchemasJson({auth}).dump(),
            R"([{"name":"auth","tables":1,"objects":2,"created":true,)"
            R"("mentioned_only":false,"configured":false,)"
            R"("files":["models/auth.sql"]}])");
}

TEST(CliOutput, TemplatesText) {
  EXPECT_EQ(TemplatesText({{"generic", "one schema"}}),
            "Available templates:\n\n"
            "generic - one schema\n\n"
            "Templates are used via the 'init' command, e.g.:\n\n"
            "  retort init -t generic ./migrations\n");
}

TEST(CliOutput, TemplatesJson) {
  EXPECT_EQ(TemplatesJson({{"generic", "one schema"}, {"tenants", "many"}})
                .dump(),
            R"([{"name":"generic","description":"one schema"},)"
            R"({"name":"tenants","description":"many"}])");
  EXPECT_EQ(TemplatesJson({}).dump(), "[]");
}

ImportAlembicResult SampleImport() {
  ImportAlembicResult r;
  r.alembic_dir = "alembic";
  r.versions_dir = "migrations/versions";
  r.dialect = "postgresql";
  auto rev = [](std::string id, ImportAction a, bool todo) {
    ImportedRevision x;
    x.id = id;
    x.source = "alembic/versions/" + id + ".py";
    x.path = "migrations/versions/" + id + "_x.sql";
    x.action = a;
    x.todo = todo;
    return x;
  };
  r.revisions = {rev("aaaa", ImportAction::kUnchanged, false),
                 rev("bbbb", ImportAction::kCreate, true),
                 rev("cccc", ImportAction::kKeep, false)};
  r.todos.push_back({"bbbb", "upgrade", "alembic/versions/bbbb.py:12",
                     "reads rows", "migrations/versions/bbbb_x.sql"});
  return r;
}

TEST(CliOutput, ImportText) {
  ImportAlembicResult r = SampleImport();
  EXPECT_EQ(ImportText(r, false),
            "Importing alembic (3 revisions, postgresql) into "
            "migrations/versions:\n"
            "  create  migrations/versions/bbbb_x.sql\n"
            "  keep    migrations/versions/cccc_x.sql  (edited since the last "
            "import; --force overwrites it)\n"
            "3 revisions: 1 created, 1 unchanged, 1 kept (edited by hand)\n"
            "\n"
            "1 section to convert by hand (-- retort: TODO; retort upgrade "
            "refuses to run them):\n"
            "  alembic/versions/bbbb.py:12: upgrade of bbbb: reads rows\n"
            "    -> migrations/versions/bbbb_x.sql\n");
  // -q: the TODO list alone.
  EXPECT_EQ(ImportTodoText(r),
            "1 section to convert by hand (-- retort: TODO; retort upgrade "
            "refuses to run them):\n"
            "  alembic/versions/bbbb.py:12: upgrade of bbbb: reads rows\n"
            "    -> migrations/versions/bbbb_x.sql\n");
  std::string verbose = ImportText(r, true);
  EXPECT_NE(verbose.find("  unchanged  migrations/versions/aaaa_x.sql\n"),
            std::string::npos)
      << verbose;
  r.dry_run = true;
  r.todos.clear();
  r.orphans = {"migrations/versions/dddd_x.sql"};
  r.schema_mapping_source = "alembic/env.py:3 (TABLES)";
  r.schemas_config = "[schemas.auth]\nversion_table = \"v\"\n";
  r.notes = {"something to know"};
  EXPECT_EQ(ImportTodoText(r), "");
  EXPECT_EQ(ImportText(r, false),
            "Would import alembic (3 revisions, postgresql) into "
            "migrations/versions:\n"
            "  would create  migrations/versions/bbbb_x.sql\n"
            "  keep          migrations/versions/cccc_x.sql  (edited since "
            "the last import; --force overwrites it)\n"
            "3 revisions: 1 to create, 1 unchanged, 1 kept (edited by hand)\n"
            "\n"
            "No longer in the Alembic project (left in place):\n"
            "  migrations/versions/dddd_x.sql\n"
            "\n"
            "alembic/env.py:3 (TABLES) maps schemas to version tables; the "
            "matching sections of retort.toml:\n"
            "\n"
            "[schemas.auth]\n"
            "version_table = \"v\"\n"
            "\n"
            "note: something to know\n");
}

TEST(CliOutput, ImportJson) {
  auto j = ImportJson(SampleImport());
  EXPECT_EQ(j["revisions"].size(), 3u);
  EXPECT_EQ(j["revisions"][1].dump(),
            R"({"id":"bbbb","source":"alembic/versions/bbbb.py",)"
            R"("path":"migrations/versions/bbbb_x.sql","action":"create",)"
            R"("todo":true,"uses_schema":false})");
  EXPECT_EQ(j["revisions"][2]["action"], "keep");
  EXPECT_EQ(j["todos"][0]["source"], "alembic/versions/bbbb.py:12");
  EXPECT_EQ(j["dry_run"], false);
}

}  // namespace
}  // namespace retort
