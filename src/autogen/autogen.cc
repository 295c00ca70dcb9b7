// DiffModels: scratch load + two introspections + compare + render.
#include "autogen/autogen.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "autogen/model_cache.h"
#include "autogen/model_normalize.h"
#include "autogen/model_residual.h"
#include "autogen/online.h"
#include "autogen/render.h"
#include "autogen/scratch.h"
#include "autogen/sqlite_autogen.h"
#include "dialect/url.h"
#include "picture/schema_diagram.h"
#include "util/clock.h"

namespace retort {
namespace {

// Statements per round trip when loading the models (LoadModelsOptions).
// Measured at 2,000 tables (docs/benchmarks.md): 50, 200 and 1,000 did the
// same; 200 keeps a failing batch's replay short.
constexpr int kLoadBatchStatements = 200;

// A connection failure to the target says what to do about it (a bad URL
// already does).
Status NeedsTheServer(const Status& status) {
  if (status.code() == Status::Code::kInvalidArgument) return status;
  return status.WithContext(
      "comparing the models with the database needs its server (start it, "
      "fix the url, or pass --from migrations to compare with the revisions "
      "instead)");
}

void Log(const DiffOptions& options, LogLevel level, const std::string& line) {
  if (options.log && level >= options.log_level) options.log(level, line);
}

Result<Catalog> Introspect(Connection& conn, const DiffOptions& options,
                           double* seconds) {
  auto start = std::chrono::steady_clock::now();
  Result<Catalog> catalog = IntrospectPostgres(conn, options.filter);
  *seconds = SecondsSince(start);
  return catalog;
}

// The schema options.build_current builds in a new database on `server`
// (dropped afterwards); `*seconds` is the time spent reading it.
Result<Catalog> ReplayedCatalog(ScratchServer& server,
                                const DiffOptions& options, double* seconds) {
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDatabase> replay,
                          server.CreateDatabase());
  RETORT_RETURN_IF_ERROR(options.build_current(replay->url()));
  Result<Catalog> catalog = Introspect(replay->conn(), options, seconds);
  if (!catalog.ok()) return catalog.status().WithContext("migrations");
  RETORT_RETURN_IF_ERROR(replay->Close());
  return catalog;
}

bool Unfiltered(const IntrospectOptions& filter) {
  return filter.include_schemas.empty() && filter.exclude_schemas.empty() &&
         filter.exclude_tables.empty();
}

// Reads the scratch database the models were just loaded into, recording
// the rows into the model cache. They are recorded without a filter, so
// that one recording serves every --schema and include/exclude setting
// (a filter only drops rows as they are read), and the filtered catalog is
// then built from the same rows.
Result<Catalog> ReadAndRecordModels(Connection& conn,
                                    const DiffOptions& options,
                                    const ModelCachePaths& cache,
                                    const std::string& key, double* seconds) {
  auto start = std::chrono::steady_clock::now();
  RecordingConnection recorder(conn);
  Result<Catalog> everything =
      IntrospectPostgres(recorder, IntrospectOptions());
  if (!everything.ok()) return everything;
  IntrospectionRecording recording = recorder.TakeRecording();
  Status written = WriteIntrospectCache(cache.introspect, key, recording);
  Log(options, LogLevel::kDebug,
      written.ok() ? "models: recorded in " + cache.introspect
                   : "model cache not written: " + written.message());
  Result<Catalog> desired = std::move(everything);
  if (!Unfiltered(options.filter)) {
    ReplayConnection replay(std::move(recording));
    desired = IntrospectPostgres(replay, options.filter);
    // Cannot happen while a narrower filter runs a subset of the queries;
    // should that change, read the database again rather than guess.
    if (!desired.ok() || replay.misses() > 0) {
      desired = IntrospectPostgres(conn, options.filter);
    }
  }
  *seconds = SecondsSince(start);
  return desired;
}

// The models' catalog replayed from the model cache's recording under
// `key`; nullopt when the cache holds none. Anything unrecorded makes the
// replay a miss (a query the recording lacks fails the introspection
// today; this keeps it a miss should the introspection ever carry on past
// an optional query).
std::optional<Result<Catalog>> ReadFromModelCache(const ModelCachePaths& cache,
                                                  const std::string& key,
                                                  const DiffOptions& options,
                                                  double* seconds) {
  auto recording = ReadIntrospectCache(cache.introspect, key);
  if (!recording) return std::nullopt;
  ReplayConnection replay(std::move(*recording));
  Result<Catalog> read = Introspect(replay, options, seconds);
  if (read.ok() && replay.misses() > 0) {
    return Status::NotFound("a query the recording does not hold");
  }
  return read;
}

// Runs the setup steps (schema, SQL) and `scan` in `db` and reads it back,
// recording the reading into the model cache under `key` when `cache` is
// given. `temporary`: the database is dropped afterwards, so the loader
// commits as it likes; else (a dev database) the statements run in the
// transaction that is rolled back.
Result<Catalog> LoadAndReadInto(
    ScratchDatabase& db, const ModelScan& scan,
    const std::vector<std::pair<std::string, std::string>>& setup,
    bool temporary, const DiffOptions& options, const ModelCachePaths* cache,
    const std::string& key, double* load_seconds, double* read_seconds) {
  auto start = std::chrono::steady_clock::now();
  for (const auto& [name, sql] : setup) {
    RETORT_RETURN_IF_ERROR(db.conn().Execute(sql).WithContext(
        "creating schema " + name + " for the models"));
  }
  LoadModelsOptions load;
  load.own_transactions = temporary;
  load.batch_statements = kLoadBatchStatements;
  RETORT_RETURN_IF_ERROR(LoadModels(db.conn(), scan, load));
  *load_seconds = SecondsSince(start);
  Result<Catalog> read =
      cache != nullptr
          ? ReadAndRecordModels(db.conn(), options, *cache, key, read_seconds)
          : Introspect(db.conn(), options, read_seconds);
  if (!read.ok()) return read.status().WithContext("models");
  return read;
}

// The same in a new temporary database on `server`, dropped afterwards.
Result<Catalog> LoadAndRead(
    ScratchServer& server, const ModelScan& scan,
    const std::vector<std::pair<std::string, std::string>>& setup,
    const DiffOptions& options, const ModelCachePaths* cache,
    const std::string& key, double* load_seconds, double* read_seconds) {
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDatabase> db,
                          server.CreateDatabase());
  RETORT_ASSIGN_OR_RETURN(
      Catalog read,
      LoadAndReadInto(*db, scan, setup, /*temporary=*/true, options, cache, key,
                      load_seconds, read_seconds));
  RETORT_RETURN_IF_ERROR(db->Close());
  return read;
}

