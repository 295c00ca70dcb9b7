// Commands that run migrations or read the version table: upgrade,
// downgrade, stamp, current -- on one database, or fanned out over
// tenants, schemas and servers.
#include <unistd.h>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/log.h"
#include "cli/output.h"
#include "retort/interrupt.h"
#include "util/strings.h"

namespace retort {
namespace {

// Reports a failed run; an interrupted one exits 128 + the signal (130
// for SIGINT, 143 for SIGTERM), as a shell reports a killed command.
int FailRun(CliContext& ctx, const Status& status) {
  if (status.code() == Status::Code::kInterrupted) {
    ReportError(status.message());
    int sig = InterruptSignal();
    return 128 + (sig != 0 ? sig : 2);
  }
  return ctx.Fail(status);
}

// upgrade/downgrade over many units, with a progress line on a terminal,
// then the summary; returns the exit code.
// `allow_edited` and `in_flight` apply to every unit, as to a single run.
int RunMany(CliContext& ctx, const ManyFlags& many, bool upgrade,
            const std::string& target, bool sql, bool allow_edited,
            const std::string& in_flight, const std::string& phase) {
  FanoutOptions options = many.ToOptions();
  options.sql = sql;
  options.phase = phase;
  options.allow_edited = allow_edited;
  options.in_flight = in_flight;
  if (Status st = options.CheckCombination(ctx.SchemaFlag()); !st.ok()) {
    return ctx.UsageError(st.message());
  }
  TtyProgress* bar = ctx.StartProgress(
      !sql && !ctx.quiet() && isatty(STDERR_FILENO), many.kind());
  SignalHandler interrupts(/*announce=*/!ctx.quiet());
  auto m = ctx.OpenMigrator();
  if (!m.ok()) return ctx.Fail(m.status());
  if (bar->enabled()) {
    options.progress = [bar](const FanoutProgress& p) { bar->Update(p); };
  }
  auto r = upgrade ? (*m)->UpgradeMany(target, options)
                   : (*m)->DowngradeMany(target, options);
  bar->Clear();
  if (!r.ok()) return FailRun(ctx, r.status());
  const std::string command = (upgrade ? "upgrade " : "downgrade ") + target;
  if (ctx.json()) {
    ctx.out() << JsonText(FanoutJson(*r, command));
  } else if (sql) {
    ctx.out() << r->sql;
  } else if (!ctx.quiet() || !r->ok()) {
    ctx.out() << FanoutSummary(*r, command, ctx.verbose());
  }
  if (InterruptSignal() != 0) {
    ReportError("interrupted by " + InterruptSignalName(InterruptSignal()) +
                ": units that had not finished were rolled back or not "
                "started (see above)");
    return 128 + InterruptSignal();
  }
  if (r->ok()) return kExitOk;
  size_t failed = r->Count(UnitStatus::kFailed);
  ReportError(std::to_string(failed) + " of " +
              std::to_string(r->units.size()) + " " + FanoutKindName(r->kind) +
              " failed" +
              (r->canary_failed ? " (canary); the rest did not start" : ""));
  return kExitFailed;
}

// `retort upgrade TARGET` and `retort downgrade TARGET`.
class MoveCommand : public Command {
 public:
  explicit MoveCommand(bool upgrade) : upgrade_(upgrade) {}

  void AddFlags(CLI::App* app) override {
    if (upgrade_) {
      app->add_option("revision", target_,
                      "target: head, heads, +N, REV, branch@head, ...")
          ->required();
      app->add_flag("--sql", sql_,
                    "print the SQL instead of running it (REV may be "
                    "from:to)");
    } else {
      app->add_option("revision", target_, "target: -N, base, REV, ...")
          ->required();
      app->add_flag("--sql", sql_,
                    "print the SQL instead of running it (REV is from:to)");
    }
    many_.Add(app, /*runs=*/true);
    if (upgrade_) {
      app->add_flag("--allow-edited", allow_edited_,
                    "run even when an applied revision's file was edited "
                    "since it ran (a warning instead of an error)");
      app->add_option("--phase", phase_,
                      "expand: stop on each branch before its first pending "
                      "\"Phase: contract\" revision (docs/online.md)")
          ->check(CLI::IsMember({"expand"}));
    }
    app->add_option("--in-flight", in_flight_,
                    "settle the statement an interrupted non-transactional "
                    "revision was running, when the catalog cannot: done or "
                    "rerun")
        ->check(CLI::IsMember({"done", "rerun"}));
  }

