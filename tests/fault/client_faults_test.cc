// Clients that misbehave under the real daemon: one that stops in the middle of a
// frame, one that vanishes while events stream to it or while its command is in
// flight, one that opens sessions and is never heard of again, and one that sends
// far faster than it reads. Each costs only its own connection (and, for the one
// that vanished, its sessions once their leases expire); everyone else is served.

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "tests/fault/fault_fixture.h"
#include "tests/fault/raw_client.h"
#include "tests/support/await.h"
#include "tests/support/process_census.h"

namespace mxgw::testing {
namespace {

// How much a flooding client pushes at most: far more than the daemon should ever
// hold for one connection, so that a daemon that keeps reading shows in its memory.
constexpr size_t kFloodBytes = 64u << 20;
// How much the daemon's resident memory may grow while one client floods it: its
// queue to that client (8 MiB of answers by default, each held in a slab of 1 KiB or
// more) and the answers to the requests in flight, with the allocator's overhead.
// Under the sanitizers every byte costs several (redzones, shadow memory). A daemon
// that reads on regardless grows by gigabytes.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kFloodGrowthKib = 512 * 1024;
#else
constexpr size_t kFloodGrowthKib = 96 * 1024;
#endif

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
    ASSERT_TRUE(raw.subscribe(session).is_ok());
    int event_frames = 0;
    transport::Frame frame;
    while (event_frames < 50 && raw.read_frame(&frame))
      event_frames += frame.kind == transport::FrameKind::ClientEvents;
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

TEST_F(ClientFaultsTest, AClientThatSendsFasterThanItReadsIsHeldBackWhileOthersAreServed) {
  ASSERT_NO_FATAL_FAILURE(start());
  const int pid = daemon_->pid();
  RawClient flood(daemon_->tcp_port());
  ASSERT_TRUE(flood.hello(client_key_).is_ok());
  const std::string request = RawClient::wire(client::build_list_sessions(2));
  std::string burst;
  for (int i = 0; i < 1024; ++i) burst += request;

  // Pipelined requests, never reading an answer, until the daemon stops taking them
  // (nothing accepted for a second) or the flood is all sent.
  const size_t resident_before = resident_kib(pid);
  size_t sent = 0;
  auto progress = std::chrono::steady_clock::now();
  while (sent < kFloodBytes && std::chrono::steady_clock::now() - progress < std::chrono::seconds(1)) {
    const size_t taken = flood.send_now(std::string_view(burst).substr(sent % burst.size()));
    if (taken > 0) {
      sent += taken;
      progress = std::chrono::steady_clock::now();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling a full socket
    }
  }
  const size_t growth_kib = resident_kib(pid) - std::min(resident_kib(pid), resident_before);
  EXPECT_LT(sent, kFloodBytes) << "the daemon read the whole flood without answering it";
  EXPECT_LT(growth_kib, kFloodGrowthKib) << "the daemon held " << growth_kib << " KiB more for one client";

  // Meanwhile everyone else is served.
  auto other = connect(client_key_);
  ASSERT_TRUE(other);
  EXPECT_TRUE(await(other->invoke(bystander_session_, register_command())).ok());
  EXPECT_TRUE(await(other->list_sessions()).ok());

  // The flooding client is served in full once it reads: an answer to every request,
  // the last one (perhaps cut short by the full socket) finished as room comes.
  std::string_view unfinished =
      std::string_view(burst).substr(sent % burst.size(), (request.size() - sent % request.size()) % request.size());
  const size_t requests = (sent + request.size() - 1) / request.size();
  size_t answers = 0;
  transport::Frame frame;
  while (answers < requests) {
    unfinished.remove_prefix(flood.send_now(unfinished));
    if (!flood.read_frame(&frame, std::chrono::seconds(10))) break;
    ASSERT_EQ(frame.kind, transport::FrameKind::ClientControl);
    const proto::ClientFrame& answer = *transport::client_frame(frame.payload);
    ASSERT_EQ(answer.message_type(), proto::ClientMessage::SessionList)
        << "the flooding client got an error: "
        << client::answer_status(answer, proto::ClientMessage::SessionList).to_string();
    ++answers;
  }
  EXPECT_EQ(answers, requests);
  flood.reset();
  other.reset();
  EXPECT_TRUE(connections_settle_at(1));
  expect_unharmed();
}

}  // namespace
}  // namespace mxgw::testing
