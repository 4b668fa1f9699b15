// The value types of GatewayClient's API: its options, the result every request
// completes with, and one plain struct per kind of answer.
//
// Thread safety: value types; distinct objects may be used from distinct threads.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <mxgw/schema/client_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/stream_endpoint.h>

namespace mxgw::client {

class EventStream;

// What every request completes with: `status` ok and `value` filled in, or an error
// and `value` default-constructed. Errors the gateway sends keep their code and
// message; errors found by the client itself use:
//   InvalidArgument  a malformed address or argument
//   Internal         an I/O failure: refused, reset, or closed connection
//   CommandTimeout   a client-side deadline (connect, request) passed
//   ShuttingDown     the client was closed
//   FrameTooLarge    the request is larger than the gateway accepts
//   UnknownMessage   the gateway answered with a message of another kind
template <typename T>
struct Result {
  Status status;
  T value{};

  bool ok() const { return status.is_ok(); }
};

// A completion callback. It runs on the client's I/O thread: it must be quick, must
// not block on the client (waiting on a future of the same client would deadlock),
// and must not throw.
template <typename T>
using Callback = std::function<void(Result<T>&&)>;

// The answer to requests that carry nothing back but success.
struct Done {};

// What the gateway said in HelloAccepted.
struct ServerInfo {
  uint32_t protocol_version = 0;
  std::string server_version;
  proto::Role role = proto::Role::Client;
  uint32_t max_frame_bytes = 0;
};

struct OpenSessionRequest {
  std::string client_session_name;  // empty: the gateway uses "client"
  std::string backend;              // empty: the gateway's default backend
  int32_t command_timeout_ms = 0;   // <= 0: the gateway's default
  std::vector<std::pair<std::string, std::string>> backend_options;
};

struct OpenedSession {
  std::string session_id;
  std::string correlation_id;
  std::string backend;
  int32_t command_timeout_ms = 0;
  int64_t lease_ms = 0;
};

// The worker's MXAccess reply. A command that failed inside the worker still
// completes with an ok Status: its reply's `error` (and `status`) say why.
struct InvokeAnswer {
  proto::ReplyT reply;
};

struct SubscribeOptions {
  proto::DeliveryPolicy policy = proto::DeliveryPolicy::Lossless;
  bool resume = false;           // false: from the next event on
  uint64_t resume_from_seq = 0;  // with resume: the first sequence number wanted
  // Frames this subscription's ring holds; 0 takes ClientOptions::event_ring_frames.
  // The gateway sends no more frames than the ring has room for (the subscription's
  // credit), so a consumer that stops polling holds back this subscription alone.
  size_t ring_frames = 0;
  // Called on the I/O thread, at most once per loop turn, after new frames landed in
  // the ring and when the stream ends. It must be quick and must not block: signal
  // an eventfd, a condition or an executor. May be empty (EventStream::wait() works
  // either way).
  std::function<void()> on_ready;
};

struct Subscribed {
  uint64_t subscription_id = 0;
  uint64_t next_seq = 0;                // the first sequence number to expect
  std::shared_ptr<EventStream> events;  // where this subscription's frames arrive
};

struct LeaseRenewed {
  int64_t lease_ms = 0;
};

struct SessionClosed {
  bool already_closed = false;
};

using SessionList = std::vector<proto::SessionInfoT>;

struct ClientOptions {
  std::string api_key;
  std::string client_name = "mxgw-client";
  // Connecting plus the Hello exchange must finish within this.
  uint32_t connect_timeout_ms = 10'000;
  // A request with no answer after this long fails with CommandTimeout (a late
  // answer is then ignored), so that no wait for a gateway that stopped answering
  // lasts for ever. It must exceed the longest the gateway may take itself: a
  // session's command timeout, and its worker's startup and shutdown timeouts for
  // open and close. 0: wait for the gateway however long it takes.
  uint32_t request_timeout_ms = 60'000;
  // Default ring size of a subscription, in frames (each frame holds a batch).
  size_t event_ring_frames = 1024;
  // The stream underneath: payload limit, read slab size, socket buffers, and how
  // long close() lets queued requests drain.
  transport::StreamEndpoint::Options stream = default_stream_options();

  static transport::StreamEndpoint::Options default_stream_options() {
    transport::StreamEndpoint::Options options;
    options.close_drain_timeout_ms = 1000;
    return options;
  }
};

// Counters of the connection's event path, for load tools and tests. Each one is
// read on its own (relaxed): a snapshot, not a consistent cut.
struct ClientStats {
  uint64_t event_frames = 0;       // ClientEvents frames received
  uint64_t discarded_frames = 0;   // for subscriptions no longer (or never) known here
  uint64_t stalls = 0;             // times a full ring paused reading
  uint64_t unmatched_answers = 0;  // answers to no outstanding request (late, after a timeout)
};

}  // namespace mxgw::client
