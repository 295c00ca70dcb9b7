// Drift findings from autogenerate's operations.
#include "autogen/drift.h"

#include <string_view>

#include "util/strings.h"

namespace retort {
namespace {

// What the object of an operation of `kind` is ("table", "foreign key"),
// or "" when the kind does not say (grants, comments, manual steps).
std::string_view NounOfKind(OpKind kind) {
  switch (kind) {
    case OpKind::kCreateTable:
    case OpKind::kDropTable:
    case OpKind::kRebuildTable:
    case OpKind::kAlterTable:
      return "table";
    case OpKind::kCreateView:
    case OpKind::kDropView:
      return "view";
    case OpKind::kCreateIndex:
    case OpKind::kDropIndex:
    case OpKind::kRenameIndex:
      return "index";
    case OpKind::kAddColumn:
    case OpKind::kDropColumn:
    case OpKind::kAlterColumn:
      return "column";
    case OpKind::kAddConstraint:
    case OpKind::kDropConstraint:
    case OpKind::kRenameConstraint:
      return "constraint";
    case OpKind::kAddForeignKey:
    case OpKind::kDropForeignKey:
      return "foreign key";
    case OpKind::kCreateType:
    case OpKind::kDropType:
    case OpKind::kAlterType:
      return "type";
    case OpKind::kCreateSequence:
    case OpKind::kDropSequence:
    case OpKind::kAlterSequence:
    case OpKind::kSetSequenceOwner:
    case OpKind::kSetSequenceOwned:
      return "sequence";
    case OpKind::kCreateFunction:
    case OpKind::kDropFunction:
    case OpKind::kReplaceFunction:
      return "function";
    case OpKind::kCreateTrigger:
    case OpKind::kDropTrigger:
      return "trigger";
    case OpKind::kCreatePolicy:
    case OpKind::kDropPolicy:
      return "policy";
    case OpKind::kCreateSchema:
    case OpKind::kDropSchema:
      return "schema";
    case OpKind::kCreateExtension:
    case OpKind::kDropExtension:
      return "extension";
    case OpKind::kRevoke:
    case OpKind::kGrant:
    case OpKind::kComment:
    case OpKind::kManual:
      return "";
  }
  return "";
}

DriftItem::Kind KindOf(const Operation& op) {
  // SQLite's per-table operations (a column added, dropped, or the table
  // rebuilt) change a table both sides have.
  if (op.object.starts_with("relation:") &&
      (op.kind == OpKind::kAddColumn || op.kind == OpKind::kDropColumn)) {
    return DriftItem::Kind::kChanged;
  }
  std::string_view name = OpKindName(op.kind);
  if (name.starts_with("drop_")) return DriftItem::Kind::kExtra;
  if (name.starts_with("create_") || name.starts_with("add_")) {
    return DriftItem::Kind::kMissing;
  }
  return DriftItem::Kind::kChanged;
}

std::string Object(const Operation& op) {
  std::string_view key = op.object;
  std::string_view prefix;
  if (size_t colon = key.find(':'); colon != std::string_view::npos) {
    prefix = key.substr(0, colon);
    key.remove_prefix(colon + 1);
  }
  // The kind names the object, else the key's own kind ("relation:a.b").
  // A column change keyed by its table (SQLite alters a table as one
  // operation) is about the table.
  std::string_view noun = NounOfKind(op.kind);
  if (noun == "column" && prefix == "relation") noun = "table";
  std::string object =
      std::string(noun.empty() ? prefix : noun) + " " + std::string(key);
  if (op.kind == OpKind::kComment) return "comment on " + object;
  if (op.kind == OpKind::kGrant || op.kind == OpKind::kRevoke) {
    return "privileges on " + object;
  }
  return object;
}

}  // namespace

const char* DriftKindName(DriftItem::Kind kind) {
  switch (kind) {
    case DriftItem::Kind::kExtra:
      return "extra";
    case DriftItem::Kind::kMissing:
      return "missing";
    case DriftItem::Kind::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<DriftItem> DescribeDrift(const std::vector<Operation>& operations) {
  std::vector<DriftItem> out;
  out.reserve(operations.size());
  for (const Operation& op : operations) {
    DriftItem item;
    item.kind = KindOf(op);
    item.object = Object(op);
    item.operation = std::string(OpKindName(op.kind));
    item.sql = op.sql.empty() ? Join(op.comments, "\n") : op.sql;
    while (!item.sql.empty() && item.sql.back() == '\n') item.sql.pop_back();
    switch (item.kind) {
      case DriftItem::Kind::kExtra:
        item.message =
            item.object + " is in the database but not in the migrations";
        break;
      case DriftItem::Kind::kMissing:
        item.message =
            item.object + " is in the migrations but not in the database";
        break;
      case DriftItem::Kind::kChanged:
        item.message = item.object + " differs from the migrations";
        break;
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace retort
