// The engine names the transport's RingQueue in its own namespace, beside the other
// engine containers it is used with (the distributor's replay window).

#pragma once

#include <mxgw/transport/ring_queue.h>

namespace mxgw::engine {

using transport::RingQueue;

}  // namespace mxgw::engine
