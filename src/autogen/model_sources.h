// Saying which model sources autogenerate read, and which SQL files it did
// not: a model file outside every `models` pattern is simply not read, so
// the comparison would quietly find "No changes" (or propose to drop its
// tables). `diff`, `check` and `revision --autogenerate` print first the
// unread files, as warnings, then the sources read:
//
//   warning: models/billing/invoices.sql is not read: no pattern of
//     'models' in retort.toml matches it
//   Models: models/auth.sql, models/users.sql,
//     sqlalchemy:app.models:Base.metadata (3 sources)
//
// where a warning is for each `.sql` file under the folder part of a
// wildcard pattern (searched recursively) that no pattern matched.
#ifndef RETORT_AUTOGEN_MODEL_SOURCES_H_
#define RETORT_AUTOGEN_MODEL_SOURCES_H_

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// The folder part of a `models` glob pattern: its leading path components
// up to the first one with a wildcard (*, ?, [), or up to the file name
// when it has none. "models/*.sql" -> "models", "db/models/*/t.sql" ->
// "db/models", "models/app.sql" -> "models", "*.sql" -> ".",
// "/srv/app/models/*.sql" -> "/srv/app/models".
std::string ModelPatternFolder(std::string_view pattern);

// Whether a `models` pattern has a wildcard (*, ?, [). Only such patterns'
// folders are searched for files they miss: a pattern naming one file says
// which file is meant.
bool ModelPatternHasWildcard(std::string_view pattern);

// How many folder entries the search for unread files looks at, at most:
// a pattern like "*.sql" at the top of a big tree (node_modules, a
// checkout of data) must not make every diff walk all of it.
inline constexpr size_t kUnmatchedScanLimit = 20000;

// The `.sql` files under `folders` (each searched recursively; folders
// whose name starts with "." and the `skip` folders -- the revisions'
// folders -- are not entered, nor are symbolic links to folders followed)
// that are not among `matched` (the files the patterns matched). Paths are
// compared and returned lexically normalised, e.g. "models/billing/x.sql";
// sorted, each once. The search stops after `max_entries` entries, setting
// `*truncated` (when given) to say the list may be incomplete.
std::vector<std::string> UnmatchedModelFiles(
    const std::vector<std::string>& folders,
    const std::vector<std::string>& matched,
    const std::vector<std::string>& skip,
    size_t max_entries = kUnmatchedScanLimit, bool* truncated = nullptr);

// How many sources or files a line names before it shortens.
inline constexpr size_t kModelSourcesShown = 10;

// "Models: a.sql, b.sql (2 sources)"; "Models: a.sql (1 source)". More
// than `shown` sources: the first five (or `shown`, if fewer) and a count,
// "Models: a, b, c, d, e and 245 more (250 sources; -v lists them all)".
// `shown` = std::numeric_limits<size_t>::max() names every one.
std::string ModelSourcesLine(const std::vector<std::string>& sources,
                             size_t shown = kModelSourcesShown);

// The warnings (without the "warning: " the log puts before them) for
// `files` no pattern matched, `config_name` naming the configuration file:
// "models/x.sql is not read: no pattern of 'models' in retort.toml matches
// it", one per file; more than `shown` files: the first five (or `shown`,
// if fewer), then "245
// more .sql files under the models folders are not read: no pattern of
// 'models' in retort.toml matches them (-v lists them all)".
std::vector<std::string> UnmatchedModelWarnings(
    const std::vector<std::string>& files, const std::string& config_name,
    size_t shown = kModelSourcesShown);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_SOURCES_H_
