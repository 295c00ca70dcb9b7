// `retort verify`: are the applied revisions' files still as they ran?
#include "cli/command.h"
#include "cli/log.h"
#include "cli/output.h"
#include "util/strings.h"

namespace retort {
namespace {

nlohmann::ordered_json VerifyJson(const VerifyResult& r) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const VerifyFinding& f : r.findings) {
    findings.push_back({{"kind", f.kind},
                        {"revision", f.revision},
                        {"path", f.path},
                        {"recorded", f.recorded},
                        {"actual", f.actual},
                        {"applied_at", f.applied_at},
                        {"applied_by", f.applied_by},
                        {"message", f.message}});
  }
  nlohmann::ordered_json out = {{"version_table", r.version_table},
                                {"heads", r.heads},
                                {"applied", r.applied},
                                {"verified", r.verified},
                                {"history_table", r.history_table},
                                {"clean", r.clean},
                                {"findings", findings}};
  if (r.live) {
    nlohmann::ordered_json drift = nlohmann::ordered_json::array();
    for (const DriftFinding& d : r.drift) {
      drift.push_back({{"kind", d.kind},
                       {"object", d.object},
                       {"operation", d.operation},
                       {"sql", d.sql},
                       {"message", d.message}});
    }
    out["live"] = {{"replayed_to", r.replayed_to},
                   {"scratch", r.scratch},
                   {"drift", drift}};
  }
  return out;
}

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// The drift lines of `verify --live`: each difference, the SQL that would
// undo it indented under it, then a summary.
void PrintDrift(const VerifyResult& r, bool quiet, std::ostream& out) {
  for (const DriftFinding& d : r.drift) {
    out << "drift: " << d.message << "\n";
    if (d.sql.empty()) continue;
    size_t start = 0;
    while (start <= d.sql.size()) {
      size_t end = d.sql.find('\n', start);
      if (end == std::string::npos) end = d.sql.size();
      out << "    " << d.sql.substr(start, end - start) << "\n";
      start = end + 1;
    }
  }
  if (quiet && r.drift.empty()) return;
  const std::string at = r.replayed_to.empty()
                             ? std::string("base (nothing applied)")
                             : Join(r.replayed_to, ", ");
  out << "live schema: "
      << (r.drift.empty() ? std::string("matches")
                          : Plural(r.drift.size(), "difference") + " from")
      << " the migrations at " << at << " (replayed into " << r.scratch
      << ")\n";
}

// `retort verify [--live [--dev D]] [--schema S] [--format json]`.
class VerifyCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    CLI::Option* live = app->add_flag(
        "--live", options_.live,
        "also compare the live schema with the migrations replayed "
        "into a scratch database up to the database's revisions, "
        "listing what drifted");
    app->add_option("--dev", options_.dev,
                    "with --live: where the scratch database goes: "
                    "'ephemeral' (a throwaway PostgreSQL cluster) or a dev "
                    "database URL; default: dev_url, else the database's "
                    "server, else a throwaway cluster")
        ->needs(live);
  }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Verify(options_);
    if (!r.ok()) return ctx.Fail(r.status());
    size_t problems = 0;
    for (const VerifyFinding& f : r->findings) {
      if (f.kind != "unverified" && f.kind != "squashed") ++problems;
    }
    if (ctx.json()) {
      ctx.out() << JsonText(VerifyJson(*r));
    } else {
      for (const VerifyFinding& f : r->findings) {
        ctx.out() << f.kind << ": " << f.message << "\n";
      }
      if (!ctx.quiet() || problems > 0) {
        ctx.out() << r->version_table << ": " << r->verified << " of "
                  << Plural(r->applied, "applied revision")
                  << (r->applied == 1 ? " matches its file"
                                      : " match their files");
        if (!r->history_table && r->applied > 0) {
          ctx.out() << " (no history table: nothing was recorded to "
                       "compare with)";
        }
        ctx.out() << "\n";
      }
      if (r->live) PrintDrift(*r, ctx.quiet(), ctx.out());
    }
    if (problems > 0) {
      ReportError("verify found " + Plural(problems, "problem") + " in " +
                  r->version_table + "; each line above says what to do");
    }
    if (!r->drift.empty()) {
      ReportError(
          "the live schema drifted from the migrations: each 'drift:' line "
          "above shows the SQL that would undo the difference; to keep a "
          "change instead, write a revision that makes it");
    }
    return problems == 0 && r->drift.empty() ? kExitOk : kExitFailed;
  }

 private:
  VerifyOptions options_;
};

}  // namespace

std::vector<CommandInfo> VerifyCommands() {
  return {
      {"verify",
       "check applied revisions against their files (edited, missing, "
       "unknown); --live: the live schema against the migrations",
       {},
       MakeCommand<VerifyCommand>},
  };
}

}  // namespace retort
