// ClientConnection: one client of the gateway on one shard — the client protocol's
// state machine (Hello first, then requests), its subscriptions, and event delivery.
//
// Requests go to the SessionManager, whose answers arrive on the session's shard;
// they come back here through the connection's shard by connection id, so a
// connection that has gone meanwhile is simply not found. Events: each subscription
// is an SPSC ring filled by the session's shard; a coalesced wake-up brings this
// shard to drain it, writing each delivery as one ClientEvents frame whose 32-byte
// prefix is the only per-subscriber byte written — the batch itself goes out by
// reference in the same writev. While the socket pushes back, draining stops (the
// ring fills and lossless backpressure reaches the worker). A subscription made with
// credit_frames is also flow-controlled on its own: it gets no more frames than the
// client has granted (GrantCredit), so a client that stops consuming one subscription
// holds back only that one, and its connection keeps carrying answers and the other
// subscriptions' events both ways.
//
// Events held back never stop requests: renewals, unsubscribes, closes and commands
// are read while events wait. Every request makes an answer, so a client that sends
// without reading must not be read without bound either: its requests are not read
// while kMaxRequestsInFlight of them await their answers, or while the answers
// queued for it pass ConnectionHost::max_queued_answer_bytes (events stop at the
// socket's high mark on their own). What one client costs is bounded by
// that, however fast it sends; it is served again as it reads. While the gateway does
// not read a client, the leases of the sessions that client opened, renewed or
// subscribed to on this connection are held, so they do not expire for renewals the
// gateway itself left unread.
//
// Thread safety: the connection's shard thread only, except `wake_`, the atomic
// flag the session shards use to coalesce wake-ups (see drain).

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <mxgw/schema/client_generated.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/stream_endpoint.h>

#include "engine/core/session_manager.h"
#include "engine/core/subscription.h"
#include "engine/gateway/client_requests.h"

namespace mxgw::gateway {

// What a connection needs from the gateway around it.
struct ConnectionHost {
  engine::SessionManager& manager;
  std::function<std::optional<engine::Caller>(std::string_view key)> authenticate;
  uint32_t max_frame_bytes;
  // Requests are not read while more answers than this wait to be written to a
  // client (events stop at the socket's high mark on their own).
  size_t max_queued_answer_bytes;
  // Runs `task` on `shard` with the connection `id` if it still exists there.
  std::function<void(uint32_t shard, uint64_t id, std::function<void(class ClientConnection&)> task)> with_connection;
  // The connection is finished; the shard forgets (and destroys) it.
  std::function<void(uint32_t shard, uint64_t id)> forget;
  // Client traffic, for metrics: relaxed counters (each is a count on its own).
  struct Traffic {
    std::atomic<uint64_t> frames_in{0};
    std::atomic<uint64_t> bytes_in{0};
    std::atomic<uint64_t> frames_out{0};
    std::atomic<uint64_t> bytes_out{0};
  };
  Traffic* traffic;
};

class ClientConnection final : transport::StreamEndpoint::Handler {
 public:
  // Requests of one connection awaiting their answers before it is read no further.
  static constexpr size_t kMaxRequestsInFlight = 1024;

  ClientConnection(ConnectionHost& host, uint32_t shard, uint64_t id, transport::StreamEndpoint* endpoint);
  ~ClientConnection() override;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  void start();
  // Delivers what the subscriptions hold, as far as the socket takes it.
  void drain();
  // Closes the connection (gateway shutdown).
  void close() { endpoint_->close(); }

 private:
  struct ClientSubscription {
    std::shared_ptr<engine::Subscription> subscription;
    std::string session_id;
    // Frames the client has room for; none: not flow-controlled on its own.
    std::optional<uint64_t> credit;
  };

  void on_frame(transport::StreamEndpoint& endpoint, transport::Frame&& frame) override;
  void on_stream_error(transport::StreamEndpoint& endpoint, const Status& why) override;
  void on_backpressure(transport::StreamEndpoint& endpoint, bool blocked) override;
  void on_closed(transport::StreamEndpoint& endpoint) override;

  void handle(uint64_t request_id, ClientRequest request);
  void hello(uint64_t request_id, const HelloRequest& hello);
  void subscribe(uint64_t request_id, SubscribeRequest request);
  void unsubscribe(uint64_t request_id, uint64_t subscription_id);
  void grant_credit(uint64_t subscription_id, uint32_t frames);
  // Remembers a session this client uses (held with the others while not read).
  void track_lease(const std::string& session_id);
  // Forgets a session this client closed (releasing its hold, if any).
  void untrack_lease(const std::string& session_id);
  void reply(transport::SharedBytes payload);
  void count_out(size_t payload_bytes);
  void fail(uint64_t request_id, const Status& status);
  // A function that runs a task on this connection's shard later, if the connection
  // still exists then; safe to call from any thread.
  std::function<void(std::function<void(ClientConnection&)>)> later_fn();
  // later_fn() for the answer to a request: the request counts as in flight until
  // its answer runs here. REQUIRES: the function is called exactly once.
  std::function<void(std::function<void(ClientConnection&)>)> answer_fn();
  // Reads requests only while few enough answers are awaited or queued.
  void update_reading();
  void hold_leases(bool hold);
  // Asks this shard to drain, at most once until it has.
  std::function<void()> waker();

  ConnectionHost& host_;
  const uint32_t shard_;
  const uint64_t id_;
  transport::StreamEndpoint* endpoint_;
  transport::PayloadBuilder builder_;
  std::optional<engine::Caller> caller_;
  std::unordered_map<uint64_t, ClientSubscription> subscriptions_;
  // Raised by session shards when deliveries arrive, lowered by the drain they post.
  // exchange on both sides (acq_rel): a raise either posts a drain or is seen by the
  // drain in progress, whose exchange synchronises with it.
  std::shared_ptr<std::atomic<bool>> wake_ = std::make_shared<std::atomic<bool>>(false);
  // Requests handed to the engine whose answers have not come back yet.
  size_t requests_in_flight_ = 0;
  // Sessions this client opened, renewed or subscribed to here and has not closed.
  std::unordered_set<std::string> leased_sessions_;
  bool leases_held_ = false;  // the gateway has stopped reading this client
  bool closing_ = false;
};

}  // namespace mxgw::gateway
