// EngineConfig: every setting of the engine, with its default. The daemon fills it
// from its config file and flags; embedders fill it directly.
//
// Thread safety: a value type; the engine keeps its own copy.

#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <mxgw/status.h>

namespace mxgw::engine {

struct EngineConfig {
  // Shards (threads, each with one libuv loop); 0 means one per core.
  uint32_t shards = 0;
  uint32_t max_sessions = 1024;
  std::string default_backend = "sim";
  uint32_t default_command_timeout_ms = 5'000;
  uint32_t startup_timeout_ms = 10'000;
  uint32_t shutdown_timeout_ms = 5'000;
  uint32_t lease_ms = 30'000;
  uint32_t lease_sweep_interval_ms = 1'000;
  // The mxgw-worker executable; empty: beside the running executable.
  std::string worker_path;
  // Where session sockets live, in a private 0700 directory created under it.
  std::string runtime_parent = "/tmp";
  // Backend names served by plugins, and the shared library for each.
  std::map<std::string, std::string> plugins;
  // Where the replay backend reads recordings; empty: replay is unavailable.
  std::string replay_dir;
  uint32_t max_frame_bytes = 16u << 20;
  // Deliveries a subscriber's ring holds before lossless backpressure stops the
  // session's worker.
  uint32_t subscriber_ring_capacity = 4096;
  // Each session keeps its latest events for subscribers resuming after a reconnect,
  // bounded by both of these.
  uint64_t replay_window_events = 1'000'000;
  uint64_t replay_window_bytes = 64u << 20;

  // Checks ranges and relations; the Status names the offending setting.
  Status validate() const;
};

}  // namespace mxgw::engine
