// RevisionMap: the revision graph built from a list of Revision records, with
// Alembic's resolution grammar (head, label@-1, ae10+2, ...) and its walks.
#ifndef RETORT_REVISION_REVISION_MAP_H_
#define RETORT_REVISION_REVISION_MAP_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "retort/status.h"
#include "revision/revision.h"
#include "util/index_list.h"

namespace retort {

class RevisionMap;

// RevisionNode is one revision plus everything the map derives for it: its
// position, the labels it inherits, and Alembic's per-node predicates.
struct RevisionNode {
  Revision revision;  // as handed to RevisionMap::Build
  int index = 0;      // position in the input; the map's tie-break order

  // Own labels plus those Alembic propagates along the branch, sorted.
  std::vector<std::string> branch_labels;

  bool is_head = false;               // no child through "Revises"
  bool is_real_head = false;          // no child through "Revises" nor
                                      // "Depends On" (Alembic's effective head)
  bool is_base = false;               // no "Revises"
  bool is_real_base = false;          // no "Revises" and no "Depends On"
  bool is_branch_point = false;       // 2+ children through "Revises"
  bool is_real_branch_point = false;  // 2+ children counting dependents
  bool is_merge_point = false;        // 2+ entries in "Revises"

  const std::string& id() const { return revision.id; }

 private:
  friend class RevisionMap;
  friend class RevisionMapInternals;
  // Node indices. `down` is "Revises"; `deps` is "Depends On" resolved to
  // ids (labels replaced, duplicates dropped); `norm_deps` omits the
  // dependencies some ancestor already has (Alembic's normalization).
  IndexList down;
  IndexList deps;
  IndexList norm_deps;
  IndexList norm_down;  // down + norm_deps, deduplicated
  IndexList all_down;   // down + deps, deduplicated
  IndexList next;       // children through "Revises"
  IndexList all_next;   // children through "Revises" or "Depends On"
};

// RevisionArg is what Alembic types as "str | tuple[str, ...] | None": one
// identifier, a list of them (e.g. the version table's rows), or none.
class RevisionArg {
 public:
  RevisionArg() = default;           // None
  RevisionArg(std::string_view one)  // NOLINT: implicit by design
      : kind_(Kind::kOne), values_{std::string(one)} {}
  RevisionArg(const char* one)  // NOLINT: implicit by design
      : RevisionArg(std::string_view(one)) {}
  RevisionArg(std::vector<std::string> many)  // NOLINT: implicit by design
      : kind_(Kind::kMany), values_(std::move(many)) {}

  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_one() const { return kind_ == Kind::kOne; }
  bool is_many() const { return kind_ == Kind::kMany; }
  const std::string& one() const { return values_.front(); }
  const std::vector<std::string>& values() const { return values_; }
  // How Alembic prints it in messages: the string, "('a', 'b')", or "None".
  std::string ToString() const;

 private:
  enum class Kind { kNone, kOne, kMany };
  Kind kind_ = Kind::kNone;
  std::vector<std::string> values_;
};

// RevisionError is a failed graph query with what the command layer needs to
// rephrase it (Alembic's RevisionError subclasses and their attributes).
struct RevisionError {
  enum class Kind {
    kRevision,          // RevisionError
    kRangeNotAncestor,  // RangeNotAncestorError(lower, upper)
    kMultipleHeads,     // MultipleHeads(heads, argument)
    kResolution,        // ResolutionError(message, argument)
    kCycle,             // CycleDetected and its subclasses
    kInvalidMap,        // retort's own build errors (duplicates, ...)
  };
  Kind kind = Kind::kRevision;
  std::string message;             // RevisionMap-level text
  std::string argument;            // kMultipleHeads, kResolution
  std::vector<std::string> heads;  // kMultipleHeads
  std::string lower, upper;        // kRangeNotAncestor, already printed
  // kResolution of an ambiguous partial id: every key it starts (ids in
  // file order, then branch labels); empty when nothing matched.
  std::vector<std::string> matches;
  // kResolution of an id nothing starts: the closest id, branch label or
  // "head"/"heads"/"base" (a typo, or a prefix one character off); "" when
  // none is close. Alembic's message leaves it out; retort's adds it.
  std::string suggestion;

  Status ToStatus() const;
};

// Options of RevisionMap::IterateRevisions, named as in Alembic.
struct IterateOptions {
  // Upgrade: also wind in revisions not above `lower` (other branches).
  // Downgrade: wind other branches back to base too. Default: false.
  bool implicit_base = false;
  // Include `lower` itself. Default: false.
  bool inclusive = false;
  // Relative steps that cannot all be taken are an error. Default: true.
  bool assert_relative_length = true;
  // Walk for a downgrade: upper = current heads, lower = destination.
  // Default: false.
  bool select_for_downgrade = false;
};

// RevisionMap is the immutable revision graph. It never reads files: it is
// built from records the script layer parsed, and it answers Alembic's
// RevisionMap queries with Alembic's results and error texts.
class RevisionMap {
 public:
  // Validates and links `revisions`. Errors name the file and line when
  // Revision::path is set ("path:line: message").
  static Result<RevisionMap> Build(std::vector<Revision> revisions);

