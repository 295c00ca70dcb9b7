// Splitting SQL scripts into statements with each database's own tokenizer
// (libpg_query for PostgreSQL, sqlite3_complete() for SQLite) -- never with a
// regex -- and spotting statements that cannot run inside a transaction.
#ifndef RETORT_DIALECT_SPLITTER_H_
#define RETORT_DIALECT_SPLITTER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// SqlStatement is one statement cut out of a script, with where it came
// from so errors can name a line. `text` starts at the statement's first
// token (leading whitespace and comments are dropped) and stops before its
// terminating ';' (trailing whitespace dropped).
struct SqlStatement {
  std::string text;
  size_t offset = 0;  // byte offset of text[0] in the script
  int line = 1;       // 1-based line of text[0] in the script
};

// PostgreSQL: libpg_query's parser finds the boundaries (dollar quotes,
// E'' strings, nested comments, CREATE RULE (...; ...), BEGIN ATOMIC bodies).
// When the parser rejects the script -- a syntax error, or syntax newer than
// libpg_query's PostgreSQL 15 grammar -- the scanner splits instead, so the
// server sees every statement and reports the real error with its position.
// Fails only when even the scanner cannot tokenize (an unterminated string,
// quoted identifier, dollar quote or comment): "line 3: unterminated quoted
// string at or near "'abc"".
Result<std::vector<SqlStatement>> SplitPostgresScript(std::string_view script);

// SQLite: statements end at a ';' where sqlite3_complete() agrees, so ';'
// inside strings, comments and CREATE TRIGGER ... BEGIN ... END bodies is
// safe. Never fails: an unterminated tail becomes the last statement and
// SQLite reports the error when it runs.
std::vector<SqlStatement> SplitSqliteScript(std::string_view script);

Result<std::vector<SqlStatement>> SplitScript(Dialect dialect,
                                              std::string_view script);

// Why `statement` cannot run inside a transaction block on a server of
// version `server_version` (PostgreSQL's server_version_num, e.g. 150004),
// e.g. "CREATE INDEX CONCURRENTLY"; nullopt when it can. PostgreSQL reads the
// parse tree (statements that do not parse are left to the server); SQLite
// knows only VACUUM. Several statements in `statement`: the first reason.
std::optional<std::string> OutsideTransactionReason(Dialect dialect,
                                                    std::string_view statement,
                                                    int server_version);

// PgTransactionTraits is how one PostgreSQL statement (or several) relates
// to transactions, read from a single parse: for callers that batch
// statements into a transaction of their own (autogenerate's model loader)
// and for the online run, which must know which revisions may end its own.
struct PgTransactionTraits {
  // As OutsideTransactionReason says.
  std::optional<std::string> outside_reason;
  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...: would end or nest the caller's
  // transaction.
  bool transaction_control = false;
};
// Statements that do not parse get default traits (the server reports them).
PgTransactionTraits PostgresTransactionTraits(std::string_view statement,
                                              int server_version);

// PostgreSQL shorthand for OutsideTransactionReason(...).has_value().
bool MustRunOutsideTransaction(std::string_view statement, int server_version);

// Is `statement` transaction control (BEGIN, COMMIT, END, ROLLBACK, ABORT,
// START TRANSACTION, SAVEPOINT, RELEASE, PREPARE TRANSACTION), so that a
// revision running it may end the transaction it was run in? PostgreSQL
// reads the parse tree (PgTransactionTraits::transaction_control; a
// statement that does not parse is left to the server); SQLite goes by the
// first keyword.
bool ControlsTransaction(Dialect dialect, std::string_view statement);

// Where a DbError::position (1-based characters) falls in `text`: 1-based
// line and column (in characters) and the byte offset. Positions past the
// end clamp to the end.
struct TextPosition {
  int line = 1;
  int column = 1;
  size_t byte_offset = 0;
};
TextPosition LocatePosition(std::string_view text, int char_position);

}  // namespace retort

#endif  // RETORT_DIALECT_SPLITTER_H_
