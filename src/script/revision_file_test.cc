// Tests for the revision file parser: the header fields, the sections, and
// every error text (tests assert the exact message a user will read).
#include "script/revision_file.h"

#include <gtest/gtest.h>

#include <string>

namespace retort {
namespace {

constexpr char kPath[] = "versions/1a2b3c4d5e6f_add_full_name.sql";

constexpr char kGoodFile[] =
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
    "ALTER TABLE auth.users DROP COLUMN full_name;\n";

// Parses a header expected to be bad and returns its error message.
std::string HeaderError(const std::string& text) {
  Result<RevisionFile> r = ParseRevisionHeader(text, kPath);
  EXPECT_FALSE(r.ok()) << "parsed without error:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  return r.status().message();
}

std::string SectionsError(const std::string& text) {
  Result<RevisionSections> r = ParseRevisionSections(text, kPath);
  EXPECT_FALSE(r.ok()) << "parsed without error:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  return r.status().message();
}

// A header with the given lines in place of the key block.
std::string WithKeys(const std::string& keys) {
  return "-- Message\n--\n" + keys +
         "\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n";
}

TEST(ScriptRevisionFileTest, ParsesTheDocumentedExample) {
  Result<RevisionFile> r = ParseRevisionHeader(kGoodFile, kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Revision& rev = r->revision;
  EXPECT_EQ(rev.id, "1a2b3c4d5e6f");
  EXPECT_EQ(rev.down_revisions, std::vector<std::string>{"0f1e2d3c4b5a"});
  EXPECT_EQ(rev.branch_labels, std::vector<std::string>{"auth"});
  EXPECT_TRUE(rev.depends_on.empty());
  EXPECT_EQ(rev.doc, "Add full_name to User model");
  EXPECT_EQ(rev.path, kPath);
  EXPECT_EQ(rev.id_line, 3);
  EXPECT_EQ(rev.revises_line, 4);
  EXPECT_EQ(rev.depends_on_line, 6);
  EXPECT_EQ(r->create_date, "2026-11-21 10:00:00.000000");
  EXPECT_FALSE(r->transactional.has_value());
  EXPECT_EQ(r->long_doc, "");
  EXPECT_EQ(r->header_lines, 7);
}

TEST(ScriptRevisionFileTest, ListsAreCommaSeparatedWithSpacesIgnored) {
  Result<RevisionFile> r = ParseRevisionHeader(
      WithKeys("-- Revision ID: m1\n-- Revises: a1 ,b2,  c3\n"
               "-- Branch Labels: auth,inventory\n-- Depends On: x9 , auth"),
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.down_revisions,
            (std::vector<std::string>{"a1", "b2", "c3"}));
  EXPECT_EQ(r->revision.branch_labels,
            (std::vector<std::string>{"auth", "inventory"}));
  EXPECT_EQ(r->revision.depends_on, (std::vector<std::string>{"x9", "auth"}));
}

TEST(ScriptRevisionFileTest, EmptyRevisesIsABase) {
  Result<RevisionFile> r =
      ParseRevisionHeader(WithKeys("-- Revision ID: b1\n-- Revises:"), kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->revision.down_revisions.empty());
  EXPECT_EQ(r->revision.revises_line, 4);
  EXPECT_EQ(r->revision.depends_on_line, 0);
}

TEST(ScriptRevisionFileTest, Transactional) {
  Result<RevisionFile> off = ParseRevisionHeader(
      WithKeys("-- Revision ID: b1\n-- Revises:\n-- Transactional: false"),
      kPath);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->transactional, std::optional<bool>(false));
  Result<RevisionFile> on = ParseRevisionHeader(
      WithKeys("-- Revision ID: b1\n-- Revises:\n-- Transactional: true"),
      kPath);
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->transactional, std::optional<bool>(true));
}

TEST(ScriptRevisionFileTest, MultiLineMessageKeepsFirstLineAsDoc) {
  Result<RevisionFile> r = ParseRevisionHeader(
      "-- Split users\n"
      "--\n"
      "-- Moves the profile columns out of users.\n"
      "--   Indented detail stays indented.\n"
      "--\n"
      "-- Revision ID: s1\n"
      "-- Revises: a1\n",
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.doc, "Split users");
  EXPECT_EQ(r->long_doc,
            "Moves the profile columns out of users.\n"
            "  Indented detail stays indented.");
}

TEST(ScriptRevisionFileTest, MessageMayContainColons) {
  Result<RevisionFile> r = ParseRevisionHeader(
      "-- Fix: rename users.name (see ticket GAME-12: urgent)\n"
      "-- Revision ID: f1\n-- Revises: a1\n",
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.doc,
            "Fix: rename users.name (see ticket GAME-12: urgent)");
}

TEST(ScriptRevisionFileTest, NoMessageGivesEmptyDoc) {
  Result<RevisionFile> r =
      ParseRevisionHeader("-- Revision ID: f1\n-- Revises:\n", kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.doc, "");
  EXPECT_EQ(r->revision.id_line, 1);
}

TEST(ScriptRevisionFileTest, ToleratesCrlfBomAndTrailingSpaces) {
  std::string text = kGoodFile;
  std::string crlf = "\xEF\xBB\xBF";
  for (char c : text) {
    if (c == '\n')
      crlf += "  \t\r\n";
    else
      crlf += c;
  }
  Result<RevisionFile> r = ParseRevisionHeader(crlf, kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.id, "1a2b3c4d5e6f");
  EXPECT_EQ(r->revision.down_revisions,
            std::vector<std::string>{"0f1e2d3c4b5a"});
  EXPECT_EQ(r->revision.doc, "Add full_name to User model");
  EXPECT_EQ(r->create_date, "2026-11-21 10:00:00.000000");
  EXPECT_EQ(r->revision.id_line, 3);

  Result<RevisionSections> s = ParseRevisionSections(crlf, kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade_line, 10);
  EXPECT_EQ(s->downgrade_line, 13);
}

TEST(ScriptRevisionFileTest, HeaderEndsAtMarkerWithoutBlankLine) {
  Result<RevisionFile> r = ParseRevisionHeader(
      "-- Revision ID: f1\n-- Revises:\n-- migrate:upgrade\n-- Author: x\n",
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->header_lines, 2);
}

TEST(ScriptRevisionFileTest, LeadingBlankLinesAreSkipped) {
  Result<RevisionFile> r = ParseRevisionHeader(
      "\n\n-- Hello\n-- Revision ID: f1\n-- Revises:\n", kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision.doc, "Hello");
  EXPECT_EQ(r->revision.id_line, 4);
}

TEST(ScriptRevisionFileTest, CommentsAfterTheHeaderAreNotKeys) {
  Result<RevisionFile> r = ParseRevisionHeader(
      "-- Revision ID: f1\n-- Revises:\n\n-- Note: slow on big tables\n"
      "-- migrate:upgrade\n",
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST(ScriptRevisionFileTest, ErrorMissingRevisionId) {
  EXPECT_EQ(HeaderError("-- Just a message\n-- Revises: a1\n\nSELECT 1;\n"),
            std::string(kPath) +
                ":1: missing \"Revision ID\" in the header; add a line "
                "\"-- Revision ID: <id>\" to the leading comment block");
  EXPECT_EQ(HeaderError("SELECT 1;\n"),
            std::string(kPath) +
                ":1: missing \"Revision ID\" in the header; add a line "
                "\"-- Revision ID: <id>\" to the leading comment block");
}

TEST(ScriptRevisionFileTest, ErrorMissingRevises) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1")),
            std::string(kPath) +
                ":3: missing \"Revises\" in the header; add a line "
                "\"-- Revises: <parent ids>\" (empty for a base revision) "
                "after \"Revision ID\"");
}

TEST(ScriptRevisionFileTest, ErrorDuplicateKey) {
  EXPECT_EQ(
      HeaderError(
          WithKeys("-- Revision ID: a1\n-- Revises: b1\n-- Revises: c1")),
      std::string(kPath) +
          ":5: duplicate header key \"Revises\" (first on line 4); keep one "
          "\"Revises\" line");
}

TEST(ScriptRevisionFileTest, ErrorUnknownKeyWithSuggestion) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revise: b1")),
            std::string(kPath) +
                ":4: unknown header key \"Revise\"; did you mean \"Revises\"?");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Branch labels: auth")),
            std::string(kPath) +
                ":5: unknown header key \"Branch labels\"; did you mean "
                "\"Branch Labels\"? (keys are case-sensitive)");
}

