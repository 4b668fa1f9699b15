// Clients whose events are held back, under the real daemon: a subscriber that stops
// consuming, one that stops reading its socket altogether, and one whose requests
// the gateway itself stops reading. Each keeps its sessions (their leases do not run
// out for renewals that could not be read) and its answers; nothing is lost once it
// consumes again.

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "tests/fault/fault_fixture.h"
#include "tests/fault/raw_client.h"
#include "tests/support/await.h"

namespace mxgw::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A lease short enough to expire several times over while events are held back.
constexpr auto kLease = 3000ms;
// Renewals come this often, as a client keeping its lease would send them.
constexpr auto kRenewEvery = 500ms;
// More requests than the gateway lets one client have awaiting answers (1,024).
constexpr uint64_t kPastRequestsInFlight = 1100;

class HeldBackTest : public FaultFixture {
 protected:
  void start_with_short_lease() {
    ASSERT_NO_FATAL_FAILURE(start({"--lease-ms", std::to_string(kLease.count()), "--lease-sweep-interval-ms", "50"}));
  }

  // Runs `step` every kRenewEvery for three leases, keeping the bystander alive.
  template <typename Step>
  void for_three_leases(Step&& step) {
    const auto until = Clock::now() + 3 * kLease;
    for (auto next = Clock::now(); next < until; next += kRenewEvery) {
      step();
      renew_bystander();
      std::this_thread::sleep_until(next + kRenewEvery);  // the renewal pace, not a wait for a condition
    }
  }

  // How long the session's lease has left at `now_ns` (wall clock), as listed.
  int64_t lease_left_ns(client::GatewayClient& c, const std::string& session_id, int64_t now_ns) {
    for (const proto::SessionInfoT& s : await(c.list_sessions()).value) {
      if (s.session_id == session_id) return s.lease_expires_ns - now_ns;
    }
    return 0;
  }

  proto::SessionState state_of(client::GatewayClient& c, const std::string& session_id) {
    for (const proto::SessionInfoT& s : await(c.list_sessions()).value) {
      if (s.session_id == session_id) return s.state;
    }
    return proto::SessionState::Closed;
  }

  static proto::CommandT register_command() {
    proto::CommandT reg;
    reg.body.Set(proto::RegisterT{});
    reg.body.AsRegister()->client_name = "held-back";
    return reg;
  }
};

