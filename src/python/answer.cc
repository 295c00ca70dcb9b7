// Non-throwing readers of the Python scripts' answers (answer.h).
#include "python/answer.h"

namespace retort {

using json = nlohmann::json;

namespace {

const json* Field(const json& answer, const char* key) {
  if (!answer.is_object()) return nullptr;
  auto it = answer.find(key);
  return it == answer.end() ? nullptr : &*it;
}

}  // namespace

bool AnswerOk(const json& answer) { return AnswerBool(answer, "ok"); }

std::string AnswerString(const json& answer, const char* key) {
  const json* v = Field(answer, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

int64_t AnswerInt(const json& answer, const char* key, int64_t fallback) {
  const json* v = Field(answer, key);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

bool AnswerBool(const json& answer, const char* key) {
  const json* v = Field(answer, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::vector<std::string> AnswerStrings(const json& answer, const char* key) {
  std::vector<std::string> out;
  const json* v = Field(answer, key);
  if (!v || !v->is_array()) return out;
  for (const json& e : *v)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

const json& AnswerObject(const json& answer, const char* key) {
  static const json* const kEmpty = new json(json::object());
  const json* v = Field(answer, key);
  return v && v->is_object() ? *v : *kEmpty;
}

const json& AnswerArray(const json& answer, const char* key) {
  static const json* const kEmpty = new json(json::array());
  const json* v = Field(answer, key);
  return v && v->is_array() ? *v : *kEmpty;
}

}  // namespace retort
