// HeaderCache: reading, indexing and atomically rewriting the header cache
// file described in header_cache.h. Every read is bounds-checked, so a
// damaged file can only make the cache empty, never crash or mislead.
#include "script/header_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <utility>

#include "script/sha256.h"
#include "util/byte_codec.h"

namespace retort {
namespace {

constexpr char kMagic[4] = {'R', 'T', 'H', 'C'};

#ifndef RETORT_VERSION
#define RETORT_VERSION "dev"
#endif

// 64-bit hash, 8 bytes per step, four independent lanes so the multiplies
// overlap: about 0.3 ms for a 10,000-entry cache, where a byte-at-a-time hash
// would cost several. It guards against accidents (truncation, torn writes),
// not against tampering.
uint64_t HashBytes(std::string_view data) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t lanes[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull,
                       0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};
  const char* p = data.data();
  size_t n = data.size();
  while (n >= 32) {
    for (uint64_t& lane : lanes) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      lane = (lane ^ w) * kMul;
      lane ^= lane >> 29;
      p += 8;
    }
    n -= 32;
  }
  uint64_t h = data.size();
  for (uint64_t lane : lanes) h = (h ^ lane) * kMul;
  while (n > 0) {
    h = (h ^ static_cast<unsigned char>(*p++)) * kMul;
    --n;
  }
  return h ^ (h >> 32);
}

void PutList(std::string* out, const std::vector<std::string>& list) {
  PutFixed<uint32_t>(out, static_cast<uint32_t>(list.size()));
  for (const std::string& s : list) PutString(out, s);
}

// Reads a list written by PutList; false when the record is damaged.
bool GetList(ByteReader* in, std::vector<std::string>* out) {
  // Each element takes at least its 4-byte length.
  uint32_t count = in->Count(4);
  out->reserve(count);
  for (uint32_t i = 0; i < count && in->ok(); ++i) {
    out->emplace_back(in->String());
  }
  return in->ok();
}

