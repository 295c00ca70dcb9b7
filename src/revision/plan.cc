// Migration plans and the version-table rules, after Alembic's
// script/base.py (_upgrade_revs, _downgrade_revs, _stamp_revs) and
// runtime/migration.py (RevisionStep, StampStep, HeadMaintainer).
#include "revision/plan.h"

#include <algorithm>
#include <utility>

#include "revision/revision_map_internals.h"
#include "util/strings.h"

namespace retort {

namespace {

using Internals = RevisionMapInternals;

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out;
}

// Python's "%(key)s" substitution for the few keys the wordings use.
std::string Substitute(std::string text, const std::string& key,
                       const std::string& value) {
  const std::string pattern = "%(" + key + ")s";
  for (size_t pos = text.find(pattern); pos != std::string::npos;
       pos = text.find(pattern, pos + value.size())) {
    text.replace(pos, pattern.size(), value);
  }
  return text;
}

// The ids of every ancestor (dependencies included) of the revisions `ids`
// resolve to; Alembic's _get_ancestor_nodes(get_revisions(ids)).
bool AncestorIds(const RevisionMap& map, const std::vector<std::string>& ids,
                 std::vector<char>* out, RevisionError* err) {
  std::vector<int> idx;
  if (!Internals::GetRevisions(map, RevisionArg(ids), &idx, err)) return false;
  *out = map.AncestorMask(idx, true);
  return true;
}

bool InMask(const RevisionMap& map, const std::vector<char>& mask,
            const std::string& id) {
  const RevisionNode* node = map.Find(id);
  return node != nullptr && mask[node->index];
}

std::vector<std::string> Minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& x : a) {
    if (!Has(b, x)) out.push_back(x);
  }
  return out;
}

// The rules of one step against the current heads; Alembic's RevisionStep
// and StampStep methods. Orders that Alembic takes from Python sets are
// taken from the step's own (input) order instead, so plans are stable.
class StepRules {
 public:
  StepRules(const RevisionMap& map, const MigrationStep& step,
            const std::vector<std::string>& heads)
      : map_(map), step_(step), heads_(heads) {}

  bool ShouldDeleteBranch(std::vector<std::string>* scratch,
                          RevisionError* err) const {
    if (IsStamp()) return step_.is_downgrade() && step_.branch_move;
    if (!step_.is_downgrade() || !Has(heads_, Id())) return false;
    if (step_.to_revisions.empty()) return true;
    if (!UnmergeToRevisions(scratch, err)) return true;  // err is set
    return scratch->empty();
  }

  bool ShouldCreateBranch() const {
    if (IsStamp()) {
      return step_.is_upgrade &&
             (step_.branch_move ||
              !Minus(step_.from_revisions, heads_).empty()) &&
             !Minus(step_.to_revisions, heads_).empty();
    }
    if (!step_.is_upgrade) return false;
    const std::vector<std::string>& down = step_.from_revisions;
    if (down.empty()) return true;
    for (const std::string& d : down) {
      if (Has(heads_, d)) return false;
    }
    return true;
  }

  bool ShouldMergeBranches() const {
    if (IsStamp()) return step_.from_revisions.size() > 1;
    if (!step_.is_upgrade) return false;
    const std::vector<std::string>& down = step_.from_revisions;
    int present = 0;
    for (const std::string& d : down) present += Has(heads_, d) ? 1 : 0;
    return down.size() > 1 && present > 1;
  }

  bool ShouldUnmergeBranches() const {
    if (IsStamp()) return step_.to_revisions.size() > 1;
    return step_.is_downgrade() && Has(heads_, Id()) &&
           step_.to_revisions.size() > 1;
  }

