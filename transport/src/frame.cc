// Frame header encoding and the checks a receiver applies before trusting a length.

#include <mxgw/transport/frame.h>

#include <array>
#include <bit>
#include <cstring>
#include <string>

namespace mxgw::transport {

static_assert(std::endian::native == std::endian::little,
              "the frame header and flatbuffers are little-endian; mxgw targets little-endian hosts");

std::string_view frame_kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::WorkerControl:
      return "WorkerControl";
    case FrameKind::Events:
      return "Events";
    case FrameKind::ClientControl:
      return "ClientControl";
    case FrameKind::ClientEvents:
      return "ClientEvents";
  }
  return "Unknown";
}

void encode_frame_header(FrameKind kind, uint32_t payload_length, std::byte* out) noexcept {
  const auto kind_value = static_cast<uint16_t>(kind);
  std::memcpy(out, &payload_length, 4);
  std::memcpy(out + 4, &kind_value, 2);
  out[6] = std::byte{kFrameFormatVersion};
  out[7] = std::byte{0};
}

Status decode_frame_header(const std::byte* in, uint32_t max_payload, FrameHeader* out) {
  uint32_t length = 0;
  uint16_t kind_value = 0;
  std::memcpy(&length, in, 4);
  std::memcpy(&kind_value, in + 4, 2);
  const auto version = static_cast<uint8_t>(in[6]);
  const auto reserved = static_cast<uint8_t>(in[7]);
  if (version != kFrameFormatVersion) {
    return {ErrorCode::ProtocolVersionMismatch, "frame format version " + std::to_string(version) +
                                                    " (this side speaks " + std::to_string(kFrameFormatVersion) + ")"};
  }
  if (reserved != 0) {
    return {ErrorCode::MalformedFrame, "frame header reserved byte is " + std::to_string(reserved)};
  }
  const auto kind = static_cast<FrameKind>(kind_value);
  if (frame_kind_name(kind) == "Unknown") {
    return {ErrorCode::UnknownMessage, "unknown frame kind " + std::to_string(kind_value)};
  }
  if (length > max_payload) {
    return {ErrorCode::FrameTooLarge, std::string(frame_kind_name(kind)) + " frame of " + std::to_string(length) +
                                          " bytes exceeds the limit of " + std::to_string(max_payload)};
  }
  out->payload_length = length;
  out->kind = kind;
  return {};
}

std::span<const std::byte> zero_padding(size_t length) noexcept {
  static constexpr std::array<std::byte, kFrameAlignment> kZeros{};
  return {kZeros.data(), length};
}

}  // namespace mxgw::transport
