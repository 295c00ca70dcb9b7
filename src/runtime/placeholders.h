// Placeholders in revision SQL: ${name} (quoted identifier), ${name:literal}
// (quoted string literal), ${name:raw} (text as is) and $${ (a literal "${").
// Where: plain SQL, string literals, quoted identifiers and the bodies of
// dollar-quoted strings ($fn$ ... ${schema} ... $fn$: plpgsql needs it).
// Not in comments, and never in a dollar-quote tag: the SQL tokenizer (
// PostgreSQL's lexer, SQLite's tokenizer) finds both, so "$x$${y}$x$" is
// the tag "$x$", the placeholder ${y}, and the tag again.
// Substitution happens before the script is split into statements, so it
// keeps a map from the substituted text back to the file's text: errors must
// name the line the user wrote, even when a value holds a newline.
#ifndef RETORT_RUNTIME_PLACEHOLDERS_H_
#define RETORT_RUNTIME_PLACEHOLDERS_H_

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dialect/dialect.h"
#include "retort/status.h"

namespace retort {

// SubstitutedText is a section body after placeholder substitution, with
// enough bookkeeping to map an offset in `text` back to the original body.
struct SubstitutedText {
  std::string text;

  // One replaced span: [out_begin, out_end) in `text` came from
  // [in_begin, in_end) in the original.
  struct Span {
    size_t out_begin = 0, out_end = 0;
    size_t in_begin = 0, in_end = 0;
  };
  std::vector<Span> spans;  // in increasing order

  // The offset in the original body that `out_offset` in `text` came from;
  // an offset inside a substituted value maps to the start of its
  // placeholder.
  size_t OriginalOffset(size_t out_offset) const;
};

// Replaces the placeholders of `body` (a section that starts on file line
// `body_line` of `path`) with `values`. Identifiers and literals are quoted
// for `dialect`. Errors are InvalidArgument "path:line: ..." for an unknown
// name, an unknown modifier or an unterminated "${".
Result<SubstitutedText> SubstitutePlaceholders(
    std::string_view body, const std::map<std::string, std::string>& values,
    Dialect dialect, const std::string& path, int body_line);

// Secret placeholders (retort.toml's { value = ..., secret = true }, and
// values from Vault) never reach a log, a progress event or an error. A
// SecretMask registers their values with the process's one masking
// mechanism (config/redact.h: RegisterSecretValue), which every Status
// and log line leaving the library goes through; Apply is Redact.
class SecretMask {
 public:
  SecretMask() = default;
  // Registers the values of `names` in `values`; empty values are ignored.
  SecretMask(const std::map<std::string, std::string>& values,
             const std::set<std::string>& names);

  bool empty() const { return empty_; }
  std::string Apply(std::string text) const;
  Status Apply(const Status& status) const;

 private:
  bool empty_ = true;
};

}  // namespace retort

#endif  // RETORT_RUNTIME_PLACEHOLDERS_H_
