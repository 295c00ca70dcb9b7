// The bad-input catalog: every way a user can get retort's input wrong that
// we know of -- command line, URLs, retort.toml, revision headers, markers,
// directives, the graph, placeholders, schemas -- each with the exact
// message, the exit code, and proof that the database was left as it was,
// on PostgreSQL and on SQLite. docs/errors.md is this table for users:
// BadInputs.DocsMatchTheTable fails when they differ, and
// RETORT_UPDATE_ERRORS_DOC=1 rewrites the doc from the table.
//
// Each case runs the retort binary in a fresh project whose retort.toml
// names one shared database per dialect. That database is at revision
// 000000000001 (table t0) before every case, and must be byte for byte the
// same schema, version rows and history after it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "dialect/dialect.h"
#include "dialect/url.h"
#include "pg_harness.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

enum Dialects { kPg = 1, kLite = 2, kBoth = 3 };

// The project a case runs in: a TempProject whose retort.toml names the
// dialect's shared database, with revision 000000000001 (applied there).
struct Project {
  TempProject p;
  std::string url;       // the shared database
  std::string redacted;  // as messages show it
  bool pg = true;

  void Toml(const std::string& extra) const {
    p.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                   url + "\"\n" + extra);
  }
  void Rev(const std::string& id, const std::string& revises,
           const std::string& up, const std::string& down,
           const std::string& header = "", const std::string& file = "") const {
    p.WriteFile("migrations/versions/" + (file.empty() ? id : file) + ".sql",
                "-- rev " + id + "\n--\n-- Revision ID: " + id +
                    "\n-- Revises: " + revises +
                    "\n-- Branch Labels:\n-- Depends On:\n"
                    "-- Create Date: 2026-11-21 10:00:00.000000\n" +
                    header + "\n-- migrate:upgrade\n" + up +
                    "\n\n-- migrate:downgrade\n" + down + "\n");
  }
  // A pending revision 000000000002 (table t2) over the applied one.
  void Pending(const std::string& up = "CREATE TABLE t2 (id int);",
               const std::string& down = "DROP TABLE t2;") const {
    Rev("000000000002", "000000000001", up, down);
  }
  void Raw(const std::string& rel, const std::string& text) const {
    p.WriteFile(rel, text);
  }
};

struct Case {
  const char* area;
  const char* what;  // what is wrong, as the docs say it
  int dialects;
  std::function<void(const Project&)> setup;
  std::vector<std::string> args;
  int exit_code;
  // Exact stderr. "{url}" stands for the database URL as printed, "{dir}"
  // for the project's folder.
  std::string err = "";
  // SQLite's stderr when it differs from `err` (the database's own words).
  std::string err_sqlite = "";
  // When set: stdout must contain it (cases handled without an error).
  std::string out_contains = "";
  std::map<std::string, std::string> env = {};
};

std::string Header(const std::string& id, const std::string& revises) {
  return "-- rev\n--\n-- Revision ID: " + id + "\n-- Revises: " + revises +
         "\n-- Branch Labels:\n-- Depends On:\n"
         "-- Create Date: 2026-11-21 10:00:00.000000\n";
}

