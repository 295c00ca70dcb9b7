#include "cli/completion.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

OptionDoc Option(std::vector<std::string> names, std::string value,
                 std::string help, std::vector<std::string> choices = {}) {
  OptionDoc o;
  o.names = std::move(names);
  o.value = std::move(value);
  o.help = std::move(help);
  o.choices = std::move(choices);
  return o;
}

OptionDoc Positional(std::string name, std::string help) {
  OptionDoc o;
  o.names = {std::move(name)};
  o.help = std::move(help);
  o.positional = true;
  o.required = true;
  return o;
}

CliDoc SmallCli() {
  CliDoc cli;
  cli.globals = {Option({"-c", "--config"}, "FILE", "configuration file"),
                 Option({"--format"}, "text|json", "output format",
                        {"text", "json"}),
                 Option({"-q", "--quiet"}, "", "only errors")};
  CommandDoc up;
  up.name = "upgrade";
  up.help = "upgrade to a later revision";
  up.options = {Option({"--sql"}, "", "print the SQL [offline]")};
  up.positionals = {Positional("revision", "target: head, +N")};
  CommandDoc init;
  init.name = "init";
  init.help = "create a project's files";
  init.options = {Option({"-t", "--template"}, "generic|multischema",
                         "the project's template", {"generic", "multischema"})};
  init.positionals = {Positional("directory", "the folder")};
  cli.commands = {init, up};
  return cli;
}

TEST(Completion, KindsOfValues) {
  EXPECT_EQ(CompletionKind(Option({"--sql"}, "", "")), ValueKind::kNone);
  EXPECT_EQ(CompletionKind(Option({"--format"}, "a|b", "", {"a", "b"})),
            ValueKind::kChoices);
  EXPECT_EQ(CompletionKind(Positional("rev", "")), ValueKind::kRevision);
  EXPECT_EQ(CompletionKind(Positional("revisions", "")), ValueKind::kRevision);
  EXPECT_EQ(CompletionKind(Option({"--head"}, "HEAD", "")),
            ValueKind::kRevision);
  EXPECT_EQ(CompletionKind(Option({"-r", "--rev-range"}, "R", "")),
            ValueKind::kRevision);
  EXPECT_EQ(CompletionKind(Option({"-c", "--config"}, "FILE", "")),
            ValueKind::kFile);
  EXPECT_EQ(CompletionKind(Option({"--version-path"}, "P", "")),
            ValueKind::kDirectory);
  EXPECT_EQ(CompletionKind(Positional("directory", "")),
            ValueKind::kDirectory);
  EXPECT_EQ(CompletionKind(Option({"-m", "--message"}, "MESSAGE", "")),
            ValueKind::kText);
}

TEST(Completion, BashScript) {
  std::string s = BashCompletion(SmallCli());
  EXPECT_NE(s.find("complete -F _retort retort\n"), std::string::npos);
  // Commands, options, values and revisions.
  EXPECT_NE(s.find("COMPREPLY=($(compgen -W 'init upgrade' -- \"$cur\"))"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("        -t|--template) COMPREPLY=($(compgen -W "
                   "'generic multischema' -- \"$cur\")); return ;;\n"),
            std::string::npos);
  EXPECT_NE(s.find("    upgrade)\n"), std::string::npos);
  EXPECT_NE(s.find("COMPREPLY=($(compgen -W '--sql'\" $globals\" -- "
                   "\"$cur\"))"),
            std::string::npos);
  EXPECT_NE(s.find("      _retort_complete_revisions\n"), std::string::npos);
  EXPECT_NE(s.find("      COMPREPLY=($(compgen -d -- \"$cur\"))\n"),
            std::string::npos);
  EXPECT_NE(s.find("__complete revisions 2>/dev/null"), std::string::npos);
  // Only the global options with a value skip their value.
  EXPECT_NE(s.find("      -c|--config|--format) ((i++)) ;;\n"),
            std::string::npos);
}

TEST(Completion, ZshScript) {
  std::string s = ZshCompletion(SmallCli());
  EXPECT_EQ(s.rfind("#compdef retort\n", 0), 0u);
  EXPECT_NE(s.find("    '(-c --config)'{-c,--config}'[configuration "
                   "file]:FILE:_files'\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("'--format[output format]:text|json:(text json)'"),
            std::string::npos);
  // Brackets in help are escaped inside [...].
  EXPECT_NE(s.find("'--sql[print the SQL \\[offline\\]]'"), std::string::npos);
  EXPECT_NE(s.find("':revision:_retort_revisions'"), std::string::npos);
  EXPECT_NE(s.find("    'upgrade:upgrade to a later revision'\n"),
            std::string::npos);
}

TEST(Completion, FishScript) {
  std::string s = FishCompletion(SmallCli());
  EXPECT_NE(s.find("complete -c retort -n 'not __fish_seen_subcommand_from "
                   "init upgrade' -a upgrade -d 'upgrade to a later "
                   "revision'\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("complete -c retort -s c -l config -r -F -d "
                   "'configuration file'\n"),
            std::string::npos);
  EXPECT_NE(s.find("complete -c retort -l format -x -a 'text json' -d "
                   "'output format'\n"),
            std::string::npos);
  EXPECT_NE(s.find("complete -c retort -n '__fish_seen_subcommand_from "
                   "upgrade' -a '(__retort_revisions)'\n"),
            std::string::npos);
}

TEST(Completion, UnknownShell) {
  auto r = CompletionScript(SmallCli(), "bsh");
  EXPECT_EQ(r.status().message(),
            "no completion for shell 'bsh'; did you mean 'bash'? (retort "
            "completes bash, zsh and fish)");
  EXPECT_TRUE(CompletionScript(SmallCli(), "fish").ok());
}

}  // namespace
}  // namespace retort
