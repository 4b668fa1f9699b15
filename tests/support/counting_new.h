// Counting every allocation a test binary makes: linking mxgw_counting_new replaces
// the global operator new and delete with malloc and free plus a counter, so that a
// test can prove a path allocates nothing (or at most so much) in steady state.
//
// Thread safety: operator_new_calls() from any thread. The count is relaxed: a number
// on its own, read by the thread whose allocations it measures or after the traffic
// it counts has been consumed.

#pragma once

#include <cstdint>

namespace mxgw::testing {

// Calls of operator new in the whole process so far.
uint64_t operator_new_calls() noexcept;

}  // namespace mxgw::testing
