// Statement splitting and outside-transaction detection. libpg_query is a C
// library with malloc'ed results: every result is freed on every path by the
// small RAII holders below.
#include "dialect/splitter.h"

#include <pg_query.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "dialect/pg_json.h"

namespace retort {

namespace {

// Whitespace as each dialect's tokenizer sees it: PostgreSQL's includes the
// vertical tab, SQLite's does not (it is an illegal character there, and
// sqlite3_complete() takes it for the start of a statement).
bool IsSpace(char c, Dialect dialect) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         (c == '\v' && dialect == Dialect::kPostgres);
}

// Skips whitespace, comments and stray ';' from `pos`; returns the first byte
// of a token (or `end`). PostgreSQL block comments nest, SQLite's do not. This
// only trims around boundaries the real tokenizers already found.
size_t SkipBlankAndComments(std::string_view s, size_t pos, size_t end,
                            Dialect dialect) {
  const bool nested_block_comments = dialect == Dialect::kPostgres;
  while (pos < end) {
    if (IsSpace(s[pos], dialect) ||
        s[pos] == ';') {  // ';' alone: an empty statement
      ++pos;
    } else if (s.substr(pos, 2) == "--") {
      while (pos < end && s[pos] != '\n') ++pos;
    } else if (s.substr(pos, 2) == "/*") {
      int depth = 1;
      pos += 2;
      while (pos < end && depth > 0) {
        if (nested_block_comments && s.substr(pos, 2) == "/*") {
          ++depth;
          pos += 2;
        } else if (s.substr(pos, 2) == "*/") {
          --depth;
          pos += 2;
        } else {
          ++pos;
        }
      }
    } else {
      break;
    }
  }
  return std::min(pos, end);
}

// Builds the statements from [begin, end) byte ranges of `script`, trimming
// comments and blanks at the front and blanks and ';' at the back, dropping
// ranges with no token at all, and numbering lines.
std::vector<SqlStatement> MakeStatements(
    std::string_view script,
    const std::vector<std::pair<size_t, size_t>>& ranges, Dialect dialect) {
  std::vector<SqlStatement> out;
  size_t line_scan = 0;
  int line = 1;
  for (auto [begin, end] : ranges) {
    end = std::min(end, script.size());
    begin = SkipBlankAndComments(script, begin, end, dialect);
    while (end > begin &&
           (IsSpace(script[end - 1], dialect) || script[end - 1] == ';')) {
      --end;
    }
    if (begin >= end) continue;
    // Ranges arrive in order, so lines are counted in one pass.
    line += static_cast<int>(
        std::count(script.begin() + line_scan, script.begin() + begin, '\n'));
    line_scan = begin;
    out.push_back(
        {std::string(script.substr(begin, end - begin)), begin, line});
  }
  return out;
}

// Owns a PgQuerySplitResult.
struct SplitHolder {
  PgQuerySplitResult result;
  ~SplitHolder() { pg_query_free_split_result(result); }
};

std::vector<std::pair<size_t, size_t>> Ranges(const PgQuerySplitResult& r) {
  std::vector<std::pair<size_t, size_t>> ranges;
  ranges.reserve(r.n_stmts);
  for (int i = 0; i < r.n_stmts; ++i) {
    size_t begin = static_cast<size_t>(r.stmts[i]->stmt_location);
    ranges.emplace_back(begin,
                        begin + static_cast<size_t>(r.stmts[i]->stmt_len));
  }
  return ranges;
}

// libpg_query's scanner split only counts a statement when it holds a
// keyword and its parentheses balance, silently skipping text such as
// "SELEC 1;" -- exactly the statements whose error the user must see. Put
// every uncovered stretch back as a statement of its own (MakeStatements
// then drops the stretches that are only blanks, comments and ';').
std::vector<std::pair<size_t, size_t>> FillGaps(
    std::vector<std::pair<size_t, size_t>> ranges, size_t size) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<size_t, size_t>> out;
  size_t covered = 0;
  for (auto [begin, end] : ranges) {
    if (begin > covered) out.emplace_back(covered, begin);
    out.emplace_back(begin, end);
    covered = std::max(covered, end);
  }
  if (covered < size) out.emplace_back(covered, size);
  return out;
}

// Byte offset of the 1-based character position `pos` in UTF-8 `text`.
size_t ByteOffsetOfChar(std::string_view text, int pos) {
  size_t i = 0;
  int chars = 1;
  while (i < text.size() && chars < pos) {
    ++i;
    while (i < text.size() &&
           (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      ++i;
    }
    ++chars;
  }
  return i;
}

// --- Outside-transaction detection over libpg_query's JSON parse tree. ---

using Json = nlohmann::json;
using pgjson::BoolMember;
using pgjson::Member;
using pgjson::ParseHolder;
using pgjson::StringMember;

// The DefElem with `defname` in the list `node[key]`, or null.
const Json* FindDefElem(const Json& node, const char* key,
                        std::string_view defname) {
  const Json* list = Member(node, key);
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const Json& item : *list) {
    const Json* def = Member(item, "DefElem");
    if (def != nullptr && StringMember(*def, "defname") == defname) return def;
  }
  return nullptr;
}

