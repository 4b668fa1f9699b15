// StreamTap: consumes one subscription's EventStream on a thread of its own, as an
// application's consumer would (so that a lossless stream never stalls its session
// while the test thread waits elsewhere), and keeps what a test asks about it: how
// many events came, whether their sequence numbers ever broke, which session states
// were announced (the last one with its reason), and whether the stream has ended.
//
// Thread safety: the accessors may be called from any thread; the tap's own thread
// is the stream's one consumer. The destructor stops and joins it.
//
// Atomics and their orders:
//   events_, breaks_  counts written by the tap's thread only, read relaxed: each is
//                     a number on its own and publishes nothing.
//   ended_            set with release after the last frame was taken and the last
//                     state recorded under mutex_; read with acquire.
//   stop_             the destructor's request; relaxed, since join() is what
//                     synchronises with the thread.

#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <mxgw/schema/events_generated.h>

#include "engine/client/event_stream.h"

namespace mxgw::testing {

class StreamTap {
 public:
  explicit StreamTap(std::shared_ptr<client::EventStream> events);
  ~StreamTap();
  StreamTap(const StreamTap&) = delete;
  StreamTap& operator=(const StreamTap&) = delete;

  uint64_t events() const noexcept { return events_.load(std::memory_order_relaxed); }
  // Frames whose first sequence number was not the one expected after the previous.
  uint64_t breaks() const noexcept { return breaks_.load(std::memory_order_relaxed); }
  // The stream has ended and every frame was taken.
  bool ended() const noexcept { return ended_.load(std::memory_order_acquire); }
  // The last session state announced, and its reason; Created if none came yet.
  proto::SessionState last_state() const;
  std::string last_reason() const;

 private:
  void run();
  void take(const client::EventFrame& frame);

  std::shared_ptr<client::EventStream> stream_;
  uint64_t expected_seq_ = 0;  // the tap's thread only
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> breaks_{0};
  std::atomic<bool> ended_{false};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  proto::SessionState last_state_ = proto::SessionState::Created;  // guarded by mutex_
  std::string last_reason_;                                        // guarded by mutex_
  std::thread thread_;                                             // last: started once everything above is initialised
};

}  // namespace mxgw::testing
