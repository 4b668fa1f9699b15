// Embedded-mode delivery: one session's event batches from the Distributor to
// consumer threads that busy-poll their subscriptions, against
// moodycamel::ReaderWriterQueue carrying the same events, in the same run.
//
// What moves: real EventBatch frames (sample_event_batch: N numeric DataChange
// structs, N = 64 or 1, built with the real builders), 256 of them framed as a worker
// writes them and read back once by the shard's FrameDecoder in 64 KiB reads, so
// that they share slabs as a session's frames do, each verified; the producer
// publishes them round robin. Every consumer reads every change of every batch: it
// checks that each batch's sequence number continues the last one and that each
// change is the one expected at its position, and sums the values (checked at the
// end), so nothing can be skipped unnoticed.
//
// Carriers, one row each, the same producer thread and consumer threads:
//   mxgw       Distributor::publish (sequencing, the replay window, metrics, lossless
//              backpressure through Hooks::pause/resume and room_for) into one
//              Subscription per consumer; the consumer's Subscription::poll reads
//              each batch in place.
//   mxgw_capi  the same producer, and each delivery rings a Doorbell as embedded
//              mode's subscriptions do; the consumer calls mxgw_poll/mxgw_release on
//              an mxgw_subscription over embedded mode's own source
//              (capi::EmbeddedSource). Embedded mode's public calls open sessions
//              only with mxgw-worker processes behind them, whose pace and frames
//              the benchmark cannot set, so the handle is made here, over a
//              subscription this benchmark feeds.
//   rwq_batch  one ReaderWriterQueue<Delivery> per consumer carrying the same
//              deliveries (first sequence number, count, stamp, frame reference):
//              the bare transport, with none of the distributor's work.
//   rwq_event  one ReaderWriterQueue per consumer carrying each change on its own
//              (the 32-byte struct copied out of the frame, and a stamp): a queue of
//              events, what the ring benchmark's items/s stand for.
// The rings and the batch queues have 4096 slots (the engine's default subscriber
// ring); an event queue has 4096 slots per change in a batch, so that every carrier
// holds as many events.
//
// Modes:
//   saturate  the producer publishes as fast as the consumers take; lossless (mxgw
//             pauses on a full ring and resumes when its consumer frees room; the
//             reference queues spin on a full queue). Latency here is mostly time
//             spent queued.
//   handoff   one batch in flight: the producer publishes, waits until every
//             consumer has read it, and publishes the next, so latency is the
//             handoff to a consumer already polling an empty ring.
//
// Rows are named <carrier>/<mode>/batch:N/consumers:M; after the table, each mxgw
// row's real time is given as a ratio to its rwq_batch row (the same events per
// iteration), the like-for-like comparison.
//
// Counters: events_per_s is what each consumer reads per second (every consumer
// reads every event), total_events_per_s sums over the consumers. p50_ns, p99_ns,
// p999_ns: the producer stamps each batch as it publishes (the time-stamp counter,
// carried as the delivery's gateway time, or in a batch's first change for
// rwq_event); the consumer reads the counter again when the batch is handed to it
// and records the difference (every batch in handoff, every eighth in saturate) in
// engine::Histogram's buckets (within 6.25 %).
//
// 1 and 8 consumers, each its own thread, busy-polling (a pause per empty poll, a
// yield every 256). With one consumer, the producer and the consumer are pinned to
// two different CPUs (when the process may use two), as a busy-polling consumer
// owns a core; the machine's other load still shares those cores (`pinned` says
// whether it was done). Eight consumers and a producer on two cores are not pinned
// and are oversubscribed: their rows say what the scheduler allows.
//
// Reading the numbers on a shared machine: when other work takes a consumer's core,
// the producer fills the ring and waits, so a saturated carrier moves about one
// ring's worth of events per scheduling slice, whatever its cost per event; the
// rows of one run share that load and compare, single numbers do not.

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/frame_verifier.h>

#include "bench/delivery_carriers.h"
#include "bench/reference_ratios.h"
#include "bench/sample_frames.h"
#include "bench/tick_clock.h"

namespace mxgw::bench {
namespace {

constexpr size_t kFramePool = 256;
constexpr size_t kReadBytes = 64u << 10;                 // per read from the worker's socket
constexpr uint64_t kSaturateEvents = uint64_t{1} << 21;  // per iteration
constexpr uint64_t kHandoffs = 1024;                     // per iteration
constexpr uint64_t kSaturateSampleMask = 7;              // every eighth batch

enum class Mode { Saturate, Handoff };

// How far a consumer has read, on its own cache line; a count only, so relaxed
// both ways (the producer compares it, and reads the Reader itself after join()).
struct alignas(transport::kCacheLineSize) Progress {
  std::atomic<uint64_t> events{0};
};

// The CPUs this process may run on.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Pins the producer (the calling thread) for its lifetime, then lets it run anywhere
// it could before.
class PinnedProducer {
 public:
  explicit PinnedProducer(int cpu) {
    pthread_getaffinity_np(pthread_self(), sizeof before_, &before_);
    pin_to(cpu);
  }
  ~PinnedProducer() { pthread_setaffinity_np(pthread_self(), sizeof before_, &before_); }
  PinnedProducer(const PinnedProducer&) = delete;
  PinnedProducer& operator=(const PinnedProducer&) = delete;

