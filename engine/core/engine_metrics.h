// The engine's metrics: counters kept per shard for what happens per event or per
// batch, a shared set for what happens per session, and a snapshot that adds them up.
//
// Sessions: every session that is registered ends exactly once, as one of: closed,
// expired, killed or faulted (an open that fails after registration is faulted with
// code OpenFailed). So at any quiet moment:
//   registered == sessions_open + closed + expired + killed + faulted (all codes)
// and sessions_open equals the number of sessions in the shards' registries. Opens
// refused at the capacity limit are never registered; they count as refused.
//
// Events: each event a session publishes is routed once to every subscriber it has
// then, and each routed event ends up in exactly one place:
//   events_routed == events_out + dropped + conflated + abandoned + pending
// where events_out counts events placed in a subscriber's queue, dropped and
// conflated count what the drop-oldest and conflate policies did not deliver one by
// one, abandoned counts what was owed to a subscription that ended first
// (unsubscribed, or closed by the disconnect policy), and pending is what is still
// owed now. Replays after a resume are counted apart (events_replayed): they were
// routed to an earlier subscription.
//
// Thread safety: ShardMetrics are written only by their shard's thread, each shard's
// on cache lines of their own so that shards never contend for a line; an update is
// a relaxed load and store, not a read-modify-write, because no other thread
// writes. EngineMetrics are written by any thread with relaxed read-modify-writes;
// they change per session or per command, so sharing them costs little. Every field
// is read from any thread with relaxed loads: each is a count on its own and none
// publishes other data, so a snapshot is a set of counts each true at some moment.
// Both identities hold exactly in a snapshot taken while the engine is quiet, or on
// the shard thread of the only shard with sessions.

#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include <mxgw/status.h>
#include <mxgw/transport/spsc_ring.h>

#include "engine/core/histogram.h"

namespace mxgw::engine {

enum class SessionEnding : uint8_t { Closed, Expired, Killed, Faulted };

inline constexpr size_t kErrorCodes = static_cast<size_t>(ErrorCode::MAX) + 1;

// A count that one thread changes and any thread reads.
class OwnedCount {
 public:
  // Relaxed load and store: the owner is the only writer, so nothing is lost.
  void add(uint64_t n) noexcept { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void subtract(uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  // Relaxed: a count on its own.
  uint64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// What the engine's metrics say at one moment (see the identities above).
struct MetricsSnapshot {
  int64_t sessions_open = 0;
  uint64_t registered = 0;
  uint64_t opened = 0;
  uint64_t refused = 0;
  uint64_t closed = 0;
  uint64_t expired = 0;
  uint64_t killed = 0;
  std::array<uint64_t, kErrorCodes> faulted{};
  uint64_t commands = 0;
  uint64_t events_in = 0;
  uint64_t frames_in = 0;
  uint64_t bytes_in = 0;  // event frame payloads from workers
  uint64_t events_routed = 0;
  uint64_t events_out = 0;
  uint64_t events_replayed = 0;
  uint64_t dropped_events = 0;    // drop-oldest
  uint64_t conflated_events = 0;  // conflate: events replaced by newer values
  uint64_t abandoned_events = 0;
  uint64_t pending_events = 0;  // gauge
  uint64_t subscribers = 0;     // gauge
  uint64_t slow_disconnects = 0;
  Histogram::Snapshot open_latency_ns;
  Histogram::Snapshot command_latency_ns;

  uint64_t faulted_total() const {
    uint64_t total = 0;
    for (uint64_t count : faulted) total += count;
    return total;
  }
};

// One shard's counters: what its sessions, distributors and subscribers do.
struct alignas(transport::kCacheLineSize) ShardMetrics {
  OwnedCount commands;
  OwnedCount events_in;
  OwnedCount frames_in;
  OwnedCount bytes_in;
  OwnedCount events_routed;
  OwnedCount events_out;
  OwnedCount events_replayed;
  OwnedCount dropped_events;
  OwnedCount conflated_events;
  OwnedCount abandoned_events;
  OwnedCount pending_events;  // gauge
  OwnedCount subscribers;     // gauge
  OwnedCount slow_disconnects;

  void add_to(MetricsSnapshot& snapshot) const;
};

struct EngineMetrics {
  std::atomic<int64_t> sessions_open{0};
  std::atomic<uint64_t> registered{0};
  std::atomic<uint64_t> opened{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> closed{0};
  std::atomic<uint64_t> expired{0};
  std::atomic<uint64_t> killed{0};
  std::array<std::atomic<uint64_t>, kErrorCodes> faulted{};
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

  // The shared counts; the shards' are added with ShardMetrics::add_to.
  MetricsSnapshot snapshot() const;
};

}  // namespace mxgw::engine
