// RevisionMap: building and validating the graph, and Alembic's resolution
// and traversal rules (alembic/script/revision.py), without recursion.
#include "revision/revision_map.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>

#include "revision/revision_map_internals.h"
#include "util/strings.h"

namespace retort {

namespace {

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

void PushUnique(IndexList* v, int x) {
  if (!v->contains(x)) v->push_back(x);
}

std::string JoinIds(const std::vector<std::string>& ids,
                    const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += sep;
    out += ids[i];
  }
  return out;
}

// "path:line: " for errors about a revision read from a file.
std::string Where(const Revision& rev, int line) {
  if (rev.path.empty()) return "";
  if (line <= 0) line = rev.id_line;
  if (line <= 0) return rev.path + ": ";
  return rev.path + ":" + std::to_string(line) + ": ";
}

Status BuildError(const Revision& rev, int line, std::string message) {
  return Status::Corruption(Where(rev, line) + message);
}

// Python's \w on the bytes of an identifier: ASCII word characters, and any
// byte of a multi-byte UTF-8 sequence (letters, in practice).
bool IsWordChar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Matches "(\w+)?([+-]\d+)" at the start of `s` (Python re.match).
bool MatchSymbolRelative(std::string_view s, std::optional<std::string>* symbol,
                         std::string* relative) {
  size_t q = 0;
  while (q < s.size() && IsWordChar(static_cast<unsigned char>(s[q]))) ++q;
  if (q >= s.size() || (s[q] != '+' && s[q] != '-')) return false;
  if (q + 1 >= s.size() || !IsDigit(s[q + 1])) return false;
  size_t end = q + 1;
  while (end < s.size() && IsDigit(s[end])) ++end;
  *symbol = q ? std::optional<std::string>(std::string(s.substr(0, q)))
              : std::nullopt;
  *relative = std::string(s.substr(q, end - q));
  return true;
}

// Parses Python's int() of a string: optional whitespace and sign, digits
// with single underscores between them. nullopt when not an int (or too big
// to matter: a walk of 2^62 steps fails the same way as any overwalk).
std::optional<long long> PythonInt(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !IsDigit(s.front()) || !IsDigit(s.back())) {
    return std::nullopt;
  }
  long long value = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (!IsDigit(s[i + 1])) return std::nullopt;
      continue;
    }
    if (!IsDigit(c)) return std::nullopt;
    // Stop short of overflowing (found by fuzz/revision_map_fuzzer).
    if (value <= (std::numeric_limits<long long>::max() - 9) / 10) {
      value = value * 10 + (c - '0');
    }
  }
  return negative ? -value : value;
}

}  // namespace

bool MatchRelativeDestination(std::string_view target, RelativeMatch* out) {
  // (?:(.+?)@)?(\w+)?((?:\+|-)\d+), tried the way Python's backtracking
  // matcher does: the shortest "label@" that lets the rest match, then none.
  for (size_t k = 1; k < target.size(); ++k) {
    if (target[k - 1] == '\n') break;  // '.' does not match a newline
    if (target[k] != '@') continue;
    std::optional<std::string> symbol;
    std::string relative;
    if (MatchSymbolRelative(target.substr(k + 1), &symbol, &relative)) {
      out->branch_label = std::string(target.substr(0, k));
      out->symbol = std::move(symbol);
      out->relative = std::move(relative);
      return true;
    }
  }
  std::optional<std::string> symbol;
  std::string relative;
  if (MatchSymbolRelative(target, &symbol, &relative)) {
    out->branch_label.reset();
    out->symbol = std::move(symbol);
    out->relative = std::move(relative);
    return true;
  }
  return false;
}

long long RelativeValue(const std::string& relative) {
  return PythonInt(relative).value_or(0);
}

std::string RevisionArg::ToString() const {
  switch (kind_) {
    case Kind::kNone:
      return "None";
    case Kind::kOne:
      return values_.front();
    case Kind::kMany: {
      std::string out = "(";
      for (size_t i = 0; i < values_.size(); ++i) {
        if (i) out += ", ";
        out += "'" + values_[i] + "'";
      }
      if (values_.size() == 1) out += ",";
      return out + ")";
    }
  }
  return "";
}

Status RevisionError::ToStatus() const {
  switch (kind) {
    case Kind::kResolution:
      return Status::NotFound(message);
    case Kind::kMultipleHeads:
      return Status::Conflict(message);
    case Kind::kCycle:
    case Kind::kInvalidMap:
      return Status::Corruption(message);
    case Kind::kRangeNotAncestor:
    case Kind::kRevision:
      break;
  }
  return Status::InvalidArgument(message);
}

// ---------------------------------------------------------------------------
// Building.

