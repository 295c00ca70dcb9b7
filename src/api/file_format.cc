// The public view of the revision-file tables of script/revision_file.h.
#include "retort/file_format.h"

#include "script/revision_file.h"

namespace retort {

std::vector<SyntaxEntry> RevisionHeaderKeys() {
  std::vector<SyntaxEntry> out;
  for (const HeaderKeyInfo& k : HeaderKeyTable()) {
    out.push_back({std::string(k.key), k.meaning});
  }
  return out;
}

std::vector<SyntaxEntry> RevisionDirectives() {
  std::vector<SyntaxEntry> out;
  for (const DirectiveInfo& d : DirectiveTable()) {
    out.push_back({d.syntax, d.meaning});
  }
  return out;
}

}  // namespace retort
