// The command table, the global flags, and the parse-then-run loop.
#include "cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/log.h"
#include "util/strings.h"

namespace retort {

Result<std::map<std::string, std::string>> CliContext::XArgs() const {
  std::map<std::string, std::string> x;
  for (const std::string& kv : flags_.x) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(
          "-x '" + kv + "': expected KEY=VALUE, e.g. -x schema=auth");
    }
    x[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return x;
}

Result<Migrator*> CliContext::OpenMigrator(bool config_must_exist) {
  Options o;
  o.config_path = flags_.config;
  o.config_must_exist = config_must_exist || !flags_.config.empty();
  if (o.config_path.empty()) {
    const char* env = std::getenv("RETORT_CONFIG");
    o.config_path = env && *env ? env : "retort.toml";
    if (env && *env) o.config_must_exist = true;
  }
  o.name = flags_.name;
  o.url = flags_.url;
  RETORT_ASSIGN_OR_RETURN(o.x_args, XArgs());
  // (Run() refused a --schema and -x schema= that disagree.)
  o.schema = SchemaFlag();
  LogFlags lf;
  lf.verbose = flags_.verbose;
  lf.quiet = flags_.quiet;
  lf.x_args = o.x_args;
  RETORT_ASSIGN_OR_RETURN(Logging logging, SetUpLogging(lf));
  o.log = logging.sink;
  if (progress_ && progress_->enabled()) {
    // A log line first erases the progress line; the next update redraws.
    TtyProgress* bar = progress_.get();
    LogSink sink = logging.sink;
    o.log = [bar, sink](LogLevel level, std::string_view text) {
      bar->Clear();
      sink(level, text);
    };
  }
  if (run_progress_ && run_progress_->enabled()) {
    RunProgressBar* bar = run_progress_.get();
    LogSink sink = logging.sink;
    o.log = [bar, sink](LogLevel level, std::string_view text) {
      bar->Above([&] { sink(level, text); });
    };
  }
  o.log_level = logging.level;
  RETORT_ASSIGN_OR_RETURN(migrator_, Migrator::Open(o));
  return migrator_.get();
}

int CliContext::Fail(const Status& status) {
  ReportError(status.message());
  return kExitFailed;
}

int CliContext::UsageError(const std::string& message) {
  ReportError(message + " (see 'retort --help')");
  return kExitUsage;
}

std::string CliContext::SchemaFlag() const {
  if (!flags_.schema.empty()) return flags_.schema;
  auto x = XArgs();
  if (!x.ok()) return "";
  auto it = x->find("schema");
  return it == x->end() ? std::string() : it->second;
}

TtyProgress* CliContext::StartProgress(bool enabled, const std::string& kind) {
  progress_ = std::make_unique<TtyProgress>(enabled, err_);
  progress_->set_kind(kind);
  return progress_.get();
}

RunProgressBar* CliContext::StartRunProgress(bool enabled,
                                             const std::string& kind) {
  run_progress_ = std::make_unique<RunProgressBar>(enabled, kind, err_);
  return run_progress_.get();
}

const std::vector<ExitCodeInfo>& ExitCodeTable() {
  static const std::vector<ExitCodeInfo>* table = new std::vector<
      ExitCodeInfo>{
      {"0", "Success: the command did what it was asked, or found nothing to "
            "report."},
      {"1", "The command failed (configuration, revision file, database), or "
            "found differences or problems: check, current --check-heads, "
            "verify, lint."},
      {"2", "The command line is malformed: an unknown command or option, a "
            "missing argument, a value out of range."},
      {"3", "import-alembic left sections marked \"-- retort: TODO\" to "
            "convert by hand."},
      {"130, 143", "upgrade, downgrade or stamp was interrupted by SIGINT or "
                   "SIGTERM: the statement was cancelled, the transaction "
                   "rolled back and the lock released."},
  };
  return *table;
}

const std::vector<CommandInfo>& CommandTable() {
  static const std::vector<CommandInfo>* table = [] {
    auto* t = new std::vector<CommandInfo>;
    for (auto family :
         {ProjectCommands, RevisionCommands, RunCommands, AutogenCommands,
          GraphCommands, PictureCommands, LintCommands, VerifyCommands,
          HygieneCommands, DocsCommands}) {
      for (CommandInfo& c : family()) t->push_back(std::move(c));
    }
    return t;
  }();
  return *table;
}

namespace {

void AddGlobalFlags(CLI::App* app, GlobalFlags* flags) {
  app->add_option(
         "-c,--config", flags->config,
         "configuration file (default: retort.toml, or $RETORT_CONFIG)")
      ->type_name("FILE");
  app->add_option("-n,--name", flags->name,
                  "named environment: the [env.NAME] section of the config")
      ->type_name("NAME");
  app->add_option("-x", flags->x,
                  "KEY=VALUE argument, repeatable (schema=S and debug=true "
                  "are honoured; all are visible to the config as ${x.KEY})")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--schema", flags->schema,
                  "schema to work on: its version table and branch (same as "
                  "-x schema=S)")
      ->type_name("SCHEMA");
  app->add_option("--url", flags->url, "database URL (overrides the config)")
      ->type_name("URL")
      ->check([](const std::string& url) {
        // An unset shell variable must not fall back to retort.toml's URL.
        return url.find_first_not_of(" \t") == std::string::npos
                   ? std::string(
                         "empty; pass a database URL, or leave "
                         "--url out to use retort.toml's")
                   : std::string();
      });
  app->add_flag("-v,--verbose", flags->verbose,
                "more output: debug log lines, and each revision in full");
  app->add_flag("-q,--quiet", flags->quiet, "print only errors");
  app->add_option("--format", flags->format,
                  "output format: text, or json for the commands that print "
                  "facts (their shapes: docs/json.md)")
      ->check(CLI::IsMember({"text", "json"}));
}

// The global options that take a value.
bool GlobalTakesValue(std::string_view name) {
  for (std::string_view g : {"-c", "--config", "-n", "--name", "-x", "--schema",
                             "--url", "--format"}) {
    if (name == g) return true;
  }
  return false;
}

}  // namespace

