// The command table of the retort command line. Each command is a small
// class: its flags are members bound by AddFlags, and Run does the work
// through the public Migrator API. The table (CommandTable) lists them with
// their names and one-line help, in the order `retort --help` shows them;
// a new command is one more entry, never another lambda in main().
#ifndef RETORT_CLI_COMMAND_H_
#define RETORT_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/fanout_output.h"
#include "cli/run_progress.h"
#include "retort/migrator.h"
#include "retort/status.h"

namespace retort {

// Exit codes (docs/exit-codes.md): 0 success; 1 a command failed or found
// differences or problems (check); 2 the command line is wrong; 3
// import-alembic left revisions to convert by hand; 130/143 interrupted.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTodo = 3;

// ExitCodeInfo is a row of the exit-code table that `retort man` and
// docs/reference.md print (docs/exit-codes.md says more on each).
struct ExitCodeInfo {
  const char* code;      // "0", "130, 143"
  const char* meaning;   // one sentence
};
const std::vector<ExitCodeInfo>& ExitCodeTable();

// GlobalFlags are the flags every command accepts, before or after its
// name (as Alembic's -x is).
struct GlobalFlags {
  std::string config;           // -c/--config
  std::string name;             // -n/--name
  std::vector<std::string> x;   // -x KEY=VALUE, repeatable
  std::string schema;           // --schema
  std::string url;              // --url
  bool verbose = false;         // -v
  bool quiet = false;           // -q
  std::string format = "text";  // --format text|json
};

// CliContext is what a command runs with: the global flags, the output
// streams, and the Migrator opened from them. It owns the Migrator, and
// main() never destroys it: freeing a 10,000-revision graph costs a fifth
// of `heads`, and the process is about to exit anyway (ninja does the
// same).
class CliContext {
 public:
  CliContext(std::ostream* out, std::ostream* err) : out_(out), err_(err) {}

  GlobalFlags& flags() { return flags_; }
  const GlobalFlags& flags() const { return flags_; }
  bool json() const { return flags_.format == "json"; }
  bool quiet() const { return flags_.quiet; }
  bool verbose() const { return flags_.verbose; }
  std::ostream& out() { return *out_; }
  std::ostream& err() { return *err_; }

  // The -x arguments as a map; "-x foo" (no '=') is an error.
  Result<std::map<std::string, std::string>> XArgs() const;
  // Opens the Migrator from the global flags (config file, -n, --url, -x,
  // --schema, logging). `config_must_exist` requires the config file.
  Result<Migrator*> OpenMigrator(bool config_must_exist = false);
  // Reports `status` as "error: ..." and returns kExitFailed.
  int Fail(const Status& status);
  // A malformed command line that CLI11's parse cannot see (flags that
  // contradict each other across the global and the command's flags):
  // "error: <message> (see 'retort --help')", kExitUsage.
  int UsageError(const std::string& message);
  // The schema --schema or -x schema= names; "" when neither does.
  std::string SchemaFlag() const;

  // The progress line of a fan-out, drawn when `enabled`; log lines of
  // the Migrator opened after this call erase it first.
  TtyProgress* StartProgress(bool enabled, const std::string& kind);
  // The progress bar of one upgrade or downgrade (run_progress.h), drawn
  // when `enabled`; log lines of the Migrator opened after this call are
  // written above it.
  RunProgressBar* StartRunProgress(bool enabled, const std::string& kind);

 private:
  GlobalFlags flags_;
  std::ostream* out_;
  std::ostream* err_;
  std::unique_ptr<TtyProgress> progress_;
  std::unique_ptr<RunProgressBar> run_progress_;
  std::unique_ptr<Migrator> migrator_;
};

// Command is one entry of the table.
class Command {
 public:
  virtual ~Command() = default;
  // Declares the command's own flags and positionals on `app`, bound to
  // members of the command.
  virtual void AddFlags(CLI::App* app) = 0;
  // Runs the command after the command line parsed; returns the exit code.
  virtual int Run(CliContext& ctx) = 0;
};

// CommandInfo is a row of the table.
struct CommandInfo {
  const char* name;
  const char* help;
  std::vector<std::string> aliases;
  std::unique_ptr<Command> (*make)();
};

template <typename T>
std::unique_ptr<Command> MakeCommand() {
  return std::make_unique<T>();
}

// Every command, in `retort --help` order.
const std::vector<CommandInfo>& CommandTable();

// A subcommand of the CLI11 app and the Command its flags are bound to.
struct CommandEntry {
  CLI::App* app;
  std::unique_ptr<Command> command;
};

// The whole command line as a CLI11 app: the global flags bound to
// `flags`, one subcommand per row of the table (appended to `commands`, in
// table order). --help, `retort man`, docs/reference.md and the completion
// scripts all read this one app. A command hides itself from all of them
// with app->group("") in its AddFlags.
std::unique_ptr<CLI::App> BuildApp(GlobalFlags* flags,
                                   std::vector<CommandEntry>* commands);

// The commands of each family (commands_*.cc), as rows of the table.
std::vector<CommandInfo> ProjectCommands();   // init, list-templates,
                                              // import-alembic
std::vector<CommandInfo> RevisionCommands();  // revision, merge
std::vector<CommandInfo> RunCommands();       // upgrade, downgrade, stamp,
                                              // current
std::vector<CommandInfo> AutogenCommands();   // diff, check, schemas
std::vector<CommandInfo> GraphCommands();     // heads, branches, history,
                                              // show, edit
std::vector<CommandInfo> PictureCommands();   // graph, schema-graph
std::vector<CommandInfo> LintCommands();      // lint
std::vector<CommandInfo> VerifyCommands();    // verify
std::vector<CommandInfo> HygieneCommands();   // squash
std::vector<CommandInfo> DocsCommands();      // completion, man

// Where the command is in `args` (args[0] is the program): the first
// argument that is neither an option nor the value of a global option
// before it; args.size() when there is none.
size_t CommandPosition(const std::vector<std::string>& args);

// The command line with the global options that take a value (-c, -n, -x,
// --schema, --url, --format) moved from after the command to before it,
// where CLI11 reads them without losing the command's own arguments --
// unless `command_has(command, option)` says the command defines that
// option itself. args[0] is the program.
std::vector<std::string> HoistGlobalOptions(
    std::vector<std::string> args,
    const std::function<bool(const std::string& command,
                             std::string_view option)>& command_has = {});

// Parses the command line and runs the chosen command; returns the exit
// code. The context outlives the call (see CliContext).
int RunCommandLine(int argc, char** argv, CliContext& ctx);

}  // namespace retort

#endif  // RETORT_CLI_COMMAND_H_
