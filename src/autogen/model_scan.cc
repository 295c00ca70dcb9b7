// Model files -> parsed statements and the schemas they use. The parse
// trees are libpg_query's JSON; only the few node shapes that name a schema
// are read.
#include "autogen/model_scan.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "autogen/model_order.h"
#include "util/strings.h"

namespace retort {
namespace {

using json = nlohmann::json;

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

// pg_dump (15.14, 16.10, 17.6 and later) brackets its output with the psql
// meta-commands `\restrict KEY` and `\unrestrict KEY`, which are not SQL
// (and a KEY starting with digits does not even tokenize): a structure.sql
// dumped by a current pg_dump holds them -- the last one, with Rails before
// 8.0.3, followed by Rails' footer. Such lines are blanked (lines and
// offsets stay where they were) where they lie between statements; one
// that turns out to lie inside a statement (a string, a function body) is
// put back and the text split again. Any other backslash command is left
// for the parser to report.
Result<std::vector<SqlStatement>> SplitModelFile(const std::string& text) {
  struct Line {
    size_t begin, end;
  };
  std::vector<Line> lines;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = std::min(text.find('\n', begin), text.size());
    std::string_view line(text.data() + begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (std::string_view command : {"\\restrict ", "\\unrestrict "}) {
      if (!line.starts_with(command) || line.size() == command.size()) {
        continue;
      }
      bool key = true;
      for (char c : line.substr(command.size())) {
        key = key && std::isalnum(static_cast<unsigned char>(c));
      }
      if (key) lines.push_back(Line{begin, begin + line.size()});
    }
    begin = end + 1;
  }
  if (lines.empty()) return SplitScript(Dialect::kPostgres, text);
  std::string blanked = text;
  for (const Line& l : lines) {
    std::fill(blanked.begin() + l.begin, blanked.begin() + l.end, ' ');
  }
  for (size_t round = 0;; ++round) {
    auto split = SplitScript(Dialect::kPostgres, blanked);
    if (!split.ok() || round == lines.size()) return split;
    bool restored = false;
    for (const SqlStatement& st : *split) {
      for (const Line& l : lines) {
        if (l.begin >= st.offset && l.begin < st.offset + st.text.size() &&
            blanked[l.begin] == ' ') {
          std::copy(text.begin() + l.begin, text.begin() + l.end,
                    blanked.begin() + l.begin);
          restored = true;
        }
      }
    }
    if (!restored) return split;
  }
}

bool IsSystemSchema(std::string_view name) {
  return name == "pg_catalog" || name == "information_schema" ||
         name.starts_with("pg_toast") || name.starts_with("pg_temp");
}

// The schema of a qualified name given as a list of String nodes
// ([schema, name] or [catalog, schema, name]); "" when unqualified.
std::string SchemaOfNameList(const json& names) {
  if (!names.is_array() || names.size() < 2) return "";
  const json& part = names[names.size() - 2];
  if (!part.is_object() || !part.contains("String")) return "";
  return part["String"].value("sval", "");
}

// Walks one statement's parse tree, recording into `scan`.
class StatementScanner {
 public:
  StatementScanner(ModelScan* scan, const std::string& path,
                   std::string* default_schema)
      : scan_(scan), path_(path), default_schema_(default_schema) {}

  // `mentions`, when given, are the schemas the statement's tree names
  // (StatementReading::mentions(), read beside the parse): the tree is then
  // not walked again for them.
  void Statement(const json& stmt,
                 const std::vector<std::string>* mentions = nullptr) {
    walk_ = mentions == nullptr;
    Node(stmt, *default_schema_);
    if (mentions != nullptr) {
      for (const std::string& schema : *mentions) Mention(schema);
    }
  }

 private:
  ModelSchema& Schema(const std::string& name) {
    ModelSchema& s = scan_->schemas[name];
    s.name = name;
    // Statements are walked file by file: comparing with the last file is
    // enough here (a search of the whole list was quadratic in the number
    // of files); ScanModels sorts and removes any repeat at the end.
    if (s.files.empty() || s.files.back() != path_) s.files.push_back(path_);
    return s;
  }

