// Database URL parsing and password redaction: every accepted form, and no
// error message or display form ever carrying the password.
#include "dialect/url.h"

#include <gtest/gtest.h>

#include "util/scoped_env.h"

namespace retort {
namespace {

DatabaseUrl MustParse(const std::string& url) {
  auto parsed = ParseDatabaseUrl(url);
  EXPECT_TRUE(parsed.ok()) << url << ": " << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : DatabaseUrl();
}

std::string ParseError(const std::string& url) {
  auto parsed = ParseDatabaseUrl(url);
  EXPECT_FALSE(parsed.ok()) << url;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  return parsed.status().message();
}

TEST(DialectUrl, PostgresUriIsPassedToLibpq) {
  DatabaseUrl url = MustParse("postgresql://app:s3cret@db.example:6432/game");
  EXPECT_EQ(url.dialect, Dialect::kPostgres);
  EXPECT_EQ(url.conninfo, "postgresql://app:s3cret@db.example:6432/game");
  EXPECT_EQ(url.user, "app");
  EXPECT_EQ(url.host, "db.example");
  EXPECT_EQ(url.port, "6432");
  EXPECT_EQ(url.dbname, "game");
  EXPECT_TRUE(url.has_password);
  EXPECT_EQ(url.redacted, "postgresql://app:***@db.example:6432/game");
}

TEST(DialectUrl, PostgresSchemeAliasIsNormalised) {
  DatabaseUrl url = MustParse("postgres://app@localhost/game");
  EXPECT_EQ(url.conninfo, "postgresql://app@localhost/game");
  EXPECT_FALSE(url.has_password);
  EXPECT_EQ(url.redacted, "postgres://app@localhost/game");
}

TEST(DialectUrl, SqlAlchemyDriverIsIgnored) {
  for (const char* scheme :
       {"postgresql+psycopg2", "postgresql+psycopg", "postgresql+asyncpg",
        "postgresql+pg8000", "POSTGRESQL+PSYCOPG2"}) {
    DatabaseUrl url = MustParse(std::string(scheme) +
                                "://u:p%40ss@h:5433/db?sslmode=require");
    EXPECT_EQ(url.conninfo, "postgresql://u:p%40ss@h:5433/db?sslmode=require")
        << scheme;
    EXPECT_EQ(url.dbname, "db");
    EXPECT_EQ(url.redacted,
              std::string(scheme) + "://u:***@h:5433/db?sslmode=require");
  }
}

TEST(DialectUrl, AsyncpgSslBecomesSslmode) {
  DatabaseUrl url = MustParse(
      "postgresql+asyncpg://u@h/db?ssl=true&prepared_statement_cache_size=0");
  EXPECT_EQ(url.conninfo, "postgresql://u@h/db?sslmode=require");
}

TEST(DialectUrl, PercentDecodingOfParts) {
  DatabaseUrl url = MustParse("postgresql://us%20er:pw@h/my%2Fdb");
  EXPECT_EQ(url.user, "us er");
  EXPECT_EQ(url.dbname, "my/db");
}

TEST(DialectUrl, Ipv6AndSeveralHosts) {
  DatabaseUrl v6 = MustParse("postgresql://u@[::1]:5432/db");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "5432");
  DatabaseUrl multi = MustParse("postgresql://u:pw@h1:5432,h2:5433/db");
  EXPECT_EQ(multi.host, "h1,h2");
  EXPECT_EQ(multi.port, "5432,5433");
  EXPECT_EQ(multi.redacted, "postgresql://u:***@h1:5432,h2:5433/db");
}

TEST(DialectUrl, EmptyPostgresUriLeavesEverythingToLibpq) {
  DatabaseUrl url = MustParse("postgresql://");
  EXPECT_EQ(url.conninfo, "postgresql://");
  EXPECT_EQ(url.host, "");
  EXPECT_EQ(url.dbname, "");
  DatabaseUrl socket = MustParse("postgresql:///game?host=/var/run/postgresql");
  EXPECT_EQ(socket.host, "/var/run/postgresql");
  EXPECT_EQ(socket.dbname, "game");
}

TEST(DialectUrl, KeywordString) {
  DatabaseUrl url =
      MustParse("host=localhost port=5432 dbname=game user=app password='a b'");
  EXPECT_EQ(url.dialect, Dialect::kPostgres);
  EXPECT_EQ(url.conninfo,
            "host=localhost port=5432 dbname=game user=app password='a b'");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.dbname, "game");
  EXPECT_TRUE(url.has_password);
  EXPECT_EQ(url.redacted,
            "host=localhost port=5432 dbname=game user=app password=***");
}

