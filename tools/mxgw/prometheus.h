// Renders the engine's metrics, and any the daemon adds, in the Prometheus text
// exposition format 0.0.4 (the body of GET /metrics).
//
// Every family gets one HELP and one TYPE line, and its samples follow it together.
// Names carry the mxgw_ prefix; counters end in _total. The fault counter has one
// series per error code, every code present (0 when never seen), so the family's
// shape never changes between scrapes. The two latency histograms are rendered in
// seconds over fixed bounds from 100 µs to 10 s.
//
// Thread safety: render_metrics renders a snapshot it is given (SessionManager::
// metrics_snapshot(), each count in it a real count at some moment). It may be
// called from any thread.

#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/engine_metrics.h"

namespace mxgw::daemon {

// One sample the daemon adds: connections, subscribers, frames, bytes, drops.
// Samples sharing a name form one family, rendered with the HELP of the first.
struct Gauge {
  // The full metric name, mxgw_ prefix included. A character outside [A-Za-z0-9_:]
  // is rendered as '_' so that one bad name cannot make the whole scrape unparseable.
  // REQUIRES: distinct from the engine's names; a counter's ends in _total.
  std::string name;
  std::string help;
  // REQUIRES: label names match [A-Za-z_][A-Za-z0-9_]*; no two samples of one family
  // have the same labels. Values are escaped here.
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  bool counter = false;  // TYPE counter rather than gauge
};

std::string render_metrics(const engine::MetricsSnapshot& m, std::span<const Gauge> extra);

}  // namespace mxgw::daemon
