// The SQL of retort's two bookkeeping tables, shared by the online executor
// and the offline writer so both produce the same schema.
//
// Version table (Alembic's, unchanged so Alembic and retort can take over
// from each other): one row per applied head.
//   CREATE TABLE alembic_version (
//       version_num VARCHAR(32) NOT NULL,
//       CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
//   );
// History table (retort's own, append-only, "<version table>_history" in
// the same schema): one row per executed step, for audit and `verify`.
//   id, revision, direction ('upgrade' | 'downgrade' | 'stamp'),
//   checksum (SHA-256 hex of the revision file; NULL for stamps),
//   started_at, finished_at, duration_ms, applied_by (user@host),
//   tool_version.
#ifndef RETORT_RUNTIME_VERSION_TABLE_H_
#define RETORT_RUNTIME_VERSION_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dialect/dialect.h"
#include "revision/plan.h"

namespace retort {

// VersionTableSql renders every statement that touches the version and
// history tables for one dialect, table name and (optional) schema.
class VersionTableSql {
 public:
  VersionTableSql(Dialect dialect, std::string table, std::string schema);

  const std::string& table() const { return table_; }
  const std::string& schema() const { return schema_; }
  std::string history_table() const { return table_ + "_history"; }
  // The names as they appear in SQL, schema-qualified when a schema is set.
  // Names are quoted only when they need it (as SQLAlchemy does), so the
  // DDL reads like Alembic's.
  const std::string& qualified() const { return qualified_; }
  const std::string& qualified_history() const { return qualified_history_; }

  // Alembic's CREATE TABLE, byte for byte (indentation and the trailing
  // space after the column included).
  std::string CreateVersionTable() const;
  std::string DropVersionTable() const;
  // CREATE TABLE IF NOT EXISTS for the history table.
  std::string CreateHistoryTable() const;

  // A parameterised query ($1, ...) that tells whether the version table
  // exists; one row with a non-NULL value when it does.
  std::string VersionTableExistsQuery(Params* params) const;
  std::string SelectHeads() const;
  std::string DeleteAll() const;

  // Online forms, with parameters ($1 = new, $2 = old).
  std::string UpdateParam() const;
  // Offline forms with literals, as Alembic prints them (PostgreSQL adds
  // Alembic's "RETURNING" to the insert).
  std::string OfflineOp(const VersionOp& op) const;

  // Several rows at once: "DELETE ... WHERE version_num IN ($1, ..., $n)"
  // and "INSERT ... VALUES ($1), ..., ($n)".
  std::string DeleteManyParam(size_t n) const;
  std::string InsertManyParam(size_t n) const;

  // History insert of `rows` rows, 8 parameters each ($1..$8 for the first:
  // revision, direction, checksum, started_at, finished_at, duration_ms,
  // applied_by, tool_version).
  std::string InsertHistoryParam(size_t rows = 1) const;
  // Offline history insert; timestamps are the server's now().
  std::string OfflineInsertHistory(const std::string& revision,
                                   const std::string& direction,
                                   const std::optional<std::string>& checksum,
                                   const std::string& applied_by,
                                   const std::string& tool_version) const;

 private:
  std::string Literal(std::string_view value) const;

  Dialect dialect_;
  std::string table_;
  std::string schema_;
  std::string qualified_;
  std::string qualified_history_;
};

// An identifier as SQLAlchemy renders it: bare when it is lower case,
// starts with a letter or '_', and holds only [a-z0-9_$]; quoted otherwise.
// (Reserved words are always quoted here too.)
std::string MaybeQuoteIdent(std::string_view ident);

// The key of the PostgreSQL advisory lock guarding one version table: a
// 64-bit FNV-1a hash of (database, schema, table) -- stable across builds,
// platforms and languages, unlike std::hash -- as a signed bigint.
int64_t MigrationLockKey(std::string_view database, std::string_view schema,
                         std::string_view table);

// "user@host": the OS user and host name recorded in the history table.
std::string AppliedBy();

}  // namespace retort

#endif  // RETORT_RUNTIME_VERSION_TABLE_H_
