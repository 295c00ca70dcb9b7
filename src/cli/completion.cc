// The bash, zsh and fish completion scripts (completion.h).
#include "cli/completion.h"

#include <sstream>

#include "util/strings.h"

namespace retort {
namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// 'text' for a shell: single quotes, each ' as '\''.
std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// One line of help: the first line, without a trailing stop.
std::string Brief(std::string_view help) {
  std::string out(Trim(help.substr(0, help.find('\n'))));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::vector<std::string> AllNames(const std::vector<OptionDoc>& options) {
  std::vector<std::string> out;
  for (const OptionDoc& o : options) {
    out.insert(out.end(), o.names.begin(), o.names.end());
  }
  return out;
}

// The first positional of `c` that completes as `kind`, or null.
const OptionDoc* PositionalOf(const CommandDoc& c) {
  return c.positionals.empty() ? nullptr : &c.positionals.front();
}

// -- bash -------------------------------------------------------------------

// "  -c|--config) COMPREPLY=(...); return ;;" for each option with a value
// that completes.
void BashValueCases(const std::vector<OptionDoc>& options,
                    const std::string& indent, std::ostream& out) {
  for (const OptionDoc& o : options) {
    ValueKind kind = CompletionKind(o);
    if (kind == ValueKind::kNone) continue;
    out << indent << Join(o.names, "|") << ") ";
    switch (kind) {
      case ValueKind::kChoices:
        out << "COMPREPLY=($(compgen -W " << Quoted(Join(o.choices, " "))
            << " -- \"$cur\"))";
        break;
      case ValueKind::kRevision:
        out << "_retort_complete_revisions";
        break;
      case ValueKind::kFile:
        out << "COMPREPLY=($(compgen -f -- \"$cur\"))";
        break;
      case ValueKind::kDirectory:
        out << "COMPREPLY=($(compgen -d -- \"$cur\"))";
        break;
      default:
        out << ":";
        break;
    }
    out << "; return ;;\n";
  }
}

void BashPositional(const OptionDoc* p, const std::string& indent,
                    std::ostream& out) {
  ValueKind kind = p ? CompletionKind(*p) : ValueKind::kNone;
  switch (kind) {
    case ValueKind::kRevision:
      out << indent << "_retort_complete_revisions\n";
      break;
    case ValueKind::kFile:
      out << indent << "COMPREPLY=($(compgen -f -- \"$cur\"))\n";
      break;
    case ValueKind::kDirectory:
      out << indent << "COMPREPLY=($(compgen -d -- \"$cur\"))\n";
      break;
    case ValueKind::kChoices:
      out << indent << "COMPREPLY=($(compgen -W "
          << Quoted(Join(p->choices, " ")) << " -- \"$cur\"))\n";
      break;
    default:
      out << indent << ":\n";
      break;
  }
}

// -- zsh --------------------------------------------------------------------

// Text inside an _arguments spec's [...] or after its ':'.
std::string ZshDescription(std::string_view help) {
  std::string out;
  for (char c : Brief(help)) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string ZshAction(const OptionDoc& o) {
  switch (CompletionKind(o)) {
    case ValueKind::kChoices:
      return "(" + Join(o.choices, " ") + ")";
    case ValueKind::kRevision:
      return "_retort_revisions";
    case ValueKind::kFile:
      return "_files";
    case ValueKind::kDirectory:
      return "_files -/";
    default:
      return " ";
  }
}

// One _arguments spec, e.g. '(-c --config)'{-c,--config}'[file]:value:_files'.
std::string ZshSpec(const OptionDoc& o) {
  if (o.positional) {
    std::string message = o.names.front();
    return Quoted((o.repeatable ? "*:" : (o.required ? ":" : "::")) +
                  message + ":" + ZshAction(o));
  }
  std::string value;
  if (!o.value.empty()) {
    std::string message = o.value;
    for (char& c : message) {
      if (c == ':') c = ' ';
    }
    value = ":" + message + ":" + ZshAction(o);
  }
  const std::string desc = "[" + ZshDescription(o.help) + "]";
  const std::string star = o.repeatable ? "*" : "";
  if (o.names.size() == 1) {
    return Quoted(star + o.names.front() + desc + value);
  }
  // '(-c --config)'{-c,--config}'[...]': the braces make one spec per
  // name, each excluding the others; a repeatable one is '*'{...}.
  std::string prefix = o.repeatable ? "*" : "(" + Join(o.names, " ") + ")";
  return Quoted(prefix) + "{" + Join(o.names, ",") + "}" +
         Quoted(desc + value);
}

// -- fish -------------------------------------------------------------------

std::string FishOption(const OptionDoc& o, const std::string& condition) {
  std::string out = "complete -c retort";
  if (!condition.empty()) out += " -n " + Quoted(condition);
  for (const std::string& n : o.names) {
    if (StartsWith(n, "--")) {
      out += " -l " + n.substr(2);
    } else {
      out += " -s " + n.substr(1);
    }
  }
  switch (CompletionKind(o)) {
    case ValueKind::kChoices:
      out += " -x -a " + Quoted(Join(o.choices, " "));
      break;
    case ValueKind::kRevision:
      out += " -x -a '(__retort_revisions)'";
      break;
    case ValueKind::kFile:
    case ValueKind::kDirectory:
      out += " -r -F";
      break;
    case ValueKind::kText:
      out += " -x";
      break;
    case ValueKind::kNone:
      break;
  }
  return out + " -d " + Quoted(Brief(o.help)) + "\n";
}

}  // namespace

ValueKind CompletionKind(const OptionDoc& o) {
  if (!o.positional && o.value.empty()) return ValueKind::kNone;
  if (!o.choices.empty()) return ValueKind::kChoices;
  const std::string& name = o.MainName();
  if (o.positional) {
    if (StartsWith(name, "rev")) return ValueKind::kRevision;
    if (Contains(name, "dir")) return ValueKind::kDirectory;
    if (Contains(name, "path") || Contains(name, "file")) {
      return ValueKind::kFile;
    }
    return ValueKind::kText;
  }
  for (const char* rev : {"--head", "--depends-on", "--onto", "--rev-range"}) {
    if (name == rev) return ValueKind::kRevision;
  }
  if (name == "--version-path" || Contains(name, "dir")) {
    return ValueKind::kDirectory;
  }
  if (name == "--config" || Contains(name, "path") || Contains(name, "file")) {
    return ValueKind::kFile;
  }
  return ValueKind::kText;
}

std::string BashCompletion(const CliDoc& cli) {
  std::ostringstream out;
  std::vector<std::string> commands;
  for (const CommandDoc& c : cli.commands) {
    commands.push_back(c.name);
    commands.insert(commands.end(), c.aliases.begin(), c.aliases.end());
  }
  std::vector<std::string> global_with_value;
  for (const OptionDoc& o : cli.globals) {
    if (!o.value.empty()) {
      global_with_value.insert(global_with_value.end(), o.names.begin(),
                               o.names.end());
    }
  }
  out << "# bash completion for retort; generated by 'retort completion "
         "bash'.\n"
      << "# Revision ids and branch labels come from the project, read by\n"
      << "# 'retort __complete revisions' (with the line's -c and -n).\n\n"
      << "_retort_complete_revisions() {\n"
      << "  local i args=()\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \"${COMP_WORDS[i]}\" in\n"
      << "      -c|--config|-n|--name) args+=(\"${COMP_WORDS[i]}\" "
         "\"${COMP_WORDS[i+1]}\") ;;\n"
      << "      --config=*|--name=*) args+=(\"${COMP_WORDS[i]}\") ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  local revs\n"
      << "  revs=$(\"${COMP_WORDS[0]}\" \"${args[@]}\" __complete revisions "
         "2>/dev/null)\n"
      << "  COMPREPLY=($(compgen -W \"head heads base ${revs}\" -- "
         "\"$cur\"))\n"
      << "}\n\n"
      << "_retort() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      << "  local prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  local cmd=\"\" i\n"
      << "  COMPREPLY=()\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \"${COMP_WORDS[i]}\" in\n"
      << "      " << Join(global_with_value, "|") << ") ((i++)) ;;\n"
      << "      -*) ;;\n"
      << "      *) cmd=\"${COMP_WORDS[i]}\"; break ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  local globals=" << Quoted(Join(AllNames(cli.globals), " ")) << "\n"
      << "  case \"$cmd\" in\n";
  for (const CommandDoc& c : cli.commands) {
    std::vector<std::string> names = {c.name};
    names.insert(names.end(), c.aliases.begin(), c.aliases.end());
    out << "    " << Join(names, "|") << ")\n"
        << "      case \"$prev\" in\n";
    BashValueCases(c.options, "        ", out);
    out << "      esac\n";
    // A global option's value (after the command's own, which may shadow
    // one: graph --format dot|mermaid).
    out << "      case \"$prev\" in\n";
    BashValueCases(cli.globals, "        ", out);
    out << "      esac\n"
        << "      if [[ \"$cur\" == -* ]]; then\n"
        << "        COMPREPLY=($(compgen -W "
        << Quoted(Join(AllNames(c.options), " ")) << "\" $globals\" -- "
        << "\"$cur\"))\n"
        << "        return\n"
        << "      fi\n";
    BashPositional(PositionalOf(c), "      ", out);
    out << "      ;;\n";
  }
  out << "    *)\n"
      << "      case \"$prev\" in\n";
  BashValueCases(cli.globals, "        ", out);
  out << "      esac\n"
      << "      if [[ \"$cur\" == -* ]]; then\n"
      << "        COMPREPLY=($(compgen -W \"$globals --help --version\" -- "
         "\"$cur\"))\n"
      << "      else\n"
      << "        COMPREPLY=($(compgen -W " << Quoted(Join(commands, " "))
      << " -- \"$cur\"))\n"
      << "      fi\n"
      << "      ;;\n"
      << "  esac\n"
      << "}\n\n"
      << "complete -F _retort retort\n";
  return out.str();
}

std::string ZshCompletion(const CliDoc& cli) {
  std::ostringstream out;
  out << "#compdef retort\n"
      << "# zsh completion for retort; generated by 'retort completion "
         "zsh'.\n"
      << "# Revision ids and branch labels come from the project, read by\n"
      << "# 'retort __complete revisions' (with the line's -c and -n).\n\n"
      << "_retort_revisions() {\n"
      << "  local -a revs args\n"
      << "  local i\n"
      << "  for ((i = 2; i < CURRENT; i++)); do\n"
      << "    case ${words[i]} in\n"
      << "      -c|--config|-n|--name) args+=(${words[i]} ${words[i+1]}) ;;\n"
      << "      --config=*|--name=*) args+=(${words[i]}) ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  revs=(head heads base ${(f)\"$(${words[1]} $args __complete "
         "revisions 2>/dev/null)\"})\n"
      << "  _describe -t revisions 'revision' revs\n"
      << "}\n\n"
      << "_retort_commands() {\n"
      << "  local -a commands\n"
      << "  commands=(\n";
  for (const CommandDoc& c : cli.commands) {
    out << "    " << Quoted(c.name + ":" + ZshDescription(c.help)) << "\n";
    for (const std::string& alias : c.aliases) {
      out << "    " << Quoted(alias + ":" + ZshDescription(c.help)) << "\n";
    }
  }
  out << "  )\n"
      << "  _describe -t commands 'retort command' commands\n"
      << "}\n\n"
      << "_retort() {\n"
      << "  local curcontext=\"$curcontext\" state line\n"
      << "  local -a globals\n"
      << "  globals=(\n";
  for (const OptionDoc& o : cli.globals) {
    out << "    " << ZshSpec(o) << "\n";
  }
  out << "  )\n"
      << "  _arguments -C $globals ': :_retort_commands' '*:: :->args' && "
         "return\n"
      << "  case $words[1] in\n";
  for (const CommandDoc& c : cli.commands) {
    std::vector<std::string> names = {c.name};
    names.insert(names.end(), c.aliases.begin(), c.aliases.end());
    out << "    " << Join(names, "|") << ")\n"
        << "      _arguments $globals";
    for (const OptionDoc& o : c.options) out << " \\\n        " << ZshSpec(o);
    for (const OptionDoc& p : c.positionals) {
      out << " \\\n        " << ZshSpec(p);
    }
    out << "\n      ;;\n";
  }
  out << "  esac\n"
      << "}\n\n"
      << "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
      << "  _retort \"$@\"\n"
      << "else\n"
      << "  compdef _retort retort\n"
      << "fi\n";
  return out.str();
}

std::string FishCompletion(const CliDoc& cli) {
  std::ostringstream out;
  std::vector<std::string> commands;
  for (const CommandDoc& c : cli.commands) {
    commands.push_back(c.name);
    commands.insert(commands.end(), c.aliases.begin(), c.aliases.end());
  }
  out << "# fish completion for retort; generated by 'retort completion "
         "fish'.\n"
      << "# Revision ids and branch labels come from the project, read by\n"
      << "# 'retort __complete revisions' (with the line's -c and -n).\n\n"
      << "function __retort_revisions\n"
      << "    set -l words (commandline -opc)\n"
      << "    set -l args\n"
      << "    for i in (seq 2 (count $words))\n"
      << "        switch $words[$i]\n"
      << "            case -c --config -n --name\n"
      << "                set -a args $words[$i] $words[(math $i + 1)]\n"
      << "            case '--config=*' '--name=*'\n"
      << "                set -a args $words[$i]\n"
      << "        end\n"
      << "    end\n"
      << "    printf '%s\\n' head heads base\n"
      << "    $words[1] $args __complete revisions 2>/dev/null\n"
      << "end\n\n"
      << "complete -c retort -f\n";
  const std::string none =
      "not __fish_seen_subcommand_from " + Join(commands, " ");
  for (const CommandDoc& c : cli.commands) {
    out << "complete -c retort -n " << Quoted(none) << " -a " << c.name
        << " -d " << Quoted(Brief(c.help)) << "\n";
  }
  for (const OptionDoc& o : cli.globals) out << FishOption(o, "");
  for (const CommandDoc& c : cli.commands) {
    std::vector<std::string> names = {c.name};
    names.insert(names.end(), c.aliases.begin(), c.aliases.end());
    const std::string seen =
        "__fish_seen_subcommand_from " + Join(names, " ");
    for (const OptionDoc& o : c.options) out << FishOption(o, seen);
    if (const OptionDoc* p = PositionalOf(c)) {
      switch (CompletionKind(*p)) {
        case ValueKind::kRevision:
          out << "complete -c retort -n " << Quoted(seen)
              << " -a '(__retort_revisions)'\n";
          break;
        case ValueKind::kFile:
        case ValueKind::kDirectory:
          out << "complete -c retort -n " << Quoted(seen) << " -F\n";
          break;
        case ValueKind::kChoices:
          out << "complete -c retort -n " << Quoted(seen) << " -a "
              << Quoted(Join(p->choices, " ")) << "\n";
          break;
        default:
          break;
      }
    }
  }
  return out.str();
}

Result<std::string> CompletionScript(const CliDoc& cli,
                                     std::string_view shell) {
  if (shell == "bash") return BashCompletion(cli);
  if (shell == "zsh") return ZshCompletion(cli);
  if (shell == "fish") return FishCompletion(cli);
  return Status::InvalidArgument(
      "no completion for shell '" + std::string(shell) + "'" +
      DidYouMean(shell, {"bash", "zsh", "fish"}) +
      " (retort completes bash, zsh and fish)");
}

}  // namespace retort
