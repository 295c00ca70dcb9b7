// The model cache's files (layout in model_cache.h), the recording and
// replaying connections, and ScanModelsCached. Every read is bounds-checked,
// so a damaged file can only make a miss, never crash or mislead.
#include "autogen/model_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <utility>

#include "script/header_cache.h"
#include "script/sha256.h"
#include "util/byte_codec.h"

namespace retort {
namespace {

#ifndef RETORT_VERSION
#define RETORT_VERSION "dev"
#endif

constexpr char kMagic[4] = {'R', 'T', 'M', 'C'};
constexpr uint32_t kKindScan = 1;
constexpr uint32_t kKindIntrospect = 2;
constexpr uint32_t kNullCell = 0xFFFFFFFFu;

// 64-bit checksum, 16 bytes per step in two independent lanes: a recording
// of 10,000 tables is several MB, which SHA-256 would take tens of ms over.
// It guards against accidents (truncation, torn writes), not tampering.
uint64_t Checksum(std::string_view data) {
  constexpr uint64_t kA = 0x9E3779B97F4A7C15ull;
  constexpr uint64_t kB = 0xC2B2AE3D27D4EB4Full;
  uint64_t a = kA ^ data.size();
  uint64_t b = kB;
  const char* p = data.data();
  size_t n = data.size();
  while (n >= 16) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    a = std::rotl(a ^ x, 31) * kA;
    b = std::rotl(b ^ y, 27) * kB;
    p += 16;
    n -= 16;
  }
  while (n > 0) {
    a = (a ^ static_cast<unsigned char>(*p++)) * kB;
    --n;
  }
  uint64_t h = a ^ std::rotl(b, 17);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

void PutCell(std::string* out, const std::optional<std::string>& cell) {
  if (!cell) {
    PutFixed<uint32_t>(out, kNullCell);
    return;
  }
  PutString(out, *cell);
}

// Reads a cell written by PutCell.
std::optional<std::string> GetCell(ByteReader* in) {
  uint32_t len = in->Get<uint32_t>();
  if (len == kNullCell) return std::nullopt;
  return std::string(in->Bytes(len));
}

std::string Header(uint32_t kind, std::string_view key) {
  std::string out(kMagic, sizeof(kMagic));
  PutFixed<uint32_t>(&out, kModelCacheFormatVersion);
  PutFixed<uint32_t>(&out, kind);
  PutString(&out, RETORT_VERSION);
  PutString(&out, key);
  return out;
}

// The whole file, or "" when it cannot be read. One read() into a buffer of
// the file's size: a recording of 10,000 tables is 16 MB, which
// istreambuf_iterator would copy a byte at a time.
std::string ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st;
  std::string bytes;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    // A short read means the file changed under us: a miss.
    if (done != bytes.size()) bytes.clear();
  }
  close(fd);
  return bytes;
}

// Checks the trailer and the header of `bytes`; on success *payload is what
// lies between them.
bool OpenPayload(const std::string& bytes, uint32_t kind, std::string_view key,
                 std::string_view* payload) {
  if (bytes.size() < sizeof(kMagic) + sizeof(uint64_t)) return false;
  std::string_view body(bytes.data(), bytes.size() - sizeof(uint64_t));
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof(stored));
  if (Checksum(body) != stored) return false;
  if (std::memcmp(body.data(), kMagic, sizeof(kMagic)) != 0) return false;
  ByteReader in(body.substr(sizeof(kMagic)));
  if (in.Get<uint32_t>() != kModelCacheFormatVersion) return false;
  if (in.Get<uint32_t>() != kind) return false;
  if (in.String() != RETORT_VERSION) return false;
  if (in.String() != key || !in.ok()) return false;
  size_t header = Header(kind, key).size();
  *payload = body.substr(header);
  return true;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// Writes header + payload + checksum to a temporary file beside `path` and
// renames it into place, so readers see the old file or the new one.
Status WriteAtomically(const std::string& path, std::string bytes) {
  PutFixed<uint64_t>(&bytes, Checksum(bytes));
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::IOError(dir.string() +
                           ": cannot create the cache folder: " + ec.message());
  }
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return Status::IOError(tmp + ": cannot create: " + ErrnoText(errno));
  }
  Status status;
  std::string_view rest = bytes;
  while (!rest.empty() && status.ok()) {
    ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::IOError(tmp + ": cannot write: " + ErrnoText(errno));
      break;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (close(fd) != 0 && status.ok()) {
    status = Status::IOError(tmp + ": cannot write: " + ErrnoText(errno));
  }
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    status = Status::IOError(path + ": cannot replace: " + ErrnoText(errno));
  }
  if (!status.ok()) unlink(tmp.c_str());
  return status;
}

