// mxgw_strerror, mxgw_last_error and the mapping from the engine's Status to the C
// codes. The last error is per thread, so concurrent callers never see each
// other's messages.

#include <string>

#include "engine/capi/handles.h"

namespace mxgw::capi {
namespace {

thread_local std::string last_error;

}  // namespace

int code_of(ErrorCode code) { return -static_cast<int>(code); }

int fail(const Status& status) {
  if (status.is_ok()) return MXGW_OK;
  last_error = status.message();
  return code_of(status.code());
}

int fail(int code, const std::string& message) {
  last_error = message;
  return code;
}

}  // namespace mxgw::capi

extern "C" {

const char* mxgw_last_error(void) { return mxgw::capi::last_error.c_str(); }

const char* mxgw_strerror(int code) {
  switch (code) {
    case MXGW_OK:
      return "success";
    case MXGW_E_PROTOCOL_VERSION:
      return "the peer speaks another protocol version";
    case MXGW_E_MALFORMED_FRAME:
      return "a frame failed its size check or verification";
    case MXGW_E_FRAME_TOO_LARGE:
      return "the request is larger than the gateway accepts";
    case MXGW_E_UNKNOWN_MESSAGE:
      return "a message of an unexpected kind";
    case MXGW_E_OUT_OF_ORDER:
      return "a request the protocol does not allow at this point";
    case MXGW_E_UNAUTHENTICATED:
      return "no API key, or an unknown one";
    case MXGW_E_PERMISSION_DENIED:
      return "this key may not do that";
    case MXGW_E_NOT_FOUND:
      return "no such session";
    case MXGW_E_SESSION_LIMIT:
      return "the gateway has as many sessions open as it allows";
    case MXGW_E_OPEN_FAILED:
      return "the session's worker could not be started";
    case MXGW_E_ALREADY_CLOSED:
      return "the session was already closed";
    case MXGW_E_SESSION_FAULTED:
      return "the session's worker failed";
    case MXGW_E_COMMAND_TIMEOUT:
      return "no answer within the timeout";
    case MXGW_E_INVALID_ARGUMENT:
      return "invalid argument";
    case MXGW_E_SLOW_CONSUMER:
      return "the subscription fell behind and was disconnected";
    case MXGW_E_SHUTTING_DOWN:
      return "the gateway is shutting down";
    case MXGW_E_INTERNAL:
      return "an I/O failure or an internal error";
    case MXGW_E_CLOSED:
      return "the handle was closed";
    case MXGW_E_CONNECT:
      return "the gateway could not be reached";
    case MXGW_E_ENDED:
      return "the subscription has ended";
    case MXGW_E_NO_MEMORY:
      return "out of memory";
    case MXGW_E_NOT_REGISTERED:
      return "MXAccess: Register must come first";
    case MXGW_E_UNKNOWN_SERVER_HANDLE:
      return "MXAccess: unknown server handle";
    case MXGW_E_UNKNOWN_ITEM_HANDLE:
      return "MXAccess: unknown item handle";
    case MXGW_E_UNKNOWN_TAG:
      return "MXAccess: unknown tag";
    case MXGW_E_NOT_ADVISED:
      return "MXAccess: the item is not advised (Advise before Write)";
    case MXGW_E_READ_ONLY:
      return "MXAccess: the item is read-only";
    case MXGW_E_TYPE_MISMATCH:
      return "MXAccess: the value's type does not match the item";
    case MXGW_E_COMMAND_INVALID_ARGUMENT:
      return "MXAccess: invalid argument";
    case MXGW_E_AUTHENTICATION_FAILED:
      return "MXAccess: authentication failed";
    case MXGW_E_UNKNOWN_USER:
      return "MXAccess: unknown user";
    case MXGW_E_NOT_BUFFERED:
      return "MXAccess: the item is not a buffered item";
    case MXGW_E_BACKEND_FAILURE:
      return "MXAccess: the backend failed";
    case MXGW_E_WORKER_TIMEOUT:
      return "MXAccess: the worker did not answer in time";
    case MXGW_E_WORKER_GONE:
      return "MXAccess: the worker exited or faulted";
    default:
      return "unknown error code";
  }
}

}  // extern "C"
