// mxgw_strerror, mxgw_err_name, mxgw_last_error and the mapping from the engine's
// Status and exceptions to the C codes. The texts and names come from mxgw.h's
// MXGW_ERROR_TABLE; the protocol's numbering is checked against it here. The last
// error is per thread, so concurrent callers never see each other's messages, and
// lives in a fixed buffer so that recording one never allocates (it is what an
// allocation failure is reported with).

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <system_error>

#include <utility>

#include "engine/capi/errors.h"

namespace mxgw::capi {
namespace {

namespace proto = mxgw::proto;

constexpr int kCommandErrorBase = -100;

// Longer messages are cut here; they are read by people, and no message is that long.
constexpr size_t kLastErrorCapacity = 1024;
thread_local char last_error[kLastErrorCapacity];

struct ErrorEntry {
  int code;
  const char* name;
  const char* text;
};

#define MXGW_ERROR_ENTRY_(name, value, text) ErrorEntry{value, "MXGW_" #name, text},
constexpr ErrorEntry kErrors[] = {MXGW_ERROR_TABLE(MXGW_ERROR_ENTRY_)};
#undef MXGW_ERROR_ENTRY_

constexpr const ErrorEntry* find_error(int code) {
  for (const ErrorEntry& entry : kErrors) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

// The protocol's codes are the C codes negated (ErrorCode) or negated and offset
// (CommandError): each pair below must agree, and every protocol code must have a
// pair, so a code added to a schema breaks this build until mxgw.h has it too.
constexpr std::pair<proto::ErrorCode, int> kGatewayCodes[] = {
    {proto::ErrorCode::ProtocolVersionMismatch, MXGW_E_PROTOCOL_VERSION},
    {proto::ErrorCode::MalformedFrame, MXGW_E_MALFORMED_FRAME},
    {proto::ErrorCode::FrameTooLarge, MXGW_E_FRAME_TOO_LARGE},
    {proto::ErrorCode::UnknownMessage, MXGW_E_UNKNOWN_MESSAGE},
    {proto::ErrorCode::OutOfOrder, MXGW_E_OUT_OF_ORDER},
    {proto::ErrorCode::Unauthenticated, MXGW_E_UNAUTHENTICATED},
    {proto::ErrorCode::PermissionDenied, MXGW_E_PERMISSION_DENIED},
    {proto::ErrorCode::NotFound, MXGW_E_NOT_FOUND},
    {proto::ErrorCode::SessionLimitExceeded, MXGW_E_SESSION_LIMIT},
    {proto::ErrorCode::OpenFailed, MXGW_E_OPEN_FAILED},
    {proto::ErrorCode::AlreadyClosed, MXGW_E_ALREADY_CLOSED},
    {proto::ErrorCode::SessionFaulted, MXGW_E_SESSION_FAULTED},
    {proto::ErrorCode::CommandTimeout, MXGW_E_COMMAND_TIMEOUT},
    {proto::ErrorCode::InvalidArgument, MXGW_E_INVALID_ARGUMENT},
    {proto::ErrorCode::SlowConsumer, MXGW_E_SLOW_CONSUMER},
    {proto::ErrorCode::ShuttingDown, MXGW_E_SHUTTING_DOWN},
    {proto::ErrorCode::Internal, MXGW_E_INTERNAL},
};
constexpr std::pair<proto::CommandError, int> kCommandCodes[] = {
    {proto::CommandError::NotRegistered, MXGW_E_NOT_REGISTERED},
    {proto::CommandError::UnknownServerHandle, MXGW_E_UNKNOWN_SERVER_HANDLE},
    {proto::CommandError::UnknownItemHandle, MXGW_E_UNKNOWN_ITEM_HANDLE},
    {proto::CommandError::UnknownTag, MXGW_E_UNKNOWN_TAG},
    {proto::CommandError::NotAdvised, MXGW_E_NOT_ADVISED},
    {proto::CommandError::ReadOnly, MXGW_E_READ_ONLY},
    {proto::CommandError::TypeMismatch, MXGW_E_TYPE_MISMATCH},
    {proto::CommandError::InvalidArgument, MXGW_E_COMMAND_INVALID_ARGUMENT},
    {proto::CommandError::AuthenticationFailed, MXGW_E_AUTHENTICATION_FAILED},
    {proto::CommandError::UnknownUser, MXGW_E_UNKNOWN_USER},
    {proto::CommandError::NotBuffered, MXGW_E_NOT_BUFFERED},
    {proto::CommandError::BackendFailure, MXGW_E_BACKEND_FAILURE},
    {proto::CommandError::Timeout, MXGW_E_WORKER_TIMEOUT},
    {proto::CommandError::WorkerGone, MXGW_E_WORKER_GONE},
};

// Every protocol code from MIN to MAX but None, once, in order, with its number.
template <typename Code, size_t N>
constexpr bool covers_every_code(const std::pair<Code, int> (&pairs)[N], int base) {
  if (N != static_cast<size_t>(Code::MAX) - static_cast<size_t>(Code::MIN)) return false;
  for (size_t i = 0; i < N; ++i) {
    const int number = static_cast<int>(pairs[i].first);
    if (number != static_cast<int>(i) + 1 || pairs[i].second != base - number || !find_error(pairs[i].second)) {
      return false;
    }
  }
  return true;
}
static_assert(proto::ErrorCode::MIN == proto::ErrorCode::None && proto::CommandError::MIN == proto::CommandError::None);
static_assert(covers_every_code(kGatewayCodes, 0), "client.fbs ErrorCode and mxgw.h's MXGW_E_* disagree");
static_assert(covers_every_code(kCommandCodes, kCommandErrorBase),
              "worker.fbs CommandError and mxgw.h's MXGW_E_* disagree");

void record(std::string_view message) noexcept {
  const size_t length = std::min(message.size(), kLastErrorCapacity - 1);
  std::memcpy(last_error, message.data(), length);
  last_error[length] = '\0';
}

}  // namespace

int code_of(ErrorCode code) noexcept { return -static_cast<int>(code); }

int code_of(proto::CommandError error) noexcept {
  return error == proto::CommandError::None ? MXGW_OK : kCommandErrorBase - static_cast<int>(error);
}

int fail(const Status& status) noexcept {
  if (status.is_ok()) return MXGW_OK;
  record(status.message());
  return code_of(status.code());
}

int fail(int code, std::string_view message) noexcept {
  record(message);
  return code;
}

int fail_with_current_exception() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return fail(MXGW_E_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(MXGW_E_INTERNAL, e.what());
  } catch (...) {
    return fail(MXGW_E_INTERNAL, "an unexpected exception inside libmxgw");
  }
}

}  // namespace mxgw::capi

extern "C" {

const char* mxgw_last_error(void) { return mxgw::capi::last_error; }

const char* mxgw_strerror(int code) {
  const mxgw::capi::ErrorEntry* entry = mxgw::capi::find_error(code);
  return entry ? entry->text : "unknown error code";
}

const char* mxgw_err_name(int code) {
  const mxgw::capi::ErrorEntry* entry = mxgw::capi::find_error(code);
  return entry ? entry->name : nullptr;
}

}  // extern "C"
