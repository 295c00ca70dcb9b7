// Loading model files into a scratch database.
#include "autogen/scratch.h"

#include <pg_query.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "dialect/splitter.h"
#include "dialect/url.h"

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

std::string RandomSuffix() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  uint64_t v = gen();
  for (int i = 0; i < 12; ++i, v >>= 4) s += kHex[v & 15];
  return s;
}

// "line 3: rest" (the splitter's form) -> "path:3: rest".
std::string FileLineMessage(const std::string& path, const std::string& msg) {
  if (msg.starts_with("line ")) {
    size_t colon = msg.find(':');
    if (colon != std::string::npos) {
      return path + ":" + msg.substr(5, colon - 5) + msg.substr(colon);
    }
  }
  return path + ": " + msg;
}

}  // namespace

Result<std::vector<ModelFile>> ReadModelFiles(
    const std::vector<std::string>& paths) {
  std::vector<ModelFile> files;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError(path + ": cannot read model file");
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back(ModelFile{path, text.str()});
  }
  return files;
}

Status LoadModels(Connection& conn, const std::vector<ModelFile>& files) {
  struct Pending {
    const ModelFile* file;
    SqlStatement statement;
  };
  std::vector<Pending> all;
  for (const ModelFile& file : files) {
    auto split = SplitScript(Dialect::kPostgres, file.text);
    if (!split.ok()) {
      return Status::InvalidArgument(
          FileLineMessage(file.path, split.status().message()));
    }
    for (SqlStatement& s : *split) {
      PgQueryParseResult parsed = pg_query_parse(s.text.c_str());
      if (parsed.error != nullptr) {
        TextPosition at = LocatePosition(s.text, parsed.error->cursorpos);
        std::string msg = file.path + ":" +
                          std::to_string(s.line + at.line - 1) + ": " +
                          parsed.error->message;
        pg_query_free_parse_result(parsed);
        return Status::InvalidArgument(msg);
      }
      pg_query_free_parse_result(parsed);
      all.push_back(Pending{&file, std::move(s)});
    }
  }
  for (const Pending& p : all) {
    Status st = conn.Execute(p.statement.text);
    if (st.ok()) continue;
    int line = p.statement.line;
    if (conn.last_error().position > 0) {
      line +=
          LocatePosition(p.statement.text, conn.last_error().position).line - 1;
    }
    return Status(st).WithContext(p.file->path + ":" + std::to_string(line));
  }
  return Status::OK();
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Open(
    const std::string& target_url, const std::string& dev_url) {
  std::unique_ptr<ScratchDatabase> db(new ScratchDatabase());
  if (!dev_url.empty()) {
    RETORT_ASSIGN_OR_RETURN(db->conn_, Connect(dev_url));
    if (db->conn_->dialect() != Dialect::kPostgres) {
      return Status::InvalidArgument("dev_url must be a PostgreSQL database");
    }
    // Everything the models create is rolled back: the dev database is
    // left as it was.
    RETORT_RETURN_IF_ERROR(db->conn_->Begin());
    return db;
  }
  RETORT_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(target_url));
  if (url.dialect != Dialect::kPostgres) {
    return Status::InvalidArgument(
        "autogenerate compares PostgreSQL databases only");
  }
  RETORT_ASSIGN_OR_RETURN(db->admin_, Connect(url));
  std::string name = "retort_scratch_" + RandomSuffix();
  Status created =
      db->admin_->Execute("CREATE DATABASE " + name + " TEMPLATE template0");
  if (!created.ok()) {
    return created.WithContext(
        "cannot create a scratch database for the models on " + url.redacted +
        " (set dev_url to a database retort may use)");
  }
  db->temp_name_ = name;  // from here on the destructor drops it
  DatabaseUrl scratch = url;
  scratch.conninfo = WithDbname(url.conninfo, name);
  scratch.dbname = name;
  RETORT_ASSIGN_OR_RETURN(db->conn_, Connect(scratch));
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
  if (admin_ != nullptr) admin_->Close();
  return st;
}

ScratchDatabase::~ScratchDatabase() { (void)Close(); }

}  // namespace retort
