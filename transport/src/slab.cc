// Slab allocation: mimalloc in normal builds (fast, per-thread heaps, frees from any
// thread); the system allocator under sanitizers so that ASan tracks every slab.

#include <mxgw/transport/slab.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#ifndef MXGW_SYSTEM_ALLOCATOR
#include <mimalloc.h>
#endif

namespace mxgw::transport {
namespace {

// Relaxed: a statistic read by tests and metrics; it orders nothing.
std::atomic<int64_t> g_live_slabs{0};

void* allocate_block(size_t bytes) noexcept {
#ifdef MXGW_SYSTEM_ALLOCATOR
  return std::malloc(bytes);
#else
  return mi_malloc(bytes);
#endif
}

void free_block(void* block) noexcept {
#ifdef MXGW_SYSTEM_ALLOCATOR
  std::free(block);
#else
  mi_free(block);
#endif
}

}  // namespace

Slab* Slab::create(size_t capacity) noexcept {
  if (capacity > std::numeric_limits<uint32_t>::max() - sizeof(Slab)) return nullptr;
  void* block = allocate_block(sizeof(Slab) + capacity);
  if (!block) return nullptr;
  g_live_slabs.fetch_add(1, std::memory_order_relaxed);
  return new (block) Slab(static_cast<uint32_t>(capacity));
}

Slab* Slab::from_data(void* data) noexcept {
  return reinterpret_cast<Slab*>(static_cast<std::byte*>(data) - sizeof(Slab));
}

void Slab::destroy() noexcept {
  this->~Slab();
  free_block(this);
  g_live_slabs.fetch_sub(1, std::memory_order_relaxed);
}

int64_t Slab::live_count() noexcept { return g_live_slabs.load(std::memory_order_relaxed); }

SharedBytes copy_to_slab(std::span<const std::byte> bytes) noexcept {
  Slab* slab = Slab::create(bytes.size());
  if (!slab) return {};
  if (!bytes.empty()) std::memcpy(slab->data(), bytes.data(), bytes.size());
  return SharedBytes::adopt(slab, 0, static_cast<uint32_t>(bytes.size()));
}

}  // namespace mxgw::transport
