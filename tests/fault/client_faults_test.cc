// Clients that misbehave under the real daemon: one that stops in the middle of a
// frame, one that vanishes while events stream to it or while its command is in
// flight, and one that opens sessions and is never heard of again. Each costs only
// its own connection (and, for the one that vanished, its sessions once their
// leases expire); everyone else is served.

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include <mxgw/transport/frame_verifier.h>

#include "engine/src/client/client_messages.h"
#include "tests/fault/fault_fixture.h"
#include "tests/fault/raw_client.h"
#include "tests/support/await.h"

namespace mxgw::testing {
namespace {

class ClientFaultsTest : public FaultFixture {
 protected:
  proto::CommandT register_command() {
    proto::CommandT reg;
    reg.body.Set(proto::RegisterT{});
    reg.body.AsRegister()->client_name = "client-faults";
    return reg;
  }

  // Connections open besides the bystander's settle back to `expected`.
  bool connections_settle_at(double expected) {
    return settles([&] { return scrape()["mxgw_connections_open"] == expected; });
  }
};

TEST_F(ClientFaultsTest, AClientThatStopsInTheMiddleOfAFrameCostsOnlyItsConnection) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string frame = RawClient::wire(client::build_list_sessions(2));
  // Cut inside the header, inside the payload, and one byte short of the end.
  for (const size_t cut : {size_t{3}, transport::kFrameHeaderSize + 5, frame.size() - 1}) {
    RawClient raw(daemon_->tcp_port());
    ASSERT_TRUE(raw.hello(client_key_).is_ok());
    ASSERT_TRUE(raw.send(std::string_view(frame).substr(0, cut)));
  }
  EXPECT_TRUE(connections_settle_at(1));
  EXPECT_EQ(counted()["mxgw_sessions_registered_total"], 0);
  expect_unharmed();
}

TEST_F(ClientFaultsTest, AClientThatVanishesMidSubscriptionLeavesTheSessionStreaming) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto feeder = connect(client_key_);
  const std::string session = open_streaming(*feeder, 100, "1");
  ASSERT_FALSE(session.empty());
  {
    RawClient raw(daemon_->tcp_port());
    ASSERT_TRUE(raw.hello(client_key_).is_ok());
    const transport::SharedBytes answer = raw.request(2, client::build_subscribe(2, session, {}));
    ASSERT_FALSE(answer.empty());
    ASSERT_TRUE(client::answer_status(*transport::client_frame(answer), proto::ClientMessage::Subscribed).is_ok());
    int event_frames = 0;
    transport::Frame frame;
    while (event_frames < 50 && raw.read_frame(&frame)) event_frames += frame.kind == transport::FrameKind::ClientEvents;
    ASSERT_EQ(event_frames, 50) << "events never flowed to the subscriber";
    raw.reset();  // gone, with events still on their way
  }
  EXPECT_TRUE(connections_settle_at(2)) << "the bystander's and the feeder's";
  EXPECT_TRUE(settles([&] { return scrape()["mxgw_subscribers"] == 1; })) << "only the bystander's subscription";
  // The session lost a subscriber, nothing more: it streams to the next one.
  auto again = tap(*feeder, session);
  ASSERT_TRUE(again);
  EXPECT_TRUE(eventually([&] { return again->events() > 0; }));
  EXPECT_TRUE(await(feeder->close_session(session)).ok());
  EXPECT_EQ(counted().endings(), "closed 1, expired 0, killed 0, faulted 0");
  again.reset();
  feeder.reset();
  expect_unharmed();
}

TEST_F(ClientFaultsTest, AClientThatVanishesMidCommandLeavesTheSessionServing) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto feeder = connect(client_key_);
  const auto opened = await(feeder->open_session({}));
  ASSERT_TRUE(opened.ok()) << opened.status.to_string();
  const std::string session = opened.value.session_id;
  const int worker = worker_of(*feeder, session);
  const double commands = scrape()["mxgw_commands_total"];
  // A stopped worker answers nothing: the client is surely gone before its answer.
  ASSERT_EQ(::kill(worker, SIGSTOP), 0);
  {
    RawClient raw(daemon_->tcp_port());
    ASSERT_TRUE(raw.hello(client_key_).is_ok());
    ASSERT_TRUE(raw.send(RawClient::wire(client::build_invoke(2, session, register_command()))));
    EXPECT_TRUE(eventually([&] { return scrape()["mxgw_commands_total"] == commands + 1; }))
        << "the command never reached the worker";
    raw.reset();
  }
  EXPECT_TRUE(connections_settle_at(2));
  ASSERT_EQ(::kill(worker, SIGCONT), 0);
  // The answer that found no client went nowhere; the session serves the next one.
  const auto answered = await(feeder->invoke(session, register_command()));
  EXPECT_TRUE(answered.ok()) << answered.status.to_string();
  EXPECT_TRUE(await(feeder->close_session(session)).ok());
  EXPECT_EQ(counted().endings(), "closed 1, expired 0, killed 0, faulted 0");
  feeder.reset();
  expect_unharmed();
}

TEST_F(ClientFaultsTest, SessionsOfAClientThatVanishedEndOnceEachWhenTheirLeasesExpire) {
  ASSERT_NO_FATAL_FAILURE(start({"--lease-ms", "3000", "--lease-sweep-interval-ms", "50"}));
  auto watcher = connect(client_key_);
  std::vector<std::string> sessions;
  std::vector<std::unique_ptr<StreamTap>> taps;
  {
    RawClient raw(daemon_->tcp_port());
    ASSERT_TRUE(raw.hello(client_key_).is_ok());
    for (uint64_t id = 2; id < 6; ++id) {
      const transport::SharedBytes answer = raw.request(id, client::build_open_session(id, {}));
      ASSERT_FALSE(answer.empty());
      const proto::ClientFrame& frame = *transport::client_frame(answer);
      ASSERT_TRUE(client::answer_status(frame, proto::ClientMessage::SessionOpened).is_ok());
      client::OpenedSession opened;
      client::read_answer(frame, &opened);
      sessions.push_back(opened.session_id);
      // Someone else watches how it ends (watching does not renew a lease).
      taps.push_back(tap(*watcher, opened.session_id));
      ASSERT_TRUE(taps.back());
      renew_bystander();
    }
    raw.reset();  // never closes, never renews
  }
  EXPECT_TRUE(settles([&] {
    for (const auto& t : taps) {
      if (!t->ended()) return false;
    }
    return true;
  })) << "the leases never expired";
  for (const auto& t : taps) {
    EXPECT_EQ(t->last_state(), proto::SessionState::Closed);
    EXPECT_EQ(t->last_reason(), "lease-expired");
  }
  // Counted once each, as expired: a late close finds them already closed.
  for (const std::string& id : sessions) EXPECT_TRUE(await(watcher->close_session(id)).value.already_closed);
  EXPECT_EQ(counted().endings(), "closed 0, expired 4, killed 0, faulted 0");
  taps.clear();
  watcher.reset();
  expect_unharmed();
}

}  // namespace
}  // namespace mxgw::testing