  RevisionMap() = default;
  RevisionMap(RevisionMap&&) = default;
  RevisionMap& operator=(RevisionMap&&) = default;

  size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  // All nodes, in input order.
  const std::vector<RevisionNode>& nodes() const { return nodes_; }

  // Exact id lookup (no prefixes, no labels); nullptr when absent.
  const RevisionNode* Find(std::string_view id) const;
  // The node that declared `label` itself; nullptr when none did.
  const RevisionNode* FindBranchLabel(std::string_view label) const;

  // Alembic's heads / bases / _real_heads / _real_bases, in input order.
  const std::vector<std::string>& Heads() const { return heads_; }
  const std::vector<std::string>& Bases() const { return bases_; }
  const std::vector<std::string>& RealHeads() const { return real_heads_; }
  const std::vector<std::string>& RealBases() const { return real_bases_; }

  // Neighbours of a node as ids, in input order of the neighbours' own
  // declaration (parents as written).
  std::vector<std::string> Parents(const RevisionNode& node) const;
  std::vector<std::string> Children(const RevisionNode& node) const;
  // Children plus revisions that depend on `node`.
  std::vector<std::string> Dependents(const RevisionNode& node) const;
  // "Depends On" resolved to revision ids.
  std::vector<std::string> ResolvedDependencies(const RevisionNode& node) const;
  // Resolved dependencies minus those an ancestor already depends on.
  std::vector<std::string> NormalizedDependencies(
      const RevisionNode& node) const;
  // Parents then normalized dependencies: what a migration step goes from.
  std::vector<std::string> NormalizedDownRevisions(
      const RevisionNode& node) const;

  // Ancestors / descendants of `ids` (the nodes themselves included).
  // `include_dependencies` follows "Depends On" edges as well.
  std::vector<std::string> Ancestors(const std::vector<std::string>& ids,
                                     bool include_dependencies = true) const;
  std::vector<std::string> Descendants(const std::vector<std::string>& ids,
                                       bool include_dependencies = true) const;

  // Alembic's get_revisions: every identifier form. An entry is nullptr for
  // "base" (e.g. "-1" from a base revision).
  Result<std::vector<const RevisionNode*>> GetRevisions(
      const RevisionArg& id) const;
  // Alembic's get_revision: exactly one revision, or nullptr for "base".
  Result<const RevisionNode*> GetRevision(std::string_view id) const;
  // Alembic's get_current_head: the single head (of `branch_label` when not
  // empty), or nullopt when there is none.
  Result<std::optional<std::string>> GetCurrentHead(
      std::string_view branch_label = {}) const;
  // Alembic's filter_for_lineage: the `targets` sharing lineage with
  // `check_against` (an id, label or "label@rev").
  Result<std::vector<std::string>> FilterForLineage(
      const std::vector<std::string>& targets, std::string_view check_against,
      bool include_dependencies = false) const;
  // Alembic's _get_all_current: the branch heads implied by `ids`.
  Result<std::vector<std::string>> GetAllCurrent(
      const std::vector<std::string>& ids) const;

  // Alembic's iterate_revisions: revisions between `upper` and `lower`,
  // upper first (the order a downgrade runs; reverse it for an upgrade).
  Result<std::vector<const RevisionNode*>> IterateRevisions(
      const RevisionArg& upper, const RevisionArg& lower,
      const IterateOptions& options = {}) const;

  // Same as the above with the structured error, for the command layer
  // (plan.h) which rephrases errors as Alembic's ScriptDirectory does.
  bool IterateRevisions(const RevisionArg& upper, const RevisionArg& lower,
                        const IterateOptions& options,
                        std::vector<const RevisionNode*>* out,
                        RevisionError* err) const;
  bool GetRevisions(const RevisionArg& id,
                    std::vector<const RevisionNode*>* out,
                    RevisionError* err) const;
  bool GetRevision(std::string_view id, const RevisionNode** out,
                   RevisionError* err) const;
  bool FilterForLineage(const std::vector<int>& targets,
                        std::string_view check_against,
                        bool include_dependencies, std::vector<int>* out,
                        RevisionError* err) const;

  // Index-based helpers shared with plan.cc.
  const RevisionNode& node(int index) const { return nodes_[index]; }
  std::vector<char> AncestorMask(const std::vector<int>& targets,
                                 bool include_dependencies) const;
  std::vector<char> DescendantMask(const std::vector<int>& targets,
                                   bool include_dependencies) const;

 private:
  friend class RevisionMapInternals;

  std::vector<RevisionNode> nodes_;
  std::unordered_map<std::string, int> by_id_;
  // Branch label -> the node that declared it.
  std::unordered_map<std::string, int> by_label_;
  std::vector<std::string> label_order_;  // labels in declaration order
  std::vector<std::string> heads_, bases_, real_heads_, real_bases_;
};

}  // namespace retort

#endif  // RETORT_REVISION_REVISION_MAP_H_
