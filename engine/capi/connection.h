// Connection: what libmxgw's C functions need from the engine, whichever mode it
// runs in. EmbeddedConnection drives a SessionManager inside the process;
// RemoteConnection drives a GatewayClient connected to `mxgw serve`. The C layer
// above (handles.h and the *_api.cc files) is the same for both.
//
// Blocking calls wait for their answer on the calling thread; an answer always
// comes (the engine bounds every command by its timeout, and a closed connection
// fails what is outstanding).
//
// Thread safety: every method from any thread, concurrently; close() once, from a
// thread that is not one of the engine's.

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <mxgw/mxgw.h>
#include <mxgw/schema/events_generated.h>
#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/slab.h>

#include "engine/core/session_types.h"

namespace mxgw::capi {

// One batch handed to the consumer: the frame is held here until released.
struct HeldBatch {
  uint64_t first_seq = 0;
  uint32_t count = 0;
  uint32_t flags = 0;
  int64_t gateway_time_ns = 0;
  const proto::EventBatch* batch = nullptr;  // inside `frame`
  transport::SharedBytes frame;
};

// Takes over a delivery of either mode (engine::Delivery, client::EventFrame: the
// same prefix fields), moving its frame reference in; `batch_of` finds the batch in
// the frame (the embedded batch, or the client frame's after its prefix).
template <typename Delivery>
void hold(HeldBatch& held, Delivery& delivery, transport::SharedBytes&& frame,
          const proto::EventBatch* (*batch_of)(const transport::SharedBytes&)) {
  held.first_seq = delivery.first_seq;
  held.count = delivery.count;
  held.flags = delivery.flags;
  held.gateway_time_ns = delivery.gateway_time_ns;
  held.frame = std::move(frame);
  held.batch = batch_of(held.frame);
}

// One subscription's batches, for its consumer thread.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Moves up to `max` ready batches into out[0..n) and returns n. Never blocks.
  virtual size_t take(size_t max, HeldBatch* out) = 0;
  // Blocks until a batch is ready or the source has ended, or until the deadline.
  virtual bool wait_until(std::chrono::steady_clock::time_point deadline) = 0;
  // Ended, and every batch taken.
  virtual bool finished() = 0;
  // Why it ended. REQUIRES: finished().
  virtual Status end_status() = 0;
  // Stops delivery (any thread).
  virtual void unsubscribe() = 0;
};

struct OpenedSession {
  std::string session_id;
  uint64_t lease_ms = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual bool embedded() const noexcept = 0;
  virtual Status open_session(const engine::OpenRequest& request, OpenedSession* out) = 0;
  // The worker's reply; a reply that carries a CommandError is still ok here.
  virtual Status invoke(const std::string& session_id, const proto::CommandT& command, proto::ReplyT* reply) = 0;
  virtual Status close_session(const std::string& session_id, bool* already_closed) = 0;
  // Fire and forget: a failed renewal shows as the session's end.
  virtual void renew_lease(const std::string& session_id) = 0;
  virtual Status subscribe(const std::string& session_id, const engine::SubscribeOptions& options,
                           std::unique_ptr<EventSource>* out) = 0;
  // Closes `sessions` (the ones this library opened), then the engine or connection.
  virtual void close(const std::vector<std::string>& sessions) = 0;
};

// `options` already carry their defaults (client_api.cc).
std::unique_ptr<Connection> open_embedded(const mxgw_client_options& options, Status* error);
std::unique_ptr<Connection> open_remote(const std::string& address, const mxgw_client_options& options, Status* error);

}  // namespace mxgw::capi
