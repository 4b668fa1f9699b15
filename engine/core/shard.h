// Shard: one thread running one libuv loop, owning the sessions placed on it.
//
// Other threads reach a shard only through post(): the task goes into a moodycamel
// ConcurrentQueue (the inbox) and one uv_async_send wakes the loop; libuv coalesces
// wake-ups, and the loop drains the whole inbox each time, so a burst of posts costs
// one wake-up. Tasks from one posting thread run in the order posted (the queue is
// FIFO per producer; it promises nothing across producers).
//
// Thread safety: post() and id() from any thread; loop() only from tasks running on
// the shard (that is the point). start()/stop() from the owning thread.

#pragma once

#include <cstdint>
#include <functional>
#include <thread>

#include <concurrentqueue/concurrentqueue.h>
#include <uv.h>

namespace mxgw::engine {

class Shard {
 public:
  using Task = std::function<void()>;

  explicit Shard(uint32_t id);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Starts the thread. `on_start` runs first on it (to set up per-shard state).
  void start(Task on_start);
  // Runs `on_stop` on the shard, stops its loop and joins the thread. Posts that
  // arrive afterwards are accepted and never run, so a late one is harmless; the
  // destructor closes what is left. REQUIRES: start() was called; not called from
  // the shard.
  void stop(Task on_stop);

  // Runs `task` on the shard's thread, soon. Safe from any thread, including the
  // shard's own (the task then runs on a later turn of the loop).
  void post(Task task);

  uint32_t id() const noexcept { return id_; }
  uv_loop_t* loop() noexcept { return &loop_; }

 private:
  void drain_inbox();

  const uint32_t id_;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  moodycamel::ConcurrentQueue<Task> inbox_;
  std::thread thread_;
};

}  // namespace mxgw::engine
