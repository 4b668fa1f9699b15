// The sim backend's generator: one Scheduler poll emitting one update of each of
// 1,000 items at 1 ms, a quarter each counters, ramps, sines and random walks.

#include <cstdio>
#include <vector>

#include "bench/gate/cases.h"
#include "worker/sim/scheduler.h"

namespace mxgw::gate {
namespace {

constexpr int64_t kMs = 1'000'000;

class NoStrings : public sim::StringSink {
 public:
  void on_string_change(const sim::StringChange&) override { fail("sim: a numeric tag produced a string"); }
};

}  // namespace

void sim_generator(Meter& meter) {
  constexpr int kEach = 250;
  constexpr const char* kTags[][2] = {{"Line", "Counter"}, {"Valve", "Position"}, {"Tank", "Level"}, {"Pump", "Speed"}};
  sim::SimOptions options;
  options.seed = 1;
  options.period_override_ns = kMs;
  options.tags.instances.fill(kEach);
  const sim::Galaxy galaxy(options.tags);
  sim::Scheduler scheduler(options);
  int64_t now_ns = 1'795'000'000'000 * kMs;
  int32_t handle = 0;
  for (const auto& [type, attribute] : kTags) {
    for (int i = 0; i < kEach; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%s_%03d.%s", type, i, attribute);
      sim::TagId tag;
      if (!galaxy.resolve(name, &tag).ok() || !scheduler.add({1, ++handle}, tag, now_ns)) {
        fail("sim: a tag did not resolve");
      }
    }
  }
  std::vector<proto::DataChange> out(static_cast<size_t>(handle));
  NoStrings strings;
  const Plan plan{.warmup = 2, .iterations = 100, .ops_per_iteration = out.size()};
  meter.measure(plan, [&] {
    if (scheduler.poll(now_ns, out, strings).numeric != out.size()) fail("sim: an item missed its update");
    now_ns += kMs;
  });
}

}  // namespace mxgw::gate
