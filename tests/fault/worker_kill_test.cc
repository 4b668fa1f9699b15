// SIGKILL of workers at random moments under heavy traffic, round after round: each
// kill faults its own session alone (its subscriber is told), every other session
// keeps streaming without a break, and the daemon's accounts stay exact.
//
// The random victims and delays come from a seeded generator; the seed is printed,
// and MXGW_FAULT_SEED=<seed> replays a run.

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/fault_fixture.h"
#include "tests/support/await.h"

namespace mxgw::testing {
namespace {

constexpr int kRounds = 100;     // a few seconds in every build, sanitizers included
constexpr int kStreams = 3;      // sessions streaming at once, besides the bystander
constexpr int kItems = 1000;     // counters per session, each changing every millisecond
constexpr int kMaxDelayMs = 60;  // a kill comes this long at most after the previous one

uint64_t seed() {
  if (const char* given = std::getenv("MXGW_FAULT_SEED")) return std::strtoull(given, nullptr, 10);
  return std::random_device{}();
}

class WorkerKillTest : public FaultFixture {
 protected:
  struct Stream {
    std::string session;
    int worker = 0;
    std::unique_ptr<StreamTap> tap;
  };

  Stream open_stream(client::GatewayClient& c) {
    Stream s;
    s.session = open_streaming(c, kItems, "1");
    if (s.session.empty()) return s;
    s.tap = tap(c, s.session);
    s.worker = worker_of(c, s.session);
    return s;
  }
};

TEST_F(WorkerKillTest, WorkersKilledAtRandomMomentsUnderHeavyTrafficFaultOnlyTheirOwnSessions) {
  // A short replay window: the sessions' history is not what this test is about, and
  // their memory should come back quickly when they end.
  ASSERT_NO_FATAL_FAILURE(start({"--replay-window-bytes", "4194304"}));
  const uint64_t s = seed();
  std::cout << "MXGW_FAULT_SEED=" << s << "\n";
  RecordProperty("seed", std::to_string(s));
  SCOPED_TRACE("MXGW_FAULT_SEED=" + std::to_string(s));
  std::mt19937_64 random(s);

  auto feeder = connect(client_key_);
  ASSERT_TRUE(feeder);
  std::vector<Stream> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(open_stream(*feeder));
    ASSERT_TRUE(streams.back().tap && streams.back().worker != 0);
  }

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t victim = std::uniform_int_distribution<size_t>(0, streams.size() - 1)(random);
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, kMaxDelayMs)(random));
    std::this_thread::sleep_for(delay);  // the random moment of the kill, not a wait for anything
    ASSERT_EQ(::kill(streams[victim].worker, SIGKILL), 0);

    StreamTap& killed = *streams[victim].tap;
    ASSERT_TRUE(eventually([&] { return killed.ended(); })) << "the victim's subscriber was never told";
    EXPECT_EQ(killed.last_state(), proto::SessionState::Faulted);
    EXPECT_NE(killed.last_reason().find("killed by signal 9"), std::string::npos) << killed.last_reason();
    for (const Stream& other : streams) {
      if (&other == &streams[victim]) continue;
      EXPECT_FALSE(other.tap->ended()) << other.session << " ended: " << other.tap->last_reason();
      EXPECT_EQ(other.tap->breaks(), 0u) << other.session;
    }
    streams[victim] = open_stream(*feeder);
    ASSERT_TRUE(streams[victim].tap && streams[victim].worker != 0);
  }

  // The survivors still stream, then close normally.
  for (Stream& survivor : streams) {
    const uint64_t seen = survivor.tap->events();
    EXPECT_TRUE(eventually([&] { return survivor.tap->events() > seen; })) << survivor.session;
    EXPECT_TRUE(await(feeder->close_session(survivor.session)).ok());
  }
  const MetricsScrape after = counted();
  std::cout << static_cast<uint64_t>(after["mxgw_events_out_total"]) << " events delivered to subscribers\n";
  EXPECT_EQ(after.endings(), "closed " + std::to_string(kStreams) + ", expired 0, killed 0, faulted " +
                                 std::to_string(kRounds) + ", SessionFaulted " + std::to_string(kRounds));
  EXPECT_EQ(after["mxgw_sessions_registered_total"], kStreams + kRounds);
  streams.clear();
  feeder.reset();
  expect_unharmed();
}

}  // namespace
}  // namespace mxgw::testing
