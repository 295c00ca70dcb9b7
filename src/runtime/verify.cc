// Applied revisions against their files; see verify.h.
#include "runtime/verify.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "dialect/url.h"
#include "runtime/history.h"
#include "runtime/run_dialect.h"
#include "runtime/run_internal.h"
#include "runtime/session.h"
#include "script/checksum.h"
#include "script/sha256.h"

namespace retort {

namespace {

// What verify needs of a file, read once per process while the file stays
// the same: fan-outs check the same files for every tenant, and a file
// edited meanwhile (an in-process caller) is read again.
struct FileDigest {
  std::string text;  // TextChecksum
  std::string raw;   // Sha256Hex of the bytes, when they hold a '\r'
  // SquashChecksum, when the file has a "Squash Checksum" line.
  std::string squash;
  bool Matches(const std::string& recorded) const {
    return recorded == text || (!raw.empty() && recorded == raw);
  }
};

// What tells one version of a file from another without reading it.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> StampOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileStamp stamp;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  stamp.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec;
  return stamp;
}

// The digest of `text` (an embedded file).
FileDigest DigestOfText(std::string_view text) {
  FileDigest digest;
  digest.text = TextChecksum(text);
  if (text.find('\r') != std::string_view::npos) digest.raw = Sha256Hex(text);
  if (text.find("-- Squash Checksum:") != std::string_view::npos) {
    digest.squash = SquashChecksum(text);
  }
  return digest;
}

Result<FileDigest> DigestOf(const std::string& path) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::pair<FileStamp, FileDigest>>
      cache;
  const std::optional<FileStamp> stamp = StampOf(path);
  if (stamp) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(path);
    if (it != cache.end() && it->second.first == *stamp) {
      return it->second.second;
    }
  }
  RETORT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  FileDigest digest = DigestOfText(bytes);
  // Stamped before the read: a write during it changes the stamp, and the
  // next call reads again.
  if (stamp) {
    std::lock_guard<std::mutex> lock(mu);
    cache[path] = {*stamp, digest};
  }
  return digest;
}

// The latest whole-step upgrade/downgrade row of each revision.
struct RecordedStep {
  std::string direction;
  std::string checksum;
  std::string finished_at;
  std::string applied_by;
};

std::string Short(const std::string& checksum) {
  return checksum.substr(0, 12);
}

Result<std::map<std::string, RecordedStep>> ReadRecorded(
    Connection& db, const VersionTableSql& sql, int version) {
  std::map<std::string, RecordedStep> out;
  if (version == 0) return out;
  RETORT_ASSIGN_OR_RETURN(QueryResult rows,
                          db.Query(sql.SelectLatestSteps(version >= 2)));
  for (const Row& row : rows.rows) {
    if (row.size() < 5 || !row[0]) continue;
    out[*row[0]] = {row[1].value_or(""), row[2].value_or(""),
                    row[3].value_or(""), row[4].value_or("")};
  }
  return out;
}

// Every applied revision: the heads and their ancestors ("Depends On"
// included), oldest first.
std::vector<std::string> AppliedOldestFirst(
    const RevisionMap& map, const std::vector<std::string>& heads) {
  if (heads.empty()) return {};
  std::vector<std::string> all = map.Ancestors(heads);
  std::set<std::string> left(all.begin(), all.end());
  std::vector<std::string> ordered;
  ordered.reserve(all.size());
  // The walk an upgrade from base takes, reversed; anything it does not
  // list (it should list all) keeps the map's order after it.
  auto walk = map.IterateRevisions(RevisionArg(heads), RevisionArg());
  if (walk.ok()) {
    for (auto it = walk->rbegin(); it != walk->rend(); ++it) {
      if (*it != nullptr && left.erase((*it)->id()) > 0) {
        ordered.push_back((*it)->id());
      }
    }
  }
  for (const std::string& id : all) {
    if (left.erase(id) > 0) ordered.push_back(id);
  }
  return ordered;
}

// The digest of a revision file (embedded or on disk).
Result<FileDigest> DigestOfFile(const ScriptDirectory& scripts,
                                const std::string& path) {
  if (const std::string_view* text = scripts.EmbeddedText(path)) {
    return DigestOfText(*text);
  }
  return DigestOf(path);
}

