// The config file, read with toml++ (libtomlplusplus-dev).

#include "tools/mxgw/daemon_config.h"

#include <set>

#include <toml++/toml.h>

namespace mxgw::daemon {
namespace {

Status invalid(const std::string& what) { return {ErrorCode::InvalidArgument, what}; }

// Reads tables strictly: every key must be known, every value of its type.
class Reader {
 public:
  Reader(const toml::table& root, std::string path) : root_(root), path_(std::move(path)) {}

  Status table(const std::string& name, const std::set<std::string>& known, const toml::table** out) {
    *out = nullptr;
    const toml::node* node = root_.get(name);
    if (!node) return {};
    if (!node->is_table()) return invalid(path_ + ": [" + name + "] must be a table");
    *out = node->as_table();
    for (const auto& [key, value] : **out) {
      if (!known.contains(std::string(key.str()))) {
        return invalid(path_ + ": unknown setting " + name + "." + std::string(key.str()));
      }
    }
    return {};
  }

  Status string(const toml::table* t, const std::string& section, const char* key, std::string* out) {
    if (!t || !t->contains(key)) return {};
    const auto value = (*t)[key].value<std::string>();
    if (!value) return invalid(path_ + ": " + section + "." + key + " must be a string");
    *out = *value;
    return {};
  }

  template <typename Int>
  Status integer(const toml::table* t, const std::string& section, const char* key, int64_t min, int64_t max,
                 Int* out) {
    if (!t || !t->contains(key)) return {};
    const auto value = (*t)[key].value<int64_t>();
    if (!value || *value < min || *value > max) {
      return invalid(path_ + ": " + section + "." + key + " must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
    }
    *out = static_cast<Int>(*value);
    return {};
  }

 private:
  const toml::table& root_;
  std::string path_;
};

}  // namespace

Status parse_host_port(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return invalid("'" + text + "' is not host:port");
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int value = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || (value = value * 10 + (c - '0')) > 65535) return invalid("bad port in '" + text + "'");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return {};
}

Status load_config_file(const std::string& path, DaemonConfig* config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return invalid(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  for (const auto& [key, value] : root) {
    static const std::set<std::string> sections = {"listen", "engine", "keys", "log", "plugins"};
    if (!sections.contains(std::string(key.str())))
      return invalid(path + ": unknown section [" + std::string(key.str()) + "]");
  }
  Reader r(root, path);
  DaemonConfig c = *config;
  engine::EngineConfig& e = c.gateway.engine;
  const toml::table* listen = nullptr;
  const toml::table* eng = nullptr;
  const toml::table* keys = nullptr;
  const toml::table* log = nullptr;
  const toml::table* plugins = nullptr;
  std::string tcp, admin;
  // Evaluated in order (a braced list is); the first error wins.
  const Status results[] = {
      r.table("listen",
              {"tcp", "unix", "admin", "client_max_frame_bytes", "client_queue_high_bytes", "client_queue_low_bytes"},
              &listen),
      r.integer(listen, "listen", "client_max_frame_bytes", 4096, 1 << 30, &c.gateway.client_max_frame_bytes),
      r.integer(listen, "listen", "client_queue_high_bytes", 4096, int64_t{1} << 34,
                &c.gateway.client_high_watermark_bytes),
      r.integer(listen, "listen", "client_queue_low_bytes", 0, int64_t{1} << 34, &c.gateway.client_low_watermark_bytes),
      r.string(listen, "listen", "tcp", &tcp),
      r.string(listen, "listen", "unix", &c.gateway.unix_path),
      r.string(listen, "listen", "admin", &admin),
      r.table(
          "engine",
          {"shards", "max_sessions", "default_backend", "command_timeout_ms", "startup_timeout_ms",
           "shutdown_timeout_ms", "lease_ms", "lease_sweep_interval_ms", "worker_path", "runtime_parent", "replay_dir",
           "max_frame_bytes", "subscriber_ring_capacity", "replay_window_events", "replay_window_bytes"},
          &eng),
      r.integer(eng, "engine", "shards", 0, 256, &e.shards),
      r.integer(eng, "engine", "max_sessions", 1, 1'000'000, &e.max_sessions),
      r.string(eng, "engine", "default_backend", &e.default_backend),
      r.integer(eng, "engine", "command_timeout_ms", 1, 3'600'000, &e.default_command_timeout_ms),
      r.integer(eng, "engine", "startup_timeout_ms", 1, 3'600'000, &e.startup_timeout_ms),
      r.integer(eng, "engine", "shutdown_timeout_ms", 1, 3'600'000, &e.shutdown_timeout_ms),
      r.integer(eng, "engine", "lease_ms", 1, 86'400'000, &e.lease_ms),
      r.integer(eng, "engine", "lease_sweep_interval_ms", 1, 86'400'000, &e.lease_sweep_interval_ms),
      r.string(eng, "engine", "worker_path", &e.worker_path),
      r.string(eng, "engine", "runtime_parent", &e.runtime_parent),
      r.string(eng, "engine", "replay_dir", &e.replay_dir),
      r.integer(eng, "engine", "max_frame_bytes", 4096, 1 << 30, &e.max_frame_bytes),
      r.integer(eng, "engine", "subscriber_ring_capacity", 2, 1 << 24, &e.subscriber_ring_capacity),
      r.integer(eng, "engine", "replay_window_events", 1, int64_t{1} << 40, &e.replay_window_events),
      r.integer(eng, "engine", "replay_window_bytes", 1, int64_t{1} << 40, &e.replay_window_bytes),
      r.table("keys", {"file"}, &keys),
      r.string(keys, "keys", "file", &c.keys_file),
      r.table("log", {"level"}, &log),
      r.string(log, "log", "level", &c.log_level),
  };
  for (const Status& result : results) {
    if (!result.is_ok()) return result;
  }
  if (const toml::node* node = root.get("plugins")) {
    if (!node->is_table()) return invalid(path + ": [plugins] must be a table of name = \"path\"");
    plugins = node->as_table();
    for (const auto& [name, value] : *plugins) {
      const auto library = value.value<std::string>();
      if (!library) return invalid(path + ": plugins." + std::string(name.str()) + " must be a path");
      e.plugins[std::string(name.str())] = *library;
    }
  }
  Status s;
  if (!tcp.empty()) {
    if (tcp == "off") {
      c.gateway.tcp_enabled = false;
    } else if (!(s = parse_host_port(tcp, &c.gateway.tcp_host, &c.gateway.tcp_port)).is_ok()) {
      return invalid(path + ": listen.tcp: " + s.message());
    }
  }
  if (!admin.empty()) {
    if (admin == "off") {
      c.admin_enabled = false;
    } else if (!(s = parse_host_port(admin, &c.admin_host, &c.admin_port)).is_ok()) {
      return invalid(path + ": listen.admin: " + s.message());
    }
  }
  *config = std::move(c);
  return {};
}

}  // namespace mxgw::daemon
