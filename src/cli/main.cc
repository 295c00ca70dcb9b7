// The retort command line: parses flags with CLI11, calls the public
// Migrator API, and turns results into text or JSON and exit codes. Nothing
// here touches files or databases directly.
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/fanout_output.h"
#include "cli/log.h"
#include "retort/migrator.h"
#include "util/strings.h"

namespace retort {
namespace {

using json = nlohmann::ordered_json;

// Exit codes: 0 success, 1 a command failed, 2 the command line is wrong.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Global flags, accepted before or after the command (as Alembic's -x is).
struct GlobalFlags {
  std::string config;
  std::string name;
  std::vector<std::string> x;
  std::string schema;
  std::string url;
  bool verbose = false;
  bool quiet = false;
  std::string format = "text";
};

// The fan-out flags of upgrade, downgrade and current.
struct ManyFlags {
  bool tenants = false;
  bool all_schemas = false;
  std::string targets;
  int jobs = 0;
  int canary = -1;
  bool continue_on_error = false;

  bool any() const { return tenants || all_schemas || !targets.empty(); }
  std::string kind() const {
    return tenants ? "tenants" : all_schemas ? "schemas" : "targets";
  }
  FanoutOptions ToOptions() const {
    FanoutOptions o;
    o.tenants = tenants;
    o.all_schemas = all_schemas;
    o.targets = SplitList(targets);
    o.jobs = jobs;
    o.canary = canary;
    o.continue_on_error = continue_on_error;
    return o;
  }
};

int Fail(const Status& status) {
  ReportError(status.message());
  return kExitFailed;
}

json ToJson(const RevisionInfo& r) {
  json j;
  j["id"] = r.id;
  j["down_revisions"] = r.down_revisions;
  j["depends_on"] = r.depends_on;
  j["branch_labels"] = r.branch_labels;
  j["children"] = r.children;
  j["message"] = r.doc;
  j["path"] = r.path;
  j["create_date"] = r.create_date;
  j["is_head"] = r.is_head;
  j["is_effective_head"] = r.is_head && !r.is_real_head;
  j["is_base"] = r.is_base;
  j["is_branch_point"] = r.is_branch_point;
  j["is_merge_point"] = r.is_merge_point;
  return j;
}

// `--from database|migrations` as the API's enum ("" = database).
AutogenOptions::From FromFlag(const std::string& value) {
  return value == "migrations" ? AutogenOptions::From::kMigrations
                               : AutogenOptions::From::kDatabase;
}

// The flags diff, check and revision --autogenerate share.
void AddAutogenFlags(CLI::App* command, std::string* from, std::string* dev) {
  command
      ->add_option("--from", *from,
                   "compare the models with the database (default) or with "
                   "the schema the migrations build in a scratch database")
      ->check(CLI::IsMember({"database", "migrations"}));
  command->add_option(
      "--dev", *dev,
      "where scratch databases go: 'ephemeral' (a throwaway PostgreSQL "
      "cluster) or a dev database URL; default: dev_url, else the target's "
      "server (with --from migrations, a throwaway cluster when there is "
      "none)");
}

// `schemas` as text: one line per schema, names aligned.
//   auth       2 tables
//   billing    0 tables  (mentioned only)
std::string FormatModelSchemas(const std::vector<ModelSchemaInfo>& schemas) {
  size_t width = 0;
  for (const auto& s : schemas) width = std::max(width, s.name.size());
  std::string out;
  for (const auto& s : schemas) {
    out += s.name + std::string(width - s.name.size() + 2, ' ') +
           std::to_string(s.tables) + (s.tables == 1 ? " table" : " tables");
    if (s.mentioned_only) out += "  (mentioned only)";
    out += "\n";
  }
  return out;
}

class Cli {
 public:
  Cli()
      : app_("retort: schema migrations for PostgreSQL and SQLite", "retort") {}

  int Run(int argc, char** argv);

 private:
  void AddGlobals(CLI::App* app);
  // --tenants, --all-schemas, --targets, --jobs (and, for commands that
  // run migrations, --canary and --continue-on-error).
  void AddManyFlags(CLI::App* command, ManyFlags* flags, bool runs);
  // Opens the Migrator a command works with. The Cli owns it, and main()
  // never destroys the Cli: freeing a 10,000-revision graph costs a fifth of
  // `heads`, and the process is about to exit anyway (ninja does the same).
  Result<Migrator*> OpenMigrator(bool config_must_exist);
  // Runs UpgradeMany/DowngradeMany with a progress line on a terminal and
  // prints the summary; returns the exit code.
  int RunMany(const ManyFlags& many, bool upgrade, const std::string& target,
              bool sql);
  int CurrentMany(const ManyFlags& many, bool verbose, bool check_heads);
  void PrintRevisions(const std::vector<RevisionInfo>& revs,
                      const FormatOptions& fmt);
  bool Json() const { return flags_.format == "json"; }

