// End-to-end tests of the pictures: `history --graph`, `graph` and
// `schema-graph`, on SQLite and on the harness's PostgreSQL. The dot
// output is rendered by Graphviz (a test dependency: make deps installs
// it), the mermaid output is checked line by line for its shape.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "pg_harness.h"

namespace retort::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Renders `dot_text` with Graphviz's dot -Tsvg; the SVG, or a failure.
std::string RenderSvg(const TempProject& p, const std::string& dot_text) {
  p.WriteFile("picture.dot", dot_text);
  std::string cmd = "dot -Tsvg '" + p.Path("picture.dot") + "' -o '" +
                    p.Path("picture.svg") + "' 2> '" + p.Path("dot.err") + "'";
  int rc = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
      << "dot -Tsvg failed (is Graphviz installed? make deps installs it): "
      << p.ReadFile("dot.err") << "\n"
      << dot_text;
  if (!(WIFEXITED(rc) && WEXITSTATUS(rc) == 0)) return "";
  EXPECT_EQ(p.ReadFile("dot.err"), "");  // no warnings either
  return p.ReadFile("picture.svg");
}

// base1 <- a1 <- a2 <- m1 <- n1 (depends on b1); base1 <- b1 (auth) <- b2
// <- m1.
void WriteMergeGraph(const TempProject& p) {
  WriteRevision(p, "base1", "", "", "", "CREATE TABLE t (id int);",
                "DROP TABLE t;", "create t");
  WriteRevision(p, "a1", "base1", "", "", "", "", "add orders");
  WriteRevision(p, "a2", "a1", "", "", "", "", "add items");
  WriteRevision(p, "b1", "base1", "auth", "", "", "", "users");
  WriteRevision(p, "b2", "b1", "", "", "", "", "more users");
  WriteRevision(p, "m1", "a2, b2", "", "", "", "", "merge auth and shop");
  WriteRevision(p, "n1", "m1", "", "b1", "", "", "note");
}

class PicturesSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml",
                 "script_location = \"migrations\"\n"
                 "url = \"sqlite:///app.db\"\n"
                 "models = [\"models/*.sql\"]\n");
    WriteMergeGraph(p_);
  }
  TempProject p_;
};

