// The files import-alembic writes, byte for byte, and the schema sentinel's
// replacement token by token.
#include "importer/imported_file.h"

#include <gtest/gtest.h>

#include "runtime/placeholders.h"
#include "script/revision_file.h"

namespace retort {
namespace {

constexpr char kSentinel[] = "retort_import_schema";

ImportedFileSpec Spec() {
  ImportedFileSpec s;
  s.id = "ae1027a6acf";
  s.down_revisions = {"1975ea83b712"};
  s.message = "add users";
  s.create_date = "2023-10-27 10:00:00.000000";
  s.source = "alembic/versions/ae1027a6acf_add_users.py";
  s.schema_sentinel = kSentinel;
  s.upgrade.function_line = 20;
  s.upgrade.statements = {
      "CREATE TABLE users (\n    id SERIAL NOT NULL,\n    PRIMARY KEY (id)\n)",
      "CREATE INDEX ix_users_id ON users (id)"};
  s.downgrade.function_line = 27;
  s.downgrade.statements = {"DROP INDEX ix_users_id", "DROP TABLE users"};
  return s;
}

// The file without its checksum line (which tests check on their own).
std::string WithoutChecksum(const std::string& text) {
  size_t at = text.find("-- Import Checksum: sha256:");
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return text;
  return text.substr(0, at) + text.substr(text.find('\n', at) + 1);
}

TEST(ImportedFile, PlainRevision) {
  auto f = ComposeImportedFile(Spec(), Dialect::kPostgres);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->transactional);
  EXPECT_FALSE(f->uses_schema);
  EXPECT_EQ(f->todos, 0);
  EXPECT_EQ(WithoutChecksum(f->text),
            "-- add users\n"
            "--\n"
            "-- Revision ID: ae1027a6acf\n"
            "-- Revises: 1975ea83b712\n"
            "-- Branch Labels:\n"
            "-- Depends On:\n"
            "-- Create Date: 2023-10-27 10:00:00.000000\n"
            "-- Imported From: alembic/versions/ae1027a6acf_add_users.py\n"
            "\n"
            "-- migrate:upgrade\n"
            "CREATE TABLE users (\n    id SERIAL NOT NULL,\n    PRIMARY KEY "
            "(id)\n);\n"
            "\n"
            "CREATE INDEX ix_users_id ON users (id);\n"
            "\n"
            "-- migrate:downgrade\n"
            "DROP INDEX ix_users_id;\n"
            "\n"
            "DROP TABLE users;\n");
  // The recorded checksum is the one the file has.
  auto header = ParseRevisionHeader(f->text, "x.sql");
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->import_checksum, ImportChecksum(f->text));
  EXPECT_EQ(header->imported_from, "alembic/versions/ae1027a6acf_add_users.py");
  std::string edited = f->text + "-- a note\n";
  EXPECT_NE(ImportChecksum(edited), header->import_checksum);
}

TEST(ImportedFile, TodoKeepsThePythonSource) {
  ImportedFileSpec s = Spec();
  s.upgrade.statements.clear();
  s.upgrade.todo = true;
  s.upgrade.todo_line = 23;
  s.upgrade.todo_reason =
      "reads rows: the result of conn.execute(...) is used\n(line 24)";
  s.upgrade.source =
      "def upgrade():\n    conn = op.get_bind()\n\n    for row in "
      "conn.execute(q):  \n        pass";
  s.downgrade.statements.clear();
  s.downgrade.empty = true;
  auto f = ComposeImportedFile(s, Dialect::kPostgres);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->todos, 1);
  std::string text = WithoutChecksum(f->text);
  EXPECT_EQ(text.substr(text.find("-- migrate:upgrade")),
            "-- migrate:upgrade\n"
            "-- retort: TODO reads rows: the result of conn.execute(...) is "
            "used (line 24) (alembic/versions/ae1027a6acf_add_users.py:23)\n"
            "-- Alembic's upgrade(), "
            "alembic/versions/ae1027a6acf_add_users.py:20, to convert by "
            "hand:\n"
            "--   def upgrade():\n"
            "--       conn = op.get_bind()\n"
            "--\n"
            "--       for row in conn.execute(q):\n"
            "--           pass\n"
            "\n"
            "-- migrate:downgrade\n"
            "-- retort: empty\n");
  auto sections = ParseRevisionSections(f->text, "x.sql");
  ASSERT_TRUE(sections.ok()) << sections.status().ToString();
  ASSERT_NE(sections->upgrade_directives.todo(), nullptr);
  EXPECT_NE(sections->downgrade_directives.empty_line(), 0);
}

TEST(ImportedFile, MissingFunctionsAndModuleErrors) {
  ImportedFileSpec s = Spec();
  s.upgrade = {};
  s.upgrade.todo = true;
  s.upgrade.todo_reason = "ImportError: No module named 'app' (x.py:3)";
  s.upgrade.todo_line = 3;
  s.downgrade = {};
  s.downgrade.empty = true;
  auto f = ComposeImportedFile(s, Dialect::kPostgres);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string text = f->text.substr(f->text.find("-- migrate:upgrade"));
  EXPECT_EQ(text,
            "-- migrate:upgrade\n"
            "-- retort: TODO ImportError: No module named 'app' (x.py:3) "
            "(alembic/versions/ae1027a6acf_add_users.py:3)\n"
            "-- alembic/versions/ae1027a6acf_add_users.py has no upgrade() "
            "to show here\n"
            "\n"
            "-- migrate:downgrade\n"
            "-- retort: empty\n"
            "-- alembic/versions/ae1027a6acf_add_users.py has no "
            "downgrade()\n");
}

