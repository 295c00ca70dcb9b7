// Scratch databases to run revisions into and read back, for the history
// checks (`check --stairway`, `squash`): a temporary database on a
// PostgreSQL server (the one autogenerate's replays use), or, for an SQLite
// project, a file in a temporary directory. Nothing is left behind.
#ifndef RETORT_AUTOGEN_REPLAY_SCRATCH_H_
#define RETORT_AUTOGEN_REPLAY_SCRATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "autogen/autogen.h"
#include "autogen/drift.h"
#include "autogen/scratch.h"
#include "catalog/catalog.h"
#include "catalog/sqlite_introspect.h"
#include "retort/status.h"
#include "util/temp_dir.h"

namespace retort {

// SchemaSnapshot is a scratch database's catalog at one moment.
struct SchemaSnapshot {
  bool sqlite = false;
  Catalog postgres;
  SqliteSchema lite;
};

// What differs between `now` and `expected`, as drift items: kExtra is in
// `now` only, kMissing in `expected` only.
std::vector<DriftItem> CompareSnapshots(const SchemaSnapshot& now,
                                        const SchemaSnapshot& expected);

// ReplayScratch owns one empty scratch database (and, for PostgreSQL, the
// server it lives on unless shared).
class ReplayScratch {
 public:
  // For the project whose database is `target_url` (its dialect; for
  // PostgreSQL, where OpenReplayServer puts scratch databases given
  // `where`). `where.filter` is what Read() reads.
  static Result<std::unique_ptr<ReplayScratch>> Open(
      const std::string& target_url, const DiffOptions& where);
  ~ReplayScratch();
  ReplayScratch(const ReplayScratch&) = delete;
  ReplayScratch& operator=(const ReplayScratch&) = delete;

  // A URL runs can connect with (credentials included: never print it).
  const std::string& url() const { return url_; }
  // For messages: "a throwaway PostgreSQL 16 cluster", "the server of
  // postgresql://app:***@db/game", "a temporary SQLite database file".
  const std::string& description() const { return description_; }

  // Replaces the database by a new, empty one.
  Status Reset();
  // The catalog now (the configured schemas; version tables left out).
  Result<SchemaSnapshot> Read();

 private:
  ReplayScratch() = default;
  Status Create();
  void Drop();

  bool sqlite_ = false;
  IntrospectOptions filter_;
  std::unique_ptr<ScratchServer> server_;
  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<TempDir> dir_;
  int generation_ = 0;
  std::string url_;
  std::string description_;
};

}  // namespace retort

#endif  // RETORT_AUTOGEN_REPLAY_SCRATCH_H_