// Seed 001's schema handling (DiffOptions::idempotent_schemas): creating a
// schema cannot fail when another branch's revision made it first, and a
// downgrade never drops a schema that other branches (or data nobody
// modelled) may still use.
// `all`: every schema created; else only those in `implicit`.
bool MakeSchemaCreationIdempotent(std::vector<Operation>* ops, bool all,
                                  const std::set<std::string>& implicit) {
  constexpr std::string_view kPrefix = "schema:";
  std::set<std::string> keys;
  for (const std::string& name : implicit) keys.insert(SchemaKey(name));
  bool any = false;
  for (Operation& op : *ops) {
    if (op.kind != OpKind::kCreateSchema || !op.object.starts_with(kPrefix)) {
      continue;
    }
    if (!all && !keys.count(op.object)) continue;
    std::string name = op.object.substr(kPrefix.size());  // already quoted
    any = true;
    op.sql = "CREATE SCHEMA IF NOT EXISTS " + name + ";\n";
    op.reverse_sql.clear();
    op.reverse_destructive = false;
    op.reverse_comments = {
        "-- DROP SCHEMA is left commented out so that a downgrade "
        "never drops a schema other revisions or data may still use; "
        "uncomment it to drop " +
            name + " with everything in it:",
        "-- DROP SCHEMA IF EXISTS " + name + " CASCADE;"};
  }
  return any;
}

