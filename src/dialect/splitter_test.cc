// Statement splitting (PostgreSQL via libpg_query, SQLite via
// sqlite3_complete) and detection of statements that must run outside a
// transaction.
#include "dialect/splitter.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::vector<SqlStatement> SplitPg(std::string_view script) {
  auto result = SplitPostgresScript(script);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? result.value() : std::vector<SqlStatement>();
}

std::vector<std::string> Texts(const std::vector<SqlStatement>& statements) {
  std::vector<std::string> texts;
  for (const auto& s : statements) texts.push_back(s.text);
  return texts;
}

using Strings = std::vector<std::string>;

TEST(DialectSplitPostgres, SimpleStatementsWithOffsetsAndLines) {
  std::string script =
      "CREATE TABLE a (id int);\n"
      "\n"
      "  INSERT INTO a VALUES (1);\n"
      "SELECT 1";
  auto statements = SplitPg(script);
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].text, "CREATE TABLE a (id int)");
  EXPECT_EQ(statements[0].offset, 0u);
  EXPECT_EQ(statements[0].line, 1);
  EXPECT_EQ(statements[1].text, "INSERT INTO a VALUES (1)");
  EXPECT_EQ(statements[1].offset, script.find("INSERT"));
  EXPECT_EQ(statements[1].line, 3);
  EXPECT_EQ(statements[2].text, "SELECT 1");
  EXPECT_EQ(statements[2].line, 4);
}

TEST(DialectSplitPostgres, DollarQuotedFunctionBody) {
  std::string script =
      "CREATE FUNCTION f() RETURNS trigger AS $body$\n"
      "BEGIN\n"
      "  NEW.x := 'a;b';\n"
      "  RETURN NEW;\n"
      "END;\n"
      "$body$ LANGUAGE plpgsql;\n"
      "SELECT $$;$$;";
  auto statements = SplitPg(script);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].text, script.substr(0, script.find(";\nSELECT")));
  EXPECT_EQ(statements[1].text, "SELECT $$;$$");
  EXPECT_EQ(statements[1].line, 7);
}

TEST(DialectSplitPostgres, SemicolonsInStringsIdentifiersAndComments) {
  auto statements = SplitPg(
      "SELECT 'a;b', E'c\\';d', \"we;ird\" FROM t; -- trailing; comment\n"
      "/* block; /* nested; */ still comment; */ SELECT 2;\n");
  EXPECT_EQ(
      Texts(statements),
      (Strings{"SELECT 'a;b', E'c\\';d', \"we;ird\" FROM t", "SELECT 2"}));
  EXPECT_EQ(statements[1].line, 2);
}

TEST(DialectSplitPostgres, LeadingCommentsAreNotPartOfTheStatement) {
  std::string script =
      "-- create the table\n/* why */\nCREATE TABLE t (a int);";
  auto statements = SplitPg(script);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].text, "CREATE TABLE t (a int)");
  EXPECT_EQ(statements[0].line, 3);
  EXPECT_EQ(statements[0].offset, script.find("CREATE"));
}

TEST(DialectSplitPostgres, EmptyStatementsAndCommentOnlyScripts) {
  EXPECT_EQ(Texts(SplitPg("SELECT 1;;; SELECT 2;")),
            (Strings{"SELECT 1", "SELECT 2"}));
  EXPECT_TRUE(SplitPg("").empty());
  EXPECT_TRUE(SplitPg("  -- nothing here\n/* nor here */\n").empty());
}

TEST(DialectSplitPostgres, BeginAtomicAndCreateRule) {
  EXPECT_EQ(Texts(SplitPg("CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                          "BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
                          "CREATE RULE r AS ON INSERT TO t DO ALSO "
                          "(SELECT 1; SELECT 2);")),
            (Strings{"CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                     "BEGIN ATOMIC SELECT 1; SELECT 2; END",
                     "CREATE RULE r AS ON INSERT TO t DO ALSO "
                     "(SELECT 1; SELECT 2)"}));
}

TEST(DialectSplitPostgres, SyntaxErrorFallsBackToTheScanner) {
  // The parser rejects the script; the scanner still splits it so that the
  // server reports "syntax error at or near "SELEC"" at the right place.
  auto statements = SplitPg("SELECT 1;\nSELEC 2;\nSELECT 3;");
  EXPECT_EQ(Texts(statements), (Strings{"SELECT 1", "SELEC 2", "SELECT 3"}));
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[1].line, 2);
  EXPECT_EQ(statements[2].line, 3);
}

