// Frames for the benchmarks and the regression gate: realistic event batches, and
// a stream of frames as a worker would write them to its socket.
//
// Thread safety: pure functions.

#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/slab.h>

namespace mxgw::bench {

// An EventBatch of `changes` numeric data changes, as the sim backend produces them.
transport::SharedBytes sample_event_batch(int changes);

// Appends one frame (header, payload, padding) to `stream`.
void append_frame(std::vector<std::byte>& stream, transport::FrameKind kind, std::span<const std::byte> payload);

}  // namespace mxgw::bench