TEST_F(HeldBackTest, ASubscriberThatStopsConsumingHoldsBackOnlyItsOwnEvents) {
  ASSERT_NO_FATAL_FAILURE(start_with_short_lease());
  auto feeder = connect(client_key_);
  const std::string session = open_streaming(*feeder, 200, "1");
  ASSERT_FALSE(session.empty());
  client::SubscribeOptions options;
  options.ring_frames = 4;
  auto subscribed = await(feeder->subscribe(session, options));
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  const std::shared_ptr<client::EventStream> stream = subscribed.value.events;
  ASSERT_TRUE(eventually([&] { return stream->frames_delivered() >= 4; })) << "events never flowed";
  // On the same connection: another session streaming to a consumer, and one that
  // only takes commands.
  const std::string lively = open_streaming(*feeder, 20, "10");
  ASSERT_FALSE(lively.empty());
  const std::unique_ptr<StreamTap> lively_tap = tap(*feeder, lively);
  ASSERT_TRUE(lively_tap);
  const auto quiet = await(feeder->open_session({}));
  ASSERT_TRUE(quiet.ok()) << quiet.status.to_string();

  // Nobody polls the first stream: its events are held back, not the connection.
  // Renewals, commands and the other stream go on all the while.
  const uint64_t lively_before = lively_tap->events();
  for_three_leases([&] {
    EXPECT_TRUE(await(feeder->renew_lease(session), 5s).ok()) << "a renewal went unanswered";
    EXPECT_TRUE(await(feeder->renew_lease(lively), 5s).ok()) << "a renewal went unanswered";
    EXPECT_TRUE(await(feeder->renew_lease(quiet.value.session_id), 5s).ok()) << "a renewal went unanswered";
    EXPECT_TRUE(await(feeder->invoke(quiet.value.session_id, register_command()), 5s).ok())
        << "a command went unanswered";
  });
  EXPECT_EQ(state_of(*feeder, session), proto::SessionState::Ready);
  EXPECT_GT(lively_tap->events(), lively_before) << "the other subscription was held back too";
  EXPECT_EQ(lively_tap->breaks(), 0u);
  EXPECT_EQ(stream->stalls(), 0u) << "the gateway sent beyond the subscription's credit";
  EXPECT_EQ(counted().endings(), "closed 0, expired 0, killed 0, faulted 0");

  // Consumed again, the held-back stream goes on where it stopped.
  StreamTap resumed(stream);
  EXPECT_TRUE(eventually([&] { return resumed.events() > 10'000; }));
  EXPECT_EQ(resumed.breaks(), 0u);
  EXPECT_TRUE(await(feeder->unsubscribe(subscribed.value.subscription_id), 5s).ok());
  for (const std::string& id : {session, lively, quiet.value.session_id}) {
    EXPECT_TRUE(await(feeder->close_session(id), 10s).ok());
  }
  EXPECT_EQ(counted().endings(), "closed 3, expired 0, killed 0, faulted 0");
  feeder.reset();
  expect_unharmed();
}

TEST_F(HeldBackTest, AClientThatStopsReadingKeepsItsSessionWhileItRenews) {
  // A small queue to clients: the gateway holds this client's events back soon.
  ASSERT_NO_FATAL_FAILURE(start({"--lease-ms", std::to_string(kLease.count()), "--lease-sweep-interval-ms", "50",
                                 "--client-queue-high-bytes", "65536", "--client-queue-low-bytes", "16384"}));
  auto feeder = connect(client_key_);
  const std::string session = open_streaming(*feeder, 200, "1");
  ASSERT_FALSE(session.empty());
  RawClient raw(daemon_->tcp_port());
  ASSERT_TRUE(raw.hello(client_key_).is_ok());
  ASSERT_TRUE(raw.subscribe(session).is_ok());

  // It never reads again: once the socket and the gateway's queue to it are full,
  // what the gateway writes to clients stops growing (only the bystander's trickle).
  const std::string bytes_out = "mxgw_client_bytes_total{direction=\"out\"}";
  ASSERT_TRUE(settles([&] {
    const double before = scrape()[bytes_out];
    std::this_thread::sleep_for(250ms);  // the window the write rate is measured over
    return scrape()[bytes_out] - before < 64 * 1024;
  })) << "the gateway never held this client's events back";
  // It renews all the same; the gateway reads every renewal although events wait, so
  // the lease runs from the last one (the gateway does not merely hold it).
  uint64_t renewals = 0;
  for_three_leases([&] {
    ASSERT_TRUE(raw.send(RawClient::wire(client::build_renew_lease(3 + renewals, session))));
    ++renewals;
  });
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(lease_left_ns(*feeder, session, now_ns), std::chrono::nanoseconds(kLease - 2 * kRenewEvery).count())
      << "renewals were left unread while events waited";
  EXPECT_EQ(state_of(*feeder, session), proto::SessionState::Ready);
  EXPECT_EQ(counted().endings(), "closed 0, expired 0, killed 0, faulted 0");

  raw.reset();
  EXPECT_TRUE(await(feeder->close_session(session), 10s).ok());
  EXPECT_EQ(counted().endings(), "closed 1, expired 0, killed 0, faulted 0");
  feeder.reset();
  expect_unharmed();
}

TEST_F(HeldBackTest, SessionsOfAClientTheGatewayStopsReadingDoNotExpire) {
  ASSERT_NO_FATAL_FAILURE(start_with_short_lease());
  auto observer = connect(client_key_);
  RawClient raw(daemon_->tcp_port());
  ASSERT_TRUE(raw.hello(client_key_).is_ok());
  auto open = [&](uint64_t id) {
    client::OpenSessionRequest request;
    request.command_timeout_ms = 60'000;  // the stalled commands below must not time out
    const transport::SharedBytes answer = raw.request(id, client::build_open_session(id, request));
    EXPECT_FALSE(answer.empty());
    if (answer.empty()) return std::string();
    client::OpenedSession opened;
    client::read_answer(*transport::client_frame(answer), &opened);
    return opened.session_id;
  };
  const std::string stalled = open(2);
  const std::string kept = open(3);
  ASSERT_FALSE(stalled.empty());
  ASSERT_FALSE(kept.empty());
  const int worker = worker_of(*observer, stalled);
  ASSERT_NE(worker, 0);

  // Commands to a stopped worker wait for their answers; past kMaxRequestsInFlight of
  // them the gateway reads this client no further, renewals included.
  ASSERT_EQ(::kill(worker, SIGSTOP), 0);
  // Renewed first in the same burst, so that both leases run from the moment the
  // gateway is about to stop reading, however long the steps before took.
  std::string burst =
      RawClient::wire(client::build_renew_lease(4, stalled)) + RawClient::wire(client::build_renew_lease(5, kept));
  for (uint64_t id = 10; id < 10 + kPastRequestsInFlight; ++id) {
    burst += RawClient::wire(client::build_invoke(id, stalled, register_command()));
  }
  ASSERT_TRUE(raw.send(burst));
  for_three_leases([] {});
  // Both sessions outlived three leases: the gateway held them while it did not read.
  EXPECT_EQ(state_of(*observer, kept), proto::SessionState::Ready);
  EXPECT_EQ(state_of(*observer, stalled), proto::SessionState::Ready);
  EXPECT_EQ(counted().endings(), "closed 0, expired 0, killed 0, faulted 0");

  ASSERT_EQ(::kill(worker, SIGCONT), 0);
  raw.reset();
  EXPECT_TRUE(await(observer->close_session(stalled), 10s).ok());
  EXPECT_TRUE(await(observer->close_session(kept), 10s).ok());
  EXPECT_EQ(counted().endings(), "closed 2, expired 0, killed 0, faulted 0");
  observer.reset();
  expect_unharmed();
}

}  // namespace
}  // namespace mxgw::testing
