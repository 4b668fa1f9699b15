// The raw client's socket, framing and request/answer loop.

#include "tests/fault/raw_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "tests/support/loopback.h"

namespace mxgw::testing {

RawClient::RawClient(uint16_t port) : fd_(connect_loopback(port)) {}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RawClient::wire(const transport::SharedBytes& payload) {
  std::string bytes(transport::kFrameHeaderSize, '\0');
  transport::encode_frame_header(transport::FrameKind::ClientControl, static_cast<uint32_t>(payload.size()),
                                 reinterpret_cast<std::byte*>(bytes.data()));
  bytes.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  bytes.append(transport::frame_padding(payload.size()), '\0');
  return bytes;
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

size_t RawClient::send_now(std::string_view bytes) {
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool RawClient::receive(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd readable{fd_, POLLIN, 0};
  if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[64 << 10];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool RawClient::read_frame(transport::Frame* out, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  transport::FrameHeader header;
  while (buffer_.size() < transport::kFrameHeaderSize) {
    if (!receive(until)) return false;
  }
  if (!transport::decode_frame_header(reinterpret_cast<const std::byte*>(buffer_.data()), UINT32_MAX, &header)
           .is_ok()) {
    return false;
  }
  const size_t wire_size = transport::frame_wire_size(header.payload_length);
  while (buffer_.size() < wire_size) {
    if (!receive(until)) return false;
  }
  out->kind = header.kind;
  out->payload = transport::copy_to_slab(
      {reinterpret_cast<const std::byte*>(buffer_.data()) + transport::kFrameHeaderSize, header.payload_length});
  buffer_.erase(0, wire_size);
  return true;
}

transport::SharedBytes RawClient::request(uint64_t request_id, const transport::SharedBytes& payload,
                                          std::chrono::milliseconds deadline) {
  if (!send(wire(payload))) return {};
  const auto until = std::chrono::steady_clock::now() + deadline;
  transport::Frame frame;
  while (read_frame(&frame,
                    std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()))) {
    if (frame.kind == transport::FrameKind::ClientEvents) {
      ++event_frames_skipped_;
      continue;
    }
    if (frame.kind == transport::FrameKind::ClientControl &&
        transport::client_frame(frame.payload)->request_id() == request_id) {
      return std::move(frame.payload);
    }
  }
  return {};
}

Status RawClient::hello(const std::string& key) {
  client::ClientOptions options;
  options.api_key = key;
  options.client_name = "raw";
  const transport::SharedBytes answer = request(1, client::build_hello(1, options));
  if (answer.empty()) return {ErrorCode::Internal, "no answer to Hello"};
  return client::answer_status(*transport::client_frame(answer), proto::ClientMessage::HelloAccepted);
}

Status RawClient::subscribe(const std::string& session_id) {
  const transport::SharedBytes answer = request(2, client::build_subscribe(2, session_id, {}));
  if (answer.empty()) return {ErrorCode::Internal, "no answer to Subscribe"};
  return client::answer_status(*transport::client_frame(answer), proto::ClientMessage::Subscribed);
}

void RawClient::reset() {
  if (fd_ < 0) return;
  const linger abortive{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace mxgw::testing
