// Slab: a reference-counted block of memory that frames live in, and SharedBytes: a
// counted reference to a range of bytes inside one slab.
//
// One slab holds many frames (a decoder reads a socket into it); every frame handed
// out holds a reference, so fan-out to N subscribers costs N reference increments and
// no copy. The memory goes back to the allocator when the last reference drops, on
// whichever thread drops it.
//
// Thread safety: retain/release may be called from any thread (atomic count). The
// bytes themselves are written only before the slab is shared; after that they are
// read-only, so readers on other threads need no further synchronisation than the
// queue that carried the reference to them.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace mxgw::transport {

class Slab {
 public:
  // A new slab with room for `capacity` bytes and one reference, owned by the caller;
  // nullptr when memory is exhausted. Data is 16-byte aligned.
  static Slab* create(size_t capacity) noexcept;

  // The slab whose data() is `data`. REQUIRES: data == some_slab->data().
  static Slab* from_data(void* data) noexcept;

  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
  const std::byte* data() const noexcept { return reinterpret_cast<const std::byte*>(this + 1); }
  size_t capacity() const noexcept { return capacity_; }

  void retain() noexcept {
    // Relaxed: a new reference can only be made from an existing one, which already
    // keeps the slab alive; nothing is published by the increment itself.
    refs_.fetch_add(1, std::memory_order_relaxed);
  }

  void release() noexcept {
    // acq_rel: the release half orders this holder's reads of the bytes before the
    // decrement; the acquire half, on the last decrement, makes every other holder's
    // reads happen before the memory is freed.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // True when the caller holds the only reference, so the bytes may be rewritten.
  bool is_unique() const noexcept {
    // Acquire pairs with the release half of other holders' release(): their reads
    // of the old bytes are finished before the caller overwrites them.
    return refs_.load(std::memory_order_acquire) == 1;
  }

  // Slabs currently allocated in this process (for leak checks in tests and metrics).
  static int64_t live_count() noexcept;

 private:
  explicit Slab(uint32_t capacity) noexcept : capacity_(capacity) {}
  ~Slab() = default;
  void destroy() noexcept;

  std::atomic<uint32_t> refs_{1};
  uint32_t capacity_;
  [[maybe_unused]] uint64_t reserved_ = 0;  // keeps data() 16-byte aligned
};
static_assert(sizeof(Slab) == 16, "slab data must start 16-byte aligned");

// A counted reference to `size` bytes at `offset` in a slab. Copying retains, moving
// steals, destruction releases. 16 bytes, so rings of them stay cache-friendly.
class SharedBytes {
 public:
  SharedBytes() noexcept = default;

  // Adopts one reference the caller already owns on `slab`.
  static SharedBytes adopt(Slab* slab, uint32_t offset, uint32_t size) noexcept {
    return SharedBytes(slab, offset, size);
  }
  // Takes a new reference on `slab`.
  static SharedBytes share(Slab* slab, uint32_t offset, uint32_t size) noexcept {
    slab->retain();
    return SharedBytes(slab, offset, size);
  }

  SharedBytes(const SharedBytes& other) noexcept : slab_(other.slab_), offset_(other.offset_), size_(other.size_) {
    if (slab_) slab_->retain();
  }
  SharedBytes(SharedBytes&& other) noexcept
      : slab_(std::exchange(other.slab_, nullptr)), offset_(other.offset_), size_(other.size_) {}
  SharedBytes& operator=(SharedBytes other) noexcept {
    swap(other);
    return *this;
  }
  ~SharedBytes() {
    if (slab_) slab_->release();
  }

  void swap(SharedBytes& other) noexcept {
    std::swap(slab_, other.slab_);
    std::swap(offset_, other.offset_);
    std::swap(size_, other.size_);
  }
  void reset() noexcept { SharedBytes().swap(*this); }

  const std::byte* data() const noexcept { return slab_ ? slab_->data() + offset_ : nullptr; }
  const uint8_t* u8() const noexcept { return reinterpret_cast<const uint8_t*>(data()); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  explicit operator bool() const noexcept { return slab_ != nullptr; }
  std::span<const std::byte> bytes() const noexcept { return {data(), size_}; }

  // A reference to bytes [offset, offset + size) of this range, sharing the slab.
  // REQUIRES: offset + size <= this->size().
  SharedBytes slice(size_t offset, size_t size) const noexcept {
    if (!slab_) return {};  // slice(0, 0) of an empty reference: nothing to share
    return share(slab_, offset_ + static_cast<uint32_t>(offset), static_cast<uint32_t>(size));
  }

 private:
  SharedBytes(Slab* slab, uint32_t offset, uint32_t size) noexcept : slab_(slab), offset_(offset), size_(size) {}

  Slab* slab_ = nullptr;
  uint32_t offset_ = 0;
  uint32_t size_ = 0;
};
static_assert(sizeof(SharedBytes) == 16);

// A new slab holding a copy of `bytes`, for control messages built off the hot path.
// Empty SharedBytes when memory is exhausted.
SharedBytes copy_to_slab(std::span<const std::byte> bytes) noexcept;

}  // namespace mxgw::transport