// True while `file` is as `retort squash` wrote it, so that its "Squashes"
// header says what the databases that ran its revisions recorded.
bool SquashIntact(const RevisionFile& file, const FileDigest& digest) {
  return !file.squash_checksum.empty() && digest.squash == file.squash_checksum;
}

// True when `file`'s "Squashes" header lists `id` with `checksum`.
bool Lists(const RevisionFile& file, const std::string& id,
           const std::string& checksum) {
  for (const SquashedRevision& s : file.squashes) {
    if (s.id == id && s.checksum == checksum) return true;
  }
  return false;
}

// The last checksum `file`'s "Squashes" header lists for `id`; "" if none.
std::string ListedChecksum(const RevisionFile& file, const std::string& id) {
  std::string out;
  for (const SquashedRevision& s : file.squashes) {
    if (s.id == id) out = s.checksum;
  }
  return out;
}

}  // namespace

const char* IntegrityKindName(IntegrityFinding::Kind kind) {
  switch (kind) {
    case IntegrityFinding::Kind::kEdited:
      return "edited";
    case IntegrityFinding::Kind::kMissing:
      return "missing";
    case IntegrityFinding::Kind::kUnknown:
      return "unknown";
    case IntegrityFinding::Kind::kUnverified:
      return "unverified";
    case IntegrityFinding::Kind::kSquashed:
      return "squashed";
  }
  return "?";
}

bool IntegrityReport::clean() const {
  for (const IntegrityFinding& f : findings) {
    if (f.kind != IntegrityFinding::Kind::kUnverified &&
        f.kind != IntegrityFinding::Kind::kSquashed) {
      return false;
    }
  }
  return true;
}

