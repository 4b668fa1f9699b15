// Test support: writes frames into a byte vector exactly as a peer puts them on a
// stream (header, payload, zero padding), and feeds bytes to a FrameDecoder the way a
// libuv read loop does (read_buffer, copy, commit, drain). Kept independent of the
// decoder's internals so the tests check the wire format, not the implementation.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_decoder.h>

namespace mxgw::transport::testing {

inline void append_frame(std::vector<std::byte>& stream, FrameKind kind, std::span<const std::byte> payload) {
  const size_t at = stream.size();
  stream.resize(at + frame_wire_size(payload.size()));  // zero-fills the padding
  encode_frame_header(kind, static_cast<uint32_t>(payload.size()), stream.data() + at);
  if (!payload.empty()) std::memcpy(stream.data() + at + kFrameHeaderSize, payload.data(), payload.size());
}

// Delivers `bytes` as one arrival: copied into as many read buffers as it takes, each
// committed and drained into `out` before the next read, as a read callback would.
// False when the decoder offered no buffer (a failed stream) before all bytes went in.
template <typename Sink>
bool deliver(FrameDecoder& decoder, std::span<const std::byte> bytes, Sink&& sink) {
  while (!bytes.empty()) {
    std::span<std::byte> buffer = decoder.read_buffer();
    if (buffer.empty()) return false;
    const size_t n = std::min(buffer.size(), bytes.size());
    std::memcpy(buffer.data(), bytes.data(), n);
    decoder.commit(n);
    bytes = bytes.subspan(n);
    Frame frame;
    while (decoder.next(&frame)) sink(std::move(frame));
  }
  return true;
}

}  // namespace mxgw::transport::testing
