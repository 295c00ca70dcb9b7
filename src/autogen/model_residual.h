// What the model normaliser leaves to a database (NormalizedModels::
// residual: views, materialized views, functions and what touches only
// them) is loaded into a scratch database with just what it needs
// (NormalizedModels::load), read back, and merged into the normalised
// catalog. The merged catalog is tested to equal the one a full load of the
// same models gives (tests/normalize_check.cc, over every round-trip
// schema).
#ifndef RETORT_AUTOGEN_MODEL_RESIDUAL_H_
#define RETORT_AUTOGEN_MODEL_RESIDUAL_H_

#include <cstddef>
#include <vector>

#include "autogen/model_scan.h"
#include "catalog/catalog.h"

namespace retort {

// The statements to load for `seeds` (indexes of statements): the seeds,
// what they need -- `needs[i]`, ModelOrder::needs -- transitively, and
// `always` (settings statements), ascending.
std::vector<size_t> LoadClosure(const std::vector<std::vector<size_t>>& needs,
                                const std::vector<size_t>& seeds,
                                const std::vector<size_t>& always);

// The statements of `scan` at `indexes` (in load order, ascending), as a
// scan of their own for LoadModels; order notes kept with their statements.
ModelScan SubScan(const ModelScan& scan, const std::vector<size_t>& indexes);

// Adds to `normalized` (the normaliser's catalog, filtered as `residual`
// was read) what `residual` -- the catalog of a database into which
// NormalizedModels::load was loaded -- holds and `normalized` lacks: the
// views, materialized views and functions, with their indexes, grants
// (column grants too) and dependency edges. What both hold (the tables the
// views read, loaded only for them) is kept as normalised.
void MergeResidualCatalog(Catalog& normalized, Catalog residual);

}  // namespace retort

#endif  // RETORT_AUTOGEN_MODEL_RESIDUAL_H_
