// Loading model files into a scratch database, and where scratch databases
// come from.
#include "autogen/scratch.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialect/splitter.h"

namespace retort {
namespace {

// `conninfo` with its database replaced: a URI gets a new path, a keyword
// string a trailing dbname= (libpq lets the last keyword win).
std::string WithDbname(const std::string& conninfo, const std::string& db) {
  size_t sep = conninfo.find("://");
  if (sep == std::string::npos) return conninfo + " dbname=" + db;
  size_t authority_end = conninfo.find_first_of("/?", sep + 3);
  if (authority_end == std::string::npos) return conninfo + "/" + db;
  size_t query = conninfo.find('?', authority_end);
  std::string tail = query == std::string::npos ? "" : conninfo.substr(query);
  return conninfo.substr(0, authority_end) + "/" + db + tail;
}

std::string RandomHex(int digits) {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  while (static_cast<int>(s.size()) < digits) {
    uint64_t v = gen();
    for (int i = 0; i < 16 && static_cast<int>(s.size()) < digits;
         ++i, v >>= 4) {
      s += kHex[v & 15];
    }
  }
  return s;
}

}  // namespace

Status LoadModels(Connection& conn, const std::vector<ModelFile>& files) {
  RETORT_ASSIGN_OR_RETURN(ModelScan scan, ScanModels(files));
  return LoadModels(conn, scan);
}

namespace {

// `st` with "; <note>" after its message.
Status WithNote(const Status& st, const std::string& note) {
  std::string message = st.message() + "; " + note;
  switch (st.code()) {
    case Status::Code::kOk:
      return st;
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kIOError:
      return Status::IOError(std::move(message));
    case Status::Code::kDatabase:
      return Status::Database(std::move(message));
    case Status::Code::kConflict:
      return Status::Conflict(std::move(message));
    case Status::Code::kInternal:
      return Status::Internal(std::move(message));
    case Status::Code::kInterrupted:
      return Status::Interrupted(std::move(message));
  }
  return st;
}

// Statement `k`'s file and line, the line mapped from the server's error
// position (which counts from the start of the statement as sent), and the
// scan's note on its place in the load order, if any (model_order.h).
Status ErrorAt(const Connection& conn, const ModelScan& scan, size_t k,
               const Status& st) {
  const ModelStatement& m = scan.statements[k];
  int line = m.statement.line;
  if (conn.last_error().position > 0) {
    line +=
        LocatePosition(m.statement.text, conn.last_error().position).line - 1;
  }
  Status out = Status(st).WithContext(m.path + ":" + std::to_string(line));
  auto note = scan.order_notes.find(k);
  return note == scan.order_notes.end() ? out : WithNote(out, note->second);
}

// PostgreSQL's unsafe_new_enum_value_usage: a value added by ALTER TYPE ...
// ADD VALUE used before the transaction that added it committed.
constexpr std::string_view kUnsafeNewEnumValue = "55P04";

// ModelLoader runs the scanned statements in batches inside transactions
// (LoadModelsOptions).
class ModelLoader {
 public:
  ModelLoader(Connection& conn, const ModelScan& scan,
              const LoadModelsOptions& options,
              std::vector<PgTransactionTraits> traits)
      : conn_(conn),
        scan_(scan),
        options_(options),
        traits_(std::move(traits)) {}

  Status Run() {
    const auto& stmts = scan_.statements;
    if (options_.own_transactions) RETORT_RETURN_IF_ERROR(Begin());
    size_t i = 0;
    while (i < stmts.size()) {
      if (traits_[i].outside_reason) {
        RETORT_RETURN_IF_ERROR(RunOutside(i));
        ++i;
        continue;
      }
      size_t end = i;
      size_t bytes = 0;
      while (end < stmts.size() && !traits_[end].outside_reason &&
             stmts[end].path == stmts[i].path &&
             end - i <
                 static_cast<size_t>(std::max(1, options_.batch_statements)) &&
             (end == i || bytes + stmts[end].statement.text.size() <=
                              options_.batch_bytes)) {
        bytes += stmts[end].statement.text.size();
        ++end;
      }
      RETORT_RETURN_IF_ERROR(RunBatch(i, end));
      since_commit_ += end - i;
      i = end;
      if (options_.own_transactions &&
          since_commit_ >= static_cast<size_t>(options_.commit_every)) {
        RETORT_RETURN_IF_ERROR(Commit());
        RETORT_RETURN_IF_ERROR(Begin());
      }
    }
    if (options_.own_transactions) RETORT_RETURN_IF_ERROR(Commit());
    return Status::OK();
  }