Result<RevisionMap> RevisionMap::Build(std::vector<Revision> revisions) {
  RevisionMap map;
  const int n = static_cast<int>(revisions.size());
  map.nodes_.resize(n);
  map.by_id_.reserve(n * 2);

  // Per revision, as Alembic's Revision() constructor checks them.
  for (int i = 0; i < n; ++i) {
    Revision& rev = revisions[i];
    if (rev.id.empty()) {
      return BuildError(rev, rev.id_line, "Revision ID must not be empty");
    }
    for (const std::string& down : rev.down_revisions) {
      if (down == rev.id) {
        return BuildError(
            rev, rev.revises_line,
            "Self-loop is detected in revisions (" + rev.id + ")");
      }
    }
    for (const std::string& dep : rev.depends_on) {
      if (dep == rev.id) {
        return BuildError(
            rev, rev.depends_on_line,
            "Dependency self-loop is detected in revisions (" + rev.id + ")");
      }
    }
    std::string illegal;
    for (char c : std::string_view("+-:@")) {  // sorted, as Alembic prints
      if (rev.id.find(c) != std::string::npos) {
        if (!illegal.empty()) illegal += ", ";
        illegal += c;
      }
    }
    if (!illegal.empty()) {
      return BuildError(rev, rev.id_line,
                        "Character(s) '" + illegal +
                            "' not allowed in revision identifier '" + rev.id +
                            "'");
    }
    auto [it, inserted] = map.by_id_.emplace(rev.id, i);
    if (!inserted) {
      // Alembic only warns and keeps the later file; two files claiming one
      // id is a broken versions folder, so retort refuses it.
      return BuildError(rev, rev.id_line,
                        "Revision " + rev.id + " is present more than once");
    }
    RevisionNode& node = map.nodes_[i];
    node.index = i;
    node.revision = std::move(rev);
  }

  // Branch labels share one namespace with revision ids.
  for (int i = 0; i < n; ++i) {
    const Revision& rev = map.nodes_[i].revision;
    for (const std::string& label : rev.branch_labels) {
      int owner = -1;
      if (auto it = map.by_id_.find(label); it != map.by_id_.end()) {
        owner = it->second;
      } else if (auto jt = map.by_label_.find(label);
                 jt != map.by_label_.end()) {
        owner = jt->second;
      }
      if (owner >= 0) {
        return BuildError(rev, rev.id_line,
                          "Branch name '" + label + "' in revision " + rev.id +
                              " already used by revision " +
                              map.nodes_[owner].id());
      }
      map.by_label_.emplace(label, i);
      map.label_order_.push_back(label);
    }
  }

  // Resolve parents (ids only) and dependencies (ids or branch labels).
  for (int i = 0; i < n; ++i) {
    RevisionNode& node = map.nodes_[i];
    const Revision& rev = node.revision;
    for (const std::string& down : rev.down_revisions) {
      auto it = map.by_id_.find(down);
      if (it == map.by_id_.end()) {
        return BuildError(rev, rev.revises_line,
                          "Revision " + down + " referenced from " + rev.id +
                              " is not present");
      }
      // "Revises: a, a" is kept as written, as Alembic does; only the
      // derived lists are deduplicated.
      node.down.push_back(it->second);
    }
    for (const std::string& dep : rev.depends_on) {
      int target = -1;
      if (auto it = map.by_id_.find(dep); it != map.by_id_.end()) {
        target = it->second;
      } else if (auto jt = map.by_label_.find(dep); jt != map.by_label_.end()) {
        target = jt->second;
      }
      if (target < 0) {
        return BuildError(rev, rev.depends_on_line,
                          "Dependency " + dep + " referenced from " + rev.id +
                              " is not present");
      }
      if (target == i) {
        return BuildError(
            rev, rev.depends_on_line,
            "Dependency self-loop is detected in revisions (" + rev.id + ")");
      }
      PushUnique(&node.deps, target);
    }
    for (int d : node.down) PushUnique(&node.all_down, d);
    for (int d : node.deps) PushUnique(&node.all_down, d);
  }

  // Children; Alembic adds them in map order, so lists come out sorted.
  for (int i = 0; i < n; ++i) {
    RevisionNode& node = map.nodes_[i];
    for (int d : node.all_down) {
      RevisionNode& parent = map.nodes_[d];
      parent.all_next.push_back(i);
      if (node.down.contains(d)) parent.next.push_back(i);
    }
  }

  for (int i = 0; i < n; ++i) {
    RevisionNode& node = map.nodes_[i];
    node.is_head = node.next.empty();
    node.is_real_head = node.all_next.empty();
    node.is_base = node.down.empty();
    node.is_real_base = node.down.empty() && node.revision.depends_on.empty();
    node.is_branch_point = node.next.size() > 1;
    node.is_real_branch_point = node.all_next.size() > 1;
    node.is_merge_point = node.down.size() > 1;
    if (node.is_head) map.heads_.push_back(node.id());
    if (node.is_real_head) map.real_heads_.push_back(node.id());
    if (node.is_base) map.bases_.push_back(node.id());
    if (node.is_real_base) map.real_bases_.push_back(node.id());
  }

  RETORT_RETURN_IF_ERROR(RevisionMapInternals::DetectCycles(map));
  RevisionMapInternals::NormalizeDependencies(&map);
  RevisionMapInternals::PropagateBranchLabels(&map);
  return map;
}

