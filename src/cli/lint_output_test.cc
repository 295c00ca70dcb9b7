// Exact text and JSON of `retort lint` (lint_output.h).
#include "cli/lint_output.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

std::string Why(const std::string& id) {
  for (const LintRuleInfo& r : LintRules()) {
    if (r.id == id) return r.why;
  }
  return "";
}

LintResult Sample() {
  LintResult r;
  r.revisions = {"a1", "b2"};
  LintFinding big;
  big.rule = "create-index-non-concurrent";
  big.severity = LintSeverity::kError;
  big.revision = "b2";
  big.path = "v/b2.sql";
  big.line = 12;
  big.statement = "CREATE INDEX ix ON big (v);";
  big.table = "big";
  big.lock = "SHARE";
  big.message = "builds index \"ix\" on big";
  big.size = LintTableSize{123456789, 1234567, 15000};
  LintFinding small = big;
  small.line = 11;
  small.table = "small";
  small.size.reset();
  LintFinding file;
  file.rule = "irreversible-downgrade";
  file.revision = "a1";
  file.path = "v/a1.sql";
  file.line = 20;
  file.message = "empty";
  r.findings = {big, small, file};
  r.database = true;
  r.server_version = 150004;
  r.disabled = 2;
  r.notes = {"a note"};
  return r;
}

TEST(LintOutputTest, PrettySizeIsPgSizePretty) {
  // pg_size_pretty's boundaries (tests/lint_test.cc compares live tables
  // with the server's own pg_size_pretty).
  EXPECT_EQ(PrettySize(0), "0 bytes");
  EXPECT_EQ(PrettySize(10239), "10239 bytes");
  EXPECT_EQ(PrettySize(10240), "10 kB");
  EXPECT_EQ(PrettySize(16384), "16 kB");
  EXPECT_EQ(PrettySize(10485247), "10239 kB");
  EXPECT_EQ(PrettySize(10485760), "10 MB");
  EXPECT_EQ(PrettySize(123456789), "118 MB");
  EXPECT_EQ(PrettySize(int64_t{5} << 40), "5120 GB");
  EXPECT_EQ(PrettySize(int64_t{50} << 40), "50 TB");
}

TEST(LintOutputTest, TextExplainsEachRuleOnceAndSummarises) {
  EXPECT_EQ(LintText(Sample(), false),
            "v/b2.sql:12: error [create-index-non-concurrent] builds index "
            "\"ix\" on big\n"
            "    CREATE INDEX ix ON big (v);\n"
            "    lock: SHARE on big (~1,234,567 rows, 118 MB)\n"
            "    why: " +
                Why("create-index-non-concurrent") +
                "\n\n"
                "v/b2.sql:11: error [create-index-non-concurrent] builds "
                "index \"ix\" on big\n"
                "    CREATE INDEX ix ON big (v);\n"
                "    lock: SHARE on small\n\n"
                "v/a1.sql:20: warning [irreversible-downgrade] empty\n"
                "    why: " +
                Why("irreversible-downgrade") +
                "\n\n"
                "2 errors, 1 warning in 2 revisions (2 silenced by \"-- "
                "retort: lint disable\")\n");
  const std::string verbose = LintText(Sample(), true);
  size_t first = verbose.find(Why("create-index-non-concurrent"));
  EXPECT_NE(verbose.find(Why("create-index-non-concurrent"), first + 1),
            std::string::npos);
  EXPECT_EQ(LintText(LintResult{}, false),
            "0 errors, 0 warnings in 0 revisions\n");
}

TEST(LintOutputTest, JsonShape) {
  EXPECT_EQ(LintJson(Sample()).dump(),
            R"({"version":1,"revisions":["a1","b2"],"dialect":"postgresql",)"
            R"("database":{"server_version":150004},"findings":[)"
            R"({"rule":"create-index-non-concurrent","severity":"error",)"
            R"("revision":"b2","path":"v/b2.sql","line":12,)"
            R"("statement":"CREATE INDEX ix ON big (v);","table":"big",)"
            R"("lock":"SHARE","message":"builds index \"ix\" on big",)"
            R"("size":{"bytes":123456789,"rows":1234567,"pages":15000}},)"
            R"({"rule":"create-index-non-concurrent","severity":"error",)"
            R"("revision":"b2","path":"v/b2.sql","line":11,)"
            R"("statement":"CREATE INDEX ix ON big (v);","table":"small",)"
            R"("lock":"SHARE","message":"builds index \"ix\" on big",)"
            R"("size":null},)"
            R"({"rule":"irreversible-downgrade","severity":"warning",)"
            R"("revision":"a1","path":"v/a1.sql","line":20,"statement":"",)"
            R"("table":null,"lock":null,"message":"empty","size":null}],)"
            R"("errors":2,"warnings":1,"disabled":2,"notes":["a note"]})");
  LintResult offline;
  EXPECT_EQ(LintJson(offline)["database"], nullptr);
}

TEST(LintOutputTest, WarningLinesForAutogenerate) {
  EXPECT_EQ(LintWarningLines(Sample()),
            (std::vector<std::string>{
                "v/b2.sql:12: [create-index-non-concurrent] builds index "
                "\"ix\" on big (lock: SHARE on big (~1,234,567 rows, 118 MB))",
                "v/b2.sql:11: [create-index-non-concurrent] builds index "
                "\"ix\" on big (lock: SHARE on small)",
                "v/a1.sql:20: [irreversible-downgrade] empty"}));
}

TEST(LintOutputTest, RulesTable) {
  const std::string text = LintRulesText();
  EXPECT_EQ(text.substr(0, text.find('\n') + 1),
            "drop-table                     error    DROP TABLE of a table "
            "that holds data\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            static_cast<long>(LintRules().size()));
}

TEST(LintOutputTest, RulesJson) {
  const nlohmann::ordered_json j = LintRulesJson();
  EXPECT_EQ(j["version"], 1);
  ASSERT_EQ(j["rules"].size(), LintRules().size());
  const LintRuleInfo& first = LintRules().front();
  EXPECT_EQ(j["rules"][0].dump(),
            nlohmann::ordered_json({{"id", "drop-table"},
                                    {"severity", "error"},
                                    {"summary",
                                     "DROP TABLE of a table that holds data"},
                                    {"why", first.why}})
                .dump());
  EXPECT_FALSE(first.why.empty());
  for (const auto& rule : j["rules"]) {
    EXPECT_TRUE(rule["severity"] == "error" || rule["severity"] == "warning")
        << rule.dump();
  }
}

}  // namespace
}  // namespace retort
