// What `retort lint` prints, as text and as JSON, and the one-line warnings
// `revision --autogenerate` prints for the file it wrote. Pure formatting,
// tested exactly (lint_output_test.cc); docs/lint.md shows both shapes.
#ifndef RETORT_CLI_LINT_OUTPUT_H_
#define RETORT_CLI_LINT_OUTPUT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "retort/lint.h"

namespace retort {

// As pg_size_pretty() prints it: "512 bytes", "16 kB", "120 MB", "3 GB".
std::string PrettySize(int64_t bytes);

// The findings, each as
//   PATH:LINE: SEVERITY [RULE] MESSAGE
//     STATEMENT
//     lock: LOCK on TABLE (~ROWS rows, SIZE)
//     why: PARAGRAPH
// then a blank line; then the summary ("2 errors, 1 warning in 3
// revisions"). `verbose` adds the why paragraph; without it, each rule's
// paragraph is printed once, under its first finding.
std::string LintText(const LintResult& result, bool verbose);

// The stable JSON shape of docs/lint.md ("version": 1).
nlohmann::ordered_json LintJson(const LintResult& result);

// "PATH:LINE: [RULE] MESSAGE (LOCK on TABLE, ~ROWS rows, SIZE)": one line
// per finding, for `revision --autogenerate`'s warnings.
std::vector<std::string> LintWarningLines(const LintResult& result);

// The rule table (`lint --rules`): id, severity and summary, aligned.
std::string LintRulesText();
// `lint --rules --format json`: {"version": 1, "rules": [{"id",
// "severity", "summary", "why"}, ...]} (docs/json.md).
nlohmann::ordered_json LintRulesJson();

}  // namespace retort

#endif  // RETORT_CLI_LINT_OUTPUT_H_
