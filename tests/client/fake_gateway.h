// FakeGateway: a small gateway written for the client tests, speaking the client
// protocol's contract on a real socket (Unix or TCP) from its own loop thread, so
// that GatewayClient can be tested before, and independently of, the real server.
//
// What it does: Hello (a client key, an admin key, anything else Unauthenticated),
// OpenSession, Invoke (Register answers a server handle; Register "hang" is never
// answered; Register "drop" aborts the connection; AddItem answers the item
// definition parsed as the item handle; Write answers with a command error;
// everything else an EmptyReply), Subscribe/Unsubscribe, RenewLease, CloseSession
// and KillSession (both end the session's subscriptions with a final batch holding
// a SessionStateEvent Closed), ListSessions; GrantCredit is ignored (it streams as
// the socket takes). Answers to one read burst go out in
// reverse order, so a client that matched answers by order instead of id would fail.
// Events are streamed on request, respecting the connection's backpressure.
//
// Thread safety: the public methods may be called from any thread; everything they
// touch runs on the gateway's own loop thread.

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/listener.h>
#include <mxgw/transport/stream_endpoint.h>

namespace mxgw::client::testing {

inline constexpr const char* kClientKey = "client-key";
inline constexpr const char* kAdminKey = "admin-key";

class FakeGateway {
 public:
  struct Config {
    bool tcp = false;
    bool answer_hello = true;
    uint32_t max_frame_bytes = 1u << 20;
    transport::StreamEndpoint::Options stream;
  };

  explicit FakeGateway(Config config);
  ~FakeGateway();
  FakeGateway(const FakeGateway&) = delete;
  FakeGateway& operator=(const FakeGateway&) = delete;

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }

  // Streams `events` numeric changes to `subscription_id` in frames of `per_frame`,
  // continuing its sequence; each change's value is its sequence number.
  void stream_events(uint64_t subscription_id, uint64_t events, uint32_t per_frame);
  // Events handed to connections so far (for all subscriptions).
  uint64_t events_sent() const { return events_sent_.load(std::memory_order_acquire); }
  // Sends Error{code, message} with request id 0 on every connection, then closes them.
  void send_connection_error(ErrorCode code, const std::string& message);
  // Aborts every connection at once.
  void drop_connections();
  // Invokes received and deliberately left unanswered ("hang").
  uint64_t held_invokes() const { return held_invokes_.load(std::memory_order_acquire); }
  uint64_t requests() const { return requests_.load(std::memory_order_acquire); }
  uint64_t connections() const { return connections_.load(std::memory_order_acquire); }

 private:
  struct Connection;
  struct Session {
    std::string id;
    std::string correlation_id;
    std::string backend;
    std::string owner;
    uint64_t next_seq = 0;
  };

  // Runs `task` on the loop thread and waits for it.
  void run(std::function<void()> task);
  void on_accept(transport::StreamEndpoint* endpoint);
  void drain_tasks();
  // Sends every connection's queued answers at the end of this loop turn.
  void schedule_flush();
  void end_session(const std::string& session_id, const std::string& reason);

  Config config_;
  std::string address_;
  uint16_t port_ = 0;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  uv_check_t flush_check_{};
  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;
  std::thread thread_;

  // Loop thread only.
  transport::Listener* listener_ = nullptr;
  std::vector<std::unique_ptr<Connection>> live_;
  std::map<std::string, Session> sessions_;
  uint64_t next_session_ = 1;
  uint64_t next_subscription_ = 100;

  std::atomic<uint64_t> events_sent_{0};
  std::atomic<uint64_t> held_invokes_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> connections_{0};

  friend struct Connection;
};

}  // namespace mxgw::client::testing
