// Making a session stream through a GatewayClient: Register, AddItems and AdviseItems
// of the sim backend's Line counters, each step checked.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/client/gateway_client.h"

namespace mxgw::testing {

// Register + AddItems + AdviseItems for `count` Line counters; returns the handles.
std::vector<int32_t> stream_counters(client::GatewayClient& c, const std::string& session_id, int count);

}  // namespace mxgw::testing
