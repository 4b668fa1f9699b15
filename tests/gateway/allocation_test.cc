// Proves that the publish-to-deliver path allocates per frame at most, never per
// event: this binary counts every operator new in the process (gateway shards and
// client alike) while a real worker streams counters through the gateway to a real
// client that reads every change.

#include <atomic>

#include "tests/gateway/gateway_fixture.h"
#include "tests/support/counting_new.h"

namespace mxgw::testing {
namespace {

class AllocationTest : public GatewayFixture {};

TEST_F(AllocationTest, SteadyStateDeliveryDoesNotAllocatePerEvent) {
  start();
  auto c = connect(alice_key_);
  const auto opened = await(c->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:2000"}}}));
  ASSERT_TRUE(opened.ok());
  const auto subscribed = await(c->subscribe(opened.value.session_id));
  ASSERT_TRUE(subscribed.ok());
  stream_counters(*c, opened.value.session_id, 2000);

  uint64_t events = 0;
  uint64_t frames = 0;
  double checksum = 0;
  auto consume_until = [&](uint64_t target) {
    while (events < target) {
      subscribed.value.events->wait_for(std::chrono::seconds(1));
      subscribed.value.events->poll(SIZE_MAX, [&](client::EventFrame& f) {
        if (const auto* changes = f.batch().changes()) {
          for (const proto::DataChange* change : *changes) checksum += change->value();
        }
        events += f.count;
        ++frames;
      });
    }
  };
  consume_until(200'000);  // warm-up: rings, slabs, queues reach their working size
  const uint64_t allocations_before = operator_new_calls();
  const uint64_t events_before = events;
  const uint64_t frames_before = frames;
  consume_until(events_before + 1'000'000);
  const uint64_t allocations = operator_new_calls() - allocations_before;
  const double per_event = static_cast<double>(allocations) / static_cast<double>(events - events_before);
  const double per_frame = static_cast<double>(allocations) / static_cast<double>(frames - frames_before);
  RecordProperty("allocations_per_event", std::to_string(per_event));
  RecordProperty("allocations_per_frame", std::to_string(per_frame));
  std::printf("%lu allocations for %lu events in %lu frames: %.5f per event, %.2f per frame\n",
              static_cast<unsigned long>(allocations), static_cast<unsigned long>(events - events_before),
              static_cast<unsigned long>(frames - frames_before), per_event, per_frame);
  // A frame carries up to 2048 events; allocating per event would show as >= 1.
  EXPECT_LT(per_event, 0.01);
  EXPECT_GT(checksum, 0);
}

}  // namespace
}  // namespace mxgw::testing
