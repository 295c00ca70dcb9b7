// ScopedEnv: an environment variable set (or only saved) for a scope and
// restored afterwards. For tests of code that reads the environment on
// every call (the cache folder, RETORT_CACHE, PGTZ).
#ifndef RETORT_UTIL_SCOPED_ENV_H_
#define RETORT_UTIL_SCOPED_ENV_H_

#include <stdlib.h>

#include <optional>
#include <string>

namespace retort {

class ScopedEnv {
 public:
  // Saves `name`'s value; the scope may change it freely.
  explicit ScopedEnv(const char* name) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
  }
  // Saves `name`'s value and sets it to `value`.
  ScopedEnv(const char* name, const std::string& value) : ScopedEnv(name) {
    setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace retort

#endif  // RETORT_UTIL_SCOPED_ENV_H_