  // Rows to delete, then the row to update from and to.
  bool MergeBranchIdents(std::vector<std::string>* deletes, std::string* from,
                         std::string* to, RevisionError* err) const {
    std::vector<std::string> from_revs = step_.from_revisions;
    if (!IsStamp()) {
      std::vector<std::string> others = Minus(heads_, step_.from_revisions);
      if (!others.empty()) {
        std::vector<char> anc;
        if (!AncestorIds(map_, others, &anc, err)) return false;
        std::vector<std::string> kept;
        for (const std::string& f : from_revs) {
          if (!InMask(map_, anc, f)) kept.push_back(f);
        }
        from_revs = std::move(kept);
      }
      // retort, not Alembic: a parent that is not a row is implied by
      // another row (the merge also names an ancestor of one of its
      // parents, or depends on one, or on a branch label naming one), so
      // there is no row of its own to delete. Alembic still deletes or
      // updates it and fails with a KeyError; where Alembic succeeds every
      // parent it keeps is a row and nothing changes here.
      from_revs.erase(
          std::remove_if(from_revs.begin(), from_revs.end(),
                         [&](const std::string& f) { return !Has(heads_, f); }),
          from_revs.end());
    }
    if (from_revs.empty() || step_.to_revisions.empty()) {
      err->message = "Can't determine which version rows a merge replaces";
      return false;
    }
    deletes->assign(from_revs.begin(), from_revs.end() - 1);
    *from = from_revs.back();
    *to = step_.to_revisions.front();
    return true;
  }

  // The row to update from and to, then rows to insert.
  bool UnmergeBranchIdents(std::string* from, std::string* to,
                           std::vector<std::string>* inserts,
                           RevisionError* err) const {
    std::vector<std::string> to_revs = step_.to_revisions;
    if (!IsStamp() && !UnmergeToRevisions(&to_revs, err)) return false;
    if (to_revs.empty() || step_.from_revisions.empty()) {
      err->message = "Can't determine which version rows a merge restores";
      return false;
    }
    *from = step_.from_revisions.front();
    *to = to_revs.back();
    inserts->assign(to_revs.begin(), to_revs.end() - 1);
    return true;
  }

  bool UpdateVersionNum(std::string* from, std::string* to,
                        RevisionError* err) const {
    if (IsStamp()) {
      if (step_.from_revisions.size() != 1 || step_.to_revisions.size() != 1) {
        err->message = "Can't do an UPDATE from " + Join(step_.from_revisions) +
                       " to " + Join(step_.to_revisions);
        return false;
      }
      *from = step_.from_revisions.front();
      *to = step_.to_revisions.front();
      return true;
    }
    const std::vector<std::string>& down =
        step_.is_upgrade ? step_.from_revisions : step_.to_revisions;
    std::string down_revision;
    if (down.size() != 1) {
      std::vector<std::string> present;
      for (const std::string& d : down) {
        if (Has(heads_, d)) present.push_back(d);
      }
      if (present.size() != 1) {
        err->message = "Can't do an UPDATE because downrevision is ambiguous";
        return false;
      }
      down_revision = present.front();
    } else {
      down_revision = down.front();
    }
    *from = step_.is_upgrade ? down_revision : Id();
    *to = step_.is_upgrade ? Id() : down_revision;
    return true;
  }

 private:
  bool IsStamp() const { return step_.kind == MigrationStep::Kind::kStamp; }
  const std::string& Id() const { return step_.revision->id(); }

  // Alembic's _unmerge_to_revisions: the parents a downgrade goes back to
  // that no other remaining head already covers, nor another of those
  // parents. Alembic drops the parents that are ancestors of other parents
  // only when no other head remains; with other heads it restores them as
  // rows too (which to insert and which to update then follows Python's
  // set order), leaving a row another row implies: the downgrade or the
  // next upgrade fails. retort drops them in both cases.
  bool UnmergeToRevisions(std::vector<std::string>* out,
                          RevisionError* err) const {
    *out = step_.to_revisions;
    std::vector<std::string> others = Minus(heads_, {Id()});
    if (!others.empty() && !KeepUncovered(others, out, err)) return false;
    if (out->size() > 1) {
      // Strict ancestors of the parents: the ancestors of their own parents.
      std::vector<std::string> below;
      for (const std::string& t : *out) {
        if (const RevisionNode* node = map_.Find(t)) {
          for (std::string& d : map_.NormalizedDownRevisions(*node)) {
            below.push_back(std::move(d));
          }
        }
      }
      if (!below.empty() && !KeepUncovered(below, out, err)) return false;
    }
    return true;
  }