// Lengths in keys: no concatenation of different inputs hashes alike.
void HashField(Sha256* h, std::string_view field) {
  std::string len = std::to_string(field.size()) + ":";
  h->Update(len);
  h->Update(field);
}

bool SameParams(const Params& a, const Params& b) { return a == b; }

}  // namespace

// ---------------------------------------------------------------------------
// RecordingConnection

Status RecordingConnection::Track(Status st) {
  last_error_ = inner_.last_error();
  return st;
}

Status RecordingConnection::Execute(std::string_view sql) {
  return Track(inner_.Execute(sql));
}

Result<QueryResult> RecordingConnection::Query(std::string_view sql,
                                               const Params& params) {
  Result<QueryResult> r = inner_.Query(sql, params);
  last_error_ = inner_.last_error();
  if (r.ok()) {
    recording_.server_version = inner_.ServerVersion();
    recording_.queries.push_back(RecordedQuery{std::string(sql), params, *r});
  }
  return r;
}

Status RecordingConnection::QueryEach(const std::vector<std::string>& sqls,
                                      const ResultHandler& on_result) {
  Status st = inner_.QueryEach(sqls, [&](size_t i, QueryResult result) {
    recording_.server_version = inner_.ServerVersion();
    recording_.queries.push_back(RecordedQuery{sqls[i], {}, result});
    return on_result(i, std::move(result));
  });
  last_error_ = inner_.last_error();
  return st;
}

Status RecordingConnection::Begin(BeginMode mode) {
  return Track(inner_.Begin(mode));
}
Status RecordingConnection::Commit() { return Track(inner_.Commit()); }
Status RecordingConnection::Rollback() { return Track(inner_.Rollback()); }

// ---------------------------------------------------------------------------
// ReplayConnection

ReplayConnection::ReplayConnection(IntrospectionRecording recording)
    : recording_(std::move(recording)),
      used_(recording_.queries.size(), false) {}

Status ReplayConnection::Execute(std::string_view sql) {
  (void)sql;
  last_error_ = DbError();
  return Status::OK();
}

Result<QueryResult> ReplayConnection::Query(std::string_view sql,
                                            const Params& params) {
  last_error_ = DbError();
  // A dozen queries per introspection: a linear search is enough.
  for (size_t i = 0; i < recording_.queries.size(); ++i) {
    RecordedQuery& q = recording_.queries[i];
    if (used_[i] || q.sql != sql || !SameParams(q.params, params)) continue;
    used_[i] = true;
    // Each answer is given once: moved out, not copied (megabytes of rows).
    return std::move(q.result);
  }
  ++misses_;
  last_error_ =
      DbError::Client("RTMC0", "the model cache holds no result for this query",
                      std::string(sql));
  return last_error_.ToStatus();
}

Status ReplayConnection::Begin(BeginMode mode) {
  (void)mode;
  in_transaction_ = true;
  return Status::OK();
}

Status ReplayConnection::Commit() {
  in_transaction_ = false;
  return Status::OK();
}

Status ReplayConnection::Rollback() {
  in_transaction_ = false;
  return Status::OK();
}

std::string ReplayConnection::QuoteIdent(std::string_view ident) const {
  return QuoteSqlIdent(ident);
}

std::string ReplayConnection::QuoteLiteral(std::string_view value) const {
  return QuotePgLiteral(value);
}

// ---------------------------------------------------------------------------
// Paths and keys

std::optional<ModelCachePaths> ModelCacheFor(
    const std::vector<std::string>& paths) {
  std::optional<std::string> dir = RetortCacheDir();
  if (!dir) return std::nullopt;
  std::string identity = "retort model cache";
  for (const std::string& path : paths) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(path, ec);
    if (ec) abs = path;
    // NUL: no path holds one, so different lists cannot join alike.
    identity.push_back('\0');
    identity += abs.lexically_normal().string();
  }
  std::string base =
      *dir + "/models-" + Sha256Hex(identity).substr(0, 16) + ".";
  return ModelCachePaths{base + "scan", base + "introspect"};
}

std::string ScanKey(const std::vector<ModelFile>& files) {
  Sha256 h;
  HashField(&h, "retort model scan");
  HashField(&h, std::to_string(kModelCacheFormatVersion));
  HashField(&h, RETORT_VERSION);
  for (const ModelFile& file : files) {
    HashField(&h, file.path);
    HashField(&h, file.text);
  }
  return DigestToHex(h.Final());
}