TEST(ScriptRevisionFileTest, ErrorTypoInFirstKeyIsNotTakenAsMessage) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revison ID: a1\n-- Revises:")),
            std::string(kPath) +
                ":3: unknown header key \"Revison ID\"; did you mean "
                "\"Revision ID\"?");
}

TEST(ScriptRevisionFileTest, ErrorUnknownKeyWithoutSuggestion) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Author: me")),
            std::string(kPath) +
                ":5: unknown header key \"Author\"; known keys are Revision "
                "ID, Revises, Branch Labels, Depends On, Create Date, "
                "Transactional, Imported From, Import Checksum, Lock Timeout, "
                "Phase, Squashes, Squash Checksum");
}

TEST(ScriptRevisionFileTest, ErrorMalformedLine) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- this is not a key")),
            std::string(kPath) +
                ":5: malformed header line \"-- this is not a key\"; expected "
                "\"-- Key: value\", or end the header with a blank line");
}

TEST(ScriptRevisionFileTest, ErrorInvalidTransactional) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Transactional: no")),
            std::string(kPath) +
                ":5: invalid \"Transactional\" value \"no\"; use \"true\" or "
                "\"false\"");
}

TEST(ScriptRevisionFileTest, ErrorEmptyRevisionId) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID:\n-- Revises:")),
            std::string(kPath) +
                ":3: empty revision identifier in \"Revision ID\"; write the "
                "id after \"Revision ID:\"");
}

