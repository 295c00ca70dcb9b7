// DiffModels: scratch load + two introspections + compare + render.
#include "autogen/autogen.h"

#include <chrono>

#include "autogen/render.h"
#include "autogen/scratch.h"
#include "autogen/sqlite_autogen.h"
#include "dialect/url.h"

namespace retort {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

Result<Catalog> LoadAndIntrospect(const std::string& target_url,
                                  const std::vector<std::string>& model_files,
                                  const DiffOptions& options, double* seconds) {
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                          ReadModelFiles(model_files));
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDatabase> scratch,
                          ScratchDatabase::Open(target_url, options.dev_url));
  Status loaded = LoadModels(scratch->conn(), files);
  if (!loaded.ok()) return loaded;  // the destructor drops the scratch db
  auto start = std::chrono::steady_clock::now();
  Result<Catalog> catalog = IntrospectPostgres(scratch->conn(), options.filter);
  if (seconds) *seconds = SecondsSince(start);
  if (!catalog.ok()) return catalog.status().WithContext("models");
  RETORT_RETURN_IF_ERROR(scratch->Close());
  return catalog;
}

}  // namespace

AutogenResult DiffCatalogs(const Catalog& current, const Catalog& desired) {
  AutogenResult result;
  OrderedOperations up = OrderOperations(Compare(current, desired));
  OrderedOperations down = ReverseOperations(up.operations);
  result.cycle = up.cycle || down.cycle;
  result.upgrade_sql = RenderSql(up.operations);
  result.downgrade_sql = RenderSql(down.operations);
  result.operations = std::move(up.operations);
  return result;
}

Result<Catalog> LoadModelCatalog(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options) {
  return LoadAndIntrospect(target_url, model_files, options, nullptr);
}

Result<AutogenResult> DiffModels(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options) {
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
  if (url.dialect == Dialect::kSqlite) {
    return DiffSqliteModels(url, model_files, options);
  }
  double models_seconds = 0;
  RETORT_ASSIGN_OR_RETURN(
      Catalog desired,
      LoadAndIntrospect(target_url, model_files, options, &models_seconds));
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                          Connect(target_url));
  auto start = std::chrono::steady_clock::now();
  Result<Catalog> current = IntrospectPostgres(*conn, options.filter);
  double target_seconds = SecondsSince(start);
  if (!current.ok()) return current.status().WithContext("target database");
  AutogenResult result = DiffCatalogs(*current, desired);
  result.introspect_models_seconds = models_seconds;
  result.introspect_target_seconds = target_seconds;
  return result;
}

}  // namespace retort