TEST(DialectSplitPostgres, ScannerFallbackKeepsKeywordlessAndUnbalancedText) {
  // libpg_query's scanner split drops statements with no keyword and gives
  // up on unbalanced parentheses; nothing may vanish silently.
  EXPECT_EQ(Texts(SplitPg("foo;\nSELECT 1;")), (Strings{"foo", "SELECT 1"}));
  EXPECT_EQ(Texts(SplitPg("SELECT 1; SELECT (2;")),
            (Strings{"SELECT 1", "SELECT (2"}));
}

TEST(DialectSplitPostgres, NewerSyntaxStillSplits) {
  // Not PostgreSQL 15 grammar (libpg_query's): the server may know better.
  EXPECT_EQ(Texts(SplitPg("CREATE TABLE t (a int);\n"
                          "SELECT * FROM t FUTURE CLAUSE 'x;y';\n"
                          "DROP TABLE t;")),
            (Strings{"CREATE TABLE t (a int)",
                     "SELECT * FROM t FUTURE CLAUSE 'x;y'", "DROP TABLE t"}));
}

TEST(DialectSplitPostgres, UnterminatedStringIsAnErrorWithALine) {
  auto result = SplitPostgresScript("SELECT 1;\nSELECT 'oops;\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "line 2: unterminated quoted string at or near \"'oops;\n\"");
  auto comment = SplitPostgresScript("SELECT 1;\n\n/* never closed");
  ASSERT_FALSE(comment.ok());
  EXPECT_EQ(comment.status().message(),
            "line 3: unterminated /* comment at or near \"/* never closed\"");
}

// Found by fuzz/splitter_fuzzer.cc: libpg_query stopped at a NUL byte, so
// the statements after it were silently left out of the split.
TEST(DialectSplitPostgres, NulByteIsAnErrorNotATruncation) {
  using namespace std::string_literals;
  auto result =
      SplitPostgresScript("CREATE TABLE a (x int);\n\0\nDROP TABLE b;"s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "line 2: NUL byte in the SQL, which PostgreSQL cannot take (is "
            "the file UTF-16? save it as UTF-8)");
  EXPECT_FALSE(SplitPostgresScript("\0"s).ok());
}

TEST(DialectSplitPostgres, MultibyteTextKeepsByteOffsets) {
  std::string script = "SELECT 'héllo';\nSELECT 'wörld';";
  auto statements = SplitPg(script);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].text, "SELECT 'wörld'");
  EXPECT_EQ(statements[1].offset, script.find("SELECT 'w"));
}

TEST(DialectSplitSqlite, TriggerBodiesStringsAndComments) {
  std::string script =
      "CREATE TABLE t (a TEXT);\n"
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO log VALUES ('x;y');\n"
      "  UPDATE t SET a = 'z';\n"
      "END;\n"
      "-- a comment; with a semicolon\n"
      "INSERT INTO t VALUES ('a;b'); /* c; */ SELECT 1";
  auto statements = SplitSqliteScript(script);
  EXPECT_EQ(Texts(statements),
            (Strings{"CREATE TABLE t (a TEXT)",
                     "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
                     "  INSERT INTO log VALUES ('x;y');\n"
                     "  UPDATE t SET a = 'z';\n"
                     "END",
                     "INSERT INTO t VALUES ('a;b')", "SELECT 1"}));
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[1].line, 2);
  EXPECT_EQ(statements[2].line, 7);
  EXPECT_EQ(statements[3].offset, script.find("SELECT 1"));
}

TEST(DialectSplitSqlite, EmptyAndUnterminated) {
  EXPECT_TRUE(SplitSqliteScript("").empty());
  EXPECT_TRUE(SplitSqliteScript(";; -- nothing\n").empty());
  // SQLite reports the error when it runs; the splitter keeps the text.
  EXPECT_EQ(Texts(SplitSqliteScript("SELECT 1; SELECT 'oops;")),
            (Strings{"SELECT 1", "SELECT 'oops"}));
}

// SQLite's tokenizer has no vertical tab among its blanks (it is an illegal
// character), so a statement starting with one is not a CREATE TRIGGER to
// sqlite3_complete(): the split ends at the first ';' and the tab stays in the
// statement, where SQLite reports it. Found by fuzz/splitter_fuzzer.cc.
TEST(DialectSplitSqlite, VerticalTabIsNotBlank) {
  auto lite = SplitSqliteScript("\vCREATE TRIGGER tr x; SELECT 1;");
  EXPECT_EQ(Texts(lite), (Strings{"\vCREATE TRIGGER tr x", "SELECT 1"}));
  // PostgreSQL's scanner takes it for a blank.
  auto pg = SplitPostgresScript("\vSELECT 1;\v");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(Texts(*pg), (Strings{"SELECT 1"}));
}

