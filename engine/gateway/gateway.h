// Gateway: the client-facing server — TCP and Unix socket listeners, client
// connections spread over the engine's shards, and the SessionManager behind them.
// The daemon (tools/mxgw) wraps it with configuration, keys, admin HTTP and signals;
// tests and embedders use it directly.
//
// Connections are accepted on shard 0 and handed round-robin to every shard (the
// socket moves by descriptor), so client I/O spreads over the same threads as the
// sessions.
//
// Thread safety: start() and stop() from one controlling thread (not a shard);
// the accessors from any thread.

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mxgw/status.h>

#include <mxgw/transport/listener.h>
#include <mxgw/transport/stream_endpoint.h>

#include "engine/core/session_manager.h"
#include "engine/gateway/client_connection.h"

namespace mxgw::gateway {

struct GatewayConfig {
  engine::EngineConfig engine;
  bool tcp_enabled = true;
  std::string tcp_host = "127.0.0.1";
  uint16_t tcp_port = 7420;  // 0: any free port (tcp_port() tells)
  std::string unix_path;     // empty: no Unix socket
  uint32_t client_max_frame_bytes = 16u << 20;
  // Bytes queued to one client before its subscriptions stop draining.
  size_t client_high_watermark_bytes = 8u << 20;
  size_t client_low_watermark_bytes = 2u << 20;
};

using Authenticator = std::function<std::optional<engine::Caller>(std::string_view api_key)>;

class Gateway {
 public:
  Gateway(GatewayConfig config, Authenticator authenticate);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  Status start();
  // Stops accepting, closes every session gracefully (killing stragglers), flushes
  // and closes every connection, stops the engine. Idempotent.
  void stop();

  uint16_t tcp_port() const noexcept { return tcp_port_.load(std::memory_order_acquire); }
  engine::SessionManager& manager() noexcept { return *manager_; }
  // Open client connections. Relaxed reads: a gauge.
  int64_t connections() const noexcept { return connections_.load(std::memory_order_relaxed); }
  const ConnectionHost::Traffic& traffic() const noexcept { return traffic_; }
  uint64_t connections_accepted() const noexcept { return accepted_.load(std::memory_order_relaxed); }

 private:
  struct ShardConnections;

  // On shard 0: places an accepted connection on the next shard.
  void on_accept(transport::StreamEndpoint* endpoint);
  // On `shard`: starts serving a connection.
  void install(uint32_t shard, transport::StreamEndpoint* endpoint);
  transport::StreamEndpoint::Options endpoint_options() const;

  GatewayConfig config_;
  Authenticator authenticate_;
  std::unique_ptr<engine::SessionManager> manager_;
  std::vector<std::unique_ptr<ShardConnections>> shards_;
  std::unique_ptr<ConnectionHost> host_;
  std::vector<transport::Listener*> listeners_;  // shard 0's thread only
  // Published once the listener is bound, for tests binding port 0. release/acquire.
  std::atomic<uint16_t> tcp_port_{0};
  std::atomic<int64_t> connections_{0};  // relaxed: a gauge
  ConnectionHost::Traffic traffic_;
  std::atomic<uint64_t> accepted_{0};  // relaxed: a counter
  uint32_t next_shard_ = 0;            // shard 0's thread only
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace mxgw::gateway
