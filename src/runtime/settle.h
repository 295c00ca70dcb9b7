// Settling the statement an interrupted non-transactional revision was
// running: a statement in autocommit can finish on the server before its
// progress row is written, or stop half way (CREATE INDEX CONCURRENTLY
// leaves an INVALID index; REINDEX CONCURRENTLY leaves "_ccnew"/"_ccold"
// indexes). The catalog tells, for the statements it can, whether the
// statement finished, and what to drop before running it again.
#ifndef RETORT_RUNTIME_SETTLE_H_
#define RETORT_RUNTIME_SETTLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// Settlement is what the catalog says about one interrupted statement.
struct Settlement {
  enum class Outcome {
    kDone,     // it finished: do not run it again
    kRerun,    // it did not finish: run `cleanup`, then run it again
    kUnknown,  // the catalog cannot tell: a person must check
  };
  Outcome outcome = Outcome::kUnknown;
  // Statements to run first, in autocommit (DROP INDEX CONCURRENTLY of an
  // INVALID leftover).
  std::vector<std::string> cleanup;
  // What the catalog showed, for the log ("index ix4 on public.t exists and
  // is valid"); for kUnknown, what to check.
  std::string said;
};

// Reads the catalog about `statement` (PostgreSQL; SQLite statements are
// settled only when `failed`). `failed` says the statement is known to have
// failed (its transaction rolled back): only leftovers are cleaned up.
Result<Settlement> SettleStatement(Connection& db, std::string_view statement,
                                   bool failed);

}  // namespace retort

#endif  // RETORT_RUNTIME_SETTLE_H_
