// Throughput of the simulated galaxy: numeric changes per second that one
// Scheduler writes into a DataChange array, per generator, for 10,000 items
// updating every millisecond. Each iteration is one poll() that emits one slot of
// every item, as a worker's loop would once per millisecond.
//
// Read the counter "changes/s" (items_per_second). The worker as a whole must
// sustain 40 million numeric changes per second; generation is only part of it.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "worker/sim/scheduler.h"

namespace {

using mxgw::sim::Galaxy;
using mxgw::sim::PollResult;
using mxgw::sim::Scheduler;
using mxgw::sim::SimOptions;
using mxgw::sim::StringChange;
using mxgw::sim::StringSink;
using mxgw::sim::TagId;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'795'000'000'000 * kMs;

class CountingSink : public StringSink {
 public:
  void on_string_change(const StringChange& change) override { bytes += change.value.size(); }
  std::size_t bytes = 0;
};

// Items are <type>_000.<attribute> … <type>_<items-1>.<attribute>, all at 1 ms.
void run_scheduler(benchmark::State& state, const char* type, const char* attribute, bool quality_changes) {
  const auto items = static_cast<std::int32_t>(state.range(0));
  SimOptions options;
  options.seed = 1;
  options.period_override_ns = kMs;
  options.quality_changes = quality_changes;
  options.tags.instances.fill(static_cast<std::uint32_t>(items));
  const Galaxy galaxy(options.tags);
  Scheduler scheduler(options);
  for (std::int32_t i = 0; i < items; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%s_%03d.%s", type, static_cast<int>(i), attribute);
    TagId tag;
    if (!galaxy.resolve(name, &tag).ok() || !scheduler.add({1, i + 1}, tag, kT0)) {
      state.SkipWithError(name);
      return;
    }
  }
  std::vector<mxgw::proto::DataChange> out(static_cast<std::size_t>(items));
  CountingSink strings;
  std::int64_t now = kT0;
  std::size_t changes = 0;
  for (auto _ : state) {
    const PollResult r = scheduler.poll(now, out, strings);
    changes += r.numeric + r.strings;
    benchmark::DoNotOptimize(out.data());
    now += kMs;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(changes));
  state.counters["changes/s"] = benchmark::Counter(static_cast<double>(changes), benchmark::Counter::kIsRate);
}

void BM_Counter(benchmark::State& s) { run_scheduler(s, "Line", "Counter", false); }
void BM_Ramp(benchmark::State& s) { run_scheduler(s, "Valve", "Position", false); }
void BM_Sine(benchmark::State& s) { run_scheduler(s, "Tank", "Level", false); }
void BM_RandomWalk(benchmark::State& s) { run_scheduler(s, "Pump", "Speed", false); }
void BM_Toggle(benchmark::State& s) { run_scheduler(s, "Valve", "Open", false); }
void BM_SineWithQualityChanges(benchmark::State& s) { run_scheduler(s, "Tank", "Level", true); }
void BM_Text(benchmark::State& s) { run_scheduler(s, "Tank", "Product", false); }

BENCHMARK(BM_Counter)->Arg(10'000);
BENCHMARK(BM_Ramp)->Arg(10'000);
BENCHMARK(BM_Sine)->Arg(10'000);
BENCHMARK(BM_RandomWalk)->Arg(10'000);
BENCHMARK(BM_Toggle)->Arg(10'000);
BENCHMARK(BM_SineWithQualityChanges)->Arg(10'000);
BENCHMARK(BM_Text)->Arg(10'000);
BENCHMARK(BM_Counter)->Arg(100'000);

}  // namespace

BENCHMARK_MAIN();
