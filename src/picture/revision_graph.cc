// The revision graph drawn three ways: a terminal drawing of lanes in the
// manner of `git log --graph`, Graphviz dot, and a mermaid flowchart.
//
// The terminal drawing keeps one lane per revision still expected below
// (a parent of something drawn, not yet drawn). Each revision is drawn in
// the leftmost lane expecting it; lanes expecting the same revision are
// first folded into that one by a '/' travelling left a lane per line; a
// merge opens a lane per extra parent with '\'; a lane whose revision has
// no parent among those drawn ends, the lanes right of it moving left.
#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "picture/quoting.h"
#include "retort/pictures.h"
#include "util/strings.h"

namespace retort {
namespace {

constexpr const char* kReset = "\033[0m";
constexpr const char* kIdColor = "\033[33m";
constexpr const char* kLabelColor = "\033[1;32m";
constexpr const char* kHeadColor = "\033[1;36m";
constexpr const char* kCurrentColor = "\033[1;35m";

// The revisions drawn, by id, and each one's parents among them.
class Drawn {
 public:
  explicit Drawn(const std::vector<RevisionInfo>& revisions) {
    for (const RevisionInfo& r : revisions) by_id_[r.id] = &r;
  }
  bool Has(const std::string& id) const { return by_id_.count(id) > 0; }
  // A Depends On entry as declared (a whole id, a unique id prefix or a
  // branch label) as the id of a drawn revision; "" when none.
  std::string Resolve(const std::string& declared) const {
    if (Has(declared)) return declared;
    std::string found;
    for (const auto& [id, r] : by_id_) {
      bool labelled =
          std::find(r->branch_labels.begin(), r->branch_labels.end(),
                    declared) != r->branch_labels.end();
      if (id.rfind(declared, 0) == 0 || (labelled && r->is_head)) {
        if (!found.empty() && found != id) return "";
        found = id;
      }
    }
    return found;
  }
  const RevisionInfo* Find(const std::string& id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  std::vector<std::string> Parents(const RevisionInfo& r) const {
    std::vector<std::string> out;
    for (const std::string& p : r.down_revisions) {
      if (Has(p) && std::find(out.begin(), out.end(), p) == out.end()) {
        out.push_back(p);
      }
    }
    return out;
  }
  // The labels `r` has that none of its parents has: where a branch label
  // starts (RevisionInfo lists inherited ones too).
  std::vector<std::string> OwnLabels(const RevisionInfo& r) const {
    std::set<std::string> inherited;
    for (const std::string& p : r.down_revisions) {
      if (const RevisionInfo* parent = Find(p)) {
        inherited.insert(parent->branch_labels.begin(),
                         parent->branch_labels.end());
      }
    }
    std::vector<std::string> own;
    for (const std::string& l : r.branch_labels) {
      if (!inherited.count(l)) own.push_back(l);
    }
    return own;
  }

 private:
  std::unordered_map<std::string, const RevisionInfo*> by_id_;
};

std::string Paint(const std::string& text, const char* color, bool on) {
  return on ? color + text + kReset : text;
}

// The text after the lanes on a revision's line.
std::string RevisionLineText(const RevisionInfo& r, const Drawn& drawn,
                             const GraphPictureOptions& o) {
  std::string text = Paint(r.id, kIdColor, o.color);
  std::vector<std::string> labels = drawn.OwnLabels(r);
  if (!labels.empty()) {
    text += " " + Paint("(" + Join(labels, ", ") + ")", kLabelColor, o.color);
  }
  if (r.is_head) text += " " + Paint("(head)", kHeadColor, o.color);
  if (o.mark_current && r.is_current) {
    text += " " + Paint("(current)", kCurrentColor, o.color);
  }
  if (r.is_merge_point) text += " (mergepoint)";
  if (r.is_branch_point) text += " (branchpoint)";
  if (!r.phase.empty()) text += " (" + r.phase + ")";
  if (!r.doc.empty()) text += " " + r.doc;
  if (!r.depends_on.empty()) {
    text += " [depends on " + Join(r.depends_on, ", ") + "]";
  }
  return text;
}

// One line of lanes under construction: characters at columns 2k (a
// lane) and 2k+1 (between lanes k and k+1).
class LaneLine {
 public:
  explicit LaneLine(size_t lanes) : chars_(2 * lanes + 2, ' ') {}
  void Set(size_t column, char c) {
    if (column >= chars_.size()) chars_.resize(column + 1, ' ');
    chars_[column] = c;
  }
  std::string Text() const {
    std::string s = chars_;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  }

