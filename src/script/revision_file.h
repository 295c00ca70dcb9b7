// Revision files on disk: the comment header that declares a revision, and
// the "-- migrate:upgrade" / "-- migrate:downgrade" sections that hold its SQL.
//
// Layout of a revision file (keys are case-sensitive, one per line; list
// values are comma-separated; an empty value is allowed):
//
//   -- Add full_name to User model          <- message: the first line is the
//   --                                         doc, later lines a longer text
//   -- Revision ID: 1a2b3c4d5e6f            <- required
//   -- Revises: 0f1e2d3c4b5a                <- required; empty for a base
//   -- Branch Labels: auth
//   -- Depends On:
//   -- Create Date: 2026-11-21 10:00:00.000000
//   -- Transactional: false                 <- optional
//   -- Lock Timeout: 2s                     <- optional: overrides the
//                                              configured lock_timeout
//   -- Imported From: alembic/versions/x.py <- optional: import-alembic's
//   -- Import Checksum: sha256:9f2c...         source and its hash of the
//                                              file it wrote
//   -- Squashes: b 3f2a..., c 9e01...       <- optional: `retort squash`'s
//                                              revisions folded into this
//                                              one, each with the checksum
//                                              of its file when squashed
//   -- Squash Checksum: sha256:77c1...      <- with Squashes: SquashChecksum
//                                              of the file squash wrote
//                                           <- the header ends at the first
//   -- migrate:upgrade                         line that is not a "--" comment
//   ALTER TABLE ...;                           (or at a section marker)
//
//   -- migrate:downgrade                    <- required; the body may be empty
//   ALTER TABLE ...;
//
// Inside a section, a comment line "-- retort: NAME [ARGUMENT]" is a
// directive to retort (see Directive); any other "--" line is a comment. A
// line that only looks like one -- inside a string, a dollar-quoted body or
// a /* block comment */ -- is data, not a directive.
//
// Headers and bodies are parsed separately because commands such as `heads`
// need only the headers of every file, and only a few bodies are ever read.
// A UTF-8 BOM, CRLF line ends and trailing spaces are accepted.
#ifndef RETORT_SCRIPT_REVISION_FILE_H_
#define RETORT_SCRIPT_REVISION_FILE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "revision/revision.h"

