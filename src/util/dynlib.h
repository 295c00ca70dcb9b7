// Opening a shared library at run time and binding its symbols, for the
// client libraries retort loads only when a command needs them.
#ifndef RETORT_UTIL_DYNLIB_H_
#define RETORT_UTIL_DYNLIB_H_

#include <string>

namespace retort {

// DynLib binds symbols of one dlopen()ed library; the first failure is kept.
class DynLib {
 public:
  // `package` names the Debian package to install when loading fails.
  DynLib(const char* soname, const char* package);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Sets `slot` to the symbol `name`, or records why it cannot.
  template <typename Fn>
  void Bind(Fn& slot, const char* name) {
    slot = reinterpret_cast<Fn>(Symbol(name));
  }
  // The same for a symbol newer versions add: null when absent, no error.
  template <typename Fn>
  void BindOptional(Fn& slot, const char* name) {
    slot = reinterpret_cast<Fn>(OptionalSymbol(name));
  }

 private:
  void* Symbol(const char* name);
  void* OptionalSymbol(const char* name);

  void* handle_ = nullptr;
  std::string soname_;
  std::string package_;
  std::string error_;
};

}  // namespace retort

#endif  // RETORT_UTIL_DYNLIB_H_
