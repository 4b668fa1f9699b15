// Distributor: a session's fan-out of event batches to its subscribers.
//
// Each batch from the worker gets the session's next sequence numbers (one per
// event, so a frame carries its first number and its count) and goes to every
// subscriber as a shared reference; nothing is copied. Gateway events (a session
// state change) are sequenced the same way and always reach every subscriber.
//
// When a subscriber's ring is full, its delivery policy decides (delivery_policy.h).
// Lossless subscribers keep what they are owed, in order, and the session stops
// reading its worker (Hooks::pause) until every one of them has room again
// (Hooks::resume); because reading stops at once, what is held back is bounded by
// the frames already read. What each subscriber is owed is kept in a queue that
// reuses its slots, so a subscriber that stays behind costs no allocation per batch.
//
// Every event routed to a subscriber is counted once where its fate is decided
// (engine_metrics.h): out when it enters the subscriber's ring (or its leftovers at
// the end), dropped, conflated or abandoned when it never will, pending meanwhile.
//
// Replay window: the most recent deliveries, bounded by events and by bytes, are
// kept (by reference) so that a subscriber can resume from a sequence number after a
// reconnect: it receives everything from there with no gap and no duplicate, or a
// Gap (OutsideReplayWindow) stating exactly what is no longer kept.
//
// Thread safety: the session's shard thread only.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <mxgw/schema/events_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/ring_queue.h>

#include "engine/core/delivery_policy.h"
#include "engine/core/engine_metrics.h"
#include "engine/core/subscription.h"

namespace mxgw::engine {

struct ReplayWindowLimits {
  uint64_t max_events = 1'000'000;
  uint64_t max_bytes = 64u << 20;
};

class Distributor {
 public:
  struct Hooks {
    std::function<void()> pause;   // stop reading the worker
    std::function<void()> resume;  // read again
  };

  Distributor(Hooks hooks, ReplayWindowLimits window, ShardMetrics& metrics)
      : hooks_(std::move(hooks)), window_limits_(window), metrics_(metrics) {}
  ~Distributor();

  // Adds a subscriber. With `resume_from`, it first receives what the replay window
  // holds from that sequence number on (or a Gap for what it no longer holds).
  // Errors: InvalidArgument for a resume point beyond the next sequence number.
  Status add(std::shared_ptr<Subscription> subscription, std::optional<uint64_t> resume_from);
  void remove(uint64_t subscription_id);

  // Sequences and delivers one verified EventBatch payload holding `count` events.
  void publish(transport::SharedBytes batch, uint32_t count, int64_t gateway_time_ns, uint32_t flags = 0);
  // Sequences and delivers a SessionState event built here.
  void publish_state(proto::SessionState state, const std::string& reason, int64_t gateway_time_ns);
  // The consumer of `subscription_id` freed room: hand it what it was owed.
  void room_for(uint64_t subscription_id);
  // The session is over: every subscription ends after what it has been offered.
  void end_all();

  uint64_t next_seq() const noexcept { return next_seq_; }
  size_t subscribers() const noexcept { return subscribers_.size(); }
  // Sequenced events this session has placed in its subscribers' rings (each
  // subscriber counted), replays not included.
  uint64_t events_out() const noexcept { return events_out_; }

 private:
  struct Subscriber {
    std::shared_ptr<Subscription> subscription;
    transport::RingQueue<Owed> owed;  // in order; the ring had no room
    size_t discardable = 0;           // drop-oldest: owed deliveries the backlog may discard
  };

  bool offer(Subscriber& s, const Delivery& d);
  // Offers what `s` is owed, in order; true if nothing is left owed.
  bool catch_up(Subscriber& s);
  // True when `d` went into the subscriber's ring at once.
  bool deliver(Subscriber& s, const Delivery& d, bool must_arrive);
  void owe(Subscriber& s, const Delivery& d, bool discardable);
  // Drop-oldest: discards the oldest delivery the backlog may give up.
  void discard_oldest(Subscriber& s);
  // Extends the announcement at the end of what `s` is owed, or starts one.
  Owed& gap_for(Subscriber& s, proto::GapReason reason);
  Delivery materialize(const Owed& owed);
  // Counts an owed entry that has reached the subscriber, or that never will.
  void count_handed_over(Subscriber& s, const Owed& owed);
  void count_abandoned(const Owed& owed);
  void count_out(uint64_t events) {
    events_out_ += events;
    metrics_.events_out.add(events);
  }
  // Keeps `d` in the replay window: the publish's own reference moves in, so
  // remembering costs no reference count of its own.
  void remember(Delivery d);
  void update_flow();
  // Drops the subscribers `matches` selects (ending their subscriptions if asked).
  template <typename Predicate>
  void forget_where(Predicate matches, bool end_them);

  Hooks hooks_;
  ReplayWindowLimits window_limits_;
  ShardMetrics& metrics_;
  std::vector<Subscriber> subscribers_;
  transport::RingQueue<Delivery> window_;  // reuses its slots: publishing allocates nothing
  uint64_t window_events_ = 0;
  uint64_t window_bytes_ = 0;
  transport::PayloadBuilder builder_;
  uint64_t next_seq_ = 1;
  uint64_t events_out_ = 0;
  bool disconnected_some_ = false;  // during a publish: someone is to be forgotten
  bool paused_ = false;
};

}  // namespace mxgw::engine
