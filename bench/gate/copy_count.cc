// Counts the bytes that memcpy and memmove copy, so that the gate can show the
// publish-to-deliver path copies none (invariant 3 in DESIGN.md). The executable's
// own memcpy and memmove take precedence over the C library's for this executable
// and for every shared library it loads; each adds the length to a counter and
// calls the C library's function. Copies the compiler makes inline (small, fixed
// sizes) never reach here; they show in the instruction count instead.
//
// Thread safety: the gate runs on one thread; the counter is a plain integer.

#include <dlfcn.h>

#include <cstddef>
#include <cstdint>

#include "bench/gate/gate.h"

namespace {

using Copy = void* (*)(void*, const void*, size_t);

uint64_t g_bytes = 0;

// The C library's function of that name: the next definition after ours.
Copy next_definition(const char* name) noexcept {
  Copy copy = reinterpret_cast<Copy>(dlsym(RTLD_NEXT, name));
  if (!copy) mxgw::gate::fail("no C library memcpy/memmove behind the counting ones");
  return copy;
}

}  // namespace

extern "C" void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) noexcept {
  static const Copy library = next_definition("memcpy");
  g_bytes += n;
  return library(dst, src, n);
}

extern "C" void* memmove(void* dst, const void* src, size_t n) noexcept {
  static const Copy library = next_definition("memmove");
  g_bytes += n;
  return library(dst, src, n);
}

uint64_t mxgw::gate::bytes_copied() noexcept { return g_bytes; }