// `why`, when set, is logged first: starting a cluster takes a second or
// more, and the user should know what the wait is for.
Result<std::unique_ptr<ScratchServer>> StartEphemeral(
    const DiffOptions& options, const std::string& why) {
  if (!why.empty()) Log(options, LogLevel::kInfo, why);
  auto start = std::chrono::steady_clock::now();
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<ScratchServer> server,
                          ScratchServer::Ephemeral());
  char took[32];
  std::snprintf(took, sizeof(took), "%.2f", SecondsSince(start));
  Log(options, LogLevel::kDebug,
      "started " + server->description() + " in " + server->cluster()->dir() +
          " (port " + std::to_string(server->cluster()->port()) + ") in " +
          took + " s");
  return server;
}

// The server scratch databases are created on; null when none is needed
// (models in the dev database, current schema read from the target).
Result<std::unique_ptr<ScratchServer>> OpenScratchServer(
    const std::string& target_url, const DiffOptions& options) {
  if (options.ephemeral) {
    return StartEphemeral(
        options, "starting a throwaway PostgreSQL cluster for the comparison");
  }
  if (!options.dev_url.empty()) {
    if (!options.build_current) return std::unique_ptr<ScratchServer>();
    return ScratchServer::OnServerOf(options.dev_url);
  }
  if (!options.build_current) {
    auto server = ScratchServer::OnServerOf(target_url);
    if (!server.ok()) return NeedsTheServer(server.status());
    return server;
  }
  // Replaying the migrations needs no real database: any server will do,
  // and a throwaway one when there is none.
  if (target_url.empty()) {
    return StartEphemeral(options,
                          "no database URL is configured; starting a "
                          "throwaway PostgreSQL cluster for the comparison");
  }
  auto server = ScratchServer::OnServerOf(target_url);
  if (server.ok()) return server;
  Log(options, LogLevel::kWarn,
      server.status().message() + "; " +
          "starting a throwaway PostgreSQL cluster for the comparison instead");
  return StartEphemeral(options, "");
}

// The models normalised without a scratch database (model_normalize.h),
// or null (and why, in `*why`) when they must be loaded: they are not plain
// DDL, the scratch database would not be a new database on a PostgreSQL 15
// server, or unqualified names might not go to "public" there.
// `setup_schemas` are created before the models run.
std::shared_ptr<const NormalizedModels> NormalizedWithoutDatabase(
    const ModelScan& models, const Result<ScratchIdentity>& identity, bool dev,
    const std::vector<std::string>& setup_schemas, std::string* why) {
  const char* off = std::getenv("RETORT_MODEL_NORMALIZER");
  if (off != nullptr && std::string_view(off) == "off") {
    *why = "RETORT_MODEL_NORMALIZER=off";
    return nullptr;
  }
  if (dev) {
    *why = "a dev database holds more than the models";
    return nullptr;
  }
  if (!identity.ok() || identity->user.empty()) {
    *why = "the scratch server's settings are not known";
    return nullptr;
  }
  if (identity->server_version / 10000 != kNormalizedServerMajor) {
    *why = "the server is not PostgreSQL " +
           std::to_string(kNormalizedServerMajor);
    return nullptr;
  }
  if (identity->search_path_source != "default") {
    *why = "the server's search_path is set (" + identity->search_path_source +
           ")";
    return nullptr;
  }
  std::shared_ptr<const NormalizedModels> normalized = models.normalized;
  if (normalized == nullptr) {
    normalized =
        std::make_shared<const NormalizedModels>(NormalizeModels(models));
  }
  if (!normalized->catalog) {
    *why = normalized->declined;
    return nullptr;
  }
  // The search_path's "$user" schema comes before public once it exists,
  // whether the models or the setup step create it.
  if (normalized->unqualified &&
      (normalized->created_schemas.count(identity->user) ||
       std::find(setup_schemas.begin(), setup_schemas.end(), identity->user) !=
           setup_schemas.end())) {
    *why = "unqualified names would go to schema " + identity->user;
    return nullptr;
  }
  for (const std::string& schema : normalized->needed_schemas) {
    if (std::find(setup_schemas.begin(), setup_schemas.end(), schema) ==
        setup_schemas.end()) {
      *why = "schema " + schema + " is used but not created";
      return nullptr;
    }
  }
  return normalized;
}

}  // namespace

