// ClientShared: the little a GatewayClient's application threads and its I/O thread
// both touch: the request id counter, whether the connection is usable and why not,
// and event-path counters.
//
// Thread safety: every member may be used from any thread.
//   next_request_id  relaxed fetch_add: ids only need to be distinct, and an RMW
//                    hands out each value once whatever the order.
//   open             release store by the I/O thread after the statuses below are
//                    written; acquire load by requesters, which then read them.
//   statuses         under `mutex_` (read rarely: on failure paths and by accessors).
//   counters         statistics written by the I/O thread alone (bump(): a relaxed
//                    load and store, no RMW needed), read relaxed, each on its own.

#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include <mxgw/status.h>

#include "engine/client/client_types.h"

namespace mxgw::client {

struct ClientShared {
  std::atomic<uint64_t> next_request_id{1};
  std::atomic<bool> open{false};

  std::atomic<uint64_t> event_frames{0};
  std::atomic<uint64_t> discarded_frames{0};
  std::atomic<uint64_t> stalls{0};
  std::atomic<uint64_t> unmatched_answers{0};

  // REQUIRES: called on the I/O thread, the counters' one writer.
  static void bump(std::atomic<uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  uint64_t take_request_id() { return next_request_id.fetch_add(1, std::memory_order_relaxed); }
  bool is_open() const { return open.load(std::memory_order_acquire); }

  // Why requests cannot be sent now. Ok only while open.
  Status closed_status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_;
  }
  // The connection-level Error the gateway sent (request id 0), if any.
  Status connection_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return server_error_;
  }
  void set_open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = {};
    }
    open.store(true, std::memory_order_release);
  }
  void set_closed(const Status& why) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = why;
    }
    open.store(false, std::memory_order_release);
  }
  void set_server_error(const Status& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    server_error_ = error;
  }

  ClientStats stats() const {
    ClientStats out;
    out.event_frames = event_frames.load(std::memory_order_relaxed);
    out.discarded_frames = discarded_frames.load(std::memory_order_relaxed);
    out.stalls = stalls.load(std::memory_order_relaxed);
    out.unmatched_answers = unmatched_answers.load(std::memory_order_relaxed);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  Status closed_{ErrorCode::Internal, "not connected yet"};
  Status server_error_;
};

}  // namespace mxgw::client
