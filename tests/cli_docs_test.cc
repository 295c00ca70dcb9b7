// End-to-end tests of what retort says about itself: "did you mean" for
// unknown commands, options and revisions; the completion scripts, run by
// the real shells; the man page, rendered by groff; and cmake --install
// putting both in place.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli_util.h"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

struct ShellResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

// Runs `command` with sh in the project's folder, retort's folder first on
// PATH.
ShellResult Shell(const TempProject& p, const std::string& command) {
  const std::string bin_dir = fs::path(RETORT_BINARY).parent_path().string();
  const std::string script = p.Path(".shell.sh");
  p.WriteFile(".shell.sh", "cd '" + p.dir() + "' || exit 97\nPATH='" + bin_dir +
                               "':\"$PATH\"\n" + command + "\n");
  const std::string out = p.Path(".shell.out");
  int status =
      std::system(("sh '" + script + "' > '" + out + "' 2>&1").c_str());
  ShellResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = p.ReadFile(".shell.out");
  return r;
}

bool Installed(const char* program) {
  return std::system(
             ("command -v " + std::string(program) + " > /dev/null").c_str()) ==
         0;
}

// A tool the test command installs (make deps) is missing: a skip outside
// CI, a failure in CI, where every test runs.
#define SKIP_UNLESS_INSTALLED(program)                                    \
  do {                                                                    \
    if (!Installed(program)) {                                            \
      if (std::getenv("CI") != nullptr) {                                 \
        FAIL() << program << " is not installed (make deps installs it)"; \
      }                                                                   \
      GTEST_SKIP() << program << " is not installed";                     \
    }                                                                     \
  } while (false)

class CliDocsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CliResult r = p_.Run({"init", "migrations"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    WriteRevision(p_, "ae1234567890", "");
    WriteRevision(p_, "bf1234567890", "ae1234567890", "auth");
  }

  // What bash's completion offers for `words` (the last one being
  // completed), one a line.
  std::string BashComplete(const std::string& words) {
    CliResult script = p_.Run({"completion", "bash"});
    EXPECT_EQ(script.exit_code, 0) << script.err;
    p_.WriteFile("retort.bash", script.out);
    ShellResult r =
        Shell(p_, "bash -c 'source ./retort.bash; COMP_WORDS=(" + words +
                      "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _retort; "
                      "printf \"%s\\n\" \"${COMPREPLY[@]}\" | sort'");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }

  TempProject p_;
};

