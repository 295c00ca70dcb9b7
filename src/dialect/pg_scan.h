// PostgreSQL's own lexer (libpg_query's pg_query_scan) as a list of tokens
// with their byte spans, for code that must look at SQL text token by token
// -- naming unnamed constraints, replacing a placeholder value -- without
// ever splitting or matching SQL with a regex.
#ifndef RETORT_DIALECT_PG_SCAN_H_
#define RETORT_DIALECT_PG_SCAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"

namespace retort {

// PgToken is one token of a scan: what kind it is and where it sits.
struct PgToken {
  enum class Kind {
    kIdentifier,  // users, "Users" (quotes included in the span)
    kString,      // 'text', E'text', $tag$ body $tag$
    kComment,     // -- line  or  /* block */
    kKeyword,     // any keyword, reserved or not
    kOther,       // numbers, operators, punctuation, parameters
  };
  Kind kind = Kind::kOther;
  int token = 0;          // libpg_query's PgQuery__Token value
  size_t begin = 0;       // byte offset of the first character
  size_t end = 0;         // one past the last character
  std::string_view text;  // [begin, end) of the scanned text
};

// Scans `sql` with PostgreSQL 15's lexer. Comments are tokens too. Fails
// only on what the lexer cannot tokenize (an unterminated string, quoted
// identifier, dollar quote or comment), with the lexer's message.
Result<std::vector<PgToken>> ScanPostgres(std::string_view sql);

// The name an identifier as written stands for: "Users" -> Users (""
// inside quotes is one "), users / USERS -> users (folded to lower case).
std::string IdentifierName(std::string_view identifier);

}  // namespace retort

#endif  // RETORT_DIALECT_PG_SCAN_H_