  void Mention(const std::string& schema) {
    if (!schema.empty() && !IsSystemSchema(schema)) Schema(schema);
  }

  // An object created in `schema` (or the default when unqualified).
  void Created(std::string schema, const std::string& fallback, bool table) {
    if (schema.empty()) schema = fallback;
    if (schema.empty() || IsSystemSchema(schema)) return;
    ModelSchema& s = Schema(schema);
    ++s.objects;
    if (table) ++s.tables;
  }

  static std::string RangeVarSchema(const json& range_var) {
    return range_var.is_object() ? range_var.value("schemaname", "") : "";
  }

  // A statement node: {"CreateStmt": {...}}. `fallback` is the schema an
  // unqualified name lands in (the CREATE SCHEMA's, inside one).
  void Node(const json& node, const std::string& fallback) {
    if (!node.is_object() || node.size() != 1) {
      Mentions(node);
      return;
    }
    const std::string& kind = node.begin().key();
    const json& body = node.begin().value();
    bool create = true;
    if (kind == "CreateSchemaStmt") {
      std::string name = body.value("schemaname", "");
      if (!name.empty()) {
        ModelSchema& schema = Schema(name);
        const bool if_not_exists = body.value("if_not_exists", false);
        schema.created_if_not_exists =
            if_not_exists && (!schema.created || schema.created_if_not_exists);
        schema.created = true;
      }
      if (body.contains("schemaElts")) {
        for (const json& element : body["schemaElts"]) Node(element, name);
      }
      ++scan_->creates;
      return;
    } else if (kind == "CreateStmt") {
      if (body.contains("relation") &&
          body["relation"].value("relpersistence", "p") != "t") {
        Created(RangeVarSchema(body["relation"]), fallback, true);
      }
    } else if (kind == "CreateForeignTableStmt") {
      if (body.contains("base") && body["base"].contains("relation")) {
        Created(RangeVarSchema(body["base"]["relation"]), fallback, true);
      }
    } else if (kind == "CreateTableAsStmt") {
      const json& into = body.value("into", json::object());
      if (into.contains("rel")) {
        Created(RangeVarSchema(into["rel"]), fallback,
                body.value("objtype", "") == "OBJECT_TABLE");
      }
    } else if (kind == "ViewStmt") {
      Created(RangeVarSchema(body.value("view", json::object())), fallback,
              false);
    } else if (kind == "IndexStmt" || kind == "CreateTrigStmt" ||
               kind == "RuleStmt") {
      // These live in their table's schema.
      Created(RangeVarSchema(body.value("relation", json::object())), fallback,
              false);
    } else if (kind == "CreatePolicyStmt") {
      Created(RangeVarSchema(body.value("table", json::object())), fallback,
              false);
    } else if (kind == "CreateSeqStmt") {
      Created(RangeVarSchema(body.value("sequence", json::object())), fallback,
              false);
    } else if (kind == "CompositeTypeStmt") {
      Created(RangeVarSchema(body.value("typevar", json::object())), fallback,
              false);
    } else if (kind == "CreateEnumStmt" || kind == "CreateRangeStmt") {
      Created(SchemaOfNameList(body.value("typeName", json::array())), fallback,
              false);
    } else if (kind == "CreateDomainStmt") {
      Created(SchemaOfNameList(body.value("domainname", json::array())),
              fallback, false);
    } else if (kind == "DefineStmt") {
      Created(SchemaOfNameList(body.value("defnames", json::array())), fallback,
              false);
    } else if (kind == "CreateFunctionStmt") {
      Created(SchemaOfNameList(body.value("funcname", json::array())), fallback,
              false);
    } else if (kind == "CreateExtensionStmt") {
      // Defines objects, in a schema the extension picks.
    } else if (kind == "VariableSetStmt") {
      create = false;
      SearchPath(body);
    } else {
      create = false;
    }
    if (create) ++scan_->creates;
    Mentions(body);
  }

