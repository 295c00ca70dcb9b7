// The model cache: what autogenerate learned from the model files, kept
// between runs, so that unchanged models (`retort diff` then `retort
// revision --autogenerate`, `retort check` in a loop, CI with a persisted
// cache folder) skip parsing them and loading them into a scratch database.
//
// Two files per set of model files (a "slot", named after the files'
// absolute paths, so one project keeps two files however often its models
// change), in retort's cache folder (RetortCacheDir: $RETORT_CACHE_DIR, else
// $XDG_CACHE_HOME/retort, else ~/.cache/retort; RETORT_CACHE=off disables
// it, as it does the header cache):
//
//   models-<16 hex>.scan        ScanModels' result (model_scan.h)
//   models-<16 hex>.introspect  the rows the catalog queries returned when
//                               introspection ran against the scratch
//                               database the models were loaded into
//
// The second is a recording at the query layer, not a serialised Catalog:
// on a hit, the introspection code runs again over a Connection that
// answers each query with its recorded rows (ReplayConnection), so the
// Catalog it builds is whatever today's code makes of them, fields added
// since the recording included. A query the recording does not hold (its
// text changed, or a new one) fails the replay, which is a miss.
//
// File layout (host byte order; the magic doubles as a byte-order check):
//
//   header   "RTMC" | u32 format version | u32 kind (1 scan, 2 introspect)
//            | str retort version | str key (SHA-256, 64 hex digits)
//   scan     u32 file count | str path*
//            | u32 statement count | (u32 file | u64 offset | u32 length
//              | i32 line)*  -- the text is cut from the file's bytes
//            | u32 schema count | (str name | i32 tables | i32 objects
//              | u8 created | list files)*
//            | i32 creates
//   introspect  i32 server_version | u32 query count
//            | (str sql | u32 param count | cell* | u32 column count
//              | str* | u32 row count | (u32 cell count | cell*)*
//              | i64 affected_rows)*
//   trailer  u64 hash of every byte before it
//
//   str = u32 length + bytes;  list = u32 count + str*;
//   cell = u32 length + bytes, length 0xFFFFFFFF = NULL
//
// Keys (SHA-256; the format version and retort's version are in both):
// - scan: each file's path and exact bytes, in order.
// - introspect: each statement's file, line and text, in load order (what
//   the server ran); the statements run before them (seed 001's CREATE
//   SCHEMAs); and the scratch database's identity (ScratchIdentity in
//   scratch.h: server version, its non-default settings and the user, and
//   for a dev database its catalog's state). The query texts are checked
//   by the replay, query by query.
//
// Any problem -- a missing, unreadable, truncated, corrupt or other-version
// file, another key, a replay that asks for something unrecorded -- is a
// miss, never an error; a failed write is dropped. Files are replaced
// atomically (a temporary file in the same folder, then rename()); the
// trailing hash catches torn writes and bit rot, not tampering. A failing
// load is never recorded.
#ifndef RETORT_AUTOGEN_MODEL_CACHE_H_
#define RETORT_AUTOGEN_MODEL_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "autogen/model_scan.h"
#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// Bump when the layout, or what a key covers, changes. 2: a schema's
// "created" byte says whether only IF NOT EXISTS created it. 3: the scan's
// statements are in load order (model_order.h), no longer file order.
inline constexpr uint32_t kModelCacheFormatVersion = 3;

// RecordedQuery is one query the introspection ran and what it returned.
struct RecordedQuery {
  std::string sql;
  Params params;
  QueryResult result;
};

// IntrospectionRecording is every query of one introspection, in order.
struct IntrospectionRecording {
  int server_version = 0;
  std::vector<RecordedQuery> queries;
};

// RecordingConnection forwards everything to `inner` and keeps the result
// of every Query that succeeds.
class RecordingConnection : public Connection {
 public:
  explicit RecordingConnection(Connection& inner) : inner_(inner) {}

  const IntrospectionRecording& recording() const { return recording_; }
  // Moves the recording out (leaving an empty one).
  IntrospectionRecording TakeRecording() { return std::move(recording_); }

