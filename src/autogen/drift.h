// Drift findings: autogenerate's operations between the live database and
// the schema its migrations produce (`verify --live`), told as what differs
// rather than what to run.
#ifndef RETORT_AUTOGEN_DRIFT_H_
#define RETORT_AUTOGEN_DRIFT_H_

#include <string>
#include <vector>

#include "autogen/diff.h"

namespace retort {

// DriftItem is one difference, from one operation that would turn the live
// schema into the migrations' one.
struct DriftItem {
  enum class Kind {
    kExtra,    // in the database, not in the migrations (a drop would fix it)
    kMissing,  // in the migrations, not in the database (a create would)
    kChanged,  // in both, different
  };
  Kind kind = Kind::kChanged;
  // "column public.users.nickname", "index public.ix_orders_created".
  std::string object;
  // The operation's kind (OpKindName): "drop_column", "create_index", ...
  std::string operation;
  // What would make the database match the migrations: the operation's
  // statements, or its comments when retort cannot express it.
  std::string sql;
  // One line: the object and how it differs.
  std::string message;
};

// "extra", "missing", "changed".
const char* DriftKindName(DriftItem::Kind kind);

// One item per operation, in the operations' order.
std::vector<DriftItem> DescribeDrift(const std::vector<Operation>& operations);

}  // namespace retort

#endif  // RETORT_AUTOGEN_DRIFT_H_
