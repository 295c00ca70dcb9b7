// The retort revision file import-alembic writes for one Alembic revision:
// its header (with "Imported From" and "Import Checksum"), and each section
// either the SQL Alembic's operations rendered, "-- retort: empty", or a
// "-- retort: TODO" with the Python source kept in a comment block. Pure
// text work, so every shape is unit-tested (imported_file_test.cc).
//
//   -- add users
//   --
//   -- Revision ID: ae1027a6acf
//   -- Revises: 1975ea83b712
//   -- Branch Labels:
//   -- Depends On:
//   -- Create Date: 2023-10-27 10:00:00.000000
//   -- Imported From: alembic/versions/ae1027a6acf_add_users.py
//   -- Import Checksum: sha256:<hash of the file without this line>
//
//   -- migrate:upgrade
//   CREATE TABLE users (...);
//
//   -- migrate:downgrade
//   -- retort: TODO reads rows: ...
//   (alembic/versions/ae1027a6acf_add_users.py:31)
//   -- Alembic's downgrade(), alembic/versions/ae1027a6acf_add_users.py:28:
//   --   def downgrade():
//   --       ...
#ifndef RETORT_IMPORTER_IMPORTED_FILE_H_
#define RETORT_IMPORTER_IMPORTED_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// RenderedSection is one of upgrade()/downgrade() as the Python worker
// rendered it (src/importer/alembic_worker.py, "render").
struct RenderedSection {
  std::vector<std::string> statements;  // without terminators
  bool empty = false;                   // rendered nothing, on purpose
  bool todo = false;                    // could not be rendered
  int todo_line = 0;                    // line in the Alembic file
  std::string todo_reason;
  int function_line = 0;  // line of "def upgrade"; 0 when there is none
  std::string source;     // the function's Python source, verbatim
};

// ImportedFileSpec is everything one file is made of.
struct ImportedFileSpec {
  std::string id;
  std::vector<std::string> down_revisions;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string message;      // the docstring's first line
  std::string long_doc;     // the rest of the docstring's text
  std::string create_date;  // as the docstring says; "" when it does not
  // The Alembic file as shown in the file and in messages (relative to the
  // project when it is inside it).
  std::string source;
  RenderedSection upgrade;
  RenderedSection downgrade;
  // The value the worker passed for the schema: replaced by ${schema}.
  std::string schema_sentinel;
};

// ComposedFile is the text to write and what it says about the revision.
struct ComposedFile {
  std::string text;  // with its Import Checksum line
  // Alembic's autocommit_block (COMMIT ... BEGIN in the offline output)
  // makes the revision "Transactional: false".
  bool transactional = true;
  bool uses_schema = false;  // ${schema} appears
  int todos = 0;             // sections left as TODO
};

// Composes the file. Fails when a statement cannot be tokenized (the
// sentinel must be replaced token by token) or when the result does not
// parse back as a revision file declaring `spec`'s header (an error naming
// the source, for a bug or an unusual docstring).
Result<ComposedFile> ComposeImportedFile(const ImportedFileSpec& spec,
                                         Dialect dialect);

// Replaces `sentinel` in one SQL statement: an identifier that is exactly
// the sentinel (quoted or not) becomes ${schema}, a string literal that is
// exactly it ${schema:literal}, and any other occurrence (inside a longer
// name, a string, a dollar-quoted body, a comment) ${schema:raw} -- the
// text the project's Python produced by formatting the schema into it.
// Existing "${" in the statement are escaped first ("$${"), so placeholder
// substitution gives the statement back.
Result<std::string> ReplaceSchemaSentinel(std::string_view sql,
                                          std::string_view sentinel,
                                          Dialect dialect);

// "sha256:<hex>" of `text` with its "-- Import Checksum:" line left out.
std::string ImportChecksum(std::string_view text);

}  // namespace retort

#endif  // RETORT_IMPORTER_IMPORTED_FILE_H_
