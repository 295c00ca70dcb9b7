// Tests for the shared string helpers.
#include "util/strings.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(StringsTest, SplitListTrimsAndDropsEmpty) {
  EXPECT_EQ(SplitList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_TRUE(SplitList(" , ").empty());
}

TEST(StringsTest, EditDistance) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(StringsTest, DidYouMean) {
  std::vector<std::string> cmds = {"upgrade", "downgrade", "history"};
  EXPECT_EQ(DidYouMean("upgrde", cmds), "; did you mean 'upgrade'?");
  EXPECT_EQ(DidYouMean("xyz", cmds), "");
}

}  // namespace
}  // namespace retort
