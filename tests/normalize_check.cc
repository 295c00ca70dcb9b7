#include "normalize_check.h"

#include <gtest/gtest.h>

#include <atomic>

#include "autogen/model_normalize.h"
#include "autogen/model_scan.h"
#include "catalog/pg_introspect.h"
#include "dialect/url.h"

namespace retort::testing {
namespace {
std::atomic<int> g_comparisons{0};
}  // namespace

bool ExpectNormalizedMatches(const std::string& sql, const std::string& url) {
  auto scan = ScanModels({ModelFile{"models.sql", sql}});
  if (!scan.ok() || scan->normalized == nullptr || !scan->normalized->catalog ||
      !scan->normalized->needed_schemas.empty()) {
    return false;
  }
  auto conn = Connect(url);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return true;
  auto loaded = IntrospectPostgres(**conn, IntrospectOptions());
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return true;
  EXPECT_EQ(CatalogText(*scan->normalized->catalog), CatalogText(*loaded))
      << "the normalised catalog (left) differs from the server's for:\n"
      << sql;
  ++g_comparisons;
  return true;
}

int NormalizedComparisons() { return g_comparisons; }

}  // namespace retort::testing
