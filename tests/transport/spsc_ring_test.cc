// Proves SpscRing's contract: between one producer and one consumer thread every item
// arrives exactly once and in order (ten million sequence numbers through a
// 1024-slot ring that wraps about ten thousand times; frame references whose bytes the
// consumer reads); capacity rounds up to a power of two and is all usable; a full ring
// refuses a push without consuming the item and takes it after one pop; and a ring
// destroyed while holding items destroys each of them exactly once.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define MXGW_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define MXGW_TEST_SANITIZED 1
#endif
#endif

namespace mxgw::transport {
namespace {

#ifdef MXGW_TEST_SANITIZED
// Sanitizers slow every atomic access by an order of magnitude; a million items still
// wrap the ring a thousand times.
constexpr uint64_t kSequenced = 1'000'000;
constexpr uint64_t kReferences = 200'000;
#else
constexpr uint64_t kSequenced = 10'000'000;
constexpr uint64_t kReferences = 2'000'000;
#endif

// Waiting side of a spin loop: on a machine with fewer free cores than threads, give
// the other side the core instead of burning the time slice.
void backoff(unsigned& spins) {
  if (++spins % 64 == 0) std::this_thread::yield();
}

TEST(SpscRing, TenMillionSequencedItemsAcrossTwoThreads) {
  SpscRing<uint64_t> ring(1024);
  uint64_t mismatches = 0;
  uint64_t first_mismatch_at = 0;
  std::thread consumer([&] {
    unsigned spins = 0;
    for (uint64_t expected = 0; expected < kSequenced; ++expected) {
      uint64_t got = 0;
      // Both consumer forms: in place (front/pop) and by move (try_pop).
      if (expected % 2 == 0) {
        uint64_t* item;
        while (!(item = ring.front())) backoff(spins);
        got = *item;
        ring.pop();
      } else {
        while (!ring.try_pop(got)) backoff(spins);
      }
      if (got != expected && mismatches++ == 0) first_mismatch_at = expected;
    }
  });
  unsigned spins = 0;
  for (uint64_t i = 0; i < kSequenced; ++i) {
    while (!ring.try_push(i)) backoff(spins);
  }
  consumer.join();
  EXPECT_EQ(mismatches, 0u) << "first at item " << first_mismatch_at;
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.front(), nullptr);
}

TEST(SpscRing, FrameReferencesAcrossTwoThreads) {
  // Each reference is an 8-byte slice of a slab holding sequence numbers; the
  // producer drops its own reference to a slab as soon as it has pushed the slices,
  // so most slabs are freed by the consumer thread. The consumer reads the bytes, so
  // the ring's release/acquire must carry the producer's writes to it.
  constexpr uint32_t kPerSlab = 4096;
  const int64_t slabs_before = Slab::live_count();
  SpscRing<SharedBytes> ring(256);
  uint64_t mismatches = 0;
  std::thread consumer([&] {
    unsigned spins = 0;
    SharedBytes ref;
    for (uint64_t expected = 0; expected < kReferences; ++expected) {
      while (!ring.try_pop(ref)) backoff(spins);
      uint64_t value = ~uint64_t{0};
      if (ref.size() == sizeof value) std::memcpy(&value, ref.data(), sizeof value);
      if (value != expected) ++mismatches;
      ref.reset();
    }
  });
  unsigned spins = 0;
  for (uint64_t base = 0; base < kReferences; base += kPerSlab) {
    Slab* slab = Slab::create(kPerSlab * sizeof(uint64_t));
    ASSERT_NE(slab, nullptr);
    for (uint64_t j = 0; j < kPerSlab; ++j) {
      const uint64_t value = base + j;
      std::memcpy(slab->data() + j * sizeof value, &value, sizeof value);
    }
    const SharedBytes whole = SharedBytes::adopt(slab, 0, kPerSlab * sizeof(uint64_t));
    for (uint64_t j = 0; j < kPerSlab && base + j < kReferences; ++j) {
      SharedBytes ref = whole.slice(j * sizeof(uint64_t), sizeof(uint64_t));
      while (!ring.try_push(std::move(ref))) backoff(spins);
    }
  }
  consumer.join();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(Slab::live_count(), slabs_before) << "a slab outlived its last reference";
}

TEST(SpscRing, CapacityRoundsUpToAPowerOfTwoAndIsAllUsable) {
  const struct {
    size_t asked, got;
  } cases[] = {{0, 2}, {1, 2}, {2, 2}, {3, 4}, {5, 8}, {1000, 1024}, {1024, 1024}, {1025, 2048}};
  for (const auto& c : cases) {
    SpscRing<uint32_t> ring(c.asked);
    EXPECT_EQ(ring.capacity(), c.got) << "asked for " << c.asked;
    size_t pushed = 0;
    while (ring.try_push(static_cast<uint32_t>(pushed))) ++pushed;
    EXPECT_EQ(pushed, c.got) << "asked for " << c.asked;
    EXPECT_EQ(ring.size_approx(), c.got);
  }
}

TEST(SpscRing, FullRingRefusesWithoutTakingTheItemAndAcceptsAfterOnePop) {
  const int64_t slabs_before = Slab::live_count();
  {
    const SharedBytes frame = copy_to_slab(std::vector<std::byte>(24, std::byte{7}));
    SpscRing<SharedBytes> ring(4);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(ring.try_push(frame.slice(static_cast<size_t>(i), 1)));
    SharedBytes extra = frame.slice(4, 1);
    EXPECT_FALSE(ring.try_push(std::move(extra)));
    // A refused push leaves the reference with the caller, so it can retry.
    EXPECT_TRUE(extra);
    EXPECT_EQ(extra.size(), 1u);
    EXPECT_EQ(ring.size_approx(), 4u);

    ASSERT_NE(ring.front(), nullptr);
    ring.pop();
    EXPECT_TRUE(ring.try_push(std::move(extra)));
    EXPECT_FALSE(ring.try_push(frame.slice(5, 1)));
    // Oldest first: slices 1, 2, 3, then the one pushed last.
    for (uintptr_t offset : {1u, 2u, 3u, 4u}) {
      SharedBytes out;
      ASSERT_TRUE(ring.try_pop(out));
      EXPECT_EQ(out.data(), frame.data() + offset);
    }
    SharedBytes none;
    EXPECT_FALSE(ring.try_pop(none));
    EXPECT_FALSE(none);
  }
  EXPECT_EQ(Slab::live_count(), slabs_before);
}

// Counts every object made and unmade, however (construction, copy, move).
struct Counted {
  static inline std::atomic<int64_t> live{0};
  static inline std::atomic<int64_t> made{0};

