// Text and JSON forms of the single-database commands' results.
#include "cli/output.h"

#include <algorithm>

namespace retort {

using json = nlohmann::ordered_json;

json RevisionJson(const RevisionInfo& r) {
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
  return j;
}

std::string RevisionsOutput(const std::vector<RevisionInfo>& revisions,
                            const FormatOptions& format, bool as_json) {
  if (as_json) {
    json arr = json::array();
    for (const auto& r : revisions) arr.push_back(RevisionJson(r));
    return arr.dump(2) + "\n";
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
  return j.dump(2) + "\n";
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
  return json{{"operations", r.operations},       {"upgrade", r.upgrade_sql},
              {"downgrade", r.downgrade_sql},     {"models", r.model_files},
              {"compared_with", r.compared_with}, {"scratch", r.scratch}};
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

std::string TemplatesText(const std::vector<TemplateInfo>& templates) {
  std::string out = "Available templates:\n\n";
  for (const auto& t : templates) out += t.name + " - " + t.description + "\n";
  out +=
      "\nTemplates are used via the 'init' command, e.g.:\n\n"
      "  retort init -t generic ./migrations\n";
  return out;
}

}  // namespace retort
