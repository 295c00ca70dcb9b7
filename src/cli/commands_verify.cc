// `retort verify`: are the applied revisions' files still as they ran?
#include "cli/command.h"
#include "cli/log.h"
#include "cli/output.h"

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
  return {{"version_table", r.version_table},
          {"heads", r.heads},
          {"applied", r.applied},
          {"verified", r.verified},
          {"history_table", r.history_table},
          {"clean", r.clean},
          {"findings", findings}};
}

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// `retort verify [--schema S] [--format json]`.
class VerifyCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override { (void)app; }

  int Run(CliContext& ctx) override {
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return ctx.Fail(m.status());
    auto r = (*m)->Verify();
    if (!r.ok()) return ctx.Fail(r.status());
    size_t problems = 0;
    for (const VerifyFinding& f : r->findings) {
      if (f.kind != "unverified") ++problems;
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
    }
    if (problems == 0) return kExitOk;
    ReportError("verify found " + Plural(problems, "problem") + " in " +
                r->version_table + "; each line above says what to do");
    return kExitFailed;
  }
};

}  // namespace

std::vector<CommandInfo> VerifyCommands() {
  return {
      {"verify",
       "check applied revisions against their files (edited, missing, "
       "unknown)",
       {},
       MakeCommand<VerifyCommand>},
  };
}

}  // namespace retort
