// docs/json.md kept honest: every command it lists is run with
// --format json on a small SQLite project, its output parsed, and every
// object key path it printed (e.g. "[].down_revisions",
// "live.drift[].sql") must be a field of the shape the doc gives that
// command. The commands the doc says refuse --format json are run too, and
// must fail with exactly the message it quotes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "alembic_util.h"
#include "cli_util.h"
#include "runtime_util.h"

namespace retort::testing {
namespace {

using json = nlohmann::json;

// What docs/json.md says, read back.
struct JsonDoc {
  // "retort history" -> "revisions".
  std::map<std::string, std::string> commands;
  // shape -> field paths (references to other shapes expanded).
  std::map<std::string, std::set<std::string>> shapes;
  // "retort graph" -> the error line it prints.
  std::map<std::string, std::string> refusals;
  // Commands that print no facts ("retort init").
  std::set<std::string> silent;
  // Fields whose type is "map ...": their keys are data, not fields.
  std::set<std::string> maps;
};

// The cells of a table row "| a | b |", "\|" kept as "|" inside a cell.
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The text between the first pair of backticks, "" when there is none.
std::string FirstCode(const std::string& text) {
  size_t a = text.find('`');
  if (a == std::string::npos) return "";
  size_t b = text.find('`', a + 1);
  if (b == std::string::npos) return "";
  return text.substr(a + 1, b - a - 1);
}

// Every `word` in `text`.
std::vector<std::string> Codes(const std::string& text) {
  std::vector<std::string> out;
  for (size_t a = text.find('`'); a != std::string::npos;) {
    size_t b = text.find('`', a + 1);
    if (b == std::string::npos) break;
    out.push_back(text.substr(a + 1, b - a - 1));
    a = text.find('`', b + 1);
  }
  return out;
}

JsonDoc ReadJsonDoc() {
  std::ifstream in(std::string(RETORT_SOURCE_DIR) + "/docs/json.md");
  EXPECT_TRUE(in.good()) << "docs/json.md is missing";
  JsonDoc doc;
  // shape -> (path, type cell) rows, before references are expanded.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> rows;
  std::string section, shape, line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      section = line.substr(3);
      shape.clear();
      continue;
    }
    if (line.rfind("### `", 0) == 0) {
      shape = FirstCode(line);
      rows[shape];
      continue;
    }
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.size() < 2) continue;
    std::string first = FirstCode(cells[0]);
    if (section.rfind("Commands and their shapes", 0) == 0) {
      doc.commands[first] = FirstCode(cells[1]);
    } else if (section.rfind("Commands that refuse", 0) == 0) {
      doc.refusals[first] = FirstCode(cells[1]);
    } else if (section.rfind("Commands that print no facts", 0) == 0) {
      doc.silent.insert(first);
    } else if (!shape.empty()) {
      rows[shape].emplace_back(first, cells[1]);
      if (cells[1].find("map") != std::string::npos) doc.maps.insert(first);
    }
  }
  // A row whose type names another shape (`revision`) holds that shape's
  // fields: under "P." when P is an array's element ("[]"), else under
  // "P[]." (an array of them).
  std::function<std::set<std::string>(const std::string&, int)> expand =
      [&](const std::string& name, int depth) {
        std::set<std::string> paths;
        if (depth > 4) return paths;
        for (const auto& [path, type] : rows[name]) {
          paths.insert(path);
          for (const std::string& ref : Codes(type)) {
            if (ref == name || !rows.count(ref)) continue;
            std::string prefix =
                path.size() >= 2 && path.substr(path.size() - 2) == "[]"
                    ? path + "."
                    : path + "[].";
            for (const std::string& p : expand(ref, depth + 1)) {
              paths.insert(prefix + p);
            }
          }
        }
        return paths;
      };
  for (const auto& [name, unused] : rows) doc.shapes[name] = expand(name, 0);
  return doc;
}

// Every object key path of `j`: "a", "a.b", "list[].c", "[].id" (a
// top-level array's elements); the keys of a field in `maps` are data.
void KeyPaths(const json& j, const std::string& path,
              const std::set<std::string>& maps, std::set<std::string>* out) {
  if (j.is_object()) {
    if (maps.count(path)) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string p = path.empty() ? it.key() : path + "." + it.key();
      out->insert(p);
      KeyPaths(*it, p, maps, out);
    }
  } else if (j.is_array()) {
    for (const json& e : j) KeyPaths(e, path + "[]", maps, out);
  }
}

// One documented command run with --format json.
struct JsonRun {
  std::string command;  // as docs/json.md names it: "retort history -i"
  std::vector<std::string> args;
  int exit_code;
};

class JsonShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = ReadJsonDoc();
    ASSERT_EQ(p_.Run({"init", "-q", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n"
                 "models = [\"models/*.sql\"]\n"
                 "\n[targets.east]\nurl = \"sqlite:///east.db\"\n"
                 "\n[targets.west]\nurl = \"sqlite:///west.db\"\n");
    p_.WriteFile("models/app.sql",
                 "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n"
                 "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n");
    // a1 branches into b2 and c3 (whose downgrade leaves its table
    // behind, for check --stairway).
    WriteRevision(p_, "a1", "", "", "",
                  "CREATE TABLE accounts (id INTEGER PRIMARY KEY);",
                  "DROP TABLE accounts;", "accounts");
    WriteRevision(p_, "b2", "a1", "", "", "CREATE TABLE t_b2 (id INTEGER);",
                  "DROP TABLE t_b2;", "b two");
    WriteRevision(p_, "c3", "a1", "", "", "CREATE TABLE t_c3 (id INTEGER);",
                  "SELECT 1;", "c three");
  }

  // Runs `run`, checks its exit code, that it printed JSON, and that each
  // key path is a field of the shape docs/json.md gives the command.
  void Check(const JsonRun& run) {
    SCOPED_TRACE(run.command);
    auto doc_command = doc_.commands.find(run.command);
    ASSERT_NE(doc_command, doc_.commands.end())
        << run.command << " is not in docs/json.md's command table";
    auto shape = doc_.shapes.find(doc_command->second);
    ASSERT_NE(shape, doc_.shapes.end())
        << "docs/json.md has no ### `" << doc_command->second << "` table";
    std::vector<std::string> args = {"--format", "json"};
    args.insert(args.end(), run.args.begin(), run.args.end());
    CliResult r = p_.Run(args);
    EXPECT_EQ(r.exit_code, run.exit_code) << r.out << r.err;
    json j;
    try {
      j = json::parse(r.out);
    } catch (const json::exception& e) {
      ADD_FAILURE() << "not JSON (" << e.what() << "):\n" << r.out << r.err;
      return;
    }
    // The doc's top-level type: an array when its rows start with "[]".
    bool documented_array =
        std::any_of(shape->second.begin(), shape->second.end(),
                    [](const std::string& p) { return p.rfind("[]", 0) == 0; });
    EXPECT_EQ(j.is_array(), documented_array) << r.out;
    EXPECT_EQ(j.is_object(), !documented_array) << r.out;
    std::set<std::string> paths;
    KeyPaths(j, "", doc_.maps, &paths);
    EXPECT_FALSE(paths.empty()) << "nothing to check in\n" << r.out;
    for (const std::string& p : paths) {
      EXPECT_TRUE(shape->second.count(p))
          << "`" << p << "` (printed by " << run.command
          << ") is not in docs/json.md's `" << doc_command->second
          << "` table";
    }
    ran_.insert(run.command);
    seen_[doc_command->second].insert(paths.begin(), paths.end());
  }

  JsonDoc doc_;
  TempProject p_;
  std::set<std::string> ran_;
  std::map<std::string, std::set<std::string>> seen_;
};

