// Composing an imported revision file; see imported_file.h.
#include "importer/imported_file.h"

#include <algorithm>
#include <cctype>

#include "dialect/pg_scan.h"
#include "dialect/sqlite_tokenizer.h"
#include "script/revision_file.h"
#include "script/sha256.h"
#include "util/strings.h"

namespace retort {
namespace {

constexpr std::string_view kChecksumLine = "-- Import Checksum: ";

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      if (start < text.size()) out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// One line, for a directive or a header value: newlines and tabs become
// spaces, runs of blanks one.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A [begin, end) span of a statement and what replaces it.
struct Replacement {
  size_t begin = 0;
  size_t end = 0;
  std::string text;
};

// The spans of tokens that are exactly the sentinel: names become
// ${schema}, string literals ${schema:literal}.
Result<std::vector<Replacement>> WholeTokenReplacements(
    std::string_view sql, std::string_view sentinel, Dialect dialect) {
  std::vector<Replacement> out;
  const std::string quoted = "\"" + std::string(sentinel) + "\"";
  const std::string literal = "'" + std::string(sentinel) + "'";
  auto consider = [&](size_t begin, std::string_view text, bool name,
                      bool string) {
    if (name && (text == sentinel || text == quoted)) {
      out.push_back({begin, begin + text.size(), "${schema}"});
    } else if (string && text == literal) {
      out.push_back({begin, begin + text.size(), "${schema:literal}"});
    }
  };
  if (dialect == Dialect::kPostgres) {
    RETORT_ASSIGN_OR_RETURN(std::vector<PgToken> tokens, ScanPostgres(sql));
    for (const PgToken& t : tokens) {
      // A sentinel that happens to be a keyword cannot occur: it is not one.
      consider(t.begin, t.text, t.kind == PgToken::Kind::kIdentifier,
               t.kind == PgToken::Kind::kString);
    }
  } else {
    for (const SqliteToken& t : TokenizeSqlite(sql)) {
      consider(t.offset, t.text, t.IsName(),
               t.kind == SqliteTokenKind::kString);
    }
  }
  return out;
}

bool IsTransactionBoundary(std::string_view statement) {
  std::string_view s = Trim(statement);
  while (!s.empty() && s.back() == ';') s.remove_suffix(1);
  std::string lower(Trim(s));
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  return lower == "commit" || lower == "begin";
}

// The text of one section.
struct SectionText {
  std::string text;
  bool outside_transaction = false;
  bool uses_schema = false;
};

Result<SectionText> ComposeSection(const RenderedSection& section,
                                   const char* function,
                                   const ImportedFileSpec& spec,
                                   Dialect dialect) {
  SectionText out;
  const std::string where =
      spec.source + ":" + std::to_string(section.function_line);
  if (section.todo) {
    out.text = "-- retort: TODO " + OneLine(section.todo_reason) + " (" +
               spec.source + ":" + std::to_string(section.todo_line) + ")\n";
    if (section.function_line == 0 || section.source.empty()) {
      out.text +=
          "-- " + spec.source + " has no " + function + "() to show here\n";
      return out;
    }
    out.text += std::string("-- Alembic's ") + function + "(), " + where +
                ", to convert by hand:\n";
    for (std::string_view line : Lines(section.source)) {
      std::string_view trimmed = line;
      while (!trimmed.empty() &&
             (trimmed.back() == ' ' || trimmed.back() == '\r')) {
        trimmed.remove_suffix(1);
      }
      out.text +=
          trimmed.empty() ? "--\n" : "--   " + std::string(trimmed) + "\n";
    }
    return out;
  }
  if (section.statements.empty()) {
    out.text = "-- retort: empty\n";
    if (section.function_line == 0) {
      out.text += "-- " + spec.source + " has no " + function + "()\n";
    }
    return out;
  }
  bool noted_autocommit = false;
  for (const std::string& raw : section.statements) {
    if (IsTransactionBoundary(raw)) {
      // Alembic's autocommit_block renders as COMMIT ... BEGIN offline.
      out.outside_transaction = true;
      if (!noted_autocommit) {
        out.text += "-- " + spec.source +
                    " uses autocommit_block(): the revision runs outside a "
                    "transaction (Transactional: false)\n\n";
        noted_autocommit = true;
      }
      continue;
    }
    Result<std::string> replaced =
        ReplaceSchemaSentinel(raw, spec.schema_sentinel, dialect);
    if (!replaced.ok()) {
      return replaced.status().WithContext(where + ": a statement " + function +
                                           "() rendered");
    }
    const std::string sql = std::move(replaced).value();
    if (sql != raw) out.uses_schema = true;
    std::string_view trimmed = Trim(sql);
    out.text += std::string(trimmed);
    size_t last_line = trimmed.rfind('\n');
    std::string_view tail = last_line == std::string_view::npos
                                ? trimmed
                                : trimmed.substr(last_line + 1);
    if (trimmed.empty() || trimmed.back() != ';') {
      // A "--" comment on the last line would swallow the terminator.
      out.text += tail.find("--") != std::string_view::npos ? "\n;" : ";";
    }
    out.text += "\n\n";
  }
  return out;
}

// Section text without the newlines that end it.
std::string Chomp(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// "-- Key: value", without a trailing blank when the value is empty.
std::string KeyLine(std::string_view key, const std::string& value) {
  return "-- " + std::string(key) + ":" + (value.empty() ? "" : " " + value) +
         "\n";
}

std::string Header(const ImportedFileSpec& spec, bool transactional,
                   bool quote_long_doc) {
  std::string h = "-- " + OneLine(spec.message) + "\n";
  if (!Trim(spec.long_doc).empty()) {
    h += "--\n";
    for (std::string_view line : Lines(spec.long_doc)) {
      std::string text = OneLine(line);
      if (text.empty()) {
        h += "--\n";
      } else {
        h += std::string(quote_long_doc ? "-- > " : "-- ") + text + "\n";
      }
    }
  }
  h += "--\n";
  h += KeyLine("Revision ID", spec.id);
  h += KeyLine("Revises", JoinList(spec.down_revisions));
  h += KeyLine("Branch Labels", JoinList(spec.branch_labels));
  h += KeyLine("Depends On", JoinList(spec.depends_on));
  h += KeyLine("Create Date", OneLine(spec.create_date));
  h += KeyLine("Imported From", spec.source);
  if (!transactional) h += "-- Transactional: false\n";
  return h;
}

// Inserts the checksum line after "-- Imported From:".
std::string WithChecksum(const std::string& text) {
  std::string sum = ImportChecksum(text);
  size_t at = text.find("\n-- Imported From: ");
  size_t eol = text.find('\n', at + 1);
  return text.substr(0, eol + 1) + std::string(kChecksumLine) + sum + "\n" +
         text.substr(eol + 1);
}

}  // namespace

Result<std::string> ReplaceSchemaSentinel(std::string_view sql,
                                          std::string_view sentinel,
                                          Dialect dialect) {
  // Escape what would read as a placeholder first.
  std::string escaped;
  escaped.reserve(sql.size());
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] == '{') {
      escaped += "$$";
      continue;
    }
    escaped += sql[i];
  }
  if (sentinel.empty() || escaped.find(sentinel) == std::string::npos) {
    return escaped;
  }
  RETORT_ASSIGN_OR_RETURN(std::vector<Replacement> whole,
                          WholeTokenReplacements(escaped, sentinel, dialect));
  std::string out;
  size_t pos = 0;
  size_t next_whole = 0;
  while (pos < escaped.size()) {
    if (next_whole < whole.size() && whole[next_whole].begin == pos) {
      out += whole[next_whole].text;
      pos = whole[next_whole].end;
      ++next_whole;
      continue;
    }
    size_t limit =
        next_whole < whole.size() ? whole[next_whole].begin : escaped.size();
    size_t found = escaped.find(sentinel, pos);
    if (found == std::string::npos || found + sentinel.size() > limit) {
      out.append(escaped, pos, limit - pos);
      pos = limit;
      continue;
    }
    out.append(escaped, pos, found - pos);
    out += "${schema:raw}";
    pos = found + sentinel.size();
  }
  return out;
}

