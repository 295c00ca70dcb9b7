// Status and Result: how errors travel through retort. No exception crosses
// the public API; each layer adds context with Status::WithContext().
#ifndef RETORT_STATUS_H_
#define RETORT_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "retort/export.h"

namespace retort {

// Status is the outcome of an operation: OK, or a code and a message.
// A default-constructed Status is OK.
class RETORT_EXPORT Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad user input: a flag, a revision id, a config value
    kNotFound,         // a revision, file, or object that does not exist
    kAlreadyExists,    // refusing to overwrite
    kCorruption,       // a malformed file or version table
    kIOError,          // the filesystem said no
    kDatabase,         // the database said no
    kConflict,         // the graph does not allow it (multiple heads, ...)
    kInternal,         // a bug in retort
    kInterrupted,      // SIGINT/SIGTERM (or RequestInterrupt) stopped it
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  static Status AlreadyExists(std::string msg) {
    return Status(Code::kAlreadyExists, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(Code::kIOError, std::move(msg));
  }
  static Status Database(std::string msg) {
    return Status(Code::kDatabase, std::move(msg));
  }
  static Status Conflict(std::string msg) {
    return Status(Code::kConflict, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(Code::kInternal, std::move(msg));
  }
  static Status Interrupted(std::string msg) {
    return Status(Code::kInterrupted, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The message alone, as the CLI prints it after "error: ".
  const std::string& message() const { return message_; }

  // Returns this status with "context: " prepended to the message; OK stays OK.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  // Returns this status with `note` on a line of its own after the
  // message (what already happened, what a rerun will do); OK stays OK.
  Status WithNote(const std::string& note) const {
    if (ok()) return *this;
    return Status(code_, message_ + "\n" + note);
  }

  // This status with its message replaced and its code kept (masking a
  // message, say); OK stays OK.
  Status WithMessage(std::string message) const {
    if (ok()) return *this;
    return Status(code_, std::move(message));
  }

  // "OK", or "<code name>: <message>" (for logs and test failure output).
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class RETORT_EXPORT Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace retort

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define RETORT_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::retort::Status _retort_st = (expr);    \
    if (!_retort_st.ok()) return _retort_st; \
  } while (0)

#define RETORT_CONCAT_INNER_(a, b) a##b
#define RETORT_CONCAT_(a, b) RETORT_CONCAT_INNER_(a, b)

// Declares `lhs` from a Result expression, or returns its Status on error.
#define RETORT_ASSIGN_OR_RETURN(lhs, expr) \
  RETORT_ASSIGN_OR_RETURN_IMPL_(RETORT_CONCAT_(_retort_r, __LINE__), lhs, expr)
#define RETORT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // RETORT_STATUS_H_