TEST(ScriptRevisionFileTest, ErrorIllegalCharactersInId) {
  const std::string at = std::string(kPath) + ":3: in \"Revision ID\": ";
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: ab@cd\n-- Revises:")),
            at + "character(s) '@' not allowed in revision identifier "
                 "\"ab@cd\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: ab-cd\n-- Revises:")),
            at + "character(s) '-' not allowed in revision identifier "
                 "\"ab-cd\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: ab+cd\n-- Revises:")),
            at + "character(s) '+' not allowed in revision identifier "
                 "\"ab+cd\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: ab:c-d\n-- Revises:")),
            at + "character(s) ':', '-' not allowed in revision identifier "
                 "\"ab:c-d\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: ab cd\n-- Revises:")),
            at + "character(s) ' ' not allowed in revision identifier "
                 "\"ab cd\"; use letters, digits and '_'");
}

TEST(ScriptRevisionFileTest, ErrorIllegalCharactersInLists) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises: b1, c-1")),
            std::string(kPath) +
                ":4: in \"Revises\": character(s) '-' not allowed in revision "
                "identifier \"c-1\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Branch Labels: auth@x")),
            std::string(kPath) +
                ":5: in \"Branch Labels\": character(s) '@' not allowed in "
                "branch label \"auth@x\"; use letters, digits and '_'");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Depends On: b 1")),
            std::string(kPath) +
                ":5: in \"Depends On\": character(s) ' ' not allowed in "
                "revision identifier \"b 1\"; use letters, digits and '_'");
}

TEST(ScriptRevisionFileTest, ErrorEmptyListEntry) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises: b1,,c1")),
            std::string(kPath) +
                ":4: empty entry in \"Revises\" list \"b1,,c1\"; remove the "
                "extra comma");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises: b1,")),
            std::string(kPath) +
                ":4: empty entry in \"Revises\" list \"b1,\"; remove the "
                "extra comma");
}

TEST(ScriptRevisionFileTest, ErrorRepeatedListEntry) {
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises: b1, b1")),
            std::string(kPath) +
                ":4: \"b1\" is listed twice in \"Revises\"; list each once");
}

TEST(ScriptRevisionFileTest, ValidateRevisionIdStandalone) {
  EXPECT_TRUE(ValidateRevisionId("1a2b3c4d5e6f").ok());
  EXPECT_TRUE(ValidateRevisionId("initial_schema").ok());
  EXPECT_EQ(ValidateRevisionId("").message(), "empty revision identifier");
  EXPECT_EQ(ValidateRevisionId("a\tb").message(),
            "character(s) '\\t' not allowed in revision identifier \"a\tb\"; "
            "use letters, digits and '_'");
  EXPECT_EQ(ValidateRevisionId("a,b").code(), Status::Code::kInvalidArgument);
}

TEST(ScriptRevisionFileTest, HeaderIsComplete) {
  EXPECT_TRUE(HeaderIsComplete(kGoodFile));
  const std::string good = kGoodFile;
  // Cut inside the header: not complete, the scanner must read more.
  EXPECT_FALSE(HeaderIsComplete(good.substr(0, 60)));
  // Cut right after the blank line that ends the header.
  size_t blank = good.find("\n\n");
  EXPECT_FALSE(HeaderIsComplete(good.substr(0, blank + 1)));
  EXPECT_TRUE(HeaderIsComplete(good.substr(0, blank + 2)));
  EXPECT_FALSE(HeaderIsComplete(""));
  EXPECT_FALSE(HeaderIsComplete("\n\n"));
}