  // Removes from `revs` the ancestors of `ids` (`ids` included).
  bool KeepUncovered(const std::vector<std::string>& ids,
                     std::vector<std::string>* revs, RevisionError* err) const {
    std::vector<char> covered;
    if (!AncestorIds(map_, ids, &covered, err)) return false;
    revs->erase(std::remove_if(revs->begin(), revs->end(),
                               [&](const std::string& r) {
                                 return InMask(map_, covered, r);
                               }),
                revs->end());
    return true;
  }

  const RevisionMap& map_;
  const MigrationStep& step_;
  const std::vector<std::string>& heads_;
};

}  // namespace

// ---------------------------------------------------------------------------
// MigrationStep and VersionOp.

std::string MigrationStep::name() const {
  if (kind == Kind::kStamp) return "stamp_revision";
  return is_upgrade ? "upgrade" : "downgrade";
}

std::string MigrationStep::ShortLog() const {
  return name() + " " + Join(from_revisions_no_deps) + " -> " +
         Join(to_revisions_no_deps);
}

MigrationStep MigrationStep::Upgrade(const RevisionMap& map,
                                     const RevisionNode& revision) {
  MigrationStep step;
  step.kind = Kind::kRevision;
  step.is_upgrade = true;
  step.revision = &revision;
  step.from_revisions = map.NormalizedDownRevisions(revision);
  step.from_revisions_no_deps = revision.revision.down_revisions;
  step.to_revisions = {revision.id()};
  step.to_revisions_no_deps = {revision.id()};
  return step;
}

MigrationStep MigrationStep::Downgrade(const RevisionMap& map,
                                       const RevisionNode& revision) {
  MigrationStep step = Upgrade(map, revision);
  step.is_upgrade = false;
  std::swap(step.from_revisions, step.to_revisions);
  std::swap(step.from_revisions_no_deps, step.to_revisions_no_deps);
  return step;
}

MigrationStep MigrationStep::Stamp(std::vector<std::string> from,
                                   std::vector<std::string> to, bool is_upgrade,
                                   bool branch_move) {
  MigrationStep step;
  step.kind = Kind::kStamp;
  step.is_upgrade = is_upgrade;
  step.branch_move = branch_move;
  step.from_revisions = from;
  step.to_revisions = to;
  step.from_revisions_no_deps = std::move(from);
  step.to_revisions_no_deps = std::move(to);
  return step;
}

bool operator==(const MigrationStep& a, const MigrationStep& b) {
  if (a.kind != b.kind || a.is_upgrade != b.is_upgrade) return false;
  if (a.kind == MigrationStep::Kind::kRevision) {
    return a.revision == b.revision;
  }
  return a.from_revisions == b.from_revisions &&
         a.to_revisions == b.to_revisions && a.branch_move == b.branch_move;
}

std::string VersionOp::ToString() const {
  switch (kind) {
    case Kind::kInsert:
      return "insert " + to;
    case Kind::kDelete:
      return "delete " + from;
    case Kind::kUpdate:
      return "update " + from + " -> " + to;
  }
  return "";
}

bool operator==(const VersionOp& a, const VersionOp& b) {
  return a.kind == b.kind && a.from == b.from && a.to == b.to;
}

// ---------------------------------------------------------------------------
// HeadMaintainer.

HeadMaintainer::HeadMaintainer(const RevisionMap& map,
                               std::vector<std::string> heads)
    : map_(&map) {
  // The version table may hold a row twice; Alembic reads it into a set.
  for (std::string& h : heads) {
    if (!Has(heads_, h)) heads_.push_back(std::move(h));
  }
}

