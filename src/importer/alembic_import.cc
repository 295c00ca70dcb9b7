// ImportAlembicProject; see alembic_import.h.
#include "importer/alembic_import.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "config/vault.h"
#include "dialect/url.h"
#include "importer/imported_file.h"
#include "python/answer.h"
#include "python/embedded_scripts.h"
#include "revision/revision_map.h"
#include "script/revision_file.h"
#include "script/script_directory.h"
#include "script/template.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace retort {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

// The value the worker passes wherever a revision asks for the schema; the
// composed files say ${schema} there.
constexpr char kSchemaSentinel[] = "retort_import_schema_3f1c";
// A revision's module-level code may be slow (it imports the project), but
// never this slow unless it waits on something.
constexpr auto kRenderTimeout = 120s;
constexpr auto kStartTimeout = 60s;

void Log(const AlembicImportContext& c, LogLevel level,
         const std::string& text) {
  if (c.log && level >= c.log_level) c.log(level, text);
}

// The worker's error answer as a Status.
Status WorkerError(const json& answer, const std::string& context) {
  std::string message = AnswerString(answer, "message");
  if (message.empty()) {
    message = "unexpected answer " +
              answer.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return Status::InvalidArgument(context.empty() ? message
                                                 : context + ": " + message);
}

// A path as shown to the user: relative to `base` when inside it.
std::string Shown(const std::string& path, const std::string& base) {
  std::error_code ec;
  fs::path rel = fs::relative(path, base, ec);
  if (ec || rel.empty() || *rel.begin() == "..") return path;
  return rel.string();
}

RenderedSection Section(const json& s) {
  RenderedSection out;
  out.statements = AnswerStrings(s, "statements");
  out.empty = AnswerBool(s, "empty");
  out.function_line = static_cast<int>(AnswerInt(s, "function_line"));
  out.source = AnswerString(s, "source");
  const json& todo = AnswerObject(s, "todo");
  if (!todo.empty()) {
    out.todo = true;
    out.todo_line = static_cast<int>(AnswerInt(todo, "line"));
    out.todo_reason = AnswerString(todo, "reason");
  }
  return out;
}

// One Alembic revision file, as the workers answered for it.
struct Work {
  std::string path;  // absolute
  json header;       // the "header" answer
  json render;       // the "render" answer
  Status error;      // a header or body the worker could not read
  bool needs_scratch = false;
  // Rendered on a scratch SQLite database: table rebuilds, which need
  // foreign key enforcement off (as Alembic's connection has it).
  bool rebuilt_on_scratch = false;
};

// A pool of workers, each on its own thread, sharing one list of files.
class WorkerPool {
 public:
  WorkerPool(const AlembicImportContext& context, json setup)
      : context_(context), setup_(std::move(setup)) {}

  // Runs `job(worker, i)` for i in [0, n) on `jobs` workers. The first
  // worker failing to start or set up is the error.
  Status Run(int jobs, size_t n,
             const std::function<Status(PythonWorker&, size_t)>& job) {
    std::atomic<size_t> next{0};
    std::mutex mu;
    Status first;
    auto body = [&](size_t slot) {
      Status s = Worker(slot).status();
      while (s.ok()) {
        size_t i = next.fetch_add(1);
        if (i >= n) break;
        // Nothing may escape a thread: it would end the process.
        try {
          s = job(*workers_[slot], i);
        } catch (const std::exception& e) {
          s = Status::Internal(std::string("import-alembic: ") + e.what());
        }
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = s;
        next = n;  // the others stop after their current file
      }
    };
    if (n == 0) return Status::OK();
    jobs = std::max(1, std::min<int>(jobs, static_cast<int>(n)));
    if (workers_.size() < static_cast<size_t>(jobs)) workers_.resize(jobs);
    std::vector<std::thread> threads;
    for (int t = 1; t < jobs; ++t) threads.emplace_back(body, t);
    body(0);
    for (auto& t : threads) t.join();
    return first;
  }

  // The worker of `slot`, started and set up on first use.
  // Run() sizes workers_ before its threads start; each thread touches
  // its own slot only.
  Result<PythonWorker*> Worker(size_t slot) {
    if (workers_[slot]) return workers_[slot].get();
    RETORT_ASSIGN_OR_RETURN(auto w, StartWorker(context_.python));
    RETORT_ASSIGN_OR_RETURN(json answer, w->Call(setup_, kStartTimeout));
    if (!AnswerOk(answer)) {
      return WorkerError(answer, "setting up the Alembic worker");
    }
    workers_[slot] = std::move(w);
    return workers_[slot].get();
  }

  // A worker that answered hello, for the project's own questions.
  static Result<std::unique_ptr<PythonWorker>> StartWorker(
      const PythonCommand& python) {
    RETORT_ASSIGN_OR_RETURN(auto w,
                            PythonWorker::Start(python, kAlembicWorkerScript));
    RETORT_ASSIGN_OR_RETURN(json hello,
                            w->Call({{"op", "hello"}}, kStartTimeout));
    if (!AnswerOk(hello)) {
      if (AnswerString(hello, "error") == "no_alembic") {
        std::string detail = AnswerString(hello, "message");
        const bool sqlalchemy =
            detail.find("sqlalchemy") != std::string::npos &&
            detail.find("alembic") == std::string::npos;
        return PythonMissingModule(
            python, sqlalchemy ? "sqlalchemy" : "alembic",
            sqlalchemy ? "python3-sqlalchemy" : "python3-alembic", detail);
      }
      return WorkerError(hello, "starting the Alembic worker");
    }
    return w;
  }

 private:
  const AlembicImportContext& context_;
  json setup_;
  std::vector<std::unique_ptr<PythonWorker>> workers_;
};

// Revisions in an order that applies them: parents and dependencies first
// (ties by file order, so the output is stable).
std::vector<size_t> ApplyOrder(
    const RevisionMap& map, const std::vector<Work>& work,
    const std::unordered_map<std::string, size_t>& index_of) {
  std::vector<size_t> order;
  std::vector<char> state(work.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] != 0) return;
    state[i] = 1;
    const RevisionNode* node =
        map.Find(AnswerString(work[i].header, "revision"));
    if (node) {
      for (const std::string& dep : map.NormalizedDownRevisions(*node)) {
        auto it = index_of.find(dep);
        if (it != index_of.end()) visit(it->second);
      }
    }
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < work.size(); ++i) visit(i);
  return order;
}