TEST(ScriptRevisionFileTest, SectionsOfTheDocumentedExample) {
  Result<RevisionSections> s = ParseRevisionSections(kGoodFile, kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade,
            "ALTER TABLE auth.users ADD COLUMN full_name varchar(255);\n\n");
  EXPECT_EQ(s->upgrade_line, 10);
  EXPECT_EQ(s->downgrade, "ALTER TABLE auth.users DROP COLUMN full_name;\n");
  EXPECT_EQ(s->downgrade_line, 13);
}

TEST(ScriptRevisionFileTest, EmptyDowngradeAtEndOfFile) {
  Result<RevisionSections> s = ParseRevisionSections(
      "-- Revision ID: a1\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n"
      "-- migrate:downgrade",
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade, "SELECT 1;\n");
  EXPECT_EQ(s->downgrade, "");
  EXPECT_EQ(s->downgrade_line, 7);
}

TEST(ScriptRevisionFileTest, MarkerWithoutSpaceAndCommentsInBodiesAreKept) {
  Result<RevisionSections> s = ParseRevisionSections(
      "-- Revision ID: a1\n-- Revises:\n\n-- a note\n--migrate:upgrade\n"
      "-- create the table\nCREATE TABLE t (x int);\n--migrate:downgrade  \n"
      "DROP TABLE t;\n",
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade, "-- create the table\nCREATE TABLE t (x int);\n");
  EXPECT_EQ(s->upgrade_line, 6);
  EXPECT_EQ(s->downgrade, "DROP TABLE t;\n");
}

TEST(ScriptRevisionFileTest, ErrorMissingUpgradeMarker) {
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:downgrade\n"),
            std::string(kPath) +
                ":3: missing \"-- migrate:upgrade\" section marker; add it on "
                "its own line after the header, above the upgrade SQL");
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\nSELECT 1;\n"),
            std::string(kPath) +
                ":3: missing \"-- migrate:upgrade\" section marker; add it on "
                "its own line after the header, above the upgrade SQL");
}

TEST(ScriptRevisionFileTest, ErrorMissingDowngradeMarker) {
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:upgrade\nSELECT 1;\n"),
            std::string(kPath) +
                ":5: missing \"-- migrate:downgrade\" section marker; add it "
                "on its own line after the upgrade SQL (the downgrade section "
                "may be empty)");
}

TEST(ScriptRevisionFileTest, ErrorSectionsOutOfOrder) {
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:downgrade\nDROP TABLE t;\n"
                          "-- migrate:upgrade\nCREATE TABLE t (x int);\n"),
            std::string(kPath) +
                ":6: \"-- migrate:upgrade\" after \"-- migrate:downgrade\" "
                "(line 4); put the upgrade section first");
}

TEST(ScriptRevisionFileTest, ErrorRepeatedSections) {
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:upgrade\nSELECT 1;\n"
                          "-- migrate:upgrade\nSELECT 2;\n"
                          "-- migrate:downgrade\n"),
            std::string(kPath) +
                ":6: repeated \"-- migrate:upgrade\" (first on line 4); keep "
                "one upgrade section");
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:upgrade\nSELECT 1;\n"
                          "-- migrate:downgrade\n"
                          "-- migrate:downgrade\n"),
            std::string(kPath) +
                ":7: repeated \"-- migrate:downgrade\" (first on line 6); keep "
                "one downgrade section");
}

TEST(ScriptRevisionFileTest, ErrorUnknownMarker) {
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:up\nSELECT 1;\n-- migrate:down\n"),
            std::string(kPath) +
                ":4: unknown section marker \"-- migrate:up\"; did you mean "
                "\"-- migrate:upgrade\"?");
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:upgrade\nSELECT 1;\n-- migrate:Down\n"),
            std::string(kPath) +
                ":6: unknown section marker \"-- migrate:Down\"; did you mean "
                "\"-- migrate:downgrade\"?");
  EXPECT_EQ(SectionsError("-- Revision ID: a1\n-- Revises:\n\n"
                          "-- migrate:seed\n"),
            std::string(kPath) +
                ":4: unknown section marker \"-- migrate:seed\"; use "
                "\"-- migrate:upgrade\" or \"-- migrate:downgrade\"");
}