Result<std::vector<VersionOp>> HeadMaintainer::UpdateToStep(
    const MigrationStep& step) {
  std::vector<std::string> heads = heads_;
  std::vector<VersionOp> ops;
  auto insert = [&](const std::string& v) -> Status {
    if (Has(heads, v)) {
      return Status::Conflict("Can't insert version '" + v +
                              "': it is already a current head");
    }
    heads.push_back(v);
    ops.push_back({VersionOp::Kind::kInsert, "", v});
    return Status::OK();
  };
  auto erase = [&](const std::string& v) -> Status {
    auto it = std::find(heads.begin(), heads.end(), v);
    if (it == heads.end()) {
      return Status::Conflict("Can't delete version '" + v +
                              "': it is not a current head");
    }
    heads.erase(it);
    ops.push_back({VersionOp::Kind::kDelete, v, ""});
    return Status::OK();
  };
  auto update = [&](const std::string& from, const std::string& to) -> Status {
    if (Has(heads, to)) {
      return Status::Conflict("Can't update version '" + from + "' to '" + to +
                              "': '" + to + "' is already a current head");
    }
    auto it = std::find(heads.begin(), heads.end(), from);
    if (it == heads.end()) {
      return Status::Conflict("Can't update version '" + from + "' to '" + to +
                              "': '" + from + "' is not a current head");
    }
    *it = to;
    ops.push_back({VersionOp::Kind::kUpdate, from, to});
    return Status::OK();
  };

  if (step.kind == MigrationStep::Kind::kRevision && step.revision == nullptr) {
    return Status::Internal("revision step without a revision");
  }
  StepRules rules(*map_, step, heads_);
  RevisionError err;
  std::vector<std::string> scratch;
  const bool delete_branch = rules.ShouldDeleteBranch(&scratch, &err);
  if (!err.message.empty()) return err.ToStatus();
  if (delete_branch) {
    if (step.from_revisions.size() != 1) {
      return Status::Conflict("Can't delete a branch from " +
                              Join(step.from_revisions));
    }
    RETORT_RETURN_IF_ERROR(erase(step.from_revisions.front()));
  } else if (rules.ShouldCreateBranch()) {
    if (step.to_revisions.size() != 1) {
      return Status::Conflict("Can't create a branch at " +
                              Join(step.to_revisions));
    }
    RETORT_RETURN_IF_ERROR(insert(step.to_revisions.front()));
  } else if (rules.ShouldMergeBranches()) {
    std::vector<std::string> deletes;
    std::string from, to;
    if (!rules.MergeBranchIdents(&deletes, &from, &to, &err)) {
      return Status::Conflict(err.message);
    }
    for (const std::string& d : deletes) RETORT_RETURN_IF_ERROR(erase(d));
    RETORT_RETURN_IF_ERROR(update(from, to));
  } else if (rules.ShouldUnmergeBranches()) {
    std::vector<std::string> inserts;
    std::string from, to;
    if (!rules.UnmergeBranchIdents(&from, &to, &inserts, &err)) {
      return Status::Conflict(err.message);
    }
    for (const std::string& i : inserts) RETORT_RETURN_IF_ERROR(insert(i));
    RETORT_RETURN_IF_ERROR(update(from, to));
  } else {
    std::string from, to;
    if (!rules.UpdateVersionNum(&from, &to, &err)) {
      return Status::Conflict(err.message);
    }
    RETORT_RETURN_IF_ERROR(update(from, to));
  }
  heads_ = std::move(heads);
  return ops;
}

// ---------------------------------------------------------------------------
// Command-level plans.

namespace {

// A partial id several revisions (or labels) start with.
Status AmbiguousPrefix(const RevisionError& err) {
  constexpr size_t kShown = 10;
  std::string listed;
  for (size_t i = 0; i < err.matches.size() && i < kShown; ++i) {
    if (i) listed += ", ";
    listed += err.matches[i];
  }
  if (err.matches.size() > kShown) {
    listed += " and " + std::to_string(err.matches.size() - kShown) + " more";
  }
  return Status::InvalidArgument(
      "revision '" + err.argument + "' is ambiguous: it is the start of " +
      std::to_string(err.matches.size()) + " revisions or labels (" + listed +
      "); give more characters of the id");
}

}  // namespace