 private:
  Status Begin() {
    since_commit_ = 0;
    batch_savepoint_ = false;
    return conn_.Begin().WithContext("loading the models");
  }
  Status Commit() { return conn_.Commit().WithContext("loading the models"); }

  // A statement that cannot run in a transaction: on a temporary database,
  // alone and autocommitted between two of the loader's transactions. In a
  // dev database's transaction it runs there and fails as it always did.
  Status RunOutside(size_t i) {
    const ModelStatement& m = scan_.statements[i];
    if (options_.own_transactions) RETORT_RETURN_IF_ERROR(Commit());
    Status st = conn_.Execute(m.statement.text);
    if (!st.ok()) return ErrorAt(conn_, scan_, i, st);
    if (options_.own_transactions) RETORT_RETURN_IF_ERROR(Begin());
    return Status::OK();
  }

  // Statements [begin, end) as one query after a savepoint (which also
  // releases the previous batch's, so savepoints do not nest).
  Status RunBatch(size_t begin, size_t end) {
    std::string sql;
    if (batch_savepoint_) sql = "RELEASE SAVEPOINT retort_batch;\n";
    sql += "SAVEPOINT retort_batch;\n";
    for (size_t k = begin; k < end; ++k) {
      // The ';' on a line of its own: a statement may end in a -- comment.
      sql += scan_.statements[k].statement.text;
      sql += "\n;\n";
    }
    batch_savepoint_ = true;
    if (conn_.Execute(sql).ok()) return Status::OK();
    RETORT_RETURN_IF_ERROR(conn_.Execute("ROLLBACK TO SAVEPOINT retort_batch")
                               .WithContext("loading the models"));
    return Replay(begin, end);
  }

  // The failed batch again, one statement at a time, each after a savepoint
  // of its own so a failure leaves the transaction usable for the retry
  // below.
  Status Replay(size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      const ModelStatement& m = scan_.statements[k];
      RETORT_RETURN_IF_ERROR(conn_.Execute("SAVEPOINT retort_statement")
                                 .WithContext("loading the models"));
      Status st = conn_.Execute(m.statement.text);
      if (st.ok()) {
        RETORT_RETURN_IF_ERROR(
            conn_.Execute("RELEASE SAVEPOINT retort_statement")
                .WithContext("loading the models"));
        continue;
      }
      if (!options_.own_transactions ||
          conn_.last_error().sqlstate != kUnsafeNewEnumValue) {
        return ErrorAt(conn_, scan_, k, st);
      }
      // Loaded one statement per transaction (as before batching), the
      // statement would have seen the enum value committed: commit and run
      // it again, once.
      RETORT_RETURN_IF_ERROR(
          conn_.Execute("ROLLBACK TO SAVEPOINT retort_statement")
              .WithContext("loading the models"));
      RETORT_RETURN_IF_ERROR(Commit());
      RETORT_RETURN_IF_ERROR(Begin());
      st = conn_.Execute(m.statement.text);
      if (!st.ok()) return ErrorAt(conn_, scan_, k, st);
    }
    return Status::OK();
  }

  Connection& conn_;
  const ModelScan& scan_;
  const LoadModelsOptions& options_;
  std::vector<PgTransactionTraits> traits_;
  size_t since_commit_ = 0;
  bool batch_savepoint_ = false;
};

}  // namespace

Status LoadModels(Connection& conn, const ModelScan& scan) {
  for (size_t k = 0; k < scan.statements.size(); ++k) {
    Status st = conn.Execute(scan.statements[k].statement.text);
    if (!st.ok()) return ErrorAt(conn, scan, k, st);
  }
  return Status::OK();
}

Status LoadModels(Connection& conn, const ModelScan& scan,
                  const LoadModelsOptions& options) {
  if (!options.own_transactions && !conn.InTransaction()) {
    return LoadModels(conn, scan);
  }
  std::vector<PgTransactionTraits> traits;
  traits.reserve(scan.statements.size());
  for (const ModelStatement& m : scan.statements) {
    traits.push_back(
        PostgresTransactionTraits(m.statement.text, conn.ServerVersion()));
    if (traits.back().transaction_control) return LoadModels(conn, scan);
  }
  return ModelLoader(conn, scan, options, std::move(traits)).Run();
}

// ---------------------------------------------------------------------------
// Identities

