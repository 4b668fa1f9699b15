// SpscRing: a bounded, lock-free, single-producer single-consumer ring.
//
// Contract: only one thread may call the producer side (try_emplace, try_push) and
// only one thread may call the consumer side (front, pop, try_pop, release_consumed)
// at a time. Either side may ask size_approx()/empty() at any time for an estimate.
//
// Layout and ordering follow the classic design: the producer owns `tail_`, the
// consumer owns its head; each reads the other side's index with acquire only when
// its cached copy says the ring looks full (producer) or empty (consumer), and
// publishes its own with release. The producer publishes every item at once (latency
// matters); the consumer hands freed slots back in batches of capacity/16, and
// whenever it has consumed everything it has seen, so that a full ring costs one cache-line transfer
// per batch rather than per item. Each shared index and each cache sits on its own
// cache line. Indices count up without wrapping (64 bits); a slot is index & mask.

#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace mxgw::transport {

inline constexpr size_t kCacheLineSize = 64;

template <typename T>
class SpscRing {
  static_assert(std::is_nothrow_move_constructible_v<T>, "items move without throwing");
  static_assert(std::is_nothrow_destructible_v<T>);

 public:
  // Capacity is rounded up to a power of two.
  explicit SpscRing(size_t capacity)
      : mask_(std::bit_ceil(capacity < 2 ? size_t{2} : capacity) - 1),
        slots_(static_cast<Slot*>(::operator new[]((mask_ + 1) * sizeof(Slot), std::align_val_t{kCacheLineSize}))),
        release_batch_(std::max<uint64_t>(1, (mask_ + 1) / 16)) {}

  ~SpscRing() {
    while (front()) pop();
    ::operator delete[](slots_, std::align_val_t{kCacheLineSize});
  }

  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  size_t capacity() const noexcept { return mask_ + 1; }

  // ---- producer side ----

  // Constructs an item at the tail; false (and nothing constructed) when full.
  template <typename... Args>
  bool try_emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    // Relaxed: only this thread writes tail_.
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ == capacity()) {
      // Acquire pairs with the consumer's release store of head_: its move out of the
      // slot we are about to reuse happens before our construction in it.
      head_cache_ = released_head_atomic_.load(std::memory_order_acquire);
      if (tail - head_cache_ == capacity()) return false;
    }
    new (&slots_[tail & mask_].storage) T(std::forward<Args>(args)...);
    // Release publishes the constructed item to the consumer's acquire load of tail_.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Whether try_emplace would succeed now (producer side; the consumer can only add
  // room meanwhile).
  bool can_push() noexcept {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ < capacity()) return true;
    // Acquire, as in try_emplace.
    head_cache_ = released_head_atomic_.load(std::memory_order_acquire);
    return tail - head_cache_ < capacity();
  }

  bool try_push(T&& item) noexcept { return try_emplace(std::move(item)); }
  bool try_push(const T& item) noexcept(std::is_nothrow_copy_constructible_v<T>) { return try_emplace(item); }

  // ---- consumer side ----

  // The oldest item, or nullptr when the ring is empty. Valid until pop().
  T* front() noexcept {
    if (head_ == tail_cache_) {
      // Acquire pairs with the producer's release store of tail_: the item's
      // construction happens before we read it.
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head_ == tail_cache_) return nullptr;
    }
    return std::launder(reinterpret_cast<T*>(&slots_[head_ & mask_].storage));
  }

  // Destroys the oldest item. REQUIRES: the ring is not empty (front() returned it,
  // or size_approx() said so).
  void pop() noexcept {
    if (head_ == tail_cache_) {
      // No front() saw this item. Acquire as front() would, so that its construction
      // happens before its destruction here.
      tail_cache_ = tail_.load(std::memory_order_acquire);
    }
    std::launder(reinterpret_cast<T*>(&slots_[head_ & mask_].storage))->~T();
    ++head_;
    // Freed slots go back to the producer in batches: one store (and one cache-line
    // transfer) per batch instead of per item, which is what keeps a full ring fast.
    // Having consumed every item it knows of, the consumer releases at once, so a
    // drained ring never withholds slots.
    if (head_ - released_head_ >= release_batch_ || head_ == tail_cache_) release_consumed();
  }

  // Hands every slot popped so far back to the producer at once. pop() does this by
  // itself every batch and whenever it has consumed all it has seen; a consumer that
  // stops part-way may call it so that no slot stays withheld while it waits.
  void release_consumed() noexcept {
    if (released_head_ == head_) return;
    released_head_ = head_;
    // Release: the popped items' destruction happens before the producer, through
    // its acquire load, reuses their slots.
    released_head_atomic_.store(head_, std::memory_order_release);
  }

  bool try_pop(T& out) noexcept {
    T* item = front();
    if (!item) return false;
    out = std::move(*item);
    pop();
    return true;
  }

  // ---- either side ----

  size_t size_approx() const noexcept {
    // Acquire on both: a consistent-enough snapshot for metrics and heuristics;
    // tail is read first so the difference is never negative from this thread's view.
    const uint64_t tail = tail_.load(std::memory_order_acquire);
    const uint64_t head = released_head_atomic_.load(std::memory_order_acquire);
    return tail >= head ? static_cast<size_t>(tail - head) : 0;
  }
  bool empty() const noexcept { return size_approx() == 0; }

 private:
  struct Slot {
    alignas(T) std::byte storage[sizeof(T)];
  };

  const size_t mask_;
  Slot* const slots_;

  const uint64_t release_batch_;

  alignas(kCacheLineSize) std::atomic<uint64_t> tail_{0};  // written by the producer
  alignas(kCacheLineSize) uint64_t head_cache_ = 0;        // producer's copy of the released head
  // Written by the consumer once per release batch; read by the producer.
  alignas(kCacheLineSize) std::atomic<uint64_t> released_head_atomic_{0};
  // The consumer's own state, on one line: its position, what it has released, and
  // its copy of tail_.
  alignas(kCacheLineSize) uint64_t head_ = 0;
  uint64_t released_head_ = 0;
  uint64_t tail_cache_ = 0;
  // Keeps the next object off the consumer's cache line.
  std::byte padding_[kCacheLineSize - 3 * sizeof(uint64_t)];
};

}  // namespace mxgw::transport
