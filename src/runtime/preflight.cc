// The checks a plan passes before it runs; see preflight.h.
#include "runtime/preflight.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "dialect/pg_json.h"
#include "dialect/sqlite_tokenizer.h"
#include "runtime/run_internal.h"

namespace retort {

namespace {

using Json = nlohmann::json;
using pgjson::Member;
using pgjson::ParseHolder;
using pgjson::StringMember;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// retort's own tables, as a statement may name them.
struct OwnTables {
  std::string version_table;
  std::string version_schema;  // "" = any

  // The table `name` (in `schema`, "" when unqualified) is one of ours.
  // `fold` compares without case (SQLite; PostgreSQL's parser has folded
  // unquoted names already).
  bool Matches(const std::string& schema, const std::string& name,
               bool fold) const {
    auto same = [fold](const std::string& a, const std::string& b) {
      return fold ? Lower(a) == Lower(b) : a == b;
    };
    if (!same(name, version_table) && !same(name, version_table + "_history")) {
      return false;
    }
    return schema.empty() || version_schema.empty() ||
           same(schema, version_schema);
  }
};

// A RangeVar, wrapped ({"RangeVar": {...}}, in lists) or not (a field).
bool RangeVarMatches(const Json& node, const OwnTables& own,
                     std::string* name) {
  const Json* rv = Member(node, "RangeVar");
  if (rv == nullptr) rv = &node;
  std::string relname = StringMember(*rv, "relname");
  if (relname.empty()) return false;
  std::string schema = StringMember(*rv, "schemaname");
  if (!own.Matches(schema, relname, false)) return false;
  *name = schema.empty() ? relname : schema + "." + relname;
  return true;
}

std::string PostgresForbidden(const std::string& statement,
                              const OwnTables& own) {
  ParseHolder parsed{pg_query_parse(statement.c_str())};
  if (parsed.result.error != nullptr || parsed.result.parse_tree == nullptr) {
    return "";  // the server reports what does not parse
  }
  Json tree = Json::parse(parsed.result.parse_tree, nullptr,
                          /*allow_exceptions=*/false);
  const Json* stmts = Member(tree, "stmts");
  if (stmts == nullptr || !stmts->is_array()) return "";
  for (const Json& raw : *stmts) {
    const Json* stmt = Member(raw, "stmt");
    if (stmt == nullptr || !stmt->is_object()) continue;
    for (auto it = stmt->begin(); it != stmt->end(); ++it) {
      const std::string& type = it.key();
      const Json& node = it.value();
      std::string name;
      if (type == "TransactionStmt") {
        std::string kind = StringMember(node, "kind");
        if (kind == "TRANS_STMT_BEGIN") return "BEGIN";
        if (kind == "TRANS_STMT_START") return "START TRANSACTION";
        if (kind == "TRANS_STMT_COMMIT") return "COMMIT";
        if (kind == "TRANS_STMT_ROLLBACK") return "ROLLBACK";
        if (kind == "TRANS_STMT_PREPARE") return "PREPARE TRANSACTION";
      } else if (type == "DropStmt") {
        if (StringMember(node, "removeType") != "OBJECT_TABLE") continue;
        const Json* objects = Member(node, "objects");
        if (objects == nullptr || !objects->is_array()) continue;
        for (const Json& object : *objects) {
          const Json* list = Member(object, "List");
          const Json* items = list ? Member(*list, "items") : nullptr;
          if (items == nullptr || !items->is_array() || items->empty()) {
            continue;
          }
          std::vector<std::string> parts;
          for (const Json& item : *items) {
            const Json* s = Member(item, "String");
            parts.push_back(s ? StringMember(*s, "sval") : "");
          }
          std::string table = parts.back();
          std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
          if (own.Matches(schema, table, false)) {
            return "DROP TABLE " +
                   (schema.empty() ? table : schema + "." + table);
          }
        }
      } else if (type == "TruncateStmt") {
        const Json* relations = Member(node, "relations");
        if (relations == nullptr || !relations->is_array()) continue;
        for (const Json& relation : *relations) {
          if (RangeVarMatches(relation, own, &name)) return "TRUNCATE " + name;
        }
      } else if (type == "RenameStmt" || type == "AlterObjectSchemaStmt") {
        const std::string kind_key =
            type == "RenameStmt" ? "renameType" : "objectType";
        if (StringMember(node, kind_key.c_str()) != "OBJECT_TABLE") continue;
        const Json* relation = Member(node, "relation");
        if (relation != nullptr && RangeVarMatches(*relation, own, &name)) {
          return "ALTER TABLE " + name +
                 (type == "RenameStmt" ? " RENAME" : " SET SCHEMA");
        }
      }
    }
  }
  return "";
}

std::string SqliteForbidden(const std::string& statement,
                            const OwnTables& own) {
  std::vector<SqliteToken> t = TokenizeSqlite(statement);
  if (t.empty()) return "";
  auto word = [&t](size_t i, std::string_view w) {
    return i < t.size() && t[i].Is(w);
  };
  if (word(0, "BEGIN")) return "BEGIN";
  if (word(0, "COMMIT") || word(0, "END")) return "COMMIT";
  if (word(0, "ROLLBACK")) {
    // ROLLBACK [TRANSACTION] TO [SAVEPOINT] name stays inside the run's
    // transaction.
    size_t i = word(1, "TRANSACTION") ? 2 : 1;
    return word(i, "TO") ? "" : "ROLLBACK";
  }
  // DROP TABLE [IF EXISTS] [schema.]name / ALTER TABLE [schema.]name RENAME
  size_t i = 0;
  const bool drop = word(0, "DROP") && word(1, "TABLE");
  const bool alter = word(0, "ALTER") && word(1, "TABLE");
  if (!drop && !alter) return "";
  i = 2;
  if (drop && word(i, "IF") && word(i + 1, "EXISTS")) i += 2;
  if (i >= t.size() || !t[i].IsName()) return "";
  std::string schema, table = t[i].Name();
  if (i + 2 < t.size() && t[i + 1].text == "." && t[i + 2].IsName()) {
    schema = table;
    table = t[i + 2].Name();
    i += 2;
  }
  if (!own.Matches(schema, table, true)) return "";
  std::string name = schema.empty() ? table : schema + "." + table;
  if (drop) return "DROP TABLE " + name;
  if (word(i + 1, "RENAME") && !word(i + 2, "COLUMN") &&
      (word(i + 2, "TO") || !word(i + 3, "TO"))) {
    return "ALTER TABLE " + name + " RENAME";
  }
  return "";
}

// A substring test before the parse: most statements never name our
// tables, and a parse per statement would double the cost of a run.
bool MayNameOwnTables(const std::string& statement, const OwnTables& own) {
  return Lower(statement).find(Lower(own.version_table)) != std::string::npos;
}

std::string Marker(bool upgrade) {
  return upgrade ? "-- migrate:upgrade" : "-- migrate:downgrade";
}

// Why `statement` may not appear in a revision ("" when it may), read by
// the dialect's own parser.
std::string Forbidden(Dialect dialect, const std::string& statement,
                      const OwnTables& own) {
  switch (dialect) {
    case Dialect::kPostgres:
      return PostgresForbidden(statement, own);
    case Dialect::kSqlite:
      return SqliteForbidden(statement, own);
  }
  return "";
}

}  // namespace

std::string ForbiddenStatement(Dialect dialect, const std::string& statement,
                               const std::string& version_table,
                               const std::string& version_schema) {
  return Forbidden(dialect, statement,
                   OwnTables{version_table, version_schema});
}

Status PreflightPlan(const ScriptDirectory& scripts,
                     const std::vector<MigrationStep>& plan,
                     const std::map<std::string, std::string>& placeholders,
                     Dialect dialect, int server_version,
                     const RunTarget& target, const RunSettings& settings,
                     bool offline) {
  PreparedStepCache* cache = settings.step_cache.get();
  RETORT_RETURN_IF_ERROR(CheckStepsReady(scripts, plan, cache));
  OwnTables own{target.version_table, target.version_table_schema.empty()
                                          ? target.schema
                                          : target.version_table_schema};
  for (const MigrationStep& step : plan) {
    if (step.kind != MigrationStep::Kind::kRevision) continue;
    RETORT_ASSIGN_OR_RETURN(PreparedStep prep,
                            PrepareStep(scripts, step, placeholders, dialect,
                                        server_version, cache));
    const std::string direction = step.is_upgrade ? "upgrade" : "downgrade";
    const std::string& id = step.revision->id();
    RETORT_RETURN_IF_ERROR(
        CheckCodeRunnable(prep, step, settings.code, offline));
    if (prep.code_line != 0) continue;  // its function runs it
    if (prep.statements.empty()) {
      // CheckEmptyDirective (PrepareStep) accepted it: say why it may run.
      RETORT_ASSIGN_OR_RETURN(RevisionSections sections,
                              scripts.ReadSections(step.revision->revision));
      const SectionDirectives& directives = step.is_upgrade
                                                ? sections.upgrade_directives
                                                : sections.downgrade_directives;
      if (directives.empty_line() != 0) continue;
      return Status::InvalidArgument(
          prep.path + ":" + std::to_string(std::max(1, prep.body_line - 1)) +
          ": the " + direction + " section of " + id +
          " has no statements, so " + direction +
          " through it is refused as irreversible (nothing was run); write "
          "its SQL, or \"-- retort: empty\" under \"" +
          Marker(step.is_upgrade) + "\" if doing nothing is right");
    }
    for (const SqlStatement& statement : prep.statements) {
      // Most statements name neither table: skip them without a parse.
      if (!prep.controls_transaction &&
          !MayNameOwnTables(statement.text, own)) {
        continue;
      }
      std::string what = Forbidden(dialect, statement.text, own);
      if (what.empty()) continue;
      const std::string where = prep.path + ":" +
                                std::to_string(prep.LineOf(statement, 0)) +
                                ": " + direction + " " + id + " runs " + what;
      if (what.starts_with("DROP") || what.starts_with("TRUNCATE") ||
          what.starts_with("ALTER")) {
        return Status::InvalidArgument(
            where +
            ", but that table is retort's own: it records what ran "
            "(nothing was run); remove the statement (retort stamp sets "
            "the version table)");
      }
      return Status::InvalidArgument(
          where +
          ", which would end the transaction retort runs it in and leave "
          "the run half-applied (nothing was run); remove it, and start a "
          "\"-- retort: step\" where the file must commit part-way");
    }
  }
  return Status::OK();
}

}  // namespace retort