namespace {

// System catalogs whose rows describe what a database holds. Readable by
// any user (pg_user_mapping and pg_statistic are not, and are left out).
constexpr const char* kCatalogs[] = {
    "pg_namespace",
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_constraint",
    "pg_index",
    "pg_inherits",
    "pg_partitioned_table",
    "pg_type",
    "pg_enum",
    "pg_range",
    "pg_proc",
    "pg_aggregate",
    "pg_trigger",
    "pg_event_trigger",
    "pg_policy",
    "pg_rewrite",
    "pg_sequence",
    "pg_description",
    "pg_depend",
    "pg_extension",
    "pg_collation",
    "pg_operator",
    "pg_opclass",
    "pg_opfamily",
    "pg_amop",
    "pg_amproc",
    "pg_cast",
    "pg_conversion",
    "pg_default_acl",
    "pg_init_privs",
    "pg_statistic_ext",
    "pg_foreign_table",
    "pg_foreign_server",
    "pg_foreign_data_wrapper",
    "pg_publication",
    "pg_publication_rel",
    "pg_ts_config",
    "pg_ts_dict",
    "pg_language",
    "pg_transform",
    "pg_largeobject_metadata",
};

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// "postgres (PostgreSQL) 15.4 (Debian ...)" -> 150004; "16beta1" -> 160000.
int ParseServerVersion(const std::string& text) {
  size_t at = text.find(") ");
  if (at == std::string::npos) return 0;
  const char* p = text.c_str() + at + 2;
  int major = std::atoi(p);
  while (*p >= '0' && *p <= '9') ++p;
  int minor = *p == '.' ? std::atoi(p + 1) : 0;
  return major >= 10 ? major * 10000 + minor : 0;
}

}  // namespace

Result<ScratchIdentity> ServerIdentity(Connection& conn,
                                       bool database_settings) {
  auto r = conn.Query(
      "SELECT current_user, version(), string_agg(name || '=' || setting, "
      "E'\\n' ORDER BY name), (SELECT source FROM pg_settings WHERE name = "
      "'search_path') FROM pg_settings WHERE (source <> 'default' "
      "OR name IN ('lc_collate', 'lc_ctype', 'server_encoding')) AND name "
      "NOT IN ('application_name', 'transaction_isolation', "
      "'transaction_read_only', 'transaction_deferrable') AND ($1::boolean "
      "OR source NOT IN ('database', 'database user'))",
      {database_settings ? "true" : "false"});
  if (!r.ok()) return r.status().WithContext("reading the server's settings");
  ScratchIdentity id;
  id.server_version = conn.ServerVersion();
  id.text = "server " + std::to_string(id.server_version);
  const Row& row = r->rows.at(0);
  for (size_t i = 0; i < 3; ++i) {  // the search_path is among the settings
    id.text += '\n';
    id.text += row.at(i).value_or("");
  }
  id.user = row.at(0).value_or("");
  id.search_path_source = row.at(3).value_or("");
  return id;
}

Result<ScratchIdentity> DevDatabaseIdentity(Connection& conn) {
  RETORT_ASSIGN_OR_RETURN(ScratchIdentity id, ServerIdentity(conn, true));
  std::string sql =
      "SELECT 'database:' || xmin::text FROM pg_catalog.pg_database WHERE "
      "datname = current_database()";
  for (const char* catalog : kCatalogs) {
    sql += std::string(" UNION ALL SELECT '") + catalog +
           ":' || count(*) || ':' || coalesce(max(xmin::text::bigint), 0) "
           "FROM pg_catalog." +
           catalog;
  }
  auto r = conn.Query(sql);
  if (!r.ok()) {
    return r.status().WithContext("reading the dev database's catalog state");
  }
  id.text = "dev database\n" + id.text;
  for (const Row& row : r->rows) {
    id.text += '\n';
    id.text += row.at(0).value_or("");
  }
  return id;
}

Result<ScratchIdentity> EphemeralServerIdentity() {
  RETORT_ASSIGN_OR_RETURN(std::string bindir, FindPgBindir(""));
  std::string version;
  std::string cmd = ShellQuote(bindir + "/postgres") + " -V 2>/dev/null";
  if (FILE* pipe = popen(cmd.c_str(), "r")) {
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
      version.append(buf, n);
    }
    pclose(pipe);
  }
  while (!version.empty() &&
         (version.back() == '\n' || version.back() == ' ')) {
    version.pop_back();
  }
  if (version.empty()) {
    return Status::NotFound("cannot run " + bindir + "/postgres -V");
  }
  ScratchIdentity id;
  id.server_version = ParseServerVersion(version);
  id.text = "throwaway cluster\n" + bindir + "\n" + version;
  for (const char* name :
       {"TZ", "PGTZ", "PGDATESTYLE", "PGOPTIONS", "PGCLIENTENCODING"}) {
    const char* value = std::getenv(name);
    id.text += std::string("\n") + name + "=" + (value ? value : "");
  }
  std::error_code ec;
  id.text += "\n/etc/localtime=" +
             std::filesystem::read_symlink("/etc/localtime", ec).string();
  return id;
}

