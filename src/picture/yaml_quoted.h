// A YAML double-quoted scalar, for the front matter of mermaid diagrams.
#ifndef RETORT_PICTURE_YAML_QUOTED_H_
#define RETORT_PICTURE_YAML_QUOTED_H_

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

}  // namespace retort

#endif  // RETORT_PICTURE_YAML_QUOTED_H_