// Alembic's _detect_cycles: a revision is in a cycle when it is not both
// below some head and above some base.
Status RevisionMapInternals::DetectCycles(const RevisionMap& map) {
  const int n = static_cast<int>(map.nodes_.size());
  if (n == 0) return Status::OK();
  auto fail = [&](const char* kind, std::vector<std::string> ids) {
    // Errors about several files: name the first one (sorted) as the place.
    const Revision* first = nullptr;
    for (const std::string& id : ids) {
      const Revision& rev = map.nodes_[map.by_id_.at(id)].revision;
      if (first == nullptr || rev.id < first->id) first = &rev;
    }
    std::string message =
        std::string(kind) + " is detected in revisions (" + JoinIds(ids) + ")";
    return BuildError(*first, first->revises_line, message);
  };
  auto all_ids = [&]() {
    std::vector<std::string> ids;
    for (const RevisionNode& node : map.nodes_) ids.push_back(node.id());
    return ids;
  };
  auto check = [&](const std::vector<std::string>& heads,
                   const std::vector<std::string>& bases, bool with_deps,
                   const char* kind) -> Status {
    if (heads.empty() || bases.empty()) return fail(kind, all_ids());
    std::vector<int> head_idx, base_idx;
    for (const std::string& h : heads) head_idx.push_back(map.by_id_.at(h));
    for (const std::string& b : bases) base_idx.push_back(map.by_id_.at(b));
    std::vector<char> below = Walk(map, head_idx, with_deps ? kAllDown : kDown);
    std::vector<char> above = Walk(map, base_idx, with_deps ? kAllNext : kNext);
    std::vector<std::string> deleted;
    for (int i = 0; i < n; ++i) {
      if (!below[i] || !above[i]) deleted.push_back(map.nodes_[i].id());
    }
    if (!deleted.empty()) {
      std::sort(deleted.begin(), deleted.end());
      return fail(kind, deleted);
    }
    return Status::OK();
  };
  RETORT_RETURN_IF_ERROR(check(map.heads_, map.bases_, false, "Cycle"));
  RETORT_RETURN_IF_ERROR(
      check(map.real_heads_, map.real_bases_, true, "Dependency cycle"));
  // Alembic's test misses a cycle that a head reaches and a base leads to
  // (a <-> b, with b also above a base and a head above a): walks over it
  // then run a revision before its own parent or dependency. Peel off, from
  // both ends, every revision that cannot be on a cycle; what stays is.
  for (bool with_deps : {false, true}) {
    IndexList RevisionNode::*down =
        with_deps ? &RevisionNode::all_down : &RevisionNode::down;
    IndexList RevisionNode::*up =
        with_deps ? &RevisionNode::all_next : &RevisionNode::next;
    std::vector<int> parents(n, 0), children(n, 0);
    for (const RevisionNode& node : map.nodes_) {
      for (int c : node.*up) ++parents[c];
      for (int d : node.*down) ++children[d];
    }
    std::vector<int> todo;
    for (int i = 0; i < n; ++i) {
      if (parents[i] == 0 || children[i] == 0) todo.push_back(i);
    }
    std::vector<char> peeled(n, 0);
    while (!todo.empty()) {
      const int i = todo.back();
      todo.pop_back();
      if (peeled[i]) continue;
      peeled[i] = 1;
      for (int c : map.nodes_[i].*up) {
        if (!peeled[c] && --parents[c] == 0) todo.push_back(c);
      }
      for (int d : map.nodes_[i].*down) {
        if (!peeled[d] && --children[d] == 0) todo.push_back(d);
      }
    }
    std::vector<std::string> cycle;
    for (int i = 0; i < n; ++i) {
      if (!peeled[i]) cycle.push_back(map.nodes_[i].id());
    }
    if (!cycle.empty()) {
      std::sort(cycle.begin(), cycle.end());
      return fail(with_deps ? "Dependency cycle" : "Cycle", cycle);
    }
  }
  return Status::OK();
}

// Alembic's _normalize_depends_on: drop a dependency when an ancestor
// (through "Revises") already depends on it.
void RevisionMapInternals::NormalizeDependencies(RevisionMap* map) {
  const int n = static_cast<int>(map->nodes_.size());
  std::vector<int> stamp(n, -1);
  std::vector<int> stack;
  for (int i = 0; i < n; ++i) {
    RevisionNode& node = map->nodes_[i];
    if (!node.deps.empty()) {
      IndexList kept = node.deps;
      stack.assign(node.down.begin(), node.down.end());
      while (!stack.empty() && !kept.empty()) {
        int cur = stack.back();
        stack.pop_back();
        if (stamp[cur] == i) continue;
        stamp[cur] = i;
        const RevisionNode& anc = map->nodes_[cur];
        for (int d : anc.deps) kept.remove(d);
        stack.insert(stack.end(), anc.down.begin(), anc.down.end());
      }
      node.norm_deps = std::move(kept);
    }
    node.norm_down.clear();
    for (int d : node.down) PushUnique(&node.norm_down, d);
    for (int d : node.norm_deps) PushUnique(&node.norm_down, d);
  }
}

