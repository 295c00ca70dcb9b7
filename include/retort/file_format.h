// What a revision file may say besides SQL: its header keys and its
// "-- retort:" directives, described for documentation (`retort man`,
// docs/reference.md) and for tools such as editors.
#ifndef RETORT_FILE_FORMAT_H_
#define RETORT_FILE_FORMAT_H_

#include <string>
#include <vector>

#include "retort/export.h"

namespace retort {

// SyntaxEntry is one thing a revision file may write and what it does.
struct RETORT_EXPORT SyntaxEntry {
  std::string syntax;   // "Lock Timeout", "backfill table=T key=K batch=N"
  std::string meaning;  // one or two sentences
};

// Every header key ("-- Revises: ..."), in the order a new file has them.
RETORT_EXPORT std::vector<SyntaxEntry> RevisionHeaderKeys();

// Every directive ("-- retort: ..."), as written after "-- retort: ".
RETORT_EXPORT std::vector<SyntaxEntry> RevisionDirectives();

}  // namespace retort

#endif  // RETORT_FILE_FORMAT_H_
