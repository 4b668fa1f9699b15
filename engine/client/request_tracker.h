// RequestTracker: the I/O thread's table of requests sent and not yet answered,
// keyed by request id, with optional deadlines.
//
// Every request has the same timeout, so deadlines are reached in the order
// requests were sent: a FIFO of (deadline, id) finds the expired ones in O(1) each,
// and an entry already answered is simply skipped when it reaches the front.
//
// Thread safety: none; the I/O thread's alone.

#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include <mxgw/status.h>

#include "engine/client/pending_request.h"

namespace mxgw::client {

class RequestTracker {
 public:
  // `timeout_ms` 0: requests never expire here.
  explicit RequestTracker(uint64_t timeout_ms) : timeout_ms_(timeout_ms) {}

  // REQUIRES: `request_id` is not outstanding.
  void add(uint64_t request_id, std::unique_ptr<PendingRequest> pending, uint64_t now_ms);
  // The request answered by `request_id`, removed; nullptr if none is outstanding.
  std::unique_ptr<PendingRequest> take(uint64_t request_id);
  // Fails every request whose deadline is at or before `now_ms` with `why`.
  void expire(uint64_t now_ms, const Status& why);
  // Fails every outstanding request with `why`.
  void fail_all(const Status& why);

  size_t size() const noexcept { return pending_.size(); }
  bool empty() const noexcept { return pending_.empty(); }
  uint64_t timeout_ms() const noexcept { return timeout_ms_; }

 private:
  struct Deadline {
    uint64_t at_ms;
    uint64_t request_id;
  };

  const uint64_t timeout_ms_;
  std::unordered_map<uint64_t, std::unique_ptr<PendingRequest>> pending_;
  std::deque<Deadline> deadlines_;
};

}  // namespace mxgw::client
