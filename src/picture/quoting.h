// Quoting for the text formats the pictures print: YAML scalars (mermaid's
// front matter) and Graphviz dot strings.
#ifndef RETORT_PICTURE_QUOTING_H_
#define RETORT_PICTURE_QUOTING_H_

#include <string>

namespace retort {

// "text" with backslashes and quotes escaped and control characters as
// \n / \t / spaces, so any title stays one scalar.
inline std::string YamlQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "text" as a dot string (ids, labels): quotes and backslashes escaped,
// newlines as dot's \n line break.
inline std::string DotQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace retort

#endif  // RETORT_PICTURE_QUOTING_H_
