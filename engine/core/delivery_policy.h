// What a subscriber wants done when it falls behind (DESIGN.md, "Delivery policies"),
// and the per-subscriber bookkeeping the distributor keeps for each policy.
//
//   lossless     backpressure: the session stops reading its worker until the
//                subscriber has room; nothing is dropped.
//   conflate     while the subscriber's ring is full, only the newest value of each
//                item is kept; when room returns it receives one gateway-built batch
//                holding those values and a Gap (reason Conflated) naming the
//                sequence range they stand for. The one place events are re-encoded.
//   drop-oldest  while the ring is full, deliveries that do not fit are dropped; when
//                room returns, a Gap (reason DroppedSlowSubscriber) names exactly the
//                range lost, and delivery resumes with current data. (The ring is
//                single-producer single-consumer, so the producer cannot evict what
//                the consumer owns: the events lost are the ones that did not fit.)
//   disconnect   a full ring ends the subscription with SlowConsumer; the client's
//                connection is closed with that reason.
//
// Thread safety: the session's shard thread only.

#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <mxgw/schema/client_generated.h>
#include <mxgw/schema/events_generated.h>

#include "engine/core/subscription.h"

namespace mxgw::engine {

using proto::DeliveryPolicy;

// Sequence numbers a subscriber did not receive one by one.
struct SkippedRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  bool empty() const { return first == 0; }
  void add(uint64_t from, uint64_t to) {
    if (empty()) first = from;
    last = to;
  }
};

// What a subscriber is owed, in order: deliveries, or the announcement of a range it
// will not receive one by one (with, when conflating, the newest numeric value of
// every item in that range; other events of the range are not kept, and the Gap
// announces them).
struct Owed {
  bool is_gap = false;
  Delivery delivery;  // when !is_gap
  proto::GapReason reason = proto::GapReason::DroppedSlowSubscriber;
  SkippedRange range;
  std::map<std::pair<int32_t, int32_t>, proto::DataChange> latest;  // by (server, item) handle
};

}  // namespace mxgw::engine
