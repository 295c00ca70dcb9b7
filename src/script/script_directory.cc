// ScriptDirectory: listing version locations and reading revision headers in
// parallel. POSIX calls (opendir/readdir with d_type, open/read) are used on
// the hot path because std::filesystem's directory_iterator and ifstream cost
// several times more per file; std::filesystem is used only off the hot path.
// Headers of unchanged files come from the HeaderCache (header_cache.h), which
// turns the open+read+close per file into one stat().
#include "script/script_directory.h"

#include "script/checksum.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_set>
#include <utility>

#include "script/header_cache.h"
#include "script/sha256.h"
#include "util/clock.h"

namespace retort {
namespace {

// How much of each file the first read takes: a generated header is about
// 250 bytes, so nearly every file needs exactly one read() call.
constexpr size_t kHeaderReadSize = 4096;

// Below this many files a single thread is faster than starting more.
constexpr size_t kFilesPerThread = 64;

std::string ErrnoText(int err) { return std::strerror(err); }

bool IsRevisionFileName(std::string_view name) {
  constexpr std::string_view kExt = ".sql";
  return !name.empty() && name[0] != '.' && name.size() > kExt.size() &&
         name.substr(name.size() - kExt.size()) == kExt;
}

// An Alembic revision file: a sign that the folder was never converted.
bool IsPythonFileName(std::string_view name) {
  constexpr std::string_view kExt = ".py";
  return name.size() > kExt.size() &&
         name.substr(name.size() - kExt.size()) == kExt &&
         name != "__init__.py";
}

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string out = dir;
  if (!out.empty() && out.back() != '/') out += '/';
  out.append(name);
  return out;
}

// Appends the revision files under `dir` to `out`. A missing top-level
// location is not an error (Alembic skips it); symlinked folders are not
// followed, like os.walk.
Status ListRevisionFiles(const std::string& dir, bool recursive, bool top,
                         std::vector<std::string>* out, size_t* python_files) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    int err = errno;
    if (top && err == ENOENT) return Status::OK();
    return Status::IOError(dir + ": cannot list the folder: " + ErrnoText(err));
  }
  std::vector<std::string> subdirs;
  // This folder's file names, back to back, sorted by (offset, length)
  // pairs: readdir's order is the filesystem's, and sorting 4-byte pairs
  // over one buffer costs a fraction of sorting 10,000 path strings. A
  // single location's listing then needs no further sort.
  std::string names;
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  while (dirent* entry = readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.empty() || name[0] == '.') continue;
    unsigned char type = entry->d_type;
    const bool wanted_file = IsRevisionFileName(name);
    if (!wanted_file && IsPythonFileName(name)) ++*python_files;
    if (!wanted_file && !recursive) continue;
    if (type == DT_UNKNOWN || (type == DT_LNK && wanted_file)) {
      // Some filesystems do not fill d_type; a symlink counts as the file
      // it points to.
      struct stat st;
      std::string path = JoinPath(dir, name);
      int rc =
          type == DT_LNK ? stat(path.c_str(), &st) : lstat(path.c_str(), &st);
      if (rc != 0) {
        int err = errno;
        if (type == DT_LNK) {
          // Skipping it would hide a revision the link was meant to add.
          char target[4096];
          ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
          std::string to = n > 0 ? std::string(target, n) : "?";
          closedir(d);
          return Status::NotFound(
              path + ": a symbolic link to " + to + ", which " +
              (err == ENOENT ? std::string("does not exist")
                             : "cannot be read: " + ErrnoText(err)) +
              "; restore its target or remove the link");
        }
        continue;  // vanished between readdir and lstat
      }
      type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : 0;
    }
    if (type == DT_REG && wanted_file) {
      spans.emplace_back(static_cast<uint32_t>(names.size()),
                         static_cast<uint32_t>(name.size()));
      names.append(name);
    } else if (type == DT_DIR && recursive) {
      subdirs.push_back(JoinPath(dir, name));
    }
  }
  closedir(d);
  auto name_of = [&names](const std::pair<uint32_t, uint32_t>& span) {
    return std::string_view(names).substr(span.first, span.second);
  };
  std::sort(spans.begin(), spans.end(),
            [&name_of](const auto& a, const auto& b) {
              return name_of(a) < name_of(b);
            });
  for (const auto& span : spans) out->push_back(JoinPath(dir, name_of(span)));
  for (const std::string& sub : subdirs) {
    RETORT_RETURN_IF_ERROR(
        ListRevisionFiles(sub, recursive, false, out, python_files));
  }
  return Status::OK();
}