  // SET search_path moves where unqualified names go, for the statements
  // that follow (they run on one connection, in file order).
  void SearchPath(const json& body) {
    if (body.value("name", "") != "search_path") return;
    std::string kind = body.value("kind", "");
    if (kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT") {
      *default_schema_ = "public";
      return;
    }
    if (kind != "VAR_SET_VALUE" || !body.contains("args")) return;
    for (const json& arg : body["args"]) {
      if (!arg.contains("A_Const")) continue;
      const json& constant = arg["A_Const"];
      if (!constant.contains("sval")) continue;
      std::string name = constant["sval"].value("sval", "");
      if (name.empty() || name == "$user") continue;  // no such schema here
      *default_schema_ = name;
      return;
    }
  }

  // Schema-qualified names anywhere in the tree: relations (RangeVar: an
  // object with "relname"), types (TypeName: "names"), function calls
  // ("funcname"). (StatementReading::mentions() reads the same.)
  void Mentions(const json& node) {
    if (!walk_) return;
    Walk(node);
  }
  void Walk(const json& node) {
    if (node.is_array()) {
      for (const json& child : node) Walk(child);
      return;
    }
    if (!node.is_object()) return;
    if (node.contains("relname")) Mention(node.value("schemaname", ""));
    for (const char* key : {"names", "funcname"}) {
      if (node.contains(key)) Mention(SchemaOfNameList(node[key]));
    }
    for (const auto& [key, child] : node.items()) {
      if (child.is_structured()) Walk(child);
    }
  }