TEST(DialectSplitScript, DispatchesOnDialect) {
  auto sqlite = SplitScript(Dialect::kSqlite, "SELECT 1; SELECT 2");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->size(), 2u);
  auto pg = SplitScript(Dialect::kPostgres, "SELECT $$a;b$$; SELECT 2");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(Texts(*pg), (Strings{"SELECT $$a;b$$", "SELECT 2"}));
}

std::string Reason(std::string_view sql, int version = 150000) {
  return OutsideTransactionReason(Dialect::kPostgres, sql, version)
      .value_or("");
}

TEST(DialectOutsideTransaction, DetectedFromTheParseTree) {
  EXPECT_EQ(Reason("CREATE INDEX CONCURRENTLY i ON t (a)"),
            "CREATE INDEX CONCURRENTLY");
  EXPECT_EQ(Reason("create unique index concurrently if not exists i on t(a)"),
            "CREATE INDEX CONCURRENTLY");
  EXPECT_EQ(Reason("DROP INDEX CONCURRENTLY IF EXISTS i"),
            "DROP INDEX CONCURRENTLY");
  EXPECT_EQ(Reason("REINDEX INDEX CONCURRENTLY i"), "REINDEX CONCURRENTLY");
  EXPECT_EQ(Reason("REINDEX (CONCURRENTLY) TABLE t"), "REINDEX CONCURRENTLY");
  EXPECT_EQ(Reason("REINDEX SCHEMA s"), "REINDEX SCHEMA");
  EXPECT_EQ(Reason("VACUUM t"), "VACUUM");
  EXPECT_EQ(Reason("VACUUM (ANALYZE) t"), "VACUUM");
  EXPECT_EQ(Reason("CREATE DATABASE x"), "CREATE DATABASE");
  EXPECT_EQ(Reason("DROP DATABASE x"), "DROP DATABASE");
  EXPECT_EQ(Reason("ALTER SYSTEM SET work_mem = '64MB'"), "ALTER SYSTEM");
  EXPECT_EQ(Reason("CREATE TABLESPACE ts LOCATION '/x'"), "CREATE TABLESPACE");
  EXPECT_EQ(Reason("DROP TABLESPACE ts"), "DROP TABLESPACE");
  EXPECT_EQ(Reason("ALTER DATABASE d SET TABLESPACE ts"),
            "ALTER DATABASE ... SET TABLESPACE");
  EXPECT_EQ(Reason("ALTER TABLE p DETACH PARTITION c CONCURRENTLY"),
            "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY");
  EXPECT_EQ(Reason("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p"),
            "CREATE SUBSCRIPTION");
  EXPECT_EQ(Reason("DISCARD ALL"), "DISCARD ALL");
}

TEST(DialectOutsideTransaction, OrdinaryStatementsRunInside) {
  for (const char* sql : {
           "CREATE INDEX i ON t (a)",
           "DROP INDEX i",
           "REINDEX TABLE t",
           "ANALYZE t",
           "ALTER TABLE t ADD COLUMN concurrently int",
           "SELECT 'VACUUM'",
           "-- VACUUM\nSELECT 1",
           "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p "
           "WITH (create_slot = false, connect = false)",
           "ALTER DATABASE d SET work_mem = '1MB'",
           "ALTER TABLE p DETACH PARTITION c",
           "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
           "this is not sql",
           "",
       }) {
    EXPECT_EQ(Reason(sql), "") << sql;
    EXPECT_FALSE(MustRunOutsideTransaction(sql, 150000)) << sql;
  }
}

TEST(DialectOutsideTransaction, EnumAddValueDependsOnServerVersion) {
  const char* sql = "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok'";
  EXPECT_EQ(Reason(sql, 110022),
            "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)");
  EXPECT_TRUE(MustRunOutsideTransaction(sql, 110022));
  EXPECT_FALSE(MustRunOutsideTransaction(sql, 120000));
  EXPECT_FALSE(MustRunOutsideTransaction(
      "ALTER TYPE mood RENAME VALUE 'a' TO 'b'", 110000));
}

TEST(DialectOutsideTransaction, AnyStatementOfSeveral) {
  EXPECT_TRUE(MustRunOutsideTransaction(
      "SELECT 1; CREATE INDEX CONCURRENTLY i ON t (a);", 150000));
}