TEST_F(JsonShapeTest, EveryDocumentedCommandPrintsItsDocumentedShape) {
  ASSERT_FALSE(doc_.commands.empty());
  ASSERT_FALSE(doc_.shapes.empty());
  Check({"retort list-templates", {"list-templates"}, 0});
  Check({"retort lint --rules", {"lint", "--rules"}, 0});
  Check({"retort heads", {"heads"}, 0});
  Check({"retort branches", {"branches"}, 0});
  Check({"retort history", {"history"}, 0});
  Check({"retort show", {"show", "a1"}, 0});
  Check({"retort check --single-head", {"check", "--single-head"}, 1});
  Check({"retort check --stairway", {"check", "--stairway"}, 1});
  Check({"retort rebase", {"rebase", "c3", "--onto", "b2", "--dry-run"}, 0});
  Check({"retort merge", {"merge", "-m", "join", "b2", "c3", "--rev-id", "d4"},
         0});
  WriteRevision(p_, "e5", "d4", "", "", "CREATE TABLE t_e5 (id INTEGER);",
                "DROP TABLE t_e5;", "e five");
  WriteRevision(p_, "f6", "e5", "", "", "CREATE TABLE t_f6 (id INTEGER);",
                "DROP TABLE t_f6;", "f six");
  Check({"retort squash", {"squash", "e5:f6", "-m", "both", "--dry-run"}, 0});
  Check({"retort upgrade", {"upgrade", "--sql", "base:a1"}, 0});
  Check({"retort upgrade", {"upgrade", "e5"}, 0});
  Check({"retort downgrade", {"downgrade", "-1"}, 0});
  Check({"retort stamp", {"stamp", "e5"}, 0});
  Check({"retort current", {"current"}, 0});
  Check({"retort history -i", {"history", "-i"}, 0});
  Check({"retort upgrade --targets/--tenants/--all-schemas",
         {"upgrade", "heads", "--targets", "all"},
         0});
  Check({"retort downgrade --targets/--tenants/--all-schemas",
         {"downgrade", "e5", "--targets", "all"},
         0});
  Check({"retort current --targets/--tenants/--all-schemas",
         {"current", "--targets", "all"},
         0});
  Check({"retort diff", {"diff"}, 0});
  Check({"retort check", {"check"}, 1});
  Check({"retort schemas", {"schemas"}, 0});
  Check({"retort verify", {"verify"}, 0});
  // An applied file edited, a table no revision made: a finding, a drift.
  std::string c3 = p_.ReadFile("migrations/versions/c3.sql");
  p_.WriteFile("migrations/versions/c3.sql", c3 + "-- edited\n");
  {
    auto conn = Open("sqlite:///" + p_.Path("app.db"));
    ASSERT_TRUE(conn && conn->Execute("CREATE TABLE stray (id INTEGER)").ok());
  }
  Check({"retort verify", {"verify"}, 1});
  Check({"retort verify --live", {"verify", "--live"}, 1});
  Check({"retort revision", {"revision", "-m", "empty", "--rev-id", "g7"}, 0});
  // g7's sections are empty: the irreversible-downgrade warning.
  Check({"retort lint", {"lint", "g7"}, 0});
  Check({"retort lint", {"lint", "--no-database", "a1"}, 0});

  ImportProject alembic("sqlite_batch", "sqlite:///app.db");
  {
    SCOPED_TRACE("retort import-alembic");
    CliResult r = alembic.Retort(
        {"--format", "json", "import-alembic", "alembic/alembic.ini"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> paths;
    KeyPaths(json::parse(r.out), "", doc_.maps, &paths);
    EXPECT_TRUE(paths.count("revisions[].uses_schema")) << r.out;
    EXPECT_TRUE(paths.count("schema_version_tables")) << r.out;
    const auto& documented = doc_.shapes[doc_.commands["retort import-alembic"]];
    for (const std::string& p : paths) {
      EXPECT_TRUE(documented.count(p)) << "`" << p << "` is not documented";
    }
    ran_.insert("retort import-alembic");
  }

  // Every command of the doc's table was run here.
  for (const auto& [command, shape] : doc_.commands) {
    EXPECT_TRUE(ran_.count(command))
        << command << " is in docs/json.md but this test does not run it";
  }
  // Fields the doc promises that SQLite printed here (the rest need
  // PostgreSQL, a failing unit or a TODO section): a sample per shape,
  // so a renamed field fails even when the doc was renamed with it.
  for (const auto& [shape, expected] :
       std::map<std::string, std::vector<std::string>>{
           {"revisions", {"[].down_revisions", "[].is_current"}},
           {"branches", {"[].branches_into[].id"}},
           {"migration", {"steps[].duration_ms", "sql"}},
           {"fanout", {"counts.up_to_date", "units[].heads_after"}},
           {"current-many", {"units[].at_head", "revisions[].count"}},
           {"stairway", {"failures[].differences[].sql"}},
           {"verify", {"findings[].recorded", "live.drift[].operation"}},
           {"lint", {"findings[].rule", "database.server_version"}},
           {"lint-rules", {"rules[].why"}},
           {"squash", {"removed_files", "dry_run"}},
           {"rebase", {"old_revises", "nothing_to_do"}},
           {"templates", {"[].description"}},
       }) {
    for (const std::string& path : expected) {
      EXPECT_TRUE(seen_[shape].count(path)) << shape << ": " << path;
    }
  }
}

// Every command of the command table (retort __reference's list) is in
// one of docs/json.md's three tables, so a new command cannot go without
// saying what --format json does to it.
TEST_F(JsonShapeTest, EveryCommandIsInTheDoc) {
  CliResult r = p_.Run({"__reference"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> documented;
  for (const auto* table : {&doc_.commands, &doc_.refusals}) {
    for (const auto& [command, unused] : *table) {
      documented.insert(command.substr(0, command.find(' ', 7)));
    }
  }
  for (const std::string& command : doc_.silent) documented.insert(command);
  std::istringstream lines(r.out);
  std::string line;
  size_t commands = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("- [`", 0) != 0) continue;
    std::string name = FirstCode(line);
    ++commands;
    EXPECT_TRUE(documented.count("retort " + name))
        << "retort " << name << " is in none of docs/json.md's tables";
  }
  EXPECT_GE(commands, 25u) << r.out;
}

TEST_F(JsonShapeTest, RefusalsSayWhatTheDocQuotes) {
  ASSERT_EQ(doc_.refusals.size(), 5u);
  const std::map<std::string, std::vector<std::string>> args = {
      {"retort graph", {"graph"}},
      {"retort schema-graph", {"schema-graph"}},
      {"retort history --graph", {"history", "--graph"}},
      {"retort completion", {"completion", "bash"}},
      {"retort man", {"man"}},
  };
  for (const auto& [command, message] : doc_.refusals) {
    SCOPED_TRACE(command);
    auto a = args.find(command);
    ASSERT_NE(a, args.end()) << command << " is new in docs/json.md";
    std::vector<std::string> run = {"--format", "json"};
    run.insert(run.end(), a->second.begin(), a->second.end());
    CliResult r = p_.Run(run);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, message + "\n");
  }
}

}  // namespace
}  // namespace retort::testing