// A DefElem's value read as a boolean option: absent argument means true.
bool DefElemIsTrue(const Json& def) {
  const Json* arg = Member(def, "arg");
  if (arg == nullptr) return true;
  std::string text;
  if (const Json* s = Member(*arg, "String")) text = StringMember(*s, "sval");
  if (const Json* b = Member(*arg, "Boolean")) return BoolMember(*b, "boolval");
  if (const Json* i = Member(*arg, "Integer")) {
    const Json* v = Member(*i, "ival");
    return v != nullptr && v->is_number() && v->get<int64_t>() != 0;
  }
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !(text == "false" || text == "off" || text == "0" || text == "no");
}

std::optional<std::string> ReasonForNode(const std::string& type,
                                         const Json& node, int server_version) {
  if (type == "IndexStmt" && BoolMember(node, "concurrent")) {
    return "CREATE INDEX CONCURRENTLY";
  }
  if (type == "DropStmt" && BoolMember(node, "concurrent")) {
    return "DROP INDEX CONCURRENTLY";
  }
  if (type == "ReindexStmt") {
    const Json* def = FindDefElem(node, "params", "concurrently");
    if (def != nullptr && DefElemIsTrue(*def)) return "REINDEX CONCURRENTLY";
    std::string kind = StringMember(node, "kind");
    if (kind == "REINDEX_OBJECT_SCHEMA") return "REINDEX SCHEMA";
    if (kind == "REINDEX_OBJECT_SYSTEM") return "REINDEX SYSTEM";
    if (kind == "REINDEX_OBJECT_DATABASE") return "REINDEX DATABASE";
  }
  if (type == "VacuumStmt" && BoolMember(node, "is_vacuumcmd")) {
    return "VACUUM";
  }
  if (type == "CreatedbStmt") return "CREATE DATABASE";
  if (type == "DropdbStmt") return "DROP DATABASE";
  if (type == "AlterSystemStmt") return "ALTER SYSTEM";
  if (type == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (type == "DropTableSpaceStmt") return "DROP TABLESPACE";
  if (type == "AlterDatabaseStmt" &&
      FindDefElem(node, "options", "tablespace") != nullptr) {
    return "ALTER DATABASE ... SET TABLESPACE";
  }
  if (type == "AlterEnumStmt" && Member(node, "oldVal") == nullptr &&
      server_version < 120000) {
    return "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)";
  }
  if (type == "CreateSubscriptionStmt") {
    const Json* def = FindDefElem(node, "options", "create_slot");
    if (def == nullptr || DefElemIsTrue(*def)) return "CREATE SUBSCRIPTION";
  }
  // Only a subscription with a replication slot refuses; we cannot tell.
  if (type == "DropSubscriptionStmt") return "DROP SUBSCRIPTION";
  if (type == "AlterTableStmt") {
    const Json* cmds = Member(node, "cmds");
    if (cmds != nullptr && cmds->is_array()) {
      for (const Json& item : *cmds) {
        const Json* cmd = Member(item, "AlterTableCmd");
        if (cmd == nullptr ||
            StringMember(*cmd, "subtype") != "AT_DetachPartition") {
          continue;
        }
        const Json* def = Member(*cmd, "def");
        const Json* part =
            def == nullptr ? nullptr : Member(*def, "PartitionCmd");
        if (part != nullptr && BoolMember(*part, "concurrent")) {
          return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
        }
      }
    }
  }
  if (type == "ClusterStmt" && Member(node, "relation") == nullptr) {
    return "CLUSTER without a table";
  }
  if (type == "DiscardStmt" && StringMember(node, "target") == "DISCARD_ALL") {
    return "DISCARD ALL";
  }
  if (type == "TransactionStmt") {
    std::string kind = StringMember(node, "kind");
    if (kind == "TRANS_STMT_COMMIT_PREPARED") return "COMMIT PREPARED";
    if (kind == "TRANS_STMT_ROLLBACK_PREPARED") return "ROLLBACK PREPARED";
  }
  return std::nullopt;
}

PgTransactionTraits PostgresTraits(std::string_view statement,
                                   int server_version) {
  PgTransactionTraits traits;
  std::string text(statement);
  ParseHolder parsed{pg_query_parse(text.c_str())};
  if (parsed.result.error != nullptr || parsed.result.parse_tree == nullptr) {
    return traits;
  }
  Json tree = Json::parse(parsed.result.parse_tree, nullptr,
                          /*allow_exceptions=*/false);
  const Json* stmts = Member(tree, "stmts");
  if (stmts == nullptr || !stmts->is_array()) return traits;
  for (const Json& raw : *stmts) {
    const Json* stmt = Member(raw, "stmt");
    if (stmt == nullptr || !stmt->is_object()) continue;
    for (auto it = stmt->begin(); it != stmt->end(); ++it) {
      if (it.key() == "TransactionStmt") traits.transaction_control = true;
      if (traits.outside_reason) continue;
      traits.outside_reason =
          ReasonForNode(it.key(), it.value(), server_version);
    }
  }
  return traits;
}

std::optional<std::string> PostgresOutsideReason(std::string_view statement,
                                                 int server_version) {
  return PostgresTraits(statement, server_version).outside_reason;
}

}  // namespace

