// The model sources line and the files no `models` pattern matched.
#include "autogen/model_sources.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>
#include <unordered_set>

#include "util/strings.h"

namespace retort {
namespace fs = std::filesystem;

namespace {

// Shortened lines name this many before the count.
constexpr size_t kFirstFew = 5;

std::string Normal(const fs::path& path) {
  std::string out = path.lexically_normal().string();
  // "models/" (a folder given with its slash) and "models" are one folder.
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "." : out;
}

// Whether `path` is already as Normal makes it (no ".", ".." or empty
// component, no trailing slash): most paths are, and are then taken as
// they are -- a folder of thousands of model files is not normalised file
// by file.
bool IsNormal(std::string_view path) {
  if (path.empty() || path.back() == '/') return path == "/";
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if ((part.empty() && start != 0) || part == "." || part == "..") {
      return path == ".";
    }
    start = slash + 1;
  }
  return true;
}

std::string Normalised(const std::string& path) {
  return IsNormal(path) ? path : Normal(path);
}

}  // namespace

std::string ModelPatternFolder(std::string_view pattern) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    parts.emplace_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  // The last part names files; the folder is what comes before the first
  // part with a wildcard, or before the last part.
  size_t keep = parts.size() - 1;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].find_first_of("*?[") != std::string::npos) {
      keep = std::min(keep, i);
      break;
    }
  }
  if (keep == 0) return pattern.starts_with("/") ? "/" : ".";
  std::string folder;
  for (size_t i = 0; i < keep; ++i) {
    if (i > 0) folder += '/';
    folder += parts[i];
  }
  return folder.empty() ? "/" : Normal(folder);
}

bool ModelPatternHasWildcard(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

std::vector<std::string> UnmatchedModelFiles(
    const std::vector<std::string>& folders,
    const std::vector<std::string>& matched,
    const std::vector<std::string>& skip, size_t max_entries, bool* truncated) {
  if (truncated != nullptr) *truncated = false;
  size_t entries = 0;
  std::unordered_set<std::string> read;
  read.reserve(matched.size());
  for (const std::string& m : matched) read.insert(Normalised(m));
  std::set<std::string> skipped, found;
  for (const std::string& s : skip) skipped.insert(Normal(s));
  std::set<std::string> roots;
  for (const std::string& f : folders) roots.insert(Normal(f));
  for (const std::string& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec) || skipped.count(root)) continue;
    fs::recursive_directory_iterator it(
        root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (++entries > max_entries) {
        if (truncated != nullptr) *truncated = true;
        return {found.begin(), found.end()};
      }
      const fs::directory_entry& entry = *it;
      const std::string& native = entry.path().native();
      std::error_code type_ec;
      if (entry.is_directory(type_ec)) {
        std::string name = entry.path().filename().string();
        if (name.starts_with(".") || skipped.count(Normal(entry.path()))) {
          it.disable_recursion_pending();
        }
        continue;
      }
      if (!native.ends_with(".sql")) continue;
      // Below a normal root, "root/a/b.sql" is normal; below ".", "./a".
      std::string path =
          root == "." && native.starts_with("./") ? native.substr(2) : native;
      if (!IsNormal(path)) path = Normal(path);
      if (read.count(path)) continue;
      if (!entry.is_regular_file(type_ec)) continue;
      found.insert(std::move(path));
    }
  }
  return {found.begin(), found.end()};
}

std::string ModelSourcesLine(const std::vector<std::string>& sources,
                             size_t shown) {
  const size_t n = sources.size();
  std::string count = std::to_string(n) + (n == 1 ? " source" : " sources");
  if (n <= shown) return "Models: " + Join(sources, ", ") + " (" + count + ")";
  const size_t named = std::min(kFirstFew, shown);
  std::vector<std::string> first(sources.begin(), sources.begin() + named);
  return "Models: " +
         (named == 0 ? std::string() : Join(first, ", ") + " and ") +
         std::to_string(n - named) + " more (" + count + "; -v lists them all)";
}

std::vector<std::string> UnmatchedModelWarnings(
    const std::vector<std::string>& files, const std::string& config_name,
    size_t shown) {
  const std::string why = "no pattern of 'models' in " + config_name;
  std::vector<std::string> out;
  const size_t named =
      files.size() <= shown ? files.size() : std::min(kFirstFew, shown);
  for (size_t i = 0; i < named; ++i) {
    out.push_back(files[i] + " is not read: " + why + " matches it");
  }
  if (named < files.size()) {
    out.push_back(std::to_string(files.size() - named) +
                  " more .sql files under the models folders are not read: " +
                  why + " matches them (-v lists them all)");
  }
  return out;
}

}  // namespace retort
