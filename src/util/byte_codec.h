// Fixed-size fields and length-prefixed strings in a byte string: the
// encoding of retort's cache files (the header cache and autogenerate's
// model cache). Native byte order and sizes: a cache file is read by the
// build that wrote it, and each file's format version changes with the
// layout.

#ifndef RETORT_UTIL_BYTE_CODEC_H_
#define RETORT_UTIL_BYTE_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace retort {

// Appends `v`'s bytes.
template <typename T>
void PutFixed(std::string* out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Appends a 4-byte length and the bytes of `s`.
inline void PutString(std::string* out, std::string_view s) {
  PutFixed<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Reads what PutFixed and PutString wrote, from the front of a byte range.
// Once a read runs past the end, ok() stays false and every later read
// returns zeros or empty strings, so a damaged file is noticed once, at the
// end of a record, instead of after every field.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  template <typename T>
  T Get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v{};
    if (!ok_ || data_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  // A string written by PutString; it points into the reader's data.
  std::string_view String() { return Bytes(Get<uint32_t>()); }

  // The next `n` bytes.
  std::string_view Bytes(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  void Skip(size_t n) { Bytes(n); }

  // A count of items that each take at least `min_size` bytes: absurd
  // counts fail here instead of reserving memory for them.
  uint32_t Count(size_t min_size) {
    uint32_t n = Get<uint32_t>();
    if (ok_ && n > (data_.size() - pos_) / min_size) ok_ = false;
    return ok_ ? n : 0;
  }

  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace retort

#endif  // RETORT_UTIL_BYTE_CODEC_H_
