// The regression gate's measuring harness: a case sets up its objects, then hands
// Meter::measure() a body and a plan; the body runs `warmup` times unmeasured (until
// rings, slabs and windows reach their working size), then exactly `iterations`
// times with callgrind collecting. Only those iterations are counted, so the
// instruction count depends on the code alone, never on the machine's load.
//
// Besides instructions, the meter counts the bytes that memcpy and memmove copy
// during the measured iterations (copy_count.cc); allocations are read from
// callgrind's call counts by tools/perf_gate.py.
//
// Thread safety: none; a case runs on the main thread. Callgrind collects per thread,
// so only the main thread's instructions count, whatever other threads a case starts.

#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <valgrind/callgrind.h>

namespace mxgw::gate {

// Bytes passed to memcpy and memmove by anyone in this process (copy_count.cc).
uint64_t bytes_copied() noexcept;

struct Plan {
  uint64_t warmup = 0;                // iterations first run unmeasured
  uint64_t iterations = 0;            // iterations measured
  uint64_t ops_per_iteration = 1;     // what the result is divided by
  uint64_t events_per_iteration = 0;  // events through the publish-to-deliver path; 0: off it
};

class Meter {
 public:
  template <typename Body>
  void measure(const Plan& plan, Body&& body) {
    for (uint64_t i = 0; i < plan.warmup; ++i) body();
    CALLGRIND_START_INSTRUMENTATION;
    uncounted_bytes_ = 0;
    const uint64_t copied_before = bytes_copied();
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < plan.iterations; ++i) body();
    CALLGRIND_TOGGLE_COLLECT;
    const uint64_t copied = bytes_copied() - copied_before - uncounted_bytes_;
    CALLGRIND_STOP_INSTRUMENTATION;
    std::printf("ops=%llu events=%llu bytes_copied=%llu\n",
                static_cast<unsigned long long>(plan.iterations * plan.ops_per_iteration),
                static_cast<unsigned long long>(plan.iterations * plan.events_per_iteration),
                static_cast<unsigned long long>(copied));
  }

  // Inside a body: runs `world` uncounted. For what stands in for the world outside
  // the code measured, such as the copy a read(2) would make.
  template <typename World>
  void outside(World&& world) {
    CALLGRIND_TOGGLE_COLLECT;
    const uint64_t copied_before = bytes_copied();
    world();
    uncounted_bytes_ += bytes_copied() - copied_before;
    CALLGRIND_TOGGLE_COLLECT;
  }

 private:
  uint64_t uncounted_bytes_ = 0;
};

// Ends the run when a case's own check fails: a count of work that did not happen
// would be worse than none.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "gate: %s\n", what);
  std::exit(2);
}

}  // namespace mxgw::gate
