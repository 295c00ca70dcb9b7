#include <gtest/gtest.h>

#include "retort/pictures.h"

namespace retort {
namespace {

RevisionInfo Rev(std::string id, std::vector<std::string> parents,
                 std::string doc = "", std::vector<std::string> labels = {}) {
  RevisionInfo r;
  r.id = std::move(id);
  r.down_revisions = std::move(parents);
  r.doc = std::move(doc);
  r.branch_labels = std::move(labels);
  r.is_base = r.down_revisions.empty();
  r.is_merge_point = r.down_revisions.size() > 1;
  return r;
}

// base <- a1 <- a2 <- m, base <- b1 (auth) <- m.
std::vector<RevisionInfo> MergeGraph() {
  std::vector<RevisionInfo> revs{
      Rev("m", {"a2", "b1"}, "merge"), Rev("b1", {"base"}, "users", {"auth"}),
      Rev("a2", {"a1"}, "orders"), Rev("a1", {"base"}, "items"),
      Rev("base", {}, "create")};
  revs[0].is_head = true;
  revs[4].is_branch_point = true;
  return revs;
}

TEST(RevisionGraphText, MergeAndBranchPointAsGitDrawsThem) {
  EXPECT_EQ(RevisionGraphText(MergeGraph()),
            "* m (head) (mergepoint) merge\n"
            "|\\\n"
            "| * b1 (auth) users\n"
            "* | a2 orders\n"
            "* | a1 items\n"
            "|/\n"
            "* base (branchpoint) create\n");
}

TEST(RevisionGraphText, LinearChainIsOneLane) {
  std::vector<RevisionInfo> revs{Rev("c", {"b"}, "third"),
                                 Rev("b", {"a"}, "second"),
                                 Rev("a", {}, "first")};
  revs[0].is_head = true;
  EXPECT_EQ(RevisionGraphText(revs),
            "* c (head) third\n* b second\n* a first\n");
}

TEST(RevisionGraphText, TwoHeadsAndAFarFold) {
  // Three heads over one base: the lane of q ends, the third lane moves
  // left past it and folds into the first.
  std::vector<RevisionInfo> revs{Rev("h1", {"x"}),    Rev("h2", {"y"}),
                                 Rev("h3", {"base"}), Rev("x", {"base"}),
                                 Rev("y", {"z"}),     Rev("z", {"q"}),
                                 Rev("q", {}),        Rev("base", {})};
  EXPECT_EQ(RevisionGraphText(revs),
            "* h1\n"
            "| * h2\n"
            "| | * h3\n"
            "* | | x\n"
            "| * | y\n"
            "| * | z\n"
            "| * | q\n"
            "|  /\n"
            "|/\n"
            "* base\n");
}

TEST(RevisionGraphText, FoldPassesTheLanesBetween) {
  // h2's lane is still open when base comes: the fold from lane 2 travels
  // past lane 1 over two lines.
  std::vector<RevisionInfo> revs{Rev("h1", {"base"}), Rev("h2", {"y"}),
                                 Rev("h3", {"base"}), Rev("base", {}),
                                 Rev("y", {})};
  EXPECT_EQ(RevisionGraphText(revs),
            "* h1\n"
            "| * h2\n"
            "| | * h3\n"
            "| |/\n"
            "|/|\n"
            "* | base\n"
            " /\n"
            "* y\n");
}

TEST(RevisionGraphText, IndependentRootsEndTheirLanes) {
  std::vector<RevisionInfo> revs{Rev("a2", {"a1"}), Rev("b2", {"b1"}),
                                 Rev("a1", {}), Rev("b1", {})};
  EXPECT_EQ(RevisionGraphText(revs),
            "* a2\n"
            "| * b2\n"
            "* | a1\n"
            " /\n"
            "* b1\n");
}

TEST(RevisionGraphText, ThreeParentMergeOpensTwoLanes) {
  std::vector<RevisionInfo> revs{Rev("m", {"a", "b", "c"}), Rev("a", {}),
                                 Rev("b", {}), Rev("c", {})};
  EXPECT_EQ(RevisionGraphText(revs),
            "* m (mergepoint)\n"
            "|\\\n"
            "| |\\\n"
            "* | | a\n"
            " / /\n"
            "* | b\n"
            " /\n"
            "* c\n");
}

TEST(RevisionGraphText, MarksLabelsOnlyWhereTheyStartAndDependsOn) {
  std::vector<RevisionInfo> revs{Rev("b2", {"b1"}, "two", {"auth"}),
                                 Rev("b1", {}, "one", {"auth"})};
  revs[0].depends_on = {"x1"};
  revs[0].is_current = true;
  GraphPictureOptions o;
  o.mark_current = true;
  EXPECT_EQ(RevisionGraphText(revs, o),
            "* b2 (current) two [depends on x1]\n* b1 (auth) one\n");
  o.color = true;
  EXPECT_EQ(RevisionGraphText({revs[1]}, o),
            "* \033[33mb1\033[0m \033[1;32m(auth)\033[0m one\n");
}

TEST(RevisionGraphText, ParentsOutsideARangeAreNotDrawn) {
  std::vector<RevisionInfo> revs{Rev("c", {"b"}), Rev("b", {"a"})};
  EXPECT_EQ(RevisionGraphText(revs), "* c\n* b\n");
}

TEST(RevisionGraphDot, NodesEdgesDependsOnAndMarks) {
  auto revs = MergeGraph();
  revs[1].depends_on = {"a"};  // a prefix of a1 and a2: ambiguous, skipped
  revs[2].depends_on = {"a1"};
  revs[3].is_current = true;
  revs[0].doc = "say \"hi\"";
  GraphPictureOptions o;
  o.mark_current = true;
  o.title = "auth";
  EXPECT_EQ(RevisionGraphDot(revs, o),
            "digraph revisions {\n"
            "  label=\"auth\";\n"
            "  labelloc=t;\n"
            "  rankdir=TB;\n"
            "  node [shape=box, fontname=\"monospace\"];\n"
            "  \"base\" [label=\"base\\ncreate\"];\n"
            "  \"a1\" [label=\"a1\\nitems\", fillcolor=\"palegreen\", "
            "style=\"filled\"];\n"
            "  \"a2\" [label=\"a2\\norders\"];\n"
            "  \"b1\" [label=\"b1 (auth)\\nusers\"];\n"
            "  \"m\" [label=\"m\\nsay \\\"hi\\\"\", style=\"bold\"];\n"
            "  \"base\" -> \"a1\";\n"
            "  \"a1\" -> \"a2\";\n"
            "  \"a1\" -> \"a2\" [style=dashed, label=\"depends on\"];\n"
            "  \"base\" -> \"b1\";\n"
            "  \"a2\" -> \"m\";\n"
            "  \"b1\" -> \"m\";\n"
            "}\n");
}

TEST(RevisionGraphMermaid, FlowchartWithClasses) {
  auto revs = MergeGraph();
  revs[2].depends_on = {"b1"};
  revs[4].is_current = true;
  revs[4].doc = "a <b> #1";
  GraphPictureOptions o;
  o.mark_current = true;
  EXPECT_EQ(RevisionGraphMermaid(revs, o),
            "flowchart TD\n"
            "  r0[\"base<br/>a #lt;b#gt; #35;1\"]\n"
            "  r1[\"a1<br/>items\"]\n"
            "  r2[\"a2<br/>orders\"]\n"
            "  r3[\"b1 (auth)<br/>users\"]\n"
            "  r4[\"m<br/>merge\"]\n"
            "  r0 --> r1\n"
            "  r1 --> r2\n"
            "  r3 -. depends on .-> r2\n"
            "  r0 --> r3\n"
            "  r2 --> r4\n"
            "  r3 --> r4\n"
            "  classDef head stroke-width:3px\n"
            "  class r4 head\n"
            "  classDef current fill:#cfc\n"
            "  class r0 current\n");
}

}  // namespace
}  // namespace retort
