// Logging for the command line: which level the flags and RETORT_LOG ask
// for, and a LogSink that writes redacted lines to stderr with a level
// prefix, coloured only for a terminal that has not asked for no colour.
//
// Level, first match wins:
//   -v/--verbose, or -x debug=true   debug (each SQL statement and its time)
//   -q/--quiet                       error (errors only)
//   RETORT_LOG=debug|info|warn|error that level (case-insensitive)
//   otherwise                        info
// Colour: only when stderr is a TTY, NO_COLOR is unset or empty
// (https://no-color.org) and TERM is not "dumb".
#ifndef RETORT_CLI_LOG_H_
#define RETORT_CLI_LOG_H_

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "retort/options.h"
#include "retort/status.h"

namespace retort {

// LogFlags are the command-line inputs that choose the level.
struct LogFlags {
  // -v/--verbose. Default: false.
  bool verbose = false;
  // -q/--quiet. Default: false.
  bool quiet = false;
  // -x key=value arguments; only "debug" is read. Default: none.
  std::map<std::string, std::string> x_args;
};

// LogEnvironment is what logging reads from the process; tests replace it.
struct LogEnvironment {
  // Looks up RETORT_LOG, NO_COLOR, TERM. Default: getenv.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Whether stderr is a terminal. Default: isatty(STDERR_FILENO).
  std::optional<bool> stderr_is_tty;
  // Whether stdout is a terminal. Default: isatty(STDOUT_FILENO).
  std::optional<bool> stdout_is_tty;
  // Where lines go. Default: std::cerr.
  std::ostream* out = nullptr;
};

// Logging is the CLI's choice: the lowest level shown, and where lines go.
struct Logging {
  LogLevel level = LogLevel::kInfo;
  bool color = false;
  LogSink sink;
};

// The level asked for by `flags` and the value of RETORT_LOG (nullopt or
// empty when unset). Errors: "-x debug='maybe': expected true or false",
// "RETORT_LOG='loud' is not a log level; use debug, info, warn or error".
Result<LogLevel> ResolveLogLevel(const LogFlags& flags,
                                 const std::optional<std::string>& retort_log);

// Whether to colour output: a TTY, NO_COLOR unset or empty, TERM not dumb.
bool UseColor(const LogEnvironment& env = {});
// The same for what a command prints on stdout (history --graph).
bool UseColorOnStdout(const LogEnvironment& env = {});

// A sink writing each line of level >= `min_level` to `out` (default
// std::cerr) as "error: ..." / "warning: ..." / "..." (debug dimmed when
// coloured), passed through Redact. Thread-safe: one line per write.
LogSink MakeStderrLogSink(LogLevel min_level, bool color,
                          std::ostream* out = nullptr);

// Everything main() needs in one call:
//   RETORT_ASSIGN_OR_RETURN(Logging logging, SetUpLogging(
//       {flags_.verbose, flags_.quiet, o.x_args}));
//   o.log = logging.sink;
//   o.log_level = logging.level;
Result<Logging> SetUpLogging(const LogFlags& flags,
                             const LogEnvironment& env = {});

// Prints "error: <message>" (message redacted; "error:" red on a colour
// terminal) to stderr: the CLI's last word on a failed command.
void ReportError(std::string_view message, const LogEnvironment& env = {});
// The same as "warning: <message>".
void ReportWarning(std::string_view message, const LogEnvironment& env = {});

}  // namespace retort

#endif  // RETORT_CLI_LOG_H_