struct TargetRead::State {
  std::mutex mu;
  std::condition_variable cv;
  bool connected = false;  // connect_status and identity are set
  Status connect_status;
  Result<ScratchIdentity> identity = Status::Internal("identity not read");
  int server_version = 0;
  bool done = false;  // catalog and seconds are set
  Result<Catalog> catalog = Status::Internal("not read");
  double seconds = 0;
  std::jthread thread;
};

TargetRead::TargetRead() : state_(std::make_unique<State>()) {}

TargetRead::~TargetRead() {
  if (state_->thread.joinable()) state_->thread.join();
}

std::unique_ptr<TargetRead> TargetRead::Start(std::string url,
                                              IntrospectOptions filter,
                                              bool identity) {
  std::unique_ptr<TargetRead> read(new TargetRead());
  State* st = read->state_.get();
  st->thread = std::jthread(
      [st, url = std::move(url), filter = std::move(filter), identity] {
        auto connected = Connect(url);
        {
          std::lock_guard<std::mutex> lock(st->mu);
          st->connected = true;
          if (connected.ok()) {
            if (identity) {
              st->identity =
                  ServerIdentity(**connected, /*database_settings=*/false);
            }
            st->server_version = (*connected)->ServerVersion();
          } else {
            st->connect_status = connected.status();
            st->done = true;
            st->catalog = connected.status();
          }
        }
        st->cv.notify_all();
        if (!connected.ok()) return;
        auto start = std::chrono::steady_clock::now();
        Result<Catalog> catalog = IntrospectPostgres(**connected, filter);
        double seconds = SecondsSince(start);
        {
          std::lock_guard<std::mutex> lock(st->mu);
          st->catalog = std::move(catalog);
          st->seconds = seconds;
          st->done = true;
        }
        st->cv.notify_all();
      });
  return read;
}

Status TargetRead::Connected() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->connected; });
  return state_->connect_status;
}

const Result<ScratchIdentity>& TargetRead::identity() const {
  return state_->identity;
}

int TargetRead::server_version() const { return state_->server_version; }

Result<Catalog> TargetRead::Take(double* seconds) {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->done; });
  *seconds = state_->seconds;
  Result<Catalog> out = std::move(state_->catalog);
  state_->catalog = Status::Internal("the target's catalog was taken");
  return out;
}

namespace {

// PostgreSQL refuses to use an enum value in the transaction that added it
// ("unsafe use of new enum value"): when a statement after the ADD VALUEs
// names an added value ('v'::type in a default, a CHECK, a view), the
// statements after the last ADD VALUE start a step of their own, so the
// values are committed first (-- retort: step, docs/revision-files.md).
void StepAfterAddedEnumValues(std::vector<Operation>* ops) {
  std::vector<std::string> added;  // "'v'::", as a use of the value starts
  size_t last = ops->size();
  for (size_t i = 0; i < ops->size(); ++i) {
    for (const std::string& key : (*ops)[i].creates) {
      if (!key.starts_with(kEnumValueKeyPrefix)) continue;
      added.push_back(key.substr(kEnumValueKeyPrefix.size()) + "::");
      last = i;
    }
  }
  if (added.empty() || last + 1 >= ops->size()) return;
  for (size_t i = last + 1; i < ops->size(); ++i) {
    const std::string& sql = (*ops)[i].sql;
    for (const std::string& use : added) {
      if (sql.find(use) == std::string::npos) continue;
      std::vector<std::string>& comments = (*ops)[last + 1].comments;
      comments.insert(comments.begin(),
                      "-- the values added above are committed first: "
                      "PostgreSQL refuses to use an enum value in the "
                      "transaction that added it");
      comments.insert(comments.begin(), "-- retort: step");
      return;
    }
  }
}

}  // namespace

