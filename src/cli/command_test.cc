#include "cli/command.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

using Args = std::vector<std::string>;

TEST(CliCommand, GlobalOptionsWithValuesMoveBeforeTheCommand) {
  EXPECT_EQ(
      HoistGlobalOptions({"retort", "upgrade", "-x", "schema=auth", "head"}),
      (Args{"retort", "-x", "schema=auth", "upgrade", "head"}));
  EXPECT_EQ(
      HoistGlobalOptions({"retort", "-c", "a.toml", "downgrade", "-x",
                          "schema=auth", "-1", "--sql", "--url=sqlite://",
                          "--format", "json"}),
      (Args{"retort", "-c", "a.toml", "-x", "schema=auth", "--url=sqlite://",
            "--format", "json", "downgrade", "-1", "--sql"}));
  // Flags stay (CLI11 hands them up itself); so does everything after --.
  EXPECT_EQ(HoistGlobalOptions(
                {"retort", "history", "-v", "-r", "a:b", "--", "-x", "y"}),
            (Args{"retort", "history", "-v", "-r", "a:b", "--", "-x", "y"}));
  // The value of a global option before the command is not the command.
  EXPECT_EQ(HoistGlobalOptions({"retort", "--schema", "auth", "current"}),
            (Args{"retort", "--schema", "auth", "current"}));
  EXPECT_EQ(HoistGlobalOptions({"retort"}), (Args{"retort"}));
  // A command's own option of the same name stays with it.
  auto owns_format = [](const std::string& command, std::string_view option) {
    return command == "graph" && option == "--format";
  };
  EXPECT_EQ(
      HoistGlobalOptions({"retort", "graph", "--format", "dot", "-x", "a=b"},
                         owns_format),
      (Args{"retort", "-x", "a=b", "graph", "--format", "dot"}));
}

TEST(CliCommand, TableHasEveryCommandOnce) {
  std::vector<std::string> names;
  for (const CommandInfo& c : CommandTable()) {
    EXPECT_TRUE(std::find(names.begin(), names.end(), c.name) == names.end())
        << c.name;
    names.push_back(c.name);
    EXPECT_NE(c.make(), nullptr);
  }
  // With graph, schema-graph, squash, rebase, completion, man, __reference
  // and __complete.
  EXPECT_EQ(names.size(), 27u);
  EXPECT_EQ(names.front(), "init");
}

}  // namespace
}  // namespace retort