Result<IntegrityReport> VerifyAppliedOn(Connection& db,
                                        const VersionTableSql& sql,
                                        const ScriptDirectory& scripts,
                                        const RevisionMap& map,
                                        const std::vector<std::string>& heads) {
  IntegrityReport report;
  report.heads = heads;
  RETORT_ASSIGN_OR_RETURN(int version, ReadHistoryTableVersion(db, sql));
  report.history_table = version > 0;
  RETORT_ASSIGN_OR_RETURN(auto recorded, ReadRecorded(db, sql, version));

  std::vector<std::string> known_heads;
  std::set<std::string> reported;
  for (const std::string& head : heads) {
    if (map.Find(head) != nullptr && scripts.Find(head) != nullptr) {
      known_heads.push_back(head);
      continue;
    }
    IntegrityFinding f;
    f.revision = head;
    auto it = recorded.find(head);
    if (it != recorded.end() && it->second.direction == "upgrade") {
      f.kind = IntegrityFinding::Kind::kMissing;
      f.recorded = it->second.checksum;
      f.applied_at = it->second.finished_at;
      f.applied_by = it->second.applied_by;
      f.next_step = head + " is applied (upgraded by " + f.applied_by + " at " +
                    f.applied_at +
                    ") but no revision file declares it; restore its file "
                    "from version control";
    } else {
      f.kind = IntegrityFinding::Kind::kUnknown;
      f.next_step = "the version table holds " + head +
                    ", which no revision file declares and retort never "
                    "ran; check out the branch that has its file, or "
                    "`retort stamp` the database to a revision you have";
    }
    reported.insert(head);
    report.findings.push_back(std::move(f));
  }
  const std::vector<std::string> applied = AppliedOldestFirst(map, known_heads);
  std::vector<IntegrityFinding> found;
  for (const std::string& id : applied) {
    const RevisionFile* file = scripts.Find(id);
    if (file == nullptr) continue;  // the graph was built from the files
    ++report.applied;
    const std::string& path = file->revision.path;
    auto it = recorded.find(id);
    IntegrityFinding f;
    f.revision = id;
    f.path = path;
    if (it == recorded.end() || it->second.direction != "upgrade" ||
        it->second.checksum.empty()) {
      f.kind = IntegrityFinding::Kind::kUnverified;
      f.next_step = path + ": " + id +
                    " is applied but no checksum was recorded (applied "
                    "before retort took over, or stamped); it cannot be "
                    "checked";
      found.push_back(std::move(f));
      continue;
    }
    RETORT_ASSIGN_OR_RETURN(FileDigest digest, DigestOfFile(scripts, path));
    if (digest.Matches(it->second.checksum)) {
      ++report.verified;
      continue;
    }
    f.recorded = it->second.checksum;
    f.actual = digest.text;
    f.applied_at = it->second.finished_at;
    f.applied_by = it->second.applied_by;
    // It ran as the file `retort squash` replaced by this one.
    const bool listed = Lists(*file, id, f.recorded);
    if (listed && SquashIntact(*file, digest)) {
      ++report.verified;
      f.kind = IntegrityFinding::Kind::kSquashed;
      f.next_step = id + " ran before `retort squash` replaced its file; " +
                    path + " lists the checksum recorded then (" +
                    Short(f.recorded) + "...) in its Squashes header";
      found.push_back(std::move(f));
      continue;
    }
    f.kind = IntegrityFinding::Kind::kEdited;
    if (listed) {
      f.next_step = path + ": " + id +
                    " was edited after `retort squash` wrote it (its Squash "
                    "Checksum no longer matches, file now " +
                    Short(f.actual) +
                    "...); restore the file as squash wrote it and put the "
                    "change in a new revision";
      found.push_back(std::move(f));
      continue;
    }
    f.next_step = path + ": " + id +
                  " was edited after it was applied (recorded sha256 " +
                  Short(f.recorded) + "..., file now " + Short(f.actual) +
                  "...); restore the file as it was applied and put the "
                  "change in a new revision";
    found.push_back(std::move(f));
  }
  for (IntegrityFinding& f : found) report.findings.push_back(std::move(f));
  // Revisions the history ran last as upgrades whose file is gone: squashed
  // into a file that lists them, or missing.
  std::map<std::string, std::vector<const RevisionFile*>> squashed_into;
  for (const RevisionFile& file : scripts.files()) {
    for (const SquashedRevision& s : file.squashes) {
      auto& into = squashed_into[s.id];
      if (std::find(into.begin(), into.end(), &file) == into.end()) {
        into.push_back(&file);
      }
    }
  }
  const std::set<std::string> applied_ids(applied.begin(), applied.end());
  for (const auto& [id, step] : recorded) {
    if (step.direction != "upgrade" || reported.count(id) ||
        scripts.Find(id) != nullptr || id.find(',') != std::string::npos) {
      continue;
    }
    IntegrityFinding f;
    if (auto into = squashed_into.find(id); into != squashed_into.end()) {
      // Only a squashed file that is applied ran the revision's part; rows
      // left from before a downgrade below it are past history.
      const RevisionFile* match = nullptr;
      const RevisionFile* applied_file = nullptr;
      for (const RevisionFile* file : into->second) {
        if (!applied_ids.count(file->revision.id)) continue;
        applied_file = file;
        if (Lists(*file, id, step.checksum)) match = file;
      }
      if (applied_file == nullptr) continue;
      const RevisionFile& file = match ? *match : *applied_file;
      const std::string listed = ListedChecksum(file, id);
      f.revision = id;
      f.path = file.revision.path;
      f.recorded = step.checksum;
      f.applied_at = step.finished_at;
      f.applied_by = step.applied_by;
      RETORT_ASSIGN_OR_RETURN(FileDigest digest, DigestOfFile(scripts, f.path));
      if (match != nullptr && !SquashIntact(file, digest)) {
        f.kind = IntegrityFinding::Kind::kEdited;
        f.actual = digest.text;
        f.next_step = f.path + ": " + id + " (squashed into " +
                      file.revision.id +
                      ") was edited after `retort squash` wrote the file (its "
                      "Squash Checksum no longer matches, file now " +
                      Short(f.actual) +
                      "...); restore the file as squash wrote it and put the "
                      "change in a new revision";
      } else if (match != nullptr) {
        f.kind = IntegrityFinding::Kind::kSquashed;
        f.next_step = id + " ran before `retort squash` folded it into " +
                      file.revision.id + "; " + f.path +
                      " lists the checksum recorded then (" +
                      Short(f.recorded) + "...) in its Squashes header";
      } else {
        f.kind = IntegrityFinding::Kind::kEdited;
        f.actual = listed;
        f.next_step = f.path + ": " + id + " (squashed into " +
                      file.revision.id +
                      ") was edited after it was applied and before it was "
                      "squashed (recorded sha256 " +
                      Short(f.recorded) + "..., squashed " + Short(listed) +
                      "...); restore the squashed part as it was applied "
                      "and put the change in a new revision";
      }
      report.findings.push_back(std::move(f));
      continue;
    }
    f.kind = IntegrityFinding::Kind::kMissing;
    f.revision = id;
    f.recorded = step.checksum;
    f.applied_at = step.finished_at;
    f.applied_by = step.applied_by;
    f.next_step = id + " is applied (upgraded by " + f.applied_by + " at " +
                  f.applied_at +
                  ") but no revision file declares it; restore its file "
                  "from version control";
    report.findings.push_back(std::move(f));
  }
  return report;
}

