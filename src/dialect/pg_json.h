// Reading libpg_query's JSON parse trees (pg_query_parse): the parse
// result freed when it goes out of scope, and member reads that never
// throw (a missing or mistyped member reads as null, "" or false).
#ifndef RETORT_DIALECT_PG_JSON_H_
#define RETORT_DIALECT_PG_JSON_H_

#include <pg_query.h>

#include <nlohmann/json.hpp>
#include <string>

namespace retort::pgjson {

using Json = nlohmann::json;

// Owns a PgQueryParseResult: `ParseHolder parsed{pg_query_parse(sql)}`.
struct ParseHolder {
  PgQueryParseResult result;
  ~ParseHolder() { pg_query_free_parse_result(result); }
};

// node[key], or null when `node` is not an object or has no such member.
inline const Json* Member(const Json& node, const char* key) {
  if (!node.is_object()) return nullptr;
  auto it = node.find(key);
  return it == node.end() ? nullptr : &*it;
}

// node[key] as a string; "" when absent or not a string.
inline std::string StringMember(const Json& node, const char* key) {
  const Json* v = Member(node, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

// node[key] as a bool; false when absent or not a bool.
inline bool BoolMember(const Json& node, const char* key) {
  const Json* v = Member(node, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

}  // namespace retort::pgjson

#endif  // RETORT_DIALECT_PG_JSON_H_
