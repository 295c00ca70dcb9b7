// The normaliser's differential check (autogen/model_normalize.h): plain
// models normalised without a database must give exactly the catalog the
// server gives after loading them.
#ifndef RETORT_TESTS_NORMALIZE_CHECK_H_
#define RETORT_TESTS_NORMALIZE_CHECK_H_

#include <string>

namespace retort::testing {

// When the normaliser accepts `sql`, expects its catalog (CatalogText) to
// equal IntrospectPostgres of `url`, a database created from template0
// into which `sql` was just loaded. What it leaves to a database (views,
// functions: NormalizedModels::load) is loaded alone into another fresh
// database and merged first, as autogenerate does. Returns whether it
// accepted.
bool ExpectNormalizedMatches(const std::string& sql, const std::string& url);

// How many model texts ExpectNormalizedMatches compared in this process.
int NormalizedComparisons();

// How many of those had views or functions loaded alone.
int ResidualComparisons();

}  // namespace retort::testing

#endif  // RETORT_TESTS_NORMALIZE_CHECK_H_