 private:
  std::string chars_;
};

class LaneDrawing {
 public:
  LaneDrawing(const Drawn& drawn, const GraphPictureOptions& options)
      : drawn_(drawn), options_(options) {}

  void Add(const RevisionInfo& r) {
    size_t c = LaneOf(r.id);
    FoldDuplicates(r.id, c);
    // The revision's own line.
    LaneLine line(lanes_.size());
    for (size_t k = 0; k < lanes_.size(); ++k)
      line.Set(2 * k, k == c ? '*' : '|');
    std::string lanes_text = line.Text();
    lanes_text.resize(2 * lanes_.size() - 1, ' ');
    out_ += lanes_text + " " + RevisionLineText(r, drawn_, options_) + "\n";
    // What is expected below it.
    std::vector<std::string> parents = drawn_.Parents(r);
    if (parents.empty()) {
      EndLane(c);
      return;
    }
    lanes_[c] = parents[0];
    for (size_t i = 1; i < parents.size(); ++i) OpenLane(c, i, parents[i]);
  }

  std::string Text() const { return out_; }

 private:
  // The leftmost lane expecting `id`, or a new lane at the right.
  size_t LaneOf(const std::string& id) {
    for (size_t k = 0; k < lanes_.size(); ++k) {
      if (lanes_[k] == id) return k;
    }
    lanes_.push_back(id);
    return lanes_.size() - 1;
  }

  // Every other lane expecting `id` travels left into lane `c`, the
  // rightmost first, one lane per line; lanes right of it move left.
  void FoldDuplicates(const std::string& id, size_t c) {
    for (size_t j = lanes_.size(); j-- > c + 1;) {
      if (lanes_[j] != id) continue;
      size_t steps = j - c;
      for (size_t s = 0; s < steps; ++s) {
        LaneLine line(lanes_.size());
        for (size_t k = 0; k < lanes_.size(); ++k) {
          if (k < j) {
            line.Set(2 * k, '|');
          } else if (k > j) {
            if (s == 0) {
              line.Set(2 * k - 1, '/');
            } else {
              line.Set(2 * (k - 1), '|');
            }
          }
        }
        line.Set(2 * (j - s) - 1, '/');
        out_ += line.Text() + "\n";
      }
      lanes_.erase(lanes_.begin() + static_cast<std::ptrdiff_t>(j));
    }
  }

  // Lane `c` ends; lanes right of it move left.
  void EndLane(size_t c) {
    if (c + 1 < lanes_.size()) {
      LaneLine line(lanes_.size());
      for (size_t k = 0; k < lanes_.size(); ++k) {
        if (k < c) line.Set(2 * k, '|');
        if (k > c) line.Set(2 * k - 1, '/');
      }
      out_ += line.Text() + "\n";
    }
    lanes_.erase(lanes_.begin() + static_cast<std::ptrdiff_t>(c));
  }

  // The i-th extra parent of the revision in lane `c` gets lane c + i;
  // lanes from there on move right.
  void OpenLane(size_t c, size_t i, const std::string& parent) {
    size_t n = c + i;
    LaneLine line(lanes_.size() + 1);
    for (size_t k = 0; k < lanes_.size(); ++k) {
      if (k < n) {
        line.Set(2 * k, '|');
      } else {
        line.Set(2 * k + 1, '\\');
      }
    }
    line.Set(2 * n - 1, '\\');
    out_ += line.Text() + "\n";
    lanes_.insert(lanes_.begin() + static_cast<std::ptrdiff_t>(n), parent);
  }

