// Small string helpers shared by every layer: splitting, trimming, joining,
// and "did you mean" suggestions for mistyped names.
#ifndef RETORT_UTIL_STRINGS_H_
#define RETORT_UTIL_STRINGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace retort {

std::string_view Trim(std::string_view s);
// Splits on `sep`, trims each piece, drops empty pieces.
std::vector<std::string> SplitList(std::string_view s, char sep = ',');
std::string Join(const std::vector<std::string>& items, std::string_view sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// `s` with ASCII letters in lower case (SQL keywords, unquoted names).
std::string AsciiLower(std::string_view s);

// Levenshtein distance, for suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "" when none is close.
std::string Suggest(std::string_view word,
                    const std::vector<std::string>& candidates);
// "; did you mean 'x'?" or "".
std::string DidYouMean(std::string_view word,
                       const std::vector<std::string>& candidates);

}  // namespace retort

#endif  // RETORT_UTIL_STRINGS_H_
