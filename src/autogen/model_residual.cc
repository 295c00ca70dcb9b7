#include "autogen/model_residual.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace retort {
namespace {

// Moves the entries of `from` whose key `into` lacks, recording the keys.
template <typename T>
void AddMissing(std::map<std::string, T>& into, std::map<std::string, T>& from,
                std::set<std::string>* added) {
  for (auto& [key, value] : from) {
    if (into.count(key)) continue;
    added->insert(key);
    into.emplace(key, std::move(value));
  }
}

// Whether `key` names one of `added` or a part of one: a column,
// constraint, trigger or policy of an added relation ("column:s.v.c" for
// "relation:s.v"), or its unique keys.
bool BelongsToAdded(const std::string& key,
                    const std::set<std::string>& added) {
  if (added.count(key)) return true;
  const size_t colon = key.find(':');
  if (colon == std::string::npos) return false;
  const std::string_view kind(key.data(), colon);
  const std::string_view rest = std::string_view(key).substr(colon + 1);
  if (kind == "unique-keys") return added.count(std::string(rest)) > 0;
  if (kind != "column" && kind != "constraint" && kind != "trigger" &&
      kind != "policy") {
    return false;
  }
  // The relation is the part before one of the dots (a quoted name may hold
  // dots itself, so each is tried).
  for (size_t dot = rest.find('.'); dot != std::string_view::npos;
       dot = rest.find('.', dot + 1)) {
    if (added.count("relation:" + std::string(rest.substr(0, dot)))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<size_t> LoadClosure(const std::vector<std::vector<size_t>>& needs,
                                const std::vector<size_t>& seeds,
                                const std::vector<size_t>& always) {
  std::vector<bool> in(needs.size(), false);
  std::vector<size_t> todo;
  for (size_t i : seeds) {
    if (i < in.size() && !in[i]) {
      in[i] = true;
      todo.push_back(i);
    }
  }
  while (!todo.empty()) {
    const size_t i = todo.back();
    todo.pop_back();
    for (size_t need : needs[i]) {
      if (need < in.size() && !in[need]) {
        in[need] = true;
        todo.push_back(need);
      }
    }
  }
  for (size_t i : always) {
    if (i < in.size()) in[i] = true;
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i]) out.push_back(i);
  }
  return out;
}

ModelScan SubScan(const ModelScan& scan, const std::vector<size_t>& indexes) {
  ModelScan sub;
  sub.files = scan.files;
  sub.statements.reserve(indexes.size());
  for (size_t i : indexes) {
    if (i >= scan.statements.size()) continue;
    auto note = scan.order_notes.find(i);
    if (note != scan.order_notes.end()) {
      sub.order_notes.emplace(sub.statements.size(), note->second);
    }
    sub.statements.push_back(scan.statements[i]);
  }
  return sub;
}

void MergeResidualCatalog(Catalog& normalized, Catalog residual) {
  std::set<std::string> added;
  AddMissing(normalized.schemas, residual.schemas, &added);
  AddMissing(normalized.tables, residual.tables, &added);
  AddMissing(normalized.indexes, residual.indexes, &added);
  AddMissing(normalized.sequences, residual.sequences, &added);
  AddMissing(normalized.views, residual.views, &added);
  AddMissing(normalized.enums, residual.enums, &added);
  AddMissing(normalized.collations, residual.collations, &added);
  AddMissing(normalized.domains, residual.domains, &added);
  AddMissing(normalized.composites, residual.composites, &added);
  AddMissing(normalized.functions, residual.functions, &added);
  AddMissing(normalized.extensions, residual.extensions, &added);
  for (const std::string& key : residual.partition_indexes) {
    if (!normalized.indexes.count(key)) {
      normalized.partition_indexes.insert(key);
    }
  }
  for (auto& [key, grants] : residual.grants) {
    if (!normalized.grants.count(key) && BelongsToAdded(key, added)) {
      normalized.grants.emplace(key, std::move(grants));
    }
  }
  for (auto& [key, deps] : residual.depends_on) {
    if (BelongsToAdded(key, added)) {
      normalized.depends_on[key].insert(deps.begin(), deps.end());
    }
  }
}

}  // namespace retort