size_t CommandPosition(const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return args.size();
    if (!a.empty() && a[0] == '-') {
      if (GlobalTakesValue(a)) ++i;
      continue;
    }
    return i;
  }
  return args.size();
}

std::vector<std::string> HoistGlobalOptions(
    std::vector<std::string> args,
    const std::function<bool(const std::string& command,
                             std::string_view option)>& command_has) {
  const size_t command = CommandPosition(args);
  if (command == args.size()) return args;
  std::vector<std::string> moved, rest;
  for (size_t i = command + 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      rest.insert(rest.end(), args.begin() + i, args.end());
      break;
    }
    std::string_view name = a;
    size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos)
      name = name.substr(0, eq);
    if (GlobalTakesValue(name) &&
        !(command_has && command_has(args[command], name))) {
      moved.push_back(a);
      if (name.size() == a.size() && i + 1 < args.size()) {
        moved.push_back(args[++i]);
      }
      continue;
    }
    rest.push_back(a);
  }
  std::vector<std::string> out(args.begin(), args.begin() + command);
  out.insert(out.end(), moved.begin(), moved.end());
  out.push_back(args[command]);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

namespace {

// The command names and aliases of the table (an unknown command gets a
// suggestion from them).
std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const CommandInfo& c : CommandTable()) {
    names.push_back(c.name);
    for (const auto& alias : c.aliases) names.push_back(alias);
  }
  return names;
}

// "unknown command 'X'; did you mean 'Y'?" when the command line names no
// command of the table; "" when it names one (or none at all).
std::string UnknownCommand(const std::vector<std::string>& args) {
  const size_t at = CommandPosition(args);
  if (at == args.size()) return "";
  const std::vector<std::string> names = CommandNames();
  const std::string& arg = args[at];
  if (std::find(names.begin(), names.end(), arg) != names.end()) return "";
  return "error: unknown command '" + arg + "'" + DidYouMean(arg, names) +
         " (see 'retort --help')\n";
}

