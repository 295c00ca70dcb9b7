// Fuzzes the revision graph (revision/revision_map.h): a small graph built
// from the input's first bytes (parents, dependencies, branch labels; some
// graphs broken on purpose), then Alembic's identifier grammar on it --
// "head-2", "auth@base", "+3", "ae10", "a:b", "heads" -- through
// GetRevisions, GetRevision and IterateRevisions.
// Invariants: what resolves is a node of the map (an exact id resolves to
// itself, "heads" to the heads); a walk lists each revision once and never
// puts a revision's parent or dependency before the revision itself in its
// upper-first order, so reversed it runs parents first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "revision/revision_map.h"

namespace retort {
namespace {

// Ids share prefixes so that partial ids can be ambiguous.
constexpr const char* kIds[] = {"ae1027a6acf0",
                                "ae10ff31b2c4",
                                "27c6a30d7c24",
                                "1975ea83b712",
                                "1975eb00cafe",
                                "3cf2a9b1e0d7",
                                "b",
                                "base1"};
constexpr const char* kLabels[] = {"", "auth", "inventory", "billing"};
constexpr size_t kMaxNodes = std::size(kIds);

std::vector<Revision> Graph(const uint8_t* data, size_t n) {
  std::vector<Revision> revisions(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t parents = data[3 * i];
    const uint8_t deps = data[3 * i + 1];
    const uint8_t extra = data[3 * i + 2];
    Revision& r = revisions[i];
    r.id = kIds[i];
    // Bit 7 of `extra` lets a revision name any node (cycles, unknown ids);
    // otherwise it names earlier ones only, which is a valid DAG.
    const bool any = (extra & 0x80) != 0;
    for (size_t j = 0; j < n; ++j) {
      if (!any && j >= i) break;
      if (parents & (1u << j)) r.down_revisions.push_back(kIds[j]);
      if (deps & (1u << j)) r.depends_on.push_back(kIds[j]);
    }
    if (const char* label = kLabels[extra & 3]; *label) {
      r.branch_labels.push_back(label);
    }
    if (extra & 0x04) r.depends_on.push_back(kLabels[1 + (extra >> 3) % 3]);
    if (extra & 0x40) r.depends_on.push_back("ae10");  // a partial id
  }
  return revisions;
}

// Splits "a,b" into a list argument, "" into None.
RevisionArg Arg(std::string_view s) {
  if (s.empty()) return RevisionArg();
  if (s.find(',') == std::string_view::npos) return RevisionArg(s);
  std::vector<std::string> many;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    many.emplace_back(s.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return RevisionArg(std::move(many));
}

bool InMap(const RevisionMap& map, const RevisionNode* node) {
  return node >= map.nodes().data() &&
         node < map.nodes().data() + map.nodes().size();
}

void CheckResolved(const RevisionMap& map, std::string_view query,
                   const std::vector<const RevisionNode*>& nodes) {
  for (const RevisionNode* node : nodes) {
    FUZZ_CHECK(node == nullptr || InMap(map, node), std::string(query));
  }
  if (const RevisionNode* exact = map.Find(query)) {
    FUZZ_CHECK(nodes.size() == 1 && nodes[0] == exact,
               "exact id " + std::string(query) + " resolves elsewhere");
  }
  // Alembic resolves "heads" to its _real_heads.
  if (query == "heads") {
    std::set<std::string> got,
        want(map.RealHeads().begin(), map.RealHeads().end());
    for (const RevisionNode* node : nodes) {
      if (node) got.insert(node->id());
    }
    FUZZ_CHECK(got == want, "heads");
  }
}

void CheckWalk(const RevisionMap& map, const std::string& what,
               const std::vector<const RevisionNode*>& walk) {
  std::map<const RevisionNode*, size_t> position;
  for (size_t i = 0; i < walk.size(); ++i) {
    FUZZ_CHECK(walk[i] != nullptr && InMap(map, walk[i]), what);
    FUZZ_CHECK(position.emplace(walk[i], i).second,
               what + ": " + walk[i]->id() + " listed twice");
  }
  for (const RevisionNode* node : walk) {
    std::vector<std::string> before = map.Parents(*node);
    for (const std::string& dep : map.ResolvedDependencies(*node)) {
      before.push_back(dep);
    }
    for (const std::string& id : before) {
      auto it = position.find(map.Find(id));
      FUZZ_CHECK(
          it == position.end() || it->second > position[node],
          what + ": " + id + " is listed before its child " + node->id());
    }
  }
}

}  // namespace
}  // namespace retort

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace retort;
  if (size < 1 || size > 1024) return -1;
  const size_t n = 1 + data[0] % kMaxNodes;
  if (size < 1 + 3 * n) return -1;
  Result<RevisionMap> built = RevisionMap::Build(Graph(data + 1, n));
  if (!built.ok()) return 0;  // a broken graph: Build said why
  const RevisionMap& map = *built;
  FUZZ_CHECK(map.size() == n, "size");
  for (const std::string& head : map.Heads()) {
    const RevisionNode* node = map.Find(head);
    FUZZ_CHECK(node != nullptr && node->is_head && map.Children(*node).empty(),
               head);
  }

  // The rest: up to 8 queries, one per line: an operation byte, a flags
  // byte, then the identifier(s); walks take "UPPER LOWER".
  std::string_view rest = fuzz::AsText(data + 1 + 3 * n, size - 1 - 3 * n);
  for (int q = 0; q < 8 && !rest.empty(); ++q) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    if (line.size() < 2) continue;
    const uint8_t op = static_cast<uint8_t>(line[0]) % 4;
    const uint8_t flags = static_cast<uint8_t>(line[1]);
    std::string_view query = line.substr(2);
    switch (op) {
      case 0: {
        auto got = map.GetRevisions(Arg(query));
        if (got.ok() && query.find(',') == std::string_view::npos) {
          CheckResolved(map, query, *got);
        }
        break;
      }
      case 1: {
        auto got = map.GetRevision(query);
        if (got.ok()) CheckResolved(map, query, {*got});
        break;
      }
      default: {
        size_t space = query.find(' ');
        std::string_view upper = query.substr(0, space);
        std::string_view lower =
            space == std::string_view::npos ? "" : query.substr(space + 1);
        IterateOptions options;
        options.implicit_base = flags & 1;
        options.inclusive = flags & 2;
        options.assert_relative_length = !(flags & 4);
        options.select_for_downgrade = op == 3;
        auto walk = map.IterateRevisions(Arg(upper), Arg(lower), options);
        if (walk.ok()) CheckWalk(map, std::string(query), *walk);
        break;
      }
    }
  }
  return 0;
}