Result<IntegrityReport> VerifyApplied(const ScriptDirectory& scripts,
                                      const RevisionMap& map,
                                      const RunTarget& target,
                                      const RunSettings& settings) {
  RETORT_ASSIGN_OR_RETURN(bool nothing, NoDatabaseYet(target));
  if (nothing) return IntegrityReport{};
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                          OpenSession(target, settings, SessionUse::kRead));
  Connection* db = &session->db();
  if (auto search_path =
          RunDialect::For(db->dialect()).SearchPathStatement(target)) {
    RETORT_RETURN_IF_ERROR(
        db->Execute(*search_path).WithContext("setting search_path"));
  }
  VersionTableSql sql(db->dialect(), target.version_table,
                      target.version_table_schema);
  Params params;
  std::string exists = sql.VersionTableExistsQuery(&params);
  RETORT_ASSIGN_OR_RETURN(QueryResult found, db->Query(exists, params));
  std::vector<std::string> heads;
  if (!found.rows.empty()) {
    RETORT_ASSIGN_OR_RETURN(QueryResult rows, db->Query(sql.SelectHeads()));
    for (const Row& row : rows.rows) {
      if (!row.empty() && row[0]) heads.push_back(*row[0]);
    }
  }
  std::sort(heads.begin(), heads.end());
  RETORT_ASSIGN_OR_RETURN(IntegrityReport report,
                          VerifyAppliedOn(*db, sql, scripts, map, heads));
  RETORT_RETURN_IF_ERROR(session->End());
  return report;
}

Status CheckAppliedUnedited(Connection& db, const VersionTableSql& sql,
                            const ScriptDirectory& scripts,
                            const RevisionMap& map,
                            const std::vector<std::string>& heads,
                            const RunSettings& settings) {
  if (heads.empty()) return Status::OK();
  RETORT_ASSIGN_OR_RETURN(IntegrityReport report,
                          VerifyAppliedOn(db, sql, scripts, map, heads));
  std::vector<const IntegrityFinding*> edited;
  for (const IntegrityFinding& f : report.findings) {
    if (f.kind == IntegrityFinding::Kind::kEdited) edited.push_back(&f);
  }
  if (edited.empty()) return Status::OK();
  if (settings.on_edited_warn) {
    for (const IntegrityFinding* f : edited) {
      Log(settings, LogLevel::kWarn,
          f->path + ": applied revision " + f->revision +
              " was edited after it was applied; running on (on_edited = "
              "\"warn\" or --allow-edited)");
    }
    return Status::OK();
  }
  const IntegrityFinding& first = *edited.front();
  std::string more = edited.size() > 1
                         ? " (and " + std::to_string(edited.size() - 1) +
                               " more: " + "`retort verify` lists them)"
                         : "";
  return Status::Conflict(
      first.path + ": applied revision " + first.revision +
      " was edited after it was applied" + more +
      "; restore the file as it was applied and put the change in a new "
      "revision, or run with --allow-edited (on_edited = \"warn\" in "
      "retort.toml) to upgrade anyway (nothing was run)");
}

}  // namespace retort
