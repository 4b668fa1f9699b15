// Waiting on a condition with a deadline, for tests that must not sleep: the caller
// yields its core between checks and gives up (returning false) at the deadline.
//
// Thread safety: a free function; `condition` must be safe to call from the caller.

#pragma once

#include <chrono>
#include <future>
#include <thread>

namespace mxgw::client::testing {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr std::chrono::seconds kPatience{120};
#else
inline constexpr std::chrono::seconds kPatience{30};
#endif

template <typename Condition>
bool wait_for(Condition&& condition, std::chrono::steady_clock::duration timeout = kPatience) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Whether `future` became ready before the deadline.
template <typename Future>
bool ready_within(Future& future, std::chrono::steady_clock::duration timeout = kPatience) {
  return future.wait_for(timeout) == std::future_status::ready;
}

// Whether `future` is ready already, without waiting at all.
template <typename Future>
bool ready_now(Future& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace mxgw::client::testing