// Alembic's _add_branches: a label covers every descendant of the revision
// that declares it, and the plain run of revisions below it down to the
// previous branch point, merge point or base.
void RevisionMapInternals::PropagateBranchLabels(RevisionMap* map) {
  const int n = static_cast<int>(map->nodes_.size());
  std::vector<std::set<std::string>> labels(n);
  std::vector<int> stamp(n, -1);
  std::vector<int> stack;
  for (int i = 0; i < n; ++i) {
    const std::vector<std::string>& own = map->nodes_[i].revision.branch_labels;
    if (own.empty()) continue;
    // Depth-first over children as Alembic's stack does; Alembic then walks
    // down from the last node it visited.
    int last = i;
    stack.assign(1, i);
    while (!stack.empty()) {
      int cur = stack.back();
      stack.pop_back();
      if (stamp[cur] == i) continue;
      stamp[cur] = i;
      labels[cur].insert(own.begin(), own.end());
      last = cur;
      const RevisionNode& node = map->nodes_[cur];
      stack.insert(stack.end(), node.next.begin(), node.next.end());
    }
    int parent = last;
    while (true) {
      const RevisionNode& node = map->nodes_[parent];
      if (node.is_real_branch_point || node.is_merge_point) break;
      labels[parent].insert(own.begin(), own.end());
      if (node.down.empty()) break;
      parent = node.down.front();
    }
  }
  for (int i = 0; i < n; ++i) {
    map->nodes_[i].branch_labels.assign(labels[i].begin(), labels[i].end());
  }
}

std::vector<char> RevisionMapInternals::Walk(const RevisionMap& map,
                                             const std::vector<int>& targets,
                                             Edges edges) {
  std::vector<char> seen(map.nodes_.size(), 0);
  std::vector<int> stack;
  for (int t : targets) {
    if (t < 0) continue;
    stack.push_back(t);
    while (!stack.empty()) {
      int cur = stack.back();
      stack.pop_back();
      if (seen[cur]) continue;
      seen[cur] = 1;
      const IndexList& out = map.nodes_[cur].*EdgeList(edges);
      stack.insert(stack.end(), out.begin(), out.end());
    }
  }
  return seen;
}

IndexList RevisionNode::*RevisionMapInternals::EdgeList(Edges edges) {
  switch (edges) {
    case kDown:
      return &RevisionNode::down;
    case kNormDown:
      return &RevisionNode::norm_down;
    case kAllDown:
      return &RevisionNode::all_down;
    case kNext:
      return &RevisionNode::next;
    case kAllNext:
      return &RevisionNode::all_next;
  }
  return &RevisionNode::down;
}

// Alembic's _iterate_related_revisions with check=True: the walk from each
// target must not reach another target.
bool RevisionMapInternals::WalkChecked(const RevisionMap& map,
                                       const std::vector<int>& targets,
                                       Edges edges, std::vector<char>* out,
                                       RevisionError* err) {
  const size_t n = map.nodes_.size();
  out->assign(n, 0);
  std::vector<char> is_target(n, 0);
  for (int t : targets) {
    if (t >= 0) is_target[t] = 1;
  }
  std::vector<int> stack;
  for (int t : targets) {
    if (t < 0) continue;
    std::vector<int> overlaps;
    stack.push_back(t);
    while (!stack.empty()) {
      int cur = stack.back();
      stack.pop_back();
      if (cur != t && is_target[cur] && !Contains(overlaps, cur)) {
        overlaps.push_back(cur);
      }
      if ((*out)[cur]) continue;
      (*out)[cur] = 1;
      const IndexList& next = map.nodes_[cur].*EdgeList(edges);
      stack.insert(stack.end(), next.begin(), next.end());
    }
    if (!overlaps.empty()) {
      std::sort(overlaps.begin(), overlaps.end());
      std::vector<std::string> ids;
      for (int o : overlaps) ids.push_back(map.nodes_[o].id());
      err->kind = RevisionError::Kind::kRevision;
      err->message = "Requested revision " + map.nodes_[t].id() +
                     " overlaps with other requested revisions " + JoinIds(ids);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Accessors.

const RevisionNode* RevisionMap::Find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &nodes_[it->second];
}

const RevisionNode* RevisionMap::FindBranchLabel(std::string_view label) const {
  auto it = by_label_.find(std::string(label));
  return it == by_label_.end() ? nullptr : &nodes_[it->second];
}

namespace {
template <typename Indices>  // std::vector<int> or IndexList
std::vector<std::string> Ids(const std::vector<RevisionNode>& nodes,
                             const Indices& idx) {
  std::vector<std::string> out;
  out.reserve(idx.size());
  for (int i : idx) out.push_back(nodes[i].id());
  return out;
}
}  // namespace

std::vector<std::string> RevisionMap::Parents(const RevisionNode& node) const {
  return node.revision.down_revisions;
}
std::vector<std::string> RevisionMap::Children(const RevisionNode& node) const {
  return Ids(nodes_, node.next);
}
std::vector<std::string> RevisionMap::Dependents(
    const RevisionNode& node) const {
  return Ids(nodes_, node.all_next);
}
std::vector<std::string> RevisionMap::ResolvedDependencies(
    const RevisionNode& node) const {
  return Ids(nodes_, node.deps);
}
std::vector<std::string> RevisionMap::NormalizedDependencies(
    const RevisionNode& node) const {
  return Ids(nodes_, node.norm_deps);
}
std::vector<std::string> RevisionMap::NormalizedDownRevisions(
    const RevisionNode& node) const {
  return Ids(nodes_, node.norm_down);
}

std::vector<char> RevisionMap::AncestorMask(const std::vector<int>& targets,
                                            bool include_dependencies) const {
  return RevisionMapInternals::Walk(*this, targets,
                                    include_dependencies
                                        ? RevisionMapInternals::kNormDown
                                        : RevisionMapInternals::kDown);
}

std::vector<char> RevisionMap::DescendantMask(const std::vector<int>& targets,
                                              bool include_dependencies) const {
  return RevisionMapInternals::Walk(*this, targets,
                                    include_dependencies
                                        ? RevisionMapInternals::kAllNext
                                        : RevisionMapInternals::kNext);
}

namespace {
std::vector<std::string> MaskIds(const std::vector<RevisionNode>& nodes,
                                 const std::vector<char>& mask) {
  std::vector<std::string> out;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) out.push_back(nodes[i].id());
  }
  return out;
}
}  // namespace

