// Tests for new revision files: template rendering (and its round trip
// through the parser), file_template tokens, slugs, create dates and the
// atomic write.
#include "script/template.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "script/revision_file.h"
#include "script/script_directory.h"

namespace retort {
namespace {

namespace fs = std::filesystem;

// 2026-11-21 07:00:00.123456 UTC.
std::chrono::system_clock::time_point FixedTime() {
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(1795244400) + std::chrono::microseconds(123456));
}

CreateDate FixedDate() {
  CreateDate d;
  d.year = 2026;
  d.month = 11;
  d.day = 1;
  d.hour = 7;
  d.minute = 5;
  d.second = 9;
  d.microsecond = 42;
  d.epoch = 1795244400;
  return d;
}

TemplateValues ExampleValues() {
  TemplateValues v;
  v.message = "Add full_name to User model";
  v.up_revision = "1a2b3c4d5e6f";
  v.down_revisions = {"0f1e2d3c4b5a"};
  v.branch_labels = {"auth"};
  v.create_date = "2026-11-21 10:00:00.000000";
  v.upgrades = "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);\n";
  v.downgrades = "ALTER TABLE auth.users DROP COLUMN full_name;";
  return v;
}

TEST(ScriptTemplateTest, DefaultTemplateRendersTheDocumentedFormat) {
  Result<std::string> text = RenderScriptTemplate(
      kDefaultScriptTemplate, "script.sql.tmpl", ExampleValues());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            "-- Add full_name to User model\n"
            "--\n"
            "-- Revision ID: 1a2b3c4d5e6f\n"
            "-- Revises: 0f1e2d3c4b5a\n"
            "-- Branch Labels: auth\n"
            "-- Depends On:\n"
            "-- Create Date: 2026-11-21 10:00:00.000000\n"
            "\n"
            "-- migrate:upgrade\n"
            "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);\n"
            "\n"
            "-- migrate:downgrade\n"
            "ALTER TABLE auth.users DROP COLUMN full_name;\n");
}

TEST(ScriptTemplateTest, RoundTripThroughTheParser) {
  TemplateValues v = ExampleValues();
  v.message = "Merge heads\n\nJoins the auth and inventory branches.";
  v.down_revisions = {"aaa111", "bbb222"};
  v.branch_labels = {};
  v.depends_on = {"ccc333", "inventory"};
  v.transactional = false;
  Result<std::string> text =
      RenderScriptTemplate(kDefaultScriptTemplate, "script.sql.tmpl", v);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("-- Merge heads\n--\n-- Joins the auth and inventory "
                       "branches.\n--\n-- Revision ID"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("-- Create Date: 2026-11-21 10:00:00.000000\n"
                       "-- Transactional: false\n\n-- migrate:upgrade\n"),
            std::string::npos)
      << *text;
  Result<RevisionFile> header = ParseRevisionHeader(*text, "new.sql");
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->revision.id, "1a2b3c4d5e6f");
  EXPECT_EQ(header->revision.down_revisions, v.down_revisions);
  EXPECT_TRUE(header->revision.branch_labels.empty());
  EXPECT_EQ(header->revision.depends_on, v.depends_on);
  EXPECT_EQ(header->revision.doc, "Merge heads");
  EXPECT_EQ(header->long_doc, "Joins the auth and inventory branches.");
  EXPECT_EQ(header->create_date, "2026-11-21 10:00:00.000000");
  EXPECT_EQ(header->transactional, std::optional<bool>(false));
  Result<RevisionSections> sections = ParseRevisionSections(*text, "new.sql");
  ASSERT_TRUE(sections.ok()) << sections.status().ToString();
  EXPECT_EQ(sections->upgrade,
            "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);\n\n");
  EXPECT_EQ(sections->downgrade,
            "ALTER TABLE auth.users DROP COLUMN full_name;\n");
}

