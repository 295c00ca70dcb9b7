// SHA-256 (FIPS 180-4), for checksums of revision files: the history table
// records what ran so `verify` can tell when an applied file has changed.
// None of our dependencies exports a SHA-256 (libpq and libcurl keep theirs
// internal; SQLite only ships SHA-3 as an extension), hence this small one.
#ifndef RETORT_SCRIPT_SHA256_H_
#define RETORT_SCRIPT_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace retort {

// Sha256 hashes a byte stream incrementally: Update() any number of times,
// then Final() once.
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void Update(const void* data, size_t len);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  Digest Final();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_len_ = 0;
};

// The digest of `data`, as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);
std::string DigestToHex(const Sha256::Digest& digest);

}  // namespace retort

#endif  // RETORT_SCRIPT_SHA256_H_
