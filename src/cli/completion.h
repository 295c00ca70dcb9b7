// Shell completion scripts for bash, zsh and fish, generated from the
// command line's description (cli_doc.h): commands, their options and the
// global options, the values an option allows, and revision ids and branch
// labels read from the project when completing (the scripts run the
// hidden `retort __complete revisions`).
#ifndef RETORT_CLI_COMPLETION_H_
#define RETORT_CLI_COMPLETION_H_

#include <string>
#include <string_view>

#include "cli/cli_doc.h"
#include "retort/status.h"

namespace retort {

// What completes the value of an option or a positional.
enum class ValueKind {
  kNone,       // a flag: no value
  kChoices,    // one of OptionDoc::choices
  kRevision,   // a revision id, branch label, head, heads, base
  kFile,       // a path
  kDirectory,  // a folder
  kText,       // anything: nothing to offer
};

// How `option` of a command completes. Revisions: positionals named
// rev/revision/revisions and the options --head, --depends-on, --onto,
// --rev-range; files: --config and options or positionals named *path* or
// *file*; folders: *directory* and *-path options naming a folder
// (--version-path).
ValueKind CompletionKind(const OptionDoc& option);

// The completion script for `shell` (bash, zsh or fish); InvalidArgument
// naming the shells otherwise.
Result<std::string> CompletionScript(const CliDoc& cli,
                                     std::string_view shell);

std::string BashCompletion(const CliDoc& cli);
std::string ZshCompletion(const CliDoc& cli);
std::string FishCompletion(const CliDoc& cli);

}  // namespace retort

#endif  // RETORT_CLI_COMPLETION_H_