TEST(ScriptTemplateTest, EscapesAndPassthrough) {
  TemplateValues v = ExampleValues();
  Result<std::string> text = RenderScriptTemplate(
      "a $${schema} b ${schema} c $$ body $$ d $x ${up_revision}", "t.tmpl", v,
      {"schema"});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "a ${schema} b ${schema} c $$ body $$ d $x 1a2b3c4d5e6f");
}

TEST(ScriptTemplateTest, ErrorUnknownPlaceholder) {
  Result<std::string> r =
      RenderScriptTemplate("-- ${message}\n-- Revision ID: ${up_revison}\n",
                           "migrations/script.sql.tmpl", ExampleValues());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "migrations/script.sql.tmpl:2: unknown placeholder "
            "\"${up_revison}\"; did you mean \"${up_revision}\"?");
  r = RenderScriptTemplate("\n\n${author}\n", "migrations/script.sql.tmpl",
                           ExampleValues());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/script.sql.tmpl:3: unknown placeholder \"${author}\"; "
            "known placeholders are ${message}, ${up_revision}, "
            "${down_revision}, ${branch_labels}, ${depends_on}, "
            "${create_date}, ${upgrades}, ${downgrades}, "
            "${transactional_header} (write \"$${author}\" for a literal "
            "\"${author}\")");
}

TEST(ScriptTemplateTest, ErrorUnterminatedPlaceholder) {
  Result<std::string> r = RenderScriptTemplate(
      "-- ${message\n", "script.sql.tmpl", ExampleValues());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "script.sql.tmpl:1: unterminated placeholder \"${message\"; close "
            "it with \"}\"");
}

TEST(ScriptTemplateTest, SlugRules) {
  EXPECT_EQ(Slugify("Add full_name to User model", 40),
            "add_full_name_to_user_model");
  EXPECT_EQ(Slugify("  multiple   spaces--and-dashes!!", 40),
            "multiple_spaces_and_dashes");
  EXPECT_EQ(Slugify("", 40), "");
  EXPECT_EQ(Slugify("!!!", 40), "");
  // Longer than the limit: cut at the last '_' within it, then '_'.
  EXPECT_EQ(Slugify("one two three four five six seven eight nine ten", 40),
            "one_two_three_four_five_six_seven_eight_");
  EXPECT_EQ(Slugify(std::string(50, 'a'), 40), std::string(40, 'a') + "_");
  EXPECT_EQ(Slugify("abc def", 5), "abc_");
  EXPECT_EQ(Slugify("abcdef", 6), "abcdef");
  // Letters of other scripts are word characters, counted as characters.
  EXPECT_EQ(Slugify("Добавить колонку Имя", 40), "добавить_колонку_имя");
  EXPECT_EQ(Slugify("Ünïcödé — “quotes” ½ ²", 40), "ünïcödé_quotes_½_²");
  EXPECT_EQ(Slugify("Ελληνικά ΑΒΓ", 40), "ελληνικά_αβγ");
  EXPECT_EQ(Slugify("Ёлка Ђак", 40), "ёлка_ђак");
  EXPECT_EQ(Slugify("ДДДДД ДДДДД", 8), "ддддд_");
}

Result<std::string> Name(std::string_view tmpl) {
  return RenderFileName(tmpl, "1a2b3c4d5e6f", "Add users table", FixedDate(),
                        40);
}