TEST(DialectUrl, SqliteForms) {
  DatabaseUrl relative = MustParse("sqlite:///relative.db");
  EXPECT_EQ(relative.dialect, Dialect::kSqlite);
  EXPECT_EQ(relative.sqlite_path, "relative.db");
  EXPECT_FALSE(relative.in_memory());
  EXPECT_EQ(MustParse("sqlite:////abs/path/x.db").sqlite_path,
            "/abs/path/x.db");
  EXPECT_EQ(MustParse("sqlite:///dir/sub/x.db").sqlite_path, "dir/sub/x.db");
  EXPECT_TRUE(MustParse("sqlite://").in_memory());
  EXPECT_TRUE(MustParse("sqlite:///:memory:").in_memory());
  EXPECT_TRUE(MustParse("sqlite+pysqlite:///:memory:").in_memory());
  EXPECT_EQ(MustParse("sqlite:///my%20app.db").sqlite_path, "my app.db");
}

TEST(DialectUrl, SqliteParameters) {
  DatabaseUrl url = MustParse("sqlite:///x.db?timeout=2.5&mode=ro");
  EXPECT_EQ(url.sqlite_path, "x.db");
  ASSERT_TRUE(url.sqlite_busy_timeout_ms.has_value());
  EXPECT_EQ(*url.sqlite_busy_timeout_ms, 2500);
  EXPECT_TRUE(url.sqlite_read_only);
  EXPECT_EQ(ParseError("sqlite:///x.db?journal=wal"),
            "invalid database URL sqlite:///x.db?journal=wal: unsupported "
            "SQLite URL parameter 'journal' (supported: timeout, mode)");
  EXPECT_EQ(ParseError("sqlite:///x.db?timeout=soon"),
            "invalid database URL sqlite:///x.db?timeout=soon: timeout must be "
            "a number of seconds, got 'soon'");
}

TEST(DialectUrl, SqliteWithHostIsAnError) {
  EXPECT_EQ(ParseError("sqlite://host/x.db"),
            "invalid database URL sqlite://host/x.db: SQLite URLs have no "
            "host; write sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db");
}

TEST(DialectUrl, UnknownSchemeNamesItWithoutThePassword) {
  EXPECT_EQ(ParseError("mysql://root:hunter2@db/app"),
            "unsupported database URL scheme 'mysql' in "
            "mysql://root:***@db/app; retort supports postgresql:// and "
            "sqlite://");
  EXPECT_EQ(ParseError("mysql+pymysql://root:hunter2@db/app"),
            "unsupported database URL scheme 'mysql' in "
            "mysql+pymysql://root:***@db/app; retort supports postgresql:// "
            "and sqlite://");
}

TEST(DialectUrl, NotAUrl) {
  EXPECT_EQ(ParseError(""),
            "empty database URL; expected postgresql://user@host/dbname, "
            "sqlite:///path.db or a libpq 'host=... dbname=...' string");
  EXPECT_EQ(ParseError("game.db"),
            "'game.db' is not a database URL; expected "
            "postgresql://user@host/dbname, sqlite:///path.db or a libpq "
            "'host=... dbname=...' string");
}