// Reads from `fd` until `len` bytes or end of file; returns bytes read or -1.
ssize_t ReadFully(int fd, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, buf + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// Appends the rest of `fd` to `out`.
Status ReadRest(int fd, const std::string& path, std::string* out) {
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ReadFully(fd, buf, sizeof(buf));
    if (n < 0) {
      return Status::IOError(path + ": cannot read: " + ErrnoText(errno));
    }
    out->append(buf, static_cast<size_t>(n));
    if (static_cast<size_t>(n) < sizeof(buf)) return Status::OK();
  }
}

// One file's outcome, filled by a worker thread.
struct Slot {
  Status status;
  std::optional<RevisionFile> file;
  bool full_read = false;
  dev_t dev = 0;
  ino_t ino = 0;
  // Header cache bookkeeping; unused when the cache is off.
  std::string key;  // the absolute path
  FileStamp stamp;
  bool has_stamp = false;
  int cache_index = -1;
  HeaderCache::Match match = HeaderCache::Match::kAbsent;
  std::string record;      // the encoded entry of a file read afresh
  bool cacheable = false;  // goes into the next cache file
};

void SetIdentity(const struct stat& st, Slot* slot) {
  slot->dev = st.st_dev;
  slot->ino = st.st_ino;
  slot->stamp = StampOf(st);
  slot->has_stamp = true;
}

// `want_stat` asks for the file's identity and stamp, from fstat() on the
// open file so that a new file costs no extra path lookup.
void ReadHeader(const std::string& path, bool want_stat, Slot* slot) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    slot->status = Status::IOError(path + ": cannot open: " + ErrnoText(errno));
    return;
  }
  if (want_stat) {
    struct stat st;
    if (fstat(fd, &st) == 0) SetIdentity(st, slot);
  }
  char buf[kHeaderReadSize];
  ssize_t n = ReadFully(fd, buf, sizeof(buf));
  if (n < 0) {
    slot->status = Status::IOError(path + ": cannot read: " + ErrnoText(errno));
    close(fd);
    return;
  }
  std::string_view prefix(buf, static_cast<size_t>(n));
  Result<RevisionFile> parsed = Status::Internal("unset");
  if (prefix.size() < sizeof(buf) || HeaderIsComplete(prefix)) {
    parsed = ParseRevisionHeader(prefix, path);
  } else {
    slot->full_read = true;
    std::string whole(prefix);
    Status st = ReadRest(fd, path, &whole);
    if (!st.ok()) {
      slot->status = st;
      close(fd);
      return;
    }
    parsed = ParseRevisionHeader(whole, path);
  }
  close(fd);
  if (!parsed.ok()) {
    slot->status = parsed.status();
    return;
  }
  slot->file = std::move(parsed).value();
}

// One reader thread's scratch for the header cache's stat() calls.
struct StatContext {
  std::string key;  // reused, so that a cache hit allocates no key
  std::string dir;  // the folder dir_fd is open on
  int dir_fd = -1;

  StatContext() = default;
  StatContext(const StatContext&) = delete;
  StatContext& operator=(const StatContext&) = delete;
  ~StatContext() {
    if (dir_fd >= 0) close(dir_fd);
  }

  // stat(path), but relative to a held folder fd: the kernel then walks one
  // path component instead of all of them, about 10% of a stat's cost. The
  // listing is sorted, so a thread's files share a folder and it opens
  // about one fd per version location.
  int Stat(const std::string& path, struct stat* st) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return stat(path.c_str(), st);
    std::string_view folder(path.data(), slash == 0 ? 1 : slash);
    if (dir_fd < 0 || folder != dir) {
      if (dir_fd >= 0) close(dir_fd);
      dir.assign(folder);
      dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0) return stat(path.c_str(), st);
    }
    return fstatat(dir_fd, path.c_str() + slash + 1, st, 0);
  }
};

