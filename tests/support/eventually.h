// Waiting in a test for a condition that something else brings about: the condition
// is polled with a short pause between polls, until it holds or a deadline passes.

#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace mxgw::testing {

// True once `done` holds; false if it still does not at the deadline.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // poll, do not spin two cores away
  }
  return true;
}

}  // namespace mxgw::testing
