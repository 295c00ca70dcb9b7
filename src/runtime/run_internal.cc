// Request parsing, planning and step preparation shared by online and
// offline runs; see run_internal.h.
#include "runtime/run_internal.h"

#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "dialect/sqlite_tokenizer.h"
#include "runtime/backfill.h"
#include "script/checksum.h"
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

// PreparedStepCache: what PrepareStep reads and parses, by file and by
// substituted text. Entries are never evicted: a run touches each revision
// file once per direction.
class PreparedStepCache {
 public:
  struct File {
    RevisionSections sections;
    std::string checksum;
  };
  struct Split {
    std::vector<SqlStatement> statements;
    std::optional<std::string> outside_transaction;
    bool controls_transaction = false;
    int foreign_keys_off_line = 0;
    bool ends_with_foreign_key_check = false;
    std::map<size_t, BackfillSpec> backfills;
  };

  Result<std::shared_ptr<const File>> GetFile(const ScriptDirectory& scripts,
                                              const Revision& revision) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(revision.path);
      if (it != files_.end()) return it->second;
    }
    auto file = std::make_shared<File>();
    RETORT_ASSIGN_OR_RETURN(file->sections, scripts.ReadSections(revision));
    // Line endings normalised, as verify compares (script/checksum.h).
    RETORT_ASSIGN_OR_RETURN(file->checksum, scripts.Checksum(revision.path));
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, added] = files_.emplace(revision.path, std::move(file));
    return it->second;
  }

  std::shared_ptr<const Split> FindSplit(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = splits_.find(key);
    return it == splits_.end() ? nullptr : it->second;
  }
  void AddSplit(const std::string& key, std::shared_ptr<const Split> split) {
    std::lock_guard<std::mutex> lock(mu_);
    splits_.emplace(key, std::move(split));
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const File>> files_;
  std::unordered_map<std::string, std::shared_ptr<const Split>> splits_;
};

