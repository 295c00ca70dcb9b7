// IndexList: a list of node indices that keeps its first few entries inline.
// A revision graph node has a handful of such lists (parents, children,
// dependencies, ...) and nearly all of them hold zero, one or two entries:
// with std::vector each non-empty one was a heap allocation, 50,000 of them
// for a 10,000-revision graph, about a fifth of `retort heads`.
#ifndef RETORT_UTIL_INDEX_LIST_H_
#define RETORT_UTIL_INDEX_LIST_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace retort {

class IndexList {
 public:
  static constexpr size_t kInline = 2;

  IndexList() = default;
  IndexList(const IndexList& other) { Assign(other.begin(), other.end()); }
  IndexList(IndexList&& other) noexcept { Steal(&other); }
  IndexList& operator=(const IndexList& other) {
    if (this != &other) {
      size_ = 0;
      Assign(other.begin(), other.end());
    }
    return *this;
  }
  IndexList& operator=(IndexList&& other) noexcept {
    if (this != &other) {
      heap_.reset();
      capacity_ = kInline;
      Steal(&other);
    }
    return *this;
  }

  int* begin() { return data(); }
  int* end() { return data() + size_; }
  const int* begin() const { return data(); }
  const int* end() const { return data() + size_; }
  int* data() { return heap_ ? heap_.get() : inline_; }
  const int* data() const { return heap_ ? heap_.get() : inline_; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int operator[](size_t i) const { return data()[i]; }
  int front() const { return data()[0]; }
  int back() const { return data()[size_ - 1]; }

  void clear() { size_ = 0; }
  void push_back(int x) {
    if (size_ == capacity_) Grow(capacity_ * 2);
    data()[size_++] = x;
  }
  bool contains(int x) const { return std::find(begin(), end(), x) != end(); }
  // Removes every entry equal to `x`, keeping the order of the rest.
  void remove(int x) {
    size_ = static_cast<uint32_t>(std::remove(begin(), end(), x) - begin());
  }

 private:
  void Grow(size_t capacity) {
    std::unique_ptr<int[]> bigger(new int[capacity]);
    std::memcpy(bigger.get(), data(), size_ * sizeof(int));
    heap_ = std::move(bigger);
    capacity_ = static_cast<uint32_t>(capacity);
  }
  void Assign(const int* first, const int* last) {
    const size_t n = static_cast<size_t>(last - first);
    if (n > capacity_) Grow(n);
    std::memcpy(data(), first, n * sizeof(int));
    size_ = static_cast<uint32_t>(n);
  }
  void Steal(IndexList* other) {
    size_ = other->size_;
    if (other->heap_) {
      heap_ = std::move(other->heap_);
      capacity_ = other->capacity_;
    } else {
      std::memcpy(inline_, other->inline_, size_ * sizeof(int));
    }
    other->size_ = 0;
    other->capacity_ = kInline;
  }

  int inline_[kInline] = {};
  uint32_t size_ = 0;
  uint32_t capacity_ = kInline;
  std::unique_ptr<int[]> heap_;
};

}  // namespace retort

#endif  // RETORT_UTIL_INDEX_LIST_H_
