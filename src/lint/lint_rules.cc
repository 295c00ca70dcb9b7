// The rule table of `retort lint` (docs/lint.md shows the same table; a test
// keeps the two in step).
#include <algorithm>

#include "lint/lint.h"

namespace retort {

const char* LintSeverityName(LintSeverity severity) {
  return severity == LintSeverity::kError ? "error" : "warning";
}

const std::vector<LintRuleInfo>& LintRules() {
  using S = LintSeverity;
  static const std::vector<LintRuleInfo>* rules = new std::vector<LintRuleInfo>{
      {"drop-table", S::kError, "DROP TABLE of a table that holds data",
       "The rows are gone for good, and code still deployed that reads the "
       "table fails at once. Stop using the table in the application first, "
       "keep a backup or rename it aside for a release, then drop it in a "
       "revision of its own."},
      {"drop-column", S::kError, "ALTER TABLE ... DROP COLUMN",
       "The column's data is lost, and application instances still running "
       "that select or insert the column fail until they are replaced. Stop "
       "reading and writing the column in a release first (ignore it in the "
       "ORM), then drop it in a later revision."},
      {"drop-schema", S::kError, "DROP SCHEMA",
       "Every object in the schema goes with it (with CASCADE, silently). "
       "Drop the objects one by one in revisions that say what they remove, "
       "or make sure the schema is empty."},
      {"truncate", S::kError, "TRUNCATE",
       "Deletes every row under an ACCESS EXCLUSIVE lock, and a downgrade "
       "cannot bring the rows back. Delete in batches with a WHERE clause, "
       "or move the data aside first."},
      {"alter-column-type", S::kError,
       "ALTER COLUMN ... TYPE that rewrites the table",
       "Unless the old type is binary-coercible to the new one (varchar(n) "
       "to text or to a longer varchar, numeric to a higher precision), "
       "PostgreSQL rewrites the whole table and rebuilds its indexes while "
       "holding ACCESS EXCLUSIVE: no reads, no writes until it ends. Add a "
       "new column, backfill it in batches, switch the application over, "
       "then drop the old column."},
      {"add-column-volatile-default", S::kError,
       "ADD COLUMN whose default must be computed row by row",
       "A volatile default (random(), gen_random_uuid(), clock_timestamp(), "
       "a serial's nextval()), a stored generated column or an identity "
       "column makes PostgreSQL rewrite the table under ACCESS EXCLUSIVE (on "
       "PostgreSQL 10 and older, any default does). Add the column without "
       "the default, set the default in a second statement, and backfill "
       "existing rows in batches."},
      {"set-not-null", S::kError,
       "SET NOT NULL without a validated CHECK (col IS NOT NULL)",
       "PostgreSQL scans the whole table to prove there is no NULL, holding "
       "ACCESS EXCLUSIVE all along. Add CHECK (col IS NOT NULL) NOT VALID, "
       "VALIDATE CONSTRAINT it (a scan that lets reads and writes go on), "
       "then SET NOT NULL skips its scan (PostgreSQL 12+); drop the check "
       "afterwards."},
      {"create-index-non-concurrent", S::kError,
       "CREATE INDEX without CONCURRENTLY on an existing table",
       "A plain CREATE INDEX holds a SHARE lock for the whole build: every "
       "INSERT, UPDATE and DELETE on the table waits. CREATE INDEX "
       "CONCURRENTLY builds it while writes go on (retort runs such a "
       "revision outside a transaction). Tables created earlier in the same "
       "revision are empty and not flagged."},
      {"add-unique-without-index", S::kError,
       "ADD UNIQUE or PRIMARY KEY that builds its index in the statement",
       "ALTER TABLE ... ADD UNIQUE / PRIMARY KEY (or ADD COLUMN ... UNIQUE) "
       "builds the unique index while holding ACCESS EXCLUSIVE: no reads, no "
       "writes until the build ends. Build the index first with CREATE "
       "UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX "
       "(or PRIMARY KEY USING INDEX, after the columns are NOT NULL), which "
       "only takes the lock for a moment."},
      {"drop-index-non-concurrent", S::kWarning,
       "DROP INDEX without CONCURRENTLY on an existing table",
       "A plain DROP INDEX takes ACCESS EXCLUSIVE on the index's table. The "
       "drop itself is quick, but while it waits for a long query to finish "
       "every query on the table queues behind it. DROP INDEX CONCURRENTLY "
       "waits without blocking anyone (retort runs such a revision outside a "
       "transaction)."},
      {"constraint-without-not-valid", S::kError,
       "ADD FOREIGN KEY or CHECK without NOT VALID",
       "Adding the constraint checks every existing row while holding a lock "
       "that blocks writes (ACCESS EXCLUSIVE for a CHECK, SHARE ROW "
       "EXCLUSIVE on both tables for a foreign key). Add it NOT VALID (new "
       "rows are checked at once, at no cost), then ALTER TABLE ... VALIDATE "
       "CONSTRAINT in a later statement or revision, which lets reads and "
       "writes go on."},
      {"rename-table", S::kWarning, "ALTER TABLE ... RENAME TO",
       "Application instances still running use the old name and fail until "
       "they are replaced. Create a view under the old name for the "
       "transition, or rename in a release of its own once no code uses the "
       "old name."},
      {"rename-column", S::kWarning, "ALTER TABLE ... RENAME COLUMN",
       "Queries of the deployed code that name the column fail until every "
       "instance runs the new code. Add the new column, write both, backfill, "
       "move the readers, then drop the old one."},
      {"enum-add-value-in-transaction", S::kWarning,
       "ALTER TYPE ... ADD VALUE inside a transaction",
       "PostgreSQL 11 and older refuse ALTER TYPE ... ADD VALUE inside a "
       "transaction block, and no version lets the same transaction use the "
       "new value. Put it in a revision with \"Transactional: false\", or "
       "make sure the servers are PostgreSQL 12 or newer (with a database "
       "reachable, lint asks it)."},
      {"lock-timeout-disabled", S::kWarning,
       "lock_timeout is 0 where a statement locks an existing table",
       "With no lock_timeout, a statement waiting for its lock behind a long "
       "transaction waits forever, and every query on the table queues "
       "behind it: an outage. Keep a lock_timeout (retort's default, or a "
       "few seconds) and retry, rather than setting it to 0."},
      {"irreversible-downgrade", S::kWarning,
       "an empty downgrade section without \"-- retort: empty\"",
       "Downgrading through this revision changes the version table and "
       "nothing else, so the schema and the version table disagree "
       "afterwards. Write the downgrade, or say \"-- retort: empty\" in the "
       "section when there is deliberately nothing to undo."},
      {"unparsed-statement", S::kWarning,
       "a statement PostgreSQL's parser (libpg_query, PostgreSQL 15) rejects",
       "lint could not read the statement, so no rule checked it. It may be "
       "newer syntax than PostgreSQL 15's or a syntax error the server will "
       "report when the revision runs."},
  };
  return *rules;
}

const LintRuleInfo* FindLintRule(std::string_view id) {
  const auto& rules = LintRules();
  auto it = std::find_if(rules.begin(), rules.end(),
                         [&](const LintRuleInfo& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

int LintResult::errors() const {
  return static_cast<int>(std::count_if(
      findings.begin(), findings.end(),
      [](const LintFinding& f) { return f.severity == LintSeverity::kError; }));
}

int LintResult::warnings() const {
  return static_cast<int>(findings.size()) - errors();
}

}  // namespace retort
