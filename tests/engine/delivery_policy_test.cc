// Delivery policies and resume, with real workers: what a slow subscriber receives
// under each policy must account for every sequence number exactly once — delivered,
// or inside exactly one announced gap — and the counts in metrics must match.

#include "tests/engine/delivery_fixture.h"

namespace mxgw::testing {
namespace {

using proto::DeliveryPolicy;
using proto::GapReason;

class DeliveryPolicyTest : public DeliveryFixture {};

TEST_F(DeliveryPolicyTest, DropOldestAnnouncesExactlyWhatWasLost) {
  engine::EngineConfig config = test_config();
  config.subscriber_ring_capacity = 4;
  start(config);
  const std::string id = busy_session(200);
  auto slow = subscribe(kAlice, id, {.policy = DeliveryPolicy::DropOldest});
  stream(id, 200);
  const uint64_t target = next_seq_of(id) + 20'000;
  ASSERT_TRUE(eventually([&] { return next_seq_of(id) > target; }));  // the ring overflowed long ago
  Ledger ledger;
  // The gap is announced as soon as the drained ring has room for it.
  ASSERT_TRUE(eventually([&] {
    drain(*slow, ledger);
    return ledger.gapped[GapReason::DroppedSlowSubscriber] > 0;
  }));
  EXPECT_EQ(ledger.breaks, 0u);
  EXPECT_LE(ledger.gapped[GapReason::DroppedSlowSubscriber], manager_->metrics_snapshot().dropped_events);
  // Catching up, it receives live data again.
  const uint64_t before = ledger.delivered;
  ASSERT_TRUE(eventually([&] {
    drain(*slow, ledger);
    return ledger.delivered > before + 1000;
  }));
  EXPECT_EQ(ledger.breaks, 0u);
  // Every drop was announced: what the metrics count is what the gaps covered.
  manager_->unsubscribe(id, slow->id());
  ASSERT_TRUE(eventually([&] {
    drain(*slow, ledger);
    return slow->ended();
  }));
  EXPECT_EQ(ledger.gapped[GapReason::DroppedSlowSubscriber], manager_->metrics_snapshot().dropped_events);
}

// Drop-oldest discards the oldest of what a stalled subscriber is owed: when it
// comes back it gets what its ring already held, the Gap, and then the newest
// deliveries, up to the last event the session published.
TEST_F(DeliveryPolicyTest, DropOldestHandsAStalledSubscriberTheNewestEvents) {
  engine::EngineConfig config = test_config();
  config.subscriber_ring_capacity = 4;
  start(config);
  const std::string id = busy_session(50);
  auto slow = subscribe(kAlice, id, {.policy = DeliveryPolicy::DropOldest});
  stream(id, 50);
  const uint64_t target = next_seq_of(id) + 20'000;
  ASSERT_TRUE(eventually([&] { return next_seq_of(id) > target; }));
  // Ending the session ends the stream; what the subscriber is owed follows its ring.
  ASSERT_TRUE(close(kAlice, id).status.is_ok());
  Ledger ledger;
  ledger.expected = slow->start_seq();
  ASSERT_TRUE(eventually([&] {
    drain(*slow, ledger);
    return slow->ended();
  }));
  EXPECT_EQ(ledger.breaks, 0u) << "every number delivered once or inside one announced gap";
  EXPECT_GT(ledger.gapped[GapReason::DroppedSlowSubscriber], 10'000u);
  EXPECT_GT(ledger.data_since_gap, 0u) << "the newest events were discarded, not the oldest";
  const engine::MetricsSnapshot metrics = manager_->metrics_snapshot();
  EXPECT_EQ(ledger.gapped[GapReason::DroppedSlowSubscriber], metrics.dropped_events);
  EXPECT_EQ(metrics.pending_events, 0u);
  EXPECT_EQ(metrics.abandoned_events, 0u);
}

TEST_F(DeliveryPolicyTest, ConflateKeepsTheNewestValueOfEveryItem) {
  engine::EngineConfig config = test_config();
  config.subscriber_ring_capacity = 4;
  start(config);
  const std::string id = busy_session(50);
  auto slow = subscribe(kAlice, id, {.policy = DeliveryPolicy::Conflate});
  stream(id, 50);
  // Lossless after the commands: a lossless subscriber that does not read holds the
  // worker's stream, replies included.
  auto witness = subscribe(kAlice, id, {.policy = DeliveryPolicy::Lossless});
  Ledger lossless;
  Ledger conflated;
  // The witness keeps up; the slow one does not read until many slots have passed.
  const uint64_t target = next_seq_of(id) + 20'000;
  ASSERT_TRUE(eventually([&] {
    drain(*witness, lossless);
    return lossless.expected > target;
  }));
  ASSERT_TRUE(eventually([&] {
    drain(*slow, conflated);
    drain(*witness, lossless);
    return conflated.gapped[GapReason::Conflated] > 0;
  }));
  EXPECT_EQ(conflated.breaks, 0u);
  // One value per item at most in each conflated batch, and the newest values seen
  // by the slow subscriber are never older than what the witness saw at that point.
  EXPECT_GT(conflated.conflated_values, 0u);
  for (const auto& [item, value] : conflated.newest) EXPECT_LE(value, lossless.newest[item]) << "item " << item;
  EXPECT_EQ(lossless.breaks, 0u);
  EXPECT_GT(manager_->metrics_snapshot().conflated_events, 0u);
}

TEST_F(DeliveryPolicyTest, DisconnectEndsOnlyTheSlowSubscriber) {
  engine::EngineConfig config = test_config();
  config.subscriber_ring_capacity = 4;
  start(config);
  const std::string id = busy_session(50);
  auto slow = subscribe(kAlice, id, {.policy = DeliveryPolicy::Disconnect});
  stream(id, 50);
  auto healthy = subscribe(kAlice, id);
  Ledger kept;
  ASSERT_TRUE(eventually([&] {
    drain(*healthy, kept);
    return slow->disconnected();
  }));
  EXPECT_EQ(manager_->metrics_snapshot().slow_disconnects, 1u);
  Ledger dropped;
  drain(*slow, dropped);
  EXPECT_TRUE(slow->ended());
  const uint64_t before = kept.delivered;
  ASSERT_TRUE(eventually([&] {
    drain(*healthy, kept);
    return kept.delivered > before + 1000;
  }));
  EXPECT_EQ(kept.breaks, 0u);
  EXPECT_EQ(list(kAlice)[0].subscribers, 1u);
}

TEST_F(DeliveryPolicyTest, ResumeWithinTheWindowHasNoGapAndNoDuplicate) {
  start(test_config());
  const std::string id = busy_session(20);
  stream(id, 20);
  auto first = subscribe(kAlice, id);
  Ledger before;
  ASSERT_TRUE(eventually([&] {
    drain(*first, before);
    return before.delivered > 5'000;
  }));
  const uint64_t resume_at = before.expected;
  manager_->unsubscribe(id, first->id());
  // Let the session run on before coming back.
  const uint64_t later = next_seq_of(id) + 5'000;
  ASSERT_TRUE(eventually([&] { return next_seq_of(id) > later; }));
  auto resumed = subscribe(kAlice, id, {.resume_from = resume_at});
  EXPECT_EQ(resumed->start_seq(), resume_at);
  Ledger after;
  bool first_delivery_checked = false;
  ASSERT_TRUE(eventually([&] {
    resumed->poll(SIZE_MAX, [&](const engine::Delivery& d) {
      if (!first_delivery_checked) {
        // The first batch holds the resume point; the client skips what precedes it.
        EXPECT_LE(d.first_seq, resume_at);
        EXPECT_GT(d.first_seq + d.count, resume_at);
        EXPECT_NE(d.flags & static_cast<uint32_t>(proto::ClientEventFlags::Replayed), 0u);
        first_delivery_checked = true;
      }
      after.take(d);
    });
    return after.expected > later + 1'000;
  }));
  EXPECT_EQ(after.breaks, 0u);
  EXPECT_TRUE(after.gapped.empty());
}

TEST_F(DeliveryPolicyTest, ResumeBeyondTheWindowStartsWithAGapOfExactlyWhatIsGone) {
  engine::EngineConfig config = test_config();
  config.replay_window_events = 2'000;
  start(config);
  const std::string id = busy_session(20);
  stream(id, 20);
  ASSERT_TRUE(eventually([&] { return next_seq_of(id) > 20'000; }));
  auto resumed = subscribe(kAlice, id, {.resume_from = 1});
  Ledger ledger;
  ASSERT_TRUE(eventually([&] {
    drain(*resumed, ledger);
    return ledger.delivered > 3'000;
  }));
  EXPECT_EQ(ledger.breaks, 0u);
  ASSERT_EQ(ledger.gapped.size(), 1u);
  EXPECT_GT(ledger.gapped[GapReason::OutsideReplayWindow], 15'000u);
  const auto future = manager_->metrics().opened.load();  // the session is still healthy
  EXPECT_EQ(future, 1u);
}

TEST_F(DeliveryPolicyTest, ResumeFromTheFutureIsRefused) {
  start(test_config());
  const std::string id = busy_session(1);
  auto promise = std::make_shared<std::promise<Status>>();
  manager_->subscribe(kAlice, id, {.resume_from = 1'000'000'000}, {},
                      [promise](const Status& s, std::shared_ptr<engine::Subscription>) { promise->set_value(s); });
  EXPECT_EQ(await(promise->get_future()).code(), ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace mxgw::testing