  int Run(CliContext& ctx) override {
    if (many_.any()) {
      return RunMany(ctx, many_, upgrade_, target_, sql_, allow_edited_,
                     in_flight_, phase_);
    }
    // A bar on a terminal once the run takes a second; log lines as
    // always when stderr is not a terminal, nothing with -q.
    RunProgressBar* bar = ctx.StartRunProgress(
        !sql_ && !ctx.quiet() && isatty(STDERR_FILENO),
        upgrade_ ? "upgrade" : "downgrade");
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    SignalHandler interrupts(/*announce=*/!ctx.quiet());
    RunOptions run;
    if (bar->enabled()) {
      run.progress = [bar](const Progress& p) { bar->Update(p); };
    }
    run.sql = sql_;
    run.allow_edited = allow_edited_;
    run.in_flight = in_flight_;
    run.phase = phase_;
    auto r =
        upgrade_ ? (*m)->Upgrade(target_, run) : (*m)->Downgrade(target_, run);
    bar->Finish();
    if (!r.ok()) return FailRun(ctx, r.status());
    ctx.out() << MigrationOutput(*r, ctx.json());
    return kExitOk;
  }

 private:
  bool upgrade_;
  std::string target_;
  bool sql_ = false;
  bool allow_edited_ = false;
  std::string in_flight_;
  std::string phase_;
  ManyFlags many_;
};

class UpgradeCommand : public MoveCommand {
 public:
  UpgradeCommand() : MoveCommand(true) {}
};
class DowngradeCommand : public MoveCommand {
 public:
  DowngradeCommand() : MoveCommand(false) {}
};

// `retort stamp REV... [--sql] [--purge]`.
class StampCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("revisions", revisions_,
                    "the revisions to record as applied (one per head), "
                    "or base for none")
        ->required();
    app->add_flag("--sql", sql_, "print the SQL instead of running it");
    app->add_flag("--purge", purge_, "empty the version table first");
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    SignalHandler interrupts(/*announce=*/!ctx.quiet());
    RunOptions run;
    run.sql = sql_;
    run.purge = purge_;
    auto r = (*m)->Stamp(revisions_, run);
    if (!r.ok()) return FailRun(ctx, r.status());
    ctx.out() << MigrationOutput(*r, ctx.json());
    return kExitOk;
  }

 private:
  std::vector<std::string> revisions_;
  bool sql_ = false;
  bool purge_ = false;
};

// `retort current [-v] [--check-heads]`, on one database or many.
class CurrentCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_flag("-v,--verbose", verbose_,
                  "each current revision in full, and the database URL "
                  "(without its password)");
    app->add_flag("--check-heads", check_heads_,
                  "fail unless the database is at every head");
    many_.Add(app, /*runs=*/false);
  }

  int Run(CliContext& ctx) override {
    bool verbose = verbose_ || ctx.verbose();
    if (many_.any()) {
      if (Status st = many_.ToOptions().CheckCombination(ctx.SchemaFlag());
          !st.ok()) {
        return ctx.UsageError(st.message());
      }
      return RunMany(ctx, verbose);
    }
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Current({.check_heads = check_heads_});
    if (!r.ok()) return ctx.Fail(r.status());
    if (verbose && !ctx.json())
      ctx.out() << "Current revision(s) for " << (*m)->RedactedUrl() << ":\n";
    FormatOptions f;
    f.verbose = verbose;
    ctx.out() << RevisionsOutput(*r, f, ctx.json());
    if (!ctx.json()) {
      // After `upgrade --phase expand`: what `upgrade head` still has to
      // finish (docs/online.md). Nothing is said when the plan cannot be
      // made; current itself succeeded.
      auto pending = (*m)->Pending("heads");
      std::vector<std::string> contract;
      if (pending.ok()) {
        for (const RevisionInfo& rev : *pending) {
          if (rev.phase == "contract") contract.push_back(rev.id);
        }
      }
      if (!contract.empty()) {
        ctx.out() << "Contract revisions pending (upgrade head runs them): "
                  << Join(contract, ", ") << "\n";
      }
    }
    return kExitOk;
  }

 private:
  int RunMany(CliContext& ctx, bool verbose) {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->CurrentMany(many_.ToOptions());
    if (!r.ok()) return ctx.Fail(r.status());
    if (ctx.json()) {
      ctx.out() << JsonText(CurrentJson(*r));
    } else if (many_.all_schemas) {
      ctx.out() << CurrentPerUnit(*r);
    } else {
      ctx.out() << CurrentSummary(*r, many_.kind(), verbose);
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
                  std::to_string(r->size()) + " " + many_.kind());
      return kExitFailed;
    }
    if (check_heads_ && behind > 0) {
      ReportError(std::to_string(behind) + " of " + std::to_string(r->size()) +
                  " " + many_.kind() + " are not on all head revisions");
      return kExitFailed;
    }
    return kExitOk;
  }

  bool verbose_ = false;
  bool check_heads_ = false;
  ManyFlags many_;
};

}  // namespace

std::vector<CommandInfo> RunCommands() {
  return {
      {"upgrade",
       "upgrade to a later revision",
       {},
       MakeCommand<UpgradeCommand>},
      {"downgrade",
       "revert to a previous revision",
       {},
       MakeCommand<DowngradeCommand>},
      {"stamp",
       "set the version table without running migrations",
       {},
       MakeCommand<StampCommand>},
      {"current",
       "show the database's revision(s)",
       {},
       MakeCommand<CurrentCommand>},
  };
}

}  // namespace retort
