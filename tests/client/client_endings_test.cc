// Proves every way a GatewayClient's connection ends, against the fake gateway over
// a Unix socket and TCP: dropped by the gateway mid-request, aborted while a request
// is handled, a connection-level SlowConsumer error, a client-side request timeout,
// close() with requests outstanding, requests after close, close from a callback on
// the I/O thread, a gateway already gone, a refused connection, bad addresses and an
// unresolvable host. Every outstanding request completes, with the reason; nothing
// hangs and nothing sleeps.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "tests/client/client_fixture.h"

namespace mxgw::client::testing {
namespace {

using ClientEndingsTest = ClientFixture;

TEST_P(ClientEndingsTest, GatewayDroppingTheConnectionFailsEverythingOutstanding) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto subscribed = client->subscribe(session);
  ASSERT_TRUE(ready_within(subscribed));
  std::shared_ptr<EventStream> events = subscribed.get().value.events;

  std::vector<std::future<Result<InvokeAnswer>>> hanging;
  for (int i = 0; i < 3; ++i) hanging.push_back(client->invoke(session, register_command("hang")));
  ASSERT_TRUE(wait_for([&] { return gateway_->held_invokes() == 3; }));

  gateway_->drop_connections();
  for (auto& future : hanging) {
    ASSERT_TRUE(ready_within(future));
    const Status status = future.get().status;
    EXPECT_EQ(status.code(), ErrorCode::Internal) << status.to_string();
    EXPECT_NE(status.message().find("closed the connection"), std::string::npos) << status.message();
  }
  EXPECT_FALSE(client->is_connected());
  EXPECT_EQ(client->closed_status().code(), ErrorCode::Internal);
  EXPECT_TRUE(client->connection_error().is_ok()) << "the gateway sent no error, it just went";
  ASSERT_TRUE(events->wait_for(kPatience));
  EXPECT_TRUE(events->finished());
  EXPECT_EQ(events->end_status().code(), ErrorCode::Internal);

  auto late = client->renew_lease(session);
  ASSERT_TRUE(ready_now(late)) << "a request after the connection ended completes at once";
  EXPECT_EQ(late.get().status.code(), ErrorCode::Internal);
}

TEST_P(ClientEndingsTest, ConnectionAbortedWhileHandlingARequest) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto dropped = client->invoke(session, register_command("drop"));
  ASSERT_TRUE(ready_within(dropped));
  EXPECT_FALSE(dropped.get().ok());
  EXPECT_FALSE(client->is_connected());
}

TEST_P(ClientEndingsTest, SlowConsumerErrorIsSurfacedAndFailsOutstandingRequests) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto subscribed = client->subscribe(session);
  ASSERT_TRUE(ready_within(subscribed));
  std::shared_ptr<EventStream> events = subscribed.get().value.events;
  auto hanging = client->invoke(session, register_command("hang"));
  ASSERT_TRUE(wait_for([&] { return gateway_->held_invokes() == 1; }));

  gateway_->send_connection_error(ErrorCode::SlowConsumer, "subscription 100 fell behind");
  ASSERT_TRUE(ready_within(hanging));
  const Status status = hanging.get().status;
  EXPECT_EQ(status.code(), ErrorCode::SlowConsumer);
  EXPECT_EQ(status.message(), "subscription 100 fell behind");
  EXPECT_EQ(client->connection_error().code(), ErrorCode::SlowConsumer);
  EXPECT_EQ(client->closed_status().code(), ErrorCode::SlowConsumer);
  EXPECT_FALSE(client->is_connected());
  ASSERT_TRUE(events->wait_for(kPatience));
  EXPECT_EQ(events->end_status().code(), ErrorCode::SlowConsumer);
}

TEST_P(ClientEndingsTest, ClientSideRequestTimeout) {
  ClientOptions options;
  options.request_timeout_ms = 100;
  auto client = connect(kClientKey, options);
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto hanging = client->invoke(session, register_command("hang"));
  ASSERT_TRUE(ready_within(hanging));
  const Status status = hanging.get().status;
  EXPECT_EQ(status.code(), ErrorCode::CommandTimeout);
  EXPECT_NE(status.message().find("within 100 ms"), std::string::npos) << status.message();
  // The connection itself is fine.
  auto renewed = client->renew_lease(session);
  ASSERT_TRUE(ready_within(renewed));
  EXPECT_TRUE(renewed.get().ok());
}

