// One routing step of a session's distributor: a batch published, a reference in
// every subscriber's ring, and every subscriber polling it and reading it in place.
// This is the publish-to-deliver path, so the gate also holds it to no allocation
// and no copy per event.
//
// The replay window keeps the engine's default limits; the warm-up fills it, so the
// measured steps are the steady state in which every step evicts one delivery.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <mxgw/transport/frame_verifier.h>

#include "bench/gate/cases.h"
#include "bench/sample_frames.h"
#include "engine/core/distributor.h"

namespace mxgw::gate {
namespace {

using engine::Delivery;
using engine::Distributor;
using engine::Subscription;

constexpr uint32_t kEventsPerBatch = 256;
constexpr size_t kRingCapacity = 4096;  // EngineConfig::subscriber_ring_capacity

void route(Meter& meter, int subscribers) {
  engine::ShardMetrics metrics;
  Distributor distributor({.pause = [] {}, .resume = [] {}}, engine::ReplayWindowLimits{}, metrics);
  std::vector<std::shared_ptr<Subscription>> subscriptions;
  for (int i = 0; i < subscribers; ++i) {
    subscriptions.push_back(std::make_shared<Subscription>(
        i + 1, "session-gate", proto::DeliveryPolicy::Lossless, 1, kRingCapacity, [] {}, Subscription::Signal{}));
    if (!distributor.add(subscriptions.back(), std::nullopt).is_ok()) fail("route: subscriber refused");
  }
  const transport::SharedBytes batch = bench::sample_event_batch(kEventsPerBatch);
  int64_t now_ns = 1'795'000'000'000'000'000;
  uint64_t read = 0;
  auto consume = [&](const Delivery& d) { read += transport::event_batch(d.batch)->changes()->size(); };

  const Plan plan{.warmup = engine::ReplayWindowLimits{}.max_events / kEventsPerBatch + 100,
                  .iterations = 1'000,
                  .events_per_iteration = kEventsPerBatch};
  meter.measure(plan, [&] {
    distributor.publish(batch, kEventsPerBatch, now_ns);
    for (const auto& subscription : subscriptions) subscription->poll(SIZE_MAX, consume);
    now_ns += 1'000'000;
  });
  if (read != (plan.warmup + plan.iterations) * kEventsPerBatch * static_cast<uint64_t>(subscribers)) {
    fail("route: a subscriber missed events");
  }
}

}  // namespace

void route_1(Meter& meter) { route(meter, 1); }
void route_8(Meter& meter) { route(meter, 8); }
void route_64(Meter& meter) { route(meter, 64); }

}  // namespace mxgw::gate