// The dialect of a URL, "" when it names none retort knows (a Vault
// reference, Alembic's "driver://" placeholder, nothing).
std::string DialectOf(const std::string& url) {
  if (url.empty() || IsVaultReference(url)) return "";
  Result<DatabaseUrl> parsed = ParseDatabaseUrl(url);
  if (!parsed.ok()) return "";
  return parsed->dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

// The dialect to render for: --dialect, else the retort project's url,
// else alembic.ini's sqlalchemy.url -- and when the two name different
// databases, neither: the user says which.
Result<std::string> ChooseDialect(const std::string& flag, const Config& config,
                                  const std::string& ini_url,
                                  const std::string& ini,
                                  const AlembicImportContext& context) {
  if (!flag.empty()) return flag;
  const std::string ours = DialectOf(config.url);
  const std::string theirs = DialectOf(ini_url);
  const std::string config_name =
      config.path.empty() ? std::string("retort.toml") : config.path;
  if (!ours.empty() && !theirs.empty() && ours != theirs) {
    return Status::InvalidArgument(
        "the url in " + config_name + " is a " +
        (ours == "sqlite" ? "SQLite" : "PostgreSQL") + " database, but " + ini +
        "'s sqlalchemy.url is " +
        (theirs == "sqlite" ? "SQLite" : "PostgreSQL") + ": set url in " +
        config_name + " to the database Alembic migrates, or pass --dialect " +
        theirs + " (or --dialect " + ours +
        ") to choose the SQL the revisions are "
        "rendered in");
  }
  if (!ours.empty()) return ours;
  if (!theirs.empty()) {
    Log(context, LogLevel::kInfo,
        "rendering for " + theirs + ", the database of " + ini +
            "'s sqlalchemy.url (the url in " + config_name +
            " does not say: pass --dialect to choose)");
    return theirs;
  }
  return Status::InvalidArgument(
      "cannot tell which SQL to render the revisions in: the url in " +
      config_name + " is " +
      (config.url.empty()             ? std::string("not set")
       : IsVaultReference(config.url) ? std::string("a Vault reference")
                                      : std::string("not a URL retort knows")) +
      ", and " +
      (ini.empty() ? std::string("there is no alembic.ini")
                   : ini + "'s sqlalchemy.url names no database") +
      "; pass --dialect postgresql or --dialect sqlite");
}

// A TOML basic string: quotes and backslashes escaped, control characters
// as \uXXXX.
std::string TomlString(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A TOML key: bare when it can be, else quoted.
std::string TomlKey(const std::string& key) {
  const bool bare =
      !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  return bare ? key : TomlString(key);
}

// The [schemas.*] block matching env.py's mapping.
std::string SchemasConfig(const std::map<std::string, std::string>& mapping,
                          const RevisionMap& map) {
  std::string out;
  for (const auto& [schema, table] : mapping) {
    if (!out.empty()) out += "\n";
    out += "[schemas." + TomlKey(schema) + "]\n";
    out += "version_table = " + TomlString(table) + "\n";
    // The version table lives in the schema, which must exist before the
    // first revision runs (env.py creates it, as the seeds' do).
    out += "create = true\n";
    if (map.FindBranchLabel(schema) != nullptr) {
      out += "branch = " + TomlString(schema) + "\n";
    } else {
      out += "# no revision has the branch label " + TomlString(schema) +
             ": set branch = \"<label>\" to the branch holding these "
             "revisions\n";
    }
  }
  return out;
}

// Files of the retort project, by revision id (none when its folders do
// not exist yet).
Result<std::unordered_map<std::string, RevisionFile>> ExistingFiles(
    const Config& config) {
  std::unordered_map<std::string, RevisionFile> out;
  ScriptDirectoryOptions so;
  so.script_location = fs::absolute(config.Resolve(config.script_location));
  for (const auto& v : config.version_locations)
    so.version_locations.push_back(fs::absolute(config.Resolve(v)));
  so.recursive_version_locations = config.recursive_version_locations;
  std::error_code ec;
  if (!fs::is_directory(so.script_location, ec)) return out;
  RETORT_ASSIGN_OR_RETURN(ScriptDirectory dir, ScriptDirectory::Open(so));
  RETORT_RETURN_IF_ERROR(
      dir.Load().WithContext("reading the retort project's revision files"));
  for (const Revision& r : dir.Revisions()) {
    if (const RevisionFile* f = dir.Find(r.id)) out.emplace(r.id, *f);
  }
  return out;
}

// The Create Date the docstring gives, for the file name's date tokens.
CreateDate ParseCreateDate(const std::string& text) {
  CreateDate d;
  int y, mo, da, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &da, &h, &mi,
                  &s) >= 3) {
    d.year = y;
    d.month = mo;
    d.day = da;
    d.hour = h;
    d.minute = mi;
    d.second = s;
  }
  return d;
}

}  // namespace

