#include "autogen/model_settings.h"

#include <cctype>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "dialect/pg_json.h"

namespace retort {
namespace {

using json = nlohmann::json;
using pgjson::Member;
using pgjson::StringMember;

// {"String": {"sval": "x"}} and {"sval": {"sval": "x"}} -> "x".
std::string Sval(const json& node, const char* key = "String") {
  const json* inner = Member(node, key);
  return inner != nullptr ? StringMember(*inner, "sval") : "";
}

// A qualified function name: ["pg_catalog", "set_config"] -> true for
// `name` "set_config", qualified or not.
bool CallsCatalogFunction(const json& call, std::string_view name) {
  const json* names = Member(call, "funcname");
  if (names == nullptr || !names->is_array() || names->empty() ||
      names->size() > 2) {
    return false;
  }
  if (names->size() == 2 && Sval((*names)[0]) != "pg_catalog") return false;
  return Sval(names->back()) == name;
}

SettingEffect Declined(std::string why) {
  SettingEffect e;
  e.declined = std::move(why);
  return e;
}

// SET name = value, ...
SettingEffect Set(const json& body) {
  const std::string name = StringMember(body, "name");
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "kind" && it.key() != "name" && it.key() != "args") {
      return Declined("a SET, RESET or SET LOCAL of another form");
    }
  }
  if (StringMember(body, "kind") != "VAR_SET_VALUE") {
    return Declined("a SET, RESET or SET LOCAL of another form");
  }
  std::vector<std::string> values;
  if (const json* args = Member(body, "args"); args != nullptr) {
    for (const json& arg : *args) {
      const json* constant = Member(arg, "A_Const");
      if (constant != nullptr && Member(*constant, "sval") != nullptr) {
        values.push_back(Sval(*constant, "sval"));
      } else if (constant != nullptr && Member(*constant, "ival") != nullptr) {
        values.push_back(std::to_string(
            (*constant)["ival"].value("ival", int64_t{0})));
      } else {
        return Declined("a SET to a value of another kind");
      }
    }
  }
  auto is = [&values](std::initializer_list<std::string_view> accepted) {
    if (values.size() != 1) return false;
    std::string v = values[0];
    for (char& c : v) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (std::string_view a : accepted) {
      if (v == a) return true;
    }
    return false;
  };
  // No effect on DDL whatever the value.
  static const std::set<std::string, std::less<>> kAnyValue = {
      "statement_timeout",   "lock_timeout",
      "idle_in_transaction_session_timeout", "transaction_timeout",
      "client_min_messages", "row_security",
      "check_function_bodies", "application_name"};
  if (kAnyValue.count(name) && values.size() == 1) return {};
  // The value a new session has, or one that means the same here.
  if ((name == "client_encoding" && is({"utf8", "utf-8", "unicode"})) ||
      (name == "standard_conforming_strings" && is({"on", "true"})) ||
      (name == "xmloption" && is({"content"})) ||
      (name == "default_tablespace" && is({""})) ||
      (name == "default_table_access_method" && is({"heap"})) ||
      (name == "default_with_oids" && is({"false", "off"}))) {
    return {};
  }
  if (name == "search_path" &&
      (values == std::vector<std::string>{"$user", "public"} ||
       values == std::vector<std::string>{"public"})) {
    SettingEffect e;
    e.empty_search_path = false;
    return e;
  }
  return Declined("SET " + name + " to a value that changes what follows");
}

// SELECT pg_catalog.set_config('search_path', '', false)
SettingEffect SetConfig(const json& body) {
  const json* targets = Member(body, "targetList");
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "targetList" && it.key() != "limitOption" &&
        it.key() != "op") {
      return Declined("a SELECT");
    }
  }
  if (StringMember(body, "op") != "SETOP_NONE" || targets == nullptr ||
      !targets->is_array() || targets->size() != 1) {
    return Declined("a SELECT");
  }
  const json* target = Member((*targets)[0], "ResTarget");
  const json* val = target != nullptr ? Member(*target, "val") : nullptr;
  const json* call = val != nullptr ? Member(*val, "FuncCall") : nullptr;
  const json* args = call != nullptr ? Member(*call, "args") : nullptr;
  if (call == nullptr || !CallsCatalogFunction(*call, "set_config") ||
      args == nullptr || !args->is_array() || args->size() != 3) {
    return Declined("a SELECT");
  }
  const json* setting = Member((*args)[0], "A_Const");
  const json* value = Member((*args)[1], "A_Const");
  const json* local = Member((*args)[2], "A_Const");
  const json* local_value =
      local != nullptr ? Member(*local, "boolval") : nullptr;
  if (setting == nullptr || Sval(*setting, "sval") != "search_path" ||
      value == nullptr || Member(*value, "sval") == nullptr ||
      Sval(*value, "sval") != "" || local_value == nullptr ||
      local_value->value("boolval", false)) {
    return Declined("a set_config() other than pg_dump's empty search_path");
  }
  SettingEffect e;
  e.empty_search_path = true;
  return e;
}

}  // namespace

SettingEffect ReadSettingStatement(std::string_view kind, const json& body) {
  if (kind == "VariableSetStmt") return Set(body);
  if (kind == "SelectStmt") return SetConfig(body);
  return Declined("a " + std::string(kind) + " statement");
}

}  // namespace retort