std::filesystem::path Normalized(const std::string& p) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) abs = p;
  abs = abs.lexically_normal();
  if (!abs.has_filename() && abs.has_parent_path()) abs = abs.parent_path();
  return abs;
}

std::string ListForMessage(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

ScriptDirectory::ScriptDirectory(ScriptDirectoryOptions options)
    : options_(std::move(options)) {
  locations_ = options_.version_locations;
  if (locations_.empty()) {
    locations_.push_back(JoinPath(options_.script_location, "versions"));
  }
}

Result<ScriptDirectory> ScriptDirectory::Open(ScriptDirectoryOptions options) {
  if (options.embedded != nullptr) return ScriptDirectory(std::move(options));
  struct stat st;
  if (stat(options.script_location.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(options.script_location +
                              ": no such folder; run \"retort init\" to "
                              "create the scripts folder, or set "
                              "script_location");
    }
    return Status::IOError(options.script_location + ": " + ErrnoText(err));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(options.script_location +
                                   ": not a folder; script_location must name "
                                   "the scripts folder");
  }
  return ScriptDirectory(std::move(options));
}

std::string ScriptDirectory::template_path() const {
  return JoinPath(options_.script_location, "script.sql.tmpl");
}

Status ScriptDirectory::Load() {
  files_.clear();
  by_id_.clear();
  embedded_.clear();
  stats_ = ScanStats();
  if (options_.embedded != nullptr) return LoadEmbedded();

  // The header cache file is read while the folders are listed: both take a
  // few milliseconds on 10,000 files and neither needs the other. A jthread
  // joins on every return path.
  const std::optional<std::string> cache_path =
      HeaderCachePath(locations_, options_.recursive_version_locations);
  HeaderCache cache;
  std::jthread cache_reader;
  if (cache_path) {
    cache_reader = std::jthread(
        [&cache, &cache_path] { cache = HeaderCache::Read(*cache_path); });
  }

  auto list_start = std::chrono::steady_clock::now();
  std::vector<std::string> paths;
  for (const std::string& location : locations_) {
    size_t python_files = 0;
    RETORT_RETURN_IF_ERROR(
        ListRevisionFiles(location, options_.recursive_version_locations, true,
                          &paths, &python_files));
    if (python_files > 0) {
      // Alembic's revisions, never converted: reading only the .sql files
      // would show a graph without them.
      return Status::InvalidArgument(
          std::to_string(python_files) + " Alembic revision file" +
          (python_files == 1 ? "" : "s") + " (.py) in " + location +
          "; convert them with retort import-alembic (docs/guides/"
          "from-alembic.md)");
    }
  }
  if (!std::is_sorted(paths.begin(), paths.end())) {
    std::sort(paths.begin(), paths.end());
  }
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  stats_.list_ms = MillisSince(list_start);

  // Overlapping locations can reach one file by two paths; only then is the
  // file identity worth an fstat().
  const bool want_identity = locations_.size() > 1;

  auto read_start = std::chrono::steady_clock::now();
  if (cache_reader.joinable()) cache_reader.join();
  // Cache keys are absolute so that the cache serves any working directory.
  std::string cwd;
  if (cache_path) {
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) != nullptr) cwd = buf;
  }
  const bool use_cache = cache_path.has_value() && !cwd.empty();

  std::vector<Slot> slots(paths.size());
  auto visit = [&](size_t i, StatContext* context) {
    const std::string& path = paths[i];
    Slot& slot = slots[i];
    if (use_cache) {
      std::string& key = context->key;
      if (path[0] == '/') {
        key = path;
      } else {
        key.assign(cwd).append("/").append(path);
      }
      slot.cache_index = cache.Find(key, i);
      struct stat st;
      if (slot.cache_index >= 0 && context->Stat(path, &st) == 0) {
        SetIdentity(st, &slot);
        RevisionFile file;
        slot.match = cache.Lookup(slot.cache_index, slot.stamp, path, &file);
        if (slot.match == HeaderCache::Match::kHit) {
          slot.file = std::move(file);
          return;
        }
      }
      slot.key = key;
    }
    ReadHeader(path, want_identity || use_cache, &slot);
    if (use_cache && slot.status.ok() && slot.has_stamp) {
      slot.record = HeaderCacheWriter::Encode(slot.key, slot.stamp, *slot.file);
    }
  };
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    StatContext context;
    for (size_t i = next.fetch_add(1); i < paths.size();
         i = next.fetch_add(1)) {
      visit(i, &context);
    }
  };
  size_t threads =
      options_.threads > 0
          ? static_cast<size_t>(options_.threads)
          : std::min<size_t>(4,
                             std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max<size_t>(
      1, std::min(threads,
                  (paths.size() + kFilesPerThread - 1) / kFilesPerThread));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  stats_.read_ms = MillisSince(read_start);

  // Every good header goes to the next cache, even when another file has an
  // error: fixing that file then costs one read, not 10,000. Bad files are
  // never cached, so their errors come from a fresh parse every time.
  Status first_error;
  bool cache_changed = false;
  size_t old_entries_kept = 0;
  std::unordered_set<std::string_view> cached_keys;
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  const int64_t now_ns = int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;

  std::vector<RevisionFile> files;
  files.reserve(paths.size());
  std::set<std::pair<dev_t, ino_t>> seen;
  for (Slot& slot : slots) {
    if (!slot.status.ok()) {
      if (first_error.ok()) first_error = slot.status;
      continue;
    }
    const bool hit = slot.match == HeaderCache::Match::kHit;
    const std::string_view key =
        hit ? cache.Key(slot.cache_index) : std::string_view(slot.key);
    // With one location paths, hence keys, are unique; with several, an
    // absolute and a relative location can name the same file.
    if (use_cache && slot.has_stamp &&
        (!want_identity || cached_keys.insert(key).second)) {
      slot.cacheable = true;
      if (hit) {
        ++old_entries_kept;
        ++stats_.cache_hits;
      } else {
        if (slot.cache_index >= 0 &&
            slot.record == cache.Record(slot.cache_index)) {
          ++old_entries_kept;
          // A racy entry stays racy until the cache is written long enough
          // after the file's last change; rewrite once that is possible.
          if (slot.match == HeaderCache::Match::kRacy &&
              slot.stamp.ChangeNs() < now_ns - kRacyMarginNs) {
            cache_changed = true;
          }
        } else {
          cache_changed = true;
        }
      }
    }
    if (!first_error.ok()) continue;
    if (want_identity && !seen.insert({slot.dev, slot.ino}).second) continue;
    if (slot.full_read) ++stats_.full_reads;
    files.push_back(std::move(*slot.file));
  }
  // Entries for deleted (or now broken) files are dropped by a rewrite.
  if (old_entries_kept != cache.size()) cache_changed = true;
  if (use_cache && cache_changed) {
    HeaderCacheWriter writer;
    for (const Slot& slot : slots) {
      if (!slot.cacheable) continue;
      writer.AddEncoded(slot.match == HeaderCache::Match::kHit
                            ? cache.Record(slot.cache_index)
                            : std::string_view(slot.record));
    }
    stats_.cache_written = writer.Commit(*cache_path).ok();
  }
  if (!first_error.ok()) return first_error;
  return Index(std::move(files));
}

