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
//   Table version 2 adds, for resumable non-transactional revisions:
//   progress ('started' | 'done' | 'failed'; NULL on a row that records a
//   whole step) and statement (the 1-based statement of the section the
//   progress row is about). On a progress row, checksum is the SHA-256 of
//   that statement's text, so a rerun can tell which statements changed.
// Meta table (retort's own, "<version table>_retort"): name/value pairs;
// ('history_version', N) is the history table's layout version. A table
// without it is version 1 (what retort wrote before it had versions, and
// what offline scripts create); online runs upgrade it in place and refuse
// to write to a version newer than kHistoryTableVersion.
#ifndef RETORT_RUNTIME_VERSION_TABLE_H_
#define RETORT_RUNTIME_VERSION_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  std::string meta_table() const { return table_ + "_retort"; }
  // The names as they appear in SQL, schema-qualified when a schema is set.
  // Names are quoted only when they need it (as SQLAlchemy does), so the
  // DDL reads like Alembic's.
  const std::string& qualified() const { return qualified_; }
  const std::string& qualified_history() const { return qualified_history_; }
  const std::string& qualified_meta() const { return qualified_meta_; }

  // Alembic's CREATE TABLE, byte for byte (indentation and the trailing
  // space after the column included).
  std::string CreateVersionTable() const;
  std::string DropVersionTable() const;
  // CREATE TABLE IF NOT EXISTS for the history table.
  std::string CreateHistoryTable() const;

  // A parameterised query ($1, ...) that tells whether the version table
  // exists; one row with a non-NULL value when it does.
  std::string VersionTableExistsQuery(Params* params) const;
  // The same for the history and the meta table.
  std::string HistoryTableExistsQuery(Params* params) const;
  std::string MetaTableExistsQuery(Params* params) const;

  // The meta table, and its rows.
  std::string CreateMetaTable() const;
  // $1 = name; one row with the value when set.
  std::string SelectMetaParam() const;
  // $1 = name, $2 = value: inserts or replaces.
  std::string UpsertMetaParam() const;
  // The names of the history table's columns, one per row.
  std::string HistoryColumnsQuery(Params* params) const;
  // The columns table version 2 added, as "ADD COLUMN" statements keyed
  // by column name, in order; `if_missing` (PostgreSQL only) writes
  // "ADD COLUMN IF NOT EXISTS", for offline scripts.
  std::vector<std::pair<std::string, std::string>> HistoryV2Columns(
      bool if_missing = false) const;
  // $1-free form of UpsertMetaParam for offline scripts: the history table
  // version row with literals.
  std::string OfflineUpsertHistoryVersion(int version) const;

  // Progress row insert (table version 2): the 8 parameters of
  // InsertHistoryParam, then $9 = progress, $10 = statement.
  std::string InsertProgressParam() const;
  // The rows of revision $1 written after its last row that records a whole
  // step (progress IS NULL): id, direction, progress, statement, checksum,
  // oldest first. These are the progress of an interrupted attempt.
  std::string SelectProgressParam() const;
  // Per revision, its latest upgrade or downgrade row that records a whole
  // step: revision, direction, checksum, finished_at (text), applied_by;
  // ordered by id. Works on table versions 1 and 2.
  std::string SelectLatestSteps(bool has_progress_column) const;
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
  std::string TableExistsQuery(const std::string& name, Params* params) const;

  Dialect dialect_;
  std::string table_;
  std::string schema_;
  std::string qualified_;
  std::string qualified_history_;
  std::string qualified_meta_;
};

// The layout version of the history table this retort writes (see above).
inline constexpr int kHistoryTableVersion = 2;
// The meta table row naming it.
inline constexpr std::string_view kHistoryVersionKey = "history_version";

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
