// Fuzzes the revision file header parser (script/revision_file.h). Checks
// that what a header parse returns is consistent (a valid id, lists without
// empty or repeated entries, key lines inside the header) and that
// HeaderIsComplete keeps its promise: a prefix it calls complete parses
// exactly like the whole file, which the header cache relies on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "script/revision_file.h"

namespace retort {
namespace {

constexpr char kPath[] = "versions/x.sql";

void CheckList(const std::vector<std::string>& items, const char* what) {
  for (size_t i = 0; i < items.size(); ++i) {
    FUZZ_CHECK(ValidateRevisionId(items[i]).ok(),
               std::string(what) + " entry [" + items[i] + "]");
    for (size_t j = 0; j < i; ++j) {
      FUZZ_CHECK(items[i] != items[j],
                 std::string(what) + " repeats [" + items[i] + "]");
    }
  }
}

void CheckHeader(const RevisionFile& file) {
  const Revision& rev = file.revision;
  FUZZ_CHECK(!rev.id.empty() && ValidateRevisionId(rev.id).ok(), rev.id);
  FUZZ_CHECK(rev.path == kPath, rev.path);
  FUZZ_CHECK(rev.id_line >= 1 && rev.id_line <= file.header_lines,
             std::to_string(rev.id_line));
  FUZZ_CHECK(rev.revises_line >= 1 && rev.revises_line <= file.header_lines,
             std::to_string(rev.revises_line));
  FUZZ_CHECK(rev.depends_on_line <= file.header_lines,
             std::to_string(rev.depends_on_line));
  FUZZ_CHECK(rev.id_line != rev.revises_line, "one line, two keys");
  CheckList(rev.down_revisions, "Revises");
  CheckList(rev.branch_labels, "Branch Labels");
  CheckList(rev.depends_on, "Depends On");
  FUZZ_CHECK(rev.doc.find('\n') == std::string::npos, rev.doc);
  FUZZ_CHECK(
      file.import_checksum.empty() || file.import_checksum.size() == 7 + 64,
      file.import_checksum);
}

bool SameHeader(const RevisionFile& a, const RevisionFile& b) {
  return a.revision.id == b.revision.id &&
         a.revision.down_revisions == b.revision.down_revisions &&
         a.revision.branch_labels == b.revision.branch_labels &&
         a.revision.depends_on == b.revision.depends_on &&
         a.revision.doc == b.revision.doc &&
         a.revision.id_line == b.revision.id_line &&
         a.revision.revises_line == b.revision.revises_line &&
         a.revision.depends_on_line == b.revision.depends_on_line &&
         a.long_doc == b.long_doc && a.create_date == b.create_date &&
         a.transactional == b.transactional &&
         a.imported_from == b.imported_from &&
         a.import_checksum == b.import_checksum &&
         a.header_lines == b.header_lines;
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size > 4096) return -1;
  std::string_view text = fuzz::AsText(data, size);

  Result<RevisionFile> whole = ParseRevisionHeader(text, kPath);
  if (whole.ok()) {
    CheckHeader(*whole);
  } else {
    FUZZ_CHECK(whole.status().message().rfind(std::string(kPath) + ":", 0) == 0,
               whole.status().message());
  }

  // Every prefix HeaderIsComplete accepts must parse like the whole text.
  // Cut at line ends only (where the header cache reads up to), at most 64.
  int cuts = 0;
  for (size_t end = text.find('\n'); end != std::string_view::npos && cuts < 64;
       end = text.find('\n', end + 1), ++cuts) {
    std::string_view prefix = text.substr(0, end + 1);
    if (!HeaderIsComplete(prefix)) continue;
    Result<RevisionFile> part = ParseRevisionHeader(prefix, kPath);
    FUZZ_CHECK(
        part.ok() == whole.ok(),
        "prefix of " + std::to_string(prefix.size()) +
            " bytes: " + (part.ok() ? "ok" : part.status().message()) +
            " vs whole: " + (whole.ok() ? "ok" : whole.status().message()));
    if (part.ok()) {
      FUZZ_CHECK(SameHeader(*part, *whole),
                 "prefix of " + std::to_string(prefix.size()) + " bytes");
    } else {
      FUZZ_CHECK(part.status().message() == whole.status().message(),
                 part.status().message() + " vs " + whole.status().message());
    }
    break;  // the first complete prefix is the one the cache reads
  }
  return 0;
}