TEST(ImportedFile, AutocommitBlockMakesItNonTransactional) {
  ImportedFileSpec s = Spec();
  s.upgrade.statements = {"CREATE TABLE t (id int)",
                          "COMMIT",
                          "CREATE INDEX CONCURRENTLY ix ON t (id)",
                          "BEGIN",
                          "SELECT 1 -- trailing comment",
                          "SELECT 2;"};
  auto f = ComposeImportedFile(s, Dialect::kPostgres);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->transactional);
  std::string text = WithoutChecksum(f->text);
  EXPECT_NE(text.find("-- Imported From: "
                      "alembic/versions/ae1027a6acf_add_users.py\n"
                      "-- Transactional: false\n\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.find("-- migrate:upgrade"),
                        text.find("-- migrate:downgrade") -
                            text.find("-- migrate:upgrade")),
            "-- migrate:upgrade\n"
            "CREATE TABLE t (id int);\n"
            "\n"
            "-- alembic/versions/ae1027a6acf_add_users.py uses "
            "autocommit_block(): the revision runs outside a transaction "
            "(Transactional: false)\n"
            "\n"
            "CREATE INDEX CONCURRENTLY ix ON t (id);\n"
            "\n"
            "SELECT 1 -- trailing comment\n;\n"
            "\n"
            "SELECT 2;\n"
            "\n");
  auto header = ParseRevisionHeader(f->text, "x.sql");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->transactional, std::optional<bool>(false));
}

TEST(ImportedFile, DocstringLinesThatLookLikeKeysAreQuoted) {
  ImportedFileSpec s = Spec();
  s.long_doc = "Moves users.\n\nDepends on: the billing release";
  auto f = ComposeImportedFile(s, Dialect::kPostgres);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->text.substr(0, f->text.find("-- Revision ID")),
            "-- add users\n--\n-- > Moves users.\n--\n-- > Depends on: the "
            "billing release\n--\n");
  auto header = ParseRevisionHeader(f->text, "x.sql");
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->revision.doc, "add users");
  ImportedFileSpec plain = Spec();
  plain.long_doc = "Moves users.";
  auto g = ComposeImportedFile(plain, Dialect::kPostgres);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->text.substr(0, g->text.find("-- Revision ID")),
            "-- add users\n--\n-- Moves users.\n--\n");
}

std::string Replaced(std::string_view sql, Dialect d = Dialect::kPostgres) {
  auto r = ReplaceSchemaSentinel(sql, kSentinel, d);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(ImportedFile, SchemaSentinelTokenByToken) {
  EXPECT_EQ(Replaced("CREATE TABLE retort_import_schema.users (id int)"),
            "CREATE TABLE ${schema}.users (id int)");
  EXPECT_EQ(Replaced("CREATE SCHEMA IF NOT EXISTS \"retort_import_schema\""),
            "CREATE SCHEMA IF NOT EXISTS ${schema}");
  EXPECT_EQ(Replaced("SELECT set_config('search_path', "
                     "'retort_import_schema', false)"),
            "SELECT set_config('search_path', ${schema:literal}, false)");
  EXPECT_EQ(Replaced("CREATE TABLE retort_import_schema_users (x int)"),
            "CREATE TABLE ${schema:raw}_users (x int)");
  EXPECT_EQ(Replaced("COMMENT ON TABLE t IS 'in retort_import_schema.t'"),
            "COMMENT ON TABLE t IS 'in ${schema:raw}.t'");
  EXPECT_EQ(Replaced("CREATE FUNCTION f() RETURNS int AS $$ SELECT count(*) "
                     "FROM retort_import_schema.t $$ LANGUAGE sql"),
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT count(*) FROM "
            "${schema:raw}.t $$ LANGUAGE sql");
  // "${" already in the text is escaped so substitution gives it back.
  EXPECT_EQ(Replaced("SELECT '${not_a_placeholder}', $${x}"),
            "SELECT '$${not_a_placeholder}', $$${x}");
  EXPECT_EQ(Replaced("SELECT 1"), "SELECT 1");
  EXPECT_EQ(Replaced("ALTER TABLE \"retort_import_schema\".\"T\" ADD c int",
                     Dialect::kSqlite),
            "ALTER TABLE ${schema}.\"T\" ADD c int");
  EXPECT_FALSE(ReplaceSchemaSentinel("SELECT 'retort_import_schema", kSentinel,
                                     Dialect::kPostgres)
                   .ok());
}

TEST(ImportedFile, SubstitutionGivesTheRenderedStatementBack) {
  const std::string rendered =
      "CREATE TABLE auth.users_auth (c text DEFAULT '${x}' CHECK (c <> "
      "'auth'))";
  const std::string with_sentinel =
      "CREATE TABLE retort_import_schema.users_retort_import_schema (c text "
      "DEFAULT '${x}' CHECK (c <> 'retort_import_schema'))";
  std::string written = Replaced(with_sentinel);
  auto back = SubstitutePlaceholders(written, {{"schema", "auth"}},
                                     Dialect::kPostgres, "x.sql", 1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->text,
            "CREATE TABLE \"auth\".users_auth (c text DEFAULT '${x}' CHECK (c "
            "<> 'auth'))");
  (void)rendered;
}

}  // namespace
}  // namespace retort
