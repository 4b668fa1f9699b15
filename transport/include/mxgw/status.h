// Status: the result of an operation that can fail, as a code from the protocol's
// one error vocabulary (proto::ErrorCode, client.fbs) plus a human-readable message.
// Cheap when ok (no allocation). Every code has a name and a default description, so
// no error ever reaches a user without words.
//
// Thread safety: a value type; distinct objects may be used from distinct threads.

#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <mxgw/schema/client_generated.h>

namespace mxgw {

using ErrorCode = proto::ErrorCode;

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == ErrorCode::None; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<CodeName>: <message>", or "ok".
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::None;
  std::string message_;
};

// The code's identifier, e.g. "FrameTooLarge".
std::string_view error_code_name(ErrorCode code);
// A one-line description of what the code means, for every code.
std::string_view error_code_description(ErrorCode code);

}  // namespace mxgw
