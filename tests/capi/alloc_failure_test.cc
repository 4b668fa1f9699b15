// No exception crosses into C, and nothing leaks, whichever allocation fails: an
// embedded open/subscribe/poll/close sequence is run once to count the allocations
// the calling thread makes, then again for every N with the Nth of them failing
// (operator new throws std::bad_alloc, nothrow new returns NULL). Each call must
// answer 0 or a code of the table; whatever was opened is then freed, a callback
// subscription's on_end must have run once, and the count of live operator-new
// allocations must be back where it started.
//
// Only the calling thread's allocations fail: that is the thread every mxgw_* call
// runs on. The engine's own threads are not entry points.
//
//   capi_alloc_failure_test     exits 0 when every N passed

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <mxgw/mxgw.h>

namespace {

// This thread's allocations: how many were made since counting began, and which
// one to fail (0: none).
thread_local long allocations = 0;
thread_local long fail_at = 0;
// Live allocations of every thread. Relaxed: it is read only when the engine's
// threads are joined (after mxgw_client_free), which orders their updates before.
std::atomic<long> live{0};

void* allocate(std::size_t size, std::size_t alignment) {
  if (fail_at != 0 && ++allocations == fail_at) return nullptr;
  void* p = alignment > alignof(std::max_align_t)
                ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                : std::malloc(size ? size : 1);
  if (p) live.fetch_add(1, std::memory_order_relaxed);
  return p;
}

void release(void* p) {
  if (!p) return;
  live.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
  if (void* p = allocate(size, alignment)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new[](std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) {
  return allocate_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
  return allocate_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }

namespace {

int failures = 0;

// A call's answer: 0 (or a count) goes on; a code of the table stops the sequence.
bool answered(const char* call, int code) {
  if (code >= 0) return true;
  if (!mxgw_err_name(code)) {
    std::fprintf(stderr, "fail at allocation %ld: %s returned %d, not a code of the table\n", fail_at, call, code);
    ++failures;
  }
  return false;
}

void ignore_batch(void*, const mxgw_batch*) {}
// Relaxed: read after mxgw_subscription_free joined the callback thread.
void count_end(void* ends, int) { static_cast<std::atomic<int>*>(ends)->fetch_add(1, std::memory_order_relaxed); }

// The sequence; returns the code it stopped at (0 when it ran to the end).
int run_sequence() {
  mxgw_client_options client_options;
  mxgw_client_options_init(&client_options);
  client_options.shards = 1;
  mxgw_session_options session_options;
  mxgw_session_options_init(&session_options);
  session_options.backend = "sim";
  mxgw_client* client = nullptr;
  mxgw_session* session = nullptr;
  mxgw_subscription* sub = nullptr;
  mxgw_subscription* callbacks = nullptr;
  std::atomic<int> ends{0};
  mxgw_batch batches[8];
  int code = 0;
  if (answered("mxgw_client_open", code = mxgw_client_open("embedded", &client_options, &client)) &&
      answered("mxgw_session_open", code = mxgw_session_open(client, &session_options, &session)) &&
      answered("mxgw_subscribe", code = mxgw_subscribe(session, nullptr, &sub)) &&
      answered("mxgw_subscribe_callback",
               code = mxgw_subscribe_callback(session, nullptr, ignore_batch, count_end, &ends, &callbacks)) &&
      answered("mxgw_poll", code = mxgw_poll(sub, batches, 8)) && answered("mxgw_wait", code = mxgw_wait(sub, 0)) &&
      answered("mxgw_unsubscribe", code = mxgw_unsubscribe(sub)) &&
      answered("mxgw_session_close", code = mxgw_session_close(session)) &&
      answered("mxgw_client_close", code = mxgw_client_close(client))) {
    code = 0;
  }
  mxgw_subscription_free(sub);
  mxgw_subscription_free(callbacks);
  if (ends.load(std::memory_order_relaxed) != (callbacks ? 1 : 0)) {
    std::fprintf(stderr, "fail at allocation %ld: on_end ran %d times\n", fail_at, ends.load());
    ++failures;
  }
  mxgw_session_free(session);
  mxgw_client_free(client);
  return code < 0 ? code : 0;
}

}  // namespace

int main() {
  // Once for what the first use of anything sets up for good, once to count.
  if (const int code = run_sequence(); code != 0) {
    std::fprintf(stderr, "the sequence fails without any failed allocation: %s (%s)\n", mxgw_err_name(code),
                 mxgw_last_error());
    return 1;
  }
  const long baseline = live.load(std::memory_order_relaxed);
  allocations = 0;
  fail_at = -1;  // never reached: counts only
  run_sequence();
  const long total = allocations;
  std::printf("capi_alloc_failure_test: %ld allocations on the calling thread\n", total);
  if (live.load(std::memory_order_relaxed) != baseline) {
    std::fprintf(stderr, "the sequence leaks %ld allocations without any failure\n",
                 live.load(std::memory_order_relaxed) - baseline);
    return 1;
  }
  long no_memory = 0;
  for (long n = 1; n <= total; ++n) {
    allocations = 0;
    fail_at = n;
    const int code = run_sequence();
    fail_at = 0;
    if (code == MXGW_E_NO_MEMORY) ++no_memory;
    const long leaked = live.load(std::memory_order_relaxed) - baseline;
    if (leaked != 0) {
      std::fprintf(stderr, "fail at allocation %ld: %ld allocations leaked (stopped with %s)\n", n, leaked,
                   code ? mxgw_err_name(code) : "no error");
      ++failures;
    }
  }
  std::printf("capi_alloc_failure_test: %ld runs, %ld answered MXGW_E_NO_MEMORY, %d failure(s)\n", total, no_memory,
              failures);
  return failures ? 1 : 0;
}
