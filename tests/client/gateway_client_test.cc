// Proves GatewayClient's requests against the fake gateway, over a Unix socket and
// TCP: the Hello exchange (accepted, refused with the gateway's message, never
// answered), every request with its answer or error, and answers matched by request
// id while many threads keep thousands of requests in flight and the gateway
// answers out of order. Nothing sleeps: every wait is on a condition or a future,
// with a deadline. (How connections end: client_endings_test.cc.)

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/client/client_fixture.h"

namespace mxgw::client::testing {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kRequestsPerThread = 500;
#else
constexpr int kRequestsPerThread = 5'000;
#endif
constexpr int kThreads = 8;

using GatewayClientTest = ClientFixture;

TEST_P(GatewayClientTest, HelloAcceptedTellsWhoTheGatewayIs) {
  auto client = connect(kClientKey);
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->is_connected());
  EXPECT_TRUE(client->connection_error().is_ok());
  EXPECT_TRUE(client->closed_status().is_ok());
  EXPECT_EQ(client->server_info().protocol_version, transport::kProtocolVersion);
  EXPECT_EQ(client->server_info().server_version, "fake-gateway 1.0");
  EXPECT_EQ(client->server_info().role, proto::Role::Client);
  EXPECT_EQ(client->server_info().max_frame_bytes, 1u << 20);

  auto admin = connect(kAdminKey);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->server_info().role, proto::Role::Admin);
}

TEST_P(GatewayClientTest, HelloRefusedCarriesTheGatewaysCodeAndMessage) {
  ClientOptions options;
  options.api_key = "not-a-key";
  Status status;
  auto client = GatewayClient::connect(gateway_->address(), options, &status);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(status.code(), ErrorCode::Unauthenticated);
  EXPECT_EQ(status.message(), "unknown API key 'not-a-key'");
}

TEST_P(GatewayClientTest, UnansweredHelloTimesOut) {
  FakeGateway::Config config;
  config.answer_hello = false;
  start_gateway(config);
  ClientOptions options;
  options.api_key = kClientKey;
  options.connect_timeout_ms = 200;
  Status status;
  auto client = GatewayClient::connect(gateway_->address(), options, &status);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(status.code(), ErrorCode::CommandTimeout);
  EXPECT_NE(status.message().find("did not answer Hello within 200 ms"), std::string::npos) << status.message();
}