TEST(DialectTransactionTraits, TransactionControlFromTheParseTree) {
  for (const char* sql :
       {"BEGIN", "begin transaction isolation level serializable",
        "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "ABORT",
        "SAVEPOINT s", "RELEASE SAVEPOINT s", "ROLLBACK TO SAVEPOINT s",
        "PREPARE TRANSACTION 'x'", "SELECT 1; COMMIT"}) {
    PgTransactionTraits traits = PostgresTransactionTraits(sql, 150000);
    EXPECT_TRUE(traits.transaction_control) << sql;
    EXPECT_FALSE(traits.outside_reason.has_value()) << sql;
  }
  for (const char* sql :
       {"CREATE TABLE begin (commit int)", "SELECT 'COMMIT'",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
        "END",
        "PREPARE q AS SELECT 1", "-- COMMIT\nSELECT 1", "not sql at all"}) {
    EXPECT_FALSE(PostgresTransactionTraits(sql, 150000).transaction_control)
        << sql;
  }
  // One parse answers both questions.
  PgTransactionTraits both =
      PostgresTransactionTraits("COMMIT PREPARED 'x'", 150000);
  EXPECT_TRUE(both.transaction_control);
  EXPECT_EQ(both.outside_reason.value_or(""), "COMMIT PREPARED");
  EXPECT_EQ(
      PostgresTransactionTraits("CREATE INDEX CONCURRENTLY i ON t (a)", 150000)
          .outside_reason.value_or(""),
      "CREATE INDEX CONCURRENTLY");
}

TEST(DialectOutsideTransaction, SqliteVacuum) {
  EXPECT_EQ(OutsideTransactionReason(Dialect::kSqlite, "  vacuum;", 3040000)
                .value_or(""),
            "VACUUM");
  EXPECT_EQ(OutsideTransactionReason(Dialect::kSqlite, "VACUUM INTO 'x.db'", 0)
                .value_or(""),
            "VACUUM");
  EXPECT_FALSE(
      OutsideTransactionReason(Dialect::kSqlite, "CREATE TABLE vacuumed (a)", 0)
          .has_value());
}

TEST(DialectControlsTransaction, PostgresTransactionStatements) {
  for (const char* sql :
       {"COMMIT", "commit work", "END", "ROLLBACK", "ABORT", "BEGIN",
        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SAVEPOINT s",
        "RELEASE SAVEPOINT s", "ROLLBACK TO s", "PREPARE TRANSACTION 'x'",
        "COMMIT AND CHAIN", "/* why */ -- now\n  COMMIT"}) {
    EXPECT_TRUE(ControlsTransaction(Dialect::kPostgres, sql)) << sql;
  }
  for (const char* sql :
       {"CREATE TABLE t (a int)", "PREPARE q AS SELECT 1", "SELECT 'COMMIT'",
        "CREATE TABLE commit_log (a int)", "DO $$ BEGIN PERFORM 1; END $$",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
        "END",
        "ENDPOINT"}) {
    EXPECT_FALSE(ControlsTransaction(Dialect::kPostgres, sql)) << sql;
  }
}

TEST(DialectControlsTransaction, SqliteFirstKeyword) {
  for (const char* sql : {"COMMIT", "end transaction", "BEGIN IMMEDIATE",
                          "ROLLBACK", "SAVEPOINT s", "RELEASE s"}) {
    EXPECT_TRUE(ControlsTransaction(Dialect::kSqlite, sql)) << sql;
  }
  for (const char* sql : {"CREATE TABLE commits (a)", "VACUUM",
                          "CREATE TRIGGER t AFTER INSERT ON a BEGIN "
                          "SELECT 1; END"}) {
    EXPECT_FALSE(ControlsTransaction(Dialect::kSqlite, sql)) << sql;
  }
}

TEST(DialectLocatePosition, LinesColumnsAndMultibyte) {
  std::string text = "SELECT 1;\nSELECT 'é' FROM\n  nope";
  TextPosition where = LocatePosition(text, 29);  // 'n' of "nope" (é = 1 char)
  EXPECT_EQ(where.line, 3);
  EXPECT_EQ(where.column, 3);
  EXPECT_EQ(where.byte_offset, text.find("nope"));
  EXPECT_EQ(LocatePosition(text, 1).line, 1);
  EXPECT_EQ(LocatePosition(text, 0).column, 1);
  EXPECT_EQ(LocatePosition(text, 1000).byte_offset, text.size());
}

}  // namespace
}  // namespace retort
