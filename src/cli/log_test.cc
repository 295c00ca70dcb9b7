// Tests for the CLI's logging: level resolution from flags and RETORT_LOG,
// colour decisions, line formats, and redaction of what is logged.
#include "cli/log.h"

#include <gtest/gtest.h>

#include <sstream>

#include "config/redact.h"

namespace retort {
namespace {

LogEnvironment Env(std::map<std::string, std::string> vars, bool tty,
                   std::ostream* out = nullptr) {
  LogEnvironment e;
  e.getenv = [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  e.stderr_is_tty = tty;
  e.out = out;
  return e;
}

LogFlags Flags(bool verbose, bool quiet,
               std::map<std::string, std::string> x = {}) {
  LogFlags f;
  f.verbose = verbose;
  f.quiet = quiet;
  f.x_args = std::move(x);
  return f;
}

TEST(LogLevelTest, Defaults) {
  auto l = ResolveLogLevel(Flags(false, false), std::nullopt);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, LogLevel::kInfo);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), ""), LogLevel::kInfo);
}

TEST(LogLevelTest, FlagsWinOverTheEnvironment) {
  EXPECT_EQ(*ResolveLogLevel(Flags(true, false), "error"), LogLevel::kDebug);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, true), "debug"), LogLevel::kError);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false, {{"debug", "true"}}), "warn"),
            LogLevel::kDebug);
  // Asking for more detail beats asking for less.
  EXPECT_EQ(*ResolveLogLevel(Flags(true, true), std::nullopt),
            LogLevel::kDebug);
  EXPECT_EQ(
      *ResolveLogLevel(Flags(false, true, {{"debug", "1"}}), std::nullopt),
      LogLevel::kDebug);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false, {{"debug", "false"}}), "warn"),
            LogLevel::kWarn);
}

TEST(LogLevelTest, RetortLogValues) {
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), "debug"), LogLevel::kDebug);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), "INFO"), LogLevel::kInfo);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), "warn"), LogLevel::kWarn);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), "warning"), LogLevel::kWarn);
  EXPECT_EQ(*ResolveLogLevel(Flags(false, false), "Error"), LogLevel::kError);
}

TEST(LogLevelTest, BadValuesAreErrors) {
  auto l = ResolveLogLevel(Flags(false, false), "loud");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message(),
            "RETORT_LOG='loud' is not a log level; use debug, info, warn or "
            "error");
  auto x =
      ResolveLogLevel(Flags(false, false, {{"debug", "maybe"}}), std::nullopt);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().message(), "-x debug='maybe': expected true or false");
}

TEST(LogColorTest, OnlyOnATerminalWithoutNoColor) {
  EXPECT_TRUE(UseColor(Env({}, true)));
  EXPECT_FALSE(UseColor(Env({}, false)));
  EXPECT_FALSE(UseColor(Env({{"NO_COLOR", "1"}}, true)));
  EXPECT_TRUE(UseColor(Env({{"NO_COLOR", ""}}, true)));  // empty = unset
  EXPECT_FALSE(UseColor(Env({{"TERM", "dumb"}}, true)));
  EXPECT_TRUE(UseColor(Env({{"TERM", "xterm-256color"}}, true)));
}

TEST(LogColorTest, StdoutHasItsOwnTerminalTest) {
  LogEnvironment env = Env({}, true);  // stderr a terminal
  env.stdout_is_tty = false;
  EXPECT_FALSE(UseColorOnStdout(env));
  env.stdout_is_tty = true;
  EXPECT_TRUE(UseColorOnStdout(env));
  LogEnvironment no_color = Env({{"NO_COLOR", "1"}}, false);
  no_color.stdout_is_tty = true;
  EXPECT_FALSE(UseColorOnStdout(no_color));
}

TEST(LogSinkTest, PlainLines) {
  std::ostringstream out;
  LogSink sink = MakeStderrLogSink(LogLevel::kDebug, false, &out);
  sink(LogLevel::kError, "it broke");
  sink(LogLevel::kWarn, "careful");
  sink(LogLevel::kInfo, "Running upgrade  -> a1");
  sink(LogLevel::kDebug, "0.4 ms  SELECT 1");
  EXPECT_EQ(out.str(),
            "error: it broke\n"
            "warning: careful\n"
            "Running upgrade  -> a1\n"
            "0.4 ms  SELECT 1\n");
}

TEST(LogSinkTest, ColouredLines) {
  std::ostringstream out;
  LogSink sink = MakeStderrLogSink(LogLevel::kDebug, true, &out);
  sink(LogLevel::kError, "e");
  sink(LogLevel::kWarn, "w");
  sink(LogLevel::kInfo, "i");
  sink(LogLevel::kDebug, "d");
  EXPECT_EQ(out.str(),
            "\033[1;31merror:\033[0m e\n"
            "\033[1;33mwarning:\033[0m w\n"
            "i\n"
            "\033[2md\033[0m\n");
}

TEST(LogSinkTest, FiltersBelowTheLevel) {
  std::ostringstream out;
  LogSink sink = MakeStderrLogSink(LogLevel::kError, false, &out);
  sink(LogLevel::kDebug, "d");
  sink(LogLevel::kInfo, "i");
  sink(LogLevel::kWarn, "w");
  sink(LogLevel::kError, "e");
  EXPECT_EQ(out.str(), "error: e\n");
}

TEST(LogSinkTest, RedactsEveryLine) {
  ClearRegisteredSecretsForTesting();
  RegisterSecret("hvs.LogTestToken");
  std::ostringstream out;
  LogSink sink = MakeStderrLogSink(LogLevel::kDebug, false, &out);
  sink(LogLevel::kInfo, "connecting to postgresql://app:S3cret@db/game");
  sink(LogLevel::kDebug, "token hvs.LogTestToken");
  EXPECT_EQ(out.str(),
            "connecting to postgresql://app:***@db/game\n"
            "token ***\n");
  ClearRegisteredSecretsForTesting();
}

TEST(LogSetUpTest, CombinesFlagsEnvironmentAndTerminal) {
  std::ostringstream out;
  auto logging = SetUpLogging(Flags(false, false),
                              Env({{"RETORT_LOG", "warn"}}, true, &out));
  ASSERT_TRUE(logging.ok()) << logging.status().ToString();
  EXPECT_EQ(logging->level, LogLevel::kWarn);
  EXPECT_TRUE(logging->color);
  logging->sink(LogLevel::kInfo, "hidden");
  logging->sink(LogLevel::kWarn, "shown");
  EXPECT_EQ(out.str(), "\033[1;33mwarning:\033[0m shown\n");

  auto bad = SetUpLogging(Flags(false, false),
                          Env({{"RETORT_LOG", "chatty"}}, false, &out));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "RETORT_LOG='chatty' is not a log level; use debug, info, warn or "
            "error");
}

TEST(LogSetUpTest, ReportError) {
  std::ostringstream plain, coloured;
  ReportError("cannot connect to postgresql://u:pw@h/db",
              Env({}, false, &plain));
  ReportError("x", Env({}, true, &coloured));
  EXPECT_EQ(plain.str(), "error: cannot connect to postgresql://u:***@h/db\n");
  EXPECT_EQ(coloured.str(), "\033[1;31merror:\033[0m x\n");
}

}  // namespace
}  // namespace retort
