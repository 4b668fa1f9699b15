// The mxgw frame format: how every message, between the gateway and its workers and
// between the gateway and its clients, is laid out on a stream.
//
//   offset  size  field
//   0       4     payload_length   bytes of payload, little-endian, padding excluded
//   4       2     kind             FrameKind, little-endian
//   6       1     format_version   kFrameFormatVersion; anything else is refused
//   7       1     reserved         zero
//   8       n     payload          a flatbuffer (see FrameKind for which)
//   8+n     0..7  padding          zero bytes up to the next multiple of 8
//
// Every frame starts 8-byte aligned relative to the start of the stream, so a payload
// read into an aligned buffer satisfies flatbuffers' alignment rules in place. The
// length is checked against the receiver's maximum before anything is allocated.
//
// Thread safety: pure functions and constants.

#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <mxgw/status.h>
#include <mxgw/transport/slab.h>

namespace mxgw::transport {

inline constexpr uint8_t kFrameFormatVersion = 1;
// The version of the message schemas, exchanged in WorkerHello and Hello; a peer of
// another version is refused with ProtocolVersionMismatch.
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kFrameHeaderSize = 8;
inline constexpr size_t kFrameAlignment = 8;
// Default largest payload a receiver accepts; configurable per endpoint.
inline constexpr uint32_t kDefaultMaxPayloadBytes = 16u << 20;
// ClientEvents payloads begin with a 32-byte proto::ClientEventPrefix.
inline constexpr size_t kClientEventPrefixSize = 32;

enum class FrameKind : uint16_t {
  WorkerControl = 1,  // proto::WorkerFrame, identifier "MXWP" (worker.fbs)
  Events = 2,         // proto::EventBatch, identifier "MXEV" (events.fbs)
  ClientControl = 3,  // proto::ClientFrame, identifier "MXCP" (client.fbs)
  ClientEvents = 4,   // proto::ClientEventPrefix then a proto::EventBatch
};

std::string_view frame_kind_name(FrameKind kind);

struct FrameHeader {
  uint32_t payload_length = 0;
  FrameKind kind = FrameKind::WorkerControl;
};

// A received frame: its kind and its payload (header and padding stripped), sharing
// the slab it was read into.
struct Frame {
  FrameKind kind = FrameKind::WorkerControl;
  SharedBytes payload;
};

constexpr size_t frame_padding(size_t payload_length) {
  return (kFrameAlignment - payload_length % kFrameAlignment) % kFrameAlignment;
}
constexpr size_t frame_wire_size(size_t payload_length) {
  return kFrameHeaderSize + payload_length + frame_padding(payload_length);
}

// Writes the 8 header bytes for a payload of `payload_length` bytes.
void encode_frame_header(FrameKind kind, uint32_t payload_length, std::byte* out) noexcept;

// Reads and checks a header: version, reserved byte, known kind, and payload_length
// <= max_payload. On failure the Status says exactly which check failed.
Status decode_frame_header(const std::byte* in, uint32_t max_payload, FrameHeader* out);

// Zero bytes for padding writes.
std::span<const std::byte> zero_padding(size_t length) noexcept;

}  // namespace mxgw::transport
