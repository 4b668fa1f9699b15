// Command dispatch: turns one verified proto::Command into MxServer calls and builds
// the Reply, with the command's correlation id, the MXAccess status and, on failure,
// the precise CommandError and its message.
//
// Thread safety: none; the worker's loop thread only.

#pragma once

#include <mxgw/schema/worker_generated.h>
#include <mxgw/transport/payload_builder.h>

#include "worker/src/mx_server.h"

namespace mxgw::worker {

// The reply to `command`, as a finished WorkerFrame payload. Shutdown is answered
// here too; stopping is the caller's business.
transport::SharedBytes dispatch_command(MxServer& server, const proto::Command& command,
                                        transport::PayloadBuilder& builder);

}  // namespace mxgw::worker
