// Consumer: one thread polling its share of the run's subscriptions and reading
// every change (ChangeReader). It publishes its event count for the progress line
// after each pass, takes a baseline of its totals when the measurement starts, and
// records each batch's latency into its own histogram while measuring.
//
// Thread safety: start(), begin_measuring(), stop() and the accessors from the
// run's thread. The atomics:
//   measuring_, stopping_  requests from the run's thread: release there, acquire
//                          here, so the request is seen with what came before it;
//   events_                written by this thread only (relaxed store), read
//                          relaxed for the progress line, a number and no more.
// totals(), baseline() and latency() are read after stop() has joined the thread.

#pragma once

#include <mxgw/mxgw.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "engine/core/histogram.h"
#include "tools/mxgw-bench/change_reader.h"
#include "tools/mxgw-bench/error_log.h"

namespace mxgw::bench {

class Consumer {
 public:
  Consumer(ErrorLog& errors, bool busy_poll) : errors_(errors), busy_poll_(busy_poll) {}
  ~Consumer() { stop(); }
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void follow(mxgw_subscription* subscription, int32_t server_handle) {
    followed_.push_back({subscription, server_handle, 0});
  }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void begin_measuring() { measuring_.store(true, std::memory_order_release); }
  void stop();

  uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  size_t subscriptions() const { return followed_.size(); }
  // Subscriptions that ended before the run did.
  size_t ended() const { return ended_; }
  const ReadTotals& totals() const { return totals_; }
  const ReadTotals& baseline() const { return baseline_; }
  const engine::Histogram& latency() const { return latency_; }

 private:
  void run();
  // Polls one subscription once; returns batches read, or -1 when it ended.
  int poll_once(FollowedSubscription& followed, bool measuring);
  void idle(size_t empty_passes);

  ErrorLog& errors_;
  const bool busy_poll_;
  std::vector<FollowedSubscription> followed_;
  std::vector<char> live_;
  size_t ended_ = 0;
  ReadTotals totals_;
  ReadTotals baseline_;
  engine::Histogram latency_;
  std::atomic<bool> measuring_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> events_{0};
  std::thread thread_;
};

}  // namespace mxgw::bench
