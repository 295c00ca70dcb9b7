// The CLI's log sink and level resolution (see log.h for the rules).
#include "cli/log.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>

#include "retort/secrets.h"

namespace retort {

namespace {

constexpr std::string_view kRed = "\033[1;31m";
constexpr std::string_view kYellow = "\033[1;33m";
constexpr std::string_view kDim = "\033[2m";
constexpr std::string_view kReset = "\033[0m";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<std::string> Getenv(const LogEnvironment& env,
                                  const std::string& name) {
  if (env.getenv) return env.getenv(name);
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

// One line, prefix and colour included, ready to write.
std::string FormatLine(LogLevel level, std::string_view text, bool color) {
  std::string line;
  std::string body = MaskSecrets(text);
  switch (level) {
    case LogLevel::kError:
      line = color ? std::string(kRed) + "error:" + std::string(kReset) + " "
                   : "error: ";
      line += body;
      break;
    case LogLevel::kWarn:
      line = color
                 ? std::string(kYellow) + "warning:" + std::string(kReset) + " "
                 : "warning: ";
      line += body;
      break;
    case LogLevel::kDebug:
      line = color ? std::string(kDim) + body + std::string(kReset) : body;
      break;
    case LogLevel::kInfo:
      line = body;
      break;
  }
  line += '\n';
  return line;
}

}  // namespace

Result<LogLevel> ResolveLogLevel(const LogFlags& flags,
                                 const std::optional<std::string>& retort_log) {
  bool debug = false;
  if (auto it = flags.x_args.find("debug"); it != flags.x_args.end()) {
    std::string v = Lower(it->second);
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
      debug = true;
    } else if (!(v == "false" || v == "0" || v == "no" || v == "off")) {
      return Status::InvalidArgument("-x debug='" + it->second +
                                     "': expected true or false");
    }
  }
  if (flags.verbose || debug) return LogLevel::kDebug;
  if (flags.quiet) return LogLevel::kError;
  if (retort_log && !retort_log->empty()) {
    std::string v = Lower(*retort_log);
    if (v == "debug") return LogLevel::kDebug;
    if (v == "info") return LogLevel::kInfo;
    if (v == "warn" || v == "warning") return LogLevel::kWarn;
    if (v == "error") return LogLevel::kError;
    return Status::InvalidArgument("RETORT_LOG='" + *retort_log +
                                   "' is not a log level; use debug, info, "
                                   "warn or error");
  }
  return LogLevel::kInfo;
}

namespace {

// NO_COLOR unset or empty, TERM not dumb.
bool ColorAllowed(const LogEnvironment& env) {
  std::optional<std::string> no_color = Getenv(env, "NO_COLOR");
  if (no_color && !no_color->empty()) return false;
  std::optional<std::string> term = Getenv(env, "TERM");
  return !(term && *term == "dumb");
}

}  // namespace

bool UseColor(const LogEnvironment& env) {
  bool tty = env.stderr_is_tty ? *env.stderr_is_tty : isatty(STDERR_FILENO);
  return tty && ColorAllowed(env);
}

bool UseColorOnStdout(const LogEnvironment& env) {
  bool tty = env.stdout_is_tty ? *env.stdout_is_tty : isatty(STDOUT_FILENO);
  return tty && ColorAllowed(env);
}

LogSink MakeStderrLogSink(LogLevel min_level, bool color, std::ostream* out) {
  std::ostream* stream = out ? out : &std::cerr;
  // Shared by every copy of the sink: the runtime may log from threads.
  auto mu = std::make_shared<std::mutex>();
  return [min_level, color, stream, mu](LogLevel level, std::string_view text) {
    if (static_cast<int>(level) < static_cast<int>(min_level)) return;
    std::string line = FormatLine(level, text, color);
    std::lock_guard<std::mutex> lock(*mu);
    stream->write(line.data(), static_cast<std::streamsize>(line.size()));
    stream->flush();
  };
}

Result<Logging> SetUpLogging(const LogFlags& flags, const LogEnvironment& env) {
  Logging logging;
  RETORT_ASSIGN_OR_RETURN(logging.level,
                          ResolveLogLevel(flags, Getenv(env, "RETORT_LOG")));
  logging.color = UseColor(env);
  logging.sink = MakeStderrLogSink(logging.level, logging.color, env.out);
  return logging;
}

namespace {

void Report(LogLevel level, std::string_view message,
            const LogEnvironment& env) {
  std::ostream* stream = env.out ? env.out : &std::cerr;
  std::string line = FormatLine(level, message, UseColor(env));
  stream->write(line.data(), static_cast<std::streamsize>(line.size()));
  stream->flush();
}

}  // namespace

void ReportError(std::string_view message, const LogEnvironment& env) {
  Report(LogLevel::kError, message, env);
}

void ReportWarning(std::string_view message, const LogEnvironment& env) {
  Report(LogLevel::kWarn, message, env);
}

}  // namespace retort