const char* kV = "migrations/versions/";

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> c;
    auto none = [](const Project&) {};
    auto pending = [](const Project& p) { p.Pending(); };
    // ---------------------------------------------------------------- CLI
    c.push_back(
        {"command line",
         "an unknown command",
         kBoth,
         none,
         {"frobnicate"},
         2,
         "error: unknown command 'frobnicate' (see 'retort --help')\n"});
    c.push_back({"command line",
                 "a misspelt command",
                 kBoth,
                 none,
                 {"upgarde", "head"},
                 2,
                 "error: unknown command 'upgarde'; did you mean 'upgrade'? "
                 "(see 'retort --help')\n"});
    c.push_back({"command line",
                 "an unknown flag",
                 kBoth,
                 none,
                 {"upgrade", "head", "--frob"},
                 2,
                 "error: unknown option '--frob' for 'upgrade' (see 'retort "
                 "upgrade --help')\n"});
    c.push_back({"command line",
                 "a mistyped flag",
                 kBoth,
                 none,
                 {"upgrade", "head", "--sqll"},
                 2,
                 "error: unknown option '--sqll' for 'upgrade'; did you mean "
                 "'--sql'? (see 'retort upgrade --help')\n"});
    c.push_back({"command line",
                 "a mistyped revision",
                 kBoth,
                 none,
                 {"upgrade", "-q", "haed"},
                 1,
                 "error: Can't locate revision identified by 'haed'; did you "
                 "mean 'head'?\n"});
    c.push_back({"command line",
                 "upgrade without a target",
                 kBoth,
                 none,
                 {"upgrade"},
                 2,
                 "error: revision is required (see 'retort --help')\n"});
    c.push_back({"command line",
                 "downgrade without a target",
                 kBoth,
                 none,
                 {"downgrade"},
                 2,
                 "error: revision is required (see 'retort --help')\n"});
    c.push_back({"command line",
                 "stamp without a revision",
                 kBoth,
                 none,
                 {"stamp"},
                 2,
                 "error: revisions is required (see 'retort --help')\n"});
    c.push_back({"command line",
                 "upgrade with two targets",
                 kBoth,
                 pending,
                 {"upgrade", "head", "000000000002"},
                 2,
                 "error: The following argument was not expected: 000000000002 "
                 "(see 'retort --help')\n"});
    c.push_back(
        {"command line",
         "-x without '='",
         kBoth,
         none,
         {"-x", "schema", "current"},
         2,
         "error: -x 'schema': expected KEY=VALUE, e.g. -x schema=auth (see "
         "'retort --help')\n"});
    c.push_back(
        {"command line",
         "--format neither text nor json",
         kBoth,
         none,
         {"--format", "yaml", "current"},
         2,
         "error: --format: yaml not in {text,json} (see 'retort --help')\n"});
    c.push_back({"command line",
                 "-c naming a missing file",
                 kBoth,
                 none,
                 {"-c", "missing.toml", "current"},
                 1,
                 "error: no configuration file 'missing.toml'; run 'retort "
                 "init' to create a project, or pass -c FILE\n"});
    c.push_back(
        {"command line",
         "history -r without ':'",
         kBoth,
         none,
         {"history", "-r", "000000000001"},
         1,
         "error: History range requires [start]:[end], [start]:, or :[end]\n"});
    c.push_back({"command line",
                 "a range online",
                 kBoth,
                 pending,
                 {"upgrade", "000000000001:000000000002"},
                 1,
                 "Database {url}, version table alembic_version\nerror: Range "
                 "revision not allowed\n"});
    c.push_back({"command line",
                 "downgrade --sql without a range",
                 kBoth,
                 none,
                 {"downgrade", "-1", "--sql"},
                 1,
                 "error: downgrade with --sql requires <fromrev>:<torev>\n"});
    c.push_back({"command line",
                 "stamp --purge with --sql",
                 kBoth,
                 none,
                 {"stamp", "--purge", "--sql", "000000000001"},
                 1,
                 "error: Can't use --purge with --sql mode\n"});
    c.push_back({"command line",
                 "--jobs 0",
                 kBoth,
                 none,
                 {"upgrade", "head", "--all-schemas", "--jobs", "0"},
                 2,
                 "error: --jobs: Value 0 not in range 1 to 1000 (see 'retort "
                 "--help')\n"});
    c.push_back({"command line",
                 "--jobs not a number",
                 kBoth,
                 none,
                 {"upgrade", "head", "--all-schemas", "--jobs", "x"},
                 2,
                 "error: --jobs: Value x not in range 1 to 1000 (see 'retort "
                 "--help')\n"});
    c.push_back({"command line",
                 "--tenants and --all-schemas together",
                 kBoth,
                 none,
                 {"upgrade", "head", "--tenants", "--all-schemas"},
                 2,
                 "error: --tenants and --all-schemas cannot be combined (see "
                 "'retort --help')\n"});
    c.push_back({"command line",
                 "--tenants without [tenants]",
                 kBoth,
                 none,
                 {"upgrade", "head", "--tenants"},
                 1,
                 "error: --tenants needs a [tenants] section in retort.toml "
                 "saying where the tenant list comes from (schemas, "
                 "schemas_query or schemas_like)\n"});
    c.push_back(
        {"command line",
         "--targets naming no target",
         kBoth,
         none,
         {"upgrade", "head", "--targets", "nosuch"},
         1,
         "error: unknown target 'nosuch' (no targets are configured)\n"});
    c.push_back({"command line",
                 "--url empty",
                 kBoth,
                 none,
                 {"--url", "", "current"},
                 2,
                 "error: --url: empty; pass a database URL, or leave --url out "
                 "to use retort.toml's (see 'retort --help')\n"});
    // ------------------------------------------------------ revision ids
    c.push_back({"revision argument",
                 "upgrade ''",
                 kBoth,
                 pending,
                 {"upgrade", ""},
                 1,
                 "error: empty revision for upgrade; name one: head, heads, "
                 "+1, or an id from \"retort history\"\n"});
    c.push_back({"revision argument",
                 "downgrade ''",
                 kBoth,
                 none,
                 {"downgrade", ""},
                 1,
                 "error: empty revision for downgrade; name one: -1, base, or "
                 "an id from \"retort history\"\n"});
    c.push_back({"revision argument",
                 "stamp ''",
                 kBoth,
                 pending,
                 {"stamp", ""},
                 1,
                 "error: empty revision for stamp; name one: head, heads, "
                 "base, or an id from \"retort history\"\n"});
    c.push_back({"revision argument",
                 "stamp of a blank and a revision",
                 kBoth,
                 pending,
                 {"stamp", "000000000002", " "},
                 1,
                 "error: empty revision for stamp; name one: head, heads, "
                 "base, or an id from \"retort history\"\n"});
    c.push_back({"revision argument",
                 "an unknown revision",
                 kBoth,
                 pending,
                 {"upgrade", "abcdef"},
                 1,
                 "Database {url}, version table alembic_version\nerror: Can't "
                 "locate revision identified by 'abcdef'\n"});
    c.push_back({"revision argument",
                 "a partial id under four characters",
                 kBoth,
                 pending,
                 {"upgrade", "abc"},
                 1,
                 "Database {url}, version table alembic_version\nerror: Can't "
                 "locate revision identified by 'abc'\n"});
    c.push_back(
        {"revision argument",
         "an ambiguous partial id",
         kBoth,
         pending,
         {"upgrade", "00000000000"},
         1,
         "Database {url}, version table alembic_version\nerror: revision "
         "'00000000000' is ambiguous: it is the start of 2 revisions or labels "
         "(000000000001, 000000000002); give more characters of the id\n"});
    c.push_back({"revision argument",
                 "an ambiguous partial id to show",
                 kBoth,
                 pending,
                 {"show", "0000"},
                 1,
                 "error: revision '0000' is ambiguous: it is the start of 2 "
                 "revisions or labels (000000000001, 000000000002); give more "
                 "characters of the id\n"});
    c.push_back({"revision argument",
                 "+N past the head",
                 kBoth,
                 pending,
                 {"upgrade", "+5"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "Relative revision +5 didn't produce 5 migrations\n"});
    c.push_back({"revision argument",
                 "-N below base",
                 kBoth,
                 none,
                 {"downgrade", "-5"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "Relative revision -5 didn't produce 5 migrations\n"});
    c.push_back({"revision argument",
                 "an unknown branch",
                 kBoth,
                 pending,
                 {"upgrade", "nosuch@head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: Can't "
                 "locate revision identified by 'nosuch'\n"});
    c.push_back(
        {"revision argument",
         "head with several heads",
         kBoth,
         [](const Project& p) {
           p.Pending();
           p.Rev("000000000003", "000000000001", "CREATE TABLE t3 (id int);",
                 "DROP TABLE t3;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: Multiple head "
         "revisions are present for given argument 'head'; please specify a "
         "specific target revision, '<branchname>@head' to narrow to a "
         "specific head, or 'heads' for all heads\n"});
    c.push_back({"revision argument",
                 "a downgrade target above the current",
                 kBoth,
                 pending,
                 {"downgrade", "000000000002"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "Destination 000000000002 is not a valid downgrade target "
                 "from current head(s)\n"});
    c.push_back({"revision argument",
                 "stamp of an unknown revision",
                 kBoth,
                 none,
                 {"stamp", "abcdef"},
                 1,
                 "Database {url}, version table alembic_version\nerror: Can't "
                 "locate revision identified by 'abcdef'\n"});
    c.push_back({"revision argument",
                 "show of an unknown revision",
                 kBoth,
                 none,
                 {"show", "abcdef"},
                 1,
                 "error: Can't locate revision identified by 'abcdef'\n"});
    c.push_back({"revision argument",
                 "history range of an unknown revision",
                 kBoth,
                 none,
                 {"history", "-r", "abcdef:head"},
                 1,
                 "error: Can't locate revision identified by 'abcdef'\n"});
    c.push_back({"revision argument",
                 "revision --head of an unknown revision",
                 kBoth,
                 none,
                 {"revision", "-m", "x", "--head", "abcdef"},
                 1,
                 "error: Can't locate revision identified by 'abcdef'\n"});
    c.push_back({"revision argument",
                 "--rev-id with '-'",
                 kBoth,
                 none,
                 {"revision", "-m", "x", "--rev-id", "ab-cd"},
                 1,
                 "error: Character(s) '-' not allowed in revision identifier "
                 "'ab-cd'\n"});
    c.push_back({"revision argument",
                 "--rev-id over 32 characters",
                 kBoth,
                 none,
                 {"revision", "-m", "x", "--rev-id",
                  "abcdefabcdefabcdefabcdefabcdefabc"},
                 1,
                 "error: Revision ID 'abcdefabcdefabcdefabcdefabcdefabc' is 33 "
                 "characters; the version table's version_num column holds 32 "
                 "(VARCHAR(32), as Alembic's)\n"});
    c.push_back({"revision argument",
                 "--rev-id already used",
                 kBoth,
                 none,
                 {"revision", "-m", "x", "--rev-id", "000000000001"},
                 1,
                 "error: Revision 000000000001 is present more than once\n"});
    c.push_back({"revision argument",
                 "edit of an unknown revision",
                 kBoth,
                 none,
                 {"edit", "abcdef"},
                 1,
                 "error: Can't locate revision identified by 'abcdef'\n"});
    // -------------------------------------------------------------- URLs
    auto url = [](const std::string& u) {
      return [u](const Project& p) {
        p.Raw("retort.toml",
              "script_location = \"migrations\"\nurl = \"" + u + "\"\n");
      };
    };
    c.push_back({"database URL",
                 "no URL at all",
                 kBoth,
                 [](const Project& p) {
                   p.Raw("retort.toml", "script_location = \"migrations\"\n");
                 },
                 {"current"},
                 1,
                 "error: no database URL: set 'url' in retort.toml, set "
                 "DATABASE_URL, or pass --url\n",
                 "",
                 "",
                 {{"DATABASE_URL", ""}}});
    c.push_back(
        {"database URL",
         "a PostgreSQL URL naming no database",
         kPg,
         url("postgresql://postgres@127.0.0.1:1"),
         {"upgrade", "head"},
         1,
         "Database postgresql://postgres@127.0.0.1:1, version table "
         "alembic_version\nerror: the database URL "
         "postgresql://postgres@127.0.0.1:1 names no database, and libpq would "
         "pick the one named after the user (for postgres, the maintenance "
         "database 'postgres'); name it: postgresql://USER@HOST:PORT/DBNAME, "
         "or dbname=DBNAME in a keyword string (or set PGDATABASE)\n"});
    c.push_back(
        {"database URL",
         "a PostgreSQL URL ending in '/'",
         kPg,
         url("postgresql://postgres:pw@127.0.0.1:1/"),
         {"current"},
         1,
         "error: the database URL postgresql://postgres:***@127.0.0.1:1/ names "
         "no database, and libpq would pick the one named after the user (for "
         "postgres, the maintenance database 'postgres'); name it: "
         "postgresql://USER@HOST:PORT/DBNAME, or dbname=DBNAME in a keyword "
         "string (or set PGDATABASE)\n"});
    c.push_back(
        {"database URL",
         "a keyword string naming no database",
         kPg,
         url("host=127.0.0.1 port=1 user=postgres"),
         {"upgrade", "head"},
         1,
         "Database host=127.0.0.1 port=1 user=postgres, version table "
         "alembic_version\nerror: the database URL host=127.0.0.1 port=1 "
         "user=postgres names no database, and libpq would pick the one named "
         "after the user (for postgres, the maintenance database 'postgres'); "
         "name it: postgresql://USER@HOST:PORT/DBNAME, or dbname=DBNAME in a "
         "keyword string (or set PGDATABASE)\n"});
    c.push_back({"database URL",
                 "an unsupported scheme",
                 kBoth,
                 url("mysql://u:pw@127.0.0.1/db"),
                 {"current"},
                 1,
                 "error: unsupported database URL scheme 'mysql' in "
                 "mysql://u:***@127.0.0.1/db; retort supports postgresql:// "
                 "and sqlite://\n"});
    c.push_back({"database URL",
                 "not a URL",
                 kBoth,
                 url("game"),
                 {"current"},
                 1,
                 "error: 'game' is not a database URL; expected "
                 "postgresql://user@host/dbname, sqlite:///path.db or a libpq "
                 "'host=... dbname=...' string\n"});
    c.push_back({"database URL",
                 "an SQLite URL with a host",
                 kLite,
                 url("sqlite://host/x.db"),
                 {"current"},
                 1,
                 "error: invalid database URL sqlite://host/x.db: SQLite URLs "
                 "have no host; write sqlite:///relative/path.db or "
                 "sqlite:////absolute/path.db\n"});
    c.push_back(
        {"database URL",
         "an unknown SQLite parameter",
         kLite,
         url("sqlite:///x.db?cache=shared"),
         {"current"},
         1,
         "error: invalid database URL sqlite:///x.db?cache=shared: unsupported "
         "SQLite URL parameter 'cache' (supported: timeout, mode)\n"});
    c.push_back({"database URL",
                 "an SQLite timeout that is not a number",
                 kLite,
                 url("sqlite:///x.db?timeout=soon"),
                 {"current"},
                 1,
                 "error: invalid database URL sqlite:///x.db?timeout=soon: "
                 "timeout must be a number of seconds, got 'soon'\n"});
    c.push_back({"database URL",
                 "an SQLite mode that does not exist",
                 kLite,
                 url("sqlite:///x.db?mode=rwx"),
                 {"current"},
                 1,
                 "error: invalid database URL sqlite:///x.db?mode=rwx: mode "
                 "must be ro, rw or rwc, got 'rwx'\n"});
    c.push_back(
        {"database URL",
         "a bad percent-escape",
         kPg,
         url("postgresql://u:p%zz@127.0.0.1:1/db"),
         {"current"},
         1,
         "error: invalid database URL postgresql://u:***@127.0.0.1:1/db: bad "
         "percent-escape (write '%' as %25)\n"});
    c.push_back({"database URL",
                 "a raw '@' in the password",
                 kPg,
                 url("postgresql://u:p@ss@127.0.0.1:1/db"),
                 {"current"},
                 1,
                 "error: invalid database URL "
                 "postgresql://u:***@127.0.0.1:1/db: percent-encode '@', '/' "
                 "and '?' in the user name and password (%40, %2F, %3F)\n"});
    c.push_back({"database URL",
                 "an unknown libpq keyword",
                 kPg,
                 url("host=127.0.0.1 dbname=x frob=1"),
                 {"current"},
                 1,
                 "error: invalid database URL host=127.0.0.1 dbname=x frob=1: "
                 "invalid connection option \"frob\"\n"});
    c.push_back({"database URL",
                 "a port that is not a number",
                 kPg,
                 url("postgresql://u:pw@127.0.0.1:notaport/db"),
                 {"current"},
                 1,
                 "error: cannot connect to "
                 "postgresql://u:***@127.0.0.1:notaport/db: invalid integer "
                 "value \"notaport\" for connection option \"port\"\n"});
    c.push_back(
        {"database URL",
         "a server that is not there",
         kPg,
         url("postgresql://postgres:pw@127.0.0.1:1/db"),
         {"upgrade", "head"},
         1,
         "Database postgresql://postgres:***@127.0.0.1:1/db, version table "
         "alembic_version\nerror: cannot connect to "
         "postgresql://postgres:***@127.0.0.1:1/db: connection to server at "
         "\"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server "
         "running on that host and accepting TCP/IP connections?\n"});
    c.push_back(
        {"database URL",
         "an unset ${VAR}",
         kBoth,
         url("${RETORT_TEST_UNSET_VAR}"),
         {"current"},
         1,
         "error: retort.toml:2: environment variable 'RETORT_TEST_UNSET_VAR' "
         "is not set; set it, or write '${RETORT_TEST_UNSET_VAR:-default}'\n"});
    c.push_back({"database URL",
                 "a Vault reference without VAULT_ADDR",
                 kBoth,
                 url("vault:secret/data/app/db#url"),
                 {"current"},
                 1,
                 "error: vault:secret/data/app/db#url: VAULT_ADDR is not set; "
                 "set it to the Vault server's address, e.g. "
                 "VAULT_ADDR=https://vault.example.com:8200\n",
                 "",
                 "",
                 {{"VAULT_ADDR", ""}, {"VAULT_TOKEN", ""}}});
    c.push_back({"database URL",
                 "a database that does not exist",
                 kPg,
                 [](const Project& p) {
                   p.Raw("retort.toml",
                         "script_location = \"migrations\"\nurl = \"" +
                             WithDatabase(p.url, "no_such_db") + "\"\n");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database postgresql://postgres@127.0.0.1:{port}/no_such_db, "
                 "version table alembic_version\nerror: cannot connect to "
                 "postgresql://postgres@127.0.0.1:{port}/no_such_db: "
                 "connection to server at \"127.0.0.1\", port {port} failed: "
                 "FATAL:  database \"no_such_db\" does not exist\n"});
    // ------------------------------------------------------- retort.toml
    auto toml = [](const std::string& extra) {
      return [extra](const Project& p) { p.Toml(extra); };
    };
    c.push_back({"retort.toml",
                 "a TOML syntax error",
                 kBoth,
                 toml("transaction_per_migration = \n"),
                 {"current"},
                 1,
                 "error: retort.toml:3:29: Error while parsing key-value pair: "
                 "expected value, saw '\\n'\n"});
    c.push_back(
        {"retort.toml",
         "an unknown key",
         kBoth,
         toml("transaction_per_migrations = true\n"),
         {"current"},
         1,
         "error: retort.toml:3: unknown key 'transaction_per_migrations'; did "
         "you mean 'transaction_per_migration'?\n"});
    c.push_back({"retort.toml",
                 "a value of the wrong type",
                 kBoth,
                 toml("transaction_per_migration = \"yes\"\n"),
                 {"current"},
                 1,
                 "error: retort.toml:3: 'transaction_per_migration' must be "
                 "true or false\n"});
    c.push_back({"retort.toml",
                 "script_location that does not exist",
                 kBoth,
                 [](const Project& p) {
                   p.Raw("retort.toml",
                         "script_location = \"nowhere\"\nurl "
                         "= \"" +
                             p.url + "\"\n");
                 },
                 {"heads"},
                 1,
                 "error: {dir}/nowhere: no such folder; run \"retort init\" to "
                 "create the scripts folder, or set script_location\n"});
    c.push_back({"retort.toml",
                 "script_location naming a file",
                 kBoth,
                 [](const Project& p) {
                   p.Raw("afile", "x");
                   p.Raw("retort.toml",
                         "script_location = \"afile\"\nurl "
                         "= \"" +
                             p.url + "\"\n");
                 },
                 {"heads"},
                 1,
                 "error: {dir}/afile: not a folder; script_location must name "
                 "the scripts folder\n"});
    c.push_back({"retort.toml",
                 "a placeholder that is not a string",
                 kBoth,
                 toml("[placeholders]\nowner = 3\n"),
                 {"upgrade", "head"},
                 1,
                 "error: retort.toml:4: 'owner' must be a string\n"});
    c.push_back({"retort.toml",
                 "an unknown key in [schemas.NAME]",
                 kBoth,
                 toml("[schemas.auth]\nversion_tabel = \"v\"\n"),
                 {"current"},
                 1,
                 "error: retort.toml:4: unknown key 'version_tabel' in "
                 "[schemas.auth]; did you mean 'version_table'?\n"});
    c.push_back({"retort.toml",
                 "an unterminated ${ in a value",
                 kBoth,
                 toml("version_table = \"${X\"\n"),
                 {"current"},
                 1,
                 "error: retort.toml:3: unterminated '${' in value\n"});
    c.push_back(
        {"retort.toml",
         "-c naming alembic.ini",
         kBoth,
         [](const Project& p) {
           p.Raw("alembic.ini", "[alembic]\nscript_location = m\n");
         },
         {"-c", "alembic.ini", "current"},
         1,
         "error: alembic.ini is Alembic's configuration (an [alembic] "
         "section), not retort's: retort reads a retort.toml. To bring this "
         "project over, run 'retort init migrations' and then 'retort "
         "import-alembic alembic.ini' (docs/guides/from-alembic.md)\n"});
    c.push_back({"retort.toml",
                 "an empty version_table",
                 kBoth,
                 toml("version_table = \"\"\n"),
                 {"upgrade", "head"},
                 1,
                 "error: retort.toml:3: 'version_table' is empty; name the "
                 "table, or leave the key out for the default\n"});
    c.push_back({"retort.toml",
                 "-n naming no section",
                 kBoth,
                 none,
                 {"-n", "nosuch", "current"},
                 1,
                 "error: retort.toml: no [env.nosuch] section\n"});
    // ----------------------------------------------------- revision files
    auto file = [](const std::string& name, const std::string& text) {
      return [name, text](const Project& p) {
        p.Raw(std::string(kV) + name, text);
      };
    };
    const std::string body =
        "\n-- migrate:upgrade\nCREATE TABLE t2 (id int);\n\n"
        "-- migrate:downgrade\nDROP TABLE t2;\n";
    c.push_back({"revision header",
                 "no Revision ID",
                 kBoth,
                 file("x.sql", "-- rev\n--\n-- Revises: 000000000001\n" + body),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:1: missing \"Revision "
                 "ID\" in the header; add a line \"-- Revision ID: <id>\" to "
                 "the leading comment block\n"});
    c.push_back({"revision header",
                 "an empty file",
                 kBoth,
                 file("x.sql", ""),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:1: missing \"Revision "
                 "ID\" in the header; add a line \"-- Revision ID: <id>\" to "
                 "the leading comment block\n"});
    c.push_back({"revision header",
                 "an unknown header key",
                 kBoth,
                 file("x.sql", Header("000000000002", "000000000001") +
                                   "-- Author: me\n" + body),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:8: unknown header key "
                 "\"Author\"; known keys are Revision ID, Revises, Branch "
                 "Labels, Depends On, Create Date, Transactional, Imported "
                 "From, Import Checksum, Lock Timeout, Phase, Squashes, "
                 "Squash Checksum\n"});
    c.push_back(
        {"revision header",
         "a header key twice",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") +
                           "-- Revises: 000000000001\n" + body),
         {"heads"},
         1,
         "error: {dir}/migrations/versions/x.sql:8: duplicate header key "
         "\"Revises\" (first on line 4); keep one \"Revises\" line\n"});
    c.push_back({"revision header",
                 "a Revision ID with '@'",
                 kBoth,
                 file("x.sql", Header("ab@cd", "000000000001") + body),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:3: in \"Revision "
                 "ID\": character(s) '@' not allowed in revision identifier "
                 "\"ab@cd\"; use letters, digits and '_'\n"});
    c.push_back({"revision header",
                 "a Revision ID over 32 characters",
                 kBoth,
                 file("x.sql", Header("abcdefabcdefabcdefabcdefabcdefabc",
                                      "000000000001") +
                                   body),
                 {"upgrade", "head"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:3: Revision ID "
                 "\"abcdefabcdefabcdefabcdefabcdefabc\" is 33 characters; the "
                 "version table's version_num column holds 32 (VARCHAR(32), as "
                 "Alembic's): give the file a shorter id\n"});
    c.push_back({"revision header",
                 "the same Revision ID in two files",
                 kBoth,
                 file("x.sql", Header("000000000001", "") + body),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:3: Revision ID "
                 "\"000000000001\" is already declared in "
                 "{dir}/migrations/versions/000000000001.sql:3; give one of "
                 "the files a new id\n"});
    c.push_back({"revision header",
                 "Revises naming an unknown revision",
                 kBoth,
                 file("x.sql", Header("000000000002", "abcdef") + body),
                 {"upgrade", "head"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:4: Revision abcdef "
                 "referenced from 000000000002 is not present\n"});
    c.push_back({"revision header",
                 "a revision revising itself",
                 kBoth,
                 file("x.sql", Header("000000000002", "000000000002") + body),
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:4: Self-loop is "
                 "detected in revisions (000000000002)\n"});
    c.push_back({"revision header",
                 "a cycle",
                 kBoth,
                 [body](const Project& p) {
                   p.Raw(std::string(kV) + "x.sql",
                         Header("000000000002", "000000000003") + body);
                   p.Raw(std::string(kV) + "y.sql",
                         Header("000000000003", "000000000002") + body);
                 },
                 {"heads"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:4: Cycle is detected "
                 "in revisions (000000000002, 000000000003)\n"});
    c.push_back({"revision header",
                 "Depends On an unknown revision",
                 kBoth,
                 file("x.sql",
                      "-- rev\n--\n-- Revision ID: 000000000002\n-- Revises: "
                      "000000000001\n-- Branch Labels:\n-- Depends On: "
                      "abcdef\n" +
                          body),
                 {"upgrade", "head"},
                 1,
                 "error: {dir}/migrations/versions/x.sql:6: Dependency abcdef "
                 "referenced from 000000000002 is not present\n"});
    c.push_back(
        {"revision header",
         "a branch label used twice",
         kBoth,
         [body](const Project& p) {
           p.Raw(std::string(kV) + "x.sql",
                 "-- rev\n--\n-- Revision ID: 000000000002\n-- "
                 "Revises: 000000000001\n-- Branch Labels: auth\n" +
                     body);
           p.Raw(std::string(kV) + "y.sql",
                 "-- rev\n--\n-- Revision ID: 000000000003\n-- "
                 "Revises: \n-- Branch Labels: auth\n" +
                     body);
         },
         {"heads"},
         1,
         "error: {dir}/migrations/versions/y.sql:3: Branch name 'auth' in "
         "revision 000000000003 already used by revision 000000000002\n"});
    c.push_back(
        {"revision header",
         "Transactional neither true nor false",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") +
                           "-- Transactional: maybe\n" + body),
         {"heads"},
         1,
         "error: {dir}/migrations/versions/x.sql:8: invalid \"Transactional\" "
         "value \"maybe\"; use \"true\" or \"false\"\n"});
    c.push_back(
        {"revision header",
         "a Lock Timeout that is no duration",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") +
                           "-- Lock Timeout: soon\n" + body),
         {"upgrade", "head"},
         1,
         "error: {dir}/migrations/versions/x.sql:8: invalid \"Lock Timeout\" "
         "value \"soon\"; write a duration such as \"2s\" or \"500ms\" (units "
         "us, ms, s, min, h, d), or \"0\" for no lock timeout\n"});
    c.push_back({"versions folder",
                 "an Alembic .py revision",
                 kBoth,
                 file("abc_x.py", "revision = 'abc'\n"),
                 {"heads"},
                 1,
                 "error: 1 Alembic revision file (.py) in "
                 "{dir}/migrations/versions; convert them with retort "
                 "import-alembic (docs/guides/from-alembic.md)\n"});
    c.push_back(
        {"versions folder",
         "a dangling symlink",
         kBoth,
         [](const Project& p) {
           ASSERT_EQ(symlink("gone.sql",
                             p.p.Path("migrations/versions/x.sql").c_str()),
                     0);
         },
         {"upgrade", "head"},
         1,
         "error: {dir}/migrations/versions/x.sql: a symbolic link to gone.sql, "
         "which does not exist; restore its target or remove the link\n"});
    // ---------------------------------------------------------- sections
    c.push_back({"sections",
                 "no -- migrate:upgrade marker",
                 kBoth,
                 file("x.sql", Header("000000000002", "000000000001") +
                                   "\nCREATE TABLE t2 (id int);\n\n"
                                   "-- migrate:downgrade\nDROP TABLE t2;\n"),
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/x.sql:8: missing \"-- "
                 "migrate:upgrade\" section marker; add it on its own line "
                 "after the header, above the upgrade SQL\n"});
    c.push_back(
        {"sections",
         "no -- migrate:downgrade marker",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") +
                           "\n-- migrate:upgrade\n"
                           "CREATE TABLE t2 (id int);\n"),
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/x.sql:10: missing \"-- migrate:downgrade\" "
         "section marker; add it on its own line after the upgrade SQL (the "
         "downgrade section may be empty)\n"});
    c.push_back(
        {"sections",
         "the markers reversed",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") +
                           "\n-- migrate:downgrade\nDROP TABLE t2;\n"
                           "\n-- migrate:upgrade\n"
                           "CREATE TABLE t2 (id int);\n"),
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/x.sql:12: \"-- migrate:upgrade\" after "
         "\"-- migrate:downgrade\" (line 9); put the upgrade section first\n"});
    c.push_back(
        {"sections",
         "a marker twice",
         kBoth,
         file("x.sql", Header("000000000002", "000000000001") + body +
                           "\n-- migrate:upgrade\nSELECT 1;\n"),
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/x.sql:15: repeated \"-- migrate:upgrade\" "
         "(first on line 9); keep one upgrade section\n"});
    c.push_back({"sections",
                 "a bad file late in the plan, with transaction_per_migration",
                 kBoth,
                 [](const Project& p) {
                   p.Toml("transaction_per_migration = true\n");
                   p.Pending();
                   p.Raw(std::string(kV) + "x.sql",
                         Header("000000000003", "000000000002") +
                             "\nCREATE TABLE t3 (id int);\n");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/x.sql:8: missing \"-- "
                 "migrate:upgrade\" section marker; add it on its own line "
                 "after the header, above the upgrade SQL\n"});
    c.push_back(
        {"sections",
         "an empty upgrade section",
         kBoth,
         [](const Project& p) { p.Pending("", "DROP TABLE t2;"); },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:9: the upgrade section of "
         "000000000002 has no statements, so upgrade through it is refused as "
         "irreversible (nothing was run); write its SQL, or \"-- retort: "
         "empty\" under \"-- migrate:upgrade\" if doing nothing is right\n"});
    c.push_back({"sections",
                 "an empty downgrade section",
                 kBoth,
                 [](const Project& p) {
                   p.Rev("000000000001", "", "CREATE TABLE t0 (id int);", "");
                 },
                 {"downgrade", "base"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000001.sql:12: the downgrade "
                 "section of 000000000001 has no statements, so downgrade "
                 "through it is refused as irreversible (nothing was run); "
                 "write its SQL, or \"-- retort: empty\" under \"-- "
                 "migrate:downgrade\" if doing nothing is right\n"});
    c.push_back(
        {"sections",
         "a section of comments only",
         kBoth,
         [](const Project& p) {
           p.Pending("-- nothing yet\n/* later */", "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:9: the upgrade section of "
         "000000000002 has no statements, so upgrade through it is refused as "
         "irreversible (nothing was run); write its SQL, or \"-- retort: "
         "empty\" under \"-- migrate:upgrade\" if doing nothing is right\n"});
    c.push_back(
        {"sections",
         "-- retort: empty over statements",
         kBoth,
         [](const Project& p) {
           p.Pending("-- retort: empty\nCREATE TABLE t2 (id int);",
                     "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: the upgrade section "
         "of 000000000002 says \"-- retort: empty\" but has statements (line "
         "11); remove the directive or the statements\n"});
    c.push_back({"sections",
                 "-- retort: TODO",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("-- retort: TODO backfill the emails",
                             "DROP TABLE t2;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: upgrade "
                 "000000000002 is not ready to run: \"-- retort: TODO backfill "
                 "the emails\"; write the section's SQL by hand and remove the "
                 "directive (nothing was run)\n"});
    c.push_back({"sections",
                 "-- retort: code (a C++ function) from the CLI",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("-- retort: code", "DROP TABLE t2;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: upgrade "
                 "000000000002 is C++ code (\"-- retort: code\") and no "
                 "function is registered for it, so it cannot run here; run "
                 "it from the application that registers it "
                 "(retort::Options::code) (nothing was run)\n"});
    c.push_back({"sections",
                 "-- retort: code in --sql",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("-- retort: code", "DROP TABLE t2;");
                 },
                 {"upgrade", "head", "--sql"},
                 1,
                 "error: {dir}/migrations/versions/000000000002.sql:10: "
                 "upgrade 000000000002 is C++ code (\"-- retort: code\"), "
                 "which offline SQL cannot hold; run it from the application "
                 "that registers its function (nothing was written)\n"});
    c.push_back({"sections",
                 "-- retort: code over statements",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("-- retort: code\nCREATE TABLE t2 (id int);",
                             "DROP TABLE t2;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: the upgrade "
                 "section of 000000000002 says \"-- retort: code\" (a C++ "
                 "function runs it) but has statements (line 11); run them "
                 "from the function, or move them to a revision of their "
                 "own\n"});
    c.push_back(
        {"sections",
         "an unknown directive",
         kBoth,
         [](const Project& p) {
           p.Pending("-- retort: destructiv\nCREATE TABLE t2 (id int);",
                     "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: unknown directive "
         "\"-- retort: destructiv\"; did you mean \"-- retort: destructive\"? "
         "directives are \"TODO <reason>\", \"empty\", \"destructive\", "
         "\"blocks writes: <why>\", \"step\", \"backfill ...\", \"code\" and "
         "\"lint disable=...\"; write a plain comment as \"-- text\", without "
         "\"retort:\"\n"});
    c.push_back({"sections",
                 "-- retort: empty twice",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("-- retort: empty\n-- retort: empty",
                             "-- retort: empty");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:11: repeated \"-- "
                 "retort: empty\" (first on line 10)\n"});
    // --------------------------------------------------------- statements
    c.push_back(
        {"statements",
         "COMMIT mid-file",
         kBoth,
         [](const Project& p) {
           p.Pending(
               "CREATE TABLE t2 (id int);\nCOMMIT;\n"
               "CREATE TABLE t2b (id int);",
               "DROP TABLE t2b;\nDROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "runs COMMIT, which would end the transaction retort runs it in and "
         "leave the run half-applied (nothing was run); remove it, and start a "
         "\"-- retort: step\" where the file must commit part-way\n"});
    c.push_back(
        {"statements",
         "ROLLBACK mid-file",
         kBoth,
         [](const Project& p) {
           p.Pending("CREATE TABLE t2 (id int);\nROLLBACK;", "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "runs ROLLBACK, which would end the transaction retort runs it in and "
         "leave the run half-applied (nothing was run); remove it, and start a "
         "\"-- retort: step\" where the file must commit part-way\n"});
    c.push_back(
        {"statements",
         "BEGIN ... COMMIT around the file",
         kBoth,
         [](const Project& p) {
           p.Pending("BEGIN;\nCREATE TABLE t2 (id int);\nCOMMIT;",
                     "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "runs BEGIN, which would end the transaction retort runs it in and "
         "leave the run half-applied (nothing was run); remove it, and start a "
         "\"-- retort: step\" where the file must commit part-way\n"});
    c.push_back({"statements",
                 "COMMIT in a downgrade",
                 kBoth,
                 [](const Project& p) {
                   p.Rev("000000000001", "", "CREATE TABLE t0 (id int);",
                         "DROP TABLE t0;\nCOMMIT;");
                 },
                 {"downgrade", "base"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000001.sql:14: downgrade "
                 "000000000001 runs COMMIT, which would end the transaction "
                 "retort runs it in and leave the run half-applied (nothing "
                 "was run); remove it, and start a \"-- retort: step\" where "
                 "the file must commit part-way\n"});
    c.push_back({"statements",
                 "COMMIT in --sql",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("CREATE TABLE t2 (id int);\nCOMMIT;",
                             "DROP TABLE t2;");
                 },
                 {"upgrade", "head", "--sql"},
                 1,
                 "error: {dir}/migrations/versions/000000000002.sql:11: "
                 "upgrade 000000000002 runs COMMIT, which would end the "
                 "transaction retort runs it in and leave the run half-applied "
                 "(nothing was run); remove it, and start a \"-- retort: "
                 "step\" where the file must commit part-way\n"});
    c.push_back(
        {"statements",
         "DROP TABLE of the version table",
         kBoth,
         [](const Project& p) {
           p.Pending("DROP TABLE alembic_version;", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "runs DROP TABLE alembic_version, but that table is retort's own: it "
         "records what ran (nothing was run); remove the statement (retort "
         "stamp sets the version table)\n"});
    c.push_back(
        {"statements",
         "TRUNCATE of the history table",
         kPg,
         [](const Project& p) {
           p.Pending("TRUNCATE alembic_version_history;", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "runs TRUNCATE alembic_version_history, but that table is retort's "
         "own: it records what ran (nothing was run); remove the statement "
         "(retort stamp sets the version table)\n"});
    c.push_back(
        {"statements",
         "renaming the version table",
         kBoth,
         [](const Project& p) {
           p.Pending("ALTER TABLE alembic_version RENAME TO old;", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "runs ALTER TABLE alembic_version RENAME, but that table is retort's "
         "own: it records what ran (nothing was run); remove the statement "
         "(retort stamp sets the version table)\n"});
    c.push_back(
        {"statements",
         "a syntax error",
         kBoth,
         [](const Project& p) {
           p.Pending(
               "CREATE TABLE t2 (id int);\nCREAT TABLE t3 (id "
               "int);",
               "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "failed: ERROR 42601: syntax error at or near \"CREAT\"\n",
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "failed: ERROR SQLITE_ERROR: near \"CREAT\": syntax error\n"});
    c.push_back(
        {"statements",
         "an unterminated string",
         kPg,
         [](const Project& p) {
           p.Pending("INSERT INTO t0 VALUES ('1);", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade section: line "
         "1: unterminated quoted string at or near \"'1);\n\n\"\n"});
    c.push_back(
        {"statements",
         "a statement the database refuses",
         kBoth,
         [](const Project& p) {
           p.Pending(
               "CREATE TABLE t2 (id int);\n"
               "INSERT INTO nowhere VALUES (1);",
               "DROP TABLE t2;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "failed: ERROR 42P01: relation \"nowhere\" does not exist\n",
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:11: upgrade 000000000002 "
         "failed: ERROR SQLITE_ERROR: no such table: nowhere\n"});
    c.push_back(
        {"statements",
         "a table that already exists",
         kBoth,
         [](const Project& p) {
           p.Pending("CREATE TABLE t0 (id int);", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "failed: ERROR 42P07: relation \"t0\" already exists\n",
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "failed: ERROR SQLITE_ERROR: table t0 already exists\n"});
    // ------------------------------------------------------- placeholders
    c.push_back({"placeholders",
                 "an unknown placeholder",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("CREATE TABLE ${nope}.t2 (id int);",
                             "DROP TABLE t2;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: unknown "
                 "placeholder ${nope} (none are defined)\n"});
    c.push_back({"placeholders",
                 "${schema} without a schema",
                 kBoth,
                 [](const Project& p) {
                   p.Pending("CREATE TABLE ${schema}.t2 (id int);",
                             "DROP TABLE t2;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: unknown "
                 "placeholder ${schema} (none are defined)\n"});
    c.push_back({"placeholders",
                 "an unknown modifier",
                 kBoth,
                 [](const Project& p) {
                   p.Toml("[placeholders]\nowner = \"app\"\n");
                   p.Pending("SELECT ${owner:upper};", "SELECT 1;");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: unknown "
                 "placeholder modifier in ${owner:upper} (use ${name}, "
                 "${name:literal} or ${name:raw})\n"});
    c.push_back(
        {"placeholders",
         "an unterminated ${",
         kBoth,
         [](const Project& p) { p.Pending("SELECT '${owner';", "SELECT 1;"); },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: unterminated "
         "placeholder \"${\" (write \"$${\" for a literal \"${\")\n"});
    c.push_back(
        {"placeholders",
         "a name with a space",
         kBoth,
         [](const Project& p) { p.Pending("SELECT ${a b};", "SELECT 1;"); },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: invalid placeholder "
         "${a b} (names use letters, digits, '_', '.', '-')\n"});
    c.push_back({"placeholders",
                 "an unknown placeholder in a function body",
                 kPg,
                 [](const Project& p) {
                   p.Pending(
                       "CREATE FUNCTION f() RETURNS int AS $x$${n}$x$ "
                       "LANGUAGE sql;",
                       "DROP FUNCTION f();");
                 },
                 {"upgrade", "head"},
                 1,
                 "Database {url}, version table alembic_version\nerror: "
                 "{dir}/migrations/versions/000000000002.sql:10: unknown "
                 "placeholder ${n} (none are defined)\n"});
    c.push_back(
        {"placeholders",
         "a secret inside a function body, --sql",
         kPg,
         [](const Project& p) {
           p.Toml(
               "[placeholders]\napp_pw = { value = \"s3cr3t\", "
               "secret = true }\n");
           p.Pending(
               "CREATE FUNCTION f() RETURNS text AS $x$ SELECT "
               "${app_pw:literal} $x$ LANGUAGE sql;",
               "DROP FUNCTION f();");
         },
         {"upgrade", "head", "--sql"},
         1,
         "error: {dir}/migrations/versions/000000000002.sql:10: --sql cannot "
         "write the secret placeholder ${app_pw} inside a string, a "
         "dollar-quoted body or a longer name: psql does not expand variables "
         "there (nothing was written); use it as a whole value "
         "(${app_pw:literal}) or run this upgrade online\n"});
    c.push_back(
        {"placeholders",
         "a secret in --sql for SQLite",
         kLite,
         [](const Project& p) {
           p.Toml(
               "[placeholders]\napp_pw = { value = \"s3cr3t\", "
               "secret = true }\n");
           p.Pending("INSERT INTO t0 VALUES (length(${app_pw:literal}));",
                     "DELETE FROM t0;");
         },
         {"upgrade", "head", "--sql"},
         1,
         "error: {dir}/migrations/versions/000000000002.sql:10: --sql cannot "
         "write the secret placeholder ${app_pw} for SQLite, whose shell has "
         "no variables (nothing was written); run this upgrade online\n"});
    c.push_back(
        {"placeholders",
         "a secret in a failing statement",
         kBoth,
         [](const Project& p) {
           p.Toml(
               "[placeholders]\napp_pw = { value = \"s3cr3t\", "
               "secret = true }\n");
           p.Pending("SELECT * FROM ${app_pw:raw};", "SELECT 1;");
         },
         {"upgrade", "head"},
         1,
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "failed: ERROR 42P01: relation \"***\" does not exist\n",
         "Database {url}, version table alembic_version\nRunning upgrade "
         "000000000001 -> 000000000002, rev 000000000002\nerror: "
         "{dir}/migrations/versions/000000000002.sql:10: upgrade 000000000002 "
         "failed: ERROR SQLITE_ERROR: no such table: ***\n"});
    c.push_back({"placeholders",
                 "a placeholder table without a value",
                 kBoth,
                 toml("[placeholders]\napp_pw = { secret = true }\n"),
                 {"upgrade", "head"},
                 1,
                 "error: retort.toml:4: placeholder 'app_pw' has no value; "
                 "write app_pw = { value = \"...\", secret = true }\n"});
    c.push_back(
        {"placeholders",
         "secret that is not true or false",
         kBoth,
         toml("[placeholders]\napp_pw = { value = \"x\", secret = "
              "\"yes\" }\n"),
         {"upgrade", "head"},
         1,
         "error: retort.toml:4: 'app_pw.secret' must be true or false\n"});
    c.push_back({"placeholders",
                 "an unknown key in a placeholder table",
                 kBoth,
                 toml("[placeholders]\napp_pw = { value = \"x\", secrte = "
                      "true }\n"),
                 {"upgrade", "head"},
                 1,
                 "error: retort.toml:4: unknown key 'secrte' in "
                 "[placeholders.app_pw]; did you mean 'secret'?\n"});
    // ------------------------------------------------------------ schemas
    c.push_back(
        {"schemas",
         "--schema naming nothing",
         kBoth,
         pending,
         {"--schema", "nosuch", "upgrade", "head"},
         1,
         "error: --schema nosuch: no schema nosuch in the database, and it is "
         "neither a [tenants] schema nor a branch label of this project (a new "
         "schema's first revision carries its name as branch label; or declare "
         "it with a [schemas.nosuch] section)\n"});
    c.push_back(
        {"schemas",
         "-x schema= naming nothing",
         kBoth,
         pending,
         {"-x", "schema=nosuch", "upgrade", "head"},
         1,
         "error: --schema nosuch: no schema nosuch in the database, and it is "
         "neither a [tenants] schema nor a branch label of this project (a new "
         "schema's first revision carries its name as branch label; or declare "
         "it with a [schemas.nosuch] section)\n"});
    c.push_back(
        {"schemas",
         "--schema naming nothing, for current",
         kBoth,
         none,
         {"--schema", "nosuch", "current"},
         1,
         "error: --schema nosuch: no schema nosuch in the database, and it is "
         "neither a [tenants] schema nor a branch label of this project (a new "
         "schema's first revision carries its name as branch label; or declare "
         "it with a [schemas.nosuch] section)\n"});
    c.push_back({"schemas",
                 "--schema naming nothing, for heads",
                 kBoth,
                 none,
                 {"--schema", "nosuch", "heads"},
                 1,
                 "error: --schema nosuch: heads shows a schema's branch, and "
                 "this project has no branch nosuch (no [schemas.nosuch] "
                 "section, [tenants] schema or branch label of that name)\n"});
    c.push_back({"schemas",
                 "--schema and -x schema= disagreeing",
                 kBoth,
                 none,
                 {"--schema", "a", "-x", "schema=b", "current"},
                 2,
                 "error: --schema a and -x schema=b name different schemas; "
                 "give one (see 'retort --help')\n"});
    // ------------------------------------------------------------- output
    c.push_back({"output",
                 "--format json with a non-UTF-8 message",
                 kBoth,
                 [](const Project& p) {
                   p.Raw(std::string(kV) + "000000000001.sql",
                         "-- caf\xe9 au lait\n--\n-- Revision ID: "
                         "000000000001\n-- Revises:\n-- Branch Labels:\n"
                         "-- Depends On:\n\n-- migrate:upgrade\nCREATE TABLE "
                         "t0 (id int);\n\n-- migrate:downgrade\nDROP TABLE "
                         "t0;\n");
                 },
                 {"history", "--format", "json"},
                 0,
                 "",
                 "",
                 "\"caf\xef\xbf\xbd au lait\""});
    c.push_back({"output",
                 "--format json with a non-UTF-8 file name",
                 kBoth,
                 [](const Project& p) {
                   fs::remove(
                       p.p.Path("migrations/versions/"
                                "000000000001.sql"));
                   p.Raw(std::string(kV) + "caf\xe9.sql",
                         Header("000000000001", "") +
                             "\n-- migrate:upgrade\nCREATE TABLE t0 (id "
                             "int);\n\n-- migrate:downgrade\nDROP TABLE "
                             "t0;\n");
                 },
                 {"history", "-v", "--format", "json"},
                 0,
                 "",
                 "",
                 "caf\xef\xbf\xbd.sql"});
    // ------------------------------------------------------------ project
    c.push_back({"project",
                 "init into a folder that is not empty",
                 kBoth,
                 none,
                 {"init", "migrations"},
                 1,
                 "error: directory 'migrations' already exists and is not "
                 "empty; choose another directory or empty it\n"});
    c.push_back({"project",
                 "init with an unknown template",
                 kBoth,
                 none,
                 {"init", "-t", "nosuch", "elsewhere"},
                 1,
                 "error: no template named 'nosuch' (available: generic, "
                 "multischema, tenants; see 'retort list-templates')\n"});
    c.push_back({"project",
                 "import-alembic of a missing file",
                 kBoth,
                 toml("python = \"/usr/bin/python3\"\n"),
                 {"import-alembic", "nosuch.ini"},
                 1,
                 "error: import-alembic nosuch.ini: {dir}/nosuch.ini does not "
                 "exist; give the project's alembic.ini or its scripts folder "
                 "(the one holding env.py and versions/)\n"});
    return c;
  }();
  return cases;
}

// The state a case must leave as it found: schema objects, version rows
// and history rows.
std::string Fingerprint(const std::string& url) {
  auto db = Connect(url);
  if (!db.ok()) return "cannot connect: " + db.status().ToString();
  std::string sql;
  if ((*db)->dialect() == Dialect::kPostgres) {
    sql =
        "SELECT x FROM ("
        " SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || "
        "c.relkind::text AS x"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
        " UNION ALL SELECT 'schema ' || nspname FROM pg_namespace"
        " UNION ALL SELECT 'col ' || table_schema || '.' || table_name || '.' "
        "||"
        " column_name || ' ' || data_type FROM information_schema.columns"
        " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        " UNION ALL SELECT 'proc ' || proname FROM pg_proc p JOIN pg_namespace"
        " n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        " UNION ALL SELECT 'version ' || version_num FROM alembic_version"
        " UNION ALL SELECT 'history ' || count(*) FROM alembic_version_history"
        ") s ORDER BY 1";
  } else {
    sql =
        "SELECT x FROM ("
        " SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS x"
        " FROM sqlite_master"
        " UNION ALL SELECT 'version ' || version_num FROM alembic_version"
        " UNION ALL SELECT 'history ' || count(*) FROM alembic_version_history"
        ") ORDER BY 1";
  }
  auto rows = (*db)->Query(sql);
  if (!rows.ok()) return "cannot read: " + rows.status().ToString();
  std::string out;
  for (const auto& row : rows->rows) out += row[0].value_or("NULL") + "\n";
  return out;
}

// One database per dialect at revision 000000000001, for the whole suite.
struct SharedDb {
  std::unique_ptr<TempProject> holder;  // the SQLite file's folder
  std::string url;
  std::string fingerprint;
};

const SharedDb& Shared(bool pg) {
  static std::map<bool, SharedDb> dbs;
  auto it = dbs.find(pg);
  if (it != dbs.end()) return it->second;
  SharedDb db;
  db.holder = std::make_unique<TempProject>();
  db.url =
      pg ? FreshDatabaseUrl() : "sqlite:///" + db.holder->Path("shared.db");
  Project base{TempProject(), db.url, "", pg};
  base.Toml("");
  base.Rev("000000000001", "", "CREATE TABLE t0 (id int);", "DROP TABLE t0;");
  CliResult r = base.p.Run({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  db.fingerprint = Fingerprint(db.url);
  EXPECT_NE(db.fingerprint.find("version 000000000001"), std::string::npos)
      << db.fingerprint;
  return dbs.emplace(pg, std::move(db)).first->second;
}

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A C++ string literal of `s`, for RETORT_BAD_INPUTS_CAPTURE=1.
std::string Literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct Param {
  size_t index;
  bool pg;
};

class BadInputs : public ::testing::TestWithParam<Param> {};

TEST_P(BadInputs, ExactMessageExitCodeAndDatabaseUnchanged) {
  const Case& c = Cases()[GetParam().index];
  const bool pg = GetParam().pg;
  SCOPED_TRACE(std::string(c.area) + ": " + c.what);
  const SharedDb& db = Shared(pg);
  ASSERT_FALSE(db.url.empty());
  Project project{TempProject(), db.url, RedactedUrl(db.url), pg};
  project.Toml("");
  project.Rev("000000000001", "", "CREATE TABLE t0 (id int);",
              "DROP TABLE t0;");
  project.Raw("migrations/script.sql.tmpl",
              "-- ${message}\n--\n-- Revision ID: ${up_revision}\n-- Revises: "
              "${down_revision}\n-- Branch Labels: ${branch_labels}\n-- "
              "Depends On: ${depends_on}\n-- Create Date: ${create_date}\n"
              "${transactional_header}\n-- migrate:upgrade\n${upgrades}\n\n"
              "-- migrate:downgrade\n${downgrades}\n");
  c.setup(project);
  // libpq would fill in a database name from these.
  unsetenv("PGDATABASE");
  unsetenv("PGSERVICE");
  CliResult r = project.p.Run(c.args, c.env);
  std::string err = Replace(Replace(r.err, project.redacted, "{url}"),
                            project.p.dir(), "{dir}");
  if (pg) {
    // The harness's server port, where a case builds its own URL.
    auto parsed = ParseDatabaseUrl(db.url);
    if (parsed.ok() && !parsed->port.empty()) {
      err = Replace(Replace(err, ":" + parsed->port + "/", ":{port}/"),
                    "port " + parsed->port + " ", "port {port} ");
    }
  }
  if (getenv("RETORT_BAD_INPUTS_CAPTURE") != nullptr) {
    std::printf("CASE %s: %s [%s]\n  %d, %s\n", c.area, c.what,
                pg ? "pg" : "sqlite", r.exit_code, Literal(err).c_str());
  }
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  EXPECT_EQ(err, !pg && !c.err_sqlite.empty() ? c.err_sqlite : c.err);
  if (!c.out_contains.empty()) {
    EXPECT_NE(r.out.find(c.out_contains), std::string::npos) << r.out;
  }
  EXPECT_EQ(Fingerprint(db.url), db.fingerprint);
}

// docs/errors.md, from the table.
std::string Markdown(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') {
      out += "\\|";
    } else if (ch == '\n') {
      out += "<br>";
    } else {
      out += ch;
    }
  }
  return out;
}

// What the doc shows of a stderr: the error, without the log lines before
// it ("Database ..., version table ...", "Running upgrade ...").
std::string Shown(const std::string& err) {
  size_t at = err.find("error: ");
  std::string out = at == std::string::npos ? err : err.substr(at);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string RenderDoc() {
  std::string out =
      "# Errors for bad input\n\n"
      "What retort says when its input is wrong, case by case: the command,\n"
      "the exit code ([exit-codes.md](exit-codes.md)) and the exact message\n"
      "on stderr. In every case the database is left as it was: nothing is\n"
      "run, or what ran is rolled back (checked on PostgreSQL and SQLite).\n"
      "`{dir}` stands for the project's folder and `{url}` for the database\n"
      "URL as printed (its password masked). Where SQLite's words differ\n"
      "from PostgreSQL's, both are shown. Messages that come from a\n"
      "database server or a library can change with its version.\n\n"
      "This table is generated from the test that checks each case\n"
      "(`tests/bad_inputs_test.cc`, `RETORT_UPDATE_ERRORS_DOC=1\n"
      "retort_integration_tests --gtest_filter='BadInputs*'` rewrites it); a\n"
      "test fails when the two differ.\n";
  std::string area;
  for (const Case& c : Cases()) {
    if (area != c.area) {
      area = c.area;
      out += "\n## " + area +
             "\n\n| What is wrong | Command | Exit | "
             "Message |\n| --- | --- | --- | --- |\n";
    }
    std::string command = "retort";
    for (const std::string& arg : c.args) {
      command += " " + (arg.empty() || arg.find(' ') != std::string::npos
                            ? "'" + arg + "'"
                            : arg);
    }
    std::string message =
        c.err.empty() ? "(no error; " + c.out_contains + ")" : Shown(c.err);
    std::string shown = "`" + Markdown(message) + "`";
    if (c.dialects == kLite) shown = "SQLite: " + shown;
    if (c.dialects == kPg) shown = "PostgreSQL: " + shown;
    if (!c.err_sqlite.empty()) {
      shown = "PostgreSQL: " + shown + "<br>SQLite: `" +
              Markdown(Shown(c.err_sqlite)) + "`";
    }
    out += "| " + Markdown(c.what) + " | `" + Markdown(command) + "` | " +
           std::to_string(c.exit_code) + " | " + shown + " |\n";
  }
  return out;
}

TEST(BadInputsDoc, DocsMatchTheTable) {
  const std::string path = std::string(RETORT_SOURCE_DIR) + "/docs/errors.md";
  const std::string doc = RenderDoc();
  if (getenv("RETORT_UPDATE_ERRORS_DOC") != nullptr) {
    std::ofstream(path, std::ios::binary) << doc;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), doc)
      << "docs/errors.md differs from tests/bad_inputs_test.cc's table; "
         "rerun with RETORT_UPDATE_ERRORS_DOC=1";
  EXPECT_GE(Cases().size(), 100u);
}

// Secret placeholders: never printed by -v / -x debug=true, and written as
// psql variables by --sql (a header comment says how to pass them).
TEST(SecretPlaceholders, MaskedInLogsAndPsqlVariablesInSql) {
  const std::string url = FreshDatabaseUrl();
  ASSERT_FALSE(url.empty());
  Project p{TempProject(), url, RedactedUrl(url), true};
  p.Toml("[placeholders]\napp_pw = { value = \"Zq9s3cr3t\", secret = true }\n");
  p.Rev("000000000001", "",
        "CREATE TABLE t0 (pw text DEFAULT ${app_pw:literal});",
        "DROP TABLE t0;");
  CliResult sql = p.p.Run({"upgrade", "head", "--sql"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_EQ(sql.out.find("Zq9"), std::string::npos) << sql.out;
  EXPECT_TRUE(sql.out.starts_with(
      "-- Secret placeholders are psql variables in this script; pass their "
      "values to psql:\n--   psql -v app_pw=... -f <this file>\n\n"))
      << sql.out;
  EXPECT_NE(sql.out.find("CREATE TABLE t0 (pw text DEFAULT :'app_pw');"),
            std::string::npos)
      << sql.out;
  CliResult online = p.p.Run({"-x", "debug=true", "upgrade", "head"});
  ASSERT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(online.err.find("Zq9"), std::string::npos) << online.err;
  EXPECT_NE(online.err.find("DEFAULT '***'"), std::string::npos) << online.err;
  // The value itself reached the database.
  auto db = Connect(url);
  ASSERT_TRUE(db.ok());
  auto r = (*db)->Query(
      "SELECT column_default FROM information_schema.columns WHERE "
      "table_name = 't0'");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0].value_or(""), "'Zq9s3cr3t'::text");
}

std::vector<Param> AllParams() {
  std::vector<Param> out;
  for (size_t i = 0; i < Cases().size(); ++i) {
    if (Cases()[i].dialects & kPg) out.push_back({i, true});
    if (Cases()[i].dialects & kLite) out.push_back({i, false});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Catalog, BadInputs, ::testing::ValuesIn(AllParams()),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           std::string name = std::to_string(info.param.index) +
                                              "_" +
                                              Cases()[info.param.index].what;
                           std::string out;
                           for (char ch : name) {
                             out += std::isalnum(static_cast<unsigned char>(ch))
                                        ? ch
                                        : '_';
                           }
                           return out + (info.param.pg ? "_pg" : "_sqlite");
                         });

}  // namespace
}  // namespace retort::testing