AutogenResult DiffCatalogs(const Catalog& current, const Catalog& desired,
                           bool idempotent_schemas,
                           const std::set<std::string>& implicit_schemas,
                           bool online) {
  AutogenResult result;
  std::vector<Operation> ops = Compare(current, desired);
  const bool first =
      MakeSchemaCreationIdempotent(&ops, idempotent_schemas, implicit_schemas);
  OrderedOperations up = OrderOperations(std::move(ops));
  if (first) {
    // "Create the schemas first", as seed 001's first revision does.
    std::stable_partition(
        up.operations.begin(), up.operations.end(),
        [](const Operation& op) { return op.kind == OpKind::kCreateSchema; });
  }
  std::vector<Operation> contract;
  if (online) contract = TakeContractOperations(&up.operations);
  OrderedOperations down = ReverseOperations(up.operations);
  result.cycle = up.cycle || down.cycle;
  StepAfterAddedEnumValues(&up.operations);
  if (online) PlanOnline(&up.operations, current, desired);
  result.upgrade_sql = RenderSql(up.operations);
  result.downgrade_sql = RenderSql(down.operations);
  result.operations = std::move(up.operations);
  if (!contract.empty()) {
    OrderedOperations contract_down = ReverseOperations(contract);
    result.cycle = result.cycle || contract_down.cycle;
    result.contract_upgrade_sql = RenderSql(contract);
    result.contract_downgrade_sql = RenderSql(contract_down.operations);
    for (Operation& op : contract) result.operations.push_back(std::move(op));
  }
  return result;
}

Result<AutogenResult> DiffModels(const std::string& target_url,
                                 const std::vector<std::string>& model_files,
                                 const DiffOptions& options) {
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
  // SQLite models may use SQLite's own syntax, which PostgreSQL's parser
  // behind ScanModels rejects: they go straight to the SQLite loader.
  if (url.dialect == Dialect::kSqlite) {
    return DiffSqliteModels(url, model_files, options);
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                          ReadModelFiles(model_files));
  RETORT_ASSIGN_OR_RETURN(ModelScan scan, ScanModelsCached(files));
  return DiffScannedModels(target_url, scan, options);
}

