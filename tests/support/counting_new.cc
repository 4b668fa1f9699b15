// The replaced global allocation functions and their counter.

#include "tests/support/counting_new.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<uint64_t> g_operator_new_calls{0};  // relaxed: see the header
}  // namespace

void* operator new(size_t size) {
  g_operator_new_calls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace mxgw::testing {

uint64_t operator_new_calls() noexcept { return g_operator_new_calls.load(std::memory_order_relaxed); }

}  // namespace mxgw::testing
