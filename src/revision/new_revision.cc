// The graph half of `revision` and `merge`: validating the new id and labels
// and choosing the parents, as Alembic's generate_revision does.
#include "revision/new_revision.h"

#include <algorithm>
#include <utility>

#include "revision/plan.h"

namespace retort {

Result<NewRevisionHeader> PlanNewRevision(const RevisionMap& map,
                                          const NewRevisionOptions& options) {
  const std::string& id = options.rev_id;
  if (id.empty())
    return Status::InvalidArgument("Revision ID must not be empty");
  if (id.size() > kMaxRevisionIdLength) {
    return Status::InvalidArgument(
        "Revision ID '" + id + "' is " + std::to_string(id.size()) +
        " characters; the version table's version_num column holds " +
        std::to_string(kMaxRevisionIdLength) + " (VARCHAR(32), as Alembic's)");
  }
  std::string illegal;
  for (char c : std::string_view("+-:@")) {
    if (id.find(c) != std::string::npos) {
      if (!illegal.empty()) illegal += ", ";
      illegal += c;
    }
  }
  if (!illegal.empty()) {
    return Status::InvalidArgument("Character(s) '" + illegal +
                                   "' not allowed in revision identifier '" +
                                   id + "'");
  }

  CommandErrorWording heads_wording;
  heads_wording.multiple_heads =
      "Multiple heads are present; please specify the head revision on which "
      "the new revision should be based, or perform a merge.";
  std::vector<const RevisionNode*> heads;
  RevisionError err;
  if (!map.GetRevisions(RevisionArg(options.head), &heads, &err)) {
    return CommandError(err, heads_wording);
  }
  for (size_t i = 0; i < heads.size(); ++i) {
    if (heads[i] == nullptr) {
      return Status::InvalidArgument(
          "Can't base a new revision on 'base' "
          "through a relative identifier");
    }
    for (size_t j = 0; j < i; ++j) {
      if (heads[j] == heads[i]) {
        return Status::InvalidArgument("Duplicate head revisions specified");
      }
    }
  }
  if (!options.splice) {
    for (const RevisionNode* head : heads) {
      if (!head->is_head) {
        return Status::InvalidArgument(
            "Revision " + head->id() +
            " is not a head revision; please specify --splice to create a "
            "new branch from this revision");
      }
    }
  }

  NewRevisionHeader header;
  header.id = id;
  for (const RevisionNode* head : heads) {
    header.down_revisions.push_back(head->id());
  }
  for (const std::string& dep : options.depends_on) {
    const RevisionNode* rev = nullptr;
    if (!map.GetRevision(dep, &rev, &err)) return CommandError(err);
    if (rev == nullptr) {
      return Status::InvalidArgument("Can't depend on '" + dep +
                                     "': it names no revision");
    }
    // Keep a branch label as written; expand a partial id.
    const bool is_label = std::binary_search(rev->branch_labels.begin(),
                                             rev->branch_labels.end(), dep);
    header.depends_on.push_back(is_label ? dep : rev->id());
  }

  // What Alembic's add_revision checks once the file exists; retort checks
  // before writing anything.
  if (map.Find(id) != nullptr) {
    return Status::AlreadyExists("Revision " + id +
                                 " is present more than once");
  }
  if (const RevisionNode* owner = map.FindBranchLabel(id)) {
    return Status::AlreadyExists("Revision id '" + id +
                                 "' is already used as a branch label by "
                                 "revision " +
                                 owner->id());
  }
  for (size_t i = 0; i < options.branch_labels.size(); ++i) {
    const std::string& label = options.branch_labels[i];
    const RevisionNode* owner = map.Find(label);
    if (owner == nullptr) owner = map.FindBranchLabel(label);
    std::string owner_id = owner ? owner->id() : "";
    if (owner_id.empty() && label == id) owner_id = id;
    for (size_t j = 0; j < i && owner_id.empty(); ++j) {
      if (options.branch_labels[j] == label) owner_id = id;
    }
    if (!owner_id.empty()) {
      return Status::AlreadyExists("Branch name '" + label + "' in revision " +
                                   id + " already used by revision " +
                                   owner_id);
    }
    header.branch_labels.push_back(label);
  }
  return header;
}

Result<NewRevisionHeader> PlanMerge(
    const RevisionMap& map, const std::vector<std::string>& revisions,
    const std::string& rev_id, const std::vector<std::string>& branch_labels,
    bool splice) {
  NewRevisionOptions options;
  options.rev_id = rev_id;
  options.head = revisions;
  options.splice = splice;
  options.branch_labels = branch_labels;
  return PlanNewRevision(map, options);
}

}  // namespace retort
