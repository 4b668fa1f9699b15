// Names and descriptions for every ErrorCode.

#include <mxgw/status.h>

namespace mxgw {

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(error_code_name(code_));
  out += ": ";
  out += message_.empty() ? error_code_description(code_) : std::string_view(message_);
  return out;
}

std::string_view error_code_name(ErrorCode code) {
  const char* name = proto::EnumNameErrorCode(code);
  return (name && *name) ? name : "UnknownErrorCode";
}

std::string_view error_code_description(ErrorCode code) {
  switch (code) {
    case ErrorCode::None:
      return "success";
    case ErrorCode::ProtocolVersionMismatch:
      return "the peer speaks another protocol version";
    case ErrorCode::MalformedFrame:
      return "a frame failed its size check or verification";
    case ErrorCode::FrameTooLarge:
      return "a frame is larger than the configured maximum";
    case ErrorCode::UnknownMessage:
      return "a message of a kind this peer does not know";
    case ErrorCode::OutOfOrder:
      return "a request arrived before the one it depends on";
    case ErrorCode::Unauthenticated:
      return "no valid API key was presented";
    case ErrorCode::PermissionDenied:
      return "the key's role does not allow this request";
    case ErrorCode::NotFound:
      return "no such session or subscription for this key";
    case ErrorCode::SessionLimitExceeded:
      return "the gateway has reached its session limit";
    case ErrorCode::OpenFailed:
      return "the session could not be opened";
    case ErrorCode::AlreadyClosed:
      return "the session is already closed";
    case ErrorCode::SessionFaulted:
      return "the session's worker failed";
    case ErrorCode::CommandTimeout:
      return "the worker did not answer within the command timeout";
    case ErrorCode::InvalidArgument:
      return "an argument is out of range or malformed";
    case ErrorCode::SlowConsumer:
      return "the subscriber fell too far behind and was disconnected";
    case ErrorCode::ShuttingDown:
      return "the gateway is shutting down";
    case ErrorCode::Internal:
      return "an internal error";
  }
  return "an error code this build does not know";
}

}  // namespace mxgw
