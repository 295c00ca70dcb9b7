// Reading the JSON answers of retort's Python scripts. An answer comes from
// another process: any field may be missing or of another type, and
// nlohmann's own accessors throw (or, for operator[] on a const object,
// misbehave) when it is. These never throw: a missing or mistyped field
// reads as empty, so a broken answer ends as a clear error, not an abort.
#ifndef RETORT_PYTHON_ANSWER_H_
#define RETORT_PYTHON_ANSWER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace retort {

// answer["ok"] is true (and a boolean).
bool AnswerOk(const nlohmann::json& answer);
// The string at `key`; "" when missing or not a string.
std::string AnswerString(const nlohmann::json& answer, const char* key);
// The integer at `key`; `fallback` when missing or not an integer.
int64_t AnswerInt(const nlohmann::json& answer, const char* key,
                  int64_t fallback = 0);
// The boolean at `key`; false when missing or not a boolean.
bool AnswerBool(const nlohmann::json& answer, const char* key);
// The strings of the array at `key`, skipping other elements.
std::vector<std::string> AnswerStrings(const nlohmann::json& answer,
                                       const char* key);
// The object or array at `key`; an empty one of that kind when missing or
// of another type.
const nlohmann::json& AnswerObject(const nlohmann::json& answer,
                                   const char* key);
const nlohmann::json& AnswerArray(const nlohmann::json& answer,
                                  const char* key);

}  // namespace retort

#endif  // RETORT_PYTHON_ANSWER_H_