TEST(ScriptRevisionFileTest, ErrorSqlBeforeUpgradeMarker) {
  EXPECT_EQ(
      SectionsError("-- Revision ID: a1\n-- Revises:\n\nSELECT 0;\n"
                    "-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n"),
      std::string(kPath) +
          ":4: SQL before \"-- migrate:upgrade\"; move it below the "
          "marker");
}

TEST(ScriptRevisionFileTest, LineAtOffsetMapsBodyPositions) {
  Result<RevisionSections> s = ParseRevisionSections(
      "-- Revision ID: a1\n-- Revises:\n\n-- migrate:upgrade\n"
      "CREATE TABLE t (\n  x int,\n  y nosuchtype\n);\n-- migrate:downgrade\n",
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  size_t offset = s->upgrade.find("nosuchtype");
  EXPECT_EQ(LineAtOffset(s->upgrade, s->upgrade_line, offset), 7);
  EXPECT_EQ(LineAtOffset(s->upgrade, s->upgrade_line, 0), 5);
  EXPECT_EQ(LineAtOffset(s->upgrade, s->upgrade_line, 100000), 9);
}

TEST(ScriptRevisionFileTest, ImportKeys) {
  const std::string sum = "sha256:" + std::string(64, 'a');
  Result<RevisionFile> r = ParseRevisionHeader(
      WithKeys("-- Revision ID: a1\n-- Revises:\n"
               "-- Imported From: alembic/versions/a1_x.py\n"
               "-- Import Checksum: " +
               sum),
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->imported_from, "alembic/versions/a1_x.py");
  EXPECT_EQ(r->import_checksum, sum);
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: a1\n-- Revises:\n"
                                 "-- Import Checksum: md5:abc")),
            std::string(kPath) +
                ":5: invalid \"Import Checksum\" value \"md5:abc\"; expected "
                "\"sha256:\" and 64 lower-case hex digits (written by "
                "import-alembic; delete the line if the file is yours now)");
}

TEST(ScriptRevisionFileTest, SquashKeys) {
  const std::string b = std::string(64, 'b');
  const std::string c = std::string(64, 'c');
  const std::string self = "sha256:" + std::string(64, 'f');
  Result<RevisionFile> r = ParseRevisionHeader(
      WithKeys("-- Revision ID: c\n-- Revises: a\n"
               "-- Squashes: b " +
               b + ",  c\t" + c + " \n-- Squash Checksum: " + self),
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->squashes, (std::vector<SquashedRevision>{{"b", b}, {"c", c}}));
  EXPECT_EQ(r->squash_checksum, self);
  EXPECT_EQ(FormatSquashes(r->squashes), "b " + b + ", c " + c);
  // The same id twice, with two checksums (a squashed file squashed again).
  r = ParseRevisionHeader(
      WithKeys("-- Revision ID: c\n-- Revises: a\n-- Squashes: c " + b +
               ", c " + c + "\n-- Squash Checksum: " + self),
      kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->squashes.size(), 2u);
}

TEST(ScriptRevisionFileTest, ErrorMalformedSquashes) {
  const std::string b = std::string(64, 'b');
  const std::string self =
      "\n-- Squash Checksum: sha256:" + std::string(64, 'f');
  auto error = [&](const std::string& value) {
    return HeaderError(
        WithKeys("-- Revision ID: c\n-- Revises: a\n"
                 "-- Squashes: " +
                 value + self));
  };
  const std::string at = std::string(kPath) + ":5: ";
  EXPECT_EQ(error("b"),
            at + "invalid \"Squashes\" entry \"b\"; expected \"<revision "
                 "id> <sha256>\" (the id, a space and 64 lower-case hex "
                 "digits), entries comma-separated (written by retort "
                 "squash)");
  EXPECT_EQ(error("b " + b + " x"),
            at + "invalid \"Squashes\" entry \"b " + b +
                " x\"; expected \"<revision id> <sha256>\" (the id, a space "
                "and 64 lower-case hex digits), entries comma-separated "
                "(written by retort squash)");
  EXPECT_EQ(error("b " + b + ",, c " + b),
            at + "empty entry in \"Squashes\" list \"b " + b + ",, c " + b +
                "\"; remove the extra comma");
  EXPECT_EQ(error("b " + std::string(63, 'b')),
            at + "invalid checksum \"" + std::string(63, 'b') +
                "\" of b in \"Squashes\"; expected 64 lower-case hex digits "
                "(the SHA-256 retort squash wrote)");
  EXPECT_EQ(error("b " + std::string(64, 'B')),
            at + "invalid checksum \"" + std::string(64, 'B') +
                "\" of b in \"Squashes\"; expected 64 lower-case hex digits "
                "(the SHA-256 retort squash wrote)");
  EXPECT_EQ(error("b:1 " + b),
            at + "in \"Squashes\": character(s) ':' not allowed in revision "
                 "identifier \"b:1\"; use letters, digits and '_'");
  EXPECT_EQ(
      error("b " + b + ", b " + b),
      at + "\"b " + b + "\" is listed twice in \"Squashes\"; list each once");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: c\n-- Revises: a\n"
                                 "-- Squash Checksum: " +
                                 b)),
            at + "invalid \"Squash Checksum\" value \"" + b +
                "\"; expected \"sha256:\" and 64 lower-case hex digits "
                "(written by retort squash)");
  EXPECT_EQ(HeaderError(WithKeys("-- Revision ID: c\n-- Revises: a\n"
                                 "-- Squashes: b " +
                                 b)),
            at + "\"Squashes\" without \"Squash Checksum\"; both are "
                 "written by retort squash: restore the line, or delete both");
}

