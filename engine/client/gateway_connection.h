// GatewayConnection: the client's side of its one gateway connection, living on the
// client's I/O thread: connect, Hello, requests matched to answers by id, event
// frames routed into each subscription's EventStream, lossless backpressure, and
// every way the connection can end.
//
// States: Connecting → Handshaking → Open → Closed. Any failure, a connection-level
// Error from the gateway (request id 0, e.g. SlowConsumer), the peer closing, or the
// client closing leads to Closed; on entering it every outstanding request fails
// with the reason, and every stream ends with it (a stream whose ring is full ends
// after its last frame is delivered, so nothing already read is lost).
//
// Backpressure: by credit. Each subscription asks the gateway for no more frames
// than its ring holds, and its consumer's polls grant freed room back (Credit ops,
// sent as GrantCredit), so the socket is always read and a consumer that stops holds
// back its own subscription only. Should a frame come with its ring full all the same
// (a gateway that does not keep to the credit), it is held and reading stops
// (StreamEndpoint::pause_reading) until the consumer's poll wakes the loop with a
// Resume op; at most one stream can be stalled so, since nothing is read while one is.
//
// Thread safety: none. Everything here runs on the I/O thread; application threads
// reach it only through Ops posted by ClientCore.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/stream_endpoint.h>

#include "engine/client/client_address.h"
#include "engine/client/client_shared.h"
#include "engine/client/client_types.h"
#include "engine/client/event_stream.h"
#include "engine/client/pending_request.h"
#include "engine/client/request_tracker.h"

namespace mxgw::client {

class StreamConnector;

// One unit of work from an application thread (or a consumer) for the I/O thread.
struct Op {
  enum class Kind : uint8_t {
    Request,  // send `payload` and track `pending` under `request_id`
    Resume,   // a consumer made room in the stalled stream's ring
    Credit,   // a consumer made room for `credit_frames` more frames of `subscription_id`
  };
  Kind kind = Kind::Request;
  uint64_t request_id = 0;
  // Unsubscribe: stop delivering this subscription before the request goes out.
  uint64_t detach_subscription_id = 0;
  // Credit: whose ring has room again, and for how many frames.
  uint64_t subscription_id = 0;
  uint32_t credit_frames = 0;
  transport::SharedBytes payload;
  std::unique_ptr<PendingRequest> pending;
};

class GatewayConnection final : public transport::StreamEndpoint::Handler, public SubscriptionRegistry {
 public:
  // `post` hands an Op to this connection on the I/O thread, from any thread; the
  // EventStreams use it to ask for a resume and to grant credit.
  GatewayConnection(uv_loop_t* loop, const ClientAddress& address, const ClientOptions& options, ClientShared* shared,
                    std::function<void(Op&&)> post);
  ~GatewayConnection() override;
  GatewayConnection(const GatewayConnection&) = delete;
  GatewayConnection& operator=(const GatewayConnection&) = delete;

  // Connects and says Hello; `hello_done` hears HelloAccepted or why not, once.
  void start(Completion<ServerInfo> hello_done);
  void handle(Op&& op);
  // The client is closing: fails and ends everything, closes the connection and
  // this object's handles. The loop runs out once libuv has closed them.
  void shutdown();

  // StreamEndpoint::Handler
  void on_frame(transport::StreamEndpoint& endpoint, transport::Frame&& frame) override;
  void on_stream_error(transport::StreamEndpoint& endpoint, const Status& why) override;
  void on_closed(transport::StreamEndpoint& endpoint) override;

  // SubscriptionRegistry. REQUIRES: options.ring_frames is settled (GatewayClient
  // does so, since the same number went to the gateway as the subscription's credit).
  std::shared_ptr<EventStream> attach(uint64_t subscription_id, SubscribeOptions&& options) override;

 private:
  enum class State : uint8_t { Connecting, Handshaking, Open, Closed };

  void on_connected(const Status& status, transport::StreamEndpoint* endpoint);
  void on_deadline();
  void on_events(transport::SharedBytes&& payload);
  void on_control(const transport::SharedBytes& payload);
  void on_hello_answer(const proto::ClientFrame& frame);
  void on_connection_message(const proto::ClientFrame& frame);
  void send_request(Op&& op);
  void detach(uint64_t subscription_id);
  void resume();
  void grant_credit(uint64_t subscription_id, uint32_t frames);
  // Fails the handshake and requests, ends the streams, and closes the endpoint.
  void enter_closed(const Status& why);
  void fail_hello(const Status& why);
  std::shared_ptr<EventStream>* find_stream(uint64_t subscription_id);
  void forget_stream(uint64_t subscription_id);
  void schedule_notify(const std::shared_ptr<EventStream>& stream);
  void run_notifications();

  uv_loop_t* const loop_;
  const ClientAddress address_;
  const ClientOptions options_;
  ClientShared* const shared_;
  const std::function<void(Op&&)> post_;

  State state_ = State::Connecting;
  Status closed_status_;
  StreamConnector* connector_ = nullptr;
  transport::StreamEndpoint* endpoint_ = nullptr;
  std::optional<Completion<ServerInfo>> hello_done_;
  uint64_t hello_request_id_ = 0;
  uint32_t max_frame_bytes_ = 0;
  RequestTracker tracker_;

  std::unordered_map<uint64_t, std::shared_ptr<EventStream>> streams_;
  // The stream of the last event frame: consecutive frames mostly share one. Points
  // into streams_ (node-based, so stable until that entry is erased).
  uint64_t cached_id_ = 0;
  std::shared_ptr<EventStream>* cached_ = nullptr;
  std::shared_ptr<EventStream> stalled_;              // holds a frame; reading is paused
  std::vector<std::shared_ptr<EventStream>> notify_;  // frames landed this loop turn

  uv_timer_t deadline_timer_{};  // connect + Hello
  uv_timer_t sweep_timer_{};     // request timeouts
  uv_check_t notify_check_{};    // runs right after the turn's reads
  bool handles_closed_ = false;
};

}  // namespace mxgw::client
