// Settings statements in model files: pg_dump's preamble (`SET
// statement_timeout = 0;` ... `SELECT pg_catalog.set_config('search_path',
// '', false);`) and Rails' structure.sql footer (`SET search_path TO
// "$user", public;`). The normaliser (model_normalize.h) takes those that
// change nothing it builds -- a setting with no effect on DDL, or set to
// the value a new session has -- and declines the rest.
#ifndef RETORT_AUTOGEN_MODEL_SETTINGS_H_
#define RETORT_AUTOGEN_MODEL_SETTINGS_H_

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace retort {

// What a settings statement does to the model statements after it.
struct SettingEffect {
  // Why it changes what follows in a way the normaliser does not follow
  // ("SET search_path to a value that changes what follows"); "" when it
  // can be taken.
  std::string declined;
  // The search_path it sets: true for pg_dump's empty one (every name
  // must then be qualified), false for the default ("$user", public);
  // nullopt when it does not set it.
  std::optional<bool> empty_search_path;
};

// `kind` is the statement's node kind ("VariableSetStmt", "SelectStmt")
// and `body` its libpg_query JSON node.
SettingEffect ReadSettingStatement(std::string_view kind,
                                   const nlohmann::json& body);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_SETTINGS_H_