Status ScriptDirectory::LoadEmbedded() {
  const MigrationSet& set = *options_.embedded;
  const std::string prefix =
      "embedded:" + std::string(set.name != nullptr ? set.name : "") + "/";
  std::vector<std::pair<std::string, std::string_view>> texts;
  for (size_t i = 0; i < set.count; ++i) {
    const MigrationFile& f = set.files[i];
    const std::string name = f.name != nullptr ? f.name : "";
    // As in a folder: .sql files only, hidden files and folders skipped.
    const bool hidden = name.starts_with('.') ||
                        name.find("/.") != std::string::npos;
    if (hidden || !name.ends_with(".sql")) continue;
    texts.emplace_back(prefix + name,
                       std::string_view(f.text != nullptr ? f.text : "",
                                        f.text != nullptr ? f.size : 0));
  }
  std::sort(texts.begin(), texts.end());
  std::vector<RevisionFile> files;
  files.reserve(texts.size());
  for (const auto& [path, text] : texts) {
    RETORT_ASSIGN_OR_RETURN(RevisionFile file, ParseRevisionHeader(text, path));
    files.push_back(std::move(file));
  }
  for (auto& [path, text] : texts) embedded_.emplace(path, text);
  stats_.files = files.size();
  return Index(std::move(files));
}