TEST(DialectUrl, WhitespaceAroundIsIgnored) {
  // Secrets fetched from files and Vault often end with a newline.
  EXPECT_EQ(MustParse("  postgresql://u@h/db\n").dbname, "db");
}

TEST(DialectUrl, ErrorsNeverEchoThePassword) {
  // Each of these would make libpq quote part of the password ("Zq9...").
  const char* bad[] = {
      "postgresql://u:Zq9%zzZq9@h/db",                // bad percent-escape
      "postgresql://u:Zq9@Zq9@h/db",                  // raw '@'
      "postgresql://u:Zq9/Zq9@h/db",                  // raw '/'
      "postgresql://u:Zq9?Zq9@h/db",                  // raw '?'
      "postgresql://u@h/db?password=Zq9Zq9&bogus=1",  // libpq rejects bogus
      "postgresql+psycopg2://u:Zq9Zq9@h/db?bogus=1",
      "host=h password=Zq9Zq9 bogus=1",
      "host=h password='Zq9Zq9",
      "host=h password=Zq9Zq9 port",
  };
  for (const char* url : bad) {
    std::string error = ParseError(url);
    EXPECT_EQ(error.find("Zq9"), std::string::npos) << error;
  }
  EXPECT_EQ(ParseError("postgresql://u:pa@ss@h/db"),
            "invalid database URL postgresql://u:***@h/db: percent-encode "
            "'@', '/' and '?' in the user name and password (%40, %2F, %3F)");
  EXPECT_EQ(ParseError("postgresql://u:p%zzword@h/db"),
            "invalid database URL postgresql://u:***@h/db: bad percent-escape "
            "(write '%' as %25)");
  EXPECT_EQ(ParseError("postgresql://u:pw@h/db?bogus=1"),
            "invalid database URL postgresql://u:***@h/db?bogus=1: invalid "
            "URI query parameter: \"bogus\"");
  EXPECT_EQ(ParseError("host=h password=pw bogus=1"),
            "invalid database URL host=h password=*** bogus=1: invalid "
            "connection option \"bogus\"");
}

TEST(DialectUrl, RedactedUrlForms) {
  EXPECT_EQ(RedactedUrl("postgresql://u:pw@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactedUrl("postgresql://h:5432/db"), "postgresql://h:5432/db");
  EXPECT_EQ(RedactedUrl("postgresql://u@[::1]:5432/db"),
            "postgresql://u@[::1]:5432/db");
  EXPECT_EQ(RedactedUrl("postgresql://u:p@ss/w@h/db"),
            "postgresql://u:***@h/db");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db?sslmode=require&password=pw&x=1"),
            "postgresql://u@h/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(RedactedUrl("host=h password=pw user=u"),
            "host=h password=*** user=u");
  EXPECT_EQ(RedactedUrl("host=h password = 'it\\'s a secret' user=u"),
            "host=h password = *** user=u");
  EXPECT_EQ(RedactedUrl("host=h password='unterminated"),
            "host=h password=***");
  EXPECT_EQ(RedactedUrl("sqlite:///x.db"), "sqlite:///x.db");
}

// Found by fuzz/url_fuzzer.cc: a keyword string with "://" in a value was
// taken for a URL, so its password was neither masked nor kept out of the
// "unsupported scheme" error (which quoted everything before "://").
TEST(DialectUrl, KeywordStringWithSchemeLikeValueIsMasked) {
  const std::string keywords =
      "host=db password=hunter2 application_name=https://app dbname=game";
  EXPECT_EQ(RedactedUrl(keywords),
            "host=db password=*** application_name=https://app dbname=game");
  auto parsed = ParseDatabaseUrl(keywords);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->dialect, Dialect::kPostgres);
  EXPECT_EQ(parsed->conninfo, keywords);
  EXPECT_TRUE(parsed->has_password);
  auto bad = ParseDatabaseUrl("password=hunter2 x://y");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter2"), std::string::npos)
      << bad.status().message();
  // A real scheme still reads as a URL, after blanks too.
  EXPECT_EQ(RedactedUrl("  postgresql+psycopg2://u:pw@h/db"),
            "  postgresql+psycopg2://u:***@h/db");
}

