// New revision files: the script template (script.sql.tmpl), file names from
// Alembic's file_template, the Create Date, new ids, and the atomic write.
#ifndef RETORT_SCRIPT_TEMPLATE_H_
#define RETORT_SCRIPT_TEMPLATE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/status.h"
#include "script/revision_file.h"

namespace retort {

// The default migrations/script.sql.tmpl, written by `init`. Placeholders:
//   ${message}        the -m text; continuation lines of a multi-line value
//                     repeat the "-- " that precedes the placeholder
//   ${up_revision}    the new id
//   ${down_revision}  parent ids, comma-separated ("" for a base)
//   ${branch_labels}  ${depends_on}  comma-separated
//   ${create_date}    "YYYY-MM-DD HH:MM:SS.ffffff" (see FormatCreateDate)
//   ${upgrades}       ${downgrades}  SQL, trailing newlines trimmed
//   ${transactional_header}  the optional header keys: "" or
//                     "-- Transactional: false\n", "-- Lock Timeout:
//                     100ms\n", "-- Phase: expand\n"; it sits at the start of
//                     the line after Create Date so that an empty value leaves
//                     no line
// "$${" writes a literal "${" (for runtime placeholders such as ${schema}).
inline constexpr std::string_view kDefaultScriptTemplate =
    "-- ${message}\n"
    "--\n"
    "-- Revision ID: ${up_revision}\n"
    "-- Revises: ${down_revision}\n"
    "-- Branch Labels: ${branch_labels}\n"
    "-- Depends On: ${depends_on}\n"
    "-- Create Date: ${create_date}\n"
    "${transactional_header}\n"
    "-- migrate:upgrade\n"
    "${upgrades}\n"
    "\n"
    "-- migrate:downgrade\n"
    "${downgrades}\n";

inline constexpr std::string_view kScriptTemplateName = "script.sql.tmpl";
// Alembic's default file_template and truncate_slug_length.
inline constexpr std::string_view kDefaultFileTemplate = "%(rev)s_%(slug)s";
inline constexpr int kDefaultTruncateSlugLength = 40;

// TemplateValues are the values a script template is rendered with.
struct TemplateValues {
  std::string message;
  std::string up_revision;
  std::vector<std::string> down_revisions;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string create_date;
  std::string upgrades;
  std::string downgrades;
  bool transactional = true;
  std::string lock_timeout;  // "" = no "Lock Timeout:" line
  std::string phase;         // "" = no "Phase:" line
  // `retort squash`'s "Squashes:" line; empty = none.
  std::vector<SquashedRevision> squashes;
};

// Renders a script template. `template_path` names it in errors
// ("path:line: unknown placeholder ..."). Names in `passthrough` are left in
// place as "${name}" (placeholders the configuration fills at run time).
Result<std::string> RenderScriptTemplate(
    std::string_view tmpl, const std::string& template_path,
    const TemplateValues& values,
    const std::vector<std::string>& passthrough = {});

// CreateDate is the moment a revision was created, broken down in the
// configured timezone (or local time), as Alembic's create_date.
struct CreateDate {
  int year = 1970, month = 1, day = 1;
  int hour = 0, minute = 0, second = 0, microsecond = 0;
  int64_t epoch = 0;  // Unix seconds, the %(epoch)s token
  // Offset from UTC in seconds when a timezone was named: Alembic's
  // create_date is then timezone-aware and prints its offset.
  std::optional<int> utc_offset;
};

// Breaks `now` down in local time, or in the IANA `timezone` (looked up in
// $TZDIR or /usr/share/zoneinfo, retrying in upper case like Alembic).
// InvalidArgument for an unknown timezone.
Result<CreateDate> MakeCreateDate(std::chrono::system_clock::time_point now,
                                  const std::optional<std::string>& timezone);

// "2026-11-21 10:00:00.000000", plus "+03:00" when a timezone was named
// (Python's str(datetime), except that the microseconds are always shown).
std::string FormatCreateDate(const CreateDate& date);

// Alembic's slug: the \w+ words of the message joined by '_', lower-cased;
// longer than `truncate_slug_length` characters, it is cut at the last '_'
// within the limit and ends in '_'. Letters beyond ASCII count as word
// characters (lower-casing covers Latin-1, Latin Extended-A, Greek and
// Cyrillic).
std::string Slugify(std::string_view message, int truncate_slug_length);

// Expands a file_template (Python %-formatting with a mapping) into a file
// name without the ".sql" extension. Tokens: %(rev)s %(slug)s %(epoch)s
// %(year)d %(month).2d %(day).2d %(hour).2d %(minute).2d %(second).2d, "%%";
// Python's flags, width and precision are honoured. The result may contain
// '/' for subfolders. An empty `message` gives an empty slug.
Result<std::string> RenderFileName(std::string_view file_template,
                                   std::string_view rev_id,
                                   std::string_view message,
                                   const CreateDate& date,
                                   int truncate_slug_length);

// A new revision id: 12 random hex characters, like Alembic's
// uuid.uuid4().hex[-12:].
std::string NewRevisionId();

// NewRevisionFile is everything WriteRevisionFile needs to create one file.
struct NewRevisionFile {
  // Folder the file goes to (ScriptDirectory::VersionPathFor); created,
  // with any subfolder of the file name, if missing.
  std::string directory;
  // Default: "%(rev)s_%(slug)s".
  std::string file_template = std::string(kDefaultFileTemplate);
  // Default: 40.
  int truncate_slug_length = kDefaultTruncateSlugLength;
  // The script template's text and path (for error messages).
  // Default: the built-in template.
  std::string script_template = std::string(kDefaultScriptTemplate);
  std::string script_template_path = std::string(kScriptTemplateName);
  std::vector<std::string> passthrough_placeholders;
  // The values; an unset message is written as "empty message" (as Alembic
  // does) and gives an empty slug.
  std::optional<std::string> message;
  std::string rev_id;
  std::vector<std::string> down_revisions;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  CreateDate create_date;
  std::string upgrades;
  std::string downgrades;
  bool transactional = true;
  std::string lock_timeout;  // "" = no "Lock Timeout:" line
  std::string phase;         // "" = no "Phase:" line
  // `retort squash`'s "Squashes:" line; empty = none.
  std::vector<SquashedRevision> squashes;
};

// Renders and writes a new revision file; returns its path. The rendered
// text must parse back (a template that drops a header key is caught here,
// not by the next command). The write is atomic (a temporary file, then a
// rename that refuses to replace): AlreadyExists if the file exists.
Result<std::string> WriteRevisionFile(const NewRevisionFile& file);

// Reads <script_location>/script.sql.tmpl with a NotFound that says what
// to do.
Result<std::string> LoadScriptTemplate(const std::string& template_path);

}  // namespace retort

#endif  // RETORT_SCRIPT_TEMPLATE_H_