Status ScriptDirectory::Index(std::vector<RevisionFile> files) {
  std::unordered_map<std::string, size_t> by_id;
  by_id.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const Revision& rev = files[i].revision;
    if (rev.id.size() > kMaxRevisionIdLength) {
      // It would parse, plan and run, then fail to fit the version table
      // after its SQL ran, naming no file.
      return Status::Corruption(
          rev.path + ":" + std::to_string(rev.id_line) + ": Revision ID \"" +
          rev.id + "\" is " + std::to_string(rev.id.size()) +
          " characters; the version table's version_num column holds " +
          std::to_string(kMaxRevisionIdLength) +
          " (VARCHAR(32), as Alembic's): give the file a shorter id");
    }
    auto [it, inserted] = by_id.emplace(rev.id, i);
    if (!inserted) {
      const Revision& first = files[it->second].revision;
      return Status::Corruption(
          rev.path + ":" + std::to_string(rev.id_line) + ": Revision ID \"" +
          rev.id + "\" is already declared in " + first.path + ":" +
          std::to_string(first.id_line) + "; give one of the files a new id");
    }
  }
  stats_.files = files.size();
  files_ = std::move(files);
  by_id_ = std::move(by_id);
  return Status::OK();
}

std::vector<Revision> ScriptDirectory::Revisions() const {
  std::vector<Revision> out;
  out.reserve(files_.size());
  for (const RevisionFile& file : files_) out.push_back(file.revision);
  return out;
}

const RevisionFile* ScriptDirectory::Find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &files_[it->second];
}

Result<RevisionSections> ScriptDirectory::ReadSections(
    const Revision& revision) const {
  if (const std::string_view* text = EmbeddedText(revision.path)) {
    return ParseRevisionSections(*text, revision.path);
  }
  RETORT_ASSIGN_OR_RETURN(std::string text, ReadFile(revision.path));
  return ParseRevisionSections(text, revision.path);
}

const std::string_view* ScriptDirectory::EmbeddedText(
    const std::string& path) const {
  if (embedded_.empty()) return nullptr;
  auto it = embedded_.find(path);
  return it == embedded_.end() ? nullptr : &it->second;
}

Result<std::string> ScriptDirectory::Checksum(const std::string& path) const {
  if (const std::string_view* text = EmbeddedText(path)) {
    return TextChecksum(*text);
  }
  return RevisionFileChecksum(path);
}

Result<std::string> ScriptDirectory::VersionPathFor(
    const std::optional<std::string>& version_path,
    const std::vector<std::string>& head_paths) const {
  if (version_path) {
    const std::filesystem::path wanted = Normalized(*version_path);
    for (const std::string& location : locations_) {
      if (Normalized(location) == wanted) return *version_path;
    }
    return Status::InvalidArgument(
        "path " + *version_path + " is not one of the version locations (" +
        ListForMessage(locations_) +
        "); choose one of them or add it to version_locations");
  }
  if (locations_.size() == 1) return locations_.front();
  for (const std::string& head : head_paths) {
    if (head.empty()) continue;
    // The head's own folder, which may be a subfolder of a location when
    // the locations are scanned recursively.
    std::filesystem::path parent = std::filesystem::path(head).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
  }
  return Status::InvalidArgument("multiple version locations present (" +
                                 ListForMessage(locations_) +
                                 "); specify --version-path");
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + ErrnoText(err));
  }
  std::string out;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  Status status = ReadRest(fd, path, &out);
  close(fd);
  if (!status.ok()) return status;
  return out;
}

Result<std::string> FileSha256Hex(const std::string& path) {
  RETORT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return Sha256Hex(bytes);
}

}  // namespace retort