// Found by fuzz/url_fuzzer.cc: a raw '?' in the password ended the
// authority before its '@', so libpq read the password's head as the port,
// which retort shows.
TEST(DialectUrl, RawQuestionMarkInPasswordIsRefused) {
  for (const std::string url :
       {"postgresql://app:hunter?2=1@db/game", "postgres://app:hun?ter@db",
        "postgresql://h1:5432,app:hunter?x=1@db/game"}) {
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.status().message().find("percent-encode '@', '/' and '?'"),
              std::string::npos)
        << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("hunter"), std::string::npos)
        << parsed.status().message();
  }
  // Found the same way: a raw '@' and '/' ("p@ss/word") put the password's
  // tail in the database name.
  EXPECT_EQ(ParseError("postgresql://app:p@ss/hunter@db/game"),
            "invalid database URL postgresql://app:***@db/game: percent-encode "
            "'@', '/' and '?' in the user name and password (%40, %2F, %3F)");
  // ... or, with a raw '?' too, in a query parameter or the database name.
  for (const char* url : {"postgresql://app:p@ss/hunter=x?sslmode=disable@db",
                          "postgresql://app:p@ss?hunter=x@db/game",
                          "postgresql://:?x=@/hunter@"}) {
    EXPECT_NE(ParseError(url).find("percent-encode '@', '/' and '?'"),
              std::string::npos)
        << ParseError(url);
    EXPECT_EQ(ParseError(url).find("hunter"), std::string::npos);
  }
  // Ports, IPv6 and several hosts still parse.
  for (const std::string url :
       {"postgresql://h:5432/db", "postgresql://[::1]:5432/db",
        "postgresql://[::1]/db", "postgresql://h1:5432,h2/db",
        "postgresql://h:/db?sslmode=disable"}) {
    EXPECT_TRUE(ParseDatabaseUrl(url).ok()) << url;
  }
}

// Found by fuzz/url_fuzzer.cc: in "app:5?wZq9=1/x@db" (a raw '?' and '/'
// in the password) libpq reads "wZq9" as a query parameter, and its error
// quoted that piece of the password.
TEST(DialectUrl, PieceOfARawPasswordIsNotQuoted) {
  EXPECT_EQ(ParseError("postgresql://app:5?wZq9=1/x@db"),
            "invalid database URL postgresql://app:***@db: invalid URI "
            "query parameter: \"***\"");
  // ... with a '"' in it, which ended libpq's quotes early.
  EXPECT_EQ(ParseError("postgresql://app:5?w\"Zq9\"=1/x@db"),
            "invalid database URL postgresql://app:***@db: invalid URI "
            "query parameter: \"***\"");
  // A parameter of the URL itself is still named.
  EXPECT_EQ(ParseError("postgresql://app:pw@db/game?bogus=1"),
            "invalid database URL postgresql://app:***@db/game?bogus=1: "
            "invalid URI query parameter: \"bogus\"");
}

// Found by fuzz/url_fuzzer.cc: in "s\"g:5?user=/Zq7pw@" (a raw '?' and
// '/' in the password, port-like digits before the '?') libpq reads host
// "s\"g", port 5 and user "/Zq7pw@" -- a field retort shows.
TEST(DialectUrl, RawAtInTheQueryWithoutUserInfoIsRefused) {
  EXPECT_EQ(ParseError("postgresql+asyncpg://s\"g:5?user=/hunter2@"),
            "invalid database URL postgresql+asyncpg://s\"g:***@: a raw '@' "
            "after the '?' (percent-encode '@' in query values as %40, and "
            "'@', '/' and '?' in the user name and password as %40, %2F, "
            "%3F)");
  EXPECT_NE(ParseError("postgresql://db:5432/app?user=alice@srv")
                .find("percent-encode '@' in query values as %40"),
            std::string::npos);
  // Encoded, or with user info before the host, it parses.
  auto encoded = ParseDatabaseUrl("postgresql://db:5432/app?user=alice%40srv");
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  EXPECT_EQ(encoded->user, "alice@srv");
  EXPECT_TRUE(
      ParseDatabaseUrl("postgresql://u:pw@db/app?application_name=a%40b").ok());
}

