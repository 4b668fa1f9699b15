// DaemonConfig: everything `mxgw serve` is told, from its TOML config file and then
// its flags (a flag overrides the file). Every setting, its key and its default are
// listed in tools/mxgw/mxgw.example.toml.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <string>

#include <mxgw/status.h>

#include "engine/gateway/gateway.h"

namespace mxgw::daemon {

struct DaemonConfig {
  gateway::GatewayConfig gateway;
  bool admin_enabled = true;
  std::string admin_host = "127.0.0.1";
  uint16_t admin_port = 7421;
  std::string keys_file = "mxgw.keys";
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
};

// Reads a TOML config file into *config, leaving settings it does not name alone.
// Unknown keys and values of the wrong type or range are errors naming the key.
Status load_config_file(const std::string& path, DaemonConfig* config);

// "host:port" or "[v6]:port" into its parts.
Status parse_host_port(const std::string& text, std::string* host, uint16_t* port);

}  // namespace mxgw::daemon
