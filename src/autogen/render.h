// Render: operations -> SQL text. Orders statements by dependency with an
// iterative topological sort (no recursion, so a 2,000-deep foreign-key
// chain is as safe as a flat schema) and writes destructive markers and
// hints as SQL comments.
#ifndef RETORT_AUTOGEN_RENDER_H_
#define RETORT_AUTOGEN_RENDER_H_

#include <string>
#include <vector>

#include "autogen/diff.h"

namespace retort {

// OrderedOperations is the result of ordering: the operations to run, in
// order, and whether a dependency cycle forced some to be placed in their
// original order instead.
struct OrderedOperations {
  std::vector<Operation> operations;
  bool cycle = false;
};

// Orders `ops` so that every operation runs after the creation of what it
// needs, before the drop of what it uses, and drops of a key come before
// creations of the same key. Ties keep the OpKind order, then input order.
OrderedOperations OrderOperations(std::vector<Operation> ops);

// The reverses of `upgrade_ops`, ordered for a downgrade.
OrderedOperations ReverseOperations(const std::vector<Operation>& upgrade_ops);

// SQL text for already ordered operations: per operation its comments, a
// "-- retort: destructive" line when it loses data, then its statements.
// Operations without SQL or comments produce nothing. Empty for no ops.
std::string RenderSql(const std::vector<Operation>& ordered_ops);

}  // namespace retort

#endif  // RETORT_AUTOGEN_RENDER_H_
