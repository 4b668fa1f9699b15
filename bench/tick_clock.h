// The handoff clock of the delivery benchmark: the time-stamp counter where there is
// one (x86), the steady clock elsewhere; and a histogram of handoff latencies that
// one thread keeps without atomics, in engine::Histogram's buckets (within 6.25 %).
//
// Why the counter: a handoff takes a few hundred nanoseconds, and a clock_gettime on
// each side would add a good part of that to what is measured. The producer reads
// the counter as it publishes; the consumer reads it after an lfence, so that its
// reading cannot come before the load that found the batch. The counter runs at a
// constant rate on the machines this runs on (constant_tsc); calibrate_ticks()
// measures that rate once against the steady clock.
//
// Thread safety: ticks() and receipt_ticks() from any thread; calibrate_ticks()
// once, before any thread reads ns_per_tick(). A Latencies belongs to one thread
// until it is handed over (a join).

#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define MXGW_BENCH_TSC 1
#endif

#include <mxgw/clock.h>

#include "engine/core/histogram.h"

namespace mxgw::bench {

// The producer's stamp.
inline int64_t ticks() noexcept {
#ifdef MXGW_BENCH_TSC
  return static_cast<int64_t>(__rdtsc());
#else
  return steady_clock_ns();
#endif
}

// The consumer's reading, after what it has just loaded.
inline int64_t receipt_ticks() noexcept {
#ifdef MXGW_BENCH_TSC
  _mm_lfence();
  return static_cast<int64_t>(__rdtsc());
#else
  return steady_clock_ns();
#endif
}

inline double& ns_per_tick() noexcept {
  static double ns = 1.0;
  return ns;
}

// Measures the counter against the steady clock over a tenth of a second.
inline void calibrate_ticks() {
  const int64_t ns_before = steady_clock_ns();
  const int64_t ticks_before = ticks();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int64_t ticks_after = ticks();
  const int64_t ns_after = steady_clock_ns();
  ns_per_tick() = static_cast<double>(ns_after - ns_before) / static_cast<double>(ticks_after - ticks_before);
}

class Latencies {
 public:
  void record(int64_t elapsed_ticks) noexcept {
    ++counts_[engine::Histogram::index_of(elapsed_ticks > 0 ? static_cast<uint64_t>(elapsed_ticks) : 0)];
    ++total_;
  }
  void add(const Latencies& other) noexcept {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  // The latency at or below which `fraction` of the recorded ones lie (the upper
  // edge of its bucket), in nanoseconds; 0 when none was recorded.
  double percentile_ns(double fraction) const {
    engine::Histogram::Snapshot snapshot;
    snapshot.counts.assign(counts_.begin(), counts_.end());
    snapshot.total = total_;
    return static_cast<double>(snapshot.percentile(fraction)) * ns_per_tick();
  }

 private:
  std::array<uint64_t, engine::Histogram::kBuckets> counts_{};
  uint64_t total_ = 0;
};

}  // namespace mxgw::bench
