// The dialect-independent pieces: DbError's message format and quoting.
#include "dialect/dialect.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(DialectDbError, MessageWithOptionalLines) {
  DbError error;
  error.severity = "ERROR";
  error.sqlstate = "42P01";
  error.message = "relation \"x\" does not exist";
  Status st = error.ToStatus();
  EXPECT_EQ(st.code(), Status::Code::kDatabase);
  EXPECT_EQ(st.message(), "ERROR 42P01: relation \"x\" does not exist");

  error.detail = "Key (id)=(1) already exists.";
  error.hint = "Try harder.";
  error.context = "PL/pgSQL function f() line 3 at RAISE";
  EXPECT_EQ(error.ToStatus().message(),
            "ERROR 42P01: relation \"x\" does not exist\n"
            "DETAIL: Key (id)=(1) already exists.\n"
            "HINT: Try harder.\n"
            "CONTEXT: PL/pgSQL function f() line 3 at RAISE");
}

TEST(DialectDbError, ClientErrorsAndMissingParts) {
  EXPECT_EQ(DbError::Client("", "the connection is closed", "SELECT 1")
                .ToStatus()
                .message(),
            "ERROR: the connection is closed");
  DbError fatal;
  fatal.severity = "FATAL";
  fatal.sqlstate = "57P01";
  fatal.message = "terminating connection due to administrator command";
  EXPECT_EQ(fatal.ToStatus().message(),
            "FATAL 57P01: terminating connection due to administrator command");
  DbError bare;
  bare.message = "x";
  EXPECT_EQ(bare.ToStatus().message(), "ERROR: x");
}

TEST(DialectQuote, IdentifiersAndLiterals) {
  EXPECT_EQ(QuoteSqlIdent("users"), "\"users\"");
  EXPECT_EQ(QuoteSqlIdent("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuotePgLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuotePgLiteral("C:\\dir"), "E'C:\\\\dir'");
  EXPECT_EQ(QuotePgLiteral("a'\\b"), "E'a''\\\\b'");
  EXPECT_EQ(QuoteSqliteLiteral("C:\\it's"), "'C:\\it''s'");
}

TEST(DialectName, Names) {
  EXPECT_EQ(DialectName(Dialect::kPostgres), "postgresql");
  EXPECT_EQ(DialectName(Dialect::kSqlite), "sqlite");
}

}  // namespace
}  // namespace retort
