#include "python/answer.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

using json = nlohmann::json;

TEST(PythonAnswer, MistypedFieldsReadAsEmptyAndNeverThrow) {
  const json good = json::parse(
      R"({"ok": true, "s": "x", "i": 7, "b": true, "a": ["p", 3, "q"],
          "o": {"k": 1}})");
  EXPECT_TRUE(AnswerOk(good));
  EXPECT_EQ(AnswerString(good, "s"), "x");
  EXPECT_EQ(AnswerInt(good, "i"), 7);
  EXPECT_TRUE(AnswerBool(good, "b"));
  EXPECT_EQ(AnswerStrings(good, "a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(AnswerObject(good, "o")["k"], 1);
  EXPECT_EQ(AnswerArray(good, "a").size(), 3u);

  for (const char* text :
       {R"({"ok": "yes", "s": 1, "i": "7", "b": "true", "a": {}, "o": []})",
        R"([1, 2])", R"("ok")", R"(null)", R"({})"}) {
    SCOPED_TRACE(text);
    const json bad = json::parse(text);
    EXPECT_FALSE(AnswerOk(bad));
    EXPECT_EQ(AnswerString(bad, "s"), "");
    EXPECT_EQ(AnswerInt(bad, "i", -1), -1);
    EXPECT_FALSE(AnswerBool(bad, "b"));
    EXPECT_TRUE(AnswerStrings(bad, "a").empty());
    EXPECT_TRUE(AnswerObject(bad, "o").empty());
    EXPECT_TRUE(AnswerObject(bad, "o").is_object());
    EXPECT_TRUE(AnswerArray(bad, "a").is_array());
  }
}

}  // namespace
}  // namespace retort