TEST(ScriptTemplateTest, FileTemplateTokens) {
  EXPECT_EQ(*Name(kDefaultFileTemplate), "1a2b3c4d5e6f_add_users_table");
  EXPECT_EQ(*Name("%(rev)s"), "1a2b3c4d5e6f");
  EXPECT_EQ(*Name("%(slug)s"), "add_users_table");
  EXPECT_EQ(*Name("%(epoch)s"), "1795244400");
  EXPECT_EQ(*Name("%(year)d"), "2026");
  EXPECT_EQ(*Name("%(month).2d"), "11");
  EXPECT_EQ(*Name("%(day).2d"), "01");
  EXPECT_EQ(*Name("%(hour).2d"), "07");
  EXPECT_EQ(*Name("%(minute).2d"), "05");
  EXPECT_EQ(*Name("%(second).2d"), "09");
  EXPECT_EQ(*Name("%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-"
                  "%(rev)s_%(slug)s"),
            "2026_11_01_0705-1a2b3c4d5e6f_add_users_table");
  EXPECT_EQ(*Name("%(year)d/%(month).2d/%(rev)s"), "2026/11/1a2b3c4d5e6f");
  EXPECT_EQ(*Name("100%%_%(rev).4s"), "100%_1a2b");
}

TEST(ScriptTemplateTest, FileTemplateFormatsLikePython) {
  // Expected values are Python's own: '%(a)05.2d' % {'a': 3} == '00003' ...
  EXPECT_EQ(*Name("%(day)05.2d|%(day)-5d|%(day)+d|%(day) d|%(day)5.3d"),
            "00001|1    |+1| 1|  001");
  EXPECT_EQ(*Name("%(day)03d|%(day)-05d|%(rev)14s|%(rev)-14s|"),
            "001|1    |  1a2b3c4d5e6f|1a2b3c4d5e6f  |");
  EXPECT_EQ(*Name("%(month)s"), "11");
  EXPECT_EQ(*Name("%(day)s"), "1");
  EXPECT_EQ(*RenderFileName("%(rev)s_%(slug)s", "abc", "", FixedDate(), 40),
            "abc_");
}

TEST(ScriptTemplateTest, FileTemplateErrors) {
  EXPECT_EQ(Name("%(rev)s_%(author)s").status().message(),
            "file_template \"%(rev)s_%(author)s\": unknown token "
            "\"%(author)s\"; known tokens are %(rev)s, %(slug)s, %(epoch)s, "
            "%(year)d, %(month).2d, %(day).2d, %(hour).2d, %(minute).2d, "
            "%(second).2d");
  EXPECT_EQ(Name("%(rev)d").status().message(),
            "file_template \"%(rev)d\": token \"%(rev)d\" needs a number, but "
            "rev is text; use %(rev)s");
  EXPECT_EQ(Name("%(rev)x").status().message(),
            "file_template \"%(rev)x\": unsupported conversion \"%(rev)x\"; "
            "use s or d");
  EXPECT_EQ(Name("%(rev)").status().message(),
            "file_template \"%(rev)\": token \"%(rev)\" has no conversion; end "
            "it with s or d");
  EXPECT_EQ(Name("%(rev").status().message(),
            "file_template \"%(rev\": unterminated token \"%(rev\"; close it "
            "with \")\"");
  EXPECT_EQ(Name("50%_%(rev)s").status().message(),
            "file_template \"50%_%(rev)s\": \"%\" must start a token such as "
            "%(rev)s, or be doubled (\"%%\") for a literal \"%\"");
  EXPECT_EQ(Name("../%(rev)s").status().message(),
            "file_template \"../%(rev)s\": gives the file name "
            "\"../1a2b3c4d5e6f\"; a file name must be relative and stay inside "
            "the version folder");
  EXPECT_FALSE(Name("/abs/%(rev)s").ok());
  EXPECT_FALSE(Name("a//%(rev)s").ok());
  EXPECT_FALSE(Name("%(rev)s/").ok());
  EXPECT_FALSE(Name("").ok());
}

TEST(ScriptTemplateTest, CreateDateFormat) {
  CreateDate d = FixedDate();
  EXPECT_EQ(FormatCreateDate(d), "2026-11-01 07:05:09.000042");
  d.utc_offset = 3 * 3600;
  EXPECT_EQ(FormatCreateDate(d), "2026-11-01 07:05:09.000042+03:00");
  d.utc_offset = -(5 * 3600 + 30 * 60);
  EXPECT_EQ(FormatCreateDate(d), "2026-11-01 07:05:09.000042-05:30");
}

