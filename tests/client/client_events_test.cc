// Proves the client's event path against the fake gateway, over a Unix socket and
// TCP: a million events on two subscriptions arrive complete and in order (every
// sequence number once, every value intact), while one consumer is deliberately
// slow with a tiny ring, so that the I/O thread stops reading hundreds of times and
// resumes each time the consumer makes room, losing nothing. The session's end
// closes both streams after their last event. Also: a stall is lifted by
// unsubscribing, and a resumed subscription starts where it asked.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "tests/client/client_fixture.h"

namespace mxgw::client::testing {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kEventsPerSubscription = 50'000;
constexpr uint64_t kSlowRounds = 40;
#else
constexpr uint64_t kEventsPerSubscription = 500'000;
constexpr uint64_t kSlowRounds = 300;
#endif
constexpr uint32_t kEventsPerFrame = 64;

// Checks every frame and event of one subscription as it is polled.
struct Checker {
  uint64_t subscription_id = 0;
  uint64_t next_seq = 0;
  uint64_t numeric = 0;
  uint64_t errors = 0;
  bool session_closed = false;
  std::atomic<uint64_t> received{0};  // read by the test thread

  void on_frame(EventFrame& frame) {
    if (frame.subscription_id != subscription_id || frame.first_seq != next_seq) ++errors;
    uint32_t events = 0;
    for_each_event(frame, [&](const transport::EventRef& event, uint64_t seq) {
      ++events;
      if (seq != next_seq) ++errors;
      next_seq = seq + 1;
      if (event.kind == transport::EventRef::Kind::NumericChange) {
        ++numeric;
        if (event.numeric()->value() != static_cast<double>(seq) || event.numeric()->quality() != 0xC0u) ++errors;
      } else if (event.kind == transport::EventRef::Kind::SessionState) {
        session_closed = event.session_state()->state() == proto::SessionState::Closed;
      } else {
        ++errors;
      }
    });
    if (events != frame.count) ++errors;
    received.fetch_add(events, std::memory_order_release);
  }
};

using ClientEventsTest = ClientFixture;

std::shared_ptr<EventStream> subscribe(GatewayClient& client, const std::string& session, size_t ring_frames,
                                       uint64_t* subscription_id) {
  SubscribeOptions options;
  options.ring_frames = ring_frames;
  auto future = client.subscribe(session, options);
  if (!ready_within(future)) return nullptr;
  Result<Subscribed> result = future.get();
  EXPECT_TRUE(result.ok()) << result.status.to_string();
  *subscription_id = result.value.subscription_id;
  return result.value.events;
}

TEST_P(ClientEventsTest, MillionEventsInOrderWithASlowConsumerAndNoLoss) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  Checker slow_check;
  Checker fast_check;
  auto slow = subscribe(*client, session, 8, &slow_check.subscription_id);
  auto fast = subscribe(*client, session, 256, &fast_check.subscription_id);
  ASSERT_TRUE(slow && fast);
  EXPECT_EQ(slow->capacity(), 8u);

  std::atomic<bool> slow_gave_up{false};
  std::thread slow_consumer([&] {
    // First the slow part: wait until the I/O thread has stalled on this ring, then
    // take one frame at a time. Each round is one pause and one resume of reading.
    for (uint64_t round = 0; round < kSlowRounds && !slow->ended(); ++round) {
      if (!wait_for([&] {
            return slow->stalls() > round || slow->ended() ||
                   slow_check.received.load(std::memory_order_relaxed) == kEventsPerSubscription;
          })) {
        slow_gave_up = true;
        return;
      }
      while (slow->poll(1, [&](EventFrame& frame) { slow_check.on_frame(frame); }) == 1) {
      }
    }
    while (!slow->finished()) {
      if (!slow->wait_for(kPatience)) {
        slow_gave_up = true;
        return;
      }
      slow->poll(64, [&](EventFrame& frame) { slow_check.on_frame(frame); });
    }
  });
  std::atomic<bool> fast_gave_up{false};
  std::thread fast_consumer([&] {
    while (!fast->finished()) {
      if (!fast->wait_for(kPatience)) {
        fast_gave_up = true;
        return;
      }
      fast->poll(256, [&](EventFrame& frame) { fast_check.on_frame(frame); });
    }
  });

