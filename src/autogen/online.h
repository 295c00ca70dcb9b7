// Online plans (`revision --autogenerate --online`, docs/online.md): the
// ordered upgrade operations of a PostgreSQL diff, rewritten so that each
// change that would hold a lock blocking writers for a scan or a rewrite of
// an existing table takes only brief locks instead, as "-- retort: step"
// blocks that commit one by one (an interrupted run resumes at the first
// unfinished step):
//   CREATE INDEX                 CONCURRENTLY (partitioned: ON ONLY the
//                                parent, each partition's index built
//                                concurrently, then attached)
//   DROP INDEX                   CONCURRENTLY
//   ADD FOREIGN KEY / CHECK      NOT VALID, then VALIDATE CONSTRAINT
//   ADD UNIQUE / PRIMARY KEY     a unique index built concurrently, then
//                                ADD CONSTRAINT ... USING INDEX
//   SET NOT NULL                 CHECK (col IS NOT NULL) NOT VALID, VALIDATE,
//                                SET NOT NULL (no scan on PostgreSQL 12+),
//                                the check dropped
//   a type change that rewrites  a new column kept in sync by a trigger, a
//                                batched backfill (-- retort: backfill), its
//                                indexes built concurrently, then a short
//                                swap: drop, rename, default, NOT NULL
// What cannot be done so is kept as it was, marked "-- retort: blocks
// writes: <why>". Changes to tables the revision creates stay as they are
// (nobody writes to them yet). The downgrade is not rewritten.
#ifndef RETORT_AUTOGEN_ONLINE_H_
#define RETORT_AUTOGEN_ONLINE_H_

#include <vector>

#include "autogen/diff.h"
#include "catalog/catalog.h"

namespace retort {

// Rewrites `ops` (ordered for the upgrade from `from` to `to`) in place as
// described above. Returns how many operations were rewritten or marked.
int PlanOnline(std::vector<Operation>* ops, const Catalog& from,
               const Catalog& to);

// Expand and contract: takes out of `ops` (ordered) the removals an
// application version still running may use -- dropped columns, tables,
// views, functions, sequences, types -- and returns them, in order, for a
// "Phase: contract" revision. A removal stays when something after it must
// follow it (its name taken again, a drop that needs it gone first), so
// what is left runs as before without it.
std::vector<Operation> TakeContractOperations(std::vector<Operation>* ops);

}  // namespace retort

#endif  // RETORT_AUTOGEN_ONLINE_H_