// ---------------------------------------------------------------------------
// ScratchDatabase

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::OpenDev(
    const std::string& dev_url) {
  std::unique_ptr<ScratchDatabase> db(new ScratchDatabase());
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(dev_url));
  if (url.dialect != Dialect::kPostgres) {
    return Status::InvalidArgument(
        "dev_url must be a PostgreSQL database, not " + url.redacted);
  }
  RETORT_ASSIGN_OR_RETURN(db->conn_, Connect(url));
  // Everything the models create is rolled back: the dev database is left
  // as it was.
  RETORT_RETURN_IF_ERROR(db->conn_->Begin());
  return db;
}

Status ScratchDatabase::Close() {
  if (closed_) return Status::OK();
  closed_ = true;
  Status st;
  if (conn_ != nullptr && temp_name_.empty() && conn_->IsOpen()) {
    st = conn_->Rollback();
  }
  if (conn_ != nullptr) conn_->Close();
  if (!temp_name_.empty() && admin_ != nullptr) {
    std::string force =
        admin_->ServerVersion() >= 130000 ? " WITH (FORCE)" : "";
    st = admin_->Execute("DROP DATABASE IF EXISTS " + temp_name_ + force);
    if (!st.ok())
      st = st.WithContext("dropping scratch database " + temp_name_);
  }
  return st;
}

ScratchDatabase::~ScratchDatabase() { (void)Close(); }

// ---------------------------------------------------------------------------
// ScratchServer

Result<std::unique_ptr<ScratchServer>> ScratchServer::OnServerOf(
    const std::string& url) {
  std::unique_ptr<ScratchServer> server(new ScratchServer());
  RETORT_ASSIGN_OR_RETURN(server->url_, ParseDatabaseUrl(url));
  if (server->url_.dialect != Dialect::kPostgres) {
    return Status::InvalidArgument(
        server->url_.redacted +
        " is not a PostgreSQL database; autogenerate compares PostgreSQL "
        "databases only");
  }
  RETORT_ASSIGN_OR_RETURN(server->admin_, Connect(server->url_));
  server->description_ = "the server of " + server->url_.redacted;
  return server;
}

Result<std::unique_ptr<ScratchServer>> ScratchServer::Ephemeral() {
  std::unique_ptr<ScratchServer> server(new ScratchServer());
  EphemeralPgClusterOptions options;
  // Anyone on this host could otherwise connect to 127.0.0.1 as superuser
  // while the cluster runs.
  options.password = RandomHex(32);
  options.dir_prefix = "retort-dev-";
  auto cluster = EphemeralPgCluster::Start(options);
  if (!cluster.ok()) {
    return cluster.status().WithContext(
        "cannot start a throwaway PostgreSQL cluster");
  }
  server->cluster_ = std::move(cluster).value();
  RETORT_ASSIGN_OR_RETURN(server->url_,
                          ParseDatabaseUrl(server->cluster_->Url("postgres")));
  RETORT_ASSIGN_OR_RETURN(server->admin_, Connect(server->url_));
  server->description_ = "a throwaway PostgreSQL " +
                         std::to_string(server->cluster_->major_version()) +
                         " cluster";
  return server;
}

ScratchServer::~ScratchServer() {
  if (admin_ != nullptr) admin_->Close();
  if (cluster_ != nullptr) (void)cluster_->Stop();
}

int ScratchServer::server_version() const { return admin_->ServerVersion(); }

Result<ScratchIdentity> ScratchServer::Identity() {
  if (cluster_ != nullptr) return EphemeralServerIdentity();
  return ServerIdentity(*admin_, /*database_settings=*/false);
}

Result<std::unique_ptr<ScratchDatabase>> ScratchServer::CreateDatabase() {
  std::unique_ptr<ScratchDatabase> db(new ScratchDatabase());
  std::string name = "retort_scratch_" + RandomHex(12);
  Status created =
      admin_->Execute("CREATE DATABASE " + name + " TEMPLATE template0");
  if (!created.ok()) {
    return created.WithContext(
        "cannot create a scratch database on " + description_ +
        " (grant CREATEDB, set dev_url to a database retort may use, or pass "
        "--dev ephemeral)");
  }
  db->temp_name_ = name;  // from here on the destructor drops it
  db->admin_ = admin_.get();
  DatabaseUrl scratch = url_;
  scratch.conninfo = WithDbname(url_.conninfo, name);
  scratch.dbname = name;
  db->url_ = scratch.conninfo;
  RETORT_ASSIGN_OR_RETURN(db->conn_, Connect(scratch));
  return db;
}

}  // namespace retort
