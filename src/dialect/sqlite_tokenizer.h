// SQLite's SQL as tokens, for reading DDL back out of sqlite_schema
// (catalog/sqlite_ddl.h) and recognising pragmas in revision files
// (runtime/). The rules are SQLite's own lexical rules (strings, the three
// identifier quotes, blobs, numbers, comments), so a ';' or a keyword inside
// a string or a quoted name is never mistaken for syntax.
#ifndef RETORT_DIALECT_SQLITE_TOKENIZER_H_
#define RETORT_DIALECT_SQLITE_TOKENIZER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

enum class SqliteTokenKind {
  kWord,         // a bare identifier or keyword: users, CREATE, nocase
  kQuotedIdent,  // "name", [name] or `name`
  kString,       // 'text'
  kBlob,         // x'00ff'
  kNumber,       // 42, 1.5e3, 0x1f
  kVariable,     // ?, ?1, :name, @name, $name
  kPunct,        // ( ) , ; . + - * / % || <= == != -> ...
};

// SqliteToken is one token: its kind and where it sits in the source.
struct SqliteToken {
  SqliteTokenKind kind = SqliteTokenKind::kPunct;
  std::string_view text;  // as written, quotes included
  size_t offset = 0;      // byte offset in the source

  // True for a bare word equal to `keyword` ignoring ASCII case.
  bool Is(std::string_view keyword) const;
  // True for a word or a quoted identifier.
  bool IsName() const {
    return kind == SqliteTokenKind::kWord ||
           kind == SqliteTokenKind::kQuotedIdent;
  }
  // The name a word or quoted identifier stands for: quotes removed and
  // doubled quotes undone ("a""b" -> a"b); other tokens: their text.
  std::string Name() const;
};

// Splits `sql` into tokens, dropping whitespace and comments. Never fails:
// an unterminated string, quote or comment runs to the end of the input
// (SQLite itself reports those when the statement runs).
std::vector<SqliteToken> TokenizeSqlite(std::string_view sql);

// A canonical spelling of tokens [begin, end) for comparing definitions
// written differently: names lower-cased and unquoted where the quotes are
// not needed (SQLite's names are case-insensitive), keywords lower-cased,
// "==" as "=", "<>" as "!=", blobs lower-cased, one space between tokens.
// String literals and numbers are kept as written.
std::string CanonicalSqlite(const std::vector<SqliteToken>& tokens,
                            size_t begin, size_t end);

// ASCII lower case: how SQLite compares names.
std::string SqliteFold(std::string_view name);

// `name` as an SQLite identifier: bare when it is a plain identifier that
// is not a keyword, else double-quoted.
std::string QuoteSqliteIdentIfNeeded(std::string_view name);

// What a `PRAGMA [schema.]foreign_keys = <value>` (or `(<value>)`)
// statement sets: false for OFF/NO/FALSE/0, true for ON/YES/TRUE/1;
// nullopt when `statement` is not such a pragma (reading the setting, any
// other pragma, any other statement).
std::optional<bool> SqliteForeignKeysPragma(std::string_view statement);

// For `PRAGMA [schema.]foreign_key_check[(table)]`: the table it checks,
// "" for the whole database; nullopt for any other statement.
std::optional<std::string> SqliteForeignKeyCheckTarget(
    std::string_view statement);

}  // namespace retort

#endif  // RETORT_DIALECT_SQLITE_TOKENIZER_H_