std::vector<std::string> RevisionMap::Ancestors(
    const std::vector<std::string>& ids, bool include_dependencies) const {
  std::vector<int> idx;
  for (const std::string& id : ids) {
    if (const RevisionNode* node = Find(id)) idx.push_back(node->index);
  }
  return MaskIds(nodes_, AncestorMask(idx, include_dependencies));
}

std::vector<std::string> RevisionMap::Descendants(
    const std::vector<std::string>& ids, bool include_dependencies) const {
  std::vector<int> idx;
  for (const std::string& id : ids) {
    if (const RevisionNode* node = Find(id)) idx.push_back(node->index);
  }
  return MaskIds(nodes_, DescendantMask(idx, include_dependencies));
}

// ---------------------------------------------------------------------------
// Resolution.

int RevisionMapInternals::LookupKey(const RevisionMap& map,
                                    const std::string& key) {
  if (auto it = map.by_id_.find(key); it != map.by_id_.end()) {
    return it->second;
  }
  if (auto it = map.by_label_.find(key); it != map.by_label_.end()) {
    return it->second;
  }
  return kMissing;
}

bool RevisionMapInternals::ResolveRevisionNumber(const RevisionMap& map,
                                                 const RevisionArg& arg,
                                                 ResolvedNumber* out,
                                                 RevisionError* err) {
  out->ids.clear();
  out->branch_label.reset();
  if (arg.is_many()) {
    out->ids = arg.values();
    return true;
  }
  if (arg.is_none()) return true;
  std::string id = arg.one();
  if (size_t at = id.find('@'); at != std::string::npos) {
    out->branch_label = id.substr(0, at);
    id = id.substr(at + 1);
  }
  const bool has_label = out->branch_label && !out->branch_label->empty();
  if (id == "heads") {
    if (has_label) {
      std::vector<int> heads, filtered;
      for (const std::string& h : map.heads_) heads.push_back(map.by_id_.at(h));
      if (!FilterForLineage(map, heads, *out->branch_label, false, &filtered,
                            err)) {
        return false;
      }
      for (int f : filtered) out->ids.push_back(map.nodes_[f].id());
    } else {
      out->ids = map.real_heads_;
    }
  } else if (id == "head") {
    std::optional<std::string> head;
    if (!GetCurrentHead(map, has_label ? *out->branch_label : "", &head, err)) {
      return false;
    }
    if (head) out->ids.push_back(*head);
  } else if (id == "base") {
    // () : no revision.
  } else {
    out->ids.push_back(id);
  }
  return true;
}

bool RevisionMapInternals::GetCurrentHead(const RevisionMap& map,
                                          const std::string& branch_label,
                                          std::optional<std::string>* out,
                                          RevisionError* err) {
  std::vector<std::string> heads = map.heads_;
  if (!branch_label.empty()) {
    std::vector<int> idx, filtered;
    for (const std::string& h : heads) idx.push_back(map.by_id_.at(h));
    if (!FilterForLineage(map, idx, branch_label, false, &filtered, err)) {
      return false;
    }
    heads = Ids(map.nodes_, filtered);
  }
  if (heads.size() > 1) {
    err->kind = RevisionError::Kind::kMultipleHeads;
    err->argument = branch_label.empty() ? "head" : branch_label + "@head";
    err->heads = heads;
    err->message = "Multiple heads are present for given argument '" +
                   err->argument + "'; " + JoinIds(heads);
    return false;
  }
  out->reset();
  if (!heads.empty()) *out = heads.front();
  return true;
}

bool RevisionMapInternals::ResolveBranch(const RevisionMap& map,
                                         const std::string& branch_label,
                                         int* out, RevisionError* err) {
  int found = LookupKey(map, branch_label);
  if (found != kMissing) {
    *out = found;
    return true;
  }
  RevisionError inner;
  if (!RevisionForIdent(map, branch_label, std::nullopt, out, &inner)) {
    if (inner.kind == RevisionError::Kind::kResolution) {
      err->kind = RevisionError::Kind::kResolution;
      err->argument = branch_label;
      err->message = "No such branch: '" + branch_label + "'";
    } else {
      *err = std::move(inner);
    }
    return false;
  }
  return true;
}