 private:
  cpu_set_t before_;
};

// The pool of frames, or nothing if one of them fails to decode or verify.
std::vector<transport::SharedBytes> frame_pool(uint32_t changes) {
  const transport::SharedBytes batch = sample_event_batch(static_cast<int>(changes));
  std::vector<std::byte> stream;
  for (size_t i = 0; i < kFramePool; ++i) append_frame(stream, transport::FrameKind::Events, batch.bytes());
  transport::FrameDecoder decoder;
  transport::Frame frame;
  std::vector<transport::SharedBytes> frames;
  for (size_t at = 0; at < stream.size();) {
    const std::span<std::byte> buffer = decoder.read_buffer();
    const size_t n = std::min({buffer.size(), kReadBytes, stream.size() - at});
    if (n == 0) return {};
    std::memcpy(buffer.data(), stream.data() + at, n);
    decoder.commit(n);
    at += n;
    while (decoder.next(&frame)) {
      if (!transport::verify_frame(frame).is_ok()) return {};
      frames.push_back(std::move(frame.payload));
    }
  }
  if (frames.size() != kFramePool) return {};
  return frames;
}

// What every consumer must have read, or why not.
std::string check(const std::vector<Reader>& readers, uint64_t published, uint32_t batch_events) {
  // Values are 0.25 * position: exact in a double at these counts.
  const double per_batch = 0.25 * batch_events * (batch_events - 1) / 2;
  for (const Reader& r : readers) {
    if (r.errors) return std::to_string(r.errors) + " batches or changes out of sequence";
    if (r.events != published) return std::to_string(r.events) + " of " + std::to_string(published) + " events read";
    if (r.sum != per_batch * static_cast<double>(published / batch_events)) return "the values do not add up";
  }
  return {};
}

template <typename Carrier>
void BM_Deliver(benchmark::State& state, Mode mode) {
  const auto batch_events = static_cast<uint32_t>(state.range(0));
  const auto consumers = static_cast<size_t>(state.range(1));
  const std::vector<transport::SharedBytes> frames = frame_pool(batch_events);
  if (frames.empty()) {
    state.SkipWithError("the sample frames do not decode and verify");
    return;
  }
  Carrier carrier(consumers, batch_events);
  std::vector<Reader> readers(consumers, Reader(batch_events, mode == Mode::Saturate ? kSaturateSampleMask : 0));
  std::unique_ptr<Progress[]> progress(new Progress[consumers]);
  std::atomic<bool> stop{false};  // relaxed: orders nothing, join() does
  const std::vector<int> cpus = allowed_cpus();
  const bool pinned = consumers == 1 && cpus.size() >= 2;
  std::optional<PinnedProducer> pin_producer;
  if (pinned) pin_producer.emplace(cpus[0]);

  std::vector<std::thread> threads;
  for (size_t c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      if (pinned) pin_to(cpus[1]);
      unsigned spins = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (carrier.poll(c, readers[c]) == 0) {
          backoff(spins);
          continue;
        }
        progress[c].events.store(readers[c].events, std::memory_order_relaxed);
      }
    });
  }

  uint64_t published = 0;
  size_t next_frame = 0;
  auto publish = [&] {
    carrier.publish(frames[next_frame++ % kFramePool], batch_events, ticks());
    published += batch_events;
  };
  auto wait_until_read = [&] {
    for (size_t c = 0; c < consumers; ++c) {
      unsigned spins = 0;
      while (progress[c].events.load(std::memory_order_relaxed) < published) backoff(spins);
    }
  };
  for (auto _ : state) {
    if (mode == Mode::Saturate) {
      for (uint64_t b = 0; b < kSaturateEvents / batch_events; ++b) publish();
      wait_until_read();
    } else {
      for (uint64_t h = 0; h < kHandoffs; ++h) {
        publish();
        wait_until_read();
      }
    }
  }
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : threads) t.join();

  if (const std::string wrong = check(readers, published, batch_events); !wrong.empty()) {
    state.SkipWithError(wrong.c_str());
    return;
  }
  Latencies latency;
  for (const Reader& r : readers) latency.add(r.latency);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(published), benchmark::Counter::kIsRate);
  state.counters["total_events_per_s"] =
      benchmark::Counter(static_cast<double>(published * consumers), benchmark::Counter::kIsRate);
  state.counters["p50_ns"] = latency.percentile_ns(0.50);
  state.counters["p99_ns"] = latency.percentile_ns(0.99);
  state.counters["p999_ns"] = latency.percentile_ns(0.999);
  state.counters["pinned"] = pinned ? 1 : 0;
}

template <typename Carrier>
void add(Mode mode, int64_t batch_events, int64_t consumers) {
  const std::string name = std::string(Carrier::kName) + (mode == Mode::Saturate ? "/saturate" : "/handoff");
  benchmark::RegisterBenchmark(name.c_str(), BM_Deliver<Carrier>, mode)
      ->Args({batch_events, consumers})
      ->ArgNames({"batch", "consumers"})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace mxgw::bench

int main(int argc, char** argv) {
  using namespace mxgw::bench;
  calibrate_ticks();
  // Side by side: for each mode, batch size and number of consumers, the four carriers.
  for (Mode mode : {Mode::Saturate, Mode::Handoff}) {
    for (int64_t batch : {64, 1}) {
      for (int64_t consumers : {1, 8}) {
        add<DistributorCarrier>(mode, batch, consumers);
        add<CapiCarrier>(mode, batch, consumers);
        add<RwqBatchCarrier>(mode, batch, consumers);
        add<RwqEventCarrier>(mode, batch, consumers);
      }
    }
  }
  return run_with_reference_ratios(&argc, argv, std::string(DistributorCarrier::kName) + "/",
                                   std::string(RwqBatchCarrier::kName) + "/");
}
