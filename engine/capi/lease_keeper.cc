// LeaseKeeper's thread: renew every registered session each period.

#include "engine/capi/lease_keeper.h"

#include <algorithm>
#include <chrono>

namespace mxgw::capi {

void LeaseKeeper::add(const std::string& session_id, uint64_t lease_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return;
  sessions_.insert(session_id);
  if (lease_ms == 0) return;  // a gateway without leases: nothing to renew
  // A third of the lease leaves two more chances before it runs out.
  const uint64_t period = std::max<uint64_t>(lease_ms / 3, 1);
  if (period_ms_ == 0 || period < period_ms_) {
    period_ms_ = period;
    wake_.notify_all();
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void LeaseKeeper::remove(const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(session_id);
}

std::vector<std::string> LeaseKeeper::ids() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {sessions_.begin(), sessions_.end()};
}

void LeaseKeeper::stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

void LeaseKeeper::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(period_ms_);
  while (!stopping_) {
    if (wake_.wait_until(lock, next) != std::cv_status::timeout) {
      // Woken early: stopping, or a shorter period to start using now.
      next = std::min(next, std::chrono::steady_clock::now() + std::chrono::milliseconds(period_ms_));
      continue;
    }
    const std::vector<std::string> due(sessions_.begin(), sessions_.end());
    lock.unlock();
    for (const std::string& id : due) renew_(id);
    lock.lock();
    next = std::chrono::steady_clock::now() + std::chrono::milliseconds(period_ms_);
  }
}

}  // namespace mxgw::capi