TEST_P(GatewayClientTest, EveryRequestGetsItsAnswer) {
  auto client = connect();
  ASSERT_TRUE(client);

  OpenSessionRequest request;
  request.client_session_name = "historian";
  request.backend_options = {{"seed", "7"}};
  auto opened_future = client->open_session(request);
  ASSERT_TRUE(ready_within(opened_future));
  const Result<OpenedSession> opened = opened_future.get();
  ASSERT_TRUE(opened.ok()) << opened.status.to_string();
  const std::string session = opened.value.session_id;
  EXPECT_EQ(session, "session-1");
  EXPECT_EQ(opened.value.correlation_id, "historian-session-1");
  EXPECT_EQ(opened.value.backend, "sim");
  EXPECT_EQ(opened.value.command_timeout_ms, 5000);
  EXPECT_EQ(opened.value.lease_ms, 30'000);

  auto registered = client->invoke(session, register_command("historian"));
  ASSERT_TRUE(ready_within(registered));
  const Result<InvokeAnswer> reg = registered.get();
  ASSERT_TRUE(reg.ok()) << reg.status.to_string();
  EXPECT_EQ(reg.value.reply.error, proto::CommandError::None);
  ASSERT_NE(reg.value.reply.body.AsServerHandleReply(), nullptr);
  EXPECT_EQ(reg.value.reply.body.AsServerHandleReply()->server_handle, 1);

  // A command error is an answer, not a failed request.
  proto::CommandT write;
  write.body.Set(proto::WriteT{});
  auto written = client->invoke(session, write);
  ASSERT_TRUE(ready_within(written));
  const Result<InvokeAnswer> write_answer = written.get();
  ASSERT_TRUE(write_answer.ok()) << write_answer.status.to_string();
  EXPECT_EQ(write_answer.value.reply.error, proto::CommandError::NotAdvised);
  EXPECT_EQ(write_answer.value.reply.message, "Advise the item before writing to it");

  auto unknown = client->invoke("session-999", register_command("x"));
  ASSERT_TRUE(ready_within(unknown));
  const Result<InvokeAnswer> not_found = unknown.get();
  EXPECT_EQ(not_found.status.code(), ErrorCode::NotFound);
  EXPECT_EQ(not_found.status.message(), "no session session-999");

  auto subscribed_future = client->subscribe(session);
  ASSERT_TRUE(ready_within(subscribed_future));
  const Result<Subscribed> subscribed = subscribed_future.get();
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  EXPECT_EQ(subscribed.value.subscription_id, 100u);
  EXPECT_EQ(subscribed.value.next_seq, 0u);
  ASSERT_TRUE(subscribed.value.events);
  EXPECT_EQ(subscribed.value.events->subscription_id(), 100u);
  EXPECT_FALSE(subscribed.value.events->ended());

  auto renewed = client->renew_lease(session);
  ASSERT_TRUE(ready_within(renewed));
  const Result<LeaseRenewed> lease = renewed.get();
  ASSERT_TRUE(lease.ok()) << lease.status.to_string();
  EXPECT_EQ(lease.value.lease_ms, 30'000);

  auto listed = client->list_sessions();
  ASSERT_TRUE(ready_within(listed));
  const Result<SessionList> list = listed.get();
  ASSERT_TRUE(list.ok()) << list.status.to_string();
  ASSERT_EQ(list.value.size(), 1u);
  EXPECT_EQ(list.value[0].session_id, session);
  EXPECT_EQ(list.value[0].correlation_id, "historian-session-1");
  EXPECT_EQ(list.value[0].worker_pid, 4242);

  auto unsubscribed = client->unsubscribe(subscribed.value.subscription_id);
  ASSERT_TRUE(ready_within(unsubscribed));
  EXPECT_TRUE(unsubscribed.get().ok());
  EXPECT_TRUE(subscribed.value.events->finished());
  EXPECT_TRUE(subscribed.value.events->end_status().is_ok());
  auto again = client->unsubscribe(subscribed.value.subscription_id);
  ASSERT_TRUE(ready_within(again));
  EXPECT_EQ(again.get().status.code(), ErrorCode::NotFound);

  auto killed = client->kill_session(session, "operator");
  ASSERT_TRUE(ready_within(killed));
  EXPECT_EQ(killed.get().status.code(), ErrorCode::PermissionDenied);

  auto closed = client->close_session(session);
  ASSERT_TRUE(ready_within(closed));
  const Result<SessionClosed> first = closed.get();
  ASSERT_TRUE(first.ok()) << first.status.to_string();
  EXPECT_FALSE(first.value.already_closed);
  auto closed_again = client->close_session(session);
  ASSERT_TRUE(ready_within(closed_again));
  EXPECT_TRUE(closed_again.get().value.already_closed);
  EXPECT_TRUE(client->is_connected());
}

TEST_P(GatewayClientTest, AdminKillEndsTheSubscribersStream) {
  auto client = connect(kClientKey);
  auto admin = connect(kAdminKey);
  ASSERT_TRUE(client && admin);
  const std::string session = open_session(*client);
  auto subscribed_future = client->subscribe(session);
  ASSERT_TRUE(ready_within(subscribed_future));
  std::shared_ptr<EventStream> events = subscribed_future.get().value.events;
  ASSERT_TRUE(events);

  auto listed = admin->list_sessions();
  ASSERT_TRUE(ready_within(listed));
  ASSERT_EQ(listed.get().value.size(), 1u);

  auto killed = admin->kill_session(session, "operator-request");
  ASSERT_TRUE(ready_within(killed));
  EXPECT_TRUE(killed.get().ok());

  ASSERT_TRUE(events->wait_for(kPatience));
  std::string reason;
  proto::SessionState state = proto::SessionState::Created;
  EXPECT_EQ(events->poll(8,
                         [&](EventFrame& frame) {
                           for_each_event(frame, [&](const transport::EventRef& event, uint64_t seq) {
                             EXPECT_EQ(seq, 0u);
                             ASSERT_EQ(event.kind, transport::EventRef::Kind::SessionState);
                             state = event.session_state()->state();
                             reason = event.session_state()->reason()->str();
                           });
                         }),
            1u);
  EXPECT_EQ(state, proto::SessionState::Closed);
  EXPECT_EQ(reason, "operator-request");
  // The end of the stream follows its last frame: wait for it before reading why.
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (!events->finished() && events->wait_until(until)) {
  }
  ASSERT_TRUE(events->finished());
  EXPECT_TRUE(events->end_status().is_ok());
}

TEST_P(GatewayClientTest, ACommandWithoutABodyIsRefusedAtOnce) {
  auto client = connect();
  ASSERT_TRUE(client);
  auto refused = client->invoke("session-1", proto::CommandT{});
  ASSERT_TRUE(ready_now(refused));
  EXPECT_EQ(refused.get().status.code(), ErrorCode::InvalidArgument);
}

TEST_P(GatewayClientTest, ThousandsInFlightFromManyThreadsAreMatchedById) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);

  std::atomic<int> mismatched{0};
  std::atomic<int> failed{0};
  std::atomic<int> callbacks_done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<int32_t, std::future<Result<InvokeAnswer>>>> futures;
      for (int i = 0; i < kRequestsPerThread; ++i) {
        const int32_t item = t * 1'000'000 + i;
        if (i % 2 == 0) {
          futures.emplace_back(item, client->invoke(session, add_item_command(item)));
          continue;
        }
        client->invoke(session, add_item_command(item), [&, item](Result<InvokeAnswer>&& answer) {
          if (!answer.ok()) {
            ++failed;
          } else if (!answer.value.reply.body.AsItemHandleReply() ||
                     answer.value.reply.body.AsItemHandleReply()->item_handle != item) {
            ++mismatched;
          }
          callbacks_done.fetch_add(1, std::memory_order_release);
        });
      }
      for (auto& [item, future] : futures) {
        if (!ready_within(future)) {
          ++failed;
          continue;
        }
        Result<InvokeAnswer> answer = future.get();
        if (!answer.ok()) {
          ++failed;
        } else if (!answer.value.reply.body.AsItemHandleReply() ||
                   answer.value.reply.body.AsItemHandleReply()->item_handle != item) {
          ++mismatched;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(
      wait_for([&] { return callbacks_done.load(std::memory_order_acquire) == kThreads * kRequestsPerThread / 2; }));
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(mismatched.load(), 0);
  EXPECT_EQ(client->stats().unmatched_answers, 0u);
}

TEST_P(GatewayClientTest, CallbacksMayIssueFurtherRequests) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  std::promise<int> chain_done;
  std::function<void(int)> step = [&](int remaining) {
    client->invoke(session, register_command("chain"), [&, remaining](Result<InvokeAnswer>&& answer) {
      if (!answer.ok() || remaining == 0) {
        chain_done.set_value(answer.ok() ? 0 : -1);
        return;
      }
      step(remaining - 1);
    });
  };
  step(100);
  auto done = chain_done.get_future();
  ASSERT_TRUE(ready_within(done));
  EXPECT_EQ(done.get(), 0);
}

INSTANTIATE_TEST_SUITE_P(Transports, GatewayClientTest, ::testing::Bool(), transport_name);

}  // namespace
}  // namespace mxgw::client::testing
