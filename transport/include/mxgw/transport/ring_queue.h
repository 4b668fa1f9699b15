// RingQueue: a first-in first-out queue on one circular array that doubles when full
// and never shrinks. A queue that has reached its working size reuses its slots and
// never allocates again, where std::deque allocates and frees a block every few
// elements as the queue moves through memory. The distributor's replay window and
// what it owes each subscriber, and a StreamEndpoint's send queue, push and pop one
// element per frame for as long as they live.
//
// Thread safety: none; one owner thread.

#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace mxgw::transport {

template <typename T>
class RingQueue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  size_t size() const noexcept { return size_; }

  // The i-th element from the front. REQUIRES: i < size().
  const T& operator[](size_t i) const noexcept { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  T& operator[](size_t i) noexcept { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  const T& front() const noexcept { return slots_[head_]; }
  T& front() noexcept { return slots_[head_]; }
  // REQUIRES: !empty().
  T& back() noexcept { return (*this)[size_ - 1]; }

  void push_back(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(value);
    ++size_;
  }

  // REQUIRES: !empty(). The slot is reset, so what it held is released now.
  void pop_front() noexcept {
    slots_[head_] = T{};
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }

  // Removes the i-th element: the ones before it move one place back, so removing
  // near the front is cheap. REQUIRES: i < size().
  void remove(size_t i) noexcept {
    for (; i > 0; --i) (*this)[i] = std::move((*this)[i - 1]);
    pop_front();
  }

 private:
  void grow() {
    std::vector<T> slots(std::max<size_t>(16, slots_.size() * 2));
    for (size_t i = 0; i < size_; ++i) slots[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    slots_.swap(slots);
    head_ = 0;
  }

  std::vector<T> slots_;  // a power of two in size, or empty
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace mxgw::transport
