// The command line described as data: commands, their options and
// positionals, and the global options, read from the same CLI11 app that
// parses the command line (BuildApp). `retort man`, docs/reference.md and
// the completion scripts are generated from it, so they cannot drift from
// --help.
#ifndef RETORT_CLI_CLI_DOC_H_
#define RETORT_CLI_CLI_DOC_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace retort {

// OptionDoc is one option (or positional argument) of a command.
struct OptionDoc {
  // "-c", "--config" (short names first); a positional: its name only.
  std::vector<std::string> names;
  // What the value is called ("FILE", "text|json"); "" for a flag.
  std::string value;
  // The allowed values, when the option checks them (--format: text, json).
  std::vector<std::string> choices;
  std::string help;
  bool positional = false;
  bool required = false;
  bool repeatable = false;  // may be given more than once / takes several

  // "-c, --config FILE" as a synopsis shows it; a positional: "REV...".
  std::string Synopsis() const;
  // The long name when there is one, else the first name.
  const std::string& MainName() const;
};

// CommandDoc is one command of the table.
struct CommandDoc {
  std::string name;
  std::string help;
  std::vector<std::string> aliases;
  std::vector<OptionDoc> options;      // --help excluded
  std::vector<OptionDoc> positionals;  // in order
  std::string footer;                  // what --help prints after the flags

  // "retort upgrade [OPTIONS] REV" for a synopsis line.
  std::string Usage() const;
};

// CliDoc is the whole command line.
struct CliDoc {
  std::string description;  // the app's one line
  std::string footer;
  std::vector<OptionDoc> globals;  // --help and --version included
  std::vector<CommandDoc> commands;  // in table order; hidden ones left out
};

// Describes `app` and its subcommands. Subcommands in the empty group
// (hidden from --help, e.g. "__complete") are left out.
CliDoc DescribeApp(const CLI::App& app);

// Describes retort's own command line (BuildApp over the command table).
CliDoc DescribeRetort();

}  // namespace retort

#endif  // RETORT_CLI_CLI_DOC_H_
