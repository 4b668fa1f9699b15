// The MXAccess status (MXSTATUS_PROXY) that goes with each outcome.
//
// Thread safety: pure functions.

#pragma once

#include <mxgw/schema/worker_generated.h>

namespace mxgw::worker {

// Success for CommandError::None; otherwise success = 0, the category that fits the
// error, detected by the responding LMX, and the error's number as the detail.
proto::MxStatus status_for(proto::CommandError error);

inline proto::MxStatus success_status() { return status_for(proto::CommandError::None); }

}  // namespace mxgw::worker
