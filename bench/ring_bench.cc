// Measures cross-thread throughput of SpscRing against the reference single-producer
// single-consumer queue, moodycamel::ReaderWriterQueue, in the same run and with the
// same workload: a producer (the benchmark thread) hands items to a consumer thread
// through the queue, and the consumer checks every item's sequence number, so nothing
// can be skipped or reordered unnoticed.
//
// Two item types: 8-byte sequence numbers, and frame references (SharedBytes, 16
// bytes) that slice one slab, so every item costs a reference increment on the
// producer side and a decrement on the consumer side, on one shared count, as when a
// distributor fans one frame out. Two capacities: 1024 and 65536 items. The
// ReaderWriterQueue is asked for the same capacity; it guarantees at least that many
// slots and may hold more, so the slots it actually holds are reported as
// `capacity`.
//
// One iteration moves kItemsPerIteration items end to end: the consumer thread starts,
// the producer pushes them all, and the iteration ends when the consumer has checked
// the last one, so the time covers the whole transfer on both sides (wall clock).
// Nothing is pinned; on a busy two-core machine expect noise, and compare the two
// queues within one run: the ratios printed at the end do.

#include <benchmark/benchmark.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

#include "bench/reference_ratios.h"

namespace {

using mxgw::transport::SharedBytes;
using mxgw::transport::Slab;
using mxgw::transport::SpscRing;

constexpr uint64_t kItemsPerIteration = uint64_t{1} << 21;

// The same wait for both queues: spin politely, and yield now and then so that a side
// that has lost its core to another process gets it back soon.
inline void backoff(unsigned& spins) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  if (++spins % 256 == 0) std::this_thread::yield();
}

// ---- the two queues behind one interface ----

template <typename T>
struct Ring {
  static constexpr const char* kName = "SpscRing";
  explicit Ring(size_t capacity) : q(capacity) {}
  bool push(T&& item) { return q.try_push(std::move(item)); }
  bool pop(T& out) { return q.try_pop(out); }
  SpscRing<T> q;
};

template <typename T>
struct Rwq {
  static constexpr const char* kName = "ReaderWriterQueue";
  explicit Rwq(size_t capacity) : q(capacity) {}
  // try_enqueue never allocates: a full queue refuses, as the ring does.
  bool push(T&& item) { return q.try_enqueue(std::move(item)); }
  bool pop(T& out) { return q.try_dequeue(out); }
  moodycamel::ReaderWriterQueue<T> q;
};

// ---- the two item types: how to make item i, and how to check it ----

struct Sequence {
  using T = uint64_t;
  static constexpr const char* kName = "u64";
  T make(uint64_t i) const { return i; }
  bool check(const T& item, uint64_t i) const { return item == i; }
};

struct FrameRef {
  using T = SharedBytes;
  static constexpr const char* kName = "frame_ref";
  // One slab of numbered 8-byte slots; item i references slot i % kSlots.
  static constexpr uint64_t kSlots = 4096;

  FrameRef() {
    Slab* slab = Slab::create(kSlots * sizeof(uint64_t));
    for (uint64_t j = 0; j < kSlots; ++j) std::memcpy(slab->data() + j * sizeof j, &j, sizeof j);
    whole = SharedBytes::adopt(slab, 0, kSlots * sizeof(uint64_t));
  }
  T make(uint64_t i) const { return whole.slice((i % kSlots) * sizeof(uint64_t), sizeof(uint64_t)); }
  bool check(const T& item, uint64_t i) const {
    uint64_t slot = ~uint64_t{0};
    if (item.size() == sizeof slot) std::memcpy(&slot, item.data(), sizeof slot);
    return slot == i % kSlots;
  }

  SharedBytes whole;
};

// How many items the queue takes before it refuses one (it is left empty).
template <typename Queue, typename Items>
size_t usable_capacity(Queue& queue, const Items& items) {
  size_t n = 0;
  while (queue.push(items.make(n))) ++n;
  typename Items::T out{};
  while (queue.pop(out)) {
  }
  return n;
}

template <template <typename> class QueueOf, typename Items>
void BM_Transfer(benchmark::State& state) {
  using T = typename Items::T;
  const Items items;
  QueueOf<T> queue(static_cast<size_t>(state.range(0)));
  const size_t capacity = usable_capacity(queue, items);
  uint64_t errors = 0;

  for (auto _ : state) {
    std::thread consumer([&] {
      unsigned spins = 0;
      T out{};
      uint64_t bad = 0;
      for (uint64_t i = 0; i < kItemsPerIteration; ++i) {
        while (!queue.pop(out)) backoff(spins);
        bad += !items.check(out, i);
      }
      errors += bad;  // read by this thread's joiner only
    });
    unsigned spins = 0;
    for (uint64_t i = 0; i < kItemsPerIteration; ++i) {
      T item = items.make(i);
      while (!queue.push(std::move(item))) backoff(spins);
    }
    consumer.join();
  }
  if (errors) state.SkipWithError((std::to_string(errors) + " items arrived out of sequence").c_str());
  state.counters["items/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kItemsPerIteration), benchmark::Counter::kIsRate);
  state.counters["capacity"] = static_cast<double>(capacity);
}

template <typename Items>
void register_pair(int64_t capacity) {
  const std::string suffix = Items::kName;  // the capacity follows as the argument
  benchmark::RegisterBenchmark((std::string(Ring<int>::kName) + "/" + suffix).c_str(), BM_Transfer<Ring, Items>)
      ->Arg(capacity)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((std::string(Rwq<int>::kName) + "/" + suffix).c_str(), BM_Transfer<Rwq, Items>)
      ->Arg(capacity)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  // Side by side: for each item type and capacity, the ring then the reference queue.
  for (int64_t capacity : {1024, 65536}) register_pair<Sequence>(capacity);
  for (int64_t capacity : {1024, 65536}) register_pair<FrameRef>(capacity);
  return mxgw::bench::run_with_reference_ratios(&argc, argv, Ring<int>::kName, Rwq<int>::kName);
}
