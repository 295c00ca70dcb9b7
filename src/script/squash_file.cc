// Concatenating the sections of a squash.
#include "script/squash_file.h"

namespace retort {
namespace {

std::string Trimmed(std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(b, e - b + 1));
}

// A bare "-- retort: step" takes the revision's default, which the squashed
// file (transactional) no longer has: spell it out.
std::string ExplicitSteps(const std::string& body, bool transactional) {
  if (transactional) return body;
  std::string out;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    if (Trimmed(line) == "-- retort: step") {
      line = "-- retort: step transactional=false";
    }
    out += line;
    if (end < body.size()) out += "\n";
    start = end + 1;
  }
  return out;
}

bool HasSteps(const SectionDirectives& d) {
  return !d.steps().empty() || !d.backfills().empty();
}

}  // namespace

Result<SquashedSections> ConcatenateSections(
    const std::vector<SquashPart>& parts) {
  SquashedSections out;
  bool plain = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    const SquashPart& p = parts[i];
    const std::string& path = p.header.revision.path;
    for (const SectionDirectives* d :
         {&p.sections.upgrade_directives, &p.sections.downgrade_directives}) {
      if (const Directive* todo = d->todo()) {
        return Status::Conflict(
            path + ":" + std::to_string(todo->line) +
            ": squash: the section is marked '-- retort: TODO'; convert it "
            "before squashing");
      }
      if (d->code_line() > 0) {
        return Status::Conflict(
            path + ":" + std::to_string(d->code_line()) +
            ": squash: a '-- retort: code' section is a C++ function and "
            "cannot be concatenated; squash a range without it");
      }
      if (HasSteps(*d)) plain = false;
    }
    if (p.header.transactional.has_value() && !*p.header.transactional) {
      plain = false;
    }
    if (i == 0) {
      out.lock_timeout = p.header.lock_timeout;
      out.phase = p.header.phase;
      continue;
    }
    if (p.header.lock_timeout != out.lock_timeout) {
      return Status::Conflict(
          "squash: " + parts[0].header.revision.path + " and " + path +
          " have different 'Lock Timeout' headers ('" + out.lock_timeout +
          "', '" + p.header.lock_timeout +
          "'); make them agree or squash them separately");
    }
    if (p.header.phase != out.phase) {
      return Status::Conflict("squash: " + parts[0].header.revision.path +
                              " and " + path +
                              " are in different phases ('" + out.phase +
                              "', '" + p.header.phase +
                              "'); squash each phase separately");
    }
  }
  auto piece = [plain](const SquashPart& p, bool upgrade) -> std::string {
    const SectionDirectives& d = upgrade ? p.sections.upgrade_directives
                                         : p.sections.downgrade_directives;
    if (d.empty_line() > 0) return "";
    std::string body =
        Trimmed(upgrade ? p.sections.upgrade : p.sections.downgrade);
    if (body.empty()) return "";
    const bool transactional = p.header.transactional.value_or(true);
    std::string head = "-- " + p.header.revision.id + ": " +
                       p.header.revision.doc + "\n";
    if (!plain) {
      head += std::string("-- retort: step transactional=") +
              (transactional ? "true" : "false") + "\n";
    }
    return head + ExplicitSteps(body, transactional) + "\n";
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string up = piece(parts[i], true);
    if (!up.empty()) out.upgrade += (out.upgrade.empty() ? "" : "\n") + up;
    std::string down = piece(parts[parts.size() - 1 - i], false);
    if (!down.empty()) {
      out.downgrade += (out.downgrade.empty() ? "" : "\n") + down;
    }
  }
  if (out.upgrade.empty()) out.upgrade = "-- retort: empty\n";
  if (out.downgrade.empty()) out.downgrade = "-- retort: empty\n";
  return out;
}

}  // namespace retort
