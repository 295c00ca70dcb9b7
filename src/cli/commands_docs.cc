// Commands that describe retort itself: completion, man, and the hidden
// helpers the completion scripts and docs/reference.md are made with.
#include <set>

#include "cli/cli_doc.h"
#include "cli/command.h"
#include "cli/completion.h"
#include "cli/manual.h"

namespace retort {
namespace {

// `retort completion bash|zsh|fish`.
class CompletionCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->add_option("shell", shell_,
                    "the shell to complete for: bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    app->footer(
        "\nbash: source <(retort completion bash), or install it as "
        "share/bash-completion/completions/retort. zsh: retort completion "
        "zsh > _retort in a folder of $fpath. fish: retort completion fish "
        "> ~/.config/fish/completions/retort.fish. cmake --install puts all "
        "three in place.");
  }

  int Run(CliContext& ctx) override {
    if (ctx.json()) {
      return ctx.UsageError(
          "completion prints a shell script; --format json does not apply");
    }
    Result<std::string> script = CompletionScript(DescribeRetort(), shell_);
    if (!script.ok()) return ctx.UsageError(script.status().message());
    ctx.out() << *script;
    return kExitOk;
  }

 private:
  std::string shell_;
};

// `retort man`: the manual page, in roff.
class ManCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->footer(
        "\nRead it with: retort man | man -l -  (cmake --install puts it in "
        "share/man/man1/retort.1).");
  }

  int Run(CliContext& ctx) override {
    if (ctx.json()) {
      return ctx.UsageError(
          "man prints a roff manual page; --format json does not apply");
    }
    ctx.out() << ManPage(DescribeRetort(), RetortFacts(), RETORT_VERSION);
    return kExitOk;
  }
};

// `retort __reference` (hidden): docs/reference.md.
class ReferenceCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override { app->group(""); }

  int Run(CliContext& ctx) override {
    ctx.out() << ReferenceMarkdown(DescribeRetort(), RetortFacts());
    return kExitOk;
  }
};

// `retort __complete revisions` (hidden): the words a revision argument
// may be, one a line -- ids, branch labels, LABEL@head -- for the
// completion scripts. Prints nothing and exits 1 when the project cannot
// be read: a completion must never print an error into the command line.
class CompleteCommand : public Command {
 public:
  void AddFlags(CLI::App* app) override {
    app->group("");
    app->add_option("what", what_, "what to list: revisions")
        ->required()
        ->check(CLI::IsMember({"revisions"}));
  }

  int Run(CliContext& ctx) override {
    ctx.flags().quiet = true;
    ctx.flags().verbose = false;
    auto m = ctx.OpenMigrator();
    if (!m.ok()) return kExitFailed;
    auto history = (*m)->History("");
    if (!history.ok()) return kExitFailed;
    std::set<std::string> labels;
    for (const RevisionInfo& r : *history) {
      ctx.out() << r.id << "\n";
      labels.insert(r.branch_labels.begin(), r.branch_labels.end());
    }
    for (const std::string& label : labels) ctx.out() << label << "\n";
    for (const std::string& label : labels) {
      ctx.out() << label << "@head\n";
    }
    return kExitOk;
  }

 private:
  std::string what_;
};

}  // namespace

std::vector<CommandInfo> DocsCommands() {
  return {
      {"completion",
       "print a shell completion script (commands, options, revision ids "
       "and branch labels)",
       {},
       MakeCommand<CompletionCommand>},
      {"man", "print retort's manual page (roff, for man -l -)", {},
       MakeCommand<ManCommand>},
      {"__reference", "internal: print docs/reference.md", {},
       MakeCommand<ReferenceCommand>},
      {"__complete", "internal: the words the completion scripts offer", {},
       MakeCommand<CompleteCommand>},
  };
}

}  // namespace retort