  explicit Counted(uint64_t v) noexcept : value(v) { note_made(); }
  Counted(const Counted& other) noexcept : value(other.value) { note_made(); }
  Counted(Counted&& other) noexcept : value(other.value) { note_made(); }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() { live.fetch_sub(1, std::memory_order_relaxed); }

  static void note_made() {
    live.fetch_add(1, std::memory_order_relaxed);
    made.fetch_add(1, std::memory_order_relaxed);
  }

  uint64_t value;
};

TEST(SpscRing, DestroyedNonEmptyDestroysEveryItemOnce) {
  const int64_t made_before = Counted::made.load();
  {
    SpscRing<Counted> ring(8);
    for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(ring.try_emplace(i));
    ASSERT_NE(ring.front(), nullptr);
    ring.pop();
    Counted out(0);
    ASSERT_TRUE(ring.try_pop(out));
    EXPECT_EQ(out.value, 1u);
    EXPECT_EQ(Counted::live.load(), 3 + 1);  // three in the ring, `out`
  }
  EXPECT_EQ(Counted::live.load(), 0);

  {
    // Items straddling the end of the slot array: head at 13, tail at 19.
    SpscRing<Counted> ring(8);
    for (uint64_t i = 0; i < 13; ++i) {
      ASSERT_TRUE(ring.try_push(Counted(i)));
      ASSERT_NE(ring.front(), nullptr);
      ring.pop();
    }
    for (uint64_t i = 0; i < 6; ++i) ASSERT_TRUE(ring.try_emplace(i));
    EXPECT_EQ(Counted::live.load(), 6);
  }
  EXPECT_EQ(Counted::live.load(), 0);
  EXPECT_GT(Counted::made.load(), made_before);

  {
    // Heap-owning items left in the ring: LeakSanitizer reports any not destroyed.
    SpscRing<std::string> ring(4);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ring.try_push(std::string(100, static_cast<char>('a' + i))));
  }
}

// pop()'s precondition is that the ring is not empty, however the consumer knows it:
// from front(), or from size_approx(). A consumer that discards items it has counted
// calls pop() alone; the ring must stay consistent and the item's construction must
// happen before its destruction on the consumer thread.
TEST(SpscRing, PopWithoutAPrecedingFront) {
  constexpr uint64_t kItems = 50'000;
  const int64_t slabs_before = Slab::live_count();
  auto ring = std::make_unique<SpscRing<SharedBytes>>(16);
  std::thread consumer([&] {
    unsigned spins = 0;
    for (uint64_t popped = 0; popped < kItems;) {
      size_t available = ring->size_approx();
      if (available == 0) backoff(spins);
      for (; available > 0; --available, ++popped) ring->pop();
    }
  });
  const SharedBytes frame = copy_to_slab(std::vector<std::byte>(8));
  unsigned spins = 0;
  for (uint64_t i = 0; i < kItems; ++i) {
    while (!ring->try_push(frame)) backoff(spins);
  }
  consumer.join();
  if (ring->front() != nullptr) {
    ADD_FAILURE() << "the consumer's view of the ring is corrupt: an empty ring hands out an item";
    (void)ring.release();  // destroying it would walk uninitialised slots without end
    return;
  }
  EXPECT_TRUE(ring->empty());
  ring.reset();
  EXPECT_EQ(Slab::live_count(), slabs_before + 1) << "every popped reference was released";
}

TEST(SpscRing, DestroyedNonEmptyAfterTwoThreadsUsedIt) {
  // The consumer stops early; items still queued are the ring's to destroy.
  constexpr uint64_t kItems = 100'000;
  {
    SpscRing<Counted> ring(64);
    std::atomic<bool> consumer_done{false};
    std::thread consumer([&] {
      unsigned spins = 0;
      for (uint64_t expected = 0; expected < kItems / 2; ++expected) {
        Counted* item;
        while (!(item = ring.front())) backoff(spins);
        EXPECT_EQ(item->value, expected);
        ring.pop();
      }
      // Stopping part-way: give back the slots of the last, unfinished release batch.
      ring.release_consumed();
      consumer_done.store(true, std::memory_order_release);
    });
    unsigned spins = 0;
    uint64_t i = 0;
    // Push until the consumer has taken its half and the ring is full again.
    while (!consumer_done.load(std::memory_order_acquire) || ring.size_approx() < ring.capacity()) {
      if (ring.try_emplace(i)) {
        ++i;
      } else {
        backoff(spins);
      }
    }
    consumer.join();
    EXPECT_EQ(Counted::live.load(), static_cast<int64_t>(ring.capacity()));
  }
  EXPECT_EQ(Counted::live.load(), 0);
}

}  // namespace
}  // namespace mxgw::transport