TEST_F(PicturesSqlite, HistoryGraphDrawsLanesAndMarksCurrent) {
  // No database file yet: nothing is current, and nothing is said.
  CliResult r = p_.Run({"history", "--graph"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string lanes =
      "* n1 (head) note [depends on b1]\n"
      "* m1 (mergepoint) merge auth and shop\n"
      "|\\\n"
      "* | a2 add items\n"
      "* | a1 add orders\n"
      "| * b2 more users\n"
      "| * b1 (auth) users\n"
      "|/\n"
      "* base1 (branchpoint) create t\n";
  EXPECT_EQ(r.out, lanes);
  // No colour when stdout is not a terminal.
  EXPECT_EQ(r.out.find('\033'), std::string::npos);

  ASSERT_EQ(p_.Run({"upgrade", "a2"}).exit_code, 0);
  r = p_.Run({"history", "--graph"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("* | a2 (current) add items\n"), std::string::npos)
      << r.out;

  // A range draws only its revisions.
  r = p_.Run({"history", "--graph", "-r", "base1:a2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "* a2 (current) add items\n"
            "* a1 add orders\n"
            "* base1 (branchpoint) create t\n");

  // --graph and JSON do not mix.
  r = p_.Run({"--format", "json", "history", "--graph"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: history --graph draws text; history --format json lists "
            "each revision's parents instead (see 'retort --help')\n");
}

TEST_F(PicturesSqlite, HistoryGraphWarnsWhenTheDatabaseCannotBeRead) {
  // A closed port on loopback: drawn without marks, and said so.
  CliResult r =
      p_.Run({"--url", "postgresql://u@127.0.0.1:1/x", "history", "--graph"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("* n1 (head) note", 0), 0u) << r.out;
  EXPECT_EQ(r.err.rfind("warning: current revisions not marked: cannot "
                        "connect to postgresql://u@127.0.0.1:1/x",
                        0),
            0u)
      << r.err;
  // With -i the marks were asked for: an error.
  r = p_.Run(
      {"--url", "postgresql://u@127.0.0.1:1/x", "history", "--graph", "-i"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: cannot connect to postgresql://", 0), 0u)
      << r.err;
}

TEST_F(PicturesSqlite, GraphDotRendersWithGraphviz) {
  ASSERT_EQ(p_.Run({"upgrade", "b2"}).exit_code, 0);
  CliResult r = p_.Run({"graph", "-i"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("digraph revisions {\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("  \"b2\" [label=\"b2\\nmore users\", "
                       "fillcolor=\"palegreen\", style=\"filled\"];\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  \"b1\" -> \"n1\" [style=dashed, label=\"depends "
                       "on\"];\n"),
            std::string::npos);
  std::string svg = RenderSvg(p_, r.out);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  // Every revision is a node of the picture, every parent an edge.
  for (const char* id : {"base1", "a1", "a2", "b1", "b2", "m1", "n1"}) {
    EXPECT_NE(svg.find(std::string("<title>") + id + "</title>"),
              std::string::npos)
        << id;
  }
  EXPECT_NE(svg.find("<title>a2&#45;&gt;m1</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>b2&#45;&gt;m1</title>"), std::string::npos);

  r = p_.Run({"--format", "json", "graph"});
  EXPECT_EQ(r.exit_code, 2);
  r = p_.Run({"graph", "--format", "png"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(PicturesSqlite, GraphMermaidHasAFlowchartsShape) {
  CliResult r = p_.Run({"graph", "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "flowchart TD");
  const std::regex node(R"(  r\d+\["[^"]*"\])");
  const std::regex edge(R"(  r\d+ (-->|-\. depends on \.->) r\d+)");
  const std::regex style(R"(  (classDef \w+ .+|class r\d+(,r\d+)* \w+))");
  int nodes = 0, edges = 0, dashed = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (std::regex_match(lines[i], node)) {
      ++nodes;
    } else if (std::regex_match(lines[i], edge)) {
      ++edges;
      if (lines[i].find("depends on") != std::string::npos) ++dashed;
    } else {
      EXPECT_TRUE(std::regex_match(lines[i], style)) << lines[i];
    }
  }
  EXPECT_EQ(nodes, 7);
  EXPECT_EQ(edges, 8);  // seven parent links and one dependency
  EXPECT_EQ(dashed, 1);
  EXPECT_NE(r.out.find("  class r6 head\n"), std::string::npos) << r.out;
}

TEST_F(PicturesSqlite, SchemaGraphOfModelsAndDatabase) {
  p_.WriteFile("models/app.sql",
               "CREATE TABLE users (id integer PRIMARY KEY, email text);\n"
               "CREATE TABLE orders (id integer PRIMARY KEY,\n"
               "  user_id integer REFERENCES users (id), note text);\n");
  CliResult r = p_.Run({"schema-graph", "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "erDiagram\n"
            "  orders {\n"
            "    integer id PK\n"
            "    integer user_id FK\n"
            "  }\n"
            "  users {\n"
            "    integer id PK\n"
            "  }\n"
            "  orders }o--|| users : \"user_id\"\n");
  r = p_.Run({"schema-graph", "--all-columns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(">note</td>"), std::string::npos) << r.out;
  std::string svg = RenderSvg(p_, r.out);
  EXPECT_NE(svg.find("<title>orders:c1&#45;&gt;users:c0</title>"),
            std::string::npos)
      << svg;

  // The database has no tables yet (no file: nothing is created).
  r = p_.Run({"schema-graph", "--from", "database", "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "erDiagram\n");
  EXPECT_FALSE(std::filesystem::exists(p_.Path("app.db")));

  r = p_.Run({"schema-graph", "--from", "database", "--dev", "ephemeral"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --dev is where the models load; with --from database "
            "nothing is loaded (see 'retort --help')\n");
  r = p_.Run({"schema-graph", "--from", "nowhere"});
  EXPECT_EQ(r.exit_code, 2);

  // No models: said, with the other source to draw from.
  p_.WriteFile("retort.toml",
               "script_location = \"migrations\"\n"
               "url = \"sqlite:///app.db\"\n");
  r = p_.Run({"schema-graph"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: schema-graph: no models configured to draw; draw the live "
            "database with --from database, or add models = "
            "[\"models/*.sql\"] (or a sqlalchemy: entry) to retort.toml\n");
}

class PicturesPg : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(p_.Run({"init", "migrations"}).exit_code, 0);
    p_.WriteFile("retort.toml", "script_location = \"migrations\"\nurl = \"" +
                                    url_ + "\"\nmodels = [\"models/*.sql\"]\n");
    p_.WriteFile(
        "models/app.sql",
        "CREATE SCHEMA auth;\nCREATE SCHEMA shop;\n"
        "CREATE TABLE auth.users (id bigint PRIMARY KEY, email text);\n"
        "CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY "
        "PRIMARY KEY,\n"
        "  buyer bigint NOT NULL REFERENCES auth.users (id),\n"
        "  \"user\" bigint REFERENCES auth.users (id), total numeric(10,2));\n"
        "CREATE TABLE shop.lines (order_id bigint REFERENCES shop.orders,\n"
        "  n int, PRIMARY KEY (order_id, n));\n");
  }
  std::string url_;
  TempProject p_;
};

TEST_F(PicturesPg, SchemaGraphFromModelsMatchesTheDatabaseAfterUpgrade) {
  CliResult models = p_.Run({"schema-graph", "--format", "mermaid"});
  ASSERT_EQ(models.exit_code, 0) << models.err;
  EXPECT_EQ(models.out,
            "erDiagram\n"
            "  auth_users {\n"
            "    bigint id PK\n"
            "  }\n"
            "  shop_lines {\n"
            "    bigint order_id PK, FK\n"
            "    integer n PK\n"
            "  }\n"
            "  shop_orders {\n"
            "    bigint id PK\n"
            "    bigint buyer FK\n"
            "    bigint user FK\n"
            "  }\n"
            "  shop_lines }o--|| shop_orders : \"order_id\"\n"
            "  shop_orders }o--|| auth_users : \"buyer\"\n"
            "  shop_orders }o--|| auth_users : \"user\"\n");

  // The live database, empty, then migrated to the models.
  CliResult r =
      p_.Run({"schema-graph", "--from", "database", "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "erDiagram\n");
  ASSERT_EQ(p_.Run({"revision", "--autogenerate", "-m", "all", "--rev-id",
                    "aaaa00000001"})
                .exit_code,
            0);
  ASSERT_EQ(p_.Run({"upgrade", "head"}).exit_code, 0);
  r = p_.Run({"schema-graph", "--from", "database", "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, models.out);

  // One schema: its tables only, named without the schema.
  r = p_.Run({"--schema", "auth", "schema-graph", "--from", "database",
              "--format", "mermaid"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "---\ntitle: \"auth\"\n---\n"
            "erDiagram\n  users {\n    bigint id PK\n  }\n");

  // dot: a cluster per schema, rendered by Graphviz.
  r = p_.Run({"schema-graph", "--all-columns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("subgraph \"cluster_shop\""), std::string::npos);
  EXPECT_NE(r.out.find(">numeric(10,2)</td>"), std::string::npos) << r.out;
  std::string svg = RenderSvg(p_, r.out);
  EXPECT_NE(svg.find("<title>cluster_auth</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>shop.orders:c1&#45;&gt;auth.users:c0</title>"),
            std::string::npos)
      << svg;
}

}  // namespace
}  // namespace retort::testing
