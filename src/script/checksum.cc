// Line-ending-normalised checksums; see checksum.h.
#include "script/checksum.h"

#include "script/script_directory.h"
#include "script/sha256.h"

namespace retort {

std::string TextChecksum(std::string_view text) {
  Sha256 h;
  size_t begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') continue;
    h.Update(text.substr(begin, i - begin));
    h.Update("\n");
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    begin = i + 1;
  }
  h.Update(text.substr(begin));
  return DigestToHex(h.Final());
}

Result<std::string> RevisionFileChecksum(const std::string& path) {
  RETORT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return TextChecksum(bytes);
}

std::string SquashChecksum(std::string_view text) {
  constexpr std::string_view kLine = "-- Squash Checksum:";
  size_t at = 0;
  while (at < text.size() && text.substr(at, kLine.size()) != kLine) {
    size_t nl = text.find('\n', at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  if (at >= text.size()) return "sha256:" + TextChecksum(text);
  size_t nl = text.find('\n', at);
  size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string without(text.substr(0, at));
  without.append(text.substr(end));
  return "sha256:" + TextChecksum(without);
}

bool ChecksumMatches(std::string_view recorded, std::string_view bytes) {
  if (recorded == TextChecksum(bytes)) return true;
  return bytes.find('\r') != std::string_view::npos &&
         recorded == Sha256Hex(bytes);
}

}  // namespace retort