std::string ImportChecksum(std::string_view text) {
  std::string without;
  without.reserve(text.size());
  bool skipped = false;
  for (std::string_view line : Lines(text)) {
    if (!skipped && line.substr(0, kChecksumLine.size()) == kChecksumLine) {
      skipped = true;
      continue;
    }
    without.append(line);
    without += '\n';
  }
  if (!text.empty() && text.back() != '\n') without.pop_back();
  return "sha256:" + Sha256Hex(without);
}

Result<ComposedFile> ComposeImportedFile(const ImportedFileSpec& spec,
                                         Dialect dialect) {
  RETORT_ASSIGN_OR_RETURN(
      SectionText up, ComposeSection(spec.upgrade, "upgrade", spec, dialect));
  RETORT_ASSIGN_OR_RETURN(
      SectionText down,
      ComposeSection(spec.downgrade, "downgrade", spec, dialect));
  ComposedFile out;
  out.transactional = !up.outside_transaction && !down.outside_transaction;
  out.uses_schema = up.uses_schema || down.uses_schema;
  out.todos = (spec.upgrade.todo ? 1 : 0) + (spec.downgrade.todo ? 1 : 0);
  const std::string body = "\n-- migrate:upgrade\n" + Chomp(up.text) +
                           "\n\n-- migrate:downgrade\n" + Chomp(down.text) +
                           "\n";
  Status last;
  // A docstring line such as "Depends on: x" reads as a mistyped header
  // key: the long description is then quoted ("-- > ...").
  for (bool quote : {false, true}) {
    std::string text =
        WithChecksum(Header(spec, out.transactional, quote) + body);
    const std::string where = spec.source + " (converted)";
    Result<RevisionFile> header = ParseRevisionHeader(text, where);
    if (!header.ok()) {
      last = header.status();
      continue;
    }
    Result<RevisionSections> sections = ParseRevisionSections(text, where);
    if (!sections.ok()) {
      last = sections.status();
      break;
    }
    const Revision& r = header->revision;
    if (r.id != spec.id || r.down_revisions != spec.down_revisions ||
        r.branch_labels != spec.branch_labels ||
        r.depends_on != spec.depends_on) {
      return Status::Internal(spec.source +
                              ": the converted file does not declare the "
                              "revision's header");
    }
    out.text = std::move(text);
    return out;
  }
  return last.WithContext("cannot convert " + spec.source);
}

}  // namespace retort