Result<std::vector<SqlStatement>> SplitPostgresScript(std::string_view script) {
  // libpg_query reads a C string: whatever follows a NUL byte would be
  // silently left out of the split (and PostgreSQL refuses NUL in SQL).
  if (size_t nul = script.find('\0'); nul != std::string_view::npos) {
    const auto line =
        1 + std::count(script.begin(), script.begin() + nul, '\n');
    return Status::InvalidArgument(
        "line " + std::to_string(line) +
        ": NUL byte in the SQL, which PostgreSQL cannot take (is the file "
        "UTF-16? save it as UTF-8)");
  }
  std::string text(script);
  {
    SplitHolder parsed{pg_query_split_with_parser(text.c_str())};
    if (parsed.result.error == nullptr) {
      return MakeStatements(script, Ranges(parsed.result), Dialect::kPostgres);
    }
  }
  SplitHolder scanned{pg_query_split_with_scanner(text.c_str())};
  if (scanned.result.error != nullptr) {
    const PgQueryError& error = *scanned.result.error;
    TextPosition where = LocatePosition(script, error.cursorpos);
    return Status::InvalidArgument(
        "line " + std::to_string(where.line) + ": " +
        std::string(error.message != nullptr ? error.message : "syntax error"));
  }
  return MakeStatements(script, FillGaps(Ranges(scanned.result), script.size()),
                        Dialect::kPostgres);
}

std::vector<SqlStatement> SplitSqliteScript(std::string_view script) {
  // sqlite3_complete() wants a NUL-terminated string: terminate a copy just
  // after each candidate ';' and restore the byte afterwards.
  std::string buffer(script);
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t start = 0;
  for (size_t i = 0; i < buffer.size(); ++i) {
    if (buffer[i] != ';') continue;
    char saved = buffer[i + 1];  // buffer[size()] is the terminator itself
    if (i + 1 < buffer.size()) buffer[i + 1] = '\0';
    bool complete = sqlite3_complete(buffer.c_str() + start) != 0;
    if (i + 1 < buffer.size()) buffer[i + 1] = saved;
    if (complete) {
      ranges.emplace_back(start, i);
      start = i + 1;
    }
  }
  ranges.emplace_back(start, buffer.size());
  return MakeStatements(script, ranges, Dialect::kSqlite);
}

Result<std::vector<SqlStatement>> SplitScript(Dialect dialect,
                                              std::string_view script) {
  switch (dialect) {
    case Dialect::kPostgres:
      return SplitPostgresScript(script);
    case Dialect::kSqlite:
      return SplitSqliteScript(script);
  }
  return Status::Internal("unknown dialect");
}

std::optional<std::string> OutsideTransactionReason(Dialect dialect,
                                                    std::string_view statement,
                                                    int server_version) {
  if (dialect == Dialect::kPostgres) {
    return PostgresOutsideReason(statement, server_version);
  }
  // SQLite has no parser to ask; its one such statement is easy to spot.
  for (const SqlStatement& s : SplitSqliteScript(statement)) {
    std::string_view word = std::string_view(s.text).substr(0, 6);
    std::string upper;
    for (char c : word)
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "VACUUM" &&
        (s.text.size() == 6 ||
         !std::isalnum(static_cast<unsigned char>(s.text[6])))) {
      return "VACUUM";
    }
  }
  return std::nullopt;
}

PgTransactionTraits PostgresTransactionTraits(std::string_view statement,
                                              int server_version) {
  return PostgresTraits(statement, server_version);
}

bool MustRunOutsideTransaction(std::string_view statement, int server_version) {
  return PostgresOutsideReason(statement, server_version).has_value();
}

bool ControlsTransaction(Dialect dialect, std::string_view statement) {
  if (dialect == Dialect::kPostgres) {
    return PostgresTraits(statement, 0).transaction_control;
  }
  // SQLite's transaction statements are told by their first keyword.
  size_t pos =
      SkipBlankAndComments(statement, 0, statement.size(), Dialect::kSqlite);
  std::string word;
  while (pos < statement.size() &&
         std::isalpha(static_cast<unsigned char>(statement[pos]))) {
    word += static_cast<char>(
        std::toupper(static_cast<unsigned char>(statement[pos++])));
  }
  static constexpr std::string_view kWords[] = {
      "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"};
  return std::find(std::begin(kWords), std::end(kWords), word) !=
         std::end(kWords);
}

TextPosition LocatePosition(std::string_view text, int char_position) {
  TextPosition where;
  where.byte_offset = ByteOffsetOfChar(text, std::max(char_position, 1));
  size_t line_start = 0;
  for (size_t i = 0; i < where.byte_offset; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      line_start = i + 1;
    }
  }
  std::string_view line =
      text.substr(line_start, where.byte_offset - line_start);
  where.column = 1;
  for (char c : line) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++where.column;
  }
  return where;
}

}  // namespace retort