Status CommandError(const RevisionError& err,
                    const CommandErrorWording& wording) {
  switch (err.kind) {
    case RevisionError::Kind::kRangeNotAncestor: {
      std::string text = wording.ancestor.empty()
                             ? "Requested range %(start)s:%(end)s does not "
                               "refer to ancestor/descendant revisions along "
                               "the same branch"
                             : wording.ancestor;
      text = Substitute(text, "start",
                        wording.start.empty() ? err.lower : wording.start);
      text = Substitute(text, "end",
                        wording.end.empty() ? err.upper : wording.end);
      return Status::InvalidArgument(text);
    }
    case RevisionError::Kind::kMultipleHeads: {
      std::string text =
          wording.multiple_heads.empty()
              ? "Multiple head revisions are present for given argument "
                "'%(head_arg)s'; please specify a specific target revision, "
                "'<branchname>@%(head_arg)s' to narrow to a specific head, "
                "or 'heads' for all heads"
              : wording.multiple_heads;
      text = Substitute(text, "head_arg",
                        wording.end.empty() ? err.argument : wording.end);
      text = Substitute(text, "heads", Join(err.heads));
      return Status::Conflict(text);
    }
    case RevisionError::Kind::kResolution:
      // Alembic says "Can't locate" for a prefix several ids share, too;
      // that reads as a typo when the id is right but too short.
      if (!err.matches.empty()) return AmbiguousPrefix(err);
      return Status::NotFound(
          (wording.resolution.empty()
               ? "Can't locate revision identified by '" + err.argument + "'"
               : wording.resolution) +
          (err.suggestion.empty() ? ""
                                  : DidYouMean(err.suggestion,
                                               {err.suggestion})));
    default:
      return err.ToStatus();
  }
}

Status CheckRevisionArguments(std::string_view command,
                              const std::vector<std::string>& arguments) {
  for (const std::string& argument : arguments) {
    if (argument.find_first_not_of(" \t\r\n") != std::string::npos) continue;
    const char* examples = command == "upgrade"     ? "head, heads, +1"
                           : command == "downgrade" ? "-1, base"
                                                    : "head, heads, base";
    return Status::InvalidArgument(
        "empty revision for " + std::string(command) + "; name one: " +
        examples + ", or an id from \"retort history\"");
  }
  return Status::OK();
}

Result<std::vector<MigrationStep>> PlanUpgrade(
    const RevisionMap& map, std::string_view destination,
    const std::vector<std::string>& current_heads) {
  RETORT_RETURN_IF_ERROR(
      CheckRevisionArguments("upgrade", {std::string(destination)}));
  CommandErrorWording wording;
  wording.ancestor =
      "Destination %(end)s is not a valid upgrade target from current "
      "head(s)";
  wording.end = std::string(destination);
  IterateOptions options;
  options.implicit_base = true;
  std::vector<const RevisionNode*> revs;
  RevisionError err;
  if (!map.IterateRevisions(RevisionArg(destination),
                            RevisionArg(current_heads), options, &revs, &err)) {
    return CommandError(err, wording);
  }
  std::vector<MigrationStep> steps;
  steps.reserve(revs.size());
  for (auto it = revs.rbegin(); it != revs.rend(); ++it) {
    steps.push_back(MigrationStep::Upgrade(map, **it));
  }
  return steps;
}

Result<std::vector<MigrationStep>> PlanDowngrade(
    const RevisionMap& map, std::string_view destination,
    const std::vector<std::string>& current_heads) {
  RETORT_RETURN_IF_ERROR(
      CheckRevisionArguments("downgrade", {std::string(destination)}));
  CommandErrorWording wording;
  wording.ancestor =
      "Destination %(end)s is not a valid downgrade target from current "
      "head(s)";
  wording.end = std::string(destination);
  IterateOptions options;
  options.select_for_downgrade = true;
  std::vector<const RevisionNode*> revs;
  RevisionError err;
  if (!map.IterateRevisions(RevisionArg(current_heads),
                            RevisionArg(destination), options, &revs, &err)) {
    return CommandError(err, wording);
  }
  std::vector<MigrationStep> steps;
  steps.reserve(revs.size());
  for (const RevisionNode* rev : revs) {
    steps.push_back(MigrationStep::Downgrade(map, *rev));
  }
  return steps;
}

