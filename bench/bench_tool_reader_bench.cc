// mxgw-bench's own reading speed: its consumer's read_batch (tools/mxgw-bench/
// change_reader.h), on one core, over real numeric event batches, so that a run of
// the load generator is known to measure the gateway and not itself. Every change
// is read and checked (its server handle), every batch's sequence number followed.
// Taking the batches out of a subscription (mxgw_poll) is measured separately, by
// bench_embedded_delivery's mxgw_capi rows.

#include <benchmark/benchmark.h>

#include <mxgw/mxgw.h>
#include <mxgw/transport/frame_verifier.h>

#include <vector>

#include "bench/sample_frames.h"
#include "tools/mxgw-bench/change_reader.h"

namespace mxgw::bench {
namespace {

constexpr int kBatches = 256;

void BM_BenchToolReader(benchmark::State& state) {
  const int changes = static_cast<int>(state.range(0));
  std::vector<transport::SharedBytes> frames;
  std::vector<mxgw_batch> views(kBatches);
  for (int b = 0; b < kBatches; ++b) frames.push_back(sample_event_batch(changes));
  for (int b = 0; b < kBatches; ++b) {
    const proto::EventBatch* batch = transport::event_batch(frames[b]);
    mxgw_batch& view = views[b];
    view.event_count = static_cast<uint32_t>(changes);
    view.worker_time_ns = batch->worker_time_ns();
    view.numeric = reinterpret_cast<const mxgw_numeric_change*>(batch->changes()->data());
    view.numeric_count = batch->changes()->size();
    view.internal = batch;
  }
  FollowedSubscription followed{nullptr, 1, 0};  // the sample batches' server handle
  ReadTotals totals;
  uint64_t next_seq = 1;
  for (auto _ : state) {
    for (mxgw_batch& view : views) {
      view.first_seq = next_seq;
      next_seq += static_cast<uint64_t>(changes);
      read_batch(view, followed, totals);
    }
  }
  if (totals.invalid != 0 || totals.missing != 0) state.SkipWithError("the reader found invalid or missing changes");
  benchmark::DoNotOptimize(totals.checksum);
  state.SetItemsProcessed(static_cast<int64_t>(totals.changes));
  state.counters["changes_per_s"] =
      benchmark::Counter(static_cast<double>(totals.changes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BenchToolReader)->Arg(64)->Arg(512);

}  // namespace
}  // namespace mxgw::bench
