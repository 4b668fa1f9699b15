// mxgw: the gateway daemon (`mxgw serve`) and its key tool (`mxgw keys add`).

#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/mxgw/daemon_config.h"
#include "tools/mxgw/keys_command.h"
#include "tools/mxgw/serve.h"

namespace {

using mxgw::daemon::DaemonConfig;

bool known_log_level(const std::string& level) {
  for (const char* name : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    if (level == name) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // A client that vanished must show up as a write error, not end the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "mxgw: a gateway for industrial tag data. Clients open sessions, each served by its own\n"
      "mxgw-worker process, send MXAccess commands and receive data changes.",
      "mxgw"};
  app.require_subcommand(1);

  DaemonConfig config;
  std::string config_file, tcp, admin, unix_path, keys_file, log_level, worker, replay_dir, default_backend;
  std::vector<std::string> plugins;
  uint32_t shards = 0, max_sessions = 0, command_timeout = 0, startup_timeout = 0, shutdown_timeout = 0, lease = 0;
  uint32_t lease_sweep = 0, max_frame = 0, ring = 0;
  uint64_t window_events = 0, window_bytes = 0;
  std::string runtime_parent;
  uint32_t client_frame = 0;
  uint64_t client_high = 0, client_low = 0;

  CLI::App* serve = app.add_subcommand("serve", "run the gateway until SIGINT or SIGTERM");
  serve->add_option("-c,--config", config_file, "TOML config file (see mxgw.example.toml); flags override it")
      ->check(CLI::ExistingFile);
  serve->add_option("--tcp", tcp, "client TCP address host:port, or off (default 127.0.0.1:7420)");
  serve->add_option("--unix", unix_path, "client Unix socket path (default: none)");
  serve->add_option("--admin", admin, "admin HTTP address host:port, or off (default 127.0.0.1:7421)");
  serve->add_option("--client-max-frame-bytes", client_frame, "largest frame accepted from a client (default 16777216)")
      ->check(CLI::Range(4096, 1 << 30));
  serve
      ->add_option("--client-queue-high-bytes", client_high,
                   "bytes queued to a client before its subscriptions stop draining (default 8388608)")
      ->check(CLI::Range(uint64_t{4096}, uint64_t{1} << 34));
  serve->add_option("--client-queue-low-bytes", client_low, "… and they drain again below this (default 2097152)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 34));
  serve->add_option("--keys", keys_file, "keys file made by `mxgw keys add` (default mxgw.keys)");
  serve->add_option("--shards", shards, "engine threads, 0 = one per core (default 0)")->check(CLI::Range(0, 256));
  serve->add_option("--max-sessions", max_sessions, "sessions open at once (default 1024)")
      ->check(CLI::Range(1, 1'000'000));
  serve->add_option("--default-backend", default_backend, "backend when a session names none (default sim)");
  serve->add_option("--command-timeout-ms", command_timeout, "default command timeout (default 5000)")
      ->check(CLI::Range(1, 3'600'000));
  serve->add_option("--startup-timeout-ms", startup_timeout, "worker handshake deadline (default 10000)")
      ->check(CLI::Range(1, 3'600'000));
  serve->add_option("--shutdown-timeout-ms", shutdown_timeout, "graceful close before kill (default 5000)")
      ->check(CLI::Range(1, 3'600'000));
  serve->add_option("--lease-ms", lease, "session lease, renewed by clients (default 30000)")
      ->check(CLI::Range(1, 86'400'000));
  serve->add_option("--lease-sweep-interval-ms", lease_sweep, "how often expired leases are swept (default 1000)")
      ->check(CLI::Range(1, 86'400'000));
  serve->add_option("--worker", worker, "mxgw-worker executable (default: beside mxgw)");
  serve->add_option("--runtime-parent", runtime_parent,
                    "where the private session-socket directory is made (default /tmp)");
  serve->add_option("--max-frame-bytes", max_frame, "largest frame accepted from a worker (default 16777216)")
      ->check(CLI::Range(4096, 1 << 30));
  serve
      ->add_option("--subscriber-ring", ring,
                   "deliveries buffered per subscriber before its policy acts (default 4096)")
      ->check(CLI::Range(2, 1 << 24));
  serve->add_option("--replay-window-events", window_events, "events each session keeps for resume (default 1000000)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  serve->add_option("--replay-window-bytes", window_bytes, "bytes each session keeps for resume (default 67108864)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  serve->add_option("--replay-dir", replay_dir, "directory of replay recordings (default: replay unavailable)")
      ->check(CLI::ExistingDirectory);
  serve->add_option("--plugin", plugins, "a plugin backend, NAME=PATH (repeatable)");
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off (default info)");

  std::string key_name, key_role = "client", key_file = "mxgw.keys";
  CLI::App* keys = app.add_subcommand("keys", "manage API keys")->require_subcommand(1);
  CLI::App* add = keys->add_subcommand("add", "create a key, store its salted hash, print the key once");
  add->add_option("name", key_name, "the key's name, shown as the owner of its sessions")->required();
  add->add_option("--role", key_role, "client or admin")
      ->check(CLI::IsMember({"client", "admin"}))
      ->capture_default_str();
  add->add_option("--file", key_file, "keys file")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }
  if (*add) return mxgw::daemon::add_key(key_file, key_name, key_role);

  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "mxgw serve: %s\n", message.c_str());
    return 64;
  };
  if (!config_file.empty()) {
    if (mxgw::Status s = mxgw::daemon::load_config_file(config_file, &config); !s.is_ok()) return fail(s.message());
  }
  mxgw::engine::EngineConfig& engine = config.gateway.engine;
  if (serve->count("--tcp")) {
    if (tcp == "off") {
      config.gateway.tcp_enabled = false;
    } else if (auto s = mxgw::daemon::parse_host_port(tcp, &config.gateway.tcp_host, &config.gateway.tcp_port);
               !s.is_ok()) {
      return fail("--tcp: " + s.message());
    }
  }
  if (serve->count("--admin")) {
    if (admin == "off") {
      config.admin_enabled = false;
    } else if (auto s = mxgw::daemon::parse_host_port(admin, &config.admin_host, &config.admin_port); !s.is_ok()) {
      return fail("--admin: " + s.message());
    }
  }
  if (serve->count("--unix")) config.gateway.unix_path = unix_path;
  if (serve->count("--client-max-frame-bytes")) config.gateway.client_max_frame_bytes = client_frame;
  if (serve->count("--client-queue-high-bytes")) config.gateway.client_high_watermark_bytes = client_high;
  if (serve->count("--client-queue-low-bytes")) config.gateway.client_low_watermark_bytes = client_low;
  if (config.gateway.client_low_watermark_bytes >= config.gateway.client_high_watermark_bytes) {
    return fail("the client queue's low mark must be below its high mark");
  }
  if (serve->count("--keys")) config.keys_file = keys_file;
  if (serve->count("--shards")) engine.shards = shards;
  if (serve->count("--max-sessions")) engine.max_sessions = max_sessions;
  if (serve->count("--default-backend")) engine.default_backend = default_backend;
  if (serve->count("--command-timeout-ms")) engine.default_command_timeout_ms = command_timeout;
  if (serve->count("--startup-timeout-ms")) engine.startup_timeout_ms = startup_timeout;
  if (serve->count("--shutdown-timeout-ms")) engine.shutdown_timeout_ms = shutdown_timeout;
  if (serve->count("--lease-ms")) engine.lease_ms = lease;
  if (serve->count("--lease-sweep-interval-ms")) engine.lease_sweep_interval_ms = lease_sweep;
  if (serve->count("--worker")) engine.worker_path = worker;
  if (serve->count("--runtime-parent")) engine.runtime_parent = runtime_parent;
  if (serve->count("--max-frame-bytes")) engine.max_frame_bytes = max_frame;
  if (serve->count("--subscriber-ring")) engine.subscriber_ring_capacity = ring;
  if (serve->count("--replay-window-events")) engine.replay_window_events = window_events;
  if (serve->count("--replay-window-bytes")) engine.replay_window_bytes = window_bytes;
  if (serve->count("--replay-dir")) engine.replay_dir = replay_dir;
  for (const std::string& plugin : plugins) {
    const size_t equals = plugin.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == plugin.size()) {
      return fail("--plugin wants NAME=PATH, not '" + plugin + "'");
    }
    engine.plugins[plugin.substr(0, equals)] = plugin.substr(equals + 1);
  }
  if (serve->count("--log-level")) config.log_level = log_level;
  if (!known_log_level(config.log_level)) return fail("unknown log level '" + config.log_level + "'");
  if (mxgw::Status s = engine.validate(); !s.is_ok()) return fail(s.message());
  return mxgw::daemon::serve(config);
}
