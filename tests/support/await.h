// Waiting on a future in a test: the answer, or a test failure at the deadline
// (never a hang).

#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace mxgw::testing {

template <typename T>
T await(std::future<T> future, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  if (future.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within " << deadline.count() << " ms";
    return T{};
  }
  return future.get();
}

}  // namespace mxgw::testing
