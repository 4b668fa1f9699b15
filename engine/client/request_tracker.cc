// Outstanding requests and their deadlines.

#include "engine/client/request_tracker.h"

namespace mxgw::client {

void RequestTracker::add(uint64_t request_id, std::unique_ptr<PendingRequest> pending, uint64_t now_ms) {
  pending_.emplace(request_id, std::move(pending));
  if (timeout_ms_ != 0) deadlines_.push_back({now_ms + timeout_ms_, request_id});
}

std::unique_ptr<PendingRequest> RequestTracker::take(uint64_t request_id) {
  auto found = pending_.find(request_id);
  if (found == pending_.end()) return nullptr;
  std::unique_ptr<PendingRequest> pending = std::move(found->second);
  pending_.erase(found);
  return pending;
}

void RequestTracker::expire(uint64_t now_ms, const Status& why) {
  while (!deadlines_.empty() && deadlines_.front().at_ms <= now_ms) {
    const uint64_t request_id = deadlines_.front().request_id;
    deadlines_.pop_front();
    // Taken out before it completes: a completion may send (and add) new requests.
    if (std::unique_ptr<PendingRequest> pending = take(request_id)) pending->fail(why);
  }
}

void RequestTracker::fail_all(const Status& why) {
  deadlines_.clear();
  // Moved out first, for the same reason as in expire().
  std::unordered_map<uint64_t, std::unique_ptr<PendingRequest>> failing;
  failing.swap(pending_);
  for (auto& [request_id, pending] : failing) pending->fail(why);
}

}  // namespace mxgw::client
