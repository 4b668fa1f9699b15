// Doorbell: lets one consumer thread sleep until a producer has made something
// ready, without the producer paying for a lock or a syscall while the consumer is
// awake (busy consumers never sleep, so producers only touch one flag).
//
// The pairing: the consumer raises `sleeping_` and then checks its readiness; the
// producer makes its item visible and then takes the flag down. Both sides use an
// acq_rel exchange (a read-modify-write) on the flag, so the two exchanges are
// ordered and the later one synchronises with the earlier: either the producer's
// exchange reads `true` and it rings, or the consumer's exchange comes second and
// its readiness check sees what the producer published before its exchange. No
// wake-up is lost. The ring itself happens under the mutex, which the consumer holds
// from its readiness check until it is inside wait, so it cannot fall between them.
//
// Thread safety: ring() from any producer thread; wait_until() from one consumer.

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mxgw::transport {

class Doorbell {
 public:
  // After making something ready: wakes the consumer if it sleeps.
  void ring() {
    if (sleeping_.exchange(false, std::memory_order_acq_rel)) {
      std::lock_guard<std::mutex> lock(mutex_);
      cv_.notify_all();
    }
  }

  // Blocks until ready() is true or the deadline passes; returns ready().
  template <typename Ready>
  bool wait_until(Ready&& ready, std::chrono::steady_clock::time_point deadline) {
    if (ready()) return true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      sleeping_.exchange(true, std::memory_order_acq_rel);
      if (ready()) break;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        sleeping_.exchange(false, std::memory_order_acq_rel);
        return ready();
      }
    }
    sleeping_.exchange(false, std::memory_order_acq_rel);
    return true;
  }

 private:
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace mxgw::transport
