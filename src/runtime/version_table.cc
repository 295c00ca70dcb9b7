// SQL for the version and history tables; see version_table.h.
#include "runtime/version_table.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>

namespace retort {

namespace {

// Words SQLAlchemy's PostgreSQL/SQLite preparers would quote; the names we
// render are table and schema names, so the common reserved words suffice.
constexpr std::array<std::string_view, 40> kReserved = {
    "all",   "analyse",  "analyze", "and",   "any",    "as",     "asc",
    "both",  "case",     "cast",    "check", "column", "create", "default",
    "desc",  "distinct", "do",      "else",  "end",    "except", "false",
    "for",   "from",     "grant",   "group", "having", "in",     "index",
    "into",  "limit",    "not",     "null",  "offset", "on",     "or",
    "order", "select",   "table",   "user",  "where"};

}  // namespace

std::string MaybeQuoteIdent(std::string_view ident) {
  bool plain = !ident.empty() && !(ident[0] >= '0' && ident[0] <= '9') &&
               ident[0] != '$';
  for (char c : ident) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '$')) {
      plain = false;
    }
  }
  if (plain &&
      std::find(kReserved.begin(), kReserved.end(), ident) != kReserved.end()) {
    plain = false;
  }
  return plain ? std::string(ident) : QuoteSqlIdent(ident);
}

VersionTableSql::VersionTableSql(Dialect dialect, std::string table,
                                 std::string schema)
    : dialect_(dialect), table_(std::move(table)), schema_(std::move(schema)) {
  std::string prefix = schema_.empty() ? "" : MaybeQuoteIdent(schema_) + ".";
  qualified_ = prefix + MaybeQuoteIdent(table_);
  qualified_history_ = prefix + MaybeQuoteIdent(history_table());
  qualified_meta_ = prefix + MaybeQuoteIdent(meta_table());
}

std::string VersionTableSql::Literal(std::string_view value) const {
  return dialect_ == Dialect::kPostgres ? QuotePgLiteral(value)
                                        : QuoteSqliteLiteral(value);
}

std::string VersionTableSql::CreateVersionTable() const {
  return "CREATE TABLE " + qualified_ +
         " (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT " +
         MaybeQuoteIdent(table_ + "_pkc") + " PRIMARY KEY (version_num)\n)";
}

std::string VersionTableSql::DropVersionTable() const {
  return "DROP TABLE " + qualified_;
}

std::string VersionTableSql::CreateHistoryTable() const {
  // One layout for both dialects; only the types of the id, the times and
  // the duration differ (SQLite keeps ISO-8601 text).
  const bool pg = dialect_ == Dialect::kPostgres;
  const std::string id_type = pg ? "SERIAL" : "INTEGER";
  const std::string time_type = pg ? "TIMESTAMP WITH TIME ZONE" : "TEXT";
  const std::string ms_type = pg ? "BIGINT" : "INTEGER";
  std::string name = history_table();
  return "CREATE TABLE IF NOT EXISTS " + qualified_history_ +
         " (\n"
         "    id " + id_type + " NOT NULL, \n"
         "    revision VARCHAR(255) NOT NULL, \n"
         "    direction VARCHAR(16) NOT NULL, \n"
         "    checksum VARCHAR(64), \n"
         "    started_at " + time_type + " NOT NULL, \n"
         "    finished_at " + time_type + " NOT NULL, \n"
         "    duration_ms " + ms_type + " NOT NULL, \n"
         "    applied_by VARCHAR(255) NOT NULL, \n"
         "    tool_version VARCHAR(64) NOT NULL, \n"
         "    CONSTRAINT " +
         MaybeQuoteIdent(name + "_pkey") +
         " PRIMARY KEY (id), \n"
         "    CONSTRAINT " +
         MaybeQuoteIdent(name + "_direction_check") +
         " CHECK (direction IN ('upgrade', 'downgrade', 'stamp'))\n"
         ")";
}

std::string VersionTableSql::VersionTableExistsQuery(Params* params) const {
  return TableExistsQuery(table_, params);
}

std::string VersionTableSql::HistoryTableExistsQuery(Params* params) const {
  return TableExistsQuery(history_table(), params);
}

std::string VersionTableSql::MetaTableExistsQuery(Params* params) const {
  return TableExistsQuery(meta_table(), params);
}

