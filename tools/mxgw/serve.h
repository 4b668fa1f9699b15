// `mxgw serve`: runs the gateway daemon until SIGINT or SIGTERM, then stops it
// cleanly: no more accepting, every session closed gracefully (stragglers killed),
// every connection flushed, exit 0.
//
// Thread safety: run on the main thread, once.

#pragma once

#include "tools/mxgw/daemon_config.h"

namespace mxgw::daemon {

// Returns the process exit code.
int serve(const DaemonConfig& config);

}  // namespace mxgw::daemon
