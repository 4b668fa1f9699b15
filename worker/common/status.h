// Status: the result of an operation that can fail, as in LevelDB: a code for the
// caller to branch on and a message for a human. An ok Status holds no string, so
// returning one costs nothing on the success path.
//
// Thread safety: a Status is a plain value; distinct objects may be used from
// distinct threads, one object from one thread at a time.

#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace mxgw::worker {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,  // malformed input: a bad option value, name or CSV field
  kNotFound,         // a well-formed name that denotes nothing
  kAlreadyExists,    // an item handle pair that is already active
  kReadOnly,         // a write to an attribute that is not writable
  kTypeMismatch,     // a written value that the attribute's type cannot hold
  kIoError,          // the operating system refused a file operation
};

class Status {
 public:
  Status() = default;

  static Status error(StatusCode code, std::string message) { return Status(code, std::move(message)); }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace mxgw::worker
