// The error plumbing every C entry point shares: a Status or a code of the
// library's own becomes a negative MXGW_E_* code plus the thread's last error
// message, and guarded() keeps every exception inside the library.
//
// Thread safety: the last error is per thread; everything here may run on any
// thread.

#pragma once

#include <string_view>
#include <type_traits>

#include <mxgw/mxgw.h>
#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>

namespace mxgw::capi {

// Records `status` as this thread's last error and returns its MXGW_E_* code
// (MXGW_OK for an ok status).
int fail(const Status& status) noexcept;
// The same for a code of the library's own, with its message.
int fail(int code, std::string_view message) noexcept;
// The MXGW_E_* code of a gateway error code.
int code_of(ErrorCode code) noexcept;
// The MXGW_E_* code of a worker's command error (MXGW_OK for None).
int code_of(proto::CommandError error) noexcept;
// The MXGW_E_* code of the exception being handled (MXGW_E_NO_MEMORY for
// std::bad_alloc, MXGW_E_INTERNAL for anything else), recorded as the last error.
// REQUIRES: called from a catch block.
int fail_with_current_exception() noexcept;

// Runs the body of an extern "C" function so that no exception crosses into C: one
// that escapes the body becomes the function's error code (a void function only
// records it as the last error). The body is written so that an exception leaves
// nothing half-made behind (handles are owned by RAII until handed out). Only the
// entry points that read a field or a static string go without it.
template <typename Body>
auto guarded(Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    const int code = fail_with_current_exception();
    if constexpr (std::is_void_v<decltype(body())>) {
      return;
    } else {
      return code;
    }
  }
}

}  // namespace mxgw::capi