std::shared_ptr<PreparedStepCache> NewPreparedStepCache() {
  return std::make_shared<PreparedStepCache>();
}

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
    const RevisionMap& map, const ScriptDirectory* scripts,
    const RunRequest& request, const ParsedRequest& parsed,
    const std::vector<std::string>& heads) {
  if (request.expand_only && request.command != RunRequest::Command::kUpgrade) {
    return Status::InvalidArgument("--phase expand goes with upgrade only");
  }
  switch (request.command) {
    case RunRequest::Command::kUpgrade: {
      RETORT_ASSIGN_OR_RETURN(std::vector<MigrationStep> plan,
                              PlanUpgrade(map, parsed.destinations[0], heads));
      if (!request.expand_only || scripts == nullptr) return plan;
      // Each branch stops before its first contract revision: what comes
      // after one (by Revises or Depends On) waits with it.
      std::set<std::string> held;
      std::vector<MigrationStep> kept;
      for (MigrationStep& step : plan) {
        const RevisionNode* node = step.revision;
        bool hold = false;
        if (node != nullptr) {
          const RevisionFile* file = scripts->Find(node->id());
          hold = file != nullptr && file->phase == "contract";
          for (const std::string& parent : map.Parents(*node)) {
            if (held.count(parent)) hold = true;
          }
          for (const std::string& dep : map.ResolvedDependencies(*node)) {
            if (held.count(dep)) hold = true;
          }
          if (hold) held.insert(node->id());
        }
        if (!hold) kept.push_back(std::move(step));
      }
      return kept;
    }
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

namespace {

// The sections of `revision`'s file, through `cache` when given.
Result<RevisionSections> SectionsOf(const ScriptDirectory& scripts,
                                    const Revision& revision,
                                    PreparedStepCache* cache) {
  if (!cache) return scripts.ReadSections(revision);
  RETORT_ASSIGN_OR_RETURN(auto cached, cache->GetFile(scripts, revision));
  return cached->sections;
}

// "-- retort: empty" promises a section without statements.
Status CheckEmptyDirective(const PreparedStep& step,
                           const SectionDirectives& directives,
                           const std::string& id, bool upgrade) {
  const std::string section =
      std::string(upgrade ? "upgrade" : "downgrade") + " section of " + id;
  if (step.code_line != 0 && !step.statements.empty()) {
    return Status::Corruption(
        step.path + ":" + std::to_string(step.code_line) + ": the " +
        section +
        " says \"-- retort: code\" (a C++ function runs it) but has "
        "statements (line " +
        std::to_string(step.LineOf(step.statements.front(), 0)) +
        "); run them from the function, or move them to a revision of "
        "their own");
  }
  if (step.code_line != 0 && !directives.steps().empty()) {
    return Status::Corruption(
        step.path + ":" + std::to_string(directives.steps().front()->line) +
        ": the " + section +
        " is C++ code (\"-- retort: code\" on line " +
        std::to_string(step.code_line) +
        "), which runs in one transaction: \"-- retort: step\" cannot "
        "divide it; remove the step directive");
  }
  if (directives.empty_line() == 0 || step.statements.empty()) {
    return Status::OK();
  }
  return Status::Corruption(
      step.path + ":" + std::to_string(directives.empty_line()) + ": the " +
      section + " says \"-- retort: empty\" but has statements (line " +
      std::to_string(step.LineOf(step.statements.front(), 0)) +
      "); remove the directive or the statements");
}

// Refuses `statement`, which cannot run in a transaction for `reason`,
// when the "-- retort: step" it belongs to runs in one (`default_tx`: the
// revision's default, false under "Transactional: false").
// Pairs each "-- retort: backfill" with the statement after it, checking
// that it is an UPDATE the batches can be cut from.
Status FindBackfills(PreparedStep* out, const SectionDirectives& directives,
                     const std::map<std::string, std::string>& placeholders,
                     Dialect dialect) {
  for (const Directive* d : directives.backfills()) {
    const std::string at = out->path + ":" + std::to_string(d->line) + ": ";
    if (dialect != Dialect::kPostgres) {
      return Status::InvalidArgument(
          at + "\"-- retort: backfill\" is for PostgreSQL (SQLite locks the "
               "whole file for each batch anyway); remove the line to run the "
               "UPDATE at once");
    }
    size_t index = 0;
    while (index < out->statements.size() &&
           out->LineOf(out->statements[index], 0) < d->line) {
      ++index;
    }
    if (index == out->statements.size()) {
      return Status::Corruption(at +
                                "\"-- retort: backfill\" has no UPDATE after "
                                "it");
    }
    RETORT_ASSIGN_OR_RETURN(BackfillSpec spec, ParseBackfillSpec(d->argument));
    spec.line = d->line;
    for (std::string* name : {&spec.table, &spec.key}) {
      RETORT_ASSIGN_OR_RETURN(
          SubstitutedText text,
          SubstitutePlaceholders(*name, placeholders, dialect, out->path,
                                 d->line));
      *name = std::move(text.text);
    }
    const SqlStatement& statement = out->statements[index];
    Result<std::string> batched =
        BatchedUpdate(statement.text, spec.key, ">", "$1", "$2");
    if (!batched.ok()) {
      return Status::InvalidArgument(
          out->path + ":" + std::to_string(out->LineOf(statement, 0)) + ": " +
          batched.status().message() + " (\"-- retort: backfill\" at line " +
          std::to_string(d->line) + ")");
    }
    out->backfills[index] = std::move(spec);
  }
  return Status::OK();
}

Status CheckStepAllows(const PreparedStep& step, const SqlStatement& statement,
                       const std::string& reason,
                       const SectionDirectives& directives, bool default_tx) {
  const int line = step.LineOf(statement, 0);
  const Directive* owner = nullptr;  // the last step directive above it
  for (const Directive* d : directives.steps()) {
    if (d->line < line) owner = d;
  }
  bool transactional = default_tx;
  if (owner != nullptr && !owner->argument.empty()) {
    transactional = owner->argument == "true";
  }
  if (!transactional) return Status::OK();
  return Status::InvalidArgument(
      step.path + ":" + std::to_string(line) + ": " + reason +
      " cannot run inside a transaction, and this statement is in a "
      "transactional step" +
      (owner != nullptr
           ? " (line " + std::to_string(owner->line) + ")"
           : std::string(" (before the first \"-- retort: step\")")) +
      "; start its step with \"-- retort: step transactional=false\" "
      "(nothing was run)");
}

}  // namespace

Status CheckCodeRunnable(const PreparedStep& prep, const MigrationStep& step,
                         const std::vector<CodeMigration>* code,
                         bool offline) {
  if (prep.code_line == 0) return Status::OK();
  const std::string where =
      prep.path + ":" + std::to_string(prep.code_line) + ": " +
      (step.is_upgrade ? "upgrade " : "downgrade ") + step.revision->id() +
      " is C++ code (\"-- retort: code\")";
  if (offline) {
    return Status::InvalidArgument(
        where +
        ", which offline SQL cannot hold; run it from the application "
        "that registers its function (nothing was written)");
  }
  if (FindCode(code, step.revision->id(), step.is_upgrade) == nullptr) {
    return Status::InvalidArgument(
        where +
        " and no function is registered for it, so it cannot run here; "
        "run it from the application that registers it "
        "(retort::Options::code) (nothing was run)");
  }
  return Status::OK();
}

Status CheckCodeMigrations(const ScriptDirectory& scripts,
                           const std::vector<CodeMigration>& code) {
  std::set<std::string> seen;
  for (const CodeMigration& m : code) {
    if (!seen.insert(m.revision).second) {
      return Status::InvalidArgument("Options::code registers revision '" +
                                     m.revision +
                                     "' twice; give it one CodeMigration");
    }
    const RevisionFile* file = scripts.Find(m.revision);
    if (file == nullptr) {
      return Status::NotFound("Options::code names revision '" + m.revision +
                              "', which no revision file declares");
    }
    RETORT_ASSIGN_OR_RETURN(RevisionSections sections,
                            scripts.ReadSections(file->revision));
    for (const bool upgrade : {true, false}) {
      if (!(upgrade ? m.upgrade : m.downgrade)) continue;
      const SectionDirectives& directives =
          upgrade ? sections.upgrade_directives : sections.downgrade_directives;
      if (directives.code_line() != 0) continue;
      const std::string direction = upgrade ? "upgrade" : "downgrade";
      return Status::InvalidArgument(
          "Options::code gives revision " + m.revision + " " +
          (upgrade ? "an " : "a ") + direction + " function, but the " +
          direction + " section of " + file->revision.path +
          " does not say \"-- retort: code\", so its SQL would run and "
          "the function never; put the directive under \"-- migrate:" +
          direction + "\" in place of the SQL, or drop the function");
    }
  }
  return Status::OK();
}

const CodeFunction* FindCode(const std::vector<CodeMigration>* code,
                             const std::string& id, bool upgrade) {
  if (code == nullptr) return nullptr;
  for (const CodeMigration& m : *code) {
    if (m.revision != id) continue;
    const CodeFunction& f = upgrade ? m.upgrade : m.downgrade;
    if (f) return &f;
  }
  return nullptr;
}

Status CheckStepsReady(const ScriptDirectory& scripts,
                       const std::vector<MigrationStep>& plan,
                       PreparedStepCache* cache) {
  for (const MigrationStep& step : plan) {
    if (step.kind != MigrationStep::Kind::kRevision) continue;
    const RevisionFile* file = scripts.Find(step.revision->id());
    if (file == nullptr) continue;  // PrepareStep reports it
    RETORT_ASSIGN_OR_RETURN(RevisionSections sections,
                            SectionsOf(scripts, file->revision, cache));
    const SectionDirectives& directives = step.is_upgrade
                                              ? sections.upgrade_directives
                                              : sections.downgrade_directives;
    const std::string direction = step.is_upgrade ? "upgrade " : "downgrade ";
    const Directive* todo = directives.todo();
    if (todo == nullptr) continue;
    return Status::InvalidArgument(
        file->revision.path + ":" + std::to_string(todo->line) + ": " +
        direction + step.revision->id() +
        " is not ready to run: \"-- retort: TODO " + todo->argument +
        "\"; write the section's SQL by hand and remove the directive "
        "(nothing was run)");
  }
  return Status::OK();
}

Result<PreparedStep> PrepareStep(
    const ScriptDirectory& scripts, const MigrationStep& step,
    const std::map<std::string, std::string>& placeholders, Dialect dialect,
    int server_version, PreparedStepCache* cache) {
  PreparedStep out;
  const std::string& id = step.revision->id();
  const RevisionFile* file = scripts.Find(id);
  if (file == nullptr) {
    return Status::NotFound("no revision file declares revision '" + id + "'");
  }
  out.path = file->revision.path;
  out.lock_timeout = file->lock_timeout;
  std::shared_ptr<const PreparedStepCache::File> cached;
  RevisionSections sections;
  if (cache) {
    RETORT_ASSIGN_OR_RETURN(cached, cache->GetFile(scripts, file->revision));
    sections = cached->sections;
  } else {
    RETORT_ASSIGN_OR_RETURN(sections, scripts.ReadSections(file->revision));
  }
  const SectionDirectives directives = step.is_upgrade
                                           ? sections.upgrade_directives
                                           : sections.downgrade_directives;
  out.code_line = directives.code_line();
  if (out.code_line != 0 && file->transactional.has_value() &&
      !*file->transactional) {
    return Status::Corruption(
        out.path + ":" + std::to_string(out.code_line) + ": " +
        (step.is_upgrade ? "upgrade" : "downgrade") + " " + id +
        " is C++ code (\"-- retort: code\"), which runs inside the run's "
        "transaction, but the file says \"Transactional: false\"; remove "
        "that header line");
  }
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
  // The same file, direction and substituted text split the same way, and
  // their line numbers map back the same way.
  std::string key;
  if (cache) {
    key = std::to_string(static_cast<int>(dialect)) + "|" +
          std::to_string(server_version) + "|" +
          (step.is_upgrade ? "u|" : "d|") + out.path + "|" +
          out.substituted.text;
    if (auto split = cache->FindSplit(key)) {
      out.statements = split->statements;
      out.outside_transaction = split->outside_transaction;
      out.controls_transaction = split->controls_transaction;
      out.foreign_keys_off_line = split->foreign_keys_off_line;
      out.ends_with_foreign_key_check = split->ends_with_foreign_key_check;
      out.backfills = split->backfills;
      out.checksum = cached->checksum;
      RETORT_RETURN_IF_ERROR(
          CheckEmptyDirective(out, directives, id, step.is_upgrade));
      return out;
    }
  }
  auto statements = SplitScript(dialect, out.substituted.text);
  if (!statements.ok()) {
    return statements.status().WithContext(
        out.path + ":" + std::to_string(out.body_line) + ": " +
        (step.is_upgrade ? "upgrade" : "downgrade") + " section");
  }
  out.statements = std::move(statements).value();
  RETORT_RETURN_IF_ERROR(
      CheckEmptyDirective(out, directives, id, step.is_upgrade));
  if (file->transactional.has_value() && !*file->transactional) {
    out.outside_transaction = "the file says \"Transactional: false\"";
  }
  if (!out.outside_transaction && !directives.steps().empty()) {
    // Each step commits on its own (runtime/progress.h).
    out.outside_transaction =
        "\"-- retort: step\" at line " +
        std::to_string(directives.steps().front()->line);
  }
  RETORT_RETURN_IF_ERROR(FindBackfills(&out, directives, placeholders, dialect));
  for (size_t index = 0; index < out.statements.size(); ++index) {
    const SqlStatement& statement = out.statements[index];
    std::optional<std::string> reason;
    bool controls = false;
    if (dialect == Dialect::kPostgres) {
      // One parse answers both questions.
      PgTransactionTraits traits =
          PostgresTransactionTraits(statement.text, server_version);
      reason = std::move(traits.outside_reason);
      controls = traits.transaction_control;
    } else {
      reason =
          OutsideTransactionReason(dialect, statement.text, server_version);
      controls = ControlsTransaction(dialect, statement.text);
      if (SqliteForeignKeysPragma(statement.text) == false &&
          out.foreign_keys_off_line == 0) {
        out.foreign_keys_off_line = out.LineOf(statement, 0);
      }
    }
    out.controls_transaction = out.controls_transaction || controls;
    if (!reason && out.backfills.count(index)) {
      reason = "a backfill (\"-- retort: backfill\"), whose batches commit "
               "on their own,";
    }
    if (reason && !directives.steps().empty()) {
      // A statement that cannot run in a transaction, in a step that is
      // one: refused before anything runs (runtime/progress.h).
      RETORT_RETURN_IF_ERROR(CheckStepAllows(
          out, statement, *reason, directives,
          !(file->transactional.has_value() && !*file->transactional)));
    }
    if (reason && !out.outside_transaction) {
      out.outside_transaction =
          *reason + " at line " + std::to_string(out.LineOf(statement, 0));
    }
  }
  if (dialect == Dialect::kSqlite) {
    out.ends_with_foreign_key_check =
        !out.statements.empty() &&
        SqliteForeignKeyCheckTarget(out.statements.back().text) == "";
  }
  if (cache) {
    out.checksum = cached->checksum;
    auto split = std::make_shared<PreparedStepCache::Split>();
    split->statements = out.statements;
    split->outside_transaction = out.outside_transaction;
    split->controls_transaction = out.controls_transaction;
    split->foreign_keys_off_line = out.foreign_keys_off_line;
    split->ends_with_foreign_key_check = out.ends_with_foreign_key_check;
    split->backfills = out.backfills;
    cache->AddSplit(key, std::move(split));
  } else {
    RETORT_ASSIGN_OR_RETURN(out.checksum, scripts.Checksum(out.path));
  }
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
