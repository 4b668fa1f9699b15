// Subscription: one subscriber's view of a session's events, handed from the
// session's shard (the producer) to one consumer thread through an SPSC ring of
// deliveries. A delivery is a shared reference to the worker's batch bytes plus the
// session sequence number of its first event: nothing is copied per subscriber.
//
// Lossless backpressure: when the ring is full, the session stops reading its worker
// (Distributor) and raises `producer_waiting_` (ask_for_wake); the consumer, after each poll that
// freed slots, takes the flag down and wakes the producer. Both sides use an
// exchange (a read-modify-write) on the flag, so one of them always sees the other:
// either the consumer reads `true` and wakes the producer, or the producer's exchange
// reads the consumer's `false`, synchronises with it, and its retry then sees the
// slots the consumer released before its exchange.
//
// Thread safety: poll(), ended() and id() on the consumer's thread (one consumer);
// offer(), end() and the producer calls on the session's shard thread.

#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <mxgw/schema/client_generated.h>
#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

namespace mxgw::engine {

struct Delivery {
  uint64_t first_seq = 0;  // sequence number of the batch's position 0
  uint32_t count = 0;      // sequenced events in the batch
  uint32_t flags = 0;      // proto::ClientEventFlags
  int64_t gateway_time_ns = 0;
  transport::SharedBytes batch;  // a verified EventBatch payload
};

class Subscription {
 public:
  using Signal = std::function<void()>;

  // `wake_producer` runs on the consumer's thread and must hand the producer its
  // resume work (post it to the shard). `notify_consumer` runs on the shard after
  // each delivery; it may be empty for consumers that poll on their own.
  Subscription(uint64_t id, std::string session_id, proto::DeliveryPolicy policy, uint64_t start_seq, size_t capacity,
               Signal wake_producer, Signal notify_consumer)
      : id_(id),
        session_id_(std::move(session_id)),
        policy_(policy),
        start_seq_(start_seq),
        ring_(capacity),
        wake_producer_(std::move(wake_producer)),
        notify_consumer_(std::move(notify_consumer)) {}

  uint64_t id() const noexcept { return id_; }
  const std::string& session_id() const noexcept { return session_id_; }
  proto::DeliveryPolicy policy() const noexcept { return policy_; }
  // The first sequence number this subscription delivers (or announces as a gap).
  uint64_t start_seq() const noexcept { return start_seq_; }

  // True when the disconnect policy ended this subscription because it fell behind.
  bool disconnected() const noexcept {
    // Acquire pairs with the release in disconnect(): seen together with ended().
    return disconnected_.load(std::memory_order_acquire);
  }

  // ---- consumer ----

  // Hands at most `max` deliveries to `consume(Delivery&)`, in order; returns how
  // many. The consumer may move the batch reference out to keep it past the call.
  template <typename Consume>
  size_t poll(size_t max, Consume&& consume) {
    size_t taken = 0;
    while (taken < max) {
      Delivery* delivery = next_in_ring();
      if (!delivery) {
        if (!ended_.load(std::memory_order_acquire) || leftover_ == leftovers_.size()) break;
        consume(leftovers_[leftover_++]);
        ++taken;
        continue;
      }
      consume(*delivery);
      ring_.pop();
      ++taken;
    }
    if (taken > 0) {
      ring_.release_consumed();
      if (producer_waiting_.exchange(false, std::memory_order_acq_rel)) wake_producer_();
    }
    return taken;
  }

  // True once the session has ended and every delivery has been polled.
  bool ended() noexcept {
    return ended_.load(std::memory_order_acquire) && next_in_ring() == nullptr && leftover_ == leftovers_.size();
  }

  // ---- producer (the session's shard) ----

  // False when the ring is full; the delivery is then the caller's to keep.
  bool offer(const Delivery& delivery) {
    if (!ring_.try_push(delivery)) return false;
    if (notify_consumer_) notify_consumer_();
    return true;
  }
  // Whether offer() would succeed now.
  bool has_room() noexcept { return ring_.can_push(); }
  // Asks the consumer to call wake_producer after its next poll that frees room, and
  // returns at once; the caller retries offer() afterwards (see above).
  void ask_for_wake() noexcept { producer_waiting_.exchange(true, std::memory_order_acq_rel); }
  size_t capacity() const noexcept { return ring_.capacity(); }
  // No more deliveries will be offered; `leftovers` (deliveries the ring had no room
  // for, in order) follow the ring's contents.
  void end(std::deque<Delivery> leftovers) {
    leftovers_ = std::move(leftovers);
    // Release: the leftovers and every delivery offered before are visible to a
    // consumer that sees the flag.
    ended_.store(true, std::memory_order_release);
    if (notify_consumer_) notify_consumer_();
  }
  // The disconnect policy's verdict: no more deliveries, and the consumer is to be
  // told why.
  void disconnect() {
    // Release: a consumer that sees the flag sees everything offered before it.
    disconnected_.store(true, std::memory_order_release);
    end({});
  }
  size_t queued() const noexcept { return ring_.size_approx(); }

 private:
  // The ring's next delivery. Once the end is visible the ring is looked at again,
  // because deliveries offered just before end() may not have been visible on the
  // first look.
  Delivery* next_in_ring() noexcept {
    Delivery* delivery = ring_.front();
    if (!delivery && ended_.load(std::memory_order_acquire)) delivery = ring_.front();
    return delivery;
  }

  const uint64_t id_;
  const std::string session_id_;
  const proto::DeliveryPolicy policy_;
  const uint64_t start_seq_;
  transport::SpscRing<Delivery> ring_;
  Signal wake_producer_;
  Signal notify_consumer_;
  std::atomic<bool> ended_{false};
  std::atomic<bool> disconnected_{false};
  std::deque<Delivery> leftovers_;  // written before ended_, read after it
  size_t leftover_ = 0;             // consumer's position in leftovers_
  // The consumer exchanges this after every poll that took something, so it has a
  // cache line of its own: on a line with disconnected_ or notify_consumer_, which
  // the producer reads for every delivery, each poll would take that line away
  // from the producer.
  alignas(transport::kCacheLineSize) std::atomic<bool> producer_waiting_{false};
};

}  // namespace mxgw::engine