namespace {

// What an unknown revision argument was probably meant to be: a symbolic
// name or a branch label a typo away, else the id whose first characters
// are closest to it (ids are given by prefix: "ae10" for "ae12f3...").
std::string SuggestRevision(const std::vector<RevisionNode>& nodes,
                            const std::vector<std::string>& labels,
                            const std::string& word) {
  std::vector<std::string> names = {"head", "heads", "base"};
  names.insert(names.end(), labels.begin(), labels.end());
  std::string named = Suggest(word, names);
  if (!named.empty()) return named;
  // Two letters swapped ("haed") are two edits, more than a short word's
  // one; they are one slip of the fingers.
  for (const std::string& name : names) {
    if (name.size() != word.size()) continue;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      std::string swapped = word;
      std::swap(swapped[i], swapped[i + 1]);
      if (swapped == name) return name;
    }
  }
  if (word.size() < 4) return "";
  std::vector<std::string> prefixes;
  for (const RevisionNode& node : nodes) {
    prefixes.push_back(node.id().substr(0, word.size()));
  }
  std::string prefix = Suggest(word, prefixes);
  if (prefix.empty()) return "";
  for (const RevisionNode& node : nodes) {
    if (StartsWith(node.id(), prefix)) return node.id();
  }
  return "";
}

}  // namespace

bool RevisionMapInternals::RevisionForIdent(
    const RevisionMap& map, const std::string& resolved_id,
    const std::optional<std::string>& check_branch, int* out,
    RevisionError* err) {
  const bool checking = check_branch && !check_branch->empty();
  int branch_rev = kNone;
  if (checking && !ResolveBranch(map, *check_branch, &branch_rev, err)) {
    return false;
  }
  if (resolved_id.empty()) {
    // The () key: "base" resolved to no revision.
    *out = kNone;
    return true;
  }
  int revision = LookupKey(map, resolved_id);
  if (revision == kMissing) {
    // Partial match over every key of Alembic's map: ids in input order,
    // then branch labels.
    std::vector<std::string> keys;
    auto consider = [&](const std::string& key) {
      if (key.size() > 3 &&
          key.compare(0, resolved_id.size(), resolved_id) == 0)
        keys.push_back(key);
    };
    for (const RevisionNode& node : map.nodes_) consider(node.id());
    for (const std::string& label : map.label_order_) consider(label);
    if (checking) {
      std::vector<std::string> kept;
      std::vector<int> idx, shared;
      for (const std::string& key : keys) idx.push_back(LookupKey(map, key));
      if (!FilterForLineage(map, idx, check_branch, false, &shared, err)) {
        return false;
      }
      for (size_t k = 0; k < keys.size(); ++k) {
        if (Contains(shared, idx[k])) kept.push_back(keys[k]);
      }
      keys = std::move(kept);
    }
    if (keys.empty()) {
      err->kind = RevisionError::Kind::kResolution;
      err->argument = resolved_id;
      err->message = "No such revision or branch '" + resolved_id + "'";
      err->suggestion =
          SuggestRevision(map.nodes_, map.label_order_, resolved_id);
      if (resolved_id.size() < 4) {
        err->message +=
            "; please ensure at least four characters are present for "
            "partial revision identifier matches";
      }
      return false;
    }
    if (keys.size() > 1) {
      err->kind = RevisionError::Kind::kResolution;
      err->argument = resolved_id;
      err->matches = keys;
      err->message = "Multiple revisions start with '" + resolved_id + "': ";
      for (size_t i = 0; i < keys.size() && i < 3; ++i) {
        if (i) err->message += ", ";
        err->message += "'" + keys[i] + "'";
      }
      err->message += "...";
      return false;
    }
    revision = LookupKey(map, keys.front());
  }
  if (checking) {
    bool shares = false;
    if (!SharesLineage(map, revision, {map.nodes_[branch_rev].id()}, false,
                       &shares, err)) {
      return false;
    }
    if (!shares) {
      err->kind = RevisionError::Kind::kResolution;
      err->argument = resolved_id;
      err->message = "Revision " + map.nodes_[revision].id() +
                     " is not a member of branch '" + *check_branch + "'";
      return false;
    }
  }
  *out = revision;
  return true;
}

bool RevisionMapInternals::SharesLineage(
    const RevisionMap& map, int target,
    const std::vector<std::string>& test_against, bool include_dependencies,
    bool* out, RevisionError* err) {
  if (test_against.empty()) {
    *out = true;
    return true;
  }
  std::vector<int> against;
  for (const std::string& key : test_against) {
    int idx = kNone;
    if (!RevisionForIdent(map, key, std::nullopt, &idx, err)) return false;
    against.push_back(idx);
  }
  *out = false;
  if (target < 0) return true;
  std::vector<char> down = map.AncestorMask({target}, include_dependencies);
  std::vector<char> up = map.DescendantMask({target}, include_dependencies);
  for (int a : against) {
    if (a >= 0 && (down[a] || up[a])) {
      *out = true;
      break;
    }
  }
  return true;
}