// A file whose upgrade and downgrade sections are `up` and `down`.
std::string WithSections(const std::string& up, const std::string& down) {
  return "-- Revision ID: a1\n-- Revises:\n\n-- migrate:upgrade\n" + up +
         "-- migrate:downgrade\n" + down;
}

TEST(ScriptRevisionFileTest, DirectivesBySection) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("-- retort: destructive\nDROP TABLE t;\n"
                   "  --retort:   blocks writes: ACCESS EXCLUSIVE on t\n",
                   "-- retort: TODO restore the rows by hand\n"
                   "-- retort: empty\n-- an ordinary comment\n"),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->upgrade_directives.all.size(), 2u);
  EXPECT_EQ(s->upgrade_directives.all[0].kind, Directive::Kind::kDestructive);
  EXPECT_EQ(s->upgrade_directives.all[0].line, 5);
  EXPECT_EQ(s->upgrade_directives.all[1].kind, Directive::Kind::kBlocksWrites);
  EXPECT_EQ(s->upgrade_directives.all[1].argument, "ACCESS EXCLUSIVE on t");
  EXPECT_EQ(s->upgrade_directives.todo(), nullptr);
  EXPECT_EQ(s->upgrade_directives.empty_line(), 0);
  const Directive* todo = s->downgrade_directives.todo();
  ASSERT_NE(todo, nullptr);
  EXPECT_EQ(todo->argument, "restore the rows by hand");
  EXPECT_EQ(todo->line, 9);
  EXPECT_EQ(s->downgrade_directives.empty_line(), 10);
  // The directives stay in the body: they are comments to the database.
  EXPECT_NE(s->downgrade.find("-- retort: TODO"), std::string::npos);
}

