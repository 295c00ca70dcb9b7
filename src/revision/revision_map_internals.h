// Private helpers of RevisionMap shared by revision_map.cc, walk.cc and
// plan.cc. They work on node indices and report RevisionError, so the public
// wrappers can either turn it into a Status or rephrase it for a command.
#ifndef RETORT_REVISION_REVISION_MAP_INTERNALS_H_
#define RETORT_REVISION_REVISION_MAP_INTERNALS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision_map.h"

namespace retort {

// The pieces of Alembic's `_relative_destination` regular expression,
// (?:(.+?)@)?(\w+)?((?:\+|-)\d+), matched at the start of a target.
struct RelativeMatch {
  std::optional<std::string> branch_label;
  std::optional<std::string> symbol;
  std::string relative;  // "+2", "-1"
};
bool MatchRelativeDestination(std::string_view target, RelativeMatch* out);
// int(relative); 0 when it cannot be parsed.
long long RelativeValue(const std::string& relative);

// RevisionMapInternals holds the graph algorithms as static functions with
// access to RevisionMap's private state. A "target" is a node index or one
// of the sentinels below, mirroring the values Alembic passes around.
class RevisionMapInternals {
 public:
  static constexpr int kBase = -1;     // the string "base"
  static constexpr int kNone = -2;     // Python's None
  static constexpr int kMissing = -3;  // key not in the map

  enum Edges { kDown, kNormDown, kAllDown, kNext, kAllNext };
  static IndexList RevisionNode::*EdgeList(Edges edges);

  // Build steps.
  static Status DetectCycles(const RevisionMap& map);
  static void NormalizeDependencies(RevisionMap* map);
  static void PropagateBranchLabels(RevisionMap* map);

  // Every node reachable from `targets` along `edges`, targets included.
  static std::vector<char> Walk(const RevisionMap& map,
                                const std::vector<int>& targets, Edges edges);
  // The same, failing when one target reaches another ("overlaps").
  static bool WalkChecked(const RevisionMap& map,
                          const std::vector<int>& targets, Edges edges,
                          std::vector<char>* out, RevisionError* err);

  // Resolution (Alembic names in comments of the definitions).
  struct ResolvedNumber {
    std::vector<std::string> ids;
    std::optional<std::string> branch_label;
  };
  static int LookupKey(const RevisionMap& map, const std::string& key);
  static bool ResolveRevisionNumber(const RevisionMap& map,
                                    const RevisionArg& arg, ResolvedNumber* out,
                                    RevisionError* err);
  static bool GetCurrentHead(const RevisionMap& map,
                             const std::string& branch_label,
                             std::optional<std::string>* out,
                             RevisionError* err);
  static bool ResolveBranch(const RevisionMap& map,
                            const std::string& branch_label, int* out,
                            RevisionError* err);
  static bool RevisionForIdent(const RevisionMap& map,
                               const std::string& resolved_id,
                               const std::optional<std::string>& check_branch,
                               int* out, RevisionError* err);
  static bool SharesLineage(const RevisionMap& map, int target,
                            const std::vector<std::string>& test_against,
                            bool include_dependencies, bool* out,
                            RevisionError* err);
  static bool FilterForLineage(const RevisionMap& map,
                               const std::vector<int>& targets,
                               const std::optional<std::string>& check_against,
                               bool include_dependencies, std::vector<int>* out,
                               RevisionError* err);
  static bool GetRevisions(const RevisionMap& map, const RevisionArg& arg,
                           std::vector<int>* out, RevisionError* err);
  static bool GetRevision(const RevisionMap& map, const std::string& id,
                          int* out, RevisionError* err);
  static bool WalkSteps(const RevisionMap& map, int start, long long steps,
                        const std::optional<std::string>& branch_label,
                        bool no_overwalk, int* out, RevisionError* err);
  static std::vector<int> FilterIntoBranchHeads(
      const RevisionMap& map, const std::vector<int>& targets);
  static bool GetAllCurrent(const RevisionMap& map, const RevisionArg& ids,
                            std::vector<int>* out, RevisionError* err);

  // Traversal (walk.cc).
  static bool ParseDowngradeTarget(const RevisionMap& map,
                                   const RevisionArg& current_revisions,
                                   const RevisionArg& target,
                                   bool assert_relative_length,
                                   std::optional<std::string>* branch_label,
                                   int* out, RevisionError* err);
  static bool ParseUpgradeTarget(const RevisionMap& map,
                                 const RevisionArg& current_revisions,
                                 const RevisionArg& target,
                                 bool assert_relative_length,
                                 std::vector<int>* out, RevisionError* err);
  static bool CollectDowngradeRevisions(const RevisionMap& map,
                                        const RevisionArg& upper,
                                        const RevisionArg& lower,
                                        const IterateOptions& options,
                                        std::vector<char>* revisions,
                                        std::vector<int>* heads,
                                        RevisionError* err);
  static bool CollectUpgradeRevisions(const RevisionMap& map,
                                      const RevisionArg& upper,
                                      const RevisionArg& lower,
                                      const IterateOptions& options,
                                      std::vector<char>* revisions,
                                      std::vector<int>* heads,
                                      RevisionError* err);
  static bool TopologicalSort(const RevisionMap& map,
                              const std::vector<char>& revisions,
                              const std::vector<int>& heads,
                              std::vector<int>* out, RevisionError* err);
};

}  // namespace retort

#endif  // RETORT_REVISION_REVISION_MAP_INTERNALS_H_
