// HeaderCache: parsed revision headers kept between runs, so that `heads` on
// 10,000 files costs a stat() per file instead of an open+read+parse.
//
// Where: one file per set of version locations, outside the project:
//   $RETORT_CACHE_DIR, else $XDG_CACHE_HOME/retort, else ~/.cache/retort,
// named "headers-<16 hex>.bin" after a SHA-256 of the format version, the
// recursive flag and the absolute, normalized version locations. RETORT_CACHE
// set to off/0/false/no disables it. The cache is only ever an optimization:
// a missing, unreadable, corrupt or other-version file reads as empty, and a
// failed write is dropped silently.
//
// File layout (host byte order; the magic doubles as a byte-order check):
//
//   header   "RTHC" | u32 format version | u32 record count
//            | str retort version
//   record*  u32 length of the rest of the record
//            | i64 size | u64 inode | i64 mtime ns | i64 ctime ns
//            | i32 id_line | i32 revises_line | i32 depends_on_line
//            | i32 header_lines | u8 transactional (0 unset, 1 false, 2 true)
//            | str key (the file's absolute path)
//            | str id | str doc | str long_doc | str create_date
//            | str imported_from | str import_checksum
//            | str lock_timeout | str phase | str squash_checksum
//            | list down_revisions | list branch_labels | list depends_on
//            | list squashes (id, checksum, id, checksum, ...)
//   trailer  u64 hash of every byte before it
//
//   str  = u32 length + bytes;  list = u32 count + str*
//
// Why this shape: records are length-prefixed so the loader indexes 10,000 of
// them in one pass without decoding strings, and decodes only the ones whose
// stamp matches, in the reader threads. A record is a pure function of (key,
// stamp, header), so "did this file's entry change?" is a byte comparison and
// unchanged records are copied to the next cache file verbatim. The trailing
// hash catches truncation and torn writes (the file is replaced by rename,
// without fsync: a cache may be lost, never trusted when broken).
//
// Trust: an entry is used only when size, inode, mtime and ctime (with
// nanoseconds) all match, and when the file last changed strictly before the
// cache file was written minus kRacyMarginNs. Without that margin a file
// edited twice within one timestamp tick, once before and once after its
// entry was recorded, would keep its stamp and its stale header (git's
// "racy clean" problem); the margin also absorbs clock skew between the
// cache's filesystem and the project's. Racy entries are re-read, and the
// cache is rewritten once they would no longer be racy.
//
// The parse result is cached, so any change to ParseRevisionHeader's output
// must bump kHeaderCacheFormatVersion.
#ifndef RETORT_SCRIPT_HEADER_CACHE_H_
#define RETORT_SCRIPT_HEADER_CACHE_H_

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "retort/status.h"
#include "script/revision_file.h"

namespace retort {

inline constexpr uint32_t kHeaderCacheFormatVersion = 4;

// Entries whose file changed less than this long before the cache was
// written are re-read (see the racy rule above).
inline constexpr int64_t kRacyMarginNs = 2'000'000'000;

// FileStamp is what stat() says about a file; an unchanged stamp is taken to
// mean unchanged content (subject to the racy rule).
struct FileStamp {
  int64_t size = 0;
  uint64_t inode = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
  // The latest time the file's content could have changed.
  int64_t ChangeNs() const { return mtime_ns > ctime_ns ? mtime_ns : ctime_ns; }
};

FileStamp StampOf(const struct stat& st);

// The folder retort's caches live in (this one and autogenerate's model
// cache): $RETORT_CACHE_DIR, else $XDG_CACHE_HOME/retort, else
// ~/.cache/retort; nullopt when RETORT_CACHE switches caching off or no
// folder can be named. Does not touch the disk.
std::optional<std::string> RetortCacheDir();

// The cache file for these version locations, following the environment
// (see the top of this file); nullopt when caching is switched off. Does not
// touch the disk.
std::optional<std::string> HeaderCachePath(
    const std::vector<std::string>& locations, bool recursive);

// HeaderCache is a loaded cache file: an index of its records by key. It
// keeps the file's bytes; lookups are const and safe from many threads.
// Unmaps a read-only file mapping of `size` bytes.
struct MappingDeleter {
  size_t size = 0;
  void operator()(const char* addr) const;
};
using Mapping = std::unique_ptr<const char, MappingDeleter>;

class HeaderCache {
 public:
  enum class Match {
    kAbsent,  // no entry for the key
    kStale,   // an entry whose stamp differs: the file changed
    kRacy,    // the stamp matches but is too recent to trust
    kHit,     // *out holds the cached header
  };

  // An empty cache: every lookup is kAbsent.
  HeaderCache() = default;
  // Move-only: the index points into the file's bytes.
  HeaderCache(HeaderCache&&) = default;
  HeaderCache& operator=(HeaderCache&&) = default;
  HeaderCache(const HeaderCache&) = delete;
  HeaderCache& operator=(const HeaderCache&) = delete;

  // Reads `cache_path`. Never fails: any problem gives an empty cache.
  static HeaderCache Read(const std::string& cache_path);

  // The index of the entry for `key`, or -1. `hint` is where the entry is
  // expected: records are written in path order, so when no file was added
  // or removed, file i of a sorted listing is record i and the lookup is one
  // comparison; the hash index is built only on the first wrong hint.
  int Find(std::string_view key, size_t hint) const;
  // Compares entry `index`'s stamp with `stamp`; on kHit decodes its header
  // into *out, with revision.path set to `path` (the path as listed).
  Match Lookup(int index, const FileStamp& stamp, const std::string& path,
               RevisionFile* out) const;
  // Entry `index`'s encoded record, for copying it into the next cache.
  std::string_view Record(int index) const;
  // Entry `index`'s key.
  std::string_view Key(int index) const;

  size_t size() const { return records_.size(); }
  // When the cache file was written (its mtime), in ns since the epoch.
  int64_t written_ns() const { return written_ns_; }

 private:
  struct Entry {
    std::string_view record;  // from the length field to the record's end
    std::string_view key;
    FileStamp stamp;
  };

  // Built once, by whichever reader thread first needs it.
  struct KeyIndex {
    std::once_flag once;
    std::unordered_map<std::string_view, int> by_key;
  };

  Mapping bytes_;  // the cache file, mapped read-only
  std::vector<Entry> records_;
  std::unique_ptr<KeyIndex> index_ = std::make_unique<KeyIndex>();
  int64_t written_ns_ = 0;
};

// HeaderCacheWriter builds the next cache file and replaces the old one
// atomically (a temporary file in the same folder, then rename()).
class HeaderCacheWriter {
 public:
  HeaderCacheWriter();
  // Appends a record for `file` at `key` (an absolute path) with `stamp`.
  void Add(std::string_view key, const FileStamp& stamp,
           const RevisionFile& file);
  // Appends a record as returned by HeaderCache::Record().
  void AddEncoded(std::string_view record);
  // Creates the cache folder if needed and writes the file; call it once.
  // The caller may ignore the result: a cache that cannot be written is just
  // not used.
  Status Commit(const std::string& cache_path);

  // The encoding Add() would append, for comparing with an old record.
  static std::string Encode(std::string_view key, const FileStamp& stamp,
                            const RevisionFile& file);

 private:
  std::string bytes_;
  uint32_t count_ = 0;
};

}  // namespace retort

#endif  // RETORT_SCRIPT_HEADER_CACHE_H_
