// The consumer thread's loop: poll each live subscription, read what came, back
// off when nothing did (unless busy-polling).

#include "tools/mxgw-bench/consumer.h"

#include <chrono>
#include <ctime>
#include <string>

namespace mxgw::bench {
namespace {

constexpr size_t kBatchesPerPoll = 64;
// Empty passes over every subscription before the thread starts to pause.
constexpr size_t kSpinPasses = 256;

int64_t wall_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

void Consumer::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

int Consumer::poll_once(FollowedSubscription& followed, bool measuring) {
  mxgw_batch batches[kBatchesPerPoll];
  const int n = mxgw_poll(followed.subscription, batches, kBatchesPerPoll);
  if (n < 0) return -1;
  if (n == 0) return 0;
  const int64_t received = measuring ? wall_now_ns() : 0;
  for (int i = 0; i < n; ++i) {
    read_batch(batches[i], followed, totals_);
    if (measuring && batches[i].worker_time_ns > 0 && batches[i].event_count > 0) {
      const int64_t latency = received - batches[i].worker_time_ns;
      latency_.record(latency > 0 ? static_cast<uint64_t>(latency) : 0, batches[i].event_count);
    }
  }
  mxgw_release(followed.subscription);
  return n;
}

void Consumer::idle(size_t empty_passes) {
  if (busy_poll_ || empty_passes < kSpinPasses) return;
  // One subscription: sleep until it has something. Several: a short pause.
  if (followed_.size() == 1 && live_[0]) {
    mxgw_wait(followed_[0].subscription, 10);
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void Consumer::run() {
  live_.assign(followed_.size(), 1);
  bool measuring = false;
  size_t empty_passes = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    if (!measuring && measuring_.load(std::memory_order_acquire)) {
      measuring = true;
      baseline_ = totals_;
    }
    bool any = false;
    for (size_t i = 0; i < followed_.size(); ++i) {
      if (!live_[i]) continue;
      const int n = poll_once(followed_[i], measuring);
      if (n < 0) {
        live_[i] = 0;
        ++ended_;
        errors_.add(std::string("a subscription ended during the run: ") + mxgw_last_error());
      }
      any = any || n > 0;
    }
    events_.store(totals_.events, std::memory_order_relaxed);
    empty_passes = any ? 0 : empty_passes + 1;
    idle(empty_passes);
  }
  if (!measuring) baseline_ = totals_;
}

}  // namespace mxgw::bench
