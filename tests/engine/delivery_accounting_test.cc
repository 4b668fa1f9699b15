// Every event routed to a subscriber is counted exactly once: with real workers and
// subscribers of every policy, routed == out + dropped + conflated + abandoned +
// pending holds mid-stream (read on the shard thread, where the counts are written)
// and once the session has ended, and out is what the subscribers received.

#include <future>
#include <vector>

#include "engine/core/shard.h"
#include "tests/engine/delivery_fixture.h"

namespace mxgw::testing {
namespace {

using proto::DeliveryPolicy;

class DeliveryAccountingTest : public DeliveryFixture {
 protected:
  // One shard holds the session, so the snapshot read there is exact.
  engine::MetricsSnapshot snapshot_on_shard() {
    std::promise<engine::MetricsSnapshot> taken;
    manager_->shard(0).post([&] { taken.set_value(manager_->metrics_snapshot()); });
    return await(taken.get_future());
  }
};

void expect_identity(const engine::MetricsSnapshot& m) {
  EXPECT_EQ(m.events_routed,
            m.events_out + m.dropped_events + m.conflated_events + m.abandoned_events + m.pending_events)
      << "routed " << m.events_routed << ", out " << m.events_out << ", dropped " << m.dropped_events << ", conflated "
      << m.conflated_events << ", abandoned " << m.abandoned_events << ", pending " << m.pending_events;
}

TEST_F(DeliveryAccountingTest, EveryRoutedEventIsCountedOnce) {
  engine::EngineConfig config = test_config();
  config.shards = 1;
  config.subscriber_ring_capacity = 4;
  start(config);
  const std::string id = busy_session(50);
  stream(id, 50);
  auto keeping_up = subscribe(kAlice, id);
  auto dropping = subscribe(kAlice, id, {.policy = DeliveryPolicy::DropOldest});
  auto conflating = subscribe(kAlice, id, {.policy = DeliveryPolicy::Conflate});
  auto disconnected = subscribe(kAlice, id, {.policy = DeliveryPolicy::Disconnect});
  std::vector<Ledger> ledgers(4);

  // Mid-stream, with the slow ones stalled: something is pending (a drop-oldest
  // backlog, a conflation), and nothing is lost to the count.
  bool saw_pending = false;
  for (int reading = 0; reading < 5; ++reading) {
    const uint64_t target = next_seq_of(id) + 2'000;
    ASSERT_TRUE(eventually([&] {
      drain(*keeping_up, ledgers[0]);
      return next_seq_of(id) > target;
    }));
    const engine::MetricsSnapshot m = snapshot_on_shard();
    expect_identity(m);
    saw_pending = saw_pending || m.pending_events > 0;
  }
  EXPECT_TRUE(saw_pending);

  // The slow ones read some, fall behind again, and the session ends.
  drain(*dropping, ledgers[1]);
  drain(*conflating, ledgers[2]);
  expect_identity(snapshot_on_shard());
  ASSERT_TRUE(close(kAlice, id).status.is_ok());
  engine::Subscription* subscriptions[] = {keeping_up.get(), dropping.get(), conflating.get(), disconnected.get()};
  ASSERT_TRUE(eventually([&] {
    bool all_ended = true;
    for (size_t i = 0; i < 4; ++i) {
      drain(*subscriptions[i], ledgers[i]);
      all_ended = all_ended && subscriptions[i]->ended();
    }
    return all_ended;
  }));

  const engine::MetricsSnapshot m = manager_->metrics_snapshot();
  expect_identity(m);
  EXPECT_EQ(m.pending_events, 0u);
  EXPECT_GT(m.dropped_events, 0u);
  EXPECT_GT(m.conflated_events, 0u);
  EXPECT_GT(m.abandoned_events, 0u) << "the disconnected subscriber was owed more";
  EXPECT_EQ(m.slow_disconnects, 1u);
  EXPECT_EQ(m.subscribers, 0u);
  // Out is what the subscribers received: sequenced events one by one, and the
  // values of each conflation.
  uint64_t received = 0;
  for (const Ledger& ledger : ledgers) {
    EXPECT_EQ(ledger.breaks, 0u);
    received += ledger.delivered + ledger.conflated_values;
  }
  EXPECT_EQ(m.events_out, received);
  EXPECT_EQ(m.dropped_events, ledgers[1].gapped[proto::GapReason::DroppedSlowSubscriber]);
}

}  // namespace
}  // namespace mxgw::testing
