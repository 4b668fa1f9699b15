// The two clocks mxgw reads: the wall clock for the timestamps users see
// (nanoseconds since the Unix epoch, UTC) and the steady clock for durations and
// deadlines. One place, so every process stamps the same way.
//
// Thread safety: pure functions (vDSO reads, no syscall on Linux).

#pragma once

#include <time.h>

#include <cstdint>

namespace mxgw {

inline int64_t wall_clock_ns() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

inline int64_t steady_clock_ns() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

}  // namespace mxgw