TEST_F(CliDocsTest, UnknownOptionSuggests) {
  CliResult r = p_.Run({"upgrade", "--sqll"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown option '--sqll' for 'upgrade'; did you mean "
            "'--sql'? (see 'retort upgrade --help')\n");
  r = p_.Run({"upgrade", "head", "--sqll=x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown option '--sqll' for 'upgrade'; did you mean "
            "'--sql'? (see 'retort upgrade --help')\n");
  // A global option is a candidate too.
  r = p_.Run({"heads", "--formt", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown option '--formt' for 'heads'; did you mean "
            "'--format'? (see 'retort heads --help')\n");
  // Nothing close: no suggestion.
  r = p_.Run({"history", "--zzzzzz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown option '--zzzzzz' for 'history' (see 'retort "
            "history --help')\n");
  // A relative revision is not an option.
  r = p_.Run({"downgrade", "-1", "--sql", "bf1234567890:ae1234567890"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("unknown option"), std::string::npos) << r.err;
}

TEST_F(CliDocsTest, UnknownCommandSuggests) {
  CliResult r = p_.Run({"upgarde", "head"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: unknown command 'upgarde'; did you mean 'upgrade'? (see "
            "'retort --help')\n");
}

TEST_F(CliDocsTest, UnknownRevisionSuggests) {
  CliResult r = p_.Run({"show", "ae13"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: Can't locate revision identified by 'ae13'; did you mean "
            "'ae1234567890'?\n");
  r = p_.Run({"upgrade", "ae10", "--sql"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: Can't locate revision identified by 'ae10'; did you mean "
            "'ae1234567890'?\n");
  r = p_.Run({"upgrade", "haed", "--sql"});
  EXPECT_EQ(r.err,
            "error: Can't locate revision identified by 'haed'; did you mean "
            "'head'?\n");
  r = p_.Run({"show", "atuh"});
  EXPECT_EQ(r.err,
            "error: Can't locate revision identified by 'atuh'; did you mean "
            "'auth'?\n");
  // Nothing close: Alembic's words alone.
  r = p_.Run({"show", "ffff"});
  EXPECT_EQ(r.err, "error: Can't locate revision identified by 'ffff'\n");
}

TEST_F(CliDocsTest, HiddenCommandsStayHidden) {
  CliResult help = p_.Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("completion"), std::string::npos);
  EXPECT_NE(help.out.find("man"), std::string::npos);
  EXPECT_EQ(help.out.find("__"), std::string::npos) << help.out;
  CliResult man = p_.Run({"man"});
  EXPECT_EQ(man.out.find("__"), std::string::npos);
}

TEST_F(CliDocsTest, CompleteRevisionsListsIdsAndLabels) {
  CliResult r = p_.Run({"__complete", "revisions"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "bf1234567890\nae1234567890\nauth\nauth@head\n");
  // Outside a project: nothing, not even an error.
  TempProject empty;
  r = empty.Run({"__complete", "revisions"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliDocsTest, CompletionShellIsChecked) {
  CliResult r = p_.Run({"completion", "tcsh"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tcsh"), std::string::npos) << r.err;
}

TEST_F(CliDocsTest, BashCompletesCommandsOptionsAndRevisions) {
  EXPECT_EQ(BashComplete("retort upg"), "upgrade\n");
  EXPECT_EQ(BashComplete("retort upgrade --s"), "--schema\n--sql\n");
  EXPECT_EQ(BashComplete("retort upgrade ae"), "ae1234567890\n");
  EXPECT_EQ(BashComplete("retort show au"), "auth\nauth@head\n");
  EXPECT_EQ(BashComplete("retort -c retort.toml show he"), "head\nheads\n");
  EXPECT_EQ(BashComplete("retort --format \"\""), "json\ntext\n");
  EXPECT_EQ(BashComplete("retort heads --format j"), "json\n");
  EXPECT_EQ(BashComplete("retort completion \"\""), "bash\nfish\nzsh\n");
  EXPECT_EQ(BashComplete("retort revision --head b"), "base\nbf1234567890\n");
  // A free-text value offers nothing.
  EXPECT_EQ(BashComplete("retort revision -m \"\""), "\n");
}

TEST_F(CliDocsTest, ZshScriptLoads) {
  SKIP_UNLESS_INSTALLED("zsh");
  CliResult script = p_.Run({"completion", "zsh"});
  ASSERT_EQ(script.exit_code, 0);
  p_.WriteFile("_retort", script.out);
  ShellResult r = Shell(p_, "zsh -n _retort");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Loaded by compinit from $fpath, it defines the completion function.
  r = Shell(p_,
            "zsh -f -c 'fpath=($PWD $fpath); autoload -U compinit; compinit -u "
            "-d .zcompdump; print -r -- $_comps[retort]'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "_retort\n");
}

TEST_F(CliDocsTest, FishCompletesCommandsAndRevisions) {
  SKIP_UNLESS_INSTALLED("fish");
  CliResult script = p_.Run({"completion", "fish"});
  ASSERT_EQ(script.exit_code, 0);
  p_.WriteFile("retort.fish", script.out);
  ShellResult r = Shell(p_, "fish -n retort.fish");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = Shell(p_,
            "HOME=. fish --no-config -c 'source retort.fish; complete -C "
            "\"retort upg\"'");
  EXPECT_EQ(r.out, "upgrade\tupgrade to a later revision\n");
  r = Shell(p_,
            "HOME=. fish --no-config -c 'source retort.fish; complete -C "
            "\"retort show au\"'");
  EXPECT_EQ(r.out, "auth\nauth@head\n");
}

TEST_F(CliDocsTest, ManPageRendersWithoutWarnings) {
  CliResult man = p_.Run({"man"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  p_.WriteFile("retort.1", man.out);
  SKIP_UNLESS_INSTALLED("groff");
  ShellResult r = Shell(p_, "groff -man -ww -z retort.1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");  // no warnings
  r = Shell(p_, "groff -man -Tascii -P -cbou retort.1");
  EXPECT_NE(r.out.find("retort upgrade [OPTIONS]"), std::string::npos);
  EXPECT_NE(r.out.find("EXIT STATUS"), std::string::npos);
  EXPECT_NE(r.out.find("NO_COLOR"), std::string::npos);
  EXPECT_NE(r.out.find("-- retort: backfill table=T key=K batch=N"),
            std::string::npos);
}

// cmake --install puts the man page and the completions where man, bash,
// zsh and fish look (and so into the .deb cpack makes of it).
TEST_F(CliDocsTest, InstallPutsManPageAndCompletions) {
  const std::string build = fs::path(RETORT_BINARY).parent_path().string();
  ShellResult r = Shell(p_, "cmake --install '" + build + "' --prefix prefix");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* file :
       {"share/man/man1/retort.1", "share/bash-completion/completions/retort",
        "share/zsh/site-functions/_retort",
        "share/fish/vendor_completions.d/retort.fish"}) {
    EXPECT_TRUE(fs::is_regular_file(p_.Path(std::string("prefix/") + file)))
        << file;
  }
  EXPECT_EQ(p_.ReadFile("prefix/share/man/man1/retort.1"), p_.Run({"man"}).out);
  EXPECT_EQ(p_.ReadFile("prefix/share/bash-completion/completions/retort"),
            p_.Run({"completion", "bash"}).out);
}

}  // namespace
}  // namespace retort::testing
