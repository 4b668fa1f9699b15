// EngineMetrics: the engine's counters, gauges and histograms.
//
// Every session that is registered ends exactly once, as one of: closed, expired,
// killed or faulted (an open that fails after registration is faulted with code
// OpenFailed). So at any quiet moment:
//   registered == sessions_open + closed + expired + killed + faulted (all codes)
// and sessions_open equals the number of sessions in the shards' registries. Opens
// refused at the capacity limit are never registered; they count as refused.
//
// Thread safety: updated from the shard threads, read from any thread. Every field is
// a relaxed atomic: each is a count on its own, and none publishes other data. A
// snapshot is therefore a set of counts each true at some moment; take it when the
// engine is quiet for the invariant above to hold exactly.

#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include <mxgw/status.h>

#include "engine/core/histogram.h"

namespace mxgw::engine {

enum class SessionEnding : uint8_t { Closed, Expired, Killed, Faulted };

inline constexpr size_t kErrorCodes = static_cast<size_t>(ErrorCode::MAX) + 1;

struct EngineMetrics {
  std::atomic<int64_t> sessions_open{0};
  std::atomic<uint64_t> registered{0};
  std::atomic<uint64_t> opened{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> closed{0};
  std::atomic<uint64_t> expired{0};
  std::atomic<uint64_t> killed{0};
  std::array<std::atomic<uint64_t>, kErrorCodes> faulted{};
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> events_in{0};
  std::atomic<uint64_t> frames_in{0};
  std::atomic<uint64_t> bytes_in{0};          // event frame payloads from workers
  std::atomic<uint64_t> events_out{0};        // to subscribers, each counted
  std::atomic<int64_t> subscribers{0};        // gauge
  std::atomic<uint64_t> dropped_events{0};    // drop-oldest
  std::atomic<uint64_t> conflated_events{0};  // conflate
  std::atomic<uint64_t> slow_disconnects{0};  // disconnect policy
  Histogram open_latency_ns;
  Histogram command_latency_ns;

  void count_ending(SessionEnding ending, ErrorCode fault_code) {
    switch (ending) {
      case SessionEnding::Closed:
        closed.fetch_add(1, std::memory_order_relaxed);
        break;
      case SessionEnding::Expired:
        expired.fetch_add(1, std::memory_order_relaxed);
        break;
      case SessionEnding::Killed:
        killed.fetch_add(1, std::memory_order_relaxed);
        break;
      case SessionEnding::Faulted:
        faulted[static_cast<size_t>(fault_code)].fetch_add(1, std::memory_order_relaxed);
        break;
    }
  }

  uint64_t faulted_total() const {
    uint64_t total = 0;
    for (const auto& count : faulted) total += count.load(std::memory_order_relaxed);
    return total;
  }
};

}  // namespace mxgw::engine
