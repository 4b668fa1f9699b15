// The daemon's life: keys, gateway, admin HTTP, signals, stop.

#include "tools/mxgw/serve.h"

#include <signal.h>

#include <future>
#include <memory>

#include <spdlog/spdlog.h>

#include "engine/core/shard.h"
#include "tools/mxgw/admin_http.h"
#include "tools/mxgw/key_store.h"
#include "tools/mxgw/prometheus.h"

namespace mxgw::daemon {
namespace {

// The gateway's own gauges beside the engine's metrics.
std::vector<daemon::Gauge> gateway_gauges(gateway::Gateway& g) {
  const auto& t = g.traffic();
  auto count = [](const std::atomic<uint64_t>& c) { return static_cast<double>(c.load(std::memory_order_relaxed)); };
  return {
      // Read from the shards' registries themselves, so that an operator (and a test)
      // can check from outside that mxgw_sessions_open never drifts from them.
      {"mxgw_sessions_in_registry",
       "Sessions held in the shards' registries now (always equals mxgw_sessions_open).",
       {},
       static_cast<double>(g.manager().registry_size()),
       false},
      {"mxgw_connections_open", "Client connections open now.", {}, static_cast<double>(g.connections()), false},
      {"mxgw_connections_accepted_total",
       "Client connections accepted.",
       {},
       static_cast<double>(g.connections_accepted()),
       true},
      {"mxgw_client_frames_total", "Frames exchanged with clients.", {{"direction", "in"}}, count(t.frames_in), true},
      {"mxgw_client_frames_total", "Frames exchanged with clients.", {{"direction", "out"}}, count(t.frames_out), true},
      {"mxgw_client_bytes_total",
       "Frame payload bytes exchanged with clients.",
       {{"direction", "in"}},
       count(t.bytes_in),
       true},
      {"mxgw_client_bytes_total",
       "Frame payload bytes exchanged with clients.",
       {{"direction", "out"}},
       count(t.bytes_out),
       true},
  };
}

// Starts the admin HTTP port on shard 0; returns once it listens (or failed).
Status start_admin(gateway::Gateway& g, const DaemonConfig& config, const daemon::KeyStore& keys,
                   daemon::AdminHttp** admin) {
  std::promise<Status> started;
  engine::SessionManager& manager = g.manager();
  manager.shard(0).post([&] {
    daemon::AdminHttp::Handlers handlers;
    handlers.metrics_text = [&g] {
      const auto extra = gateway_gauges(g);
      return daemon::render_metrics(g.manager().metrics_snapshot(), extra);
    };
    handlers.list_sessions = [&manager](const engine::Caller& caller,
                                        std::function<void(std::vector<engine::SessionInfo>)> done) {
      // The manager answers on the last shard; the admin port lives on shard 0.
      manager.list(caller, [&manager, done = std::move(done)](std::vector<engine::SessionInfo> sessions) mutable {
        manager.shard(0).post(
            [done = std::move(done), sessions = std::move(sessions)]() mutable { done(std::move(sessions)); });
      });
    };
    handlers.kill_session = [&manager](const engine::Caller& caller, const std::string& id, const std::string& reason,
                                       std::function<void(Status)> done) {
      manager.kill(caller, id, reason, [&manager, done = std::move(done)](const Status& status) mutable {
        manager.shard(0).post([done = std::move(done), status] { done(status); });
      });
    };
    handlers.authenticate = [&keys](std::string_view key) { return keys.authenticate(key); };
    Status status;
    *admin = daemon::AdminHttp::listen(manager.shard(0).loop(), config.admin_host, config.admin_port,
                                       std::move(handlers), &status);
    started.set_value(status);
  });
  return started.get_future().get();
}

}  // namespace

int serve(const DaemonConfig& config) {
  if (const auto level = spdlog::level::from_str(config.log_level);
      level != spdlog::level::off || config.log_level == "off") {
    spdlog::set_level(level);
  }
  daemon::KeyStore keys;
  if (Status s = daemon::KeyStore::load(config.keys_file, &keys); !s.is_ok()) {
    spdlog::critical("cannot load keys: {}", s.to_string());
    return 78;
  }
  if (keys.size() == 0) spdlog::warn("{} holds no keys: every client will be refused", config.keys_file);

  // Block the stop signals before any thread starts, so that every thread inherits
  // the mask and sigwait below is the only place they are seen.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  gateway::Gateway gateway(config.gateway, [&keys](std::string_view key) { return keys.authenticate(key); });
  if (Status s = gateway.start(); !s.is_ok()) {
    spdlog::critical("cannot start: {}", s.to_string());
    return 69;
  }
  if (config.gateway.tcp_enabled) {
    spdlog::info("clients: tcp://{}:{}", config.gateway.tcp_host, gateway.tcp_port());
  }
  if (!config.gateway.unix_path.empty()) spdlog::info("clients: unix://{}", config.gateway.unix_path);
  daemon::AdminHttp* admin = nullptr;
  if (config.admin_enabled) {
    if (Status s = start_admin(gateway, config, keys, &admin); !s.is_ok()) {
      spdlog::critical("cannot start the admin port: {}", s.to_string());
      gateway.stop();
      return 69;
    }
    spdlog::info("admin: http://{}:{}", config.admin_host, admin->bound_port());
  }
  spdlog::info("mxgw {} serving with {} shards, at most {} sessions, {} keys", MXGW_VERSION_STRING,
               gateway.manager().shard_count(), config.gateway.engine.max_sessions, keys.size());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("{}: stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  if (admin) {
    std::promise<void> closed;
    gateway.manager().shard(0).post([admin, &closed] {
      admin->close();
      closed.set_value();
    });
    closed.get_future().wait();
  }
  gateway.stop();
  const engine::MetricsSnapshot m = gateway.manager().metrics_snapshot();
  spdlog::info("stopped: {} sessions opened, {} closed, {} expired, {} killed, {} faulted", m.opened, m.closed,
               m.expired, m.killed, m.faulted_total());
  return 0;
}

}  // namespace mxgw::daemon
