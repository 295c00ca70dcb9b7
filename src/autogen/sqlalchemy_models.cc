// SQLAlchemy models: the DDL cache (layout and key in sqlalchemy_models.h)
// and a Python worker for each entry it does not hold.
#include "autogen/sqlalchemy_models.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "autogen/model_cache.h"
#include "python/answer.h"
#include "python/embedded_scripts.h"
#include "script/header_cache.h"
#include "script/sha256.h"
#include "util/byte_codec.h"
#include "util/clock.h"

namespace retort {
namespace {

#ifndef RETORT_VERSION
#define RETORT_VERSION "dev"
#endif

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr uint8_t kByContent = 1;
constexpr uint8_t kByStamp = 2;

void Log(const SqlalchemyModelsOptions& options, LogLevel level,
         const std::string& line) {
  if (options.log && level >= options.log_level) options.log(level, line);
}

bool IdentifierByte(unsigned char c, bool first) {
  // Python identifiers may hold any non-ASCII letter: bytes >= 0x80 pass.
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c >= 0x80 || (!first && c >= '0' && c <= '9');
}

// "a.b.c" with each part an identifier.
bool DottedName(std::string_view s) {
  if (s.empty()) return false;
  bool first = true;
  for (unsigned char c : s) {
    if (c == '.') {
      if (first) return false;  // empty part
      first = true;
      continue;
    }
    if (!IdentifierByte(c, first)) return false;
    first = false;
  }
  return !first;
}

int64_t Nanos(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Where posix_spawnp would find `interpreter`: itself when it holds a
// slash, else the first executable regular file of that name on PATH.
std::optional<std::string> FindInterpreter(const std::string& interpreter) {
  if (interpreter.empty()) return std::nullopt;
  auto usable = [](const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(path.c_str(), X_OK) == 0;
  };
  if (interpreter.find('/') != std::string::npos) {
    if (!usable(interpreter)) return std::nullopt;
    std::error_code ec;
    fs::path abs = fs::absolute(interpreter, ec);
    return ec ? interpreter : abs.lexically_normal().string();
  }
  const char* env = getenv("PATH");
  std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t pos = 0;
  for (int guard = 0; guard < 4096 && pos <= path.size(); ++guard) {
    size_t colon = path.find(':', pos);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(pos, colon - pos);
    pos = colon + 1;
    std::string candidate =
        (dir.empty() ? std::string(".") : dir) + "/" + interpreter;
    if (usable(candidate)) {
      std::error_code ec;
      fs::path abs = fs::absolute(candidate, ec);
      return ec ? candidate : abs.lexically_normal().string();
    }
  }
  return std::nullopt;
}

// The interpreter's part of the key: where it is found, what that resolves
// to, and that file's stamp. nullopt when it cannot be found (Python's
// start then reports why).
std::optional<std::string> InterpreterIdentity(const std::string& interpreter) {
  std::optional<std::string> found = FindInterpreter(interpreter);
  if (!found) return std::nullopt;
  char* real = realpath(found->c_str(), nullptr);
  std::string resolved = real ? real : *found;
  free(real);
  struct stat st;
  if (stat(resolved.c_str(), &st) != 0) return std::nullopt;
  std::string out = *found;
  out.push_back('\0');
  out += resolved;
  out.push_back('\0');
  out += std::to_string(st.st_size) + ":" + std::to_string(Nanos(st.st_mtim)) +
         ":" + std::to_string(st.st_ino);
  return out;
}

// Lengths in keys: no concatenation of different inputs hashes alike.
void HashField(Sha256* h, std::string_view field) {
  h->Update(std::to_string(field.size()) + ":");
  h->Update(field);
}

std::string DdlKey(const std::string& entry,
                   const SqlalchemyModelsOptions& options,
                   const std::vector<std::string>& roots,
                   const std::string& interpreter) {
  Sha256 h;
  HashField(&h, "retort sqlalchemy ddl");
  HashField(&h, RETORT_VERSION);
  HashField(&h, Sha256Hex(kSqlalchemyModelsScript));
  HashField(&h, entry);
  HashField(&h, options.dialect);
  HashField(&h, options.project_dir);
  HashField(&h, std::to_string(roots.size()));
  for (const std::string& root : roots) HashField(&h, root);
  const char* pythonpath = getenv("PYTHONPATH");
  HashField(&h, pythonpath ? pythonpath : "");
  HashField(&h, interpreter);
  return DigestToHex(h.Final());
}

std::string SlotPath(const std::string& dir, const std::string& entry,
                     const SqlalchemyModelsOptions& options) {
  std::string identity = options.project_dir;
  identity.push_back('\0');
  identity += entry;
  identity.push_back('\0');
  identity += options.dialect;
  return dir + "/sqlalchemy-" + Sha256Hex(identity).substr(0, 16) + ".ddl";
}

// One thing the DDL depended on (sqlalchemy_models.h).
struct DependencyFile {
  std::string path;
  uint8_t how = kByStamp;
  std::string sha256;
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

struct DependencyFolder {
  std::string path;
  std::vector<std::string> names;
};

struct CachedDdl {
  std::string ddl;
  std::vector<DependencyFile> files;
  std::vector<DependencyFolder> folders;
};

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80         ? 1
               : (c >> 5) == 6  ? 2
               : (c >> 4) == 14 ? 3
               : (c >> 3) == 30 ? 4
                                : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// What the worker lists for a folder: *.py files and folders (symlinks
// followed), not hidden, not __pycache__, sorted. nullopt when unreadable.
std::optional<std::vector<std::string>> ImportableNames(
    const std::string& folder) {
  DIR* dir = opendir(folder.c_str());
  if (!dir) return std::nullopt;
  std::vector<std::string> names;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    struct dirent* e = readdir(dir);
    if (!e) break;
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || name == "__pycache__") continue;
    if (!ValidUtf8(name)) continue;
    struct stat st;
    bool is_dir =
        stat((folder + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (is_dir || name.ends_with(".py")) names.push_back(std::move(name));
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  Sha256 h;
  char buf[65536];
  for (int guard = 0; guard < (1 << 20); ++guard) {
    in.read(buf, sizeof(buf));
    std::streamsize n = in.gcount();
    if (n > 0) h.Update(buf, static_cast<size_t>(n));
    if (!in) break;
  }
  if (in.bad()) return std::nullopt;
  return DigestToHex(h.Final());
}

// Whether everything the DDL depended on is as it was.
bool StillValid(const CachedDdl& cached) {
  for (const DependencyFile& f : cached.files) {
    if (f.how == kByContent) {
      std::optional<std::string> digest = FileSha256(f.path);
      if (!digest || *digest != f.sha256) return false;
    } else {
      struct stat st;
      if (stat(f.path.c_str(), &st) != 0) return false;
      if (static_cast<int64_t>(st.st_size) != f.size ||
          Nanos(st.st_mtim) != f.mtime_ns) {
        return false;
      }
    }
  }
  for (const DependencyFolder& d : cached.folders) {
    std::optional<std::vector<std::string>> names = ImportableNames(d.path);
    if (!names || *names != d.names) return false;
  }
  return true;
}

std::string EncodeCachedDdl(const CachedDdl& c) {
  std::string out;
  PutString(&out, c.ddl);
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(c.files.size()));
  for (const DependencyFile& f : c.files) {
    PutString(&out, f.path);
    PutFixed<uint8_t>(&out, f.how);
    PutString(&out, f.sha256);
    PutFixed<int64_t>(&out, f.size);
    PutFixed<int64_t>(&out, f.mtime_ns);
  }
  PutFixed<uint32_t>(&out, static_cast<uint32_t>(c.folders.size()));
  for (const DependencyFolder& d : c.folders) {
    PutString(&out, d.path);
    PutFixed<uint32_t>(&out, static_cast<uint32_t>(d.names.size()));
    for (const std::string& n : d.names) PutString(&out, n);
  }
  return out;
}

std::optional<CachedDdl> DecodeCachedDdl(std::string_view payload) {
  ByteReader in(payload);
  CachedDdl c;
  c.ddl = std::string(in.String());
  uint32_t nfiles = in.Count(4 + 1 + 4 + 8 + 8);
  for (uint32_t i = 0; i < nfiles && in.ok(); ++i) {
    DependencyFile f;
    f.path = std::string(in.String());
    f.how = in.Get<uint8_t>();
    f.sha256 = std::string(in.String());
    f.size = in.Get<int64_t>();
    f.mtime_ns = in.Get<int64_t>();
    if (f.how != kByContent && f.how != kByStamp) return std::nullopt;
    c.files.push_back(std::move(f));
  }
  uint32_t nfolders = in.Count(4 + 4);
  for (uint32_t i = 0; i < nfolders && in.ok(); ++i) {
    DependencyFolder d;
    d.path = std::string(in.String());
    uint32_t nnames = in.Count(4);
    for (uint32_t k = 0; k < nnames && in.ok(); ++k) {
      d.names.emplace_back(in.String());
    }
    c.folders.push_back(std::move(d));
  }
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return c;
}

// The dependencies as the worker reported them.
std::optional<CachedDdl> FromAnswer(const json& answer, std::string ddl) {
  CachedDdl c;
  c.ddl = std::move(ddl);
  for (const json& f : AnswerArray(answer, "files")) {
    const std::string path = AnswerString(f, "path");
    if (path.empty()) return std::nullopt;
    DependencyFile d;
    d.path = path;
    const std::string sha256 = AnswerString(f, "sha256");
    if (!sha256.empty()) {
      d.how = kByContent;
      d.sha256 = sha256;
    } else {
      d.how = kByStamp;
      d.size = AnswerInt(f, "size", -1);
      d.mtime_ns = AnswerInt(f, "mtime_ns", -1);
    }
    c.files.push_back(std::move(d));
  }
  for (const json& f : AnswerArray(answer, "dirs")) {
    if (!f.is_object()) return std::nullopt;
    DependencyFolder d;
    d.path = AnswerString(f, "path");
    d.names = AnswerStrings(f, "names");
    c.folders.push_back(std::move(d));
  }
  return c;
}

// The ModelFile text of an emission.
std::string ComposeDdl(const std::string& entry, const std::string& dialect,
                       const json& answer) {
  std::string text = "-- DDL of " + entry + ", emitted by SQLAlchemy " +
                     AnswerString(answer, "sqlalchemy") + " for " + dialect +
                     "\n";
  for (const std::string& s : AnswerStrings(answer, "statements")) {
    text += "\n" + s + ";\n";
  }
  return text;
}

// An error answer of the worker as a Status.
Status WorkerError(const PythonCommand& python, const std::string& entry,
                   const json& answer) {
  std::string kind = AnswerString(answer, "error");
  std::string message = AnswerString(answer, "message");
  if (kind == "no_sqlalchemy") {
    return PythonMissingModule(python, "sqlalchemy", "python3-sqlalchemy",
                               message);
  }
  if (kind == "old_sqlalchemy") {
    return Status::NotFound(python.interpreter + " (" + python.origin +
                            "): " + message +
                            " (Debian 12's python3-sqlalchemy is 1.4.46)");
  }
  if (kind == "internal" || kind == "request" || kind == "unknown_op" ||
      message.empty()) {
    return Status::Internal(
        entry + ": retort's SQLAlchemy worker failed: " +
        (message.empty()
             ? "unexpected answer " +
                   answer.dump(-1, ' ', false, json::error_handler_t::replace)
             : message));
  }
  return Status::InvalidArgument(message);
}

}  // namespace

bool IsSqlalchemyEntry(std::string_view entry) {
  return entry.starts_with(kSqlalchemyEntryPrefix);
}

Status CheckSqlalchemyEntry(std::string_view entry) {
  std::string_view rest = entry.substr(
      IsSqlalchemyEntry(entry) ? kSqlalchemyEntryPrefix.size() : 0);
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos && DottedName(rest.substr(0, colon)) &&
      DottedName(rest.substr(colon + 1))) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      std::string(entry) +
      ": expected sqlalchemy:<module>:<attribute>, e.g. "
      "sqlalchemy:app.models:Base.metadata");
}

Result<std::vector<ModelFile>> EmitSqlalchemyModels(
    const std::vector<std::string>& entries,
    const SqlalchemyModelsOptions& options, SqlalchemyModelsStats* stats) {
  SqlalchemyModelsStats local;
  if (!stats) stats = &local;
  for (const std::string& entry : entries) {
    RETORT_RETURN_IF_ERROR(CheckSqlalchemyEntry(entry));
  }
  std::vector<std::string> roots = {options.project_dir};
  for (const std::string& p : options.python_path) {
    if (std::find(roots.begin(), roots.end(), p) == roots.end()) {
      roots.push_back(p);
    }
  }

  // The cache first: a hit starts no Python.
  std::vector<ModelFile> out(entries.size());
  std::vector<std::string> keys(entries.size()), slots(entries.size());
  std::vector<size_t> missing;
  std::optional<std::string> cache_dir = RetortCacheDir();
  std::optional<std::string> interpreter =
      cache_dir ? InterpreterIdentity(options.python.interpreter)
                : std::nullopt;
  for (size_t i = 0; i < entries.size(); ++i) {
    out[i].path = entries[i];
    if (interpreter) {
      keys[i] = DdlKey(entries[i], options, roots, *interpreter);
      slots[i] = SlotPath(*cache_dir, entries[i], options);
      if (std::optional<std::string> payload = ReadModelCacheFile(
              slots[i], kModelCacheKindSqlalchemy, keys[i])) {
        std::optional<CachedDdl> cached = DecodeCachedDdl(*payload);
        if (cached && StillValid(*cached)) {
          out[i].text = std::move(cached->ddl);
          ++stats->cache_hits;
          Log(options, LogLevel::kDebug,
              entries[i] + ": DDL from the cache (" + slots[i] + ")");
          continue;
        }
      }
    }
    missing.push_back(i);
  }
  if (missing.empty()) return out;

  PythonCommand python = options.python;
  python.python_path = roots;
  python.cwd = options.project_dir;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i : missing) {
    // A process of its own per entry: an entry's tables are what importing
    // its module registers, whichever other entries were emitted (two
    // entries sharing a declarative Base would otherwise see each other's
    // tables, or not, depending on what the cache held).
    const std::string& entry = entries[i];
    const auto entry_start = std::chrono::steady_clock::now();
    RETORT_ASSIGN_OR_RETURN(
        std::unique_ptr<PythonWorker> worker,
        PythonWorker::Start(python, kSqlalchemyModelsScript));
    stats->python_started = true;
    RETORT_ASSIGN_OR_RETURN(json hello,
                            worker->Call({{"op", "hello"}}, options.timeout));
    if (!AnswerOk(hello)) return WorkerError(python, entry, hello);
    json request = {{"op", "emit"},
                    {"entry", entry.substr(kSqlalchemyEntryPrefix.size())},
                    {"dialect", options.dialect},
                    {"project", options.project_dir},
                    {"roots", roots}};
    RETORT_ASSIGN_OR_RETURN(json answer,
                            worker->Call(request, options.timeout));
    if (!AnswerOk(answer)) return WorkerError(python, entry, answer);
    (void)worker->Finish();
    out[i].text = ComposeDdl(entry, options.dialect, answer);
    ++stats->emitted;
    Log(options, LogLevel::kDebug,
        entry + ": DDL emitted by SQLAlchemy " +
            AnswerString(hello, "sqlalchemy") + " on Python " +
            AnswerString(hello, "python") + " (" +
            AnswerString(hello, "executable") +
            "): " + std::to_string(AnswerArray(answer, "statements").size()) +
            " statements in " + Seconds(SecondsSince(entry_start)) + " s");
    if (!keys[i].empty()) {
      if (std::optional<CachedDdl> cached = FromAnswer(answer, out[i].text)) {
        // Best effort: a cache that cannot be written is just not used.
        (void)WriteModelCacheFile(slots[i], kModelCacheKindSqlalchemy, keys[i],
                                  EncodeCachedDdl(*cached));
      }
    }
  }
  stats->python_seconds = SecondsSince(start);
  Log(options, LogLevel::kDebug,
      std::string("SQLAlchemy models: ") + python.interpreter + " ran for " +
          Seconds(stats->python_seconds) + " s (" +
          std::to_string(stats->emitted) + " emitted, " +
          std::to_string(stats->cache_hits) + " from the cache)");
  return out;
}

}  // namespace retort