std::string VersionTableSql::TableExistsQuery(const std::string& name,
                                              Params* params) const {
  params->clear();
  params->push_back(name);
  if (dialect_ == Dialect::kPostgres) {
    // Both forms are one probe of pg_class's (relname, relnamespace) or oid
    // index whatever the statistics say. With 1,000 tenant schemas, each
    // with its own alembic_version, a plan that visits every relation of
    // that name (a join the planner picks while pg_class's statistics lag
    // behind a run creating thousands of tables, or pg_table_is_visible
    // over all of them) costs 5 ms per tenant.
    // Unqualified: the table the name finds on the search_path; to_regclass
    // looks it up as a statement would (a view found first hides a table,
    // as pg_table_is_visible says). Neither form fails when the schema
    // itself is missing.
    if (schema_.empty()) {
      return "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = "
             "pg_catalog.to_regclass(pg_catalog.quote_ident($1)) AND "
             "c.relkind IN ('r', 'p')";
    }
    params->push_back(schema_);
    return "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname = $1 "
           "AND c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n "
           "WHERE n.nspname = $2) AND c.relkind IN ('r', 'p')";
  }
  std::string master = schema_.empty()
                           ? "sqlite_master"
                           : QuoteSqlIdent(schema_) + ".sqlite_master";
  return "SELECT name FROM " + master + " WHERE type = 'table' AND name = $1";
}

std::string VersionTableSql::CreateMetaTable() const {
  return "CREATE TABLE IF NOT EXISTS " + qualified_meta_ +
         " (\n"
         "    name VARCHAR(64) NOT NULL, \n"
         "    value VARCHAR(255) NOT NULL, \n"
         "    CONSTRAINT " +
         MaybeQuoteIdent(meta_table() + "_pkey") +
         " PRIMARY KEY (name)\n"
         ")";
}

std::string VersionTableSql::SelectMetaParam() const {
  return "SELECT value FROM " + qualified_meta_ + " WHERE name = $1";
}

std::string VersionTableSql::UpsertMetaParam() const {
  // Both dialects spell the upsert alike (SQLite since 3.24).
  return "INSERT INTO " + qualified_meta_ +
         " (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET "
         "value = excluded.value";
}

std::string VersionTableSql::OfflineUpsertHistoryVersion(int version) const {
  return "INSERT INTO " + qualified_meta_ + " (name, value) VALUES ('" +
         std::string(kHistoryVersionKey) + "', '" + std::to_string(version) +
         "') ON CONFLICT (name) DO UPDATE SET value = excluded.value";
}

std::string VersionTableSql::HistoryColumnsQuery(Params* params) const {
  params->clear();
  if (dialect_ == Dialect::kPostgres) {
    params->push_back(qualified_history_);
    return "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = "
           "pg_catalog.to_regclass($1) AND attnum > 0 AND NOT attisdropped";
  }
  params->push_back(history_table());
  if (schema_.empty()) {
    return "SELECT name FROM pragma_table_info($1)";
  }
  params->push_back(schema_);
  return "SELECT name FROM pragma_table_info($1, $2)";
}

std::vector<std::pair<std::string, std::string>>
VersionTableSql::HistoryV2Columns(bool if_missing) const {
  const std::string alter = "ALTER TABLE " + qualified_history_ +
                            (if_missing ? " ADD COLUMN IF NOT EXISTS "
                                        : " ADD COLUMN ");
  return {{"progress", alter + "progress VARCHAR(16)"},
          {"statement", alter + "statement INTEGER"}};
}

std::string VersionTableSql::InsertProgressParam() const {
  return "INSERT INTO " + qualified_history_ +
         " (revision, direction, checksum, started_at, finished_at, "
         "duration_ms, applied_by, tool_version, progress, statement) VALUES "
         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
}

std::string VersionTableSql::SelectProgressParam() const {
  return "SELECT id, direction, progress, statement, checksum FROM " +
         qualified_history_ +
         " WHERE revision = $1 AND progress IS NOT NULL AND id > "
         "(SELECT COALESCE(MAX(id), 0) FROM " +
         qualified_history_ +
         " WHERE revision = $1 AND progress IS NULL) ORDER BY id";
}

std::string VersionTableSql::SelectLatestSteps(
    bool has_progress_column) const {
  std::string whole = has_progress_column ? " AND progress IS NULL" : "";
  std::string finished = dialect_ == Dialect::kPostgres
                             ? "h.finished_at::text"
                             : "h.finished_at";
  return "SELECT h.revision, h.direction, h.checksum, " + finished +
         ", h.applied_by FROM " + qualified_history_ +
         " h WHERE h.id IN (SELECT MAX(id) FROM " + qualified_history_ +
         " WHERE direction IN ('upgrade', 'downgrade')" + whole +
         " GROUP BY revision) ORDER BY h.id";
}