TEST(ScriptTemplateTest, CreateDateInNamedTimezones) {
  Result<CreateDate> utc = MakeCreateDate(FixedTime(), "UTC");
  ASSERT_TRUE(utc.ok()) << utc.status().ToString();
  EXPECT_EQ(FormatCreateDate(*utc), "2026-11-21 07:00:00.123456+00:00");
  EXPECT_EQ(utc->epoch, 1795244400);
  Result<CreateDate> kolkata = MakeCreateDate(FixedTime(), "Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok());
  EXPECT_EQ(FormatCreateDate(*kolkata), "2026-11-21 12:30:00.123456+05:30");
  Result<CreateDate> ny = MakeCreateDate(FixedTime(), "America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(FormatCreateDate(*ny), "2026-11-21 02:00:00.123456-05:00");
  // Alembic retries in upper case.
  Result<CreateDate> lower = MakeCreateDate(FixedTime(), "utc");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->utc_offset, std::optional<int>(0));
}

TEST(ScriptTemplateTest, CreateDateInLocalTimeLeavesTzAlone) {
  const char* before = getenv("TZ");
  std::string saved = before ? before : "";
  setenv("TZ", "Asia/Kolkata", 1);
  tzset();
  Result<CreateDate> local = MakeCreateDate(FixedTime(), std::nullopt);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(FormatCreateDate(*local), "2026-11-21 12:30:00.123456");
  ASSERT_TRUE(MakeCreateDate(FixedTime(), "UTC").ok());
  EXPECT_STREQ(getenv("TZ"), "Asia/Kolkata");
  if (before)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

TEST(ScriptTemplateTest, ErrorUnknownTimezone) {
  for (const char* name :
       {"Mars/Olympus_Mons", "Europe", "../etc/passwd", ""}) {
    Result<CreateDate> r = MakeCreateDate(FixedTime(), std::string(name));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "unknown timezone \"" + std::string(name) +
                  "\"; use an IANA name such as \"Europe/Moscow\" or \"UTC\"");
  }
}

TEST(ScriptTemplateTest, NewRevisionIdIsTwelveRandomHexChars) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRevisionId();
    ASSERT_EQ(id.size(), 12u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_TRUE(ValidateRevisionId(id).ok());
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

class ScriptWriteRevisionFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/retort_script_write_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  NewRevisionFile Example() {
    NewRevisionFile f;
    f.directory = root_ + "/migrations/versions";
    f.rev_id = "1a2b3c4d5e6f";
    f.message = "Add full_name to User model";
    f.down_revisions = {"0f1e2d3c4b5a"};
    f.branch_labels = {"auth"};
    f.create_date = FixedDate();
    f.upgrades = "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);";
    f.downgrades = "ALTER TABLE auth.users DROP COLUMN full_name;";
    return f;
  }

  std::string root_;
};

TEST_F(ScriptWriteRevisionFileTest, WritesCreatesFoldersAndParsesBack) {
  Result<std::string> path = WriteRevisionFile(Example());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, root_ +
                       "/migrations/versions/"
                       "1a2b3c4d5e6f_add_full_name_to_user_model.sql");
  Result<std::string> text = ReadFile(*path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "-- Add full_name to User model\n"
            "--\n"
            "-- Revision ID: 1a2b3c4d5e6f\n"
            "-- Revises: 0f1e2d3c4b5a\n"
            "-- Branch Labels: auth\n"
            "-- Depends On:\n"
            "-- Create Date: 2026-11-01 07:05:09.000042\n"
            "\n"
            "-- migrate:upgrade\n"
            "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);\n"
            "\n"
            "-- migrate:downgrade\n"
            "ALTER TABLE auth.users DROP COLUMN full_name;\n");
  // No temporary file is left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(root_ + "/migrations/versions")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  ScriptDirectoryOptions options;
  options.script_location = root_ + "/migrations";
  Result<ScriptDirectory> dir = ScriptDirectory::Open(options);
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Load().ok());
  ASSERT_EQ(dir->files().size(), 1u);
  EXPECT_EQ(dir->files()[0].revision.id, "1a2b3c4d5e6f");
}

