// Faults and endings with real workers: a crashed worker faults only its own
// session and its subscribers are told; a worker that stops answering is faulted at
// the command timeout; shutdown falls back to kill; subscribers see every event in
// sequence.

#include <signal.h>

#include <mxgw/transport/event_cursor.h>
#include <mxgw/transport/frame_verifier.h>

#include "tests/engine/engine_fixture.h"

namespace mxgw::testing {
namespace {

class SessionFaultsTest : public EngineFixture {};

// The session states a subscription has delivered so far.
std::vector<proto::SessionState> states_seen(engine::Subscription& subscription, uint64_t* events = nullptr) {
  std::vector<proto::SessionState> states;
  subscription.poll(SIZE_MAX, [&](const engine::Delivery& d) {
    const proto::EventBatch* batch = transport::event_batch(d.batch);
    if (events) *events += d.count;
    if (batch->session_states()) {
      for (const auto* s : *batch->session_states()) states.push_back(s->state());
    }
  });
  return states;
}

TEST_F(SessionFaultsTest, CrashedWorkerFaultsOnlyItsSessionAndSubscribersAreTold) {
  start(test_config());
  const Opened victim = open(kAlice);
  const Opened bystander = open(kAlice);
  ASSERT_TRUE(victim.status.is_ok() && bystander.status.is_ok());
  auto subscription = subscribe(kAlice, victim.info.session_id);
  ASSERT_TRUE(subscription);
  ::kill(victim.info.worker_pid, SIGKILL);

  std::vector<proto::SessionState> states;
  ASSERT_TRUE(eventually([&] {
    for (auto s : states_seen(*subscription)) states.push_back(s);
    return subscription->ended();
  }));
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), proto::SessionState::Faulted);
  EXPECT_EQ(manager_->metrics().faulted[static_cast<size_t>(ErrorCode::SessionFaulted)].load(), 1u);
  expect_balanced();

  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "still here";
  EXPECT_TRUE(invoke(kAlice, bystander.info.session_id, std::move(reg)).status.is_ok());
  ASSERT_EQ(list(kAdmin).size(), 1u);
}

TEST_F(SessionFaultsTest, WorkerThatStopsAnsweringIsFaultedAtTheCommandTimeout) {
  start(test_config());
  const Opened opened = open(kAlice, {.command_timeout_ms = 300});
  ASSERT_TRUE(opened.status.is_ok());
  ::kill(opened.info.worker_pid, SIGSTOP);
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "anyone there";
  const engine::CommandResult result = invoke(kAlice, opened.info.session_id, std::move(reg));
  EXPECT_EQ(result.status.code(), ErrorCode::CommandTimeout) << result.status.to_string();
  EXPECT_NE(result.status.message().find("300 ms"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return list(kAdmin).empty(); }));
  EXPECT_FALSE(process_exists(opened.info.worker_pid));
  EXPECT_EQ(manager_->metrics().faulted[static_cast<size_t>(ErrorCode::CommandTimeout)].load(), 1u);
  expect_balanced();
}

TEST_F(SessionFaultsTest, ShutdownKillsWhatDoesNotClose) {
  engine::EngineConfig config = test_config();
  config.shutdown_timeout_ms = 300;
  start(config);
  const Opened frozen = open(kAlice);
  const Opened healthy = open(kAlice);
  ASSERT_TRUE(frozen.status.is_ok() && healthy.status.is_ok());
  ::kill(frozen.info.worker_pid, SIGSTOP);
  manager_->shutdown();
  EXPECT_FALSE(process_exists(frozen.info.worker_pid));
  EXPECT_FALSE(process_exists(healthy.info.worker_pid));
  EXPECT_EQ(manager_->metrics().sessions_open.load(), 0);
  EXPECT_EQ(manager_->metrics().closed.load(), 2u);
  expect_balanced();
}

TEST_F(SessionFaultsTest, SubscribersSeeEveryEventInSequenceEvenWhenSlow) {
  engine::EngineConfig config = test_config();
  config.subscriber_ring_capacity = 4;  // fills at once: lossless backpressure works hard
  start(config);
  const Opened opened = open(kAlice, {.backend_options = {{"rate_ms", "1"}, {"tags", "Line:2000"}}});
  ASSERT_TRUE(opened.status.is_ok());
  auto subscription = subscribe(kAlice, opened.info.session_id);
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "feeder";
  const auto registered = invoke(kAlice, opened.info.session_id, std::move(reg));
  const int32_t server =
      transport::worker_frame(registered.reply_frame)->message_as_Reply()->body_as_ServerHandleReply()->server_handle();
  proto::CommandT add;
  add.body.Set(proto::AddItemsT{});
  add.body.AsAddItems()->server_handle = server;
  for (int i = 0; i < 2000; ++i) {
    add.body.AsAddItems()->item_defs.push_back("Line_" +
                                               std::string(i < 10    ? "00"
                                                           : i < 100 ? "0"
                                                                     : "") +
                                               std::to_string(i) + ".Counter");
  }
  const auto added = invoke(kAlice, opened.info.session_id, std::move(add));
  const auto* handles = transport::worker_frame(added.reply_frame)->message_as_Reply()->body_as_BatchReply()->handles();
  proto::CommandT advise;
  advise.body.Set(proto::AdviseItemsT{});
  advise.body.AsAdviseItems()->server_handle = server;
  advise.body.AsAdviseItems()->item_handles.assign(handles->begin(), handles->end());
  invoke(kAlice, opened.info.session_id, std::move(advise));

  // Consume slowly, a delivery at a time, and check the numbering has no gap.
  uint64_t expected_seq = 0;
  uint64_t events = 0;
  uint64_t gaps = 0;
  ASSERT_TRUE(eventually([&] {
    subscription->poll(1, [&](const engine::Delivery& d) {
      if (expected_seq != 0 && d.first_seq != expected_seq) ++gaps;
      expected_seq = d.first_seq + d.count;
      events += d.count;
      EXPECT_TRUE(transport::verify_payload(transport::FrameKind::Events, d.batch.bytes()).is_ok());
    });
    return events >= 200'000;
  }));
  EXPECT_EQ(gaps, 0u);
  // The session counted what it published to this one subscriber.
  const auto info = list(kAlice);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_GE(info[0].events_out, events);
  EXPECT_EQ(info[0].subscribers, 1u);
}

}  // namespace
}  // namespace mxgw::testing