  gateway_->stream_events(slow_check.subscription_id, kEventsPerSubscription, kEventsPerFrame);
  gateway_->stream_events(fast_check.subscription_id, kEventsPerSubscription, kEventsPerFrame);
  const bool all_arrived = wait_for([&] {
    return slow_check.received.load(std::memory_order_acquire) == kEventsPerSubscription &&
           fast_check.received.load(std::memory_order_acquire) == kEventsPerSubscription;
  });
  EXPECT_TRUE(all_arrived) << "slow " << slow_check.received.load() << ", fast " << fast_check.received.load();
  // The session's end is the last batch of each stream.
  auto closed = client->close_session(session);
  EXPECT_TRUE(ready_within(closed));
  slow_consumer.join();
  fast_consumer.join();

  EXPECT_FALSE(slow_gave_up);
  EXPECT_FALSE(fast_gave_up);
  for (const Checker* check : {&slow_check, &fast_check}) {
    EXPECT_EQ(check->errors, 0u);
    EXPECT_EQ(check->numeric, kEventsPerSubscription);
    EXPECT_EQ(check->next_seq, kEventsPerSubscription + 1) << "every event, then the session's end";
    EXPECT_TRUE(check->session_closed);
  }
  EXPECT_TRUE(slow->finished() && fast->finished());
  EXPECT_TRUE(slow->end_status().is_ok()) << slow->end_status().to_string();
  // How many rounds stall depends on how much the kernel's socket buffers absorb
  // (much more when the sender is slow, as under sanitizers); at least one must.
  EXPECT_GE(slow->stalls(), 1u) << "the slow consumer never paused the connection";
  EXPECT_EQ(gateway_->events_sent(), 2 * kEventsPerSubscription);
  const ClientStats stats = client->stats();
  EXPECT_EQ(stats.discarded_frames, 0u);
  EXPECT_EQ(stats.event_frames, slow->frames_delivered() + fast->frames_delivered());
  EXPECT_GE(stats.stalls, slow->stalls());
}

TEST_P(ClientEventsTest, UnsubscribingLiftsAStallAndTheConnectionGoesOn) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  uint64_t subscription_id = 0;
  auto stuck = subscribe(*client, session, 4, &subscription_id);
  ASSERT_TRUE(stuck);
  gateway_->stream_events(subscription_id, 100'000, kEventsPerFrame);
  ASSERT_TRUE(wait_for([&] { return stuck->stalls() >= 1; })) << "nobody polls: the ring fills and reading stops";

  auto unsubscribed = client->unsubscribe(subscription_id);
  ASSERT_TRUE(ready_within(unsubscribed)) << "the answer is read once the stall is lifted";
  EXPECT_TRUE(unsubscribed.get().ok());
  EXPECT_TRUE(stuck->ended());
  EXPECT_EQ(stuck->poll(100, [](EventFrame&) {}), 4u) << "what was delivered stays readable";
  EXPECT_TRUE(stuck->finished());

  auto renewed = client->renew_lease(session);
  ASSERT_TRUE(ready_within(renewed));
  EXPECT_TRUE(renewed.get().ok());
}

TEST_P(ClientEventsTest, ResumedSubscriptionStartsWhereItAsked) {
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string session = open_session(*client);
  std::atomic<int> ready_calls{0};
  SubscribeOptions options;
  options.resume = true;
  options.resume_from_seq = 42;
  options.on_ready = [&] { ready_calls.fetch_add(1, std::memory_order_relaxed); };
  auto future = client->subscribe(session, options);
  ASSERT_TRUE(ready_within(future));
  Result<Subscribed> subscribed = future.get();
  ASSERT_TRUE(subscribed.ok());
  EXPECT_EQ(subscribed.value.next_seq, 42u);

  Checker check;
  check.subscription_id = subscribed.value.subscription_id;
  check.next_seq = 42;
  gateway_->stream_events(check.subscription_id, 1000, 100);
  auto& events = *subscribed.value.events;
  ASSERT_TRUE(wait_for([&] {
    events.poll(16, [&](EventFrame& frame) { check.on_frame(frame); });
    return check.received.load() == 1000;
  }));
  EXPECT_EQ(check.errors, 0u);
  EXPECT_EQ(check.next_seq, 1042u);
  EXPECT_GE(ready_calls.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Transports, ClientEventsTest, ::testing::Bool(), transport_name);

}  // namespace
}  // namespace mxgw::client::testing
