// Validation of engine settings.

#include "engine/core/engine_config.h"

namespace mxgw::engine {

Status EngineConfig::validate() const {
  auto invalid = [](const std::string& what) { return Status{ErrorCode::InvalidArgument, what}; };
  if (shards > 256) return invalid("shards must be at most 256 (0: one per core)");
  if (max_sessions == 0) return invalid("max_sessions must be at least 1");
  if (default_backend.empty()) return invalid("default_backend must name a backend");
  if (default_command_timeout_ms == 0) return invalid("default_command_timeout_ms must be positive");
  if (startup_timeout_ms == 0) return invalid("startup_timeout_ms must be positive");
  if (shutdown_timeout_ms == 0) return invalid("shutdown_timeout_ms must be positive");
  if (lease_ms == 0) return invalid("lease_ms must be positive");
  if (lease_sweep_interval_ms == 0 || lease_sweep_interval_ms > lease_ms) {
    return invalid("lease_sweep_interval_ms must be positive and at most lease_ms");
  }
  if (max_frame_bytes < 4096) return invalid("max_frame_bytes must be at least 4096");
  if (subscriber_ring_capacity < 2) return invalid("subscriber_ring_capacity must be at least 2");
  if (replay_window_events == 0 || replay_window_bytes == 0) {
    return invalid("replay_window_events and replay_window_bytes must be positive");
  }
  if (runtime_parent.empty()) return invalid("runtime_parent must name a directory");
  return {};
}

}  // namespace mxgw::engine
