// SpscRing: a bounded, lock-free, single-producer single-consumer ring.
//
// Contract: only one thread may call the producer side (try_push, emplace) and only
// one thread may call the consumer side (front, pop, try_pop, drain) at a time. Either
// side may ask size_approx()/empty() at any time for an estimate.
//
// Layout and ordering follow the classic design: the producer owns `tail_`, the
// consumer owns `head_`; each reads its own index relaxed, reads the other side's
// index with acquire only when its cached copy says the ring looks full (producer) or
// empty (consumer), and publishes its own index with release. Each index and each
// cache sits on its own cache line so the two threads never write the same line.
// Indices count up without wrapping (64 bits); a slot is index & mask.

#pragma once

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
        slots_(static_cast<Slot*>(::operator new[]((mask_ + 1) * sizeof(Slot), std::align_val_t{kCacheLineSize}))) {}

  ~SpscRing() {
    while (front()) pop();
    ::operator delete[](slots_, std::align_val_t{kCacheLineSize});
  }

  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  size_t capacity() const noexcept { return mask_ + 1; }

  // ---- producer side ----

  template <typename... Args>
  bool try_emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    // Relaxed: only this thread writes tail_.
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ == capacity()) {
      // Acquire pairs with the consumer's release store of head_: its move out of the
      // slot we are about to reuse happens before our construction in it.
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ == capacity()) return false;
    }
    new (&slots_[tail & mask_].storage) T(std::forward<Args>(args)...);
    // Release publishes the constructed item to the consumer's acquire load of tail_.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  bool try_push(T&& item) noexcept { return try_emplace(std::move(item)); }
  bool try_push(const T& item) noexcept(std::is_nothrow_copy_constructible_v<T>) { return try_emplace(item); }

  // ---- consumer side ----

  // The oldest item, or nullptr when the ring is empty. Valid until pop().
  T* front() noexcept {
    // Relaxed: only this thread writes head_.
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      // Acquire pairs with the producer's release store of tail_: the item's
      // construction happens before we read it.
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return nullptr;
    }
    return std::launder(reinterpret_cast<T*>(&slots_[head & mask_].storage));
  }

  // Destroys the oldest item. REQUIRES: front() != nullptr.
  void pop() noexcept {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      // No front() saw this item (the caller knew the ring was not empty from
      // size_approx(), say). Acquire as front() would: the item's construction happens
      // before its destruction here, and head_ never passes tail_cache_, which would
      // leave front() unable to see the ring empty again.
      tail_cache_ = tail_.load(std::memory_order_acquire);
    }
    std::launder(reinterpret_cast<T*>(&slots_[head & mask_].storage))->~T();
    // Release: the item's destruction happens before the producer reuses the slot.
    head_.store(head + 1, std::memory_order_release);
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
    const uint64_t head = head_.load(std::memory_order_acquire);
    return tail >= head ? static_cast<size_t>(tail - head) : 0;
  }
  bool empty() const noexcept { return size_approx() == 0; }

 private:
  struct Slot {
    alignas(T) std::byte storage[sizeof(T)];
  };

  const size_t mask_;
  Slot* const slots_;

  alignas(kCacheLineSize) std::atomic<uint64_t> tail_{0};  // written by the producer
  alignas(kCacheLineSize) uint64_t head_cache_ = 0;        // producer's copy of head_
  alignas(kCacheLineSize) std::atomic<uint64_t> head_{0};  // written by the consumer
  alignas(kCacheLineSize) uint64_t tail_cache_ = 0;        // consumer's copy of tail_
  // Keeps the next object off the consumer's cache line.
  std::byte padding_[kCacheLineSize - sizeof(uint64_t)];
};

}  // namespace mxgw::transport
