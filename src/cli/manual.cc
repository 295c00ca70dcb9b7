// retort.1 and docs/reference.md from the command line's description.
#include "cli/manual.h"

#include <cctype>
#include <sstream>

#include "cli/command.h"
#include "retort/file_format.h"
#include "util/strings.h"

namespace retort {
namespace {

// The environment variables retort reads (std::getenv across src/).
const std::vector<ManualEntry>& EnvironmentTable() {
  static const std::vector<ManualEntry>* table = new std::vector<
      ManualEntry>{
      {"RETORT_CONFIG",
       "The configuration file when -c is not given; it must exist."},
      {"DATABASE_URL",
       "The database URL when the configuration names none (--url and the "
       "configuration's url win)."},
      {"RETORT_LOG",
       "Log level: debug, info, warn or error. -v, -x debug=true and -q "
       "win over it."},
      {"NO_COLOR",
       "When set and not empty, messages carry no colours. Colours are "
       "only ever used when standard error is a terminal."},
      {"TERM", "dumb: no colours."},
      {"VISUAL, EDITOR", "The editor retort edit opens the file in."},
      {"VAULT_ADDR, VAULT_TOKEN",
       "The HashiCorp Vault server and token for vault: references in the "
       "configuration; VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, "
       "VAULT_SKIP_VERIFY and VAULT_CLIENT_TIMEOUT as Vault's own client "
       "reads them."},
      {"PGPASSWORD, PGSSLMODE, ...",
       "libpq's environment applies to PostgreSQL connections; passwords "
       "never appear in retort's output."},
      {"RETORT_PG_BINDIR",
       "Where PostgreSQL's initdb and pg_ctl are, for the scratch server of "
       "diff, check and revision --autogenerate (--dev ephemeral)."},
      {"RETORT_CACHE_DIR",
       "retort's cache of revision headers and loaded models (default: "
       "$XDG_CACHE_HOME/retort, else ~/.cache/retort); RETORT_CACHE=off "
       "switches caching off."},
      {"TMPDIR", "Where scratch files and databases go (default: /tmp)."},
  };
  return *table;
}

const std::vector<ManualEntry>& FilesTable() {
  static const std::vector<ManualEntry>* table =
      new std::vector<ManualEntry>{
          {"retort.toml",
           "The configuration (the alembic.ini of retort), in the current "
           "folder unless -c or RETORT_CONFIG names another."},
          {"migrations/versions/*.sql",
           "The revision files (version_locations in the configuration)."},
          {"migrations/script.sql.tmpl", "The template of new revision files."},
          {"models/*.sql",
           "The desired schema for diff, check and revision --autogenerate "
           "(models in the configuration)."},
      };
  return *table;
}

// Markdown table cell: '|' escaped, no line breaks.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Code(std::string_view s) { return "`" + std::string(s) + "`"; }

// The help text as sentences: a capital first letter and a final stop, as
// a manual reads (--help keeps the terse form).
std::string Sentence(std::string_view help) {
  std::string out(Trim(help));
  if (out.empty()) return out;
  if (std::islower(static_cast<unsigned char>(out[0])) &&
      !(out.size() > 1 && (out[1] == '-' || out[1] == '.'))) {
    out[0] = static_cast<char>(std::toupper(out[0]));
  }
  if (out.back() != '.' && out.back() != '?' && out.back() != '!') out += '.';
  return out;
}

std::string ChoicesNote(const OptionDoc& o) {
  if (o.choices.empty() || o.value == Join(o.choices, "|")) return "";
  return " One of: " + Join(o.choices, ", ") + ".";
}

// Roff for one option: ".TP", the synopsis in bold, the help.
void RoffOption(const OptionDoc& o, std::ostream& out) {
  out << ".TP\n";
  if (o.positional) {
    out << ".I " << RoffEscape(o.Synopsis()) << "\n";
  } else {
    const std::string names = RoffEscape(Join(o.names, ", "));
    if (o.value.empty()) {
      out << ".B " << names << "\n";
    } else {
      out << ".BI \"" << names << " \" \"" << RoffEscape(o.value) << "\"\n";
    }
  }
  std::string help = Sentence(o.help);
  if (o.required && !o.positional) help += " Required.";
  if (o.repeatable && !o.positional) help += " May be repeated.";
  out << RoffEscape(help + ChoicesNote(o)) << "\n";
}

void RoffTable(const std::vector<ManualEntry>& entries, bool bold,
               std::ostream& out) {
  for (const ManualEntry& e : entries) {
    out << ".TP\n"
        << (bold ? ".B " : "") << RoffEscape(e.term) << "\n"
        << RoffEscape(e.text) << "\n";
  }
}

// A paragraph of roff: lines escaped, blank lines as paragraph breaks.
void RoffParagraphs(std::string_view text, std::ostream& out) {
  std::string t(Trim(text));
  size_t start = 0;
  bool first = true;
  while (start <= t.size()) {
    size_t end = t.find('\n', start);
    if (end == std::string::npos) end = t.size();
    std::string_view line = Trim(std::string_view(t).substr(start, end - start));
    if (line.empty()) {
      if (!first) out << ".PP\n";
    } else {
      out << RoffEscape(line) << "\n";
      first = false;
    }
    start = end + 1;
  }
}

std::string MarkdownOptionName(const OptionDoc& o) {
  if (o.positional) return Code(o.Synopsis());
  std::vector<std::string> names;
  for (const std::string& n : o.names) names.push_back(Code(n));
  std::string out = Join(names, ", ");
  if (!o.value.empty()) out += " " + Code(o.value);
  return out;
}

void MarkdownOptions(const std::vector<OptionDoc>& options, std::ostream& out) {
  out << "| Option | Meaning |\n| --- | --- |\n";
  for (const OptionDoc& o : options) {
    std::string help = Sentence(o.help);
    if (o.required && !o.positional) help += " Required.";
    if (o.repeatable && !o.positional) help += " May be repeated.";
    out << "| " << Cell(MarkdownOptionName(o)) << " | "
        << Cell(help + ChoicesNote(o)) << " |\n";
  }
}

void MarkdownTable(const char* head, const std::vector<ManualEntry>& entries,
                   bool code, std::ostream& out) {
  out << "| " << head << " | Meaning |\n| --- | --- |\n";
  for (const ManualEntry& e : entries) {
    out << "| " << Cell(code ? Code(e.term) : e.term) << " | " << Cell(e.text)
        << " |\n";
  }
}

}  // namespace

std::string RoffEscape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char prev = i ? text[i - 1] : ' ';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-' && !std::isalnum(static_cast<unsigned char>(prev))) {
      out += "\\-";  // an option's dash, not a hyphen
    } else if (c == '\n') {
      out += '\n';
      if (i + 1 < text.size() && (text[i + 1] == '.' || text[i + 1] == '\'')) {
        out += "\\&";
      }
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

ManualFacts RetortFacts() {
  ManualFacts facts;
  for (const ExitCodeInfo& e : ExitCodeTable()) {
    facts.exit_codes.push_back({e.code, e.meaning});
  }
  facts.environment = EnvironmentTable();
  facts.files = FilesTable();
  for (const SyntaxEntry& k : RevisionHeaderKeys()) {
    facts.header_keys.push_back({"-- " + k.syntax + ":", k.meaning});
  }
  for (const SyntaxEntry& d : RevisionDirectives()) {
    facts.directives.push_back({"-- retort: " + d.syntax, d.meaning});
  }
  return facts;
}

std::string ManPage(const CliDoc& cli, const ManualFacts& facts,
                    std::string_view version) {
  std::ostringstream out;
  out << ".\\\" Generated by 'retort man' from the command table; do not "
         "edit.\n"
      << ".TH RETORT 1 \"\" \"retort " << RoffEscape(version)
      << "\" \"User Commands\"\n"
      << ".SH NAME\n"
      << "retort \\- schema migrations for PostgreSQL and SQLite\n"
      << ".SH SYNOPSIS\n"
      << ".B retort\n"
      << ".RI [ GLOBAL-OPTIONS ] \" \" COMMAND \" \" [ OPTIONS ] \" \" "
         "[ ARGUMENTS ]\n"
      << ".SH DESCRIPTION\n"
      << "retort is a schema migration tool for PostgreSQL and SQLite, a "
         "native successor\n"
      << "to Alembic: revision files of SQL with a header, a revision graph "
         "with\n"
      << "branches and merges, and Alembic's version table.\n"
      << "Global options may come before or after the command.\n";
  out << ".SH COMMANDS\n";
  for (const CommandDoc& c : cli.commands) {
    out << ".SS \"" << RoffEscape(c.Usage()) << "\"\n"
        << RoffEscape(Sentence(c.help)) << "\n";
    if (!c.aliases.empty()) {
      out << "Also: " << RoffEscape(Join(c.aliases, ", ")) << ".\n";
    }
    for (const OptionDoc& p : c.positionals) RoffOption(p, out);
    for (const OptionDoc& o : c.options) RoffOption(o, out);
    if (!Trim(c.footer).empty()) {
      out << ".PP\n";
      RoffParagraphs(c.footer, out);
    }
  }
  out << ".SH GLOBAL OPTIONS\n";
  for (const OptionDoc& o : cli.globals) RoffOption(o, out);
  if (!Trim(cli.footer).empty()) {
    out << ".PP\n";
    RoffParagraphs(cli.footer, out);
  }
  out << ".SH EXIT STATUS\n";
  RoffTable(facts.exit_codes, true, out);
  out << ".SH ENVIRONMENT\n";
  RoffTable(facts.environment, true, out);
  out << ".SH FILES\n";
  RoffTable(facts.files, false, out);
  out << ".SH REVISION FILES\n"
      << "A revision file is SQL with a header of comment lines, then\n"
      << ".B \\-\\- migrate:upgrade\n"
      << "and\n"
      << ".B \\-\\- migrate:downgrade\n"
      << "sections. Header keys (case-sensitive, one per line):\n";
  RoffTable(facts.header_keys, true, out);
  out << ".PP\n"
      << "Directives are comment lines inside a section; an unknown one is "
         "an error naming file:line:\n";
  RoffTable(facts.directives, true, out);
  out << ".SH SEE ALSO\n"
      << "docs/reference.md, docs/revision-files.md, docs/configuration.md "
         "and docs/exit-codes.md in retort's sources;\n"
      << ".BR alembic (1).\n";
  return out.str();
}

std::string ReferenceMarkdown(const CliDoc& cli, const ManualFacts& facts) {
  std::ostringstream out;
  out << "# retort reference\n\n"
      << "<!-- Generated from the command table by `make reference` "
         "(build/retort __reference);\n"
      << "     do not edit: change the help strings in src/cli/ and the "
         "tables they come from. -->\n\n"
      << "Every command and option (the same text as `retort --help` and "
         "`retort man`), the exit codes, the environment and the syntax of "
         "revision files, in one place. Global options may come before or "
         "after the command.\n\n";
  out << "## Commands\n\n";
  for (const CommandDoc& c : cli.commands) {
    out << "- [`" << c.name << "`](#retort-" << c.name << "): "
        << Sentence(c.help) << "\n";
  }
  out << "\n";
  for (const CommandDoc& c : cli.commands) {
    out << "### retort " << c.name << "\n\n"
        << Sentence(c.help) << "\n\n"
        << "```\n" << c.Usage() << "\n```\n\n";
    if (!c.aliases.empty()) {
      out << "Also: " << Join(c.aliases, ", ") << ".\n\n";
    }
    std::vector<OptionDoc> all = c.positionals;
    all.insert(all.end(), c.options.begin(), c.options.end());
    if (!all.empty()) {
      MarkdownOptions(all, out);
      out << "\n";
    }
    if (!Trim(c.footer).empty()) out << Trim(c.footer) << "\n\n";
  }
  out << "## Global options\n\n";
  MarkdownOptions(cli.globals, out);
  out << "\n";
  if (!Trim(cli.footer).empty()) out << Trim(cli.footer) << "\n\n";
  out << "## Exit codes\n\n"
      << "More on each in [exit-codes.md](exit-codes.md).\n\n";
  MarkdownTable("Code", facts.exit_codes, false, out);
  out << "\n## Environment\n\n";
  MarkdownTable("Variable", facts.environment, true, out);
  out << "\n## Files\n\n";
  MarkdownTable("File", facts.files, true, out);
  out << "\n## Revision files\n\n"
      << "See [revision-files.md](revision-files.md). Header keys "
         "(case-sensitive, one per line; no others exist):\n\n";
  MarkdownTable("Key", facts.header_keys, true, out);
  out << "\nDirectives: comment lines inside a section; an unknown one is an "
         "error naming file:line.\n\n";
  MarkdownTable("Directive", facts.directives, true, out);
  return out.str();
}

}  // namespace retort
