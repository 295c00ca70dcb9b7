#include "cli/cli_doc.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

namespace retort {
namespace {

TEST(CliDoc, DescribesOptionsPositionalsAndHiddenCommands) {
  CLI::App app("tool: does things", "tool");
  std::string config, format, rev, what;
  std::vector<std::string> x, revs;
  bool verbose = false, sql = false;
  app.add_option("-c,--config", config, "configuration file")
      ->type_name("FILE");
  app.add_option("-x", x, "KEY=VALUE, repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("-v,--verbose", verbose, "more output");
  app.add_option("--format", format, "output format")
      ->check(CLI::IsMember({"text", "json"}));
  CLI::App* up = app.add_subcommand("upgrade", "upgrade to a later version");
  up->add_flag("--sql", sql, "print the SQL");
  up->add_option("--rev-id", rev, "id instead of a random one");
  up->add_option("revisions", revs, "revisions to go to")->required();
  CLI::App* hidden = app.add_subcommand("__complete", "internal");
  hidden->group("");
  hidden->add_option("what", what, "what");

  CliDoc doc = DescribeApp(app);
  EXPECT_EQ(doc.description, "tool: does things");
  ASSERT_EQ(doc.commands.size(), 1u);  // __complete is hidden
  const CommandDoc& c = doc.commands[0];
  EXPECT_EQ(c.name, "upgrade");
  ASSERT_EQ(c.options.size(), 2u);  // --help left out
  EXPECT_EQ(c.options[0].Synopsis(), "--sql");
  EXPECT_EQ(c.options[1].Synopsis(), "--rev-id REV_ID");
  ASSERT_EQ(c.positionals.size(), 1u);
  EXPECT_TRUE(c.positionals[0].required);
  EXPECT_TRUE(c.positionals[0].repeatable);
  EXPECT_EQ(c.positionals[0].Synopsis(), "REVISIONS...");
  EXPECT_EQ(c.Usage(), "retort upgrade [OPTIONS] REVISIONS...");

  std::vector<std::string> globals;
  for (const OptionDoc& o : doc.globals) globals.push_back(o.Synopsis());
  EXPECT_EQ(globals,
            (std::vector<std::string>{"-h, --help", "-c, --config FILE",
                                      "-x X", "-v, --verbose",
                                      "--format text|json"}));
  EXPECT_TRUE(doc.globals[2].repeatable);
  EXPECT_EQ(doc.globals[4].choices,
            (std::vector<std::string>{"text", "json"}));
  EXPECT_EQ(doc.globals[1].MainName(), "--config");
}

// The real table: every command has help, every option has help (the man
// page prints it), and hidden helpers stay out.
TEST(CliDoc, RetortCommandsAllHaveHelp) {
  CliDoc doc = DescribeRetort();
  ASSERT_FALSE(doc.commands.empty());
  for (const CommandDoc& c : doc.commands) {
    EXPECT_FALSE(c.help.empty()) << c.name;
    EXPECT_NE(c.name.substr(0, 2), "__") << c.name;
    for (const OptionDoc& o : c.options) {
      EXPECT_FALSE(o.help.empty()) << c.name << " " << o.MainName();
    }
    for (const OptionDoc& o : c.positionals) {
      EXPECT_FALSE(o.help.empty()) << c.name << " " << o.MainName();
    }
  }
  for (const OptionDoc& o : doc.globals) {
    EXPECT_FALSE(o.help.empty()) << o.MainName();
  }
}

}  // namespace
}  // namespace retort