std::string VersionTableSql::SelectHeads() const {
  return "SELECT version_num FROM " + qualified_;
}

std::string VersionTableSql::DeleteAll() const {
  return "DELETE FROM " + qualified_;
}

std::string VersionTableSql::UpdateParam() const {
  return "UPDATE " + qualified_ + " SET version_num=$1 WHERE " + qualified_ +
         ".version_num = $2";
}

std::string VersionTableSql::OfflineOp(const VersionOp& op) const {
  switch (op.kind) {
    case VersionOp::Kind::kInsert: {
      std::string sql = "INSERT INTO " + qualified_ +
                        " (version_num) VALUES (" + Literal(op.to) + ")";
      if (dialect_ == Dialect::kPostgres) {
        sql += " RETURNING " + qualified_ + ".version_num";
      }
      return sql;
    }
    case VersionOp::Kind::kUpdate:
      return "UPDATE " + qualified_ + " SET version_num=" + Literal(op.to) +
             " WHERE " + qualified_ + ".version_num = " + Literal(op.from);
    case VersionOp::Kind::kDelete:
      return "DELETE FROM " + qualified_ + " WHERE " + qualified_ +
             ".version_num = " + Literal(op.from);
  }
  return "";
}

std::string VersionTableSql::DeleteManyParam(size_t n) const {
  std::string sql = "DELETE FROM " + qualified_ + " WHERE " + qualified_ +
                    ".version_num IN (";
  for (size_t i = 1; i <= n; ++i) {
    sql += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  return sql + ")";
}

std::string VersionTableSql::InsertManyParam(size_t n) const {
  std::string sql = "INSERT INTO " + qualified_ + " (version_num) VALUES ";
  for (size_t i = 1; i <= n; ++i) {
    sql += (i > 1 ? ", ($" : "($") + std::to_string(i) + ")";
  }
  return sql;
}

std::string VersionTableSql::InsertHistoryParam(size_t rows) const {
  std::string sql = "INSERT INTO " + qualified_history_ +
                    " (revision, direction, checksum, started_at, "
                    "finished_at, duration_ms, applied_by, tool_version) "
                    "VALUES ";
  for (size_t r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    sql += "(";
    for (size_t c = 1; c <= 8; ++c) {
      sql += (c > 1 ? ", $" : "$") + std::to_string(r * 8 + c);
    }
    sql += ")";
  }
  return sql;
}

std::string VersionTableSql::OfflineInsertHistory(
    const std::string& revision, const std::string& direction,
    const std::optional<std::string>& checksum, const std::string& applied_by,
    const std::string& tool_version) const {
  std::string now = dialect_ == Dialect::kPostgres
                        ? "now()"
                        : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  return "INSERT INTO " + qualified_history_ +
         " (revision, direction, checksum, started_at, finished_at, "
         "duration_ms, applied_by, tool_version) VALUES (" +
         Literal(revision) + ", " + Literal(direction) + ", " +
         (checksum ? Literal(*checksum) : std::string("NULL")) + ", " + now +
         ", " + now + ", 0, " + Literal(applied_by) + ", " +
         Literal(tool_version) + ")";
}

int64_t MigrationLockKey(std::string_view database, std::string_view schema,
                         std::string_view table) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 offset basis
  auto mix = [&hash](std::string_view part) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ull;  // FNV-1a 64 prime
    }
    // A separator byte keeps ("ab", "c") apart from ("a", "bc").
    hash ^= 0xff;
    hash *= 1099511628211ull;
  };
  mix("retort-migration-lock");
  mix(database);
  mix(schema);
  mix(table);
  return static_cast<int64_t>(hash);
}

namespace {

std::string ComputeAppliedBy() {
  std::string user;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name) {
    user = pw->pw_name;
  } else if (const char* env = std::getenv("USER"); env != nullptr) {
    user = env;
  } else {
    user = std::to_string(geteuid());
  }
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return user + "@" + (host[0] ? host : "localhost");
}

}  // namespace

std::string AppliedBy() {
  // getpwuid is not thread-safe and the answer never changes: ask once.
  static const std::string value = ComputeAppliedBy();
  return value;
}

}  // namespace retort
