// Text and JSON forms of the single-database commands' results.
#include "cli/output.h"

#include <algorithm>

#include "util/strings.h"

namespace retort {

using json = nlohmann::ordered_json;

std::string JsonText(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json RevisionJson(const RevisionInfo& r, bool with_current) {
  json j;
  j["id"] = r.id;
  j["down_revisions"] = r.down_revisions;
  j["depends_on"] = r.depends_on;
  j["branch_labels"] = r.branch_labels;
  j["children"] = r.children;
  j["message"] = r.doc;
  j["path"] = r.path;
  j["create_date"] = r.create_date;
  j["is_head"] = r.is_head;
  j["is_effective_head"] = r.is_head && !r.is_real_head;
  j["is_base"] = r.is_base;
  j["is_branch_point"] = r.is_branch_point;
  j["is_merge_point"] = r.is_merge_point;
  if (with_current) j["is_current"] = r.is_current;
  return j;
}

std::string RevisionsOutput(const std::vector<RevisionInfo>& revisions,
                            const FormatOptions& format, bool as_json,
                            bool with_current) {
  if (as_json) {
    json arr = json::array();
    for (const auto& r : revisions) {
      arr.push_back(RevisionJson(r, with_current));
    }
    return JsonText(arr);
  }
  std::string out;
  for (const auto& r : revisions) out += FormatRevision(r, format) + "\n";
  return out;
}

std::string MigrationOutput(const MigrationResult& r, bool as_json) {
  if (!as_json) return r.sql;
  json j;
  j["heads_before"] = r.heads_before;
  j["heads_after"] = r.heads_after;
  j["steps"] = json::array();
  for (const auto& s : r.steps) {
    j["steps"].push_back({{"revision", s.revision},
                          {"description", s.description},
                          {"direction", s.upgrade ? "upgrade" : "downgrade"},
                          {"duration_ms", s.duration_ms}});
  }
  if (!r.sql.empty()) j["sql"] = r.sql;
  return JsonText(j);
}

std::string BranchesText(const std::vector<BranchPoint>& branches,
                         bool verbose) {
  std::string out;
  for (const auto& bp : branches) {
    FormatOptions f;
    f.verbose = verbose;
    f.include_branches = true;
    out += FormatRevision(bp.revision, f) + "\n";
    FormatOptions cf;
    cf.include_branches = true;
    cf.include_doc = verbose;
    std::string pad(bp.revision.id.size(), ' ');
    for (const auto& child : bp.children)
      out += pad + " -> " + FormatRevision(child, cf) + "\n";
    out += "\n";
  }
  return out;
}

json BranchesJson(const std::vector<BranchPoint>& branches) {
  json arr = json::array();
  for (const auto& bp : branches) {
    json j = RevisionJson(bp.revision);
    j["branches_into"] = json::array();
    for (const auto& c : bp.children)
      j["branches_into"].push_back(RevisionJson(c));
    arr.push_back(j);
  }
  return arr;
}

json DiffJson(const DiffResult& r) {
  return json{{"operations", r.operations},
              {"upgrade", r.upgrade_sql},
              {"downgrade", r.downgrade_sql},
              {"contract_upgrade", r.contract_upgrade_sql},
              {"contract_downgrade", r.contract_downgrade_sql},
              {"models", r.model_files},
              {"unmatched_models", r.unmatched_model_files},
              {"compared_with", ComparedWithName(r.compared_with)},
              {"scratch", r.scratch}};
}

nlohmann::ordered_json CheckJson(const DiffResult& result) {
  nlohmann::ordered_json out;
  out["clean"] = result.empty();
  const nlohmann::ordered_json diff = DiffJson(result);
  for (auto it = diff.begin(); it != diff.end(); ++it) out[it.key()] = *it;
  return out;
}

std::string DiffText(const DiffResult& r) {
  if (r.contract_upgrade_sql.empty()) return r.upgrade_sql;
  return r.upgrade_sql + (r.upgrade_sql.empty() ? "" : "\n") +
         "-- Phase: contract (a revision of its own: revision --autogenerate "
         "--online writes it after the one above)\n" +
         r.contract_upgrade_sql;
}

std::string ModelSchemasText(const std::vector<ModelSchemaInfo>& schemas) {
  size_t width = 0;
  for (const auto& s : schemas) width = std::max(width, s.name.size());
  std::string out;
  for (const auto& s : schemas) {
    out += s.name + std::string(width - s.name.size() + 2, ' ') +
           std::to_string(s.tables) + (s.tables == 1 ? " table" : " tables");
    if (s.mentioned_only) out += "  (mentioned only)";
    out += "\n";
  }
  return out;
}

json ModelSchemasJson(const std::vector<ModelSchemaInfo>& schemas) {
  json arr = json::array();
  for (const auto& s : schemas) {
    arr.push_back({{"name", s.name},
                   {"tables", s.tables},
                   {"objects", s.objects},
                   {"created", s.created},
                   {"mentioned_only", s.mentioned_only},
                   {"configured", s.configured},
                   {"files", s.files}});
  }
  return arr;
}

namespace {

const char* ActionName(ImportAction a, bool dry_run) {
  switch (a) {
    case ImportAction::kCreate:
      return dry_run ? "would create" : "create";
    case ImportAction::kUpdate:
      return dry_run ? "would update" : "update";
    case ImportAction::kUnchanged:
      return "unchanged";
    case ImportAction::kKeep:
      return "keep";
    case ImportAction::kOverwrite:
      return dry_run ? "would overwrite" : "overwrite";
  }
  return "?";
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string ImportTodoText(const ImportAlembicResult& r) {
  if (r.todos.empty()) return "";
  std::string out = Plural(r.todos.size(), "section", "sections") +
                    " to convert by hand (-- retort: TODO; retort upgrade "
                    "refuses to run them):\n";
  for (const auto& t : r.todos) {
    out += "  " + t.source + ": " + t.section + " of " + t.revision + ": " +
           t.reason + "\n    -> " + t.file + "\n";
  }
  return out;
}

std::string ImportText(const ImportAlembicResult& r, bool verbose) {
  std::string out = std::string(r.dry_run ? "Would import " : "Importing ") +
                    r.alembic_dir + " (" +
                    Plural(r.revisions.size(), "revision", "revisions") + ", " +
                    r.dialect + ") into " + r.versions_dir + ":\n";
  size_t width = 0;
  auto shown = [&](const ImportedRevision& rev) {
    return verbose || rev.action != ImportAction::kUnchanged;
  };
  for (const auto& rev : r.revisions) {
    if (!shown(rev)) continue;
    width =
        std::max(width, std::string(ActionName(rev.action, r.dry_run)).size());
  }
  for (const auto& rev : r.revisions) {
    if (!shown(rev)) continue;
    std::string action = ActionName(rev.action, r.dry_run);
    out +=
        "  " + action + std::string(width - action.size() + 2, ' ') + rev.path;
    if (rev.action == ImportAction::kKeep) {
      out += "  (edited since the last import; --force overwrites it)";
    }
    out += "\n";
  }
  std::vector<std::string> counts;
  auto add = [&](ImportAction a, const char* what) {
    size_t n = r.Count(a);
    if (n > 0) counts.push_back(std::to_string(n) + " " + what);
  };
  add(ImportAction::kCreate, r.dry_run ? "to create" : "created");
  add(ImportAction::kUpdate, r.dry_run ? "to update" : "updated");
  add(ImportAction::kOverwrite, r.dry_run ? "to overwrite" : "overwritten");
  add(ImportAction::kUnchanged, "unchanged");
  add(ImportAction::kKeep, "kept (edited by hand)");
  out += Plural(r.revisions.size(), "revision", "revisions");
  if (!counts.empty()) out += ": " + Join(counts, ", ");
  out += "\n";
  if (!r.todos.empty()) out += "\n" + ImportTodoText(r);
  if (!r.orphans.empty()) {
    out += "\nNo longer in the Alembic project (left in place):\n";
    for (const auto& o : r.orphans) out += "  " + o + "\n";
  }
  if (!r.schemas_config.empty()) {
    out += "\n" + r.schema_mapping_source +
           " maps schemas to version tables; the matching sections of "
           "retort.toml:\n\n" +
           r.schemas_config;
  }
  if (!r.notes.empty()) {
    out += "\n";
    for (const auto& n : r.notes) out += "note: " + n + "\n";
  }
  return out;
}

json ImportJson(const ImportAlembicResult& r) {
  json j;
  j["alembic_dir"] = r.alembic_dir;
  j["versions_dir"] = r.versions_dir;
  j["dialect"] = r.dialect;
  j["dry_run"] = r.dry_run;
  j["revisions"] = json::array();
  for (const auto& rev : r.revisions) {
    std::string action = ActionName(rev.action, false);
    j["revisions"].push_back({{"id", rev.id},
                              {"source", rev.source},
                              {"path", rev.path},
                              {"action", action},
                              {"todo", rev.todo},
                              {"uses_schema", rev.uses_schema}});
  }
  j["todos"] = json::array();
  for (const auto& t : r.todos) {
    j["todos"].push_back({{"revision", t.revision},
                          {"section", t.section},
                          {"source", t.source},
                          {"reason", t.reason},
                          {"file", t.file}});
  }
  j["orphans"] = r.orphans;
  j["schema_version_tables"] = r.schema_version_tables;
  j["schemas_config"] = r.schemas_config;
  j["notes"] = r.notes;
  return j;
}

std::string TemplatesText(const std::vector<TemplateInfo>& templates) {
  std::string out = "Available templates:\n\n";
  for (const auto& t : templates) out += t.name + " - " + t.description + "\n";
  out +=
      "\nTemplates are used via the 'init' command, e.g.:\n\n"
      "  retort init -t generic ./migrations\n";
  return out;
}

json TemplatesJson(const std::vector<TemplateInfo>& templates) {
  json arr = json::array();
  for (const auto& t : templates) {
    arr.push_back({{"name", t.name}, {"description", t.description}});
  }
  return arr;
}

}  // namespace retort