bool RevisionMapInternals::FilterForLineage(
    const RevisionMap& map, const std::vector<int>& targets,
    const std::optional<std::string>& check_against, bool include_dependencies,
    std::vector<int>* out, RevisionError* err) {
  ResolvedNumber resolved;
  RevisionArg arg = check_against ? RevisionArg(*check_against) : RevisionArg();
  if (!ResolveRevisionNumber(map, arg, &resolved, err)) return false;
  std::vector<std::string> shares;
  if (resolved.branch_label && !resolved.branch_label->empty()) {
    shares.push_back(*resolved.branch_label);
  }
  shares.insert(shares.end(), resolved.ids.begin(), resolved.ids.end());
  out->clear();
  for (int t : targets) {
    bool ok = false;
    if (!SharesLineage(map, t, shares, include_dependencies, &ok, err)) {
      return false;
    }
    if (ok) out->push_back(t);
  }
  return true;
}

bool RevisionMapInternals::GetRevisions(const RevisionMap& map,
                                        const RevisionArg& arg,
                                        std::vector<int>* out,
                                        RevisionError* err) {
  out->clear();
  if (arg.is_many()) {
    for (const std::string& one : arg.values()) {
      std::vector<int> part;
      if (!GetRevisions(map, RevisionArg(one), &part, err)) return false;
      out->insert(out->end(), part.begin(), part.end());
    }
    return true;
  }
  ResolvedNumber resolved;
  if (!ResolveRevisionNumber(map, arg, &resolved, err)) return false;
  if (resolved.ids.size() == 1) {
    std::optional<long long> steps = PythonInt(resolved.ids.front());
    if (steps && *steps < 0) {
      // "label@-n": walk down from each (effective) head of the branch.
      for (const std::string& head : map.real_heads_) {
        const RevisionNode& node = map.nodes_[map.by_id_.at(head)];
        if (resolved.branch_label &&
            !std::binary_search(node.branch_labels.begin(),
                                node.branch_labels.end(),
                                *resolved.branch_label)) {
          continue;
        }
        int dest = kNone;
        if (!WalkSteps(map, node.index, *steps, std::nullopt, true, &dest,
                       err)) {
          return false;
        }
        out->push_back(dest);
      }
      return true;
    }
  }
  for (const std::string& id : resolved.ids) {
    int idx = kNone;
    if (!RevisionForIdent(map, id, resolved.branch_label, &idx, err)) {
      return false;
    }
    out->push_back(idx);
  }
  return true;
}

bool RevisionMapInternals::GetRevision(const RevisionMap& map,
                                       const std::string& id, int* out,
                                       RevisionError* err) {
  ResolvedNumber resolved;
  if (!ResolveRevisionNumber(map, RevisionArg(id), &resolved, err)) {
    return false;
  }
  if (resolved.ids.size() > 1) {
    err->kind = RevisionError::Kind::kMultipleHeads;
    err->argument = id;
    err->heads = resolved.ids;
    err->message = "Multiple heads are present for given argument '" + id +
                   "'; " + JoinIds(resolved.ids);
    return false;
  }
  if (!resolved.ids.empty() && resolved.ids[0].empty()) {
    // Alembic fails an assertion on an empty identifier.
    err->kind = RevisionError::Kind::kResolution;
    err->argument = id;
    err->message = "No such revision or branch ''";
    return false;
  }
  std::string one = resolved.ids.empty() ? std::string() : resolved.ids[0];
  return RevisionForIdent(map, one, resolved.branch_label, out, err);
}

// Alembic's _walk: `steps` up (> 0) or down (< 0) from `start`, which is a
// node, kBase ("base") or kNone (below the bases / above the heads).
bool RevisionMapInternals::WalkSteps(
    const RevisionMap& map, int start, long long steps,
    const std::optional<std::string>& branch_label, bool no_overwalk, int* out,
    RevisionError* err) {
  int initial = start;
  const long long count = steps < 0 ? -steps : steps;
  const bool labelled = branch_label && !branch_label->empty();
  std::vector<int> children;
  for (long long i = 0; i < count; ++i) {
    children.clear();
    if (steps > 0) {
      if (initial == kBase) {
        err->kind = RevisionError::Kind::kRevision;
        err->message = "Can't walk up from 'base'";
        return false;
      }
      std::vector<int> walk_up;
      if (initial == kNone) {
        for (const std::string& b : map.bases_) {
          walk_up.push_back(map.by_id_.at(b));
        }
      } else {
        walk_up.assign(map.nodes_[initial].next.begin(),
                       map.nodes_[initial].next.end());
      }
      if (labelled) {
        if (!FilterForLineage(map, walk_up, *branch_label, false, &children,
                              err)) {
          return false;
        }
      } else {
        children = std::move(walk_up);
      }
    } else if (initial != kBase) {
      if (initial == kNone) {
        for (const std::string& h : map.heads_) {
          children.push_back(map.by_id_.at(h));
        }
      } else {
        children.assign(map.nodes_[initial].down.begin(),
                        map.nodes_[initial].down.end());
      }
      if (children.empty()) children.push_back(kBase);
    }
    if (children.empty()) {
      *out = no_overwalk ? kNone : initial;
      return true;
    }
    if (children.size() > 1) {
      err->kind = RevisionError::Kind::kRevision;
      err->message = "Ambiguous walk";
      return false;
    }
    initial = children.front();
  }
  *out = initial;
  return true;
}

