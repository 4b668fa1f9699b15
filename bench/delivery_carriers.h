// The carriers of the embedded delivery benchmark (embedded_delivery_bench.cc says
// what each stands for), all of one shape:
//   publish(frame, count, stamp)  hands one batch to every consumer and returns once
//                                 each one's queue has taken it (lossless);
//   poll(c, reader)               reads what is ready for consumer c into its
//                                 Reader; returns how many batches (or items) it read;
// made for a number of consumers and the number of changes in each batch.
// And the Reader a consumer thread checks and records with.
//
// Thread safety: publish() on one producer thread; poll(c, …) on consumer c's thread
// only; construction and destruction with no other thread running.

#pragma once

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <mxgw/mxgw.h>
#include <mxgw/schema/events_generated.h>
#include <mxgw/transport/doorbell.h>
#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

#include "bench/tick_clock.h"
#include "engine/core/distributor.h"
#include "engine/core/engine_metrics.h"
#include "engine/core/subscription.h"

namespace mxgw::capi {
struct ClientState;
}

namespace mxgw::bench {

inline constexpr size_t kRingCapacity = 4096;  // EngineConfig::subscriber_ring_capacity's default
inline constexpr size_t kMaxPerPoll = 256;     // batches per poll, as mxgw_poll hands out at most

// The one wait of every side: spin politely, and yield now and then so that a thread
// that lost its core to another gets it back soon.
inline void backoff(unsigned& spins) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  if (++spins % 256 == 0) std::this_thread::yield();
}

inline double value_of(const proto::DataChange& change) { return change.value(); }
inline double value_of(const mxgw_numeric_change& change) { return change.value; }
inline int32_t item_of(const proto::DataChange& change) { return change.item_handle(); }
inline int32_t item_of(const mxgw_numeric_change& change) { return change.item_handle; }

// One consumer's reading: every batch must continue the last one's sequence
// numbers and hold its changes in order (the sample batches number their items 0,
// 1, …); every value is summed. `sample_mask` chooses the batches whose latency is
// recorded (0: all; 7: every eighth).
class alignas(transport::kCacheLineSize) Reader {
 public:
  Reader(uint32_t batch_events, uint64_t sample_mask) : batch_events_(batch_events), sample_mask_(sample_mask) {}

  template <typename Change>
  void batch(uint64_t first_seq, uint32_t count, int64_t stamp, const Change* changes, uint32_t n) noexcept {
    if ((batches_++ & sample_mask_) == 0) latency.record(receipt_ticks() - stamp);
    errors += static_cast<uint64_t>(first_seq != next_seq_) + static_cast<uint64_t>(n != count);
    next_seq_ = first_seq + count;
    for (uint32_t i = 0; i < n; ++i) {
      sum += value_of(changes[i]);
      errors += static_cast<uint64_t>(item_of(changes[i]) != static_cast<int32_t>(i));
    }
    events += n;
  }

  // One change carried on its own; the first of a batch carries the batch's stamp.
  void change(const proto::DataChange& change, int64_t stamp) noexcept {
    if (position_ == 0 && (batches_++ & sample_mask_) == 0) latency.record(receipt_ticks() - stamp);
    sum += value_of(change);
    errors += static_cast<uint64_t>(item_of(change) != static_cast<int32_t>(position_));
    events += 1;
    if (++position_ == batch_events_) position_ = 0;
  }

  uint64_t events = 0;
  uint64_t errors = 0;
  double sum = 0;
  Latencies latency;

 private:
  const uint32_t batch_events_;
  const uint64_t sample_mask_;
  uint64_t next_seq_ = 1;
  uint64_t batches_ = 0;
  uint32_t position_ = 0;  // change(): the next change's place in its batch
};

// The producer side of mxgw and mxgw_capi: a real Distributor with one lossless
// Subscription per consumer. A consumer that frees room in a full ring asks for
// room_for() through its Wake flag, as the engine's consumer posts it to the
// session's shard; while the distributor holds the session paused, publish() waits.
class DistributorFeed {
 public:
  // With `doorbells`, each delivery rings its subscription's Doorbell, as embedded
  // mode's subscriptions do.
  DistributorFeed(size_t consumers, bool doorbells);

  void publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp);
  engine::Subscription& subscription(size_t c) { return *subscriptions_[c]; }
  const std::shared_ptr<engine::Subscription>& shared_subscription(size_t c) { return subscriptions_[c]; }
  const std::shared_ptr<transport::Doorbell>& doorbell(size_t c) { return doorbells_[c]; }
  void remove(size_t c) { distributor_.remove(subscriptions_[c]->id()); }

 private:
  struct alignas(transport::kCacheLineSize) Wake {
    std::atomic<bool> requested{false};
  };
  void serve_wakes();

  // Declared before the distributor, which refers to them until it goes.
  std::unique_ptr<Wake[]> wakes_;
  std::vector<std::shared_ptr<transport::Doorbell>> doorbells_;
  std::vector<std::shared_ptr<engine::Subscription>> subscriptions_;
  engine::ShardMetrics metrics_;
  bool paused_ = false;
  engine::Distributor distributor_;
};

class DistributorCarrier {
 public:
  static constexpr const char* kName = "mxgw";
  DistributorCarrier(size_t consumers, uint32_t) : feed_(consumers, false) {}
  void publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp) {
    feed_.publish(frame, count, stamp);
  }
  size_t poll(size_t c, Reader& reader);

 private:
  DistributorFeed feed_;
};

class CapiCarrier {
 public:
  static constexpr const char* kName = "mxgw_capi";
  CapiCarrier(size_t consumers, uint32_t);
  ~CapiCarrier();
  void publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp) {
    feed_.publish(frame, count, stamp);
  }
  size_t poll(size_t c, Reader& reader);

 private:
  DistributorFeed feed_;  // first, so that it outlives the handles' sources
  std::shared_ptr<capi::ClientState> client_;
  std::vector<mxgw_subscription*> handles_;
  std::vector<std::vector<mxgw_batch>> views_;  // each consumer's
};

class RwqBatchCarrier {
 public:
  static constexpr const char* kName = "rwq_batch";
  RwqBatchCarrier(size_t consumers, uint32_t);
  void publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp);
  size_t poll(size_t c, Reader& reader);

 private:
  std::vector<std::unique_ptr<moodycamel::ReaderWriterQueue<engine::Delivery>>> queues_;
  uint64_t next_seq_ = 1;
};

class RwqEventCarrier {
 public:
  static constexpr const char* kName = "rwq_event";
  struct Item {
    proto::DataChange change;
    int64_t stamp = 0;  // the batch's, on its first change
  };
  // Each queue holds as many changes as a ring holds batches of `batch_events`.
  RwqEventCarrier(size_t consumers, uint32_t batch_events);
  void publish(const transport::SharedBytes& frame, uint32_t count, int64_t stamp);
  size_t poll(size_t c, Reader& reader);

 private:
  std::vector<std::unique_ptr<moodycamel::ReaderWriterQueue<Item>>> queues_;
};

}  // namespace mxgw::bench
