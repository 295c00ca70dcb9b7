// The manual of retort in two forms, generated from the command line's
// description (cli_doc.h) and the tables of exit codes, environment
// variables, files and revision-file syntax: `retort man` (roff, retort.1)
// and docs/reference.md (Markdown). Neither is written by hand.
#ifndef RETORT_CLI_MANUAL_H_
#define RETORT_CLI_MANUAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_doc.h"

namespace retort {

// ManualEntry is a row of one of the manual's tables.
struct ManualEntry {
  std::string term;  // "2", "RETORT_CONFIG", "-- retort: empty"
  std::string text;
};

// ManualFacts is what the manual says beyond the command line.
struct ManualFacts {
  std::vector<ManualEntry> exit_codes;
  std::vector<ManualEntry> environment;
  std::vector<ManualEntry> files;
  std::vector<ManualEntry> header_keys;
  std::vector<ManualEntry> directives;
};

// retort's own: ExitCodeTable(), the environment variables it reads, its
// files, and the revision-file tables of the public API (file_format.h).
ManualFacts RetortFacts();

// retort.1 in roff (man(7) macros). `version` goes in the title line.
std::string ManPage(const CliDoc& cli, const ManualFacts& facts,
                    std::string_view version);

// docs/reference.md.
std::string ReferenceMarkdown(const CliDoc& cli, const ManualFacts& facts);

// Roff text for `text`: backslashes escaped, a leading '.' or '\'' made
// literal, and option dashes ("--sql", "-x") as \- so they copy as ASCII.
std::string RoffEscape(std::string_view text);

}  // namespace retort

#endif  // RETORT_CLI_MANUAL_H_
