// ClientCore: the GatewayClient's private I/O thread, its libuv loop, and the one way
// into it from other threads: an inbox (moodycamel ConcurrentQueue) plus a
// uv_async_send, which libuv coalesces, so a burst of requests costs one wake-up and
// the loop drains the whole inbox each time. Ops from one thread are handled in the
// order that thread posted them (the queue is FIFO per producer).
//
// Stopping races with posting, and a post must never touch the async handle after
// the loop has closed it, nor leave an op behind that nobody will handle. `gate_`
// settles both: bit 0 is "closed", the rest counts posters inside post(). A poster
// enters with a fetch_add and leaves with a fetch_sub; stop() sets the bit; the I/O
// thread, once it sees the stop request, waits for the count to reach zero before
// its last drain and before closing the async handle. Every step is an RMW on the
// one variable, so its modification order decides each race: a poster that entered
// before the bit was set is waited for (and its op drained); one that enters after
// sees the bit and fails its op itself.
//
// Atomics and their orders:
//   gate_            acq_rel RMWs (above); the I/O thread's acquire load of a zero
//                    count makes every counted poster's enqueue visible to its drain.
//   stop_requested_  release store after the gate is closed; acquire load on the I/O
//                    thread, which then sees the closed bit.
//   stop_claimed_    acq_rel exchange: the first stop() signals, later ones only wait.
//   io_thread_id_    release store by the I/O thread as it starts; acquire loads by
//                    callers asking whether they run on it.
//
// Thread safety: post(), shared() and stop() from any thread. stop() on the I/O
// thread itself (a callback closing its client) signals without waiting; the thread
// then finishes on its own, and whoever drops the last reference joins it (or, on
// the I/O thread, detaches it). start() once, by the creator.

#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <concurrentqueue/concurrentqueue.h>
#include <uv.h>

#include "engine/client/client_address.h"
#include "engine/client/client_shared.h"
#include "engine/client/client_types.h"
#include "engine/client/gateway_connection.h"

namespace mxgw::client {

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  ClientCore(const ClientAddress& address, const ClientOptions& options);
  ~ClientCore();
  ClientCore(const ClientCore&) = delete;
  ClientCore& operator=(const ClientCore&) = delete;

  // Starts the I/O thread, which connects and says Hello at once. The future
  // completes (on the I/O thread) with the gateway's HelloAccepted or why not; it
  // always completes, at the latest when the connect deadline passes.
  std::future<Result<ServerInfo>> start();

  // Hands `op` to the I/O thread. False, with `op` untouched, once the client is
  // stopping: the caller then fails the op itself.
  bool post(Op& op);

  // Stops the loop (failing what is outstanding, closing the connection) and joins
  // the thread. Idempotent.
  void stop();

  const ClientOptions& options() const noexcept { return options_; }
  ClientShared& shared() noexcept { return shared_; }
  const ClientShared& shared() const noexcept { return shared_; }
  bool on_io_thread() const noexcept {
    return std::this_thread::get_id() == io_thread_id_.load(std::memory_order_acquire);
  }

 private:
  void run(std::promise<Result<ServerInfo>> hello);
  void on_wake();
  void drain();

  static constexpr uint64_t kGateClosed = 1;
  static constexpr uint64_t kGatePoster = 2;

  const ClientAddress address_;
  const ClientOptions options_;
  ClientShared shared_;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  moodycamel::ConcurrentQueue<Op> inbox_;
  std::unique_ptr<GatewayConnection> connection_;
  bool stopping_ = false;  // I/O thread only
  bool started_ = false;   // set by start(), before the thread exists

  std::atomic<uint64_t> gate_{0};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> stop_claimed_{false};
  std::atomic<std::thread::id> io_thread_id_{};
  std::mutex join_mutex_;  // one joiner at a time
  std::thread thread_;
};

}  // namespace mxgw::client