TEST(ScriptRevisionFileTest, DirectiveErrors) {
  EXPECT_EQ(
      SectionsError(WithSections("-- retort: destrucive\n", "")),
      std::string(kPath) +
          ":5: unknown directive \"-- retort: destrucive\"; did you mean \"-- "
          "retort: destructive\"? directives are \"TODO <reason>\", \"empty\", "
          "\"destructive\", \"blocks writes: <why>\", \"step\", \"backfill "
          "...\", \"code\" and \"lint disable=...\"; write a plain comment as "
          "\"-- text\", without \"retort:\"");
  EXPECT_EQ(SectionsError(WithSections("-- retort: users is rebuilt\n", "")),
            std::string(kPath) +
                ":5: unknown directive \"-- retort: users is rebuilt\"; "
                "directives are \"TODO <reason>\", \"empty\", \"destructive\", "
                "\"blocks writes: <why>\", \"step\", \"backfill ...\", "
                "\"code\" and \"lint disable=...\"; write a plain comment as "
                "\"-- text\", without \"retort:\"");
  EXPECT_EQ(
      SectionsError(WithSections("", "-- retort: todo fix\n")),
      std::string(kPath) +
          ":6: unknown directive \"-- retort: todo fix\"; did you mean \"-- "
          "retort: TODO\"? directives are \"TODO <reason>\", \"empty\", "
          "\"destructive\", \"blocks writes: <why>\", \"step\", \"backfill "
          "...\", \"code\" and \"lint disable=...\"; write a plain comment as "
          "\"-- text\", without \"retort:\"");
  EXPECT_NE(SectionsError(WithSections("-- retort: stepp\n", ""))
                .find("did you mean \"-- retort: step\"?"),
            std::string::npos);
  EXPECT_NE(SectionsError(WithSections("-- retort: backfil x\n", ""))
                .find("did you mean \"-- retort: backfill\"?"),
            std::string::npos);
  EXPECT_EQ(SectionsError(WithSections("-- retort: TODO\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: TODO\" needs a reason after it, e.g. \"-- "
                "retort: TODO convert this data migration by hand\"");
  EXPECT_EQ(SectionsError(WithSections("-- retort: empty please\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: empty\" takes no argument; write any "
                "explanation on a comment line of its own");
  EXPECT_EQ(SectionsError(WithSections("-- retort: blocks writes:\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: blocks writes:\" needs the reason after the "
                "colon");
  EXPECT_EQ(SectionsError(
                WithSections("-- retort: backfill table=t\nSELECT 1;\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: backfill\": key= is missing; write \"table=T "
                "key=K batch=N [sleep=D]\", e.g. \"-- retort: backfill "
                "table=orders key=id batch=5000 sleep=50ms\"");
  EXPECT_EQ(SectionsError(WithSections(
                "-- retort: backfill table=t key=id batch=0\nSELECT 1;\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: backfill\": batch=0 is not a row count "
                "from 1 to 1000000");
  EXPECT_EQ(SectionsError(WithSections("-- retort: backfill table=t key=id "
                                       "batch=10 pause=1s\nSELECT 1;\n",
                                       "")),
            std::string(kPath) +
                ":5: \"-- retort: backfill\": unknown option \"pause\"; "
                "write \"table=T key=K batch=N [sleep=D]\", e.g. \"-- "
                "retort: backfill table=orders key=id batch=5000 "
                "sleep=50ms\"");
  EXPECT_EQ(
      SectionsError(WithSections("-- retort: step transactional=no\n", "")),
      std::string(kPath) +
          ":5: \"-- retort: step\" takes only \"transactional=false\" or "
          "\"transactional=true\", not \"transactional=no\"; e.g. \"-- "
          "retort: step transactional=false\"");
  EXPECT_EQ(
      SectionsError(WithSections("", "-- retort: empty\n-- retort: empty\n")),
      std::string(kPath) +
          ":7: repeated \"-- retort: empty\" (first on line 6)");
  EXPECT_EQ(
      SectionsError(WithSections("-- retort: code\n-- retort: code\n", "")),
      std::string(kPath) +
          ":6: repeated \"-- retort: code\" (first on line 5)");
  EXPECT_EQ(
      SectionsError(WithSections("-- retort: code\n-- retort: empty\n", "")),
      std::string(kPath) +
          ":6: a section is either \"-- retort: empty\" or \"-- retort: "
          "code\" (line 5), not both; keep the one that is true");
  EXPECT_EQ(SectionsError(WithSections("-- retort: code please\n", "")),
            std::string(kPath) +
                ":5: \"-- retort: code\" takes no argument; write any "
                "explanation on a comment line of its own");
}

TEST(ScriptRevisionFileTest, CodeDirective) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("-- retort: code\n", "DROP TABLE t;\n"), kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->upgrade_directives.code_line(), 5);
  EXPECT_EQ(s->downgrade_directives.code_line(), 0);
}

TEST(ScriptRevisionFileTest, StepDirectives) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("CREATE TABLE a (id int);\n"
                   "-- retort: step transactional=false\n"
                   "CREATE INDEX CONCURRENTLY a_id ON a (id);\n"
                   "-- retort: step\n"
                   "-- retort: step transactional=true\n",
                   ""),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto steps = s->upgrade_directives.steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0]->line, 6);
  EXPECT_EQ(steps[0]->argument, "false");
  EXPECT_EQ(steps[1]->argument, "");
  EXPECT_EQ(steps[2]->argument, "true");
  EXPECT_TRUE(s->downgrade_directives.steps().empty());
}

TEST(ScriptRevisionFileTest, DirectiveLinesInsideAStringAreData) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("SELECT '\n-- retort: this is data\n';\n"
                   "-- retort: destructive\n",
                   "INSERT INTO notes VALUES (E'a\\'\n"
                   "  -- retort: empty\n');\n"),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->upgrade_directives.all.size(), 1u);
  EXPECT_EQ(s->upgrade_directives.all[0].kind, Directive::Kind::kDestructive);
  EXPECT_EQ(s->upgrade_directives.all[0].line, 8);
  EXPECT_TRUE(s->downgrade_directives.all.empty());
  EXPECT_NE(s->upgrade.find("-- retort: this is data"), std::string::npos);
}

TEST(ScriptRevisionFileTest, DirectiveLinesInsideADollarQuotedBodyAreData) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("CREATE FUNCTION f() RETURNS int AS $body$\n"
                   "-- retort: TODO this line belongs to the function\n"
                   "-- retort: not a directive at all\n"
                   "SELECT 1;\n"
                   "$body$ LANGUAGE sql;\n"
                   "-- retort: TODO write the function by hand\n",
                   "DO $$\n-- retort: empty\nBEGIN END $$;\n"),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->upgrade_directives.all.size(), 1u);
  const Directive* todo = s->upgrade_directives.todo();
  ASSERT_NE(todo, nullptr);
  EXPECT_EQ(todo->argument, "write the function by hand");
  EXPECT_EQ(todo->line, 10);
  EXPECT_TRUE(s->downgrade_directives.all.empty());
}

TEST(ScriptRevisionFileTest, DirectiveLinesInsideABlockCommentAreData) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("/* notes:\n-- retort: whatever we like\n"
                   "   /* nested\n   -- retort: empty\n   */\n"
                   "-- retort: still inside\n*/\n"
                   "-- retort: empty\n",
                   ""),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->upgrade_directives.all.size(), 1u);
  EXPECT_EQ(s->upgrade_directives.empty_line(), 12);
}

