// What a subscriber wants done when it falls behind (DESIGN.md, "Delivery policies"),
// and the per-subscriber bookkeeping the distributor keeps for each policy.
//
//   lossless     backpressure: the session stops reading its worker until the
//                subscriber has room; nothing is dropped.
//   conflate     while the subscriber's ring is full, only the newest value of each
//                item is kept; when room returns it receives one gateway-built batch
//                holding those values and a Gap (reason Conflated) naming the
//                sequence range they stand for. The one place events are re-encoded.
//   drop-oldest  while the ring is full, deliveries wait in a backlog on the
//                producer's side, bounded like the ring; when the backlog is full its
//                oldest delivery is discarded and a Gap (reason DroppedSlowSubscriber)
//                names exactly the range lost. A subscriber that falls behind thus
//                receives what its ring already held, the Gap, then the newest
//                deliveries. (The ring is single-producer single-consumer, so what
//                the consumer owns stays; the backlog is what gives way.) State
//                changes are never discarded.
//   disconnect   a full ring ends the subscription with SlowConsumer; the client's
//                connection is closed with that reason.
//
// Thread safety: the session's shard thread only.

#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include <mxgw/schema/client_generated.h>
#include <mxgw/schema/events_generated.h>

#include "engine/core/subscription.h"

namespace mxgw::engine {

using proto::DeliveryPolicy;

// Sequence numbers a subscriber did not receive one by one.
struct SkippedRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  void add(uint64_t from, uint64_t to) {
    if (first == 0) first = from;
    last = to;
  }
  uint64_t size() const { return last - first + 1; }
};

// What a subscriber is owed, in order: deliveries, or the announcement of a range it
// will not receive one by one (with, when conflating, the newest numeric value of
// every item in that range; other events of the range are not kept, and the Gap
// announces them).
struct Owed {
  bool is_gap = false;
  Delivery delivery;  // when !is_gap
  // Drop-oldest: a delivery the backlog may discard to make room for newer ones.
  bool discardable = false;
  proto::GapReason reason = proto::GapReason::DroppedSlowSubscriber;
  SkippedRange range;
  std::map<std::pair<int32_t, int32_t>, proto::DataChange> latest;  // by (server, item) handle
};

}  // namespace mxgw::engine
