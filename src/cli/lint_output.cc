// Text and JSON for `retort lint`.
#include "cli/lint_output.h"

#include <set>

namespace retort {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// "ACCESS EXCLUSIVE on users (~1,000 rows, 64 kB)", without the parts
// that are unknown; "" when there is no lock.
std::string LockText(const LintFinding& f) {
  if (f.lock.empty()) return "";
  std::string out = f.lock;
  if (!f.table.empty()) out += " on " + f.table;
  if (f.size) {
    out += " (~" + Grouped(f.size->rows) +
           (f.size->rows == 1 ? " row, " : " rows, ") +
           PrettySize(f.size->bytes) + ")";
  }
  return out;
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string PrettySize(int64_t bytes) {
  // pg_size_pretty's algorithm (PostgreSQL 15), so the numbers agree with
  // what a DBA sees in psql: bytes below 10 kB; then, in half-units
  // truncated from the byte count, the first unit under 20 * 1024 - 1,
  // rounded half up.
  if (bytes < 10 * 1024) return std::to_string(bytes) + " bytes";
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  int64_t half = bytes >> 9;
  size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && half >= 20 * 1024 - 1) {
    half >>= 10;
    ++unit;
  }
  return std::to_string((half + 1) / 2) + " " + kUnits[unit];
}

std::string LintText(const LintResult& result, bool verbose) {
  std::string out;
  std::set<std::string> explained;
  for (const LintFinding& f : result.findings) {
    out += f.path + ":" + std::to_string(f.line) + ": " +
           LintSeverityName(f.severity) + " [" + f.rule + "] " + f.message +
           "\n";
    if (!f.statement.empty()) out += "    " + f.statement + "\n";
    if (std::string lock = LockText(f); !lock.empty()) {
      out += "    lock: " + lock + "\n";
    }
    if (verbose || explained.insert(f.rule).second) {
      if (const LintRuleInfo* rule = [&]() -> const LintRuleInfo* {
            for (const LintRuleInfo& r : LintRules()) {
              if (r.id == f.rule) return &r;
            }
            return nullptr;
          }()) {
        out += "    why: " + rule->why + "\n";
      }
    }
    out += "\n";
  }
  const int revisions = static_cast<int>(result.revisions.size());
  out += Plural(result.errors(), "error", "errors") + ", " +
         Plural(result.warnings(), "warning", "warnings") + " in " +
         Plural(revisions, "revision", "revisions");
  if (result.disabled > 0) {
    out += " (" + std::to_string(result.disabled) +
           " silenced by \"-- retort: lint disable\")";
  }
  out += "\n";
  return out;
}

nlohmann::ordered_json LintJson(const LintResult& result) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["revisions"] = result.revisions;
  j["dialect"] = result.dialect;
  if (!result.database) {
    j["database"] = nullptr;
  } else if (result.server_version > 0) {
    j["database"] = {{"server_version", result.server_version}};
  } else {
    j["database"] = {{"server_version", nullptr}};
  }
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const LintFinding& f : result.findings) {
    nlohmann::ordered_json e;
    e["rule"] = f.rule;
    e["severity"] = LintSeverityName(f.severity);
    e["revision"] = f.revision;
    e["path"] = f.path;
    e["line"] = f.line;
    e["statement"] = f.statement;
    e["table"] = f.table.empty() ? nlohmann::ordered_json()
                                 : nlohmann::ordered_json(f.table);
    e["lock"] = f.lock.empty() ? nlohmann::ordered_json()
                               : nlohmann::ordered_json(f.lock);
    e["message"] = f.message;
    if (f.size) {
      e["size"] = {{"bytes", f.size->bytes},
                   {"rows", f.size->rows},
                   {"pages", f.size->pages}};
    } else {
      e["size"] = nullptr;
    }
    findings.push_back(std::move(e));
  }
  j["findings"] = std::move(findings);
  j["errors"] = result.errors();
  j["warnings"] = result.warnings();
  j["disabled"] = result.disabled;
  j["notes"] = result.notes;
  return j;
}

std::vector<std::string> LintWarningLines(const LintResult& result) {
  std::vector<std::string> out;
  for (const LintFinding& f : result.findings) {
    std::string line = f.path + ":" + std::to_string(f.line) + ": [" + f.rule +
                       "] " + f.message;
    if (std::string lock = LockText(f); !lock.empty()) {
      line += " (lock: " + lock + ")";
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string LintRulesText() {
  size_t width = 0;
  for (const LintRuleInfo& r : LintRules())
    width = std::max(width, r.id.size());
  std::string out;
  for (const LintRuleInfo& r : LintRules()) {
    std::string severity = LintSeverityName(r.severity);
    out += r.id + std::string(width + 2 - r.id.size(), ' ') + severity +
           std::string(9 - severity.size(), ' ') + r.summary + "\n";
  }
  return out;
}

nlohmann::ordered_json LintRulesJson() {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const LintRuleInfo& r : LintRules()) {
    rules.push_back({{"id", r.id},
                     {"severity", LintSeverityName(r.severity)},
                     {"summary", r.summary},
                     {"why", r.why}});
  }
  return {{"version", 1}, {"rules", rules}};
}

}  // namespace retort