Result<AutogenResult> DiffScannedModels(const std::string& target_url,
                                        const ModelScan& models,
                                        const DiffOptions& options) {
  // Replaying the migrations needs no target: without a URL they go to a
  // throwaway cluster (OpenScratchServer).
  if (!target_url.empty() || !options.build_current) {
    RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
    if (url.dialect == Dialect::kSqlite) {
      return DiffSqliteModels(url, models.files, options);
    }
  }
  const bool dev = !options.dev_url.empty() && !options.ephemeral;
  // Declared first so that it outlives the scratch databases on it. Opened
  // now when the migrations are replayed (needed whatever the model cache
  // holds); for the models alone, only on a cache miss.
  std::unique_ptr<ScratchServer> server;
  if (options.build_current) {
    RETORT_ASSIGN_OR_RETURN(server, OpenScratchServer(target_url, options));
  }
  std::shared_ptr<TargetRead> target;
  if (!options.build_current) {
    target = options.target_read != nullptr
                 ? options.target_read
                 : std::shared_ptr<TargetRead>(TargetRead::Start(
                       target_url, options.filter,
                       /*identity=*/!dev && !options.ephemeral));
    Status connected = target->Connected();
    if (!connected.ok()) return NeedsTheServer(connected);
  }

  // Where the models go, and what that database's contents depend on
  // besides the models (the model cache's key). When that cannot be read,
  // the models are loaded and nothing is cached.
  std::unique_ptr<ScratchDatabase> dev_db;
  Result<ScratchIdentity> identity = Status::Internal("no identity");
  std::string description;
  if (dev) {
    RETORT_ASSIGN_OR_RETURN(dev_db, ScratchDatabase::OpenDev(options.dev_url));
    identity = DevDatabaseIdentity(dev_db->conn());
    description = "the dev database " + RedactedUrl(options.dev_url);
  } else if (server != nullptr) {
    identity = server->Identity();
    description = server->description();
  } else if (options.ephemeral) {
    identity = EphemeralServerIdentity();
    description =
        "a throwaway PostgreSQL " +
        std::to_string(identity.ok() ? identity->server_version / 10000 : 0) +
        " cluster";
  } else {
    // Here the target is read (no replay): its URL parsed above.
    identity = target->identity();
    description = "the server of " + RedactedUrl(target_url);
  }
  if (!identity.ok()) {
    Log(options, LogLevel::kDebug,
        "model cache not used: " + identity.status().message());
  }

  // The target is read on a thread of its own (TargetRead, with its own
  // connection) while the models load and are read: the two sides share
  // nothing.
  Result<Catalog> current = Status::Internal("no current schema");
  double models_seconds = 0, current_seconds = 0;

  // Seed 001: schemas are detected from the models, which need not create
  // them.
  std::vector<std::pair<std::string, std::string>> setup;  // schema, SQL
  std::set<std::string> implicit_schemas;
  for (const auto& [name, schema] : models.schemas) {
    // public is in every new database: nothing to create, and no setup
    // step that would change the model cache's key.
    if (schema.objects == 0 || name == "public") continue;
    if (schema.created) {
      // CREATE SCHEMA IF NOT EXISTS in the models (SQLAlchemy's DDL): the
      // models need the schema without owning it.
      if (schema.created_if_not_exists) implicit_schemas.insert(name);
      continue;
    }
    setup.emplace_back(name,
                       "CREATE SCHEMA IF NOT EXISTS " + QuoteSqlIdent(name));
    implicit_schemas.insert(name);
  }
  std::optional<ModelCachePaths> cache;
  std::string cache_key;
  if (identity.ok()) {
    cache = ModelCacheFor(models.files);
    std::vector<std::string> setup_sql;
    for (const auto& step : setup) setup_sql.push_back(step.second);
    if (cache) cache_key = IntrospectKey(models, setup_sql, identity->text);
  }

  Result<Catalog> desired = Status::Internal("models not read");
  // Or the normalised models' catalog itself, when nothing is filtered out.
  std::shared_ptr<const NormalizedModels> normalized;
  const Catalog* desired_catalog = nullptr;
  std::string cache_state = cache ? "miss" : "off";
  if (cache) {
    auto start = std::chrono::steady_clock::now();
    if (auto cached =
            ReadFromModelCache(*cache, cache_key, options, &models_seconds)) {
      desired = std::move(*cached);
      if (desired.ok()) {
        cache_state = "hit";
        Log(options, LogLevel::kDebug,
            "models: read from the model cache " + cache->introspect + " in " +
                Seconds(SecondsSince(start)) + " s");
      } else {
        Log(options, LogLevel::kDebug,
            "model cache " + cache->introspect +
                " not used: " + desired.status().message());
      }
    }
  }
  if (cache_state != "hit") {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> setup_schemas;
    for (const auto& step : setup) setup_schemas.push_back(step.first);
    std::string why;
    normalized =
        NormalizedWithoutDatabase(models, identity, dev, setup_schemas, &why);
    if (normalized != nullptr) {
      const Catalog& catalog = *normalized->catalog;
      if (setup_schemas.empty() &&
          FilterKeepsEverything(catalog, options.filter)) {
        desired_catalog = &catalog;  // compared as it is, not copied
      } else {
        Catalog copy = catalog;
        for (const std::string& schema : setup_schemas) {
          copy.schemas[SchemaKey(schema)].name = schema;
        }
        desired = FilterNormalizedCatalog(std::move(copy), options.filter);
      }
      models_seconds = SecondsSince(start);
      cache_state = "normalised";
      description = "no database (plain models, normalised by retort)";
      Log(options, LogLevel::kDebug,
          "models: " + std::to_string(models.statements.size()) +
              " statements normalised without a database in " +
              Seconds(models_seconds) + " s");
    } else {
      Log(options, LogLevel::kDebug,
          "models: loaded into a database (not normalised here: " + why + ")");
    }
  }
  if (cache_state == "normalised" && !normalized->load.empty()) {
    // Views and functions the normaliser left to a database: loaded with
    // what they need, read, and merged (model_residual.h).
    auto start = std::chrono::steady_clock::now();
    Catalog merged = desired_catalog ? *desired_catalog : std::move(*desired);
    desired_catalog = nullptr;
    const std::string residual_key = cache_key + "\n(views and functions)";
    std::optional<Catalog> residual;
    double seconds = 0;
    if (cache) {
      auto cached = ReadFromModelCache(*cache, residual_key, options, &seconds);
      if (cached && cached->ok()) {
        residual = std::move(**cached);
        cache_state = "hit";
      }
    }
    std::string loaded;
    if (!residual) {
      if (server == nullptr) {
        RETORT_ASSIGN_OR_RETURN(server, OpenScratchServer(target_url, options));
      }
      ModelScan part = SubScan(models, normalized->load);
      double load_seconds = 0, read_seconds = 0;
      Result<Catalog> read =
          LoadAndRead(*server, part, setup, options, cache ? &*cache : nullptr,
                      residual_key, &load_seconds, &read_seconds);
      if (read.ok()) {
        residual = std::move(*read);
        loaded = ", " + std::to_string(part.statements.size()) +
                 " loaded into " + server->description() + " in " +
                 Seconds(load_seconds) + " s and read in " +
                 Seconds(read_seconds) + " s";
      } else {
        // The whole model set, loaded as before, reports the error where
        // it belongs or, should the statements picked have lacked a need
        // the order does not track, loads.
        Log(options, LogLevel::kDebug,
            "models: views and functions not loaded alone (" +
                read.status().message() + "); loading every statement");
        cache_state = cache ? "miss" : "off";
        normalized = nullptr;
        description = server->description();
      }
    }
    if (residual) {
      MergeResidualCatalog(merged, std::move(*residual));
      desired = std::move(merged);
      models_seconds = SecondsSince(start) + models_seconds;
      description =
          "no database for the tables (normalised by retort); " +
          std::to_string(normalized->residual.size()) +
          " statements of views and functions loaded into " +
          (server != nullptr ? server->description() : "a cached database");
      Log(options, LogLevel::kDebug,
          "models: " + std::to_string(normalized->residual.size()) +
              " statements of views and functions" +
              (loaded.empty() ? " read from the model cache" : loaded));
    }
  }
  if (cache_state != "hit" && cache_state != "normalised") {
    if (!dev && server == nullptr) {
      RETORT_ASSIGN_OR_RETURN(server, OpenScratchServer(target_url, options));
      description = server->description();
    }
    std::unique_ptr<ScratchDatabase> models_db;
    if (dev) {
      models_db = std::move(dev_db);
    } else {
      RETORT_ASSIGN_OR_RETURN(models_db, server->CreateDatabase());
    }
    double load_seconds = 0;
    desired = LoadAndReadInto(*models_db, models, setup, /*temporary=*/!dev,
                              options, cache ? &*cache : nullptr, cache_key,
                              &load_seconds, &models_seconds);
    if (!desired.ok()) return desired.status();
    RETORT_RETURN_IF_ERROR(models_db->Close());
    Log(options, LogLevel::kDebug,
        "models: " + std::to_string(models.statements.size()) +
            " statements loaded into " + description + " in " +
            Seconds(load_seconds) + " s, read in " + Seconds(models_seconds) +
            " s");
  } else if (dev_db != nullptr) {
    RETORT_RETURN_IF_ERROR(dev_db->Close());
  }

  if (options.ephemeral && target != nullptr) {
    int version = identity.ok()       ? identity->server_version
                  : server != nullptr ? server->server_version()
                                      : 0;
    if (version != 0 && version / 10000 != target->server_version() / 10000) {
      Log(options, LogLevel::kWarn,
          "the models are loaded into PostgreSQL " +
              std::to_string(version / 10000) +
              " but the target runs PostgreSQL " +
              std::to_string(target->server_version() / 10000) +
              ": definitions the two print differently will show as "
              "changes; set dev_url to a database of the target's version");
    }
  }

  if (options.build_current) {
    current = ReplayedCatalog(*server, options, &current_seconds);
    if (!current.ok()) return current.status();
  } else {
    current = target->Take(&current_seconds);
    if (!current.ok()) return current.status().WithContext("target database");
    Log(options, LogLevel::kDebug,
        "target database read in " + Seconds(current_seconds) + " s");
  }

  AutogenResult diff = DiffCatalogs(
      *current, desired_catalog ? *desired_catalog : *desired,
      options.idempotent_schemas, implicit_schemas, options.online);
  diff.introspect_models_seconds = models_seconds;
  diff.introspect_target_seconds = current_seconds;
  diff.scratch = description;
  diff.model_cache = cache_state;
  if (options.keep_diagram) {
    diff.desired_diagram = std::make_shared<SchemaDiagram>(
        DiagramOf(desired_catalog ? *desired_catalog : *desired));
  }
  return diff;
}

