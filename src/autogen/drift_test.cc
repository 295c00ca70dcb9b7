#include "autogen/drift.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

Operation Op(OpKind kind, std::string object, std::string sql) {
  Operation op;
  op.kind = kind;
  op.object = std::move(object);
  op.sql = std::move(sql);
  return op;
}

TEST(AutogenDrift, KindsObjectsAndMessages) {
  std::vector<Operation> ops = {
      Op(OpKind::kDropColumn, "column:public.users.nickname",
         "ALTER TABLE public.users DROP COLUMN nickname;\n"),
      Op(OpKind::kCreateIndex, "relation:public.ix_orders",
         "CREATE INDEX ix_orders ON public.orders (id);\n"),
      Op(OpKind::kAddForeignKey, "constraint:public.orders.fk_user", "X;\n"),
      Op(OpKind::kAlterColumn, "column:auth.users.email", "Y;\n"),
      Op(OpKind::kGrant, "relation:public.orders", "GRANT ...;\n"),
      Op(OpKind::kComment, "column:public.users.id", "COMMENT ...;\n"),
      // SQLite alters a table as one operation, keyed by the table.
      Op(OpKind::kAddColumn, "relation:main.users", "ALTER ...;\n"),
  };
  Operation manual = Op(OpKind::kManual, "type:public.mood", "");
  manual.comments = {"-- enum value removed: cannot be expressed", "-- (b)"};
  ops.push_back(manual);

  std::vector<DriftItem> items = DescribeDrift(ops);
  ASSERT_EQ(items.size(), ops.size());
  EXPECT_EQ(items[0].kind, DriftItem::Kind::kExtra);
  EXPECT_EQ(items[0].message,
            "column public.users.nickname is in the database but not in the "
            "migrations");
  EXPECT_EQ(items[0].sql, "ALTER TABLE public.users DROP COLUMN nickname;");
  EXPECT_EQ(items[0].operation, "drop_column");
  EXPECT_EQ(items[1].kind, DriftItem::Kind::kMissing);
  EXPECT_EQ(items[1].message,
            "index public.ix_orders is in the migrations but not in the "
            "database");
  EXPECT_EQ(items[2].object, "foreign key public.orders.fk_user");
  EXPECT_EQ(items[2].kind, DriftItem::Kind::kMissing);
  EXPECT_EQ(items[3].kind, DriftItem::Kind::kChanged);
  EXPECT_EQ(items[3].message,
            "column auth.users.email differs from the migrations");
  EXPECT_EQ(items[4].object, "privileges on relation public.orders");
  EXPECT_EQ(items[4].kind, DriftItem::Kind::kChanged);
  EXPECT_EQ(items[5].object, "comment on column public.users.id");
  EXPECT_EQ(items[6].object, "table main.users");
  EXPECT_EQ(items[6].kind, DriftItem::Kind::kChanged);
  EXPECT_EQ(items[7].object, "type public.mood");
  EXPECT_EQ(items[7].sql, "-- enum value removed: cannot be expressed\n-- (b)");
  EXPECT_STREQ(DriftKindName(DriftItem::Kind::kExtra), "extra");
  EXPECT_STREQ(DriftKindName(DriftItem::Kind::kMissing), "missing");
  EXPECT_STREQ(DriftKindName(DriftItem::Kind::kChanged), "changed");
}

}  // namespace
}  // namespace retort
