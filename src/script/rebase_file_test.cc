// ReplaceRevises: one header value replaced, every other byte kept.
#include "script/rebase_file.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(RebaseFileTest, ReplacesOnlyTheRevisesValue) {
  const std::string text =
      "-- add x\n--\n-- Revision ID: x\n-- Revises: a\n-- Branch Labels:\n"
      "\n-- migrate:upgrade\nSELECT 1; -- Revises: a\n";
  auto out = ReplaceRevises(text, 4, "c", "x.sql");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "-- add x\n--\n-- Revision ID: x\n-- Revises: c\n-- Branch "
            "Labels:\n\n-- migrate:upgrade\nSELECT 1; -- Revises: a\n");
}

TEST(RebaseFileTest, KeepsCrlfAndFillsAnEmptyValue) {
  const std::string text =
      "-- m\r\n-- Revision ID: u\r\n-- Revises:\r\n-- Depends On:\r\n";
  auto out = ReplaceRevises(text, 3, "q", "u.sql");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "-- m\r\n-- Revision ID: u\r\n-- Revises: q\r\n-- Depends On:\r\n");
  out = ReplaceRevises("-- Revises : a, b", 1, "c", "m.sql");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "-- Revises : c");
}

TEST(RebaseFileTest, RefusesAnotherLine) {
  auto out = ReplaceRevises("-- m\n-- Revision ID: u\n", 2, "q", "u.sql");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "u.sql:2: rebase: expected the 'Revises' header here, found '-- "
            "Revision ID: u'");
  out = ReplaceRevises("-- m\n", 5, "q", "u.sql");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "u.sql:5: rebase: no such line for the 'Revises' header");
}

}  // namespace
}  // namespace retort
