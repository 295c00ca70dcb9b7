// Reads the CLI11 app into CliDoc (cli_doc.h).
#include "cli/cli_doc.h"

#include <CLI/CLI.hpp>
#include <cctype>

#include "cli/command.h"
#include "util/strings.h"

namespace retort {
namespace {

// "--rev-id" -> "REV_ID", as Python's argparse names a value.
std::string MetaVariable(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '-' && out.empty()) continue;
    out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  }
  return out;
}

OptionDoc Describe(const CLI::Option& o) {
  OptionDoc d;
  d.positional = !o.nonpositional();
  d.help = o.get_description();
  d.required = o.get_required();
  d.repeatable = o.get_expected_max() > 1 ||
                 o.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  if (d.positional) {
    d.names.push_back(o.get_name(true, false));
  } else {
    for (const std::string& s : o.get_snames()) d.names.push_back("-" + s);
    for (const std::string& l : o.get_lnames()) d.names.push_back("--" + l);
  }
  if (o.get_expected_max() == 0) return d;  // a flag
  // get_type_name(): the type, then ":" and each check's description; a
  // set of allowed values reads "{a,b}".
  std::string type = o.get_type_name();
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = type.find(':', start)) != std::string::npos;) {
    parts.push_back(type.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(type.substr(start));
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      d.choices = SplitList(p.substr(1, p.size() - 2));
    }
  }
  const std::string& base = parts.front();
  if (!d.choices.empty()) {
    d.value = Join(d.choices, "|");
  } else if (base == "INT" || base == "UINT" || base == "FLOAT") {
    d.value = "N";
  } else if (base.empty() || base == "TEXT") {
    d.value = MetaVariable(d.names.back());
  } else {
    d.value = base;
  }
  if (d.positional) d.value.clear();
  return d;
}

}  // namespace

std::string OptionDoc::Synopsis() const {
  if (positional) {
    return MetaVariable(names.front()) + (repeatable ? "..." : "");
  }
  std::string out = Join(names, ", ");
  if (!value.empty()) out += " " + value;
  return out;
}

const std::string& OptionDoc::MainName() const {
  for (const std::string& n : names) {
    if (StartsWith(n, "--")) return n;
  }
  return names.front();
}

std::string CommandDoc::Usage() const {
  std::string out = "retort " + name;
  if (!options.empty()) out += " [OPTIONS]";
  for (const OptionDoc& p : positionals) {
    out += " " + std::string(p.required ? "" : "[") + p.Synopsis() +
           (p.required ? "" : "]");
  }
  return out;
}

CliDoc DescribeApp(const CLI::App& app) {
  CliDoc doc;
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  for (const CLI::Option* o : app.get_options()) {
    doc.globals.push_back(Describe(*o));
  }
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden
    CommandDoc c;
    c.name = sub->get_name();
    c.help = sub->get_description();
    c.aliases = sub->get_aliases();
    // (CLI11 copies the app's footer into every subcommand.)
    c.footer = sub->get_footer() == doc.footer ? "" : sub->get_footer();
    for (const CLI::Option* o : sub->get_options()) {
      if (o == sub->get_help_ptr()) continue;
      OptionDoc d = Describe(*o);
      (d.positional ? c.positionals : c.options).push_back(std::move(d));
    }
    doc.commands.push_back(std::move(c));
  }
  return doc;
}

CliDoc DescribeRetort() {
  GlobalFlags flags;
  std::vector<CommandEntry> commands;
  std::unique_ptr<CLI::App> app = BuildApp(&flags, &commands);
  return DescribeApp(*app);
}

}  // namespace retort
