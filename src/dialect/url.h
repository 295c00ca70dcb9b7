// Database URLs: parsing the forms users bring from psql, SQLAlchemy/Alembic
// and libpq into a dialect plus driver arguments, masking passwords for
// display, and opening a Connection from a URL.
#ifndef RETORT_DIALECT_URL_H_
#define RETORT_DIALECT_URL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// DatabaseUrl is a database URL taken apart: which dialect, what to hand to
// its driver, and the pieces worth showing a user (never the password).
//
// Accepted forms:
//   postgresql://user:pass@host:port/db?sslmode=require   (libpq URI; also
//     postgres://, several hosts "h1:5432,h2:5433", IPv6 "[::1]")
//   postgresql+psycopg2://, +psycopg://, +asyncpg://, ...  (SQLAlchemy; the
//     driver is ignored, asyncpg's ssl= becomes sslmode=)
//   host=localhost dbname=game user=app                   (libpq keywords)
//   sqlite:///relative.db  sqlite:////absolute.db  sqlite:// sqlite:///:memory:
struct DatabaseUrl {
  Dialect dialect = Dialect::kPostgres;
  // PostgreSQL: what libpq gets. A URI stays a URI (scheme normalised to
  // postgresql://) so PGHOST, PGPASSWORD, ~/.pgpass and PGSERVICE still fill
  // in whatever it leaves out.
  std::string conninfo;
  // SQLite: the file path, or ":memory:".
  std::string sqlite_path;
  // SQLite URL parameters (?timeout=seconds, ?mode=ro); unset = options.
  std::optional<int> sqlite_busy_timeout_ms;
  bool sqlite_read_only = false;
  // PostgreSQL, as written (decoded); empty when left to libpq's defaults.
  std::string user;
  std::string host;  // comma-separated when several
  std::string port;
  std::string dbname;
  std::string service;  // service=NAME (pg_service.conf), as written
  bool has_password = false;
  // The URL as given, password replaced by "***": the only form to print.
  std::string redacted;

  bool in_memory() const {
    return dialect == Dialect::kSqlite && sqlite_path == ":memory:";
  }
};

// Parses `url`. Errors name the URL only in its redacted form.
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// PostgreSQL: refuses a URL that names no database (no /DBNAME, dbname= or
// service=) unless PGDATABASE or PGSERVICE does: libpq would otherwise
// connect to the database named after the user -- for "postgres", the
// maintenance database -- and retort would migrate it. Other dialects pass.
// The error shows the URL redacted and says how to name the database.
Status CheckDatabaseNamed(const DatabaseUrl& url);

// `url` with any password replaced by "***": user:***@ in URLs, password=***
// in URL query strings and keyword strings. Never fails; text that is not a
// URL comes back unchanged unless it holds a password= pair.
std::string RedactedUrl(std::string_view url);

// Parses `url` and opens a connection. Connection errors read
// "cannot connect to <redacted url>: <driver message>". A PostgreSQL URL
// must name its database (CheckDatabaseNamed).
Result<std::unique_ptr<Connection>> Connect(const std::string& url,
                                            const ConnectOptions& options = {});
Result<std::unique_ptr<Connection>> Connect(const DatabaseUrl& url,
                                            const ConnectOptions& options = {});

}  // namespace retort

#endif  // RETORT_DIALECT_URL_H_