TEST_P(ClientEndingsTest, CloseFailsOutstandingRequestsAndLaterOnesAtOnce) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto hanging = client->invoke(session, register_command("hang"));
  ASSERT_TRUE(wait_for([&] { return gateway_->held_invokes() == 1; }));

  client->close();
  ASSERT_TRUE(ready_now(hanging));
  EXPECT_EQ(hanging.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_FALSE(client->is_connected());
  EXPECT_EQ(client->closed_status().code(), ErrorCode::ShuttingDown);
  client->close();  // idempotent

  auto opened = client->open_session({});
  auto invoked = client->invoke(session, register_command("x"));
  auto subscribed = client->subscribe(session);
  auto unsubscribed = client->unsubscribe(100);
  auto renewed = client->renew_lease(session);
  auto closed = client->close_session(session);
  auto listed = client->list_sessions();
  auto killed = client->kill_session(session, "why");
  ASSERT_TRUE(ready_now(opened) && ready_now(invoked) && ready_now(subscribed) && ready_now(unsubscribed) &&
              ready_now(renewed) && ready_now(closed) && ready_now(listed) && ready_now(killed));
  EXPECT_EQ(opened.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(invoked.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(subscribed.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(unsubscribed.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(renewed.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(closed.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(listed.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_EQ(killed.get().status.code(), ErrorCode::ShuttingDown);

  bool called = false;
  client->renew_lease(session, [&](Result<LeaseRenewed>&& answer) {
    called = true;
    EXPECT_EQ(answer.status.code(), ErrorCode::ShuttingDown);
  });
  EXPECT_TRUE(called) << "a refused request completes on the calling thread";
}

TEST_P(ClientEndingsTest, CloseAndDestroyAfterTheGatewayWentAway) {
  auto client = connect();
  ASSERT_TRUE(client);
  gateway_.reset();
  ASSERT_TRUE(wait_for([&] { return !client->is_connected(); }));
  client->close();
  client.reset();

  start_gateway(FakeGateway::Config{});
  auto second = connect();
  ASSERT_TRUE(second);
  gateway_.reset();
  second.reset();  // destroyed while (or after) it learns the gateway is gone
}

TEST_P(ClientEndingsTest, ClosingFromACallbackOnTheIoThread) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  auto hanging = client->invoke(session, register_command("hang"));
  std::promise<void> closed;
  client->renew_lease(session, [&](Result<LeaseRenewed>&&) {
    client->close();  // cannot wait for its own thread: returns at once
    closed.set_value();
  });
  auto done = closed.get_future();
  ASSERT_TRUE(ready_within(done));
  ASSERT_TRUE(ready_within(hanging)) << "the shutdown ran once the callback returned";
  EXPECT_EQ(hanging.get().status.code(), ErrorCode::ShuttingDown);
  EXPECT_FALSE(client->is_connected());
  client.reset();  // joins the I/O thread
}

TEST_P(ClientEndingsTest, ConnectRefused) {
  std::string address = gateway_->address();
  gateway_.reset();  // nobody listens there any more
  ClientOptions options;
  options.api_key = kClientKey;
  Status status;
  auto client = GatewayClient::connect(address, options, &status);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(status.code(), ErrorCode::Internal);
  EXPECT_NE(status.message().find("cannot connect to"), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Transports, ClientEndingsTest, ::testing::Bool(), transport_name);

TEST(GatewayClientConnectTest, BadAddressesAreRefusedBeforeAnyConnection) {
  for (const char* address : {"", "localhost:7400", "tcp://localhost", "unix://relative", "udp://1.2.3.4:5"}) {
    Status status;
    auto client = GatewayClient::connect(address, ClientOptions{}, &status);
    EXPECT_EQ(client, nullptr) << address;
    EXPECT_EQ(status.code(), ErrorCode::InvalidArgument) << address;
  }
}

TEST(GatewayClientConnectTest, UnresolvableHostIsReported) {
  Status status;
  ClientOptions options;
  options.connect_timeout_ms = 5000;
  auto client = GatewayClient::connect("tcp://no-such-host.invalid:7400", options, &status);
  EXPECT_EQ(client, nullptr);
  EXPECT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("no-such-host.invalid"), std::string::npos) << status.to_string();
}

}  // namespace
}  // namespace mxgw::client::testing
