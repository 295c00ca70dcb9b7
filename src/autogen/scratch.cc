// Loading model files into a scratch database, and where scratch databases
// come from.
#include "autogen/scratch.h"

#include <random>
#include <string>

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

Status LoadModels(Connection& conn, const ModelScan& scan) {
  for (const ModelStatement& m : scan.statements) {
    Status st = conn.Execute(m.statement.text);
    if (st.ok()) continue;
    int line = m.statement.line;
    if (conn.last_error().position > 0) {
      line +=
          LocatePosition(m.statement.text, conn.last_error().position).line - 1;
    }
    return Status(st).WithContext(m.path + ":" + std::to_string(line));
  }
  return Status::OK();
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