// Found by fuzz/url_fuzzer.cc: libpq stops at a NUL byte, so
// "postgresql://u:hunter2\0@h/db" reached it as "postgresql://u:hunter2",
// host "u" and port "hunter2", a field retort shows.
TEST(DialectUrl, NulByteIsRefused) {
  using namespace std::string_literals;
  for (const std::string& url : {"postgresql://u:hunter2\0@h/db"s,
                                "host=h password=hunter2\0 dbname=x"s,
                                "sqlite:///x.db\0"s}) {
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.status().message(),
              "invalid database URL: it holds a NUL byte (\\0), which the "
              "database drivers cannot take");
  }
}

TEST(DialectUrl, ConnectReportsParseErrors) {
  auto connection = Connect("mysql://u:pw@h/db");
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().message(),
            "unsupported database URL scheme 'mysql' in mysql://u:***@h/db; "
            "retort supports postgresql:// and sqlite://");
}

// Regression (issue 14): a URL without a database name migrated the
// "postgres" maintenance database, which libpq picks for that user.
TEST(DialectUrl, UrlWithoutDatabaseIsRefusedBeforeConnecting) {
  ScopedEnv pgdatabase("PGDATABASE");
  ScopedEnv pgservice("PGSERVICE");
  unsetenv("PGDATABASE");
  unsetenv("PGSERVICE");
  const std::string said =
      " names no database, and libpq would pick the one named after the "
      "user (for postgres, the maintenance database 'postgres'); name it: "
      "postgresql://USER@HOST:PORT/DBNAME, or dbname=DBNAME in a keyword "
      "string (or set PGDATABASE)";
  for (const std::string url :
       {"postgresql://postgres:pw@127.0.0.1:1", "postgresql://postgres@127.0.0.1:1/",
        "postgresql+psycopg2://postgres:pw@127.0.0.1:1/?sslmode=disable",
        "host=127.0.0.1 port=1 user=postgres password=pw"}) {
    auto connection = Connect(url);
    ASSERT_FALSE(connection.ok()) << url;
    EXPECT_EQ(connection.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(connection.status().message(),
              "the database URL " + RedactedUrl(url) + said);
    EXPECT_EQ(connection.status().message().find("pw"), std::string::npos);
  }
  // Named in the URL, by a service, or by PGDATABASE: libpq is asked (and
  // says it cannot connect to port 1).
  for (const std::string url :
       {"postgresql://postgres@127.0.0.1:1/game", "host=127.0.0.1 port=1 dbname=game",
        "postgresql://postgres@127.0.0.1:1?dbname=game"}) {
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_TRUE(parsed.ok()) << url;
    EXPECT_TRUE(CheckDatabaseNamed(*parsed).ok()) << url;
  }
  auto service = ParseDatabaseUrl("service=nosuch");
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->service, "nosuch");
  EXPECT_TRUE(CheckDatabaseNamed(*service).ok());
  auto bare = ParseDatabaseUrl("postgresql://127.0.0.1:1");
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(CheckDatabaseNamed(*bare).ok());
  setenv("PGDATABASE", "game", 1);
  EXPECT_TRUE(CheckDatabaseNamed(*bare).ok());
  unsetenv("PGDATABASE");
  EXPECT_TRUE(CheckDatabaseNamed(MustParse("sqlite://")).ok());
}

}  // namespace
}  // namespace retort
