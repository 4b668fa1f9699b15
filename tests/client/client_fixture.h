// The fixture the GatewayClient tests share: a FakeGateway on a Unix socket or on
// TCP loopback (the test parameter), and connecting to it with a key.
//
// Thread safety: one test thread drives it; the gateway and client run their own.

#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/client/gateway_client.h"
#include "tests/client/fake_gateway.h"
#include "tests/client/wait_for.h"

namespace mxgw::client::testing {

class ClientFixture : public ::testing::TestWithParam<bool /*tcp*/> {
 protected:
  void SetUp() override { start_gateway(FakeGateway::Config{}); }

  void start_gateway(FakeGateway::Config config) {
    config.tcp = GetParam();
    gateway_.reset();
    gateway_ = std::make_unique<FakeGateway>(config);
    ASSERT_FALSE(gateway_->address().empty()) << "the fake gateway could not listen";
  }

  std::unique_ptr<GatewayClient> connect(const std::string& key = kClientKey, ClientOptions options = {}) {
    options.api_key = key;
    Status status;
    auto client = GatewayClient::connect(gateway_->address(), options, &status);
    EXPECT_TRUE(client != nullptr) << status.to_string();
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return client;
  }

  // Opens a session and returns its id (empty on failure, with the test failed).
  std::string open_session(GatewayClient& client, const std::string& name = "test") {
    OpenSessionRequest request;
    request.client_session_name = name;
    auto opened = client.open_session(request);
    if (!ready_within(opened)) {
      ADD_FAILURE() << "open_session never completed";
      return {};
    }
    Result<OpenedSession> result = opened.get();
    EXPECT_TRUE(result.ok()) << result.status.to_string();
    return result.value.session_id;
  }

  std::unique_ptr<FakeGateway> gateway_;
};

// Names the parameterised instances after their transport.
inline std::string transport_name(const ::testing::TestParamInfo<bool>& info) { return info.param ? "Tcp" : "Unix"; }

// A Register command (server handle 1 from the fake; "hang" is never answered,
// "drop" makes the fake abort the connection).
inline proto::CommandT register_command(const std::string& client_name) {
  proto::CommandT command;
  proto::RegisterT body;
  body.client_name = client_name;
  command.body.Set(std::move(body));
  return command;
}

// An AddItem command; the fake answers the item definition parsed as the handle.
inline proto::CommandT add_item_command(int32_t item) {
  proto::CommandT command;
  proto::AddItemT body;
  body.server_handle = 1;
  body.item_def = std::to_string(item);
  command.body.Set(std::move(body));
  return command;
}

}  // namespace mxgw::client::testing