std::string IntrospectKey(const ModelScan& scan,
                          const std::vector<std::string>& setup,
                          std::string_view scratch_identity) {
  Sha256 h;
  HashField(&h, "retort model introspect");
  HashField(&h, std::to_string(kModelCacheFormatVersion));
  HashField(&h, RETORT_VERSION);
  HashField(&h, scratch_identity);
  HashField(&h, std::to_string(setup.size()));
  for (const std::string& sql : setup) HashField(&h, sql);
  HashField(&h, std::to_string(scan.statements.size()));
  for (const ModelStatement& m : scan.statements) {
    HashField(&h, m.path);
    HashField(&h, std::to_string(m.statement.line));
    HashField(&h, m.statement.text);
  }
  return DigestToHex(h.Final());
}

// ---------------------------------------------------------------------------
// The scan file

Status WriteScanCache(const std::string& path, std::string_view key,
                      const ModelScan& scan) {
  // Structured bindings stop the build when one of these structs gains a
  // field: encode it below, decode it in ReadScanCache, and bump
  // kModelCacheFormatVersion. `normalized` is not kept: a scan read from
  // here has none, and NormalizeModels parses the statements again. The
  // statements are kept in load order. A scan with `order_notes` is not
  // written at all (ScanModelsCached), so that the notes are always there.
  [[maybe_unused]] const auto& [files, statements, order_notes, schemas,
                                creates, normalized] = scan;
  if (!order_notes.empty()) {
    return Status::InvalidArgument(
        "model cache: a scan with order notes is not kept");
  }
  std::string out = Header(kKindScan, key);
  std::unordered_map<std::string_view, uint32_t> file_index;
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(files.size()));
  for (size_t i = 0; i < files.size(); ++i) {
    PutString(&out, files[i]);
    file_index.emplace(files[i], static_cast<uint32_t>(i));
  }
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(statements.size()));
  for (const ModelStatement& m : statements) {
    const auto& [stmt_path, statement] = m;
    const auto& [text, offset, line] = statement;
    auto it = file_index.find(stmt_path);
    if (it == file_index.end()) {
      return Status::Internal("model cache: a statement of " + stmt_path +
                              ", which is not among the scanned files");
    }
    PutFixed<uint32_t>(&out, it->second);
    PutFixed<uint64_t>(&out, offset);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(text.size()));
    PutFixed<int32_t>(&out, line);
  }
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(schemas.size()));
  for (const auto& [name, schema] : schemas) {
    const auto& [schema_name, tables, objects, created, if_not_exists,
                 schema_files] = schema;
    PutString(&out, schema_name);
    PutFixed<int32_t>(&out, tables);
    PutFixed<int32_t>(&out, objects);
    // 0 not created, 1 created, 2 created IF NOT EXISTS only.
    PutFixed<uint8_t>(&out, created ? (if_not_exists ? 2 : 1) : 0);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(schema_files.size()));
    for (const std::string& f : schema_files) PutString(&out, f);
  }
  PutFixed<int32_t>(&out, creates);
  return WriteAtomically(path, std::move(out));
}

std::optional<ModelScan> ReadScanCache(const std::string& path,
                                       std::string_view key,
                                       const std::vector<ModelFile>& files) {
  std::string bytes = ReadWholeFile(path);
  std::string_view payload;
  if (!OpenPayload(bytes, kKindScan, key, &payload)) return std::nullopt;
  ByteReader in(payload);
  ModelScan scan;
  uint32_t nfiles = in.Count(4);
  // The key covers the paths, so this only guards against a bug.
  if (nfiles != files.size()) return std::nullopt;
  for (uint32_t i = 0; i < nfiles; ++i) {
    scan.files.emplace_back(in.String());
    if (scan.files.back() != files[i].path) return std::nullopt;
  }
  uint32_t nstatements = in.Count(20);
  scan.statements.reserve(nstatements);
  for (uint32_t i = 0; i < nstatements && in.ok(); ++i) {
    uint32_t file = in.Get<uint32_t>();
    uint64_t offset = in.Get<uint64_t>();
    uint32_t length = in.Get<uint32_t>();
    int32_t line = in.Get<int32_t>();
    if (file >= files.size() || offset > files[file].text.size() ||
        length > files[file].text.size() - offset) {
      return std::nullopt;
    }
    ModelStatement m;
    m.path = files[file].path;
    m.statement.text = files[file].text.substr(offset, length);
    m.statement.offset = offset;
    m.statement.line = line;
    scan.statements.push_back(std::move(m));
  }
  uint32_t nschemas = in.Count(17);
  for (uint32_t i = 0; i < nschemas && in.ok(); ++i) {
    ModelSchema schema;
    schema.name = std::string(in.String());
    schema.tables = in.Get<int32_t>();
    schema.objects = in.Get<int32_t>();
    const uint8_t created = in.Get<uint8_t>();
    schema.created = created != 0;
    schema.created_if_not_exists = created == 2;
    uint32_t nschema_files = in.Count(4);
    for (uint32_t j = 0; j < nschema_files; ++j) {
      schema.files.emplace_back(in.String());
    }
    std::string name = schema.name;
    scan.schemas.emplace(std::move(name), std::move(schema));
  }
  scan.creates = in.Get<int32_t>();
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return scan;
}

