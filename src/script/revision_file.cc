// Parsing of revision file headers and sections; see revision_file.h for the
// layout. Only the comment header and the marker lines are interpreted: the
// SQL itself is handed on verbatim.
#include "script/revision_file.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "dialect/pg_scan.h"
#include "util/duration.h"
#include "util/strings.h"

namespace retort {
namespace {

constexpr std::array<std::string_view, 12> kKnownKeys = {
    kRevisionIdKey,  kRevisesKey,       kBranchLabelsKey, kDependsOnKey,
    kCreateDateKey,  kTransactionalKey, kImportedFromKey, kImportChecksumKey,
    kLockTimeoutKey, kPhaseKey,         kSquashesKey,     kSquashChecksumKey};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (IsBlank(s.front()) || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// One line of a file: `text` without its line end and trailing blanks.
struct Line {
  std::string_view text;
  size_t begin = 0;         // offset of the line's first byte
  size_t next = 0;          // offset of the next line's first byte
  bool terminated = false;  // ended by '\n' (false for a last partial line)
  int number = 0;           // 1-based
};

// LineReader walks the lines of a file, skipping a leading UTF-8 BOM.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  bool Next(Line* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    line->terminated = end != std::string_view::npos;
    if (!line->terminated) end = text_.size();
    std::string_view raw = text_.substr(pos_, end - pos_);
    while (!raw.empty() && (IsBlank(raw.back()) || raw.back() == '\r')) {
      raw.remove_suffix(1);
    }
    line->text = raw;
    line->begin = pos_;
    line->next = line->terminated ? end + 1 : end;
    line->number = ++number_;
    pos_ = line->next;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

// The text after "--" on a comment line, or nullopt for any other line.
std::optional<std::string_view> CommentBody(std::string_view line) {
  if (line.substr(0, 2) != "--") return std::nullopt;
  return line.substr(2);
}

// For "-- migrate:NAME" lines, NAME (trimmed); nullopt for other lines.
std::optional<std::string_view> MarkerName(std::string_view line) {
  std::optional<std::string_view> body = CommentBody(line);
  if (!body) return std::nullopt;
  std::string_view rest = TrimView(*body);
  constexpr std::string_view kPrefix = "migrate:";
  if (rest.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return TrimView(rest.substr(kPrefix.size()));
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

std::string At(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

std::string AsciiLowerString(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// The known key closest to `key`, compared case-insensitively so that
// "revision id" suggests "Revision ID"; "" when none is close.
std::string_view SuggestKey(std::string_view key) {
  const std::string lowered = AsciiLowerString(key);
  std::string_view best;
  size_t best_distance = 3;  // suggest only within two edits
  for (std::string_view known : kKnownKeys) {
    size_t d = EditDistance(lowered, AsciiLowerString(known));
    if (d < best_distance) {
      best_distance = d;
      best = known;
    }
  }
  return best;
}

// Whether the text before ':' reads like a key someone meant to write:
// a short run of words, not a sentence or a SQL fragment.
bool LooksLikeKey(std::string_view key) {
  if (key.empty() || key.size() > 30) return false;
  if (!((key[0] >= 'A' && key[0] <= 'Z') || (key[0] >= 'a' && key[0] <= 'z'))) {
    return false;
  }
  for (char c : key) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string UnknownKeyError(const std::string& path, int line,
                            std::string_view key) {
  std::string msg = At(path, line) + "unknown header key " + Quote(key);
  std::string_view suggestion = SuggestKey(key);
  if (!suggestion.empty()) {
    msg += "; did you mean " + Quote(suggestion) + "?";
    if (AsciiLowerString(suggestion) == AsciiLowerString(key)) {
      msg += " (keys are case-sensitive)";
    }
    return msg;
  }
  msg += "; known keys are";
  for (size_t i = 0; i < kKnownKeys.size(); ++i) {
    msg += i == 0 ? " " : ", ";
    msg += kKnownKeys[i];
  }
  return msg;
}

std::string DescribeChar(char c) {
  switch (c) {
    case '\t':
      return "'\\t'";
    default:
      break;
  }
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u == 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "'\\x%02x'", u);
    return buf;
  }
  return std::string("'") + c + "'";
}

// Validates a single id or label; `noun` names it in the message.
Status ValidateName(std::string_view id, std::string_view noun) {
  if (id.empty()) {
    return Status::InvalidArgument("empty " + std::string(noun));
  }
  std::string bad_chars;
  std::string seen;
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    bool illegal = c == '@' || c == '-' || c == '+' || c == ':' || c == ',' ||
                   c == ' ' || u < 0x20 || u == 0x7f;
    if (!illegal || seen.find(c) != std::string::npos) continue;
    seen += c;
    if (!bad_chars.empty()) bad_chars += ", ";
    bad_chars += DescribeChar(c);
  }
  if (bad_chars.empty()) return Status::OK();
  return Status::InvalidArgument("character(s) " + bad_chars +
                                 " not allowed in " + std::string(noun) + " " +
                                 Quote(id) + "; use letters, digits and '_'");
}

// The trimmed entries of a comma-separated header value; an empty value is
// an empty list, an empty entry an error.
Result<std::vector<std::string_view>> SplitEntries(std::string_view value,
                                                   std::string_view key,
                                                   const std::string& path,
                                                   int line) {
  std::vector<std::string_view> entries;
  if (value.empty()) return entries;
  size_t start = 0;
  while (true) {
    size_t comma = value.find(',', start);
    std::string_view item = TrimView(value.substr(
        start, comma == std::string_view::npos ? std::string_view::npos
                                               : comma - start));
    if (item.empty()) {
      return Status::Corruption(At(path, line) + "empty entry in " +
                                Quote(key) + " list " + Quote(value) +
                                "; remove the extra comma");
    }
    entries.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return entries;
}

// A list of names (revision ids, labels); each valid and listed once.
Result<std::vector<std::string>> ParseList(std::string_view value,
                                           std::string_view key,
                                           std::string_view noun,
                                           const std::string& path, int line) {
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string_view> entries,
                          SplitEntries(value, key, path, line));
  std::vector<std::string> items;
  for (std::string_view item : entries) {
    Status st = ValidateName(item, noun);
    if (!st.ok()) {
      return Status::Corruption(At(path, line) + "in " + Quote(key) + ": " +
                                st.message());
    }
    if (std::find(items.begin(), items.end(), item) != items.end()) {
      return Status::Corruption(At(path, line) + Quote(item) +
                                " is listed twice in " + Quote(key) +
                                "; list each once");
    }
    items.emplace_back(item);
  }
  return items;
}

bool IsSha256Hex(std::string_view hex) {
  return hex.size() == 64 &&
         hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Parses "Squashes: <id> <sha256>, <id> <sha256>, ..."; an empty value is an
// empty list.
Result<std::vector<SquashedRevision>> ParseSquashes(std::string_view value,
                                                    const std::string& path,
                                                    int line) {
  RETORT_ASSIGN_OR_RETURN(std::vector<std::string_view> entries,
                          SplitEntries(value, kSquashesKey, path, line));
  std::vector<SquashedRevision> out;
  for (std::string_view item : entries) {
    size_t blank = item.find_first_of(" \t");
    std::string_view id = item.substr(0, blank);
    std::string_view sha = blank == std::string_view::npos
                               ? std::string_view()
                               : TrimView(item.substr(blank));
    if (sha.empty() || sha.find_first_of(" \t") != std::string_view::npos) {
      return Status::Corruption(
          At(path, line) + "invalid " + Quote(kSquashesKey) + " entry " +
          Quote(item) +
          "; expected \"<revision id> <sha256>\" (the id, a space and 64 "
          "lower-case hex digits), entries comma-separated (written by "
          "retort squash)");
    }
    Status st = ValidateRevisionId(id);
    if (!st.ok()) {
      return Status::Corruption(At(path, line) + "in " + Quote(kSquashesKey) +
                                ": " + st.message());
    }
    if (!IsSha256Hex(sha)) {
      return Status::Corruption(
          At(path, line) + "invalid checksum " + Quote(sha) + " of " +
          std::string(id) + " in " + Quote(kSquashesKey) +
          "; expected 64 lower-case hex digits (the SHA-256 retort squash "
          "wrote)");
    }
    SquashedRevision entry{std::string(id), std::string(sha)};
    if (std::find(out.begin(), out.end(), entry) != out.end()) {
      return Status::Corruption(At(path, line) + Quote(item) +
                                " is listed twice in " + Quote(kSquashesKey) +
                                "; list each once");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

// True for a line that ends the header: anything but a "--" comment, or a
// section marker (a file may omit the blank line before "-- migrate:upgrade").
// Blank lines before the header has started do not end it.
bool EndsHeader(std::string_view line, bool started) {
  if (line.empty()) return started;
  return !CommentBody(line) || MarkerName(line);
}

// For a "-- retort: ..." line (leading blanks allowed), the text after
// "retort:", trimmed; nullopt for any other line. This is the line rule
// only: whether the "--" starts a comment or sits inside a string is
// decided by KeepCommentDirectives.
std::optional<std::string_view> DirectiveText(std::string_view line) {
  std::optional<std::string_view> body = CommentBody(TrimView(line));
  if (!body) return std::nullopt;
  std::string_view rest = TrimView(*body);
  constexpr std::string_view kPrefix = "retort:";
  if (rest.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return TrimView(rest.substr(kPrefix.size()));
}

// A line of a section that reads as a directive by the line rule, not
// yet parsed.
struct DirectiveLine {
  std::string_view text;  // after "retort:", trimmed
  size_t dashes = 0;      // file offset of the line's "--"
  int number = 0;         // 1-based file line
};

// Drops the candidates whose "--" does not start an SQL comment token of
// `body` (the section's text, starting at file offset `body_begin`): a
// line inside a string, a dollar-quoted body or a block comment is data,
// not a directive. The body is tokenized with PostgreSQL's lexer; when it
// cannot be (an unterminated quote, syntax only SQLite accepts), the line
// rule stands and the statement splitter reports real errors later.
void KeepCommentDirectives(std::string_view body, size_t body_begin,
                           std::vector<DirectiveLine>* candidates) {
  if (candidates->empty()) return;
  // The lexer reads a C string: a NUL would hide the rest of the body.
  if (body.find('\0') != std::string_view::npos) return;
  Result<std::vector<PgToken>> tokens = ScanPostgres(body);
  if (!tokens.ok()) return;
  std::erase_if(*candidates, [&](const DirectiveLine& c) {
    const size_t at = c.dashes - body_begin;
    auto it = std::lower_bound(
        tokens->begin(), tokens->end(), at,
        [](const PgToken& t, size_t offset) { return t.begin < offset; });
    return it == tokens->end() || it->begin != at ||
           it->kind != PgToken::Kind::kComment;
  });
}

// "directives are "TODO <reason>", "empty", ... and "lint disable=..."".
std::string DirectiveList() {
  const std::vector<DirectiveInfo>& table = DirectiveTable();
  std::string out = "directives are ";
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > 0) out += i + 1 == table.size() ? " and " : ", ";
    out += "\"" + std::string(table[i].brief) + "\"";
  }
  return out;
}

// Parses the text of a directive line (after "retort:").
Result<Directive> ParseDirective(std::string_view text, const std::string& path,
                                 int line) {
  size_t end = text.find_first_of(" \t:");
  std::string_view name = text.substr(0, end);
  std::string_view rest =
      end == std::string_view::npos ? std::string_view() : text.substr(end);
  Directive d;
  d.line = line;
  auto no_argument = [&](Directive::Kind kind) -> Result<Directive> {
    if (!TrimView(rest).empty()) {
      return Status::Corruption(At(path, line) +
                                "\"-- retort: " + std::string(name) +
                                "\" takes no argument; write any explanation "
                                "on a comment line of its own");
    }
    d.kind = kind;
    return d;
  };
  if (name == "destructive") return no_argument(Directive::Kind::kDestructive);
  if (name == "empty") return no_argument(Directive::Kind::kEmpty);
  if (name == "code") return no_argument(Directive::Kind::kCode);
  if (name == "TODO") {
    std::string_view reason = TrimView(rest);
    if (!reason.empty() && reason.front() == ':') {
      reason = TrimView(reason.substr(1));
    }
    if (reason.empty()) {
      return Status::Corruption(
          At(path, line) +
          "\"-- retort: TODO\" needs a reason after it, e.g. \"-- retort: "
          "TODO convert this data migration by hand\"");
    }
    d.kind = Directive::Kind::kTodo;
    d.argument = std::string(reason);
    return d;
  }
  if (name == "blocks") {
    std::string_view after = TrimView(rest);
    constexpr std::string_view kWrites = "writes";
    if (after.substr(0, kWrites.size()) == kWrites) {
      std::string_view why = TrimView(after.substr(kWrites.size()));
      if (!why.empty() && why.front() == ':') why = TrimView(why.substr(1));
      if (why.empty()) {
        return Status::Corruption(
            At(path, line) +
            "\"-- retort: blocks writes:\" needs the reason after the colon");
      }
      d.kind = Directive::Kind::kBlocksWrites;
      d.argument = std::string(why);
      return d;
    }
  }
  if (name == "lint") {
    // "lint disable=ID[,ID]": the ids themselves are lint's to check.
    std::string_view arg = TrimView(rest);
    constexpr std::string_view kDisable = "disable=";
    std::vector<std::string> ids;
    if (arg.substr(0, kDisable.size()) == kDisable) {
      for (std::string_view id = arg.substr(kDisable.size()); !id.empty();) {
        size_t comma = id.find(',');
        std::string_view one = TrimView(id.substr(0, comma));
        const bool valid =
            !one.empty() && std::all_of(one.begin(), one.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-';
            });
        if (!valid) {
          ids.clear();
          break;
        }
        ids.emplace_back(one);
        if (comma == std::string_view::npos) break;
        id = id.substr(comma + 1);
      }
    }
    if (ids.empty()) {
      return Status::Corruption(
          At(path, line) +
          "\"-- retort: lint\" takes \"disable=\" and rule "
          "ids separated by commas, e.g. \"-- retort: lint "
          "disable=drop-column,rename-table\" (see 'retort lint --rules')");
    }
    d.kind = Directive::Kind::kLintDisable;
    for (const std::string& id : ids) {
      if (!d.argument.empty()) d.argument += ",";
      d.argument += id;
    }
    return d;
  }
  if (name == "step") {
    // "step" or "step transactional=true|false" (the default: the
    // revision's own, i.e. false under "Transactional: false").
    std::string_view arg = TrimView(rest);
    constexpr std::string_view kOption = "transactional=";
    d.kind = Directive::Kind::kStep;
    if (arg.empty()) return d;
    if (arg == "transactional=false" || arg == "transactional=true") {
      d.argument = std::string(arg.substr(kOption.size()));
      return d;
    }
    return Status::Corruption(
        At(path, line) +
        "\"-- retort: step\" takes only "
        "\"transactional=false\" or \"transactional=true\", not " +
        Quote(arg) + "; e.g. \"-- retort: step transactional=false\"");
  }
  if (name == "backfill") {
    std::string_view arg = TrimView(rest);
    Result<BackfillSpec> spec = ParseBackfillSpec(arg);
    if (!spec.ok()) {
      return Status::Corruption(At(path, line) + "\"-- retort: backfill\": " +
                                spec.status().message());
    }
    d.kind = Directive::Kind::kBackfill;
    d.argument = std::string(arg);
    return d;
  }
  std::string msg = At(path, line) + "unknown directive " +
                    Quote("-- retort: " + std::string(text)) + "; ";
  const std::string lowered = AsciiLowerString(name);
  for (const DirectiveInfo& info : DirectiveTable()) {
    const std::string_view known = info.name;
    // Two edits apart is close for a long name, not for a short one
    // ("nope" is not "code").
    const size_t close = known.size() >= 6 ? 2 : 1;
    if (lowered != AsciiLowerString(known) &&
        EditDistance(lowered, AsciiLowerString(known)) > close) {
      continue;
    }
    msg += "did you mean \"-- retort: " + std::string(known) + "\"? ";
    break;
  }
  msg += DirectiveList() +
         "; write a plain comment as \"-- text\", without \"retort:\"";
  return Status::Corruption(msg);
}

}  // namespace

const std::vector<HeaderKeyInfo>& HeaderKeyTable() {
  static const std::vector<HeaderKeyInfo>* table =
      new std::vector<HeaderKeyInfo>{
          {kRevisionIdKey,
           "The revision's id (12 hex characters by default; any name of "
           "letters, digits and _ is accepted)."},
          {kRevisesKey,
           "The parent revisions, comma-separated; empty for a base "
           "revision, two or more for a merge point."},
          {kBranchLabelsKey,
           "Branch labels, comma-separated: names for the branch that starts "
           "here (auth@head)."},
          {kDependsOnKey,
           "Revisions or labels that must be applied first, without being "
           "parents."},
          {kCreateDateKey, "When the file was written (informational)."},
          {kTransactionalKey,
           "false: run the revision outside a transaction (CREATE INDEX "
           "CONCURRENTLY, ...); also detected from the statements."},
          {kLockTimeoutKey,
           "lock_timeout for this revision's statements (500ms, 5s, 0 = "
           "off), instead of the configured one."},
          {kPhaseKey,
           "expand or contract: upgrade --phase expand stops before a "
           "contract revision (docs/online.md)."},
          {kImportedFromKey,
           "The Alembic file import-alembic made this revision from."},
          {kImportChecksumKey,
           "What import-alembic wrote, to tell a file edited by hand since "
           "from one to import again."},
          {kSquashesKey,
           "The revisions retort squash folded into this one, each with the "
           "SHA-256 of its file then: verify accepts a database that ran "
           "them."},
          {kSquashChecksumKey,
           "The SHA-256 of the file retort squash wrote (without this line): "
           "Squashes counts only while the file is unchanged."},
      };
  return *table;
}

const std::vector<DirectiveInfo>& DirectiveTable() {
  static const std::vector<DirectiveInfo>* table = new std::vector<
      DirectiveInfo>{
      {"TODO", "TODO <reason>", "TODO REASON",
       "The section is not ready (e.g. an imported data migration): running "
       "it is refused, naming the file."},
      {"empty", "empty", "empty",
       "The section is empty on purpose. A section with no statements and no "
       "\"empty\" is irreversible: running through it is refused."},
      {"destructive", "destructive", "destructive",
       "Informational: the section drops or narrows something "
       "(autogenerate marks it)."},
      {"blocks", "blocks writes: <why>", "blocks writes: WHY",
       "Informational: a statement of an online plan takes a lock that "
       "blocks writes, and why it cannot avoid it."},
      {"step", "step", "step [transactional=false|true]",
       "Starts a step that commits on its own; progress is recorded per "
       "step, so an interrupted run resumes after the last step done. "
       "Statements before the first step are a step too."},
      {"backfill", "backfill ...", "backfill table=T key=K batch=N [sleep=D]",
       "The next statement, an UPDATE, runs in batches of N rows by ranges "
       "of the unique key K of table T, each batch its own transaction, D "
       "apart; an interrupted backfill resumes where it stopped."},
      {"code", "code", "code",
       "The section is C++ code the embedding application registers "
       "(Options::code); it holds no statements."},
      {"lint", "lint disable=...", "lint disable=ID[,ID]",
       "retort lint skips these rules for the whole file (see retort lint "
       "--rules)."},
  };
  return *table;
}

std::string FormatSquashes(const std::vector<SquashedRevision>& squashes) {
  std::string out;
  for (const SquashedRevision& s : squashes) {
    if (!out.empty()) out += ", ";
    out += s.id + " " + s.checksum;
  }
  return out;
}

Status ValidateRevisionId(std::string_view id) {
  return ValidateName(id, "revision identifier");
}

bool HeaderIsComplete(std::string_view prefix) {
  LineReader reader(prefix);
  Line line;
  bool started = false;
  while (reader.Next(&line)) {
    if (!line.terminated) return false;
    if (EndsHeader(line.text, started)) return true;
    if (!line.text.empty()) started = true;
  }
  return false;
}

Result<RevisionFile> ParseRevisionHeader(std::string_view text,
                                         const std::string& path) {
  RevisionFile file;
  Revision& rev = file.revision;
  rev.path = path;

  // 1-based line of each key seen, indexed like kKnownKeys; 0 = not seen.
  std::array<int, kKnownKeys.size()> key_lines{};
  bool started = false;
  bool in_keys = false;
  int first_line = 1;
  std::vector<std::string_view> message;

  LineReader reader(text);
  Line line;
  while (reader.Next(&line)) {
    if (EndsHeader(line.text, started)) break;
    if (line.text.empty()) continue;  // leading blank lines
    if (!started) first_line = line.number;
    started = true;
    file.header_lines = line.number;
    std::string_view body = *CommentBody(line.text);
    std::string_view trimmed = TrimView(body);

    size_t colon = trimmed.find(':');
    std::string_view key = colon == std::string_view::npos
                               ? std::string_view()
                               : TrimView(trimmed.substr(0, colon));
    auto known = std::find(kKnownKeys.begin(), kKnownKeys.end(), key);
    if (colon == std::string_view::npos || known == kKnownKeys.end()) {
      if (!in_keys) {
        // Before the first key every line is the message, unless it is
        // a near miss of a key, which would otherwise vanish into the doc.
        if (colon != std::string_view::npos && LooksLikeKey(key) &&
            !SuggestKey(key).empty()) {
          return Status::Corruption(UnknownKeyError(path, line.number, key));
        }
        if (!body.empty() && body[0] == ' ') body.remove_prefix(1);
        message.push_back(body);
        continue;
      }
      if (trimmed.empty()) continue;
      if (colon != std::string_view::npos && LooksLikeKey(key)) {
        return Status::Corruption(UnknownKeyError(path, line.number, key));
      }
      return Status::Corruption(
          At(path, line.number) + "malformed header line " + Quote(line.text) +
          "; expected \"-- Key: value\", or end the header with a blank line");
    }

    in_keys = true;
    const size_t index = known - kKnownKeys.begin();
    if (key_lines[index] != 0) {
      return Status::Corruption(
          At(path, line.number) + "duplicate header key " + Quote(key) +
          " (first on line " + std::to_string(key_lines[index]) +
          "); keep one " + Quote(key) + " line");
    }
    key_lines[index] = line.number;
    std::string_view value = TrimView(trimmed.substr(colon + 1));

    if (key == kRevisionIdKey) {
      if (value.empty()) {
        return Status::Corruption(
            At(path, line.number) + "empty revision identifier in " +
            Quote(kRevisionIdKey) + "; write the id after \"Revision ID:\"");
      }
      Status st = ValidateRevisionId(value);
      if (!st.ok()) {
        return Status::Corruption(At(path, line.number) + "in " + Quote(key) +
                                  ": " + st.message());
      }
      rev.id = std::string(value);
      rev.id_line = line.number;
    } else if (key == kRevisesKey) {
      RETORT_ASSIGN_OR_RETURN(
          rev.down_revisions,
          ParseList(value, key, "revision identifier", path, line.number));
      rev.revises_line = line.number;
    } else if (key == kBranchLabelsKey) {
      RETORT_ASSIGN_OR_RETURN(
          rev.branch_labels,
          ParseList(value, key, "branch label", path, line.number));
    } else if (key == kDependsOnKey) {
      RETORT_ASSIGN_OR_RETURN(
          rev.depends_on,
          ParseList(value, key, "revision identifier", path, line.number));
      rev.depends_on_line = line.number;
    } else if (key == kCreateDateKey) {
      file.create_date = std::string(value);
    } else if (key == kImportedFromKey) {
      file.imported_from = std::string(value);
    } else if (key == kImportChecksumKey) {
      constexpr std::string_view kSha = "sha256:";
      std::string_view hex = value.substr(std::min(value.size(), kSha.size()));
      if (value.substr(0, kSha.size()) != kSha || hex.size() != 64 ||
          hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return Status::Corruption(
            At(path, line.number) + "invalid " + Quote(key) + " value " +
            Quote(value) +
            "; expected \"sha256:\" and 64 lower-case hex digits (written by "
            "import-alembic; delete the line if the file is yours now)");
      }
      file.import_checksum = std::string(value);
    } else if (key == kSquashChecksumKey) {
      constexpr std::string_view kSha = "sha256:";
      std::string_view hex = value.substr(std::min(value.size(), kSha.size()));
      if (value.substr(0, kSha.size()) != kSha || !IsSha256Hex(hex)) {
        return Status::Corruption(
            At(path, line.number) + "invalid " + Quote(key) + " value " +
            Quote(value) +
            "; expected \"sha256:\" and 64 lower-case hex digits (written by "
            "retort squash)");
      }
      file.squash_checksum = std::string(value);
    } else if (key == kSquashesKey) {
      RETORT_ASSIGN_OR_RETURN(file.squashes,
                              ParseSquashes(value, path, line.number));
    } else if (key == kLockTimeoutKey) {
      if (!ParseDurationMs(value).ok()) {
        return Status::Corruption(
            At(path, line.number) + "invalid " + Quote(key) + " value " +
            Quote(value) +
            "; write a duration such as \"2s\" or \"500ms\" (units us, "
            "ms, s, min, h, d), or \"0\" for no lock timeout");
      }
      file.lock_timeout = std::string(value);
    } else if (key == kPhaseKey) {
      if (value != "expand" && value != "contract") {
        return Status::Corruption(
            At(path, line.number) + "invalid " + Quote(key) + " value " +
            Quote(value) +
            "; use \"expand\" (old and new application versions both work "
            "after it) or \"contract\" (only the new one does)");
      }
      file.phase = std::string(value);
    } else if (key == kTransactionalKey) {
      if (value == "true") {
        file.transactional = true;
      } else if (value == "false") {
        file.transactional = false;
      } else {
        return Status::Corruption(At(path, line.number) + "invalid " +
                                  Quote(key) + " value " + Quote(value) +
                                  "; use \"true\" or \"false\"");
      }
    }
  }

  if (rev.id_line == 0) {
    return Status::Corruption(
        At(path, first_line) +
        "missing \"Revision ID\" in the header; add a line "
        "\"-- Revision ID: <id>\" to the leading comment block");
  }
  if (!file.squashes.empty() && file.squash_checksum.empty()) {
    return Status::Corruption(
        At(path, key_lines[10]) +
        "\"Squashes\" without \"Squash "
        "Checksum\"; both are written by retort squash: restore the line, "
        "or delete both");
  }
  if (rev.revises_line == 0) {
    return Status::Corruption(
        At(path, rev.id_line) +
        "missing \"Revises\" in the header; add a line \"-- Revises: "
        "<parent ids>\" (empty for a base revision) after \"Revision ID\"");
  }

  // The doc is the first message line; the rest, less the blank comment
  // lines around it, is the long description.
  auto first =
      std::find_if(message.begin(), message.end(),
                   [](std::string_view s) { return !TrimView(s).empty(); });
  if (first != message.end()) {
    rev.doc = std::string(TrimView(*first));
    auto begin = first + 1;
    auto end = message.end();
    while (begin != end && TrimView(*begin).empty()) ++begin;
    while (end != begin && TrimView(*(end - 1)).empty()) --end;
    for (auto it = begin; it != end; ++it) {
      if (it != begin) file.long_doc += '\n';
      file.long_doc.append(*it);
    }
  }
  return file;
}

Result<RevisionSections> ParseRevisionSections(std::string_view text,
                                               const std::string& path) {
  RevisionSections sections;
  int upgrade_marker = 0;
  int downgrade_marker = 0;
  size_t upgrade_begin = 0;
  size_t downgrade_begin = 0;
  size_t upgrade_end = 0;
  int last_line = 0;
  int stray_sql_line = 0;   // first SQL line above every marker
  int header_end_line = 0;  // first line that is not a comment

  // The directive lines of the section being read (by the line rule), and
  // where its text starts. They are checked against the lexer and parsed
  // when the section ends -- at the next marker line, or the end of the
  // file -- so errors still come in file order.
  std::vector<DirectiveLine> pending;
  size_t section_begin = 0;
  auto flush_directives = [&](size_t section_end) -> Status {
    KeepCommentDirectives(
        text.substr(section_begin, section_end - section_begin), section_begin,
        &pending);
    SectionDirectives& section = downgrade_marker != 0
                                     ? sections.downgrade_directives
                                     : sections.upgrade_directives;
    for (const DirectiveLine& c : pending) {
      RETORT_ASSIGN_OR_RETURN(Directive d,
                              ParseDirective(c.text, path, c.number));
      if (d.kind == Directive::Kind::kEmpty && section.empty_line() != 0) {
        return Status::Corruption(At(path, c.number) +
                                  "repeated \"-- retort: empty\" (first "
                                  "on line " +
                                  std::to_string(section.empty_line()) + ")");
      }
      if (d.kind == Directive::Kind::kCode && section.code_line() != 0) {
        return Status::Corruption(At(path, c.number) +
                                  "repeated \"-- retort: code\" (first "
                                  "on line " +
                                  std::to_string(section.code_line()) + ")");
      }
      const bool empty_and_code =
          (d.kind == Directive::Kind::kCode && section.empty_line() != 0) ||
          (d.kind == Directive::Kind::kEmpty && section.code_line() != 0);
      if (empty_and_code) {
        return Status::Corruption(
            At(path, c.number) +
            "a section is either \"-- retort: empty\" or \"-- retort: "
            "code\" (line " +
            std::to_string(d.kind == Directive::Kind::kCode
                               ? section.empty_line()
                               : section.code_line()) +
            "), not both; keep the one that is true");
      }
      section.all.push_back(std::move(d));
    }
    pending.clear();
    return Status::OK();
  };

  LineReader reader(text);
  Line line;
  while (reader.Next(&line)) {
    last_line = line.number;
    std::optional<std::string_view> name = MarkerName(line.text);
    if (!name && upgrade_marker != 0) {
      if (std::optional<std::string_view> directive =
              DirectiveText(line.text)) {
        size_t dashes = line.begin;
        while (IsBlank(text[dashes]) || text[dashes] == '\r') ++dashes;
        pending.push_back({*directive, dashes, line.number});
      }
    }
    if (name && upgrade_marker != 0) {
      RETORT_RETURN_IF_ERROR(flush_directives(line.begin));
    }
    if (!name) {
      const bool comment = CommentBody(line.text).has_value();
      if (header_end_line == 0 && !comment) header_end_line = line.number;
      if (upgrade_marker == 0 && downgrade_marker == 0 && stray_sql_line == 0 &&
          !line.text.empty() && !comment) {
        stray_sql_line = line.number;
      }
      continue;
    }
    if (*name == "upgrade") {
      if (upgrade_marker != 0) {
        return Status::Corruption(At(path, line.number) +
                                  "repeated \"-- migrate:upgrade\" (first "
                                  "on line " +
                                  std::to_string(upgrade_marker) +
                                  "); keep one upgrade section");
      }
      if (downgrade_marker != 0) {
        return Status::Corruption(
            At(path, line.number) +
            "\"-- migrate:upgrade\" after \"-- migrate:downgrade\" (line " +
            std::to_string(downgrade_marker) +
            "); put the upgrade section first");
      }
      upgrade_marker = line.number;
      upgrade_begin = line.next;
      section_begin = line.next;
      sections.upgrade_line = line.number + 1;
    } else if (*name == "downgrade") {
      if (downgrade_marker != 0) {
        return Status::Corruption(At(path, line.number) +
                                  "repeated \"-- migrate:downgrade\" "
                                  "(first on line " +
                                  std::to_string(downgrade_marker) +
                                  "); keep one downgrade section");
      }
      downgrade_marker = line.number;
      downgrade_begin = line.next;
      section_begin = line.next;
      upgrade_end = line.begin;
      sections.downgrade_line = line.number + 1;
    } else {
      std::string msg = At(path, line.number) + "unknown section marker " +
                        Quote(line.text) + "; ";
      const std::string lowered = AsciiLowerString(*name);
      if (lowered.substr(0, 2) == "up") {
        msg += "did you mean \"-- migrate:upgrade\"?";
      } else if (lowered.substr(0, 4) == "down") {
        msg += "did you mean \"-- migrate:downgrade\"?";
      } else {
        msg += "use \"-- migrate:upgrade\" or \"-- migrate:downgrade\"";
      }
      return Status::Corruption(msg);
    }
  }

  if (upgrade_marker != 0) {
    RETORT_RETURN_IF_ERROR(flush_directives(text.size()));
  }
  if (upgrade_marker == 0) {
    int where = header_end_line != 0 ? header_end_line : last_line + 1;
    if (downgrade_marker != 0) where = std::min(where, downgrade_marker);
    return Status::Corruption(
        At(path, where) +
        "missing \"-- migrate:upgrade\" section marker; add it on its own "
        "line after the header, above the upgrade SQL");
  }
  if (stray_sql_line != 0) {
    return Status::Corruption(
        At(path, stray_sql_line) +
        "SQL before \"-- migrate:upgrade\"; move it below the marker");
  }
  if (downgrade_marker == 0) {
    return Status::Corruption(
        At(path, last_line) +
        "missing \"-- migrate:downgrade\" section marker; add it on its own "
        "line after the upgrade SQL (the downgrade section may be empty)");
  }
  sections.upgrade =
      std::string(text.substr(upgrade_begin, upgrade_end - upgrade_begin));
  sections.downgrade = std::string(text.substr(downgrade_begin));
  return sections;
}

const Directive* SectionDirectives::todo() const {
  for (const Directive& d : all)
    if (d.kind == Directive::Kind::kTodo) return &d;
  return nullptr;
}

std::vector<const Directive*> SectionDirectives::steps() const {
  std::vector<const Directive*> out;
  for (const Directive& d : all)
    if (d.kind == Directive::Kind::kStep) out.push_back(&d);
  return out;
}

std::vector<const Directive*> SectionDirectives::backfills() const {
  std::vector<const Directive*> out;
  for (const Directive& d : all)
    if (d.kind == Directive::Kind::kBackfill) out.push_back(&d);
  return out;
}

Result<BackfillSpec> ParseBackfillSpec(std::string_view argument) {
  constexpr std::string_view kForm =
      "write \"table=T key=K batch=N [sleep=D]\", e.g. \"-- retort: "
      "backfill table=orders key=id batch=5000 sleep=50ms\"";
  BackfillSpec spec;
  bool has_batch = false;
  std::string_view rest = TrimView(argument);
  while (!rest.empty()) {
    size_t end = rest.find_first_of(" \t");
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view()
                                         : TrimView(rest.substr(end));
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (value.empty()) {
      return Status::InvalidArgument(Quote(pair) + " has no value; " +
                                     std::string(kForm));
    }
    if (key == "table") {
      spec.table = std::string(value);
    } else if (key == "key") {
      spec.key = std::string(value);
    } else if (key == "batch") {
      int n = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || n > 1000000) {
          n = -1;
          break;
        }
        n = n * 10 + (c - '0');
      }
      if (n < 1 || n > 1000000) {
        return Status::InvalidArgument("batch=" + std::string(value) +
                                       " is not a row count from 1 to "
                                       "1000000");
      }
      spec.batch = n;
      has_batch = true;
    } else if (key == "sleep") {
      Result<int64_t> ms = ParseDurationMs(value);
      if (!ms.ok()) {
        return Status::InvalidArgument("sleep=" + std::string(value) + ": " +
                                       ms.status().message());
      }
      spec.sleep_ms = *ms;
    } else {
      return Status::InvalidArgument("unknown option " + Quote(key) + "; " +
                                     std::string(kForm));
    }
  }
  if (spec.table.empty() || spec.key.empty() || !has_batch) {
    return Status::InvalidArgument(std::string(spec.table.empty() ? "table="
                                               : spec.key.empty() ? "key="
                                                                  : "batch=") +
                                   " is missing; " + std::string(kForm));
  }
  return spec;
}

int SectionDirectives::code_line() const {
  for (const Directive& d : all)
    if (d.kind == Directive::Kind::kCode) return d.line;
  return 0;
}

int SectionDirectives::empty_line() const {
  for (const Directive& d : all)
    if (d.kind == Directive::Kind::kEmpty) return d.line;
  return 0;
}

int LineAtOffset(std::string_view body, int body_line, size_t byte_offset) {
  byte_offset = std::min(byte_offset, body.size());
  return body_line + static_cast<int>(std::count(
                         body.begin(), body.begin() + byte_offset, '\n'));
}

}  // namespace retort
