// Rewriting a revision file's "Revises" header.
#include "script/rebase_file.h"

#include <fstream>
#include <iterator>

#include "script/revision_file.h"
#include "util/atomic_file.h"

namespace retort {

Result<std::string> ReplaceRevises(std::string_view text, int line,
                                   std::string_view revises,
                                   const std::string& path) {
  const std::string where = path + ":" + std::to_string(line);
  size_t start = 0;
  for (int n = 1; n < line && start != std::string_view::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (line < 1 || start == std::string_view::npos || start >= text.size()) {
    return Status::InvalidArgument(where + ": rebase: no such line for the '" +
                                   std::string(kRevisesKey) + "' header");
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  size_t value_end = end;
  if (value_end > start && text[value_end - 1] == '\r') --value_end;
  std::string_view row = text.substr(start, value_end - start);
  // "--", spaces, "Revises", spaces, ":".
  size_t i = row.rfind("--", 0) == 0 ? 2 : std::string_view::npos;
  if (i != std::string_view::npos) {
    i = row.find_first_not_of(" \t", i);
    if (i == std::string_view::npos ||
        row.substr(i, kRevisesKey.size()) != kRevisesKey) {
      i = std::string_view::npos;
    } else {
      i = row.find_first_not_of(" \t", i + kRevisesKey.size());
      if (i == std::string_view::npos || row[i] != ':') {
        i = std::string_view::npos;
      }
    }
  }
  if (i == std::string_view::npos) {
    return Status::InvalidArgument(
        where + ": rebase: expected the '" + std::string(kRevisesKey) +
        "' header here, found '" + std::string(row) + "'");
  }
  std::string out(text.substr(0, start + i + 1));
  if (!revises.empty()) out += " " + std::string(revises);
  out += text.substr(value_end);
  return out;
}

Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("rebase: cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status ReplaceFileAtomically(const std::string& path, std::string_view text) {
  Status written = WriteFileAtomically(path, text, /*replace=*/true);
  if (!written.ok()) {
    return written.WithContext("rebase: writing " + path +
                               " (nothing was changed)");
  }
  return Status::OK();
}

}  // namespace retort
