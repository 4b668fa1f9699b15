// Distributor: a session's fan-out of event batches to its subscribers.
//
// Each batch from the worker gets the session's next sequence numbers (one per
// event, so a frame carries its first number and its count) and goes to every
// subscriber as a shared reference; nothing is copied. Gateway events (a session
// state change) are sequenced the same way.
//
// Lossless delivery: a subscriber whose ring is full keeps the deliveries it could
// not take, in order, and the session stops reading its worker (Hooks::pause) until
// every such subscriber has room again (Hooks::resume). Because reading stops at
// once, what is held back is bounded by the frames already read.
//
// Thread safety: the session's shard thread only.

#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <mxgw/schema/events_generated.h>
#include <mxgw/transport/payload_builder.h>

#include "engine/src/subscription.h"

namespace mxgw::engine {

class Distributor {
 public:
  struct Hooks {
    std::function<void()> pause;   // stop reading the worker
    std::function<void()> resume;  // read again
  };

  explicit Distributor(Hooks hooks) : hooks_(std::move(hooks)) {}
  ~Distributor();

  void add(std::shared_ptr<Subscription> subscription);
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
  uint64_t events_out() const noexcept { return events_out_; }

 private:
  struct Subscriber {
    std::shared_ptr<Subscription> subscription;
    std::deque<Delivery> owed;  // in order, waiting for room
  };

  // Offers everything owed to `s`, then `delivery` if given; true if all went in.
  bool deliver(Subscriber& s, const Delivery* delivery);
  void update_flow();

  Hooks hooks_;
  std::vector<Subscriber> subscribers_;
  transport::PayloadBuilder builder_;
  uint64_t next_seq_ = 1;
  uint64_t events_out_ = 0;
  bool paused_ = false;
};

}  // namespace mxgw::engine