namespace retort {

inline constexpr std::string_view kRevisionIdKey = "Revision ID";
inline constexpr std::string_view kRevisesKey = "Revises";
inline constexpr std::string_view kBranchLabelsKey = "Branch Labels";
inline constexpr std::string_view kDependsOnKey = "Depends On";
inline constexpr std::string_view kCreateDateKey = "Create Date";
inline constexpr std::string_view kTransactionalKey = "Transactional";
inline constexpr std::string_view kLockTimeoutKey = "Lock Timeout";
inline constexpr std::string_view kPhaseKey = "Phase";
inline constexpr std::string_view kImportedFromKey = "Imported From";
inline constexpr std::string_view kImportChecksumKey = "Import Checksum";
inline constexpr std::string_view kSquashesKey = "Squashes";
inline constexpr std::string_view kSquashChecksumKey = "Squash Checksum";

// HeaderKeyInfo is a row of the table of header keys: the key and what it
// says (`retort man` and docs/reference.md print the table).
struct HeaderKeyInfo {
  std::string_view key;  // one of the k*Key constants above
  const char* meaning;
};
// Every header key, in the order a new file writes them.
const std::vector<HeaderKeyInfo>& HeaderKeyTable();

inline constexpr std::string_view kUpgradeMarker = "-- migrate:upgrade";
inline constexpr std::string_view kDowngradeMarker = "-- migrate:downgrade";

// SquashedRevision is one entry of "Squashes: <id> <sha256>, ...": a
// revision `retort squash` folded into this file, and the checksum (as the
// history table records it: TextChecksum, 64 lower-case hex digits) of its
// file when it was squashed. A database that ran that file recorded that
// checksum; verify and the edited-file check accept it (runtime/verify.h).
struct SquashedRevision {
  std::string id;
  std::string checksum;
  bool operator==(const SquashedRevision&) const = default;
};

// The "Squashes" value for `squashes`: "id sha, id sha" ("" for none).
std::string FormatSquashes(const std::vector<SquashedRevision>& squashes);

// RevisionFile is what a revision file's header declares: the graph node
// plus the header fields the graph does not need.
struct RevisionFile {
  Revision revision;        // id, parents, labels, doc, path, key lines
  std::string long_doc;     // message lines after the first; "" if none
  std::string create_date;  // as written; "" when the key is absent
  std::optional<bool> transactional;  // unset when the key is absent
  // "Lock Timeout" as written ("2s", "0" = off); "" when the key is
  // absent (the configured lock_timeout applies).
  std::string lock_timeout;
  // "Phase": "expand" or "contract" (docs/online.md); "" when absent.
  std::string phase;
  std::string imported_from;    // "Imported From"; "" when absent
  std::string import_checksum;  // "Import Checksum"; "" when absent
  // "Squashes", in file order (an id may repeat when a squashed file was
  // squashed again, with each checksum it had); empty when absent.
  std::vector<SquashedRevision> squashes;
  // "Squash Checksum" ("sha256:<hex>", script/checksum.h SquashChecksum): the
  // file as squash wrote it; Squashes is trusted only while it matches.
  std::string squash_checksum;
  int header_lines = 0;  // 1-based line of the header's last line
};

// Directive is one "-- retort: NAME [ARGUMENT]" line inside a section. The
// grammar is one for every directive (docs/revision-files.md):
//   -- retort: destructive          informational (autogenerate's drops)
//   -- retort: blocks writes: WHY   informational (a lock it cannot avoid)
//   -- retort: TODO REASON          the section is not ready: running it
//                                   is refused, naming the file
//   -- retort: empty                the section is deliberately empty
//   -- retort: code                 the section is C++ code the embedding
//                                   application registers (Options::code);
//                                   it holds no statements
//   -- retort: lint disable=ID[,ID] `retort lint` skips these rules for the
//                                   whole file (argument: "ID,ID"; the ids
//                                   are checked by lint, docs/lint.md)
//   -- retort: step [transactional=false|true]
//                                   starts a step that commits on its own
//                                   (argument: "false", "true" or "" for
//                                   the revision's default); statements
//                                   before the first step are a step too
//   -- retort: backfill table=T key=K batch=N [sleep=D]
//                                   the next statement, an UPDATE, runs in
//                                   batches of N rows by ranges of the
//                                   unique key K of T, each its own
//                                   transaction, D apart (BackfillSpec)
// Anything else is an error naming file:line.
struct Directive {
  enum class Kind {
    kDestructive,
    kBlocksWrites,
    kTodo,
    kEmpty,
    kLintDisable,
    kStep,
    kCode,
    kBackfill
  };
  Kind kind = Kind::kDestructive;
  std::string argument;  // the reason of TODO, the why of blocks writes
  int line = 0;          // 1-based file line
};

// DirectiveInfo is a row of the table of "-- retort:" directives: the
// parser's list of names (its unknown-directive error lists them from
// here), `retort man` and docs/reference.md.
struct DirectiveInfo {
  const char* name;     // the first word: "blocks", "lint"
  const char* brief;    // as the error lists it: "blocks writes: <why>"
  const char* syntax;   // in full: "backfill table=T key=K batch=N [sleep=D]"
  const char* meaning;  // one or two sentences
};
const std::vector<DirectiveInfo>& DirectiveTable();

// What "-- retort: backfill" says. The table and key are as written (SQL
// identifiers, the table maybe schema-qualified; ${schema} is substituted
// with the statement).
struct BackfillSpec {
  std::string table;
  std::string key;
  int batch = 0;         // rows per batch, 1..1000000
  int64_t sleep_ms = 0;  // pause between batches
  int line = 0;          // the directive's file line
};

// Parses a backfill directive's argument ("table=T key=K batch=N
// [sleep=D]"); errors say what is wrong, without a location.
Result<BackfillSpec> ParseBackfillSpec(std::string_view argument);

// The directives of one section, and what they say about it.
struct SectionDirectives {
  std::vector<Directive> all;  // in file order
  // The first TODO, when there is one.
  const Directive* todo() const;
  // The line of "-- retort: empty"; 0 when absent.
  int empty_line() const;
  // The line of "-- retort: code"; 0 when absent.
  int code_line() const;
  // The "-- retort: step" directives, in file order.
  std::vector<const Directive*> steps() const;
  // The "-- retort: backfill" directives, in file order.
  std::vector<const Directive*> backfills() const;
};

// RevisionSections holds the SQL of a revision file, verbatim, and where each
// body starts so that an error position inside a body maps to a file line.
struct RevisionSections {
  std::string upgrade;
  std::string downgrade;
  int upgrade_line = 0;    // 1-based file line of the upgrade body's start
  int downgrade_line = 0;  // 1-based file line of the downgrade body's start
  SectionDirectives upgrade_directives;
  SectionDirectives downgrade_directives;
};

// Parses the header of a revision file. Reads only up to the end of the
// header, so `text` may be a prefix of the file that contains it (see
// HeaderIsComplete). `path` is used in error messages and stored in
// revision.path. Errors are Corruption, "path:line: what; what to do".
Result<RevisionFile> ParseRevisionHeader(std::string_view text,
                                         const std::string& path);

// Parses the whole file into its upgrade and downgrade sections, and the
// directives of each. A directive is a line whose "--" starts an SQL comment
// with only blanks before it on its line: sections holding "retort:" are
// tokenized with PostgreSQL's lexer to tell comments from strings. A section
// the lexer cannot tokenize (an unterminated quote, SQLite-only syntax) falls
// back to the line rule; the statement splitter reports real syntax errors.
Result<RevisionSections> ParseRevisionSections(std::string_view text,
                                               const std::string& path);

// True when `prefix` (the first bytes of a file) contains a complete line
// that ends the header, so that ParseRevisionHeader(prefix) sees the same
// header as the whole file would give.
bool HeaderIsComplete(std::string_view prefix);

// Checks one revision identifier (or branch label) as written in a header or
// given on the command line. Alembic forbids '@', '-', '+' and ':' because
// they are the operators of its revision grammar (auth@head, ae10+2, a:b);
// whitespace and ',' are forbidden as they would split a list. Returns
// InvalidArgument naming the characters (no path: callers add context).
Status ValidateRevisionId(std::string_view id);

// The 1-based file line of `byte_offset` inside a section body that starts
// on `body_line` (e.g. RevisionSections::upgrade_line).
int LineAtOffset(std::string_view body, int body_line, size_t byte_offset);

}  // namespace retort

#endif  // RETORT_SCRIPT_REVISION_FILE_H_