std::vector<int> RevisionMapInternals::FilterIntoBranchHeads(
    const RevisionMap& map, const std::vector<int>& targets) {
  std::vector<int> kept;
  for (int t : targets) {
    std::vector<char> desc = map.DescendantMask({t}, false);
    bool covered = false;
    for (int o : targets) {
      if (o != t && desc[o]) covered = true;
    }
    if (!covered) kept.push_back(t);
  }
  return kept;
}

bool RevisionMapInternals::GetAllCurrent(const RevisionMap& map,
                                         const RevisionArg& ids,
                                         std::vector<int>* out,
                                         RevisionError* err) {
  std::vector<int> top;
  if (!GetRevisions(map, ids, &top, err)) return false;
  std::vector<char> anc = map.AncestorMask(top, true);
  std::vector<int> all;
  for (int t : top) {
    if (t >= 0) anc[t] = 1;
  }
  // FilterIntoBranchHeads over `all`, in linear time: the set is closed
  // under ancestors, so a member has a descendant in it exactly when one of
  // its children (through "Revises") is in it.
  for (size_t i = 0; i < anc.size(); ++i) {
    if (!anc[i]) continue;
    bool covered = false;
    for (int child : map.node(static_cast<int>(i)).next) {
      if (anc[child]) {
        covered = true;
        break;
      }
    }
    if (!covered) all.push_back(static_cast<int>(i));
  }
  *out = std::move(all);
  return true;
}

// ---------------------------------------------------------------------------
// Public wrappers of the resolution rules.

namespace {
std::vector<const RevisionNode*> ToNodes(const RevisionMap& map,
                                         const std::vector<int>& idx) {
  std::vector<const RevisionNode*> out;
  out.reserve(idx.size());
  for (int i : idx) out.push_back(i >= 0 ? &map.node(i) : nullptr);
  return out;
}
}  // namespace

bool RevisionMap::GetRevisions(const RevisionArg& id,
                               std::vector<const RevisionNode*>* out,
                               RevisionError* err) const {
  std::vector<int> idx;
  if (!RevisionMapInternals::GetRevisions(*this, id, &idx, err)) return false;
  for (int i : idx) {
    if (i == RevisionMapInternals::kNone) {
      // Alembic hands back None here and fails later; say why now.
      err->kind = RevisionError::Kind::kRevision;
      err->message = "Walked too far";
      return false;
    }
  }
  *out = ToNodes(*this, idx);
  return true;
}

Result<std::vector<const RevisionNode*>> RevisionMap::GetRevisions(
    const RevisionArg& id) const {
  std::vector<const RevisionNode*> out;
  RevisionError err;
  if (!GetRevisions(id, &out, &err)) return err.ToStatus();
  return out;
}

bool RevisionMap::GetRevision(std::string_view id, const RevisionNode** out,
                              RevisionError* err) const {
  int idx = RevisionMapInternals::kNone;
  if (!RevisionMapInternals::GetRevision(*this, std::string(id), &idx, err)) {
    return false;
  }
  *out = idx >= 0 ? &nodes_[idx] : nullptr;
  return true;
}

Result<const RevisionNode*> RevisionMap::GetRevision(
    std::string_view id) const {
  const RevisionNode* out = nullptr;
  RevisionError err;
  if (!GetRevision(id, &out, &err)) return err.ToStatus();
  return out;
}

Result<std::optional<std::string>> RevisionMap::GetCurrentHead(
    std::string_view branch_label) const {
  std::optional<std::string> out;
  RevisionError err;
  if (!RevisionMapInternals::GetCurrentHead(*this, std::string(branch_label),
                                            &out, &err)) {
    return err.ToStatus();
  }
  return out;
}

bool RevisionMap::FilterForLineage(const std::vector<int>& targets,
                                   std::string_view check_against,
                                   bool include_dependencies,
                                   std::vector<int>* out,
                                   RevisionError* err) const {
  return RevisionMapInternals::FilterForLineage(*this, targets,
                                                std::string(check_against),
                                                include_dependencies, out, err);
}

Result<std::vector<std::string>> RevisionMap::FilterForLineage(
    const std::vector<std::string>& targets, std::string_view check_against,
    bool include_dependencies) const {
  std::vector<int> idx, out;
  RevisionError err;
  for (const std::string& t : targets) {
    int i = RevisionMapInternals::kNone;
    if (!RevisionMapInternals::RevisionForIdent(*this, t, std::nullopt, &i,
                                                &err)) {
      return err.ToStatus();
    }
    idx.push_back(i);
  }
  if (!FilterForLineage(idx, check_against, include_dependencies, &out, &err)) {
    return err.ToStatus();
  }
  std::vector<std::string> ids;
  for (size_t k = 0; k < idx.size(); ++k) {
    if (std::find(out.begin(), out.end(), idx[k]) != out.end()) {
      ids.push_back(targets[k]);
    }
  }
  return ids;
}

Result<std::vector<std::string>> RevisionMap::GetAllCurrent(
    const std::vector<std::string>& ids) const {
  std::vector<int> out;
  RevisionError err;
  if (!RevisionMapInternals::GetAllCurrent(*this, RevisionArg(ids), &out,
                                           &err)) {
    return err.ToStatus();
  }
  return Ids(nodes_, out);
}

}  // namespace retort
