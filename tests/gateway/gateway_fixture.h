// A real gateway in the test process (listeners, client connections on the engine's
// shards, real worker processes) with a real keys file, and real GatewayClients
// talking to it over TCP and a Unix socket.

#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "engine/client/gateway_client.h"
#include "engine/gateway/gateway.h"
#include "tests/support/await.h"
#include "tests/support/stream_counters.h"
#include "tools/mxgw/key_store.h"

namespace mxgw::testing {

class GatewayFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  gateway::GatewayConfig test_config() const;
  void start(gateway::GatewayConfig config);
  void start() { start(test_config()); }

  std::unique_ptr<client::GatewayClient> connect(const std::string& key, Status* error = nullptr,
                                                 bool over_unix = false, size_t ring_frames = 1024);
  std::string tcp_address() const { return "tcp://127.0.0.1:" + std::to_string(gateway_->tcp_port()); }
  std::string unix_address() const { return "unix://" + unix_path_; }

  std::string dir_;
  std::string unix_path_;
  std::string alice_key_, bob_key_, admin_key_;
  daemon::KeyStore keys_;
  std::unique_ptr<gateway::Gateway> gateway_;
};

}  // namespace mxgw::testing