Result<std::vector<MigrationStep>> PlanStamp(
    const RevisionMap& map, const std::vector<std::string>& destinations,
    const std::vector<std::string>& current_heads, bool purge) {
  RETORT_RETURN_IF_ERROR(CheckRevisionArguments("stamp", destinations));
  CommandErrorWording wording;
  wording.multiple_heads =
      "Multiple heads are present; please specify a single target revision";
  const std::vector<std::string> no_heads;
  const std::vector<std::string>& heads = purge ? no_heads : current_heads;
  RevisionError err;
  std::vector<int> head_revs;
  if (!Internals::GetRevisions(map, RevisionArg(heads), &head_revs, &err)) {
    return CommandError(err, wording);
  }
  std::vector<std::string> revision = destinations;
  if (revision.empty()) revision = {"base"};

  std::vector<int> filtered;
  for (const std::string& rev : revision) {
    if (rev.empty()) continue;
    std::vector<int> part;
    if (!Internals::FilterForLineage(map, head_revs, rev, true, &part, &err)) {
      return CommandError(err, wording);
    }
    for (int p : part) {
      if (std::find(filtered.begin(), filtered.end(), p) == filtered.end()) {
        filtered.push_back(p);
      }
    }
  }
  std::vector<std::string> filtered_ids;
  for (int f : filtered) filtered_ids.push_back(map.node(f).id());

  std::vector<int> dests;
  if (!Internals::GetRevisions(map, RevisionArg(revision), &dests, &err)) {
    return CommandError(err, wording);
  }
  if (dests.empty()) dests.push_back(Internals::kNone);

  std::vector<MigrationStep> steps;
  for (int dest : dests) {
    if (dest < 0) {
      // Stamping "base": each affected head becomes a branch deletion.
      for (const std::string& head : filtered_ids) {
        steps.push_back(MigrationStep::Stamp({head}, {}, false, true));
      }
      continue;
    }
    if (std::find(filtered.begin(), filtered.end(), dest) != filtered.end()) {
      continue;  // already in the version table
    }
    std::vector<char> descendants = map.DescendantMask({dest}, true);
    std::vector<char> ancestors = map.AncestorMask({dest}, true);
    bool heads_above = false, heads_below = false;
    for (int f : filtered) {
      heads_above = heads_above || descendants[f];
      heads_below = heads_below || ancestors[f];
    }
    const std::string& dest_id = map.node(dest).id();
    if (heads_above && heads_below) {
      // Alembic fails an assertion here.
      return Status::InvalidArgument(
          "Can't stamp " + dest_id +
          ": the current heads are both above and below it (" +
          Join(filtered_ids) + ")");
    }
    if (heads_above) {
      steps.push_back(
          MigrationStep::Stamp(filtered_ids, {dest_id}, false, false));
    } else if (heads_below) {
      steps.push_back(
          MigrationStep::Stamp(filtered_ids, {dest_id}, true, false));
    } else {
      steps.push_back(MigrationStep::Stamp({}, {dest_id}, true, true));
    }
  }
  return steps;
}

Result<std::vector<const RevisionNode*>> WalkRevisions(const RevisionMap& map,
                                                       std::string_view base,
                                                       std::string_view head) {
  CommandErrorWording wording;
  wording.start = std::string(base);
  wording.end = std::string(head);
  IterateOptions options;
  options.inclusive = true;
  options.assert_relative_length = false;
  std::vector<const RevisionNode*> revs;
  RevisionError err;
  if (!map.IterateRevisions(RevisionArg(head), RevisionArg(base), options,
                            &revs, &err)) {
    return CommandError(err, wording);
  }
  return revs;
}

Result<std::vector<const RevisionNode*>> ResolveRevisions(
    const RevisionMap& map, const RevisionArg& id) {
  std::vector<const RevisionNode*> out;
  RevisionError err;
  if (!map.GetRevisions(id, &out, &err)) return CommandError(err);
  return out;
}

}  // namespace retort
