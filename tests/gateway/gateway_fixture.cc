// The gateway test fixture.

#include "tests/gateway/gateway_fixture.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace mxgw::testing {

void GatewayFixture::SetUp() {
  char pattern[] = "/tmp/mxgw-gateway-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
  unix_path_ = dir_ + "/gateway.sock";
  alice_key_ = daemon::KeyStore::generate_secret();
  bob_key_ = daemon::KeyStore::generate_secret();
  admin_key_ = daemon::KeyStore::generate_secret();
  const std::string keys_file = dir_ + "/test.keys";
  {
    std::ofstream out(keys_file);
    out << daemon::KeyStore::entry_line("alice", daemon::KeyRole::Client, alice_key_) << "\n"
        << daemon::KeyStore::entry_line("bob", daemon::KeyRole::Client, bob_key_) << "\n"
        << daemon::KeyStore::entry_line("ops", daemon::KeyRole::Admin, admin_key_) << "\n";
  }
  ::chmod(keys_file.c_str(), 0600);
  const Status loaded = daemon::KeyStore::load(keys_file, &keys_);
  ASSERT_TRUE(loaded.is_ok()) << loaded.to_string();
}

void GatewayFixture::TearDown() {
  if (gateway_) gateway_->stop();
  gateway_.reset();
  std::filesystem::remove_all(dir_);
}

gateway::GatewayConfig GatewayFixture::test_config() const {
  gateway::GatewayConfig config;
  config.engine.shards = 2;
  config.engine.max_sessions = 32;
  config.engine.worker_path = MXGW_WORKER_PATH;
  config.engine.shutdown_timeout_ms = 2'000;
  config.tcp_host = "127.0.0.1";
  config.tcp_port = 0;
  config.unix_path = unix_path_;
  return config;
}

void GatewayFixture::start(gateway::GatewayConfig config) {
  gateway_ = std::make_unique<gateway::Gateway>(std::move(config),
                                                [this](std::string_view key) { return keys_.authenticate(key); });
  const Status started = gateway_->start();
  ASSERT_TRUE(started.is_ok()) << started.to_string();
}

std::unique_ptr<client::GatewayClient> GatewayFixture::connect(const std::string& key, Status* error, bool over_unix,
                                                               size_t ring_frames) {
  client::GatewayClient::Options options;
  options.api_key = key;
  options.client_name = "test";
  options.event_ring_frames = ring_frames;
  Status status;
  auto c = client::GatewayClient::connect(over_unix ? unix_address() : tcp_address(), options, &status);
  if (error) {
    *error = status;
  } else {
    EXPECT_TRUE(status.is_ok()) << status.to_string();
  }
  return c;
}

}  // namespace mxgw::testing
