// Fan-out texts for the command line; see fanout_output.h.
#include "cli/fanout_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

namespace retort {

namespace {

std::string Plural(size_t n, const std::string& kind) {
  // kind is already plural ("tenants"); one unit drops the "s".
  std::string word = kind;
  if (n == 1 && !word.empty() && word.back() == 's') word.pop_back();
  return std::to_string(n) + " " + word;
}

// "tenant", "schema", "target": a table's column header.
std::string Singular(FanoutKind kind) {
  std::string word = FanoutKindName(kind);
  word.pop_back();
  return word;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f s", ms / 1000.0);
  return buf;
}

std::string HeadsText(const std::vector<std::string>& heads) {
  if (heads.empty()) return "<base>";
  std::vector<std::string> sorted = heads;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size(); ++i) out += (i ? "," : "") + sorted[i];
  return out;
}

std::string PadRight(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string PadLeft(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// Error text under a "name: " prefix: continuation lines (DETAIL, HINT)
// indented to stay readable in a list.
std::string Indented(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

}  // namespace

std::string FormatEta(double seconds) {
  long long s = std::llround(std::max(0.0, seconds));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

std::string ProgressLine(const FanoutProgress& p, const std::string& kind,
                         int bar_width) {
  const size_t done = p.migrated + p.up_to_date;
  const size_t finished = done + p.failed + p.not_started;
  const size_t remaining = p.remaining();
  const int width = std::max(1, bar_width);
  int filled =
      p.total == 0
          ? width
          : static_cast<int>(static_cast<double>(finished) * width / p.total);
  filled = std::clamp(filled, 0, width);
  std::string rate = "-", eta = "-";
  if (p.finished_by_workers > 0 && p.elapsed_seconds > 0) {
    double per_second = p.finished_by_workers / p.elapsed_seconds;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f", per_second);
    rate = buf;
    eta = FormatEta(remaining / per_second);
  }
  std::string line = p.canary_phase ? "canary " : "";
  line += kind + " " + std::to_string(finished) + "/" +
          std::to_string(p.total) + " [" + std::string(filled, '#') +
          std::string(width - filled, '-') + "] done " + std::to_string(done) +
          ", failed " + std::to_string(p.failed) + ", remaining " +
          std::to_string(remaining) + ", " + rate + "/s, ETA " + eta;
  return line;
}

std::string FanoutSummary(const FanoutResult& r, const std::string& command,
                          bool verbose) {
  std::string out =
      command + ": " + Plural(r.units.size(), FanoutKindName(r.kind)) + ", " +
      std::to_string(r.jobs) + (r.jobs == 1 ? " job, " : " jobs, ") +
      Seconds(r.elapsed_ms) + "\n";
  if (verbose && !r.units.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {Singular(r.kind), "status", "from", "to", "steps", "time"}};
    for (const UnitResult& u : r.units) {
      char ms[32];
      std::snprintf(ms, sizeof(ms), "%.0f ms", u.duration_ms);
      bool ran = u.status != UnitStatus::kNotStarted;
      rows.push_back(
          {u.Name() + (u.canary ? " (canary)" : ""), UnitStatusName(u.status),
           ran ? HeadsText(u.heads_before) : "",
           u.status == UnitStatus::kFailed || !ran ? ""
                                                   : HeadsText(u.heads_after),
           std::to_string(u.steps), ran ? ms : ""});
    }
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
      for (size_t c = 0; c < row.size(); ++c)
        width[c] = std::max(width[c], row[c].size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      std::string line = "  ";
      for (size_t c = 0; c < row.size(); ++c) {
        // Numbers right-aligned under left-aligned headings.
        if (c) line += "  ";
        line += c >= 4 && i > 0 ? PadLeft(row[c], width[c])
                                : PadRight(row[c], width[c]);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  const std::pair<const char*, UnitStatus> kinds[] = {
      {"migrated", UnitStatus::kMigrated},
      {"up to date", UnitStatus::kUpToDate},
      {"failed", UnitStatus::kFailed},
      {"not started", UnitStatus::kNotStarted}};
  for (const auto& [name, status] : kinds) {
    out += "  " + PadRight(name, 12) +
           PadLeft(std::to_string(r.Count(status)), 6) + "\n";
  }
  if (r.canary_failed) {
    out +=
        "canary failed: the first " + Plural(r.canary, FanoutKindName(r.kind)) +
        " ran first and one failed, so the other " +
        std::to_string(r.Count(UnitStatus::kNotStarted)) + " did not start\n";
  } else if (r.Count(UnitStatus::kNotStarted) > 0) {
    out += "stopped at the first failure (--continue-on-error goes on)\n";
  }
  if (r.Count(UnitStatus::kFailed) > 0) {
    out += "failed:\n";
    for (const UnitResult& u : r.units) {
      if (u.status != UnitStatus::kFailed) continue;
      out += "  " + u.Name() + ": " + Indented(u.error, "    ") + "\n";
    }
  }
  return out;
}

nlohmann::ordered_json FanoutJson(const FanoutResult& r,
                                  const std::string& command) {
  nlohmann::ordered_json j;
  j["command"] = command;
  j["kind"] = FanoutKindName(r.kind);
  j["jobs"] = r.jobs;
  j["canary"] = r.canary;
  j["elapsed_ms"] = r.elapsed_ms;
  j["canary_failed"] = r.canary_failed;
  j["counts"] = {{"migrated", r.Count(UnitStatus::kMigrated)},
                 {"up_to_date", r.Count(UnitStatus::kUpToDate)},
                 {"failed", r.Count(UnitStatus::kFailed)},
                 {"not_started", r.Count(UnitStatus::kNotStarted)}};
  j["units"] = nlohmann::ordered_json::array();
  for (const UnitResult& u : r.units) {
    nlohmann::ordered_json ju;
    ju["target"] = u.target;
    ju["schema"] = u.schema;
    ju["status"] = UnitStatusName(u.status);
    ju["canary"] = u.canary;
    ju["heads_before"] = u.heads_before;
    ju["heads_after"] = u.heads_after;
    ju["steps"] = u.steps;
    ju["duration_ms"] = u.duration_ms;
    if (u.error.empty()) {
      ju["error"] = nullptr;
    } else {
      ju["error"] = u.error;
    }
    j["units"].push_back(std::move(ju));
  }
  if (!r.sql.empty()) j["sql"] = r.sql;
  return j;
}

std::string CurrentSummary(const std::vector<UnitVersions>& units,
                           const std::string& kind, bool verbose) {
  struct Group {
    std::string label;
    bool at_head = false;
    std::vector<std::string> names;
  };
  std::map<std::string, Group> groups;
  std::vector<const UnitVersions*> unreadable;
  for (const UnitVersions& u : units) {
    if (!u.error.empty()) {
      unreadable.push_back(&u);
      continue;
    }
    std::string key = u.heads.empty() ? "" : HeadsText(u.heads);
    Group& g = groups[key];
    g.label = u.heads.empty() ? "(none)" : key;
    g.at_head = u.at_head;
    g.names.push_back(u.Name());
  }
  std::vector<const Group*> order;
  for (const auto& [key, g] : groups) order.push_back(&g);
  // The heads first, then the most common revisions.
  std::stable_sort(order.begin(), order.end(),
                   [](const Group* a, const Group* b) {
                     if (a->at_head != b->at_head) return a->at_head;
                     return a->names.size() > b->names.size();
                   });
  std::vector<std::pair<std::string, std::string>> rows = {{"revision", kind}};
  for (const Group* g : order) {
    rows.push_back({g->label + (g->at_head ? " (head)" : ""),
                    std::to_string(g->names.size())});
  }
  size_t w0 = 0, w1 = 0;
  for (const auto& [a, b] : rows) {
    w0 = std::max(w0, a.size());
    w1 = std::max(w1, b.size());
  }
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    out +=
        PadRight(rows[i].first, w0) + "  " + PadLeft(rows[i].second, w1) + "\n";
    if (verbose && i > 0) {
      const std::vector<std::string>& names = order[i - 1]->names;
      std::string list;
      for (size_t k = 0; k < names.size(); ++k)
        list += (k ? ", " : "") + names[k];
      out += "    " + list + "\n";
    }
  }
  if (!unreadable.empty()) {
    out += "could not read " + Plural(unreadable.size(), kind) + ":\n";
    for (const UnitVersions* u : unreadable) {
      out += "  " + u->Name() + ": " + Indented(u->error, "    ") + "\n";
    }
  }
  return out;
}

std::string CurrentPerUnit(const std::vector<UnitVersions>& units) {
  std::string out;
  for (const UnitVersions& u : units) {
    out += u.Name() + ": ";
    if (!u.error.empty()) {
      out += "error: " + Indented(u.error, "    ");
    } else if (u.heads.empty()) {
      out += "(none)";
    } else {
      out += HeadsText(u.heads);
      if (u.at_head) out += " (head)";
    }
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json CurrentJson(const std::vector<UnitVersions>& units) {
  struct Count {
    std::vector<std::string> heads;
    size_t count = 0;
    bool at_head = false;
  };
  nlohmann::ordered_json j;
  j["units"] = nlohmann::ordered_json::array();
  std::map<std::string, Count> counts;
  for (const UnitVersions& u : units) {
    nlohmann::ordered_json ju;
    ju["target"] = u.target;
    ju["schema"] = u.schema;
    ju["heads"] = u.heads;
    ju["at_head"] = u.at_head;
    if (u.error.empty()) {
      ju["error"] = nullptr;
      Count& c = counts[HeadsText(u.heads)];
      c.heads = u.heads;
      std::sort(c.heads.begin(), c.heads.end());
      ++c.count;
      c.at_head = u.at_head;
    } else {
      ju["error"] = u.error;
    }
    j["units"].push_back(std::move(ju));
  }
  j["revisions"] = nlohmann::ordered_json::array();
  for (const auto& [key, c] : counts) {
    j["revisions"].push_back(
        {{"heads", c.heads}, {"at_head", c.at_head}, {"count", c.count}});
  }
  return j;
}

TtyProgress::TtyProgress(bool enabled, std::ostream* out)
    : enabled_(enabled), out_(out) {}

void TtyProgress::Update(const FanoutProgress& progress) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  last_ = progress;
  auto now = std::chrono::steady_clock::now();
  bool final = progress.remaining() == 0 && progress.running == 0;
  if (!final && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  DrawLocked();
}

void TtyProgress::DrawLocked() {
  *out_ << "\r\033[K" << ProgressLine(last_, kind_) << std::flush;
  drawn_ = true;
}

void TtyProgress::Clear() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (drawn_) *out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

void TtyProgress::Print(const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (enabled_ && drawn_) *out_ << "\r\033[K";
  *out_ << text;
  if (enabled_ && drawn_) DrawLocked();
  *out_ << std::flush;
}

}  // namespace retort