// ---------------------------------------------------------------------------
// The introspect file

Status WriteIntrospectCache(const std::string& path, std::string_view key,
                            const IntrospectionRecording& recording) {
  std::string out = Header(kKindIntrospect, key);
  size_t cells = 0;
  for (const RecordedQuery& q : recording.queries) {
    for (const Row& row : q.result.rows) cells += row.size();
  }
  out.reserve(out.size() + cells * 16);
  PutFixed<int32_t>(&out, recording.server_version);
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(recording.queries.size()));
  for (const RecordedQuery& q : recording.queries) {
    PutString(&out, q.sql);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(q.params.size()));
    for (const auto& p : q.params) PutCell(&out, p);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(q.result.columns.size()));
    for (const std::string& c : q.result.columns) PutString(&out, c);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(q.result.rows.size()));
    for (const Row& row : q.result.rows) {
      PutFixed<uint32_t>(&out, static_cast<uint32_t>(row.size()));
      for (const auto& cell : row) PutCell(&out, cell);
    }
    PutFixed<int64_t>(&out, q.result.affected_rows);
  }
  return WriteAtomically(path, std::move(out));
}

std::optional<IntrospectionRecording> ReadIntrospectCache(
    const std::string& path, std::string_view key) {
  std::string bytes = ReadWholeFile(path);
  std::string_view payload;
  if (!OpenPayload(bytes, kKindIntrospect, key, &payload)) return std::nullopt;
  ByteReader in(payload);
  IntrospectionRecording recording;
  recording.server_version = in.Get<int32_t>();
  uint32_t nqueries = in.Count(24);
  recording.queries.resize(nqueries);
  for (RecordedQuery& q : recording.queries) {
    q.sql = std::string(in.String());
    uint32_t nparams = in.Count(4);
    for (uint32_t i = 0; i < nparams; ++i) q.params.push_back(GetCell(&in));
    uint32_t ncolumns = in.Count(4);
    for (uint32_t i = 0; i < ncolumns; ++i) {
      q.result.columns.emplace_back(in.String());
    }
    uint32_t nrows = in.Count(4);
    q.result.rows.resize(nrows);
    for (Row& row : q.result.rows) {
      uint32_t ncells = in.Count(4);
      row.reserve(ncells);
      for (uint32_t i = 0; i < ncells; ++i) row.push_back(GetCell(&in));
    }
    q.result.affected_rows = in.Get<int64_t>();
    if (!in.ok()) return std::nullopt;
  }
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return recording;
}

// ---------------------------------------------------------------------------
// The frame, for other caches

Status WriteModelCacheFile(const std::string& path, uint32_t kind,
                           std::string_view key, std::string_view payload) {
  std::string out = Header(kind, key);
  out.append(payload);
  return WriteAtomically(path, std::move(out));
}

std::optional<std::string> ReadModelCacheFile(const std::string& path,
                                              uint32_t kind,
                                              std::string_view key) {
  std::string bytes = ReadWholeFile(path);
  std::string_view payload;
  if (!OpenPayload(bytes, kind, key, &payload)) return std::nullopt;
  return std::string(payload);
}

// ---------------------------------------------------------------------------

Result<ModelScan> ScanModelsCached(const std::vector<ModelFile>& files,
                                   bool normalize) {
  std::vector<std::string> paths;
  paths.reserve(files.size());
  for (const ModelFile& file : files) paths.push_back(file.path);
  std::optional<ModelCachePaths> slot = ModelCacheFor(paths);
  if (!slot) return ScanModels(files, normalize);
  std::string key = ScanKey(files);
  if (std::optional<ModelScan> cached = ReadScanCache(slot->scan, key, files)) {
    return std::move(*cached);
  }
  RETORT_ASSIGN_OR_RETURN(ModelScan scan, ScanModels(files, normalize));
  // Best effort: a cache that cannot be written is just not used. A scan
  // whose order left notes (model_order.h) is scanned again next time.
  if (scan.order_notes.empty()) (void)WriteScanCache(slot->scan, key, scan);
  return scan;
}

}  // namespace retort
