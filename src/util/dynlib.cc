// dlopen/dlsym with errors that say what to install.
#include "util/dynlib.h"

#include <dlfcn.h>

namespace retort {

DynLib::DynLib(const char* soname, const char* package)
    : soname_(soname), package_(package) {
  // Never closed: like a linked library, it lives as long as the process.
  handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = dlerror();
    error_ = "cannot load " + soname_ + " (" + (why ? why : "unknown error") +
             "); install it, e.g. 'apt-get install " + package_ + "'";
  }
}

void* DynLib::Symbol(const char* name) {
  if (handle_ == nullptr) return nullptr;
  void* sym = dlsym(handle_, name);
  if (sym == nullptr && error_.empty()) {
    error_ = soname_ + " has no symbol " + name + "; install a newer " +
             package_;
  }
  return sym;
}

void* DynLib::OptionalSymbol(const char* name) {
  return handle_ == nullptr ? nullptr : dlsym(handle_, name);
}

}  // namespace retort
