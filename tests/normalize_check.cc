#include "normalize_check.h"

#include <gtest/gtest.h>

#include <atomic>

#include "autogen/model_normalize.h"
#include "autogen/model_residual.h"
#include "autogen/model_scan.h"
#include "autogen/scratch.h"
#include "catalog/pg_introspect.h"
#include "dialect/url.h"
#include "pg_harness.h"

namespace retort::testing {
namespace {
std::atomic<int> g_comparisons{0};
std::atomic<int> g_residual_comparisons{0};

// The catalog of a fresh database into which `load` of `scan` was loaded,
// as autogenerate reads what the normaliser left to a database.
std::optional<Catalog> ResidualCatalog(const ModelScan& scan,
                                       const std::vector<size_t>& load) {
  std::string url = FreshDatabaseUrl();
  EXPECT_FALSE(url.empty());
  if (url.empty()) return std::nullopt;
  auto conn = Connect(url);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return std::nullopt;
  Status loaded = LoadModels(**conn, SubScan(scan, load));
  EXPECT_TRUE(loaded.ok())
      << "what the views and functions need did not load alone: "
      << loaded.ToString();
  if (!loaded.ok()) return std::nullopt;
  auto read = IntrospectPostgres(**conn, IntrospectOptions());
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  if (!read.ok()) return std::nullopt;
  return std::move(read).value();
}

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
  Catalog normalized = *scan->normalized->catalog;
  const bool residual = !scan->normalized->load.empty();
  if (residual) {
    std::optional<Catalog> rest =
        ResidualCatalog(*scan, scan->normalized->load);
    if (!rest) return true;
    MergeResidualCatalog(normalized, std::move(*rest));
    ++g_residual_comparisons;
  }
  EXPECT_EQ(CatalogText(normalized), CatalogText(*loaded))
      << "the normalised catalog (left"
      << (residual ? ", with the views and functions loaded alone" : "")
      << ") differs from the server's for:\n"
      << sql;
  ++g_comparisons;
  return true;
}

int NormalizedComparisons() { return g_comparisons; }
int ResidualComparisons() { return g_residual_comparisons; }

}  // namespace retort::testing