Result<AutogenResult> DiffLiveWithReplay(const std::string& target_url,
                                         const DiffOptions& options) {
  if (!options.build_current) {
    return Status::Internal("DiffLiveWithReplay needs build_current");
  }
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
  if (url.dialect == Dialect::kSqlite) {
    return DiffSqliteLiveWithReplay(url, options);
  }
  // The live database is read on a thread of its own while the migrations
  // replay.
  std::unique_ptr<TargetRead> live =
      TargetRead::Start(target_url, options.filter, /*identity=*/false);
  RETORT_RETURN_IF_ERROR(live->Connected());
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<ScratchServer> server,
                          OpenScratchServer(target_url, options));
  if (server->server_version() / 10000 != live->server_version() / 10000) {
    Log(options, LogLevel::kWarn,
        "the migrations are replayed into PostgreSQL " +
            std::to_string(server->server_version() / 10000) +
            " but the database runs PostgreSQL " +
            std::to_string(live->server_version() / 10000) +
            ": definitions the two print differently will show as drift; "
            "pass --dev with a database of the live server's version");
  }
  double replay_seconds = 0, live_seconds = 0;
  RETORT_ASSIGN_OR_RETURN(Catalog replayed,
                          ReplayedCatalog(*server, options, &replay_seconds));
  Result<Catalog> current = live->Take(&live_seconds);
  if (!current.ok()) return current.status().WithContext("live database");
  AutogenResult diff = DiffCatalogs(*current, replayed);
  diff.introspect_models_seconds = replay_seconds;
  diff.introspect_target_seconds = live_seconds;
  diff.scratch = server->description();
  return diff;
}

Result<std::unique_ptr<ScratchServer>> OpenReplayServer(
    const std::string& target_url, const DiffOptions& options) {
  DiffOptions replay = options;
  if (!replay.build_current) {
    replay.build_current = [](const std::string&) { return Status::OK(); };
  }
  return OpenScratchServer(target_url, replay);
}

}  // namespace retort