  const Drawn& drawn_;
  const GraphPictureOptions& options_;
  std::vector<std::string> lanes_;
  std::string out_;
};

// `text` inside a mermaid "..." node label: quotes and markup characters
// as entity codes.
std::string MermaidText(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '"':
        out += "#quot;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '#':
        out += "#35;";
        break;
      case '\n':
        out += "<br/>";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// The lines of a node's label: id (own labels), message.
std::vector<std::string> NodeLines(const RevisionInfo& r, const Drawn& drawn) {
  std::string first = r.id;
  std::vector<std::string> labels = drawn.OwnLabels(r);
  if (!labels.empty()) first += " (" + Join(labels, ", ") + ")";
  std::vector<std::string> lines{first};
  if (!r.doc.empty()) lines.push_back(r.doc);
  return lines;
}

// Parents drawn first, so the text reads from the base down.
std::vector<const RevisionInfo*> OldestFirst(
    const std::vector<RevisionInfo>& revisions) {
  std::vector<const RevisionInfo*> out;
  out.reserve(revisions.size());
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    out.push_back(&*it);
  }
  return out;
}

}  // namespace

std::string RevisionGraphText(const std::vector<RevisionInfo>& revisions,
                              const GraphPictureOptions& options) {
  Drawn drawn(revisions);
  LaneDrawing drawing(drawn, options);
  for (const RevisionInfo& r : revisions) drawing.Add(r);
  return drawing.Text();
}

std::string RevisionGraphDot(const std::vector<RevisionInfo>& revisions,
                             const GraphPictureOptions& options) {
  Drawn drawn(revisions);
  std::string out = "digraph revisions {\n";
  if (!options.title.empty()) {
    out += "  label=" + DotQuoted(options.title) + ";\n  labelloc=t;\n";
  }
  out +=
      "  rankdir=TB;\n"
      "  node [shape=box, fontname=\"monospace\"];\n";
  auto order = OldestFirst(revisions);
  for (const RevisionInfo* r : order) {
    std::string lines;
    for (const std::string& l : NodeLines(*r, drawn)) {
      lines += (lines.empty() ? "" : "\n") + l;
    }
    std::vector<std::string> attrs{"label=" + DotQuoted(lines)};
    std::vector<std::string> styles;
    if (r->is_head) styles.push_back("bold");
    if (options.mark_current && r->is_current) {
      styles.push_back("filled");
      attrs.push_back("fillcolor=\"palegreen\"");
    }
    if (!styles.empty()) {
      attrs.push_back("style=" + DotQuoted(Join(styles, ",")));
    }
    out += "  " + DotQuoted(r->id) + " [" + Join(attrs, ", ") + "];\n";
  }
  for (const RevisionInfo* r : order) {
    for (const std::string& p : drawn.Parents(*r)) {
      out += "  " + DotQuoted(p) + " -> " + DotQuoted(r->id) + ";\n";
    }
    for (const std::string& declared : r->depends_on) {
      std::string d = drawn.Resolve(declared);
      if (d.empty()) continue;
      out += "  " + DotQuoted(d) + " -> " + DotQuoted(r->id) +
             " [style=dashed, label=\"depends on\"];\n";
    }
  }
  return out + "}\n";
}

std::string RevisionGraphMermaid(const std::vector<RevisionInfo>& revisions,
                                 const GraphPictureOptions& options) {
  Drawn drawn(revisions);
  std::string out;
  if (!options.title.empty()) {
    out += "---\ntitle: " + YamlQuoted(options.title) + "\n---\n";
  }
  out += "flowchart TD\n";
  // Node names are r<n>: revision ids may hold characters mermaid reads.
  auto order = OldestFirst(revisions);
  std::unordered_map<std::string, std::string> name;
  for (size_t i = 0; i < order.size(); ++i) {
    name[order[i]->id] = "r" + std::to_string(i);
  }
  std::vector<std::string> heads, current;
  for (const RevisionInfo* r : order) {
    std::string label;
    for (const std::string& l : NodeLines(*r, drawn)) {
      label += (label.empty() ? "" : "<br/>") + MermaidText(l);
    }
    out += "  " + name[r->id] + "[\"" + label + "\"]\n";
    if (r->is_head) heads.push_back(name[r->id]);
    if (options.mark_current && r->is_current) current.push_back(name[r->id]);
  }
  for (const RevisionInfo* r : order) {
    for (const std::string& p : drawn.Parents(*r)) {
      out += "  " + name[p] + " --> " + name[r->id] + "\n";
    }
    for (const std::string& declared : r->depends_on) {
      std::string d = drawn.Resolve(declared);
      if (d.empty()) continue;
      out += "  " + name[d] + " -. depends on .-> " + name[r->id] + "\n";
    }
  }
  if (!heads.empty()) {
    out += "  classDef head stroke-width:3px\n  class " + Join(heads, ",") +
           " head\n";
  }
  if (!current.empty()) {
    out += "  classDef current fill:#cfc\n  class " + Join(current, ",") +
           " current\n";
  }
  return out;
}

}  // namespace retort