  CLI::App app_;
  GlobalFlags flags_;
  // The progress line of a fan-out; log lines erase it first.
  std::unique_ptr<TtyProgress> progress_;
  std::unique_ptr<Migrator> migrator_;
};

void Cli::AddManyFlags(CLI::App* command, ManyFlags* flags, bool runs) {
  command->add_flag("--tenants", flags->tenants,
                    "every tenant schema of the [tenants] section");
  command->add_flag("--all-schemas", flags->all_schemas,
                    "every [schemas.NAME] on its own branch, in \"Depends "
                    "On\" order");
  command->add_option("--targets", flags->targets,
                      "servers: all, or NAME[,NAME...] of [targets.NAME] / "
                      "targets_file");
  command
      ->add_option("--jobs", flags->jobs,
                   "connections working in parallel (default: [tenants] "
                   "jobs, 4)")
      ->check(CLI::Range(1, 1000));
  if (!runs) return;
  command
      ->add_option("--canary", flags->canary,
                   "run the first K units first, alone; stop if one fails")
      ->check(CLI::Range(0, 1000000));
  command->add_flag("--continue-on-error", flags->continue_on_error,
                    "keep starting units after one failed");
}

int Cli::RunMany(const ManyFlags& many, bool upgrade, const std::string& target,
                 bool sql) {
  progress_ = std::make_unique<TtyProgress>(
      !sql && !flags_.quiet && isatty(STDERR_FILENO), &std::cerr);
  progress_->set_kind(many.kind());
  auto m = OpenMigrator(false);
  if (!m.ok()) return Fail(m.status());
  FanoutOptions options = many.ToOptions();
  TtyProgress* bar = progress_.get();
  if (bar->enabled()) {
    options.progress = [bar](const FanoutProgress& p) { bar->Update(p); };
  }
  auto r = upgrade ? (*m)->UpgradeMany(target, options, sql)
                   : (*m)->DowngradeMany(target, options, sql);
  bar->Clear();
  if (!r.ok()) return Fail(r.status());
  const std::string command = (upgrade ? "upgrade " : "downgrade ") + target;
  if (Json()) {
    std::cout << FanoutJson(*r, command).dump(2) << "\n";
  } else if (sql) {
    std::cout << r->sql;
  } else if (!flags_.quiet || !r->ok()) {
    std::cout << FanoutSummary(*r, command, flags_.verbose);
  }
  if (r->ok()) return kExitOk;
  size_t failed = r->Count(UnitStatus::kFailed);
  ReportError(std::to_string(failed) + " of " +
              std::to_string(r->units.size()) + " " + r->kind + " failed" +
              (r->canary_failed ? " (canary); the rest did not start" : ""));
  return kExitFailed;
}

int Cli::CurrentMany(const ManyFlags& many, bool verbose, bool check_heads) {
  auto m = OpenMigrator(false);
  if (!m.ok()) return Fail(m.status());
  auto r = (*m)->CurrentMany(many.ToOptions());
  if (!r.ok()) return Fail(r.status());
  if (Json()) {
    std::cout << CurrentJson(*r).dump(2) << "\n";
  } else if (many.all_schemas) {
    std::cout << CurrentPerUnit(*r);
  } else {
    std::cout << CurrentSummary(*r, many.kind(), verbose);
  }
  size_t unreadable = 0, behind = 0;
  for (const UnitVersions& u : *r) {
    if (!u.error.empty()) {
      ++unreadable;
    } else if (!u.at_head) {
      ++behind;
    }
  }
  if (unreadable > 0) {
    ReportError("could not read the version table of " +
                std::to_string(unreadable) + " of " +
                std::to_string(r->size()) + " " + many.kind());
    return kExitFailed;
  }
  if (check_heads && behind > 0) {
    ReportError(std::to_string(behind) + " of " + std::to_string(r->size()) +
                " " + many.kind() + " are not on all head revisions");
    return kExitFailed;
  }
  return kExitOk;
}

void Cli::AddGlobals(CLI::App* app) {
  app->add_option(
      "-c,--config", flags_.config,
      "configuration file (default: retort.toml, or $RETORT_CONFIG)");
  app->add_option("-n,--name", flags_.name,
                  "named environment: the [env.NAME] section of the config");
  app->add_option("-x", flags_.x,
                  "KEY=VALUE argument (schema=S and debug=true are honoured; "
                  "all are visible to the config as ${x.KEY})")
      ->take_all();
  app->add_option("--schema", flags_.schema,
                  "schema to work on: its version table and branch (same as "
                  "-x schema=S)");
  app->add_option("--url", flags_.url, "database URL (overrides the config)");
  app->add_flag("-v,--verbose", flags_.verbose, "more output");
  app->add_flag("-q,--quiet", flags_.quiet, "only errors");
  app->add_option("--format", flags_.format, "output format")
      ->check(CLI::IsMember({"text", "json"}));
}

Result<Migrator*> Cli::OpenMigrator(bool config_must_exist) {
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
  for (const std::string& kv : flags_.x) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(
          "-x '" + kv + "': expected KEY=VALUE, e.g. -x schema=auth");
    }
    o.x_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.schema = flags_.schema;
  if (o.schema.empty() && o.x_args.count("schema"))
    o.schema = o.x_args["schema"];
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
  o.log_level = logging.level;
  RETORT_ASSIGN_OR_RETURN(migrator_, Migrator::Open(o));
  return migrator_.get();
}

void Cli::PrintRevisions(const std::vector<RevisionInfo>& revs,
                         const FormatOptions& fmt) {
  if (Json()) {
    json arr = json::array();
    for (const auto& r : revs) arr.push_back(ToJson(r));
    std::cout << arr.dump(2) << "\n";
    return;
  }
  for (const auto& r : revs) std::cout << FormatRevision(r, fmt) << "\n";
}

int Cli::Run(int argc, char** argv) {
  app_.require_subcommand(1);
  app_.fallthrough();
  app_.set_version_flag("--version", "retort " RETORT_VERSION);
  app_.footer(
      "\nMany schemas, tenants, servers: upgrade, downgrade and current take "
      "--all-schemas (every [schemas.NAME]), --tenants (every [tenants] "
      "schema) and --targets all|NAME,... (every [targets.NAME]), with "
      "--jobs N, --canary K, --continue-on-error; see 'retort upgrade "
      "--help'.");
  AddGlobals(&app_);
  int code = kExitOk;
  auto fail = [&code](const Status& s) { code = Fail(s); };

  // init
  std::string init_dir;
  std::string init_template = "generic";
  auto* init = app_.add_subcommand("init", "create a new project in DIRECTORY");
  init->add_option("directory", init_dir, "folder for the migration scripts")
      ->required();
  init->add_option("-t,--template", init_template,
                   "project template (see list-templates)");
  init->callback([&] {
    std::string config = flags_.config.empty() ? "retort.toml" : flags_.config;
    Status s = Migrator::Init(init_dir, init_template, config);
    if (!s.ok()) return fail(s);
    if (!flags_.quiet) {
      std::cout << "Created " << init_dir << "/ and " << config
                << "; edit the url in " << config
                << " and run 'retort revision -m \"first\"'\n";
    }
  });

  // list-templates
  auto* lt = app_.add_subcommand("list-templates", "list project templates");
  lt->alias("list_templates");
  lt->callback([&] {
    std::cout << "Available templates:\n\n";
    for (const auto& t : Migrator::ListTemplates())
      std::cout << t.name << " - " << t.description << "\n";
    std::cout << "\nTemplates are used via the 'init' command, e.g.:\n\n"
                 "  retort init -t generic ./migrations\n";
  });

  // revision
  CreateRevisionOptions rev_opts;
  auto* revision =
      app_.add_subcommand("revision", "create a new revision file");
  revision->add_option("-m,--message", rev_opts.message, "message");
  revision->add_flag("--autogenerate", rev_opts.autogenerate,
                     "fill the file with the difference between the models "
                     "and the database");
  revision->add_option("--head", rev_opts.head,
                       "revision the new one is based on (default: head)");
  revision->add_flag("--splice", rev_opts.splice,
                     "allow a non-head --head, starting a new branch");
  revision
      ->add_option("--branch-label", rev_opts.branch_labels,
                   "branch label for the new revision")
      ->take_last();
  revision->add_option("--depends-on", rev_opts.depends_on,
                       "revision this one depends on (repeatable)");
  revision->add_option("--rev-id", rev_opts.rev_id,
                       "id instead of a random one");
  revision->add_option("--version-path", rev_opts.version_path,
                       "folder for the new file");
  std::string rev_from;
  AddAutogenFlags(revision, &rev_from, &rev_opts.autogen.dev);
  revision->callback([&] {
    if ((!rev_from.empty() || !rev_opts.autogen.dev.empty()) &&
        !rev_opts.autogenerate) {
      return fail(
          Status::InvalidArgument("--from and --dev go with --autogenerate"));
    }
    rev_opts.autogen.from = FromFlag(rev_from);
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->CreateRevision(rev_opts);
    if (!r.ok()) return fail(r.status());
    if (Json()) {
      std::cout << ToJson(*r).dump(2) << "\n";
    } else if (!flags_.quiet) {
      std::cout << "Generating " << r->path << " ...  done\n";
    }
  });

  // merge
  MergeOptions merge_opts;
  auto* merge =
      app_.add_subcommand("merge", "merge two or more revisions into one");
  merge
      ->add_option("revisions", merge_opts.revisions,
                   "revisions to merge (e.g. heads)")
      ->required();
  merge->add_option("-m,--message", merge_opts.message, "message");
  merge
      ->add_option("--branch-label", merge_opts.branch_labels,
                   "branch label for the merge revision")
      ->take_last();
  merge->add_option("--rev-id", merge_opts.rev_id,
                    "id instead of a random one");
  merge->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Merge(merge_opts);
    if (!r.ok()) return fail(r.status());
    if (Json()) {
      std::cout << ToJson(*r).dump(2) << "\n";
    } else if (!flags_.quiet) {
      std::cout << "Generating " << r->path << " ...  done\n";
    }
  });

  // upgrade / downgrade / stamp
  std::string up_target, down_target;
  bool up_sql = false, down_sql = false, stamp_sql = false, purge = false;
  std::vector<std::string> stamp_revs;
  auto print_run = [&](const MigrationResult& r) {
    if (Json()) {
      json j;
      j["heads_before"] = r.heads_before;
      j["heads_after"] = r.heads_after;
      j["steps"] = json::array();
      for (const auto& s : r.steps) {
        j["steps"].push_back(
            {{"revision", s.revision},
             {"description", s.description},
             {"direction", s.upgrade ? "upgrade" : "downgrade"},
             {"duration_ms", s.duration_ms}});
      }
      if (!r.sql.empty()) j["sql"] = r.sql;
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << r.sql;
  };
  ManyFlags up_many, down_many, current_many;
  auto* upgrade = app_.add_subcommand("upgrade", "upgrade to a later revision");
  upgrade
      ->add_option("revision", up_target,
                   "target: head, heads, +N, REV, branch@head, ...")
      ->required();
  upgrade->add_flag("--sql", up_sql,
                    "print the SQL instead of running it (REV may be from:to)");
  AddManyFlags(upgrade, &up_many, true);
  upgrade->callback([&] {
    if (up_many.any()) {
      code = RunMany(up_many, true, up_target, up_sql);
      return;
    }
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Upgrade(up_target, up_sql);
    if (!r.ok()) return fail(r.status());
    print_run(*r);
  });
  auto* downgrade =
      app_.add_subcommand("downgrade", "revert to a previous revision");
  downgrade->add_option("revision", down_target, "target: -N, base, REV, ...")
      ->required();
  downgrade->add_flag("--sql", down_sql,
                      "print the SQL instead of running it (REV is from:to)");
  AddManyFlags(downgrade, &down_many, true);
  downgrade->callback([&] {
    if (down_many.any()) {
      code = RunMany(down_many, false, down_target, down_sql);
      return;
    }
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Downgrade(down_target, down_sql);
    if (!r.ok()) return fail(r.status());
    print_run(*r);
  });
  auto* stamp = app_.add_subcommand(
      "stamp", "set the version table without running migrations");
  stamp->add_option("revisions", stamp_revs, "revision(s)")->required();
  stamp->add_flag("--sql", stamp_sql, "print the SQL instead of running it");
  stamp->add_flag("--purge", purge, "empty the version table first");
  stamp->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Stamp(stamp_revs, stamp_sql, purge);
    if (!r.ok()) return fail(r.status());
    print_run(*r);
  });

  // current
  bool current_verbose = false, check_heads = false;
  auto* current =
      app_.add_subcommand("current", "show the database's revision(s)");
  current->add_flag("-v,--verbose", current_verbose, "verbose output");
  current->add_flag("--check-heads", check_heads,
                    "fail unless the database is at every head");
  AddManyFlags(current, &current_many, false);
  current->callback([&] {
    bool verbose = current_verbose || flags_.verbose;
    if (current_many.any()) {
      code = CurrentMany(current_many, verbose, check_heads);
      return;
    }
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Current(check_heads);
    if (!r.ok()) return fail(r.status());
    if (verbose && !Json())
      std::cout << "Current revision(s) for " << (*m)->RedactedUrl() << ":\n";
    FormatOptions f;
    f.verbose = verbose;
    PrintRevisions(*r, f);
  });

  // diff / check / schemas
  std::string diff_from, check_from;
  AutogenOptions diff_opts, check_opts;
  auto* diff = app_.add_subcommand(
      "diff",
      "print the SQL that brings the database (or --from migrations) to the "
      "models");
  AddAutogenFlags(diff, &diff_from, &diff_opts.dev);
  diff->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    diff_opts.from = FromFlag(diff_from);
    auto r = (*m)->Diff(diff_opts);
    if (!r.ok()) return fail(r.status());
    if (Json()) {
      std::cout << json{{"operations", r->operations},
                        {"upgrade", r->upgrade_sql},
                        {"downgrade", r->downgrade_sql},
                        {"models", r->model_files},
                        {"compared_with", r->compared_with},
                        {"scratch", r->scratch}}
                       .dump(2)
                << "\n";
      return;
    }
    if (r->empty()) {
      if (!flags_.quiet) std::cerr << "No changes in schema detected.\n";
      return;
    }
    std::cout << r->upgrade_sql;
  });
  auto* check = app_.add_subcommand(
      "check",
      "exit 1, printing the SQL, when the models and the database (or --from "
      "migrations) differ");
  AddAutogenFlags(check, &check_from, &check_opts.dev);
  check->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    check_opts.from = FromFlag(check_from);
    auto r = (*m)->Diff(check_opts);
    if (!r.ok()) return fail(r.status());
    if (r->empty()) {
      if (!flags_.quiet) std::cout << "No new upgrade operations detected.\n";
      return;
    }
    std::cout << "New upgrade operations detected:\n" << r->upgrade_sql;
    code = kExitFailed;
  });
  auto* schemas = app_.add_subcommand(
      "schemas",
      "list the schemas the models define or mention, with table counts (no "
      "database needed)");
  schemas->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->ModelSchemas();
    if (!r.ok()) return fail(r.status());
    if (Json()) {
      json arr = json::array();
      for (const auto& s : *r) {
        arr.push_back({{"name", s.name},
                       {"tables", s.tables},
                       {"objects", s.objects},
                       {"created", s.created},
                       {"mentioned_only", s.mentioned_only},
                       {"configured", s.configured},
                       {"files", s.files}});
      }
      std::cout << arr.dump(2) << "\n";
      return;
    }
    std::cout << FormatModelSchemas(*r);
  });

  // heads
  bool heads_verbose = false, resolve_deps = false;
  auto* heads =
      app_.add_subcommand("heads", "show the heads of the revision graph");
  heads->add_flag("-v,--verbose", heads_verbose, "verbose output");
  heads->add_flag("--resolve-dependencies", resolve_deps,
                  "treat dependencies as parents");
  heads->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Heads(resolve_deps);
    if (!r.ok()) return fail(r.status());
    FormatOptions f;
    f.verbose = heads_verbose || flags_.verbose;
    f.include_branches = true;
    f.tree_indicators = false;
    PrintRevisions(*r, f);
  });

  // branches
  bool branches_verbose = false;
  auto* branches = app_.add_subcommand("branches", "show branch points");
  branches->add_flag("-v,--verbose", branches_verbose, "verbose output");
  branches->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Branches();
    if (!r.ok()) return fail(r.status());
    bool verbose = branches_verbose || flags_.verbose;
    if (Json()) {
      json arr = json::array();
      for (const auto& bp : *r) {
        json j = ToJson(bp.revision);
        j["branches_into"] = json::array();
        for (const auto& c : bp.children)
          j["branches_into"].push_back(ToJson(c));
        arr.push_back(j);
      }
      std::cout << arr.dump(2) << "\n";
      return;
    }
    for (const auto& bp : *r) {
      FormatOptions f;
      f.verbose = verbose;
      f.include_branches = true;
      std::cout << FormatRevision(bp.revision, f) << "\n";
      FormatOptions cf;
      cf.include_branches = true;
      cf.include_doc = verbose;
      std::string pad(bp.revision.id.size(), ' ');
      for (size_t i = 0; i < bp.children.size(); ++i) {
        std::cout << pad << " -> " << FormatRevision(bp.children[i], cf)
                  << "\n";
      }
      std::cout << "\n";
    }
  });

  // history
  std::string range;
  bool history_verbose = false, indicate_current = false;
  auto* history =
      app_.add_subcommand("history", "list revisions, newest first");
  history->add_option("-r,--rev-range", range, "range [start]:[end]");
  history->add_flag("-v,--verbose", history_verbose, "verbose output");
  history->add_flag("-i,--indicate-current", indicate_current,
                    "mark the database's current revision");
  history->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = indicate_current ? (*m)->HistoryWithCurrent(range)
                              : (*m)->History(range);
    if (!r.ok()) return fail(r.status());
    FormatOptions f;
    f.verbose = history_verbose || flags_.verbose;
    f.include_branches = true;
    f.include_doc = true;
    f.include_parents = true;
    PrintRevisions(*r, f);
  });

  // show
  std::string show_rev;
  auto* show = app_.add_subcommand("show", "show one revision");
  show->add_option("rev", show_rev, "revision")->required();
  show->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Show(show_rev);
    if (!r.ok()) return fail(r.status());
    FormatOptions f;
    f.verbose = true;
    PrintRevisions(*r, f);
  });

  // edit
  std::string edit_rev;
  auto* edit = app_.add_subcommand("edit", "open a revision file in $EDITOR");
  edit->add_option("rev", edit_rev, "revision (default: head)");
  edit->callback([&] {
    auto m = OpenMigrator(false);
    if (!m.ok()) return fail(m.status());
    auto r = (*m)->Show(edit_rev.empty() ? "head" : edit_rev);
    if (!r.ok()) return fail(r.status());
    const char* editor = std::getenv("VISUAL");
    if (!editor || !*editor) editor = std::getenv("EDITOR");
    if (!editor || !*editor) {
      return fail(Status::InvalidArgument(
          "no editor: set $EDITOR (or $VISUAL), e.g. EDITOR=vi"));
    }
    for (const auto& rev : *r) {
      std::string cmd = std::string(editor) + " '" + rev.path + "'";
      if (std::system(cmd.c_str()) != 0) {
        return fail(Status::IOError("editor '" + std::string(editor) +
                                    "' failed on " + rev.path));
      }
    }
  });

  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app_.exit(e);  // --help, --version
    // An unknown command gets a suggestion from the command table.
    std::vector<std::string> names;
    for (const auto* sub : app_.get_subcommands({}))
      names.push_back(sub->get_name());
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.empty() || arg[0] == '-') break;
      if (std::find(names.begin(), names.end(), arg) == names.end()) {
        std::cerr << "error: unknown command '" << arg << "'"
                  << DidYouMean(arg, names) << " (see 'retort --help')\n";
        return kExitUsage;
      }
      break;
    }
    std::cerr << "error: " << e.what() << " (see 'retort --help')\n";
    return kExitUsage;
  }
  return code;
}

}  // namespace
}  // namespace retort

int main(int argc, char** argv) {
  // The default build links jemalloc (CMakeLists.txt), which keeps freed
  // pages for seconds by itself. Without it: a command lives for
  // milliseconds to seconds, and glibc's default of giving freed memory
  // back to the kernel (trimming the heap above 128 KB free, mmap() for
  // blocks of 128 KB and more) only makes it fault the same pages in again.
  // Keep it, and grow the heap 16 MB at a time. On a 10,000-revision
  // `heads`: about 1,000 page faults and 10% of the time fewer. (The
  // library leaves the allocator alone; this is the program's choice.)
#ifndef RETORT_JEMALLOC
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
  // Deliberately never deleted (see Cli::OpenMigrator); still reachable, so
  // leak checkers stay quiet. Migrator holds no connection between calls.
  static retort::Cli* cli = new retort::Cli;
  return cli->Run(argc, argv);
}
