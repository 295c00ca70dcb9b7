#include "cli/manual.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/command.h"

namespace retort {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Manual, RoffEscape) {
  EXPECT_EQ(RoffEscape("run --sql, -x schema=auth"),
            "run \\-\\-sql, \\-x schema=auth");
  EXPECT_EQ(RoffEscape("non-transactional"), "non-transactional");
  EXPECT_EQ(RoffEscape("a\\b"), "a\\eb");
  EXPECT_EQ(RoffEscape(".hidden\n'quoted"), "\\&.hidden\n\\&'quoted");
}

CliDoc SmallCli() {
  CliDoc cli;
  OptionDoc sql;
  sql.names = {"--sql"};
  sql.help = "print the SQL instead of running it";
  OptionDoc rev;
  rev.names = {"revision"};
  rev.help = "target: head, +N";
  rev.positional = true;
  rev.required = true;
  CommandDoc up;
  up.name = "upgrade";
  up.help = "upgrade to a later revision";
  up.options = {sql};
  up.positionals = {rev};
  cli.commands = {up};
  OptionDoc format;
  format.names = {"--format"};
  format.value = "text|json";
  format.choices = {"text", "json"};
  format.help = "output format";
  cli.globals = {format};
  return cli;
}

TEST(Manual, ManPageSections) {
  ManualFacts facts;
  facts.exit_codes = {{"0", "Success."}, {"2", "A malformed command line."}};
  facts.environment = {{"NO_COLOR", "No colours."}};
  facts.directives = {{"-- retort: empty", "Empty on purpose."}};
  std::string man = ManPage(SmallCli(), facts, "1.2.3");
  EXPECT_NE(man.find(".TH RETORT 1 \"\" \"retort 1.2.3\" \"User Commands\"\n"),
            std::string::npos);
  EXPECT_NE(man.find(".SS \"retort upgrade [OPTIONS] REVISION\"\n"
                     "Upgrade to a later revision.\n"
                     ".TP\n.I REVISION\nTarget: head, +N.\n"
                     ".TP\n.B \\-\\-sql\nPrint the SQL instead of running "
                     "it.\n"),
            std::string::npos)
      << man;
  EXPECT_NE(man.find(".SH GLOBAL OPTIONS\n.TP\n.BI \"\\-\\-format \" "
                     "\"text|json\"\nOutput format.\n"),
            std::string::npos)
      << man;
  EXPECT_NE(man.find(".SH EXIT STATUS\n.TP\n.B 0\nSuccess.\n.TP\n.B 2\n"),
            std::string::npos);
  EXPECT_NE(man.find(".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nNo colours.\n"),
            std::string::npos);
  EXPECT_NE(man.find(".B \\-\\- retort: empty\nEmpty on purpose.\n"),
            std::string::npos);
}

TEST(Manual, RetortFactsComeFromTheTables) {
  ManualFacts facts = RetortFacts();
  ASSERT_EQ(facts.exit_codes.size(), ExitCodeTable().size());
  EXPECT_EQ(facts.exit_codes[2].term, "2");
  bool no_color = false, retort_config = false;
  for (const ManualEntry& e : facts.environment) {
    no_color |= e.term == "NO_COLOR";
    retort_config |= e.term == "RETORT_CONFIG";
  }
  EXPECT_TRUE(no_color && retort_config);
  ASSERT_FALSE(facts.directives.empty());
  EXPECT_EQ(facts.directives.front().term, "-- retort: TODO REASON");
  EXPECT_EQ(facts.header_keys.front().term, "-- Revision ID:");
}

// docs/exit-codes.md says more on each code; it must have a row for every
// code of the table (and no other).
TEST(Manual, ExitCodesDocHasEveryCode) {
  const std::string doc =
      ReadFile(std::string(RETORT_SOURCE_DIR) + "/docs/exit-codes.md");
  size_t rows = 0;
  for (const ExitCodeInfo& e : ExitCodeTable()) {
    EXPECT_NE(doc.find("\n| " + std::string(e.code) + " |"), std::string::npos)
        << e.code;
    ++rows;
  }
  size_t doc_rows = 0;
  for (size_t at = doc.find("\n| "); at != std::string::npos;
       at = doc.find("\n| ", at + 1)) {
    ++doc_rows;
  }
  EXPECT_EQ(doc_rows, rows + 2);  // + the heading and its rule
}

// docs/reference.md is generated; regenerate it with `make reference` (or
// RETORT_UPDATE_REFERENCE_DOC=1 retort_unit_tests
// --gtest_filter=Manual.ReferenceDocIsUpToDate).
TEST(Manual, ReferenceDocIsUpToDate) {
  const std::string path = std::string(RETORT_SOURCE_DIR) + "/docs/reference.md";
  const std::string want = ReferenceMarkdown(DescribeRetort(), RetortFacts());
  const char* update = std::getenv("RETORT_UPDATE_REFERENCE_DOC");
  if (update && std::string(update) == "1") {
    std::ofstream(path) << want;
  }
  EXPECT_TRUE(ReadFile(path) == want)
      << "docs/reference.md is out of date: run 'make reference'";
}

}  // namespace
}  // namespace retort
