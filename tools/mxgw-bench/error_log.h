// ErrorLog: the errors a run met, counted, with the first one kept to show.
//
// Thread safety: add() from any thread; count() from any thread (relaxed: a count
// orders nothing); first() after the threads that add have been joined.

#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace mxgw::bench {

class ErrorLog {
 public:
  void add(const std::string& what) {
    if (count_.fetch_add(1, std::memory_order_relaxed) == 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      first_ = what;
    }
  }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_;
  }

 private:
  std::atomic<uint64_t> count_{0};
  mutable std::mutex mutex_;
  std::string first_;
};

}  // namespace mxgw::bench
