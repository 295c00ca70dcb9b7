// For tests: a Revision built in one call, so graphs are written in a few
// lines. Included by the revision tests only.
#ifndef RETORT_REVISION_TEST_REVISIONS_H_
#define RETORT_REVISION_TEST_REVISIONS_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "revision/revision.h"
#include "revision/revision_map.h"

namespace retort {

inline Revision Rev(std::string id, std::vector<std::string> down = {},
                    std::vector<std::string> deps = {},
                    std::vector<std::string> labels = {}) {
  Revision r;
  r.id = std::move(id);
  r.down_revisions = std::move(down);
  r.depends_on = std::move(deps);
  r.branch_labels = std::move(labels);
  return r;
}

// The graph of `revisions`, which the test expects to be valid (a failure
// is reported where it is built).
inline RevisionMap BuildGraph(std::vector<Revision> revisions) {
  auto map = RevisionMap::Build(std::move(revisions));
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  return std::move(map).value();
}

}  // namespace retort

#endif  // RETORT_REVISION_TEST_REVISIONS_H_