// "unknown option '--sqll' for 'upgrade'; did you mean '--sql'?" when an
// option of the command line is neither the command's nor a global one;
// "" when every option is known. Asked only after CLI11 refused the
// command line (its own words for an unknown option come late, after
// "revision is required", and suggest nothing).
std::string UnknownOption(const CLI::App& app,
                          const std::vector<CommandEntry>& entries,
                          const std::vector<std::string>& args) {
  const size_t at = CommandPosition(args);
  const CLI::App* sub = nullptr;
  if (at < args.size()) {
    for (const CommandEntry& e : entries) {
      if (e.app->check_name(args[at])) sub = e.app;
    }
  }
  auto find = [&](const std::string& name) -> const CLI::Option* {
    const CLI::Option* o =
        sub ? sub->get_option_no_throw(name) : nullptr;
    return o ? o : app.get_option_no_throw(name);
  };
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    // Not an option: a positional, "-", or a relative revision ("-1").
    if (a.size() < 2 || a[0] != '-' || (a[1] >= '0' && a[1] <= '9')) continue;
    std::string name = a.substr(0, a.find('='));
    if (a[1] != '-') name = a.substr(0, 2);  // -xVALUE, -vq
    const CLI::Option* o = find(name);
    if (o) {
      // Skip a value given as the next argument.
      if (o->get_expected_max() > 0 && name.size() == a.size()) ++i;
      continue;
    }
    std::vector<std::string> candidates;
    for (const CLI::App* owner : {sub, &app}) {
      if (!owner) continue;
      for (const CLI::Option* opt : owner->get_options()) {
        for (const std::string& l : opt->get_lnames()) {
          candidates.push_back("--" + l);
        }
      }
    }
    const std::string command = sub ? sub->get_name() : "";
    return "error: unknown option '" + name + "'" +
           (command.empty() ? "" : " for '" + command + "'") +
           (name.size() > 2 ? DidYouMean(name, candidates) : "") +
           " (see 'retort " + (command.empty() ? "" : command + " ") +
           "--help')\n";
  }
  return "";
}

}  // namespace

std::unique_ptr<CLI::App> BuildApp(GlobalFlags* flags,
                                   std::vector<CommandEntry>* commands) {
  auto app = std::make_unique<CLI::App>(
      "retort: schema migrations for PostgreSQL and SQLite", "retort");
  app->require_subcommand(1);
  app->fallthrough();
  app->set_version_flag("--version", "retort " RETORT_VERSION);
  app->footer(
      "\nMany schemas, tenants, servers: upgrade, downgrade and current take "
      "--all-schemas (every [schemas.NAME]), --tenants (every [tenants] "
      "schema) and --targets all|NAME,... (every [targets.NAME]) with "
      "--jobs N; upgrade and downgrade also --canary K and "
      "--continue-on-error; see 'retort upgrade --help'.");
  AddGlobalFlags(app.get(), flags);
  for (const CommandInfo& info : CommandTable()) {
    CLI::App* sub = app->add_subcommand(info.name, info.help);
    for (const auto& alias : info.aliases) sub->alias(alias);
    std::unique_ptr<Command> command = info.make();
    command->AddFlags(sub);
    commands->push_back({sub, std::move(command)});
  }
  return app;
}

int RunCommandLine(int argc, char** argv, CliContext& ctx) {
  std::vector<CommandEntry> entries;
  std::unique_ptr<CLI::App> owned_app = BuildApp(&ctx.flags(), &entries);
  CLI::App& app = *owned_app;

  // Global options with a value are read before the command: after it,
  // CLI11 would hand the arguments following them to the top level, away
  // from the command ("upgrade -x schema=auth head" lost "head").
  // An unknown command is said so, even with --help after it (which CLI11
  // would answer with the top level's help).
  if (std::string unknown =
          UnknownCommand(std::vector<std::string>(argv, argv + argc));
      !unknown.empty()) {
    std::cerr << unknown;
    return kExitUsage;
  }
  std::vector<std::string> args = HoistGlobalOptions(
      std::vector<std::string>(argv, argv + argc),
      [&entries](const std::string& command, std::string_view option) {
        for (const CommandEntry& e : entries) {
          if (!e.app->check_name(command)) continue;
          return e.app->get_option_no_throw(std::string(option)) != nullptr;
        }
        return false;
      });
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    if (std::string unknown = UnknownOption(
            app, entries, std::vector<std::string>(argv, argv + argc));
        !unknown.empty()) {
      std::cerr << unknown;
      return kExitUsage;
    }
    std::cerr << "error: " << e.what() << " (see 'retort --help')\n";
    return kExitUsage;
  }
  // -x KEY=VALUE is checked here, before any command runs: a malformed
  // one is a malformed command line.
  auto x = ctx.XArgs();
  if (!x.ok()) return ctx.UsageError(x.status().message());
  if (auto it = x->find("schema"); it != x->end() &&
                                   !ctx.flags().schema.empty() &&
                                   it->second != ctx.flags().schema) {
    // Neither may win silently: they name different version tables.
    return ctx.UsageError("--schema " + ctx.flags().schema + " and -x schema=" +
                          it->second + " name different schemas; give one");
  }
  for (CommandEntry& entry : entries) {
    if (entry.app->parsed()) return entry.command->Run(ctx);
  }
  return kExitUsage;  // unreachable: require_subcommand(1)
}

}  // namespace retort
