// Compare two catalogs into operations (the work is the Comparer's,
// comparer.h, one file per object family). Objects only in the target side
// get "create" operations; objects only in the current side get the
// reverses of the create operations built from the current side, so
// creation and drop can never disagree about SQL or ordering; objects on
// both sides are compared field by field. Here: the operation kinds' names,
// Operation::Reverse and which type changes keep every value.
#include "autogen/diff.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "autogen/comparer.h"
#include "dialect/dialect.h"
#include "util/walk_maps.h"

namespace retort {

Operation Operation::Reverse() const {
  Operation r = *this;
  std::swap(r.kind, r.reverse_kind);
  std::swap(r.sql, r.reverse_sql);
  std::swap(r.comments, r.reverse_comments);
  std::swap(r.destructive, r.reverse_destructive);
  std::swap(r.creates, r.drops);
  std::swap(r.after_created, r.before_dropped);
  return r;
}

Operation Operation::Make(OpKind kind, OpKind reverse_kind, std::string object,
                          std::string sql, std::string reverse_sql) {
  Operation op;
  op.kind = kind;
  op.reverse_kind = reverse_kind;
  op.object = std::move(object);
  op.sql = std::move(sql);
  op.reverse_sql = std::move(reverse_sql);
  return op;
}

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kRevoke:
      return "revoke";
    case OpKind::kDropPolicy:
      return "drop_policy";
    case OpKind::kDropTrigger:
      return "drop_trigger";
    case OpKind::kDropView:
      return "drop_view";
    case OpKind::kDropForeignKey:
      return "drop_foreign_key";
    case OpKind::kDropIndex:
      return "drop_index";
    case OpKind::kDropConstraint:
      return "drop_constraint";
    case OpKind::kSetSequenceOwner:
      return "unset_sequence_owner";
    case OpKind::kDropColumn:
      return "drop_column";
    case OpKind::kDropTable:
      return "drop_table";
    case OpKind::kDropFunction:
      return "drop_function";
    case OpKind::kDropSequence:
      return "drop_sequence";
    case OpKind::kDropType:
      return "drop_type";
    case OpKind::kDropExtension:
      return "drop_extension";
    case OpKind::kDropSchema:
      return "drop_schema";
    case OpKind::kRenameConstraint:
      return "rename_constraint";
    case OpKind::kRenameIndex:
      return "rename_index";
    case OpKind::kCreateSchema:
      return "create_schema";
    case OpKind::kCreateExtension:
      return "create_extension";
    case OpKind::kCreateType:
      return "create_type";
    case OpKind::kAlterType:
      return "alter_type";
    case OpKind::kCreateSequence:
      return "create_sequence";
    case OpKind::kAlterSequence:
      return "alter_sequence";
    case OpKind::kCreateTable:
      return "create_table";
    case OpKind::kAddColumn:
      return "add_column";
    case OpKind::kRebuildTable:
      return "rebuild_table";
    case OpKind::kAlterColumn:
      return "alter_column";
    case OpKind::kAddConstraint:
      return "add_constraint";
    case OpKind::kCreateIndex:
      return "create_index";
    case OpKind::kAddForeignKey:
      return "add_foreign_key";
    case OpKind::kSetSequenceOwned:
      return "set_sequence_owner";
    case OpKind::kCreateFunction:
      return "create_function";
    case OpKind::kReplaceFunction:
      return "replace_function";
    case OpKind::kCreateView:
      return "create_view";
    case OpKind::kCreateTrigger:
      return "create_trigger";
    case OpKind::kAlterTable:
      return "alter_table";
    case OpKind::kCreatePolicy:
      return "create_policy";
    case OpKind::kGrant:
      return "grant";
    case OpKind::kComment:
      return "comment";
    case OpKind::kManual:
      return "manual";
  }
  return "unknown";
}

namespace {

// Splits "name(args)" type text into base and modifier list.
std::pair<std::string, std::vector<long>> TypeParts(std::string_view type) {
  size_t open = type.find('(');
  if (open == std::string_view::npos || type.back() != ')') {
    return {std::string(type), {}};
  }
  std::vector<long> mods;
  std::string inner(type.substr(open + 1, type.size() - open - 2));
  size_t pos = 0;
  while (pos <= inner.size()) {
    size_t comma = inner.find(',', pos);
    if (comma == std::string::npos) comma = inner.size();
    try {
      mods.push_back(std::stol(inner.substr(pos, comma - pos)));
    } catch (...) {
      return {std::string(type), {}};
    }
    pos = comma + 1;
  }
  return {std::string(type.substr(0, open)), mods};
}

int IntegerRank(std::string_view t) {
  if (t == "smallint") return 1;
  if (t == "integer") return 2;
  if (t == "bigint") return 3;
  return 0;
}

}  // namespace

bool IsWideningTypeChange(std::string_view from_type,
                          std::string_view to_type) {
  if (from_type == to_type) return true;
  auto [from, from_mods] = TypeParts(from_type);
  auto [to, to_mods] = TypeParts(to_type);
  bool from_chars = from == "character varying" || from == "character";
  if (from_chars && to == "text") return true;
  if (from == "character varying" && to == "character varying") {
    return to_mods.empty() ||
           (!from_mods.empty() && to_mods[0] >= from_mods[0]);
  }
  if (IntegerRank(from) && IntegerRank(to)) {
    return IntegerRank(to) >= IntegerRank(from);
  }
  if (IntegerRank(from) && to == "numeric") {
    // numeric(p, 0) holds every integer of the smaller type only when p is
    // large enough; unbounded numeric always does.
    static constexpr long kDigits[] = {0, 5, 10, 19};
    return to_mods.empty() ||
           (to_mods.size() >= 1 &&
            to_mods[0] - (to_mods.size() > 1 ? to_mods[1] : 0) >=
                kDigits[IntegerRank(from)]);
  }
  if (from == "numeric" && to == "numeric") {
    if (to_mods.empty()) return true;
    if (from_mods.empty()) return false;
    long from_scale = from_mods.size() > 1 ? from_mods[1] : 0;
    long to_scale = to_mods.size() > 1 ? to_mods[1] : 0;
    return to_scale >= from_scale &&
           to_mods[0] - to_scale >= from_mods[0] - from_scale;
  }
  if (from == "real" && to == "double precision") return true;
  if ((from == "timestamp" || from == "timestamp without time zone") &&
      (to == "timestamp" || to == "timestamp without time zone")) {
    return to_mods.empty() ||
           (!from_mods.empty() && to_mods[0] >= from_mods[0]);
  }
  return false;
}

std::vector<Operation> Compare(const Catalog& from, const Catalog& to) {
  return Comparer(from, to).Run();
}

}  // namespace retort
