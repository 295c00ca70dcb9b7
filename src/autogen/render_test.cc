// Ordering and rendering of operations, independent of any catalog.
#include "autogen/render.h"

#include <gtest/gtest.h>

#include <string>

namespace retort {
namespace {

Operation Create(const std::string& key, std::set<std::string> needs,
                 OpKind kind = OpKind::kCreateTable) {
  Operation op;
  op.kind = kind;
  op.reverse_kind = OpKind::kDropTable;
  op.object = key;
  op.sql = "CREATE " + key + ";\n";
  op.reverse_sql = "DROP " + key + ";\n";
  op.reverse_destructive = true;
  op.creates = {key};
  op.after_created = std::move(needs);
  return op;
}

std::string Keys(const std::vector<Operation>& ops) {
  std::string s;
  for (const Operation& op : ops) s += op.object + " ";
  return s;
}

TEST(AutogenOrder, CreatesFollowTheirDependencies) {
  std::vector<Operation> ops = {Create("c", {"b"}), Create("b", {"a"}),
                                Create("a", {})};
  OrderedOperations up = OrderOperations(ops);
  EXPECT_FALSE(up.cycle);
  EXPECT_EQ(Keys(up.operations), "a b c ");
  OrderedOperations down = ReverseOperations(up.operations);
  EXPECT_EQ(Keys(down.operations), "c b a ");
  EXPECT_EQ(down.operations[0].sql, "DROP c;\n");
}

TEST(AutogenOrder, DeepChainNeedsNoRecursion) {
  // 100,000 links, given in the worst order: each needs the one after it.
  const int n = 100000;
  std::vector<Operation> ops;
  for (int i = 0; i < n; ++i) {
    std::set<std::string> needs;
    if (i + 1 < n) needs.insert("t" + std::to_string(i + 1));
    ops.push_back(Create("t" + std::to_string(i), needs));
  }
  OrderedOperations up = OrderOperations(std::move(ops));
  ASSERT_EQ(up.operations.size(), static_cast<size_t>(n));
  EXPECT_FALSE(up.cycle);
  EXPECT_EQ(up.operations.front().object, "t" + std::to_string(n - 1));
  EXPECT_EQ(up.operations.back().object, "t0");
}

TEST(AutogenOrder, DropComesBeforeCreateOfTheSameKey) {
  Operation drop = Create("v", {}).Reverse();
  Operation create = Create("v", {});
  OrderedOperations up = OrderOperations({create, drop});
  EXPECT_EQ(up.operations[0].sql, "DROP v;\n");
  EXPECT_EQ(up.operations[1].sql, "CREATE v;\n");
}

TEST(AutogenOrder, DropsOfDependentsComeFirst) {
  // Dropping "view" (which used "table") must precede dropping "table".
  Operation drop_table = Create("table", {}).Reverse();
  Operation drop_view =
      Create("view", {"table"}, OpKind::kCreateView).Reverse();
  OrderedOperations up = OrderOperations({drop_table, drop_view});
  EXPECT_EQ(Keys(up.operations), "view table ");
}

TEST(AutogenOrder, AKeyDroppedAndCreatedByOneOperationSitsBetween) {
  // How a column type change is ordered: the ALTER both drops and creates
  // "retype:c"; an index rebuilt around it precedes it when dropped and
  // follows it when created, whatever the kinds and input order say.
  Operation retype;
  retype.kind = OpKind::kAlterColumn;
  retype.object = "c";
  retype.sql = "ALTER c;\n";
  retype.creates = {"retype:c"};
  retype.drops = {"retype:c"};
  // Kinds that alone would order them the wrong way round.
  Operation create = Create("i", {"retype:c"}, OpKind::kRevoke);
  Operation drop = Create("i", {"retype:c"}).Reverse();
  drop.kind = OpKind::kManual;
  OrderedOperations up = OrderOperations({create, retype, drop});
  EXPECT_FALSE(up.cycle);
  ASSERT_EQ(up.operations.size(), 3u);
  EXPECT_EQ(up.operations[0].sql, "DROP i;\n");
  EXPECT_EQ(up.operations[1].sql, "ALTER c;\n");
  EXPECT_EQ(up.operations[2].sql, "CREATE i;\n");
}

TEST(AutogenOrder, CycleIsReportedNotLost) {
  OrderedOperations up =
      OrderOperations({Create("a", {"b"}), Create("b", {"a"})});
  EXPECT_TRUE(up.cycle);
  ASSERT_EQ(up.operations.size(), 2u);
  EXPECT_EQ(up.operations[0].comments.front(),
            "-- dependency cycle: this statement may need to move");
}

TEST(AutogenRender, MarkersCommentsAndEmptyOperations) {
  Operation drop = Create("t", {}).Reverse();
  drop.comments.push_back("-- hint");
  Operation silent = Create("x", {});
  silent.sql.clear();
  EXPECT_EQ(RenderSql({drop, silent, Create("u", {})}),
            "-- hint\n-- retort: destructive\nDROP t;\n\nCREATE u;\n");
  EXPECT_EQ(RenderSql({}), "");
}

}  // namespace
}  // namespace retort
