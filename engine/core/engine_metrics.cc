// Adding the engine's metrics up.

#include "engine/core/engine_metrics.h"

namespace mxgw::engine {

void ShardMetrics::add_to(MetricsSnapshot& s) const {
  s.commands += commands.load();
  s.events_in += events_in.load();
  s.frames_in += frames_in.load();
  s.bytes_in += bytes_in.load();
  s.events_routed += events_routed.load();
  s.events_out += events_out.load();
  s.events_replayed += events_replayed.load();
  s.dropped_events += dropped_events.load();
  s.conflated_events += conflated_events.load();
  s.abandoned_events += abandoned_events.load();
  s.pending_events += pending_events.load();
  s.subscribers += subscribers.load();
  s.slow_disconnects += slow_disconnects.load();
}

MetricsSnapshot EngineMetrics::snapshot() const {
  // Relaxed loads throughout: each is a count on its own.
  MetricsSnapshot s;
  s.sessions_open = sessions_open.load(std::memory_order_relaxed);
  s.registered = registered.load(std::memory_order_relaxed);
  s.opened = opened.load(std::memory_order_relaxed);
  s.refused = refused.load(std::memory_order_relaxed);
  s.closed = closed.load(std::memory_order_relaxed);
  s.expired = expired.load(std::memory_order_relaxed);
  s.killed = killed.load(std::memory_order_relaxed);
  for (size_t code = 0; code < kErrorCodes; ++code) s.faulted[code] = faulted[code].load(std::memory_order_relaxed);
  s.open_latency_ns = open_latency_ns.snapshot();
  s.command_latency_ns = command_latency_ns.snapshot();
  return s;
}

}  // namespace mxgw::engine