int64_t Nanos(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string EnvOr(const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool CacheSwitchedOff() {
  std::string v = EnvOr("RETORT_CACHE");
  for (char& c : v)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return v == "off" || v == "0" || v == "false" || v == "no";
}

std::string ErrnoText(int err) { return std::strerror(err); }

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(path + ": cannot write: " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

FileStamp StampOf(const struct stat& st) {
  FileStamp stamp;
  stamp.size = static_cast<int64_t>(st.st_size);
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.mtime_ns = Nanos(st.st_mtim);
  stamp.ctime_ns = Nanos(st.st_ctim);
  return stamp;
}

std::optional<std::string> RetortCacheDir() {
  if (CacheSwitchedOff()) return std::nullopt;
  std::string dir = EnvOr("RETORT_CACHE_DIR");
  if (!dir.empty()) return dir;
  std::string xdg = EnvOr("XDG_CACHE_HOME");
  // The XDG spec says relative values are to be ignored.
  if (!xdg.empty() && xdg[0] == '/') return xdg + "/retort";
  std::string home = EnvOr("HOME");
  if (home.empty()) return std::nullopt;
  return home + "/.cache/retort";
}

std::optional<std::string> HeaderCachePath(
    const std::vector<std::string>& locations, bool recursive) {
  std::optional<std::string> dir = RetortCacheDir();
  if (!dir) return std::nullopt;
  // NUL separators: no path can contain one, so distinct location lists
  // cannot hash alike by concatenation.
  std::string identity = "retort header cache " +
                         std::to_string(kHeaderCacheFormatVersion) +
                         (recursive ? " recursive" : " flat");
  for (const std::string& location : locations) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(location, ec);
    if (ec) abs = location;
    identity.push_back('\0');
    identity += abs.lexically_normal().string();
  }
  return *dir + "/headers-" + Sha256Hex(identity).substr(0, 16) + ".bin";
}

void MappingDeleter::operator()(const char* addr) const {
  munmap(const_cast<char*>(addr), size);
}

HeaderCache HeaderCache::Read(const std::string& cache_path) {
  HeaderCache cache;
  int fd = open(cache_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cache;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 20) {
    close(fd);
    return cache;
  }
  // Mapped, not read: read() copies 2 MB (10,000 entries) into fresh heap
  // pages, each its own page fault; a populated private mapping shares the
  // page cache's pages and faults them in at once (10,000-revision `heads`:
  // about 500 page faults fewer). The writer replaces the file by rename(),
  // so the mapped file never changes under us.
  const size_t file_size = static_cast<size_t>(st.st_size);
  void* addr =
      mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (addr == MAP_FAILED) return cache;
  Mapping bytes(static_cast<const char*>(addr), MappingDeleter{file_size});

  std::string_view body(bytes.get(), file_size - sizeof(uint64_t));
  uint64_t stored_hash;
  std::memcpy(&stored_hash, bytes.get() + body.size(), sizeof(stored_hash));
  if (HashBytes(body) != stored_hash) return cache;

  ByteReader in(body);
  char magic[4];
  for (char& c : magic) c = in.Get<char>();
  if (std::memcmp(magic, kMagic, sizeof(magic)) != 0) return cache;
  if (in.Get<uint32_t>() != kHeaderCacheFormatVersion) return cache;
  uint32_t count = in.Get<uint32_t>();
  if (in.String() != RETORT_VERSION || !in.ok()) return cache;

  std::vector<Entry> records;
  records.reserve(std::min<size_t>(count, body.size() / 64));
  for (uint32_t i = 0; i < count; ++i) {
    size_t start = in.pos();
    uint32_t len = in.Get<uint32_t>();
    if (!in.ok() || body.size() - in.pos() < len) return cache;
    Entry entry;
    entry.record = body.substr(start, sizeof(uint32_t) + len);
    ByteReader rec(body.substr(in.pos(), len));
    entry.stamp.size = rec.Get<int64_t>();
    entry.stamp.inode = rec.Get<uint64_t>();
    entry.stamp.mtime_ns = rec.Get<int64_t>();
    entry.stamp.ctime_ns = rec.Get<int64_t>();
    for (int j = 0; j < 4; ++j) rec.Get<int32_t>();
    rec.Get<uint8_t>();
    entry.key = rec.String();
    if (!rec.ok()) return cache;
    records.push_back(entry);
    in.Skip(len);  // the rest is decoded only on a hit
  }
  if (!in.at_end()) return cache;

  cache.written_ns_ = Nanos(st.st_mtim);
  cache.bytes_ = std::move(bytes);
  cache.records_ = std::move(records);
  return cache;
}

int HeaderCache::Find(std::string_view key, size_t hint) const {
  if (hint < records_.size() && records_[hint].key == key) {
    return static_cast<int>(hint);
  }
  std::call_once(index_->once, [this] {
    index_->by_key.reserve(records_.size());
    // Keys are unique as written; were one repeated, the first wins and the
    // count of matched entries forces a rewrite without the repeat.
    for (size_t i = 0; i < records_.size(); ++i) {
      index_->by_key.emplace(records_[i].key, static_cast<int>(i));
    }
  });
  auto it = index_->by_key.find(key);
  return it == index_->by_key.end() ? -1 : it->second;
}

HeaderCache::Match HeaderCache::Lookup(int index, const FileStamp& stamp,
                                       const std::string& path,
                                       RevisionFile* out) const {
  if (index < 0 || static_cast<size_t>(index) >= records_.size()) {
    return Match::kAbsent;
  }
  const Entry& entry = records_[static_cast<size_t>(index)];
  if (entry.stamp != stamp) return Match::kStale;
  if (stamp.ChangeNs() >= written_ns_ - kRacyMarginNs) return Match::kRacy;

  ByteReader rec(entry.record);
  rec.Get<uint32_t>();
  for (int j = 0; j < 4; ++j) rec.Get<int64_t>();
  RevisionFile file;
  Revision& revision = file.revision;
  revision.id_line = rec.Get<int32_t>();
  revision.revises_line = rec.Get<int32_t>();
  revision.depends_on_line = rec.Get<int32_t>();
  file.header_lines = rec.Get<int32_t>();
  uint8_t transactional = rec.Get<uint8_t>();
  if (transactional != 0) file.transactional = transactional == 2;
  rec.String();  // the key
  revision.path = path;
  revision.id = rec.String();
  revision.doc = rec.String();
  file.long_doc = rec.String();
  file.create_date = rec.String();
  file.imported_from = rec.String();
  file.import_checksum = rec.String();
  file.lock_timeout = rec.String();
  file.phase = rec.String();
  file.squash_checksum = rec.String();
  GetList(&rec, &revision.down_revisions);
  GetList(&rec, &revision.branch_labels);
  GetList(&rec, &revision.depends_on);
  std::vector<std::string> squashes;
  GetList(&rec, &squashes);
  if (squashes.size() % 2 != 0) return Match::kStale;
  for (size_t i = 0; i < squashes.size(); i += 2) {
    file.squashes.push_back({squashes[i], squashes[i + 1]});
  }
  // Checksummed bytes written by Encode() always decode; this guards only
  // against a bug, by falling back to reading the file.
  if (!rec.ok() || !rec.at_end() || transactional > 2) return Match::kStale;
  *out = std::move(file);
  return Match::kHit;
}

std::string_view HeaderCache::Record(int index) const {
  return records_[static_cast<size_t>(index)].record;
}

std::string_view HeaderCache::Key(int index) const {
  return records_[static_cast<size_t>(index)].key;
}

HeaderCacheWriter::HeaderCacheWriter() {
  bytes_.append(kMagic, sizeof(kMagic));
  PutFixed<uint32_t>(&bytes_, kHeaderCacheFormatVersion);
  PutFixed<uint32_t>(&bytes_, 0);  // the count, patched in Commit()
  PutString(&bytes_, RETORT_VERSION);
}

std::string HeaderCacheWriter::Encode(std::string_view key,
                                      const FileStamp& stamp,
                                      const RevisionFile& file) {
  const Revision& revision = file.revision;
  std::string out;
  out.reserve(128 + key.size() + revision.doc.size() + file.long_doc.size());
  PutFixed<uint32_t>(&out, 0);  // the length, patched below
  PutFixed<int64_t>(&out, stamp.size);
  PutFixed<uint64_t>(&out, stamp.inode);
  PutFixed<int64_t>(&out, stamp.mtime_ns);
  PutFixed<int64_t>(&out, stamp.ctime_ns);
  PutFixed<int32_t>(&out, revision.id_line);
  PutFixed<int32_t>(&out, revision.revises_line);
  PutFixed<int32_t>(&out, revision.depends_on_line);
  PutFixed<int32_t>(&out, file.header_lines);
  PutFixed<uint8_t>(&out,
                    file.transactional ? (*file.transactional ? 2 : 1) : 0);
  PutString(&out, key);
  PutString(&out, revision.id);
  PutString(&out, revision.doc);
  PutString(&out, file.long_doc);
  PutString(&out, file.create_date);
  PutString(&out, file.imported_from);
  PutString(&out, file.import_checksum);
  PutString(&out, file.lock_timeout);
  PutString(&out, file.phase);
  PutString(&out, file.squash_checksum);
  PutList(&out, revision.down_revisions);
  PutList(&out, revision.branch_labels);
  PutList(&out, revision.depends_on);
  std::vector<std::string> squashes;
  for (const SquashedRevision& s : file.squashes) {
    squashes.push_back(s.id);
    squashes.push_back(s.checksum);
  }
  PutList(&out, squashes);
  uint32_t len = static_cast<uint32_t>(out.size() - sizeof(uint32_t));
  std::memcpy(out.data(), &len, sizeof(len));
  return out;
}

void HeaderCacheWriter::Add(std::string_view key, const FileStamp& stamp,
                            const RevisionFile& file) {
  AddEncoded(Encode(key, stamp, file));
}

void HeaderCacheWriter::AddEncoded(std::string_view record) {
  bytes_.append(record);
  ++count_;
}

Status HeaderCacheWriter::Commit(const std::string& cache_path) {
  // Patched in place: the writer is used once, and the file can be large.
  std::string& bytes = bytes_;
  std::memcpy(bytes.data() + sizeof(kMagic) + sizeof(uint32_t), &count_,
              sizeof(count_));
  PutFixed<uint64_t>(&bytes, HashBytes(bytes));

  std::filesystem::path dir = std::filesystem::path(cache_path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::IOError(dir.string() +
                           ": cannot create the cache folder: " + ec.message());
  }
  std::string tmp = cache_path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return Status::IOError(tmp + ": cannot create: " + ErrnoText(errno));
  }
  Status status = WriteAll(fd, bytes, tmp);
  if (close(fd) != 0 && status.ok()) {
    status = Status::IOError(tmp + ": cannot write: " + ErrnoText(errno));
  }
  if (status.ok() && rename(tmp.c_str(), cache_path.c_str()) != 0) {
    status =
        Status::IOError(cache_path + ": cannot replace: " + ErrnoText(errno));
  }
  if (!status.ok()) unlink(tmp.c_str());
  return status;
}

}  // namespace retort
