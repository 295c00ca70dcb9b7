// Placeholder substitution: forms, escapes, errors with file:line, and the
// offset map back to the file's text.
#include "runtime/placeholders.h"

#include <gtest/gtest.h>

#include "script/revision_file.h"

namespace retort {
namespace {

const std::map<std::string, std::string> kValues = {
    {"schema", "auth"}, {"owner", "it's"}, {"n", "42"}, {"multi", "a\nb"}};

std::string Sub(std::string_view body, Dialect d = Dialect::kPostgres) {
  auto r = SubstitutePlaceholders(body, kValues, d, "v/a.sql", 10);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->text : "<error>";
}

std::string Err(std::string_view body) {
  auto r =
      SubstitutePlaceholders(body, kValues, Dialect::kPostgres, "v/a.sql", 10);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "<ok>" : r.status().message();
}

TEST(RuntimePlaceholders, Forms) {
  EXPECT_EQ(Sub("CREATE TABLE ${schema}.t (n int DEFAULT ${n:raw});"),
            "CREATE TABLE \"auth\".t (n int DEFAULT 42);");
  EXPECT_EQ(Sub("COMMENT ON TABLE t IS ${owner:literal};"),
            "COMMENT ON TABLE t IS 'it''s';");
  EXPECT_EQ(Sub("SELECT ${owner:literal}", Dialect::kSqlite), "SELECT 'it''s'");
  EXPECT_EQ(Sub("no placeholders, $1 and $$body$$"),
            "no placeholders, $1 and $$body$$");
}

TEST(RuntimePlaceholders, EscapedDollarBrace) {
  EXPECT_EQ(Sub("SELECT '$${schema}' || ${schema:literal}"),
            "SELECT '${schema}' || 'auth'");
}

TEST(RuntimePlaceholders, ErrorsNameFileAndLine) {
  EXPECT_EQ(Err("SELECT 1;\nSELECT ${nope};"),
            "v/a.sql:11: unknown placeholder ${nope} (defined: multi, n, "
            "owner, schema)");
  EXPECT_EQ(Err("\n\nSELECT ${schema:upper}"),
            "v/a.sql:12: unknown placeholder modifier in ${schema:upper} (use "
            "${name}, ${name:literal} or ${name:raw})");
  EXPECT_EQ(Err("SELECT ${schema\n}"),
            "v/a.sql:10: unterminated placeholder \"${\" (write \"$${\" for a "
            "literal \"${\")");
  EXPECT_EQ(Err("SELECT ${a b}"),
            "v/a.sql:10: invalid placeholder ${a b} (names use letters, "
            "digits, '_', '.', '-')");
  auto none =
      SubstitutePlaceholders("${x}", {}, Dialect::kPostgres, "f.sql", 3);
  EXPECT_EQ(none.status().message(),
            "f.sql:3: unknown placeholder ${x} (none are defined)");
}

TEST(RuntimePlaceholders, OffsetsMapBackToTheFile) {
  std::string_view body = "SELECT ${multi:raw},\n  ${schema}\nFROM x; bad";
  auto r = SubstitutePlaceholders(body, kValues, Dialect::kPostgres, "f", 5);
  ASSERT_TRUE(r.ok());
  // "bad" is on the body's 3rd line although the value added a newline.
  size_t out = r->text.find("bad");
  size_t in = r->OriginalOffset(out);
  EXPECT_EQ(body.substr(in, 3), "bad");
  EXPECT_EQ(LineAtOffset(body, 5, in), 7);
  // Inside a value: the placeholder's start.
  EXPECT_EQ(r->OriginalOffset(r->text.find("a\nb") + 2), body.find("${multi"));
  EXPECT_EQ(r->OriginalOffset(0), 0u);
}

// Regression (issue 14): "$x$${y}$x$" was read as the escape "$${" and
// became "$x${y}$x$". The tokenizer tells tags from the escape.
TEST(RuntimePlaceholders, DollarQuoteTagIsNeverPartOfTheEscape) {
  EXPECT_EQ(Sub("SELECT $x$${schema}$x$;"), "SELECT $x$\"auth\"$x$;");
  EXPECT_EQ(Sub("SELECT $x$${n:raw}$x$"), "SELECT $x$42$x$");
  // Inside a body, "$${" is still the escape.
  EXPECT_EQ(Sub("SELECT $x$$${schema}$x$"), "SELECT $x$${schema}$x$");
  EXPECT_EQ(Sub("SELECT $x$a $${schema} b$x$"), "SELECT $x$a ${schema} b$x$");
}

TEST(RuntimePlaceholders, SubstitutedInBodiesStringsAndIdentifiersNotComments) {
  EXPECT_EQ(Sub("CREATE FUNCTION ${schema}.f() RETURNS int AS $fn$\n"
                "BEGIN RETURN (SELECT count(*) FROM ${schema}.t); END\n"
                "$fn$ LANGUAGE plpgsql;"),
            "CREATE FUNCTION \"auth\".f() RETURNS int AS $fn$\n"
            "BEGIN RETURN (SELECT count(*) FROM \"auth\".t); END\n"
            "$fn$ LANGUAGE plpgsql;");
  EXPECT_EQ(Sub("DO $$ BEGIN PERFORM ${n:raw}; END $$"),
            "DO $$ BEGIN PERFORM 42; END $$");
  EXPECT_EQ(Sub("SELECT 'owner ${owner:raw}', \"${n:raw}\""),
            "SELECT 'owner it's', \"42\"");
  // Comments are left as written, unknown names included.
  EXPECT_EQ(Sub("-- uses ${nope}\nSELECT 1 /* ${nope:raw} */, ${n:raw}"),
            "-- uses ${nope}\nSELECT 1 /* ${nope:raw} */, 42");
  EXPECT_EQ(Sub("-- ${nope}\nSELECT ${n:raw} -- $${x}", Dialect::kSqlite),
            "-- ${nope}\nSELECT 42 -- $${x}");
  // The offsets still map back across kept spans.
  std::string_view body = "/* ${x} */ SELECT $a$${multi:raw}$a$ bad";
  auto r = SubstitutePlaceholders(body, kValues, Dialect::kPostgres, "f", 1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "/* ${x} */ SELECT $a$a\nb$a$ bad");
  EXPECT_EQ(body.substr(r->OriginalOffset(r->text.find("bad")), 3), "bad");
}

}  // namespace
}  // namespace retort