  Dialect dialect() const override { return inner_.dialect(); }
  Status Execute(std::string_view sql) override;
  Result<QueryResult> Query(std::string_view sql,
                            const Params& params = {}) override;
  // Forwarded whole (so the inner connection can pipeline); each result is
  // recorded as it is handed on.
  Status QueryEach(const std::vector<std::string>& sqls,
                   const ResultHandler& on_result) override;
  Status Begin(BeginMode mode = BeginMode::kDeferred) override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override { return inner_.InTransaction(); }
  int ServerVersion() const override { return inner_.ServerVersion(); }
  std::string QuoteIdent(std::string_view ident) const override {
    return inner_.QuoteIdent(ident);
  }
  std::string QuoteLiteral(std::string_view value) const override {
    return inner_.QuoteLiteral(value);
  }
  void Close() override { inner_.Close(); }
  bool IsOpen() const override { return inner_.IsOpen(); }

 private:
  // The inner call's outcome, with its error copied into last_error().
  Status Track(Status st);

  Connection& inner_;
  IntrospectionRecording recording_;
};

// ReplayConnection answers each Query with the recorded result of the same
// SQL and parameters (in recording order when one repeats; each recorded
// result is given once); anything else fails with SQLSTATE "RTMC0".
// Execute (SET TRANSACTION ...) and the transaction calls succeed without
// effect. A PostgreSQL connection to the code that reads it.
class ReplayConnection : public Connection {
 public:
  explicit ReplayConnection(IntrospectionRecording recording);

  // Queries asked for that the recording does not hold.
  int misses() const { return misses_; }

  Dialect dialect() const override { return Dialect::kPostgres; }
  Status Execute(std::string_view sql) override;
  Result<QueryResult> Query(std::string_view sql,
                            const Params& params = {}) override;
  Status Begin(BeginMode mode = BeginMode::kDeferred) override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override { return in_transaction_; }
  int ServerVersion() const override { return recording_.server_version; }
  std::string QuoteIdent(std::string_view ident) const override;
  std::string QuoteLiteral(std::string_view value) const override;
  void Close() override { open_ = false; }
  bool IsOpen() const override { return open_; }

 private:
  IntrospectionRecording recording_;
  std::vector<bool> used_;
  bool in_transaction_ = false;
  bool open_ = true;
  int misses_ = 0;
};

// The cache files of one set of model files (see the top of this file).
struct ModelCachePaths {
  std::string scan;
  std::string introspect;
};

// The slot for `paths` (model file paths, as given; made absolute), or
// nullopt when caching is off. Does not touch the disk.
std::optional<ModelCachePaths> ModelCacheFor(
    const std::vector<std::string>& paths);

// The scan cache key of `files`.
std::string ScanKey(const std::vector<ModelFile>& files);

// The introspect cache key (see the top of this file). `setup` holds the
// statements run before the models; `scratch_identity` is ScratchIdentity's.
std::string IntrospectKey(const ModelScan& scan,
                          const std::vector<std::string>& setup,
                          std::string_view scratch_identity);

// The scan stored at `path` under `key` for `files`, or nullopt.
std::optional<ModelScan> ReadScanCache(const std::string& path,
                                       std::string_view key,
                                       const std::vector<ModelFile>& files);
Status WriteScanCache(const std::string& path, std::string_view key,
                      const ModelScan& scan);

// The recording stored at `path` under `key`, or nullopt.
std::optional<IntrospectionRecording> ReadIntrospectCache(
    const std::string& path, std::string_view key);
Status WriteIntrospectCache(const std::string& path, std::string_view key,
                            const IntrospectionRecording& recording);

// The file format's frame (header with `kind` and `key`, trailing checksum,
// atomic replacement), for the caches of other model sources: kind 3 is
// the SQLAlchemy DDL cache (sqlalchemy_models.h). Writes header + `payload`
// + checksum to `path` atomically.
inline constexpr uint32_t kModelCacheKindSqlalchemy = 3;
Status WriteModelCacheFile(const std::string& path, uint32_t kind,
                           std::string_view key, std::string_view payload);
// The payload of the file at `path` when it is whole and its header says
// `kind`, `key`, this format and this retort version; nullopt otherwise.
std::optional<std::string> ReadModelCacheFile(const std::string& path,
                                              uint32_t kind,
                                              std::string_view key);

// ScanModels through the scan cache: the cached scan when the files are
// byte for byte those it was made from; otherwise ScanModels, stored for
// next time when it succeeds. Errors are ScanModels'. `normalize` as for
// ScanModels.
Result<ModelScan> ScanModelsCached(const std::vector<ModelFile>& files,
                                   bool normalize = true);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_CACHE_H_
