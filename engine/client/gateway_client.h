// GatewayClient: the C++ client of the mxgw gateway's client protocol (client.fbs),
// over TCP (`tcp://host:port`) or a Unix socket (`unix:///path`). Used by the tests,
// by mxgw-bench, and by libmxgw's remote mode.
//
// Threads. The client owns one private I/O thread running a libuv loop; all
// connection state lives there. Application threads reach it through a lock-free
// inbox and one coalesced wake-up, so every method may be called from any thread,
// concurrently. Request methods build their message on the calling thread and
// return at once: with a std::future, or with a Callback that runs on the I/O
// thread (keep it short; never wait on this client inside it). A request refused
// before it is sent (the connection is gone, the client is closed, a bad argument)
// completes at once, on the calling thread, before the method returns. Every
// request completes exactly once: answered, failed by the gateway's Error, or
// failed when the connection ends (with the reason) or the client closes.
//
// Events. subscribe() hands out an EventStream: the subscription's frames arrive in
// its SPSC ring, filled by the I/O thread without copying or allocating, and are
// polled by one consumer thread (EventStream::poll, wait_until, on_ready). A full
// ring pauses reading from the socket until the consumer makes room: lossless
// backpressure, as the gateway applies to its own lossless subscribers, so the
// client itself never drops an event. A consumer that stops polling stalls the
// whole connection (answers queue behind the events) until it polls again,
// unsubscribes or the client closes; dropping an EventStream does not unsubscribe.
//
// Ending. close() (and the destructor) fail what is outstanding with ShuttingDown,
// end every stream, flush and close the connection, stop the loop and join the
// thread; idempotent, and safe when the gateway has already gone. Called from a
// callback on the I/O thread it cannot wait for its own thread: it returns at once,
// the shutdown runs as soon as the callback returns, and the destructor joins.
//
// Thread safety: all methods, from any thread, except that the destructor must not
// race with other calls on the same object (as for any object).

#pragma once

#include <future>
#include <memory>
#include <string>

#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>

#include "engine/client/client_types.h"
#include "engine/client/event_stream.h"

namespace mxgw::client {

class ClientCore;
class PendingRequest;
template <typename T>
class Completion;

class GatewayClient {
 public:
  using Options = ClientOptions;

  // Parses `address`, connects, and completes the Hello exchange with
  // options.api_key, all within options.connect_timeout_ms. On failure returns
  // nullptr and says why in *error: InvalidArgument for a bad address, Internal for
  // a refused or failed connection, Unauthenticated (or the gateway's other code)
  // with the gateway's own message, CommandTimeout when the deadline passed.
  static std::unique_ptr<GatewayClient> connect(const std::string& address, const Options& options, Status* error);

  ~GatewayClient();
  GatewayClient(const GatewayClient&) = delete;
  GatewayClient& operator=(const GatewayClient&) = delete;

  void close();

  // Whether requests can be sent now.
  bool is_connected() const;
  // The connection-level Error the gateway sent (request id 0: SlowConsumer, …);
  // ok if none came.
  Status connection_error() const;
  // Why the connection is unusable (the gateway's connection-level error, the
  // transport failure, or ShuttingDown after close()); ok while connected.
  Status closed_status() const;
  // What the gateway said in HelloAccepted.
  const ServerInfo& server_info() const noexcept { return server_; }
  const std::string& address() const noexcept { return address_; }
  ClientStats stats() const;

  std::future<Result<OpenedSession>> open_session(const OpenSessionRequest& request);
  void open_session(const OpenSessionRequest& request, Callback<OpenedSession> done);

  // The command's correlation_id is ignored (the gateway assigns one).
  std::future<Result<InvokeAnswer>> invoke(const std::string& session_id, const proto::CommandT& command);
  void invoke(const std::string& session_id, const proto::CommandT& command, Callback<InvokeAnswer> done);

  std::future<Result<Subscribed>> subscribe(const std::string& session_id, SubscribeOptions options = {});
  void subscribe(const std::string& session_id, SubscribeOptions options, Callback<Subscribed> done);

  // Stops delivery into the subscription's stream at once (frames still arriving
  // are discarded, and a stall on its ring is lifted), then asks the gateway.
  std::future<Result<Done>> unsubscribe(uint64_t subscription_id);
  void unsubscribe(uint64_t subscription_id, Callback<Done> done);

  std::future<Result<LeaseRenewed>> renew_lease(const std::string& session_id);
  void renew_lease(const std::string& session_id, Callback<LeaseRenewed> done);

  std::future<Result<SessionClosed>> close_session(const std::string& session_id);
  void close_session(const std::string& session_id, Callback<SessionClosed> done);

  // Every session this key owns; every session for an admin key.
  std::future<Result<SessionList>> list_sessions();
  void list_sessions(Callback<SessionList> done);

  // Admin keys only. `reason` is required by the protocol.
  std::future<Result<Done>> kill_session(const std::string& session_id, const std::string& reason);
  void kill_session(const std::string& session_id, const std::string& reason, Callback<Done> done);

 private:
  GatewayClient(std::shared_ptr<ClientCore> core, ServerInfo server, std::string address);

  void start_open_session(const OpenSessionRequest& request, Completion<OpenedSession>&& done);
  void start_invoke(const std::string& session_id, const proto::CommandT& command, Completion<InvokeAnswer>&& done);
  void start_subscribe(const std::string& session_id, SubscribeOptions&& options, Completion<Subscribed>&& done);
  void start_unsubscribe(uint64_t subscription_id, Completion<Done>&& done);
  void start_renew_lease(const std::string& session_id, Completion<LeaseRenewed>&& done);
  void start_close_session(const std::string& session_id, Completion<SessionClosed>&& done);
  void start_list_sessions(Completion<SessionList>&& done);
  void start_kill_session(const std::string& session_id, const std::string& reason, Completion<Done>&& done);

  // Sends a request built by `build(request_id)`, or fails `pending` at once when
  // the connection cannot take it.
  template <typename Build>
  void submit(std::unique_ptr<PendingRequest> pending, Build&& build, uint64_t detach_subscription_id = 0);

  std::shared_ptr<ClientCore> core_;
  const ServerInfo server_;
  const std::string address_;
};

}  // namespace mxgw::client