TEST_F(ScriptWriteRevisionFileTest, RefusesToOverwrite) {
  ASSERT_TRUE(WriteRevisionFile(Example()).ok());
  Result<std::string> again = WriteRevisionFile(Example());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            root_ +
                "/migrations/versions/"
                "1a2b3c4d5e6f_add_full_name_to_user_model.sql: already "
                "exists; not overwriting it (use another --rev-id or "
                "message)");
}

TEST_F(ScriptWriteRevisionFileTest, SubfolderFileTemplateAndNoMessage) {
  NewRevisionFile f = Example();
  f.message.reset();
  f.file_template = "%(year)d/%(month).2d/%(rev)s_%(slug)s";
  f.transactional = false;
  Result<std::string> path = WriteRevisionFile(f);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, root_ + "/migrations/versions/2026/11/1a2b3c4d5e6f_.sql");
  Result<RevisionFile> header = ParseRevisionHeader(*ReadFile(*path), *path);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->revision.doc, "empty message");
  EXPECT_EQ(header->transactional, std::optional<bool>(false));
}

TEST_F(ScriptWriteRevisionFileTest, ErrorBadRevisionId) {
  NewRevisionFile f = Example();
  f.rev_id = "my-rev";
  Result<std::string> path = WriteRevisionFile(f);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(),
            "new revision id: character(s) '-' not allowed in revision "
            "identifier \"my-rev\"; use letters, digits and '_'");
}

TEST_F(ScriptWriteRevisionFileTest, ErrorTemplateThatDoesNotParseBack) {
  NewRevisionFile f = Example();
  f.script_template =
      "-- ${message}\n-- Revision ID: ${up_revision}\n\n"
      "-- migrate:upgrade\n${upgrades}\n-- migrate:downgrade\n";
  f.script_template_path = "migrations/script.sql.tmpl";
  Result<std::string> path = WriteRevisionFile(f);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(
      path.status().message(),
      "migrations/script.sql.tmpl: the rendered revision file is not "
      "valid: " +
          root_ +
          "/migrations/versions/1a2b3c4d5e6f_add_full_name_to_user_model.sql"
          ":2: missing \"Revises\" in the header; add a line \"-- Revises: "
          "<parent ids>\" (empty for a base revision) after \"Revision ID\"");
  EXPECT_FALSE(fs::exists(root_ + "/migrations/versions"));

  f.script_template =
      "-- ${message}\n-- Revision ID: ${up_revision}\n"
      "-- Revises:\n\n-- migrate:upgrade\n-- migrate:downgrade\n";
  path = WriteRevisionFile(f);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(),
            "migrations/script.sql.tmpl: the rendered revision file is not "
            "valid: its header does not declare the new revision (Revision "
            "ID, Revises, Branch Labels, Depends On, Transactional, Lock "
            "Timeout, Phase, Squashes); check "
            "the template's header lines");
}

TEST_F(ScriptWriteRevisionFileTest, LoadScriptTemplate) {
  Result<std::string> missing = LoadScriptTemplate(root_ + "/script.sql.tmpl");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            root_ +
                "/script.sql.tmpl: no such file; restore the template "
                "(\"retort init\" writes the default one into a new "
                "folder)");
  std::ofstream(root_ + "/script.sql.tmpl") << kDefaultScriptTemplate;
  EXPECT_EQ(*LoadScriptTemplate(root_ + "/script.sql.tmpl"),
            kDefaultScriptTemplate);
}

}  // namespace
}  // namespace retort