TEST(ScriptRevisionFileTest, DirectiveAfterCodeOnTheSameLineIsAComment) {
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("SELECT 1; -- retort: empty\n"
                   "SELECT 2; /* x */ -- retort: nonsense\n",
                   "\t-- retort: empty\r\n"),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->upgrade_directives.all.empty());
  EXPECT_EQ(s->downgrade_directives.empty_line(), 8);
}

TEST(ScriptRevisionFileTest, DirectivesFallBackToTheLineRuleWhenUnlexable) {
  // An unterminated string: the lexer cannot tell what is quoted, so every
  // "-- retort:" line counts, as it would without the lexer; the statement
  // splitter reports the unterminated string when the section runs.
  Result<RevisionSections> s = ParseRevisionSections(
      WithSections("SELECT 'unterminated;\n-- retort: destructive\n",
                   "-- retort: empty\n"),
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->upgrade_directives.all.size(), 1u);
  EXPECT_EQ(s->upgrade_directives.all[0].line, 6);
  EXPECT_EQ(s->downgrade_directives.empty_line(), 8);
  // ... including the errors of the line rule, in that section only.
  EXPECT_EQ(
      SectionsError(WithSections("SELECT $q$ never closed\n"
                                 "-- retort: destrucive\n",
                                 "")),
      std::string(kPath) +
          ":6: unknown directive \"-- retort: destrucive\"; did you mean \"-- "
          "retort: destructive\"? directives are \"TODO <reason>\", \"empty\", "
          "\"destructive\", \"blocks writes: <why>\", \"step\", \"backfill "
          "...\", \"code\" and \"lint disable=...\"; write a plain comment as "
          "\"-- text\", without \"retort:\"");
}

TEST(ScriptRevisionFileTest, DirectiveErrorsComeInFileOrder) {
  // A section's directives are read when the section ends; a bad directive
  // is still reported before a bad marker further down.
  EXPECT_EQ(
      SectionsError(WithSections("-- retort: nope\n", "-- migrate:upgrade\n")),
      std::string(kPath) +
          ":5: unknown directive \"-- retort: nope\"; directives are \"TODO "
          "<reason>\", \"empty\", \"destructive\", \"blocks writes: <why>\", "
          "\"step\", \"backfill ...\", \"code\" and \"lint disable=...\"; "
          "write a plain comment as \"-- text\", without \"retort:\"");
}

TEST(ScriptRevisionFileTest, DirectivesOutsideSectionsAreHeaderComments) {
  // Above "-- migrate:upgrade" a "-- retort:" line is part of the message
  // block, not a directive.
  Result<RevisionSections> s = ParseRevisionSections(
      "-- retort: anything\n-- Revision ID: a1\n-- Revises:\n\n"
      "-- migrate:upgrade\n-- migrate:downgrade\n",
      kPath);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->upgrade_directives.all.empty());
}

}  // namespace
}  // namespace retort
