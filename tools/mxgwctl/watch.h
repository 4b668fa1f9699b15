// `mxgwctl watch`: the sessions and the daemon's event rates, refreshed every
// interval. On a terminal each refresh redraws the screen (ANSI cursor-home and
// clear); into a pipe or a file each refresh is a block of its own, so the output can
// be read back. A rate is the change of a daemon counter between two refreshes over
// the time between them: the first refresh has none to show.
//
// Thread safety: main's thread only; it writes to stdout and sleeps between refreshes.

#pragma once

#include <cstdint>

#include "tools/mxgwctl/admin_client.h"

namespace mxgw::ctl {

struct WatchOptions {
  uint32_t interval_ms = 1000;
  uint64_t count = 0;  // refreshes; 0: until interrupted
};

// Returns after `count` refreshes, or at the first request that fails.
Outcome watch(AdminClient& admin, const WatchOptions& options);

}  // namespace mxgw::ctl
