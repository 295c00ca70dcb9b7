// The exact text and JSON of the history checks.
#include "cli/hygiene_output.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

TEST(HygieneOutputTest, SingleHeadConfirmations) {
  SingleHeadResult one;
  one.branches = {{"", "", {"c3"}}};
  EXPECT_EQ(SingleHeadText(one), "One head: c3\n");
  EXPECT_EQ(SingleHeadError(one), "");
  SingleHeadResult two;
  two.branches = {{"auth", "auth", {"a2"}}, {"inventory", "", {"i3"}}};
  EXPECT_EQ(SingleHeadText(two),
            "One head per branch: a2 (auth), i3 (inventory)\n");
  SingleHeadResult none;
  none.branches = {{"", "", {}}};
  EXPECT_EQ(SingleHeadText(none), "No revisions yet: no head.\n");
}

TEST(HygieneOutputTest, SingleHeadNamesEveryBranchWithSeveralHeads) {
  SingleHeadResult r;
  r.branches = {{"auth", "auth", {"a3", "a4"}},
                {"inventory", "", {"i3"}},
                {"", "", {"m2", "m3", "m4"}}};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(SingleHeadText(r),
            "branch auth ([schemas.auth]) has 2 heads: a3, a4\n"
            "the revisions without a branch label has 3 heads: m2, m3, m4\n");
  EXPECT_EQ(SingleHeadError(r),
            "2 branches have more than one head (listed above): merge them "
            "with 'retort merge -m MESSAGE a3 a4', or make the newer "
            "revision revise the other head ('retort rebase REV --onto "
            "HEAD')");
  EXPECT_EQ(SingleHeadJson(r).dump(),
            R"({"ok":false,"branches":[{"branch":"auth","schema":"auth",)"
            R"("heads":["a3","a4"]},{"branch":"inventory","schema":"",)"
            R"("heads":["i3"]},{"branch":"","schema":"","heads":["m2","m3",)"
            R"("m4"]}]})");
}

TEST(HygieneOutputTest, SingleHeadOfAGraphWithoutLabels) {
  SingleHeadResult r;
  r.branches = {{"", "", {"b", "c"}}};
  EXPECT_EQ(SingleHeadText(r), "the revision graph has 2 heads: b, c\n");
  EXPECT_EQ(SingleHeadError(r),
            "a branch has more than one head (listed above): merge them with "
            "'retort merge -m MESSAGE b c', or make the newer revision revise "
            "the other head ('retort rebase REV --onto HEAD')");
}

TEST(HygieneOutputTest, StairwayFailureAndSummary) {
  StairwayResult r;
  r.scratch = "a temporary SQLite database file";
  r.checked = {"a", "b"};
  StairwayFailure f;
  f.revision = "b";
  f.path = "migrations/versions/b_add.sql";
  f.differences.push_back({"extra", "table main.t", "drop_table",
                           "DROP TABLE t;",
                           "table main.t is left behind by the downgrade"});
  r.failures.push_back(f);
  r.skipped.push_back({"x", "why"});
  EXPECT_EQ(StairwayText(r, /*quiet=*/true),
            "stairway: revision b (migrations/versions/b_add.sql): the "
            "downgrade does not undo the upgrade\n"
            "  extra: table main.t is left behind by the downgrade\n"
            "      DROP TABLE t;\n"
            "stairway: skipped x: why\n"
            "stairway: 2 revisions upgraded, downgraded and upgraded again in "
            "a temporary SQLite database file: 1 failure\n");
  EXPECT_EQ(StairwayError(r),
            "the downgrade of revision b (migrations/versions/b_add.sql) does "
            "not undo its upgrade: make its '-- migrate:downgrade' section "
            "undo what '-- migrate:upgrade' does (the SQL under each "
            "difference above restores the state before the upgrade)");
  EXPECT_EQ(StairwayJson(r)["failures"][0]["differences"][0]["kind"], "extra");
  r.failures.clear();
  EXPECT_EQ(StairwayText(r, /*quiet=*/true), "stairway: skipped x: why\n");
  EXPECT_EQ(StairwayError(r), "");
}

TEST(HygieneOutputTest, SquashJsonNamesParentsAsEveryRevisionJsonDoes) {
  SquashResult r;
  r.revision = "d";
  r.path = "migrations/versions/d.sql";
  r.down_revisions = {"a"};
  r.branch_labels = {"shop"};
  r.replaced = {"b", "c", "d"};
  r.removed_files = {"migrations/versions/b.sql", "migrations/versions/c.sql"};
  r.scratch = "a temporary SQLite file";
  EXPECT_EQ(SquashJson(r).dump(),
            R"({"revision":"d","path":"migrations/versions/d.sql",)"
            R"("down_revisions":["a"],"branch_labels":["shop"],)"
            R"("depends_on":[],"replaced":["b","c","d"],)"
            R"("removed_files":["migrations/versions/b.sql",)"
            R"("migrations/versions/c.sql"],"database_checked":"",)"
            R"("scratch":"a temporary SQLite file","dry_run":false})");
}

TEST(HygieneOutputTest, RebaseTextAndJson) {
  RebaseResult r;
  r.revision = "x";
  r.path = "v/x.sql";
  r.old_revises = {"a"};
  r.onto = "c";
  r.moved = {"x", "y"};
  r.dependencies = {{"d", "y"}};
  r.heads = {"y"};
  r.database_checked = "sqlite:///app.db";
  EXPECT_EQ(RebaseText(r, false),
            "Moved x, y onto c: x (v/x.sql) now revises c (it revised a)\n"
            "Head: y\n"
            "note: d depends on y, which moved; it is left as it is (a "
            "dependency is not a parent)\n");
  EXPECT_EQ(RebaseText(r, true),
            "note: d depends on y, which moved; it is left as it is (a "
            "dependency is not a parent)\n");
  EXPECT_EQ(RebaseJson(r).dump(),
            R"({"revision":"x","path":"v/x.sql","onto":"c","old_revises":)"
            R"(["a"],"moved":["x","y"],"dependencies":[{"revision":"d",)"
            R"("depends_on":"y"}],"heads":["y"],"database_checked":)"
            R"("sqlite:///app.db","nothing_to_do":false,"dry_run":false})");
  r.dry_run = true;
  r.old_revises.clear();
  r.dependencies.clear();
  r.heads = {"y", "z"};
  EXPECT_EQ(RebaseText(r, false),
            "Would move x, y onto c: x (v/x.sql) would revise c (it was a "
            "base)\n"
            "Heads: y, z (nothing was changed)\n");
  r.nothing_to_do = true;
  EXPECT_EQ(RebaseText(r, false), "x already revises c: nothing to do\n");
  EXPECT_EQ(RebaseText(r, true), "");
}

}  // namespace
}  // namespace retort
