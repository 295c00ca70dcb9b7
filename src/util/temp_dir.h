// TempDir: a private temporary folder, removed with everything in it when
// the object goes away.
#ifndef RETORT_UTIL_TEMP_DIR_H_
#define RETORT_UTIL_TEMP_DIR_H_

#include <memory>
#include <string>

#include "retort/status.h"

namespace retort {

class TempDir {
 public:
  // Creates "<$TMPDIR or /tmp>/<prefix>XXXXXX" (mode 0700).
  static Result<std::unique_ptr<TempDir>> Create(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace retort

#endif  // RETORT_UTIL_TEMP_DIR_H_
