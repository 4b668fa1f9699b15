// Histogram snapshots and percentiles.

#include "engine/core/histogram.h"

#include <cmath>
#include <limits>

namespace mxgw::engine {

uint64_t Histogram::upper_edge(int index) noexcept {
  if (index < kSubBuckets) return static_cast<uint64_t>(index);
  const int magnitude = index / kSubBuckets;
  const uint64_t sub = static_cast<uint64_t>(index % kSubBuckets);
  // Values v with bit_width(v) == magnitude + kSubBucketBits and the given sub-bucket
  // bits: v = (kSubBuckets + sub) << (magnitude - 1) ... + the low bits.
  const int shift = magnitude - 1;
  const uint64_t base = (uint64_t{kSubBuckets} + sub) << shift;
  const uint64_t span = (uint64_t{1} << shift) - 1;
  return base > std::numeric_limits<uint64_t>::max() - span ? std::numeric_limits<uint64_t>::max() : base + span;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  out.counts.resize(kBuckets);
  for (int i = 0; i < kBuckets; ++i) {
    out.counts[i] = counts_[i].load(std::memory_order_relaxed);
    out.total += out.counts[i];
  }
  return out;
}

void Histogram::Snapshot::add(const Snapshot& other) {
  if (counts.empty()) counts.resize(other.counts.size());
  for (size_t i = 0; i < other.counts.size(); ++i) counts[i] += other.counts[i];
  total += other.total;
}

uint64_t Histogram::Snapshot::percentile(double fraction) const {
  if (total == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank && counts[i] > 0) return upper_edge(static_cast<int>(i));
  }
  return upper_edge(static_cast<int>(counts.size()) - 1);
}

}  // namespace mxgw::engine
