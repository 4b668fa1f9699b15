// Histogram: a lock-free log-linear histogram of non-negative 64-bit values (HDR
// style): each power of two is split into 16 linear sub-buckets, so any recorded
// value is reported within 1/16 (6.25 %) of itself, from 1 up to 2^63.
//
// Thread safety: record() may be called from any number of threads at once; each
// bucket is a relaxed atomic counter (a count orders nothing). A snapshot taken
// while others record is a consistent-enough view: every count it sees is a real
// count at some moment, and counts only grow.

#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <vector>

namespace mxgw::engine {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 4;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  void record(uint64_t value) noexcept { record(value, 1); }
  // `count` values equal to `value` (a batch whose events share one latency).
  void record(uint64_t value, uint64_t count) noexcept {
    counts_[index_of(value)].fetch_add(count, std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<uint64_t> counts;  // per bucket
    uint64_t total = 0;
    // The value at or below which `fraction` (0..1) of the recorded values lie, as
    // the upper edge of its bucket; 0 when empty.
    uint64_t percentile(double fraction) const;
    uint64_t max() const { return percentile(1.0); }
    // Adds another histogram's counts (histograms kept per thread, merged at the end).
    void add(const Snapshot& other);
  };
  Snapshot snapshot() const;

  // The bucket a value falls in, and the largest value of a bucket.
  static int index_of(uint64_t value) noexcept {
    if (value < kSubBuckets) return static_cast<int>(value);
    const int magnitude = std::bit_width(value) - kSubBucketBits;  // >= 1
    const uint64_t sub = (value >> (magnitude - 1)) & (kSubBuckets - 1);
    return magnitude * kSubBuckets + static_cast<int>(sub);
  }
  static uint64_t upper_edge(int index) noexcept;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

}  // namespace mxgw::engine
