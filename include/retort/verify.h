// What `retort verify` reports: the applied revisions compared with their
// files through the checksums the history table recorded.
#ifndef RETORT_VERIFY_H_
#define RETORT_VERIFY_H_

#include <string>
#include <vector>

#include "retort/export.h"

namespace retort {

// One applied revision that is not as it ran.
struct RETORT_EXPORT VerifyFinding {
  // "edited": the file changed since it was applied. "missing": the
  // history says it is applied but no file declares it. "unknown": the
  // version table names it, no file declares it, retort never ran it.
  // "unverified": applied with no checksum recorded (before retort took
  // over, or stamped) -- informational, not a failure. "squashed": it ran
  // as a file `retort squash` replaced, and the squashed file's "Squashes"
  // header lists the checksum recorded then (path names that file) --
  // informational, not a failure.
  std::string kind;
  std::string revision;
  std::string path;        // "" when no file declares it
  std::string recorded;    // checksum in the history table, "" if none
  std::string actual;      // checksum of the file now, "" if no file
  std::string applied_at;  // when the recorded run finished, "" if none
  std::string applied_by;  // user@host of the recorded run, "" if none
  std::string message;     // one line: what and the next step
};

// One difference between the live database and the schema its migrations
// produce (`verify --live`).
struct RETORT_EXPORT DriftFinding {
  // "extra": in the database, not in the migrations. "missing": in the
  // migrations, not in the database. "changed": in both, different.
  std::string kind;
  // "column public.users.nickname", "index public.ix_orders_created".
  std::string object;
  // Autogenerate's operation that would remove the difference:
  // "drop_column", "create_index", "alter_column", ...
  std::string operation;
  // Its SQL: what would make the database match the migrations (review it;
  // to keep the change instead, write a revision that makes it).
  std::string sql;
  std::string message;  // one line: the object and how it differs
};

// Options of `verify`.
struct RETORT_EXPORT VerifyOptions {
  // --live: also compare the live schema with the migrations replayed, up
  // to the revisions the database is at, into a scratch database
  // (autogenerate's, AutogenOptions::dev says where). Default: false.
  bool live = false;
  // --dev, as AutogenOptions::dev: "" (dev_url, else the database's own
  // server, else a throwaway cluster), "ephemeral", or a URL. Default: "".
  std::string dev;
};

// VerifyResult is what `verify` found for one version table.
struct RETORT_EXPORT VerifyResult {
  std::string version_table;       // as qualified in SQL
  std::vector<std::string> heads;  // its rows
  size_t applied = 0;              // applied revisions that have a file
  size_t verified = 0;             // ... whose recorded checksum matches
  bool history_table = false;      // the history table exists
  std::vector<VerifyFinding> findings;
  // With VerifyOptions::live: the comparison was made; the revisions the
  // migrations were replayed to (the database's, from every version table
  // compared); where; and what differs, in the order autogenerate would
  // change it.
  bool live = false;
  std::vector<std::string> replayed_to;
  std::string scratch;
  std::vector<DriftFinding> drift;
  // True when no finding is edited, missing or unknown, and nothing
  // drifted.
  bool clean = true;
};

}  // namespace retort

#endif  // RETORT_VERIFY_H_
