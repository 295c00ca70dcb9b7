// Status::ToString, kept out of the header so the code names live in one place.
#include "retort/status.h"

namespace retort {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kInvalidArgument: return "Invalid argument";
    case Status::Code::kNotFound: return "Not found";
    case Status::Code::kAlreadyExists: return "Already exists";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kIOError: return "IO error";
    case Status::Code::kDatabase: return "Database error";
    case Status::Code::kConflict: return "Conflict";
    case Status::Code::kInternal: return "Internal error";
    case Status::Code::kInterrupted: return "Interrupted";
  }
  return "Unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace retort
