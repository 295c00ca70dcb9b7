// End-to-end tests of the retort binary for the file-only commands: init,
// list-templates, revision, merge, heads, branches, history, show, edit, and
// the command line's errors and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace retort::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CliResult r = p_.Run({"init", "migrations"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempProject p_;
};

TEST_F(CliTest, InitWritesProject) {
  EXPECT_EQ(p_.List("migrations"),
            (std::vector<std::string>{"README.md", "script.sql.tmpl", "versions"}));
  std::string config = p_.ReadFile("retort.toml");
  EXPECT_NE(config.find("script_location = \"migrations\""), std::string::npos);
  // Every key of the configuration is documented in the generated file.
  for (const char* key :
       {"url", "script_location", "version_locations",
        "recursive_version_locations", "file_template", "truncate_slug_length",
        "timezone", "version_table", "version_table_schema",
        "transaction_per_migration", "models", "lock_timeout",
        "statement_timeout", "[placeholders]", "[env.", "history_table",
        "python", "python_path", "[naming]"}) {
    EXPECT_NE(config.find(key), std::string::npos) << key;
  }
}

TEST_F(CliTest, InitRefusesNonEmptyDirectory) {
  CliResult r = p_.Run({"init", "migrations"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: directory 'migrations' already exists and is not empty; "
            "choose another directory or empty it\n");
}

TEST_F(CliTest, InitRefusesExistingConfig) {
  CliResult r = p_.Run({"init", "other"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: 'retort.toml' already exists; remove it, or pass -c FILE "
            "to write another one\n");
}

TEST_F(CliTest, InitUnknownTemplate) {
  CliResult r = p_.Run({"-c", "x.toml", "init", "-t", "multischem", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: no template named 'multischem'; did you mean "
            "'multischema'? (available: generic, multischema, tenants; see "
            "'retort list-templates')\n");
}

TEST_F(CliTest, InitMultischema) {
  TempProject q;
  CliResult r = q.Run({"init", "-t", "multischema", "db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string config = q.ReadFile("retort.toml");
  EXPECT_NE(config.find("[schemas.auth]"), std::string::npos);
  EXPECT_NE(config.find("script_location = \"db\""), std::string::npos);
}

TEST_F(CliTest, ListTemplates) {
  CliResult r = p_.Run({"list-templates"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("generic - Generic single-database configuration."),
            std::string::npos);
  EXPECT_NE(r.out.find("multischema - "), std::string::npos);
}

TEST_F(CliTest, RevisionChainAndHistory) {
  ASSERT_EQ(p_.Run({"revision", "-m", "create users", "--rev-id", "aaaa00000001"})
                .exit_code,
            0);
  CliResult r = p_.Run({"revision", "-m", "add email", "--rev-id", "bbbb00000002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Generating "), std::string::npos);
  EXPECT_NE(r.out.find("/migrations/versions/bbbb00000002_add_email.sql ...  done"),
            std::string::npos)
      << r.out;
  std::string file = p_.ReadFile("migrations/versions/bbbb00000002_add_email.sql");
  EXPECT_NE(file.find("-- Revision ID: bbbb00000002\n-- Revises: aaaa00000001\n"),
            std::string::npos)
      << file;

  r = p_.Run({"history"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "aaaa00000001 -> bbbb00000002 (head), add email\n"
            "<base> -> aaaa00000001, create users\n");
  r = p_.Run({"heads"});
  EXPECT_EQ(r.out, "bbbb00000002 (head)\n");
  r = p_.Run({"history", "-r", "bbbb:"});
  EXPECT_EQ(r.out, "aaaa00000001 -> bbbb00000002 (head), add email\n");
}

TEST_F(CliTest, NotAHeadNeedsSplice) {
  WriteRevision(p_, "aaaa00000001", "");
  WriteRevision(p_, "bbbb00000002", "aaaa00000001");
  CliResult r = p_.Run({"revision", "-m", "x", "--head", "aaaa00000001"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: Revision aaaa00000001 is not a head revision; please "
            "specify --splice to create a new branch from this revision\n");
  r = p_.Run({"revision", "-m", "x", "--head", "aaaa00000001", "--splice",
              "--rev-id", "cccc00000003"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = p_.Run({"heads"});
  EXPECT_EQ(r.out, "bbbb00000002 (head)\ncccc00000003 (head)\n");
  r = p_.Run({"branches"});
  EXPECT_EQ(r.out,
            "aaaa00000001 (branchpoint)\n"
            "             -> bbbb00000002 (head)\n"
            "             -> cccc00000003 (head)\n\n");
  // Two heads: "head" is ambiguous, as in Alembic.
  r = p_.Run({"revision", "-m", "y"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: Multiple heads are present; please specify the head "
            "revision on which the new revision should be based, or perform a "
            "merge.\n");
  r = p_.Run({"show", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: Multiple head revisions are present for given argument "
            "'head'; please specify a specific target revision, "
            "'<branchname>@head' to narrow to a specific head, or 'heads' for "
            "all heads\n");
  // Merging them gives one head again.
  r = p_.Run({"merge", "heads", "-m", "merge", "--rev-id", "dddd00000004"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p_.Run({"heads"});
  EXPECT_EQ(r.out, "dddd00000004 (head)\n");
  r = p_.Run({"history", "-r", "cccc:"});
  EXPECT_EQ(r.out,
            "bbbb00000002, cccc00000003 -> dddd00000004 (head) (mergepoint), "
            "merge\n"
            "aaaa00000001 -> cccc00000003, x\n");
}

TEST_F(CliTest, BranchLabelsAndDependencies) {
  ASSERT_EQ(p_.Run({"revision", "-m", "init auth schema", "--head", "base",
                    "--branch-label", "auth", "--rev-id", "a0a0a0a0a0a0"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"revision", "-m", "init inventory schema", "--head", "base",
                    "--branch-label", "inventory", "--rev-id", "b0b0b0b0b0b0"})
                .exit_code,
            0);
  CliResult r = p_.Run({"revision", "-m", "items", "--head", "inventory@head",
                        "--depends-on", "auth", "--rev-id", "b1b1b1b1b1b1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p_.Run({"heads"});
  EXPECT_EQ(r.out,
            "a0a0a0a0a0a0 (auth) (effective head)\n"
            "b1b1b1b1b1b1 (inventory) (head)\n");
  r = p_.Run({"heads", "--resolve-dependencies"});
  EXPECT_EQ(r.out, "b1b1b1b1b1b1 (inventory) (head)\n");
  r = p_.Run({"show", "inventory@head"});
  EXPECT_NE(r.out.find("Also depends on: auth\n"), std::string::npos) << r.out;
  r = p_.Run({"--format", "json", "show", "auth@head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "a0a0a0a0a0a0");
  EXPECT_EQ(j[0]["branch_labels"], nlohmann::json::array({"auth"}));
  EXPECT_EQ(j[0]["is_effective_head"], true);
  // A label used twice is refused.
  r = p_.Run({"revision", "-m", "dup", "--head", "base", "--branch-label", "auth"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("auth"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnknownRevision) {
  WriteRevision(p_, "aaaa00000001", "");
  CliResult r = p_.Run({"show", "zzzz"});
  EXPECT_EQ(r.exit_code, 1);
  // Alembic's wording for `show` (checked in tests/conformance).
  EXPECT_EQ(r.err, "error: Can't locate revision identified by 'zzzz'\n");
}

TEST_F(CliTest, MalformedFileNamesFileAndLine) {
  p_.WriteFile("migrations/versions/bad.sql",
               "-- bad\n--\n-- Revision ID: ab@cd\n-- Revises:\n");
  CliResult r = p_.Run({"heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.sql:3: "), std::string::npos) << r.err;
}

TEST_F(CliTest, UnknownParentIsAnError) {
  WriteRevision(p_, "aaaa00000001", "ffff00000000");
  CliResult r = p_.Run({"heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("aaaa00000001.sql:4: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ffff00000000"), std::string::npos) << r.err;
}

TEST_F(CliTest, EditRunsEditorOnFile) {
  WriteRevision(p_, "aaaa00000001", "");
  CliResult r = p_.Run({"edit", "aaaa"}, {{"EDITOR", "touch edited;echo"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("aaaa00000001.sql"), std::string::npos);
  r = p_.Run({"edit", "aaaa"}, {{"EDITOR", ""}, {"VISUAL", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: no editor: set $EDITOR (or $VISUAL), e.g. EDITOR=vi\n");
}

TEST_F(CliTest, UnknownCommandSuggests) {
  CliResult r = p_.Run({"histroy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown command 'histroy'; did you mean 'history'? (see "
            "'retort --help')\n");
}

TEST_F(CliTest, BadXArgument) {
  CliResult r = p_.Run({"-x", "schema", "heads"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: -x 'schema': expected KEY=VALUE, e.g. -x schema=auth (see "
            "'retort --help')\n");
}

TEST_F(CliTest, GlobalFlagsAfterCommand) {
  WriteRevision(p_, "aaaa00000001", "");
  CliResult r = p_.Run({"heads", "-x", "region=eu", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["id"], "aaaa00000001");

  // -x schema= after the command is read as before it: this project has no
  // branch auth, so heads refuses it instead of printing the whole graph.
  CliResult schema = p_.Run({"heads", "-x", "schema=auth"});
  EXPECT_EQ(schema.exit_code, 1);
  EXPECT_EQ(schema.err,
            "error: --schema auth: heads shows a schema's branch, and this "
            "project has no branch auth (no [schemas.auth] section, [tenants] "
            "schema or branch label of that name)\n");
}

TEST_F(CliTest, ConfigErrorsNameFileAndLine) {
  p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurll = \"x\"\n");
  CliResult r = p_.Run({"heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: retort.toml:2: unknown key 'urll'; did you mean 'url'?\n");
}

TEST_F(CliTest, MissingExplicitConfig) {
  CliResult r = p_.Run({"-c", "nope.toml", "heads"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: no configuration file 'nope.toml'; run 'retort init' to "
            "create a project, or pass -c FILE\n");
}

TEST_F(CliTest, HistoryRangeNeedsColon) {
  CliResult r = p_.Run({"history", "-r", "abc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: History range requires [start]:[end], [start]:, or :[end]\n");
}

TEST_F(CliTest, FileTemplateAndTimezone) {
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\n"
               "file_template = \"%(year)d_%(rev)s_%(slug)s\"\n"
               "timezone = \"UTC\"\n");
  CliResult r = p_.Run({"revision", "-m", "Add Users!", "--rev-id", "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto files = p_.List("migrations/versions");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].substr(4), "_aaaa00000001_add_users.sql");
  std::string text = p_.ReadFile("migrations/versions/" + files[0]);
  EXPECT_NE(text.find("+00:00\n"), std::string::npos) << text;
  p_.WriteFile("retort.toml", "timezone = \"Mars/Olympus\"\n");
  r = p_.Run({"revision", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Mars/Olympus"), std::string::npos) << r.err;
}

TEST_F(CliTest, VersionPath) {
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\n"
               "version_locations = [\"migrations/versions\", \"migrations/auth\"]\n");
  CliResult r = p_.Run({"revision", "-m", "a", "--head", "base",
                        "--version-path", "migrations/auth", "--rev-id",
                        "aaaa00000001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_.List("migrations/auth"),
            (std::vector<std::string>{"aaaa00000001_a.sql"}));
  r = p_.Run({"heads"});
  EXPECT_EQ(r.out, "aaaa00000001 (head)\n");
}

}  // namespace
}  // namespace retort::testing