  ModelScan* scan_;
  const std::string& path_;
  std::string* default_schema_;
  bool walk_ = true;
};

std::string ListNames(const std::vector<std::string>& names, size_t limit) {
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + std::min(names.size(), limit));
  std::string text = Join(shown, ", ");
  if (names.size() > limit) {
    text += ", ... (" + std::to_string(names.size()) + " in all)";
  }
  return text;
}

// One statement parsed by libpg_query: its tree, or the error.
struct Parsed {
  json tree;
  std::string error;  // libpg_query's message; "" when parsed
  int cursorpos = 0;
  // What each node of "stmts" that has a "stmt" creates and needs
  // (model_order.h), read beside the parse when asked for.
  std::vector<StatementReading> readings;
};

Parsed Parse(const std::string& text) {
  Parsed out;
  PgQueryParseResult parsed = pg_query_parse(text.c_str());
  if (parsed.error != nullptr) {
    out.error = parsed.error->message;
    out.cursorpos = parsed.error->cursorpos;
  } else {
    out.tree = json::parse(parsed.parse_tree, nullptr, false);
    if (out.tree.is_discarded())
      out.error = "cannot read libpg_query's parse tree";
  }
  pg_query_free_parse_result(parsed);
  return out;
}

// Parses statements 0..count-1 (`text_of(i)`) and hands each to `walk`, in
// order, on the calling thread; stops at the first error `walk` returns.
// Parsing -- libpg_query's parse and its JSON read back, most of the time
// a model scan takes -- runs on every core, a chunk of statements at a
// time (libpg_query keeps its state per thread), and so does reading what
// each statement creates and needs (Parsed::readings) when `read`. Chunks
// bound the memory: a parsed CREATE TABLE is some kilobytes of JSON nodes.
Status ParseInOrder(size_t count,
                    const std::function<const std::string&(size_t)>& text_of,
                    const std::function<Status(size_t, Parsed&)>& walk,
                    bool read = false) {
  constexpr size_t kChunk = 512;
  constexpr size_t kSerialBelow = 64;  // not worth a thread
  const size_t threads =
      count < kSerialBelow
          ? 1
          : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<Parsed> chunk;
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t end = std::min(count, begin + kChunk);
    chunk.clear();
    chunk.resize(end - begin);
    std::atomic<size_t> next{begin};
    auto work = [&] {
      for (size_t i = next++; i < end; i = next++) {
        Parsed& parsed = chunk[i - begin];
        parsed = Parse(text_of(i));
        if (!read || !parsed.error.empty()) continue;
        if (auto stmts = parsed.tree.find("stmts");
            stmts != parsed.tree.end()) {
          for (const json& raw : *stmts) {
            if (auto stmt = raw.find("stmt"); stmt != raw.end()) {
              parsed.readings.push_back(ReadModelStatement(*stmt));
            }
          }
        }
      }
    };
    {
      std::vector<std::jthread> helpers;
      for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
      work();
    }
    for (size_t i = begin; i < end; ++i) {
      RETORT_RETURN_IF_ERROR(walk(i, chunk[i - begin]));
    }
  }
  return Status::OK();
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

Result<ModelScan> ScanModels(const std::vector<ModelFile>& files,
                             bool normalize) {
  ModelScan scan;
  for (const ModelFile& file : files) {
    scan.files.push_back(file.path);
    auto split = SplitModelFile(file.text);
    if (!split.ok()) {
      return Status::InvalidArgument(
          FileLineMessage(file.path, split.status().message()));
    }
    for (SqlStatement& s : *split) {
      scan.statements.push_back(ModelStatement{file.path, std::move(s)});
    }
  }
  std::string default_schema = "public";
  ModelNormalizer normalizer;
  ModelDependencies dependencies;
  std::optional<StatementScanner> scanner;
  const std::string* scanner_path = nullptr;
  RETORT_RETURN_IF_ERROR(ParseInOrder(
      scan.statements.size(),
      [&scan](size_t i) -> const std::string& {
        return scan.statements[i].statement.text;
      },
      [&](size_t i, Parsed& parsed) -> Status {
        const ModelStatement& m = scan.statements[i];
        const SqlStatement& s = m.statement;
        if (!parsed.error.empty()) {
          if (parsed.tree.is_discarded()) {
            return Status::Internal(m.path + ":" + std::to_string(s.line) +
                                    ": " + parsed.error);
          }
          TextPosition at = LocatePosition(s.text, parsed.cursorpos);
          return Status::InvalidArgument(m.path + ":" +
                                         std::to_string(s.line + at.line - 1) +
                                         ": " + parsed.error);
        }
        if (scanner_path == nullptr || *scanner_path != m.path) {
          scanner.emplace(&scan, m.path, &default_schema);
          scanner_path = &m.path;
        }
        if (auto stmts = parsed.tree.find("stmts");
            stmts != parsed.tree.end()) {
          size_t node = 0;
          for (const json& raw : *stmts) {
            if (!raw.contains("stmt")) continue;
            StatementReading* reading = node < parsed.readings.size()
                                            ? &parsed.readings[node]
                                            : nullptr;
            ++node;
            scanner->Statement(raw["stmt"], reading != nullptr
                                                ? &reading->mentions()
                                                : nullptr);
            dependencies.Statement(i, raw["stmt"], reading);
            if (normalize) {
              normalizer.Statement(raw["stmt"], s.text, m.path, s.line, i);
            }
          }
        }
        return Status::OK();
      },
      /*read=*/true));
  for (auto& [name, schema] : scan.schemas) {
    std::sort(schema.files.begin(), schema.files.end());
    schema.files.erase(std::unique(schema.files.begin(), schema.files.end()),
                       schema.files.end());
  }
  // Load order: what a statement needs first (model_order.h).
  ModelOrder order =
      dependencies.Order(scan.statements.size(), [&scan](size_t i) {
        const ModelStatement& m = scan.statements[i];
        return m.path + ":" + std::to_string(m.statement.line);
      });
  const bool reordered = !order.identity();
  if (reordered) {
    std::vector<ModelStatement> statements;
    statements.reserve(scan.statements.size());
    for (size_t i : order.order) {
      statements.push_back(std::move(scan.statements[i]));
    }
    scan.statements = std::move(statements);
  }
  for (size_t k = 0; k < order.order.size(); ++k) {
    auto note = order.notes.find(order.order[k]);
    if (note != order.notes.end()) {
      scan.order_notes.emplace(k, std::move(note->second));
    }
  }
  if (normalize) {
    // The normaliser read the statements as they were read; in another
    // order it must read them again (parsing them again: the trees are
    // not kept).
    scan.normalized = std::make_shared<const NormalizedModels>(
        reordered ? NormalizeModels(scan) : normalizer.Finish(&order));
  }
  return scan;
}

namespace {

// The statements' load order, read from a fresh parse (a scan from the scan
// cache keeps no trees), by the same indexes.
ModelOrder OrderOfScan(const ModelScan& scan) {
  ModelDependencies dependencies;
  Status st = ParseInOrder(
      scan.statements.size(),
      [&scan](size_t i) -> const std::string& {
        return scan.statements[i].statement.text;
      },
      [&](size_t i, Parsed& parsed) -> Status {
        if (auto stmts = parsed.tree.find("stmts");
            parsed.error.empty() && stmts != parsed.tree.end()) {
          size_t node = 0;
          for (const json& raw : *stmts) {
            if (!raw.contains("stmt")) continue;
            StatementReading* reading = node < parsed.readings.size()
                                            ? &parsed.readings[node]
                                            : nullptr;
            ++node;
            dependencies.Statement(i, raw["stmt"], reading);
          }
        }
        return Status::OK();
      },
      /*read=*/true);
  (void)st;  // the walk never fails
  return dependencies.Order(scan.statements.size(), [&scan](size_t i) {
    const ModelStatement& m = scan.statements[i];
    return m.path + ":" + std::to_string(m.statement.line);
  });
}

}  // namespace

NormalizedModels NormalizeModels(const ModelScan& scan) {
  ModelNormalizer normalizer;
  Status st = ParseInOrder(
      scan.statements.size(),
      [&scan](size_t i) -> const std::string& {
        return scan.statements[i].statement.text;
      },
      [&](size_t i, Parsed& parsed) -> Status {
        const ModelStatement& m = scan.statements[i];
        if (!parsed.error.empty()) {
          return Status::InvalidArgument(m.path + ":" +
                                         std::to_string(m.statement.line) +
                                         ": a statement that does not parse");
        }
        if (auto stmts = parsed.tree.find("stmts");
            stmts != parsed.tree.end()) {
          for (const json& raw : *stmts) {
            if (!raw.contains("stmt")) continue;
            normalizer.Statement(raw["stmt"], m.statement.text, m.path,
                                 m.statement.line, i);
          }
        }
        // Nothing more to learn once it has declined: stop parsing.
        return normalizer.declined() ? Status::NotFound("declined")
                                     : Status::OK();
      });
  // Only what is left to a database needs the load order (to find what it
  // needs): plain models, the usual case, pay no second parse.
  std::optional<ModelOrder> order;
  if (st.ok() && normalizer.leaves_statements()) order = OrderOfScan(scan);
  NormalizedModels out = normalizer.Finish(order ? &*order : nullptr);
  if (!st.ok() && !normalizer.declined()) {
    out.catalog.reset();
    out.declined = st.message();
  }
  return out;
}

Status CheckModelsDefineSomething(const ModelScan& scan,
                                  const IntrospectOptions& filter,
                                  const std::string& setting) {
  if (scan.creates == 0) {
    std::string what = scan.files.size() == 1
                           ? scan.files[0] + " holds"
                           : "the " + std::to_string(scan.files.size()) +
                                 " model files (" + ListNames(scan.files, 5) +
                                 ") hold";
    return Status::InvalidArgument(
        "the models define nothing: " + what +
        " no CREATE statement, so every table in the database would look "
        "like a drop; put the schema's CREATE TABLE/VIEW/... statements in "
        "the model files, or fix " +
        setting);
  }
  std::vector<std::string> defined, compared;
  for (const auto& [name, schema] : scan.schemas) {
    if (schema.mentioned_only()) continue;
    defined.push_back(name);
    if (SchemaIncluded(filter, name)) compared.push_back(name);
  }
  if (defined.empty() || !compared.empty()) return Status::OK();
  std::string where;
  if (!filter.include_schemas.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& s : filter.include_schemas)
      quoted.push_back("'" + s + "'");
    where = (quoted.size() == 1 ? "schema " : "schemas ") + Join(quoted, ", ");
  } else {
    where = "the schemas that are not excluded";
  }
  return Status::InvalidArgument(
      "the models define nothing in " + where + " (they define objects in " +
      ListNames(defined, 10) +
      " only), so every table there would look like "
      "a drop; check --schema (-x schema=...), include_schemas and "
      "exclude_schemas, or add the missing CREATE statements to the models");
}

}  // namespace retort
