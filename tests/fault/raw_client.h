// RawClient: a client of the gateway's protocol over a plain blocking TCP socket, for
// tests that must do what GatewayClient never does: stop in the middle of a frame,
// send without reading, or vanish with a reset while answers and events are on
// their way. Requests are built by the real client's message builders.
//
// Thread safety: one thread at a time.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <mxgw/schema/client_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/frame.h>

namespace mxgw::testing {

class RawClient {
 public:
  // Connects to 127.0.0.1:port; connected() says whether that worked.
  explicit RawClient(uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const noexcept { return fd_ >= 0; }

  // A request payload as it goes on the wire: header, payload, padding.
  static std::string wire(const transport::SharedBytes& payload);

  // Sends every byte (blocking); false if the connection failed.
  bool send(std::string_view bytes);
  // Sends what the socket takes now without blocking; how many bytes that was.
  size_t send_now(std::string_view bytes);

  // Hello with `key`; the gateway's answer as a Status (ok: HelloAccepted).
  Status hello(const std::string& key);
  // A lossless subscription to `session_id`, without credit (request id 2); the
  // answer as a Status (ok: Subscribed). Its events then come as the socket takes them.
  Status subscribe(const std::string& session_id);
  // Sends `request` (a finished ClientFrame payload) and reads until the answer to
  // `request_id` arrives (frames of other kinds and ids are counted and skipped);
  // the answer, or an empty payload if the connection ended or nothing came within
  // `deadline`.
  transport::SharedBytes request(uint64_t request_id, const transport::SharedBytes& payload,
                                 std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // The next frame within `deadline`: its kind and payload; false if none came.
  bool read_frame(transport::Frame* out, std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // ClientEvents frames read (and skipped) by request() so far.
  uint64_t event_frames_skipped() const noexcept { return event_frames_skipped_; }

  // Closes at once with a reset (SO_LINGER 0): the gateway learns it on its next
  // read or write, with whatever it still had to send left undelivered.
  void reset();

 private:
  // Appends what arrives within `deadline` to buffer_; false at EOF, error or timeout.
  bool receive(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // bytes read but not yet handed out as frames
  uint64_t event_frames_skipped_ = 0;
};

}  // namespace mxgw::testing