Result<ImportAlembicResult> ImportAlembicProject(
    const ImportAlembicOptions& options, const AlembicImportContext& context) {
  const Config& config = *context.config;
  ImportAlembicResult result;
  result.dry_run = options.dry_run;
  const std::string project_dir =
      fs::absolute(config.directory.empty() ? "." : config.directory)
          .lexically_normal()
          .string();

  if (!options.dialect.empty() && options.dialect != "postgresql" &&
      options.dialect != "sqlite") {
    return Status::InvalidArgument("--dialect '" + options.dialect +
                                   "': retort renders revisions for "
                                   "postgresql or sqlite");
  }

  // The Alembic project, as Alembic's own Config reads it.
  RETORT_ASSIGN_OR_RETURN(std::unique_ptr<PythonWorker> first,
                          WorkerPool::StartWorker(context.python));
  std::error_code ec;
  const std::string source_path =
      fs::absolute(options.path, ec).lexically_normal().string();
  RETORT_ASSIGN_OR_RETURN(
      json project,
      first->Call({{"op", "project"}, {"path", source_path}}, kStartTimeout));
  if (!AnswerOk(project)) {
    return WorkerError(project, "import-alembic " + options.path);
  }
  result.alembic_dir = AnswerString(project, "script_location");
  RETORT_ASSIGN_OR_RETURN(result.dialect,
                          ChooseDialect(options.dialect, config,
                                        AnswerString(project, "sqlalchemy_url"),
                                        AnswerString(project, "ini"), context));
  const std::string& dialect = result.dialect;
  const Dialect sql_dialect =
      dialect == "sqlite" ? Dialect::kSqlite : Dialect::kPostgres;
  const std::vector<std::string> files = AnswerStrings(project, "files");
  result.versions_dir =
      fs::absolute(config.VersionsDirectory()).lexically_normal().string();
  for (const std::string& location :
       AnswerStrings(project, "version_locations")) {
    if (fs::path(location).lexically_normal() ==
        fs::path(result.versions_dir).lexically_normal()) {
      return Status::InvalidArgument(
          "retort's versions folder " + result.versions_dir +
          " is also a version location of the Alembic project: the "
          "imported revisions would be written beside its .py files; set "
          "script_location in " +
          (config.path.empty() ? std::string("retort.toml") : config.path) +
          " to a folder only retort uses and import again");
    }
  }

  // env.py: the schema -> version table mapping and configure() keywords.
  json env;
  const std::string env_py = AnswerString(project, "env_py");
  if (!env_py.empty()) {
    RETORT_ASSIGN_OR_RETURN(
        env, first->Call({{"op", "env"}, {"path", env_py}}, kStartTimeout));
    if (!AnswerOk(env)) {
      result.notes.push_back(Shown(env_py, project_dir) + ":" +
                             std::to_string(AnswerInt(env, "line")) +
                             ": not read: " + AnswerString(env, "message"));
      env = json();
    }
  }
  (void)first->Finish();
  first.reset();

  // Headers and bodies, in the workers.
  std::vector<std::string> sys_path =
      AnswerStrings(project, "prepend_sys_path");
  const std::string ini = AnswerString(project, "ini");
  const std::string root =
      !ini.empty() ? fs::path(ini).parent_path().string()
                   : fs::path(result.alembic_dir).parent_path().string();
  if (std::find(sys_path.begin(), sys_path.end(), root) == sys_path.end()) {
    sys_path.push_back(root);
  }
  for (const std::string& p : config.python_path)
    sys_path.push_back(fs::absolute(config.Resolve(p)).string());
  json x = json::object();
  for (const auto& [k, v] : context.x_args)
    if (k != "schema") x[k] = v;
  json setup = {{"op", "setup"},
                {"dialect", dialect},
                {"sys_path", sys_path},
                {"x", x},
                {"schema_sentinel", kSchemaSentinel}};
  if (!ini.empty()) setup["ini"] = ini;
  PythonCommand python = context.python;
  if (python.cwd.empty()) python.cwd = root;
  AlembicImportContext worker_context = context;
  worker_context.python = python;
  WorkerPool pool(worker_context, setup);
  int jobs = options.jobs;
  if (jobs <= 0) {
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    jobs = files.size() < 40 ? 1 : std::clamp(cores, 1, 4);
  }
  Log(context, LogLevel::kInfo,
      "Rendering " + std::to_string(files.size()) + " Alembic revision" +
          (files.size() == 1 ? "" : "s") + " from " +
          Shown(result.alembic_dir, project_dir) + " for " + dialect +
          " with " + std::to_string(jobs) + " Python worker" +
          (jobs == 1 ? "" : "s"));
  std::vector<Work> work(files.size());
  RETORT_RETURN_IF_ERROR(
      pool.Run(jobs, files.size(), [&](PythonWorker& w, size_t i) -> Status {
        Work& item = work[i];
        item.path = files[i];
        RETORT_ASSIGN_OR_RETURN(
            item.header,
            w.Call({{"op", "header"}, {"path", item.path}}, kRenderTimeout));
        if (!AnswerOk(item.header)) {
          item.error = Status::InvalidArgument(
              Shown(item.path, project_dir) + ":" +
              std::to_string(AnswerInt(item.header, "line")) + ": " +
              AnswerString(item.header, "message"));
          return Status::OK();
        }
        RETORT_ASSIGN_OR_RETURN(
            item.render,
            w.Call({{"op", "render"},
                    {"path", item.path},
                    {"module_name", "retort_rev_" + std::to_string(i)}},
                   kRenderTimeout));
        if (!AnswerOk(item.render)) {
          item.error = WorkerError(item.render, Shown(item.path, project_dir));
        }
        for (const char* s : {"upgrade", "downgrade"}) {
          if (AnswerBool(AnswerObject(item.render, s), "needs_scratch")) {
            item.needs_scratch = true;
          }
        }
        return Status::OK();
      }));
  {
    std::vector<std::string> errors;
    for (const Work& w : work)
      if (!w.error.ok()) errors.push_back(w.error.message());
    if (!errors.empty()) {
      std::string msg = std::to_string(errors.size()) +
                        " Alembic revision file" +
                        (errors.size() == 1 ? "" : "s") +
                        " could not be read (nothing was written):";
      for (size_t i = 0; i < errors.size() && i < 20; ++i)
        msg += "\n  " + errors[i];
      if (errors.size() > 20)
        msg += "\n  ... and " + std::to_string(errors.size() - 20) + " more";
      return Status::InvalidArgument(msg);
    }
  }

  // The graph, checked as retort will load it.
  std::vector<Revision> revisions;
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < work.size(); ++i) {
    Revision r;
    r.id = AnswerString(work[i].header, "revision");
    r.down_revisions = AnswerStrings(work[i].header, "down_revisions");
    r.branch_labels = AnswerStrings(work[i].header, "branch_labels");
    r.depends_on = AnswerStrings(work[i].header, "depends_on");
    r.doc = AnswerString(work[i].header, "message");
    r.path = Shown(work[i].path, project_dir);
    Status valid = ValidateRevisionId(r.id);
    if (!valid.ok()) {
      return Status::InvalidArgument(r.path + ": revision '" + r.id +
                                     "': " + valid.message());
    }
    index_of[r.id] = i;
    revisions.push_back(std::move(r));
  }
  Result<RevisionMap> built = RevisionMap::Build(revisions);
  if (!built.ok()) {
    return built.status().WithContext("the Alembic project " +
                                      Shown(result.alembic_dir, project_dir));
  }
  const RevisionMap& map = *built;
  const std::vector<size_t> order = ApplyOrder(map, work, index_of);

  // SQLite batch operations Alembic cannot render offline: again, on a
  // scratch database brought to the revision's parents.
  std::vector<size_t> scratch;
  for (size_t i : order)
    if (work[i].needs_scratch && sql_dialect == Dialect::kSqlite)
      scratch.push_back(i);
  if (!scratch.empty()) {
    Log(context, LogLevel::kInfo,
        std::to_string(scratch.size()) +
            " revision(s) use batch operations that rebuild a table: "
            "rendering them on scratch SQLite databases");
    std::vector<size_t> position(work.size());
    for (size_t p = 0; p < order.size(); ++p) position[order[p]] = p;
    RETORT_RETURN_IF_ERROR(pool.Run(
        jobs, scratch.size(), [&](PythonWorker& w, size_t k) -> Status {
          Work& item = work[scratch[k]];
          const std::string id = AnswerString(item.header, "revision");
          std::vector<std::string> ancestors = map.Ancestors({id});
          std::vector<size_t> chain;
          for (const std::string& a : ancestors) {
            auto it = index_of.find(a);
            if (a != id && it != index_of.end()) chain.push_back(it->second);
          }
          std::sort(chain.begin(), chain.end(), [&](size_t a, size_t b) {
            return position[a] < position[b];
          });
          json paths = json::array();
          for (size_t c : chain) paths.push_back(work[c].path);
          RETORT_ASSIGN_OR_RETURN(
              json answer,
              w.Call({{"op", "render"},
                      {"path", item.path},
                      {"module_name", "retort_scratch_" + std::to_string(k)},
                      {"scratch_chain", paths}},
                     kRenderTimeout));
          if (AnswerOk(answer)) {
            item.render = std::move(answer);
            item.rebuilt_on_scratch = true;
          } else {
            // The sections keep Alembic's own reason as their TODO; this is
            // why the scratch database could not do better.
            Log(context, LogLevel::kWarn,
                Shown(item.path, project_dir) +
                    ": rendering on a scratch SQLite database failed (" +
                    WorkerError(answer, "").message() +
                    "); its batch sections are left as TODO");
          }
          return Status::OK();
        }));
  }

  // What is there already.
  RETORT_ASSIGN_OR_RETURN(auto existing, ExistingFiles(config));
  std::vector<std::string> conflicts;
  struct Planned {
    ImportedRevision info;
    std::string text;
    std::string previous;  // the file's text before an update
  };
  std::vector<Planned> planned;
  for (size_t i : order) {
    const Work& w = work[i];
    ImportedFileSpec spec;
    spec.id = AnswerString(w.header, "revision");
    spec.down_revisions = AnswerStrings(w.header, "down_revisions");
    spec.branch_labels = AnswerStrings(w.header, "branch_labels");
    spec.depends_on = AnswerStrings(w.header, "depends_on");
    spec.message = AnswerString(w.header, "message");
    spec.long_doc = AnswerString(w.header, "long_doc");
    spec.create_date = AnswerString(w.header, "create_date");
    spec.source = Shown(w.path, project_dir);
    spec.upgrade = Section(AnswerObject(w.render, "upgrade"));
    spec.downgrade = Section(AnswerObject(w.render, "downgrade"));
    spec.schema_sentinel = kSchemaSentinel;
    if (w.rebuilt_on_scratch) {
      // retort enforces SQLite foreign keys; Alembic's connection does
      // not, and a rebuild drops the referenced table.
      for (RenderedSection* section : {&spec.upgrade, &spec.downgrade}) {
        if (!section->todo && !section->statements.empty()) {
          section->statements.insert(section->statements.begin(),
                                     "PRAGMA foreign_keys = OFF");
        }
      }
    }
    RETORT_ASSIGN_OR_RETURN(ComposedFile composed,
                            ComposeImportedFile(spec, sql_dialect));
    Planned p;
    p.info.id = spec.id;
    p.info.source = spec.source;
    p.info.uses_schema = composed.uses_schema;
    p.info.todo = composed.todos > 0;
    p.text = std::move(composed.text);
    auto found = existing.find(spec.id);
    if (found == existing.end()) {
      RETORT_ASSIGN_OR_RETURN(
          std::string name,
          RenderFileName(config.file_template, spec.id, spec.message,
                         ParseCreateDate(spec.create_date),
                         config.truncate_slug_length));
      p.info.path = (fs::path(result.versions_dir) / (name + ".sql")).string();
      p.info.action = ImportAction::kCreate;
    } else {
      const RevisionFile& old = found->second;
      p.info.path = old.revision.path;
      if (old.imported_from.empty() || old.import_checksum.empty()) {
        conflicts.push_back(Shown(old.revision.path, project_dir) +
                            " declares revision " + spec.id);
        continue;
      }
      RETORT_ASSIGN_OR_RETURN(std::string current, ReadFile(old.revision.path));
      p.previous = current;
      if (ImportChecksum(current) == old.import_checksum) {
        p.info.action = current == p.text ? ImportAction::kUnchanged
                                          : ImportAction::kUpdate;
      } else if (options.force) {
        p.info.action = ImportAction::kOverwrite;
      } else {
        p.info.action = ImportAction::kKeep;
        auto sections = ParseRevisionSections(current, old.revision.path);
        if (!sections.ok()) {
          // Kept, but retort could not run it either: say so, now.
          return sections.status().WithContext(
              "a file edited since the last import no longer parses (fix "
              "it, or import again with --force to overwrite it)");
        }
        // Its TODOs are still to do: they count as the new ones would.
        for (const auto& [d, name] :
             {std::pair{&sections->upgrade_directives, "upgrade"},
              std::pair{&sections->downgrade_directives, "downgrade"}}) {
          const Directive* todo = d->todo();
          if (todo == nullptr) continue;
          p.info.todo = true;
          result.todos.push_back({spec.id, name,
                                  Shown(old.revision.path, project_dir) + ":" +
                                      std::to_string(todo->line),
                                  todo->argument,
                                  Shown(old.revision.path, project_dir)});
        }
      }
    }
    if (p.info.action != ImportAction::kKeep) {
      for (const auto& [section, name] :
           {std::pair{&spec.upgrade, "upgrade"},
            std::pair{&spec.downgrade, "downgrade"}}) {
        if (!section->todo) continue;
        result.todos.push_back(
            {spec.id, name,
             spec.source + ":" + std::to_string(section->todo_line),
             section->todo_reason, Shown(p.info.path, project_dir)});
      }
    }
    planned.push_back(std::move(p));
  }
  if (!conflicts.empty()) {
    std::string msg =
        "these files of the retort project declare revisions of the Alembic "
        "project and were not written by import-alembic (no Import "
        "Checksum); move them out of " +
        Shown(result.versions_dir, project_dir) +
        " and import again (nothing was written):";
    for (const std::string& c : conflicts) msg += "\n  " + c;
    return Status::AlreadyExists(msg);
  }
  // Two new files on one name (a file_template without %(rev)s and the
  // same message twice), or a new file on a name another revision's file
  // has: found before anything is written, and in --dry-run too.
  {
    std::map<std::string, std::vector<std::string>> by_path;
    for (const Planned& p : planned) {
      if (p.info.action == ImportAction::kCreate)
        by_path[p.info.path].push_back(p.info.id);
    }
    std::vector<std::string> clashes;
    for (const auto& [path, ids] : by_path) {
      std::error_code exists_ec;
      if (ids.size() > 1) {
        clashes.push_back(Shown(path, project_dir) + " for revisions " +
                          Join(ids, ", "));
      } else if (fs::exists(path, exists_ec)) {
        clashes.push_back(Shown(path, project_dir) + " for revision " +
                          ids.front() + ", which another file already has");
      }
    }
    if (!clashes.empty()) {
      std::string msg =
          "file_template \"" + config.file_template +
          "\" gives these revisions the same file name (nothing was "
          "written); put %(rev)s in file_template in " +
          (config.path.empty() ? std::string("retort.toml") : config.path) +
          ":";
      for (const std::string& c : clashes) msg += "\n  " + c;
      return Status::AlreadyExists(msg);
    }
  }
  for (const auto& [id, file] : existing) {
    if (!file.imported_from.empty() && !index_of.count(id)) {
      result.orphans.push_back(Shown(file.revision.path, project_dir));
    }
  }
  std::sort(result.orphans.begin(), result.orphans.end());

  // env.py's mapping, and settings retort.toml should share.
  if (env.is_object()) {
    const json& mapping = AnswerObject(env, "schema_version_tables");
    if (!mapping.empty()) {
      for (const auto& [k, v] : mapping.items())
        if (v.is_string()) result.schema_version_tables[k] = v;
      result.schema_mapping_source = Shown(env_py, project_dir) + ":" +
                                     std::to_string(AnswerInt(env, "line")) +
                                     " (" + AnswerString(env, "name") + ")";
      result.schemas_config = SchemasConfig(result.schema_version_tables, map);
    }
    const std::string vt = AnswerString(env, "version_table");
    if (!vt.empty() && vt != config.version_table) {
      result.notes.push_back(
          Shown(env_py, project_dir) + " passes version_table=\"" + vt +
          "\" to context.configure(); set version_table = \"" + vt +
          "\" in retort.toml so retort reads the table Alembic wrote");
    }
    const std::string vts = AnswerString(env, "version_table_schema");
    if (!vts.empty() && vts != config.version_table_schema) {
      result.notes.push_back(
          Shown(env_py, project_dir) + " passes version_table_schema=\"" + vts +
          "\"; set version_table_schema = \"" + vts + "\" in retort.toml");
    }
  }
  const bool uses_schema =
      std::any_of(planned.begin(), planned.end(),
                  [](const Planned& p) { return p.info.uses_schema; });
  if (uses_schema && result.schema_version_tables.empty() &&
      config.schemas.empty()) {
    result.notes.push_back(
        "revisions use ${schema} (they take the schema from -x schema=); " +
        (env_py.empty()
             ? std::string("there is no env.py to read a schema -> version "
                           "table mapping from")
             : Shown(env_py, project_dir) +
                   " has no schema -> version table mapping retort could "
                   "read") +
        ": add a [schemas.NAME] section per schema to retort.toml "
        "(docs/configuration.md), or run with --schema NAME");
  }

  // Write.
  if (!options.dry_run) {
    fs::create_directories(result.versions_dir, ec);
    if (ec) {
      return Status::IOError(result.versions_dir +
                             ": cannot create the folder: " + ec.message());
    }
    std::vector<const Planned*> written;
    Status status;
    for (const Planned& p : planned) {
      const ImportAction a = p.info.action;
      if (a == ImportAction::kKeep || a == ImportAction::kUnchanged) continue;
      // One flush for all of them below: a thousand fsyncs would be most
      // of the import's time.
      status = WriteFileAtomically(p.info.path, p.text,
                                   /*replace=*/a != ImportAction::kCreate,
                                   /*sync=*/false);
      if (!status.ok()) break;
      written.push_back(&p);
    }
    if (!status.ok()) {
      // All or nothing: new files go, rewritten ones get their text back.
      for (const Planned* p : written) {
        if (p->info.action == ImportAction::kCreate) {
          std::error_code rm_ec;
          fs::remove(p->info.path, rm_ec);
        } else {
          (void)WriteFileAtomically(p->info.path, p->previous, true, false);
        }
      }
      return status.WithContext(
          "import-alembic (the files already written were put back)");
    }
    RETORT_RETURN_IF_ERROR(SyncFilesystem(result.versions_dir));
  }
  for (Planned& p : planned) {
    p.info.path = Shown(p.info.path, project_dir);
    result.revisions.push_back(std::move(p.info));
  }
  result.alembic_dir = Shown(result.alembic_dir, project_dir);
  result.versions_dir = Shown(result.versions_dir, project_dir);
  return result;
}

}  // namespace retort
