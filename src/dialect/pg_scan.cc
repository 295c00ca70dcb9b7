// ScanPostgres over pg_query_scan, whose protobuf answer is decoded with
// the generated code libpg_query ships (pg_query.pb-c.h).
#include "dialect/pg_scan.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <memory>
#include <string>

namespace retort {

Result<std::vector<PgToken>> ScanPostgres(std::string_view sql) {
  const std::string text(sql);  // pg_query_scan wants a C string
  PgQueryScanResult result = pg_query_scan(text.c_str());
  std::unique_ptr<PgQueryScanResult, void (*)(PgQueryScanResult*)> guard(
      &result, [](PgQueryScanResult* r) { pg_query_free_scan_result(*r); });
  if (result.error != nullptr) {
    return Status::InvalidArgument(result.error->message != nullptr
                                       ? result.error->message
                                       : "cannot tokenize the SQL");
  }
  PgQuery__ScanResult* scan = pg_query__scan_result__unpack(
      nullptr, result.pbuf.len,
      reinterpret_cast<const uint8_t*>(result.pbuf.data));
  if (scan == nullptr) {
    return Status::Internal("cannot decode libpg_query's scan result");
  }
  std::vector<PgToken> tokens;
  tokens.reserve(scan->n_tokens);
  for (size_t i = 0; i < scan->n_tokens; ++i) {
    const PgQuery__ScanToken* t = scan->tokens[i];
    PgToken token;
    token.token = t->token;
    token.begin = static_cast<size_t>(t->start);
    token.end = std::min(static_cast<size_t>(t->end), sql.size());
    token.text = sql.substr(token.begin, token.end - token.begin);
    switch (t->token) {
      case PG_QUERY__TOKEN__IDENT:
      case PG_QUERY__TOKEN__UIDENT:
        token.kind = PgToken::Kind::kIdentifier;
        break;
      case PG_QUERY__TOKEN__SCONST:
      case PG_QUERY__TOKEN__USCONST:
      case PG_QUERY__TOKEN__BCONST:
      case PG_QUERY__TOKEN__XCONST:
        token.kind = PgToken::Kind::kString;
        break;
      case PG_QUERY__TOKEN__SQL_COMMENT:
      case PG_QUERY__TOKEN__C_COMMENT:
        token.kind = PgToken::Kind::kComment;
        break;
      default:
        token.kind = t->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD
                         ? PgToken::Kind::kKeyword
                         : PgToken::Kind::kOther;
    }
    tokens.push_back(token);
  }
  pg_query__scan_result__free_unpacked(scan, nullptr);
  return tokens;
}

std::string IdentifierName(std::string_view identifier) {
  if (identifier.size() >= 2 && identifier.front() == '"' &&
      identifier.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < identifier.size(); ++i) {
      out += identifier[i];
      if (identifier[i] == '"') ++i;  // "" inside quotes is one "
    }
    return out;
  }
  std::string out(identifier);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace retort
