// Request parsing, planning and step preparation shared by online and
// offline runs; see run_internal.h.
#include "runtime/run_internal.h"

#include <utility>

#include "dialect/sqlite_tokenizer.h"
#include "script/script_directory.h"

namespace retort {

namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

}  // namespace

Result<ParsedRequest> ParseRequest(const RunRequest& request) {
  ParsedRequest parsed;
  using Command = RunRequest::Command;
  if (request.command != Command::kStamp) {
    const char* name =
        request.command == Command::kUpgrade ? "upgrade" : "downgrade";
    if (request.targets.size() != 1) {
      return Status::InvalidArgument(std::string(name) +
                                     " needs exactly one target revision");
    }
    const std::string& target = request.targets[0];
    size_t colon = target.find(':');
    if (colon != std::string::npos) {
      if (!request.offline) {
        return Status::InvalidArgument("Range revision not allowed");
      }
      std::string dest = target.substr(colon + 1);
      if (dest.find(':') != std::string::npos) {
        return Status::InvalidArgument("Invalid revision range '" + target +
                                       "': expected <fromrev>:<torev>");
      }
      parsed.starting_rev = target.substr(0, colon);
      parsed.destinations.push_back(std::move(dest));
    } else {
      if (request.offline && request.command == Command::kDowngrade) {
        return Status::InvalidArgument(
            "downgrade with --sql requires <fromrev>:<torev>");
      }
      parsed.destinations.push_back(target);
    }
    return parsed;
  }
  // stamp
  if (request.offline && request.purge) {
    return Status::InvalidArgument("Can't use --purge with --sql mode");
  }
  for (const std::string& target : request.targets) {
    size_t colon = target.find(':');
    if (!request.offline || colon == std::string::npos) {
      parsed.destinations.push_back(target);
      continue;
    }
    std::string start = target.substr(0, colon);
    if (parsed.starting_rev && *parsed.starting_rev != start) {
      return Status::InvalidArgument(
          "Stamp operation with --sql only supports one starting revision at "
          "a time");
    }
    parsed.starting_rev = start;
    parsed.destinations.push_back(target.substr(colon + 1));
  }
  return parsed;
}

Result<std::vector<MigrationStep>> MakePlan(
    const RevisionMap& map, const RunRequest& request,
    const ParsedRequest& parsed, const std::vector<std::string>& heads) {
  switch (request.command) {
    case RunRequest::Command::kUpgrade:
      return PlanUpgrade(map, parsed.destinations[0], heads);
    case RunRequest::Command::kDowngrade:
      return PlanDowngrade(map, parsed.destinations[0], heads);
    case RunRequest::Command::kStamp:
      return PlanStamp(map, parsed.destinations, heads, request.purge);
  }
  return Status::Internal("unknown run command");
}

int PreparedStep::LineOf(const SqlStatement& statement, int position) const {
  size_t offset = statement.offset;
  if (position > 0) {
    offset += LocatePosition(statement.text, position).byte_offset;
  }
  return LineAtOffset(original_body, body_line,
                      substituted.OriginalOffset(offset));
}

Result<PreparedStep> PrepareStep(
    const ScriptDirectory& scripts, const MigrationStep& step,
    const std::map<std::string, std::string>& placeholders, Dialect dialect,
    int server_version) {
  PreparedStep out;
  const std::string& id = step.revision->id();
  const RevisionFile* file = scripts.Find(id);
  if (file == nullptr) {
    return Status::NotFound("no revision file declares revision '" + id + "'");
  }
  out.path = file->revision.path;
  RETORT_ASSIGN_OR_RETURN(RevisionSections sections,
                          scripts.ReadSections(file->revision));
  if (step.is_upgrade) {
    out.original_body = std::move(sections.upgrade);
    out.body_line = sections.upgrade_line;
  } else {
    out.original_body = std::move(sections.downgrade);
    out.body_line = sections.downgrade_line;
  }
  RETORT_ASSIGN_OR_RETURN(
      out.substituted,
      SubstitutePlaceholders(out.original_body, placeholders, dialect, out.path,
                             out.body_line));
  auto statements = SplitScript(dialect, out.substituted.text);
  if (!statements.ok()) {
    return statements.status().WithContext(
        out.path + ":" + std::to_string(out.body_line) + ": " +
        (step.is_upgrade ? "upgrade" : "downgrade") + " section");
  }
  out.statements = std::move(statements).value();
  if (file->transactional.has_value() && !*file->transactional) {
    out.outside_transaction = "the file says \"Transactional: false\"";
  } else {
    for (const SqlStatement& statement : out.statements) {
      std::optional<std::string> reason =
          OutsideTransactionReason(dialect, statement.text, server_version);
      if (reason) {
        out.outside_transaction =
            *reason + " at line " + std::to_string(out.LineOf(statement, 0));
        break;
      }
    }
  }
  if (dialect == Dialect::kSqlite) {
    for (const SqlStatement& statement : out.statements) {
      if (SqliteForeignKeysPragma(statement.text) == false &&
          out.foreign_keys_off_line == 0) {
        out.foreign_keys_off_line = out.LineOf(statement, 0);
      }
    }
    out.ends_with_foreign_key_check =
        !out.statements.empty() &&
        SqliteForeignKeyCheckTarget(out.statements.back().text) == "";
  }
  RETORT_ASSIGN_OR_RETURN(out.checksum, FileSha256Hex(out.path));
  return out;
}

std::map<std::string, std::string> PlaceholderValues(
    const RunTarget& target, const RunSettings& settings) {
  std::map<std::string, std::string> values = settings.placeholders;
  if (!target.schema.empty()) values["schema"] = target.schema;
  return values;
}

std::string StepDescription(const MigrationStep& step) {
  // Alembic's str(step): the short log, then the revision's message.
  std::string text = step.ShortLog();
  if (step.revision != nullptr && !step.revision->revision.doc.empty()) {
    text += ", " + step.revision->revision.doc;
  }
  return text;
}

std::string HistoryRevision(const MigrationStep& step) {
  if (step.revision != nullptr) return step.revision->id();
  if (step.to_revisions.empty()) return "base";
  return Join(step.to_revisions, ",");
}

std::string HistoryDirection(const MigrationStep& step) {
  if (step.kind == MigrationStep::Kind::kStamp) return "stamp";
  return step.is_upgrade ? "upgrade" : "downgrade";
}

void Log(const RunSettings& settings, LogLevel level,
         const std::string& message) {
  if (!settings.log || level < settings.log_level) return;
  settings.log(level, message);
}

}  // namespace retort
