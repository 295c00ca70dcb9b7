#include "util/index_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace retort {
namespace {

std::vector<int> Items(const IndexList& list) {
  return std::vector<int>(list.begin(), list.end());
}

TEST(IndexList, GrowsPastTheInlineEntriesInOrder) {
  IndexList list;
  EXPECT_TRUE(list.empty());
  for (int i = 0; i < 9; ++i) list.push_back(i * 10);
  EXPECT_EQ(list.size(), 9u);
  EXPECT_EQ(Items(list), (std::vector<int>{0, 10, 20, 30, 40, 50, 60, 70, 80}));
  EXPECT_EQ(list.front(), 0);
  EXPECT_EQ(list.back(), 80);
  EXPECT_EQ(list[4], 40);
}

TEST(IndexList, CopiesAndMovesInlineAndHeapLists) {
  IndexList small;
  small.push_back(1);
  IndexList big;
  for (int i = 0; i < 5; ++i) big.push_back(i);

  IndexList small_copy = small;
  IndexList big_copy = big;
  big_copy.push_back(99);
  EXPECT_EQ(Items(small_copy), std::vector<int>{1});
  EXPECT_EQ(Items(big), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(Items(big_copy), (std::vector<int>{0, 1, 2, 3, 4, 99}));

  IndexList moved = std::move(big_copy);
  EXPECT_EQ(moved.size(), 6u);
  EXPECT_TRUE(big_copy.empty());  // NOLINT: a moved-from list is empty
  big_copy.push_back(7);          // and usable
  EXPECT_EQ(Items(big_copy), std::vector<int>{7});

  moved = small;  // heap list assigned an inline one
  EXPECT_EQ(Items(moved), std::vector<int>{1});
  small_copy = std::move(big);  // inline list takes a heap one
  EXPECT_EQ(Items(small_copy), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(IndexList, ContainsRemoveAndClear) {
  IndexList list;
  for (int x : {3, 1, 3, 2, 3}) list.push_back(x);
  EXPECT_TRUE(list.contains(2));
  EXPECT_FALSE(list.contains(4));
  list.remove(3);
  EXPECT_EQ(Items(list), (std::vector<int>{1, 2}));
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.contains(1));
}

}  // namespace
}  // namespace retort
