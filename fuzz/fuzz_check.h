// Shared by the libFuzzer targets: an invariant check that aborts with a
// message (libFuzzer then saves the input as a crash), and the guard that a
// target never loaded the network libraries.
#ifndef RETORT_FUZZ_FUZZ_CHECK_H_
#define RETORT_FUZZ_FUZZ_CHECK_H_

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace retort::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* cond,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %s\n", file, line, cond,
               detail.c_str());
  std::abort();
}

// The input bytes as text, for target functions taking a string.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// True when libcurl (Vault's HTTP client, loaded with dlopen on first use)
// is in the process: no fuzzed input may ever reach the network.
inline bool CurlLoaded() {
  for (const char* name : {"libcurl.so.4", "libcurl-gnutls.so.4"}) {
    if (void* h = dlopen(name, RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(h);
      return true;
    }
  }
  return false;
}

// Removes what would let any code path reach Vault (its address and token)
// from the environment of a fuzzing process.
inline void ScrubNetworkEnvironment() {
  for (const char* name :
       {"VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT",
        "PGHOST", "PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE", "DATABASE_URL"}) {
    unsetenv(name);
  }
}

}  // namespace retort::fuzz

#define FUZZ_CHECK(cond, detail)                                 \
  do {                                                           \
    if (!(cond)) {                                               \
      ::retort::fuzz::Fail(__FILE__, __LINE__, #cond, (detail)); \
    }                                                            \
  } while (false)

#endif  // RETORT_FUZZ_FUZZ_CHECK_H_
