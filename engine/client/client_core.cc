// The I/O thread: loop, inbox, and the stop handshake described in the header.

#include "engine/client/client_core.h"

#include <pthread.h>

#include <array>
#include <csignal>
#include <utility>

namespace mxgw::client {

ClientCore::ClientCore(const ClientAddress& address, const ClientOptions& options)
    : address_(address), options_(options) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wake_, [](uv_async_t* async) { static_cast<ClientCore*>(async->data)->on_wake(); });
  wake_.data = this;
}

ClientCore::~ClientCore() {
  if (!started_) {
    // No thread ever ran the loop: close it here.
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    return;
  }
  stop();
  std::lock_guard<std::mutex> lock(join_mutex_);
  // Only the I/O thread itself can get here with the thread still running (the
  // last reference dropped by a callback): it cannot join itself.
  if (thread_.joinable()) thread_.detach();
}

std::future<Result<ServerInfo>> ClientCore::start() {
  std::promise<Result<ServerInfo>> hello;
  std::future<Result<ServerInfo>> answer = hello.get_future();
  started_ = true;
  std::weak_ptr<ClientCore> weak = weak_from_this();
  connection_ = std::make_unique<GatewayConnection>(&loop_, address_, options_, &shared_, [weak](Op&& op) {
    // A consumer freed room. After the client is gone there is nobody left to tell.
    if (std::shared_ptr<ClientCore> core = weak.lock()) core->post(op);
  });
  // The thread keeps the core alive until it is done with the loop, so that a
  // callback may drop the last client reference.
  thread_ =
      std::thread([self = shared_from_this(), hello = std::move(hello)]() mutable { self->run(std::move(hello)); });
  return answer;
}

void ClientCore::run(std::promise<Result<ServerInfo>> hello) {
  io_thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  // A write to a gateway that went away raises SIGPIPE in the writing thread, which
  // by default kills the process. Blocked here (in this thread only) it stays
  // pending and harmless, and the write fails with EPIPE, which the stream reports.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  connection_->start(Completion<ServerInfo>(std::move(hello)));
  uv_run(&loop_, UV_RUN_DEFAULT);
  // The loop ran out: the async handle and every connection handle are closed. Ops
  // could only have arrived before the gate closed, and the last drain took them;
  // this one is for certainty, and fails whatever it finds.
  drain();
  connection_.reset();
  if (uv_loop_close(&loop_) != 0) {
    uv_walk(
        &loop_,
        [](uv_handle_t* handle, void*) {
          if (!uv_is_closing(handle)) uv_close(handle, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
}

bool ClientCore::post(Op& op) {
  if (gate_.fetch_add(kGatePoster, std::memory_order_acq_rel) & kGateClosed) {
    gate_.fetch_sub(kGatePoster, std::memory_order_acq_rel);
    return false;
  }
  const bool queued = inbox_.enqueue(std::move(op));
  if (queued) uv_async_send(&wake_);
  gate_.fetch_sub(kGatePoster, std::memory_order_acq_rel);
  return queued;
}

void ClientCore::drain() {
  std::array<Op, 32> ops;
  while (const size_t count = inbox_.try_dequeue_bulk(ops.begin(), ops.size())) {
    for (size_t i = 0; i < count; ++i) {
      if (connection_) {
        connection_->handle(std::move(ops[i]));
      } else if (ops[i].pending) {
        ops[i].pending->fail({ErrorCode::ShuttingDown, "the client was closed"});
      }
      ops[i] = Op{};
    }
  }
}

void ClientCore::on_wake() {
  drain();
  if (stopping_ || !stop_requested_.load(std::memory_order_acquire)) return;
  stopping_ = true;
  // No poster can enter any more; those inside are a few instructions from leaving.
  while ((gate_.load(std::memory_order_acquire) & ~kGateClosed) != 0) std::this_thread::yield();
  drain();
  connection_->shutdown();
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
}

void ClientCore::stop() {
  if (!stop_claimed_.exchange(true, std::memory_order_acq_rel)) {
    // Counted as a poster while signalling, so that the I/O thread cannot close the
    // async handle between the request and the wake-up.
    gate_.fetch_add(kGatePoster, std::memory_order_acq_rel);
    gate_.fetch_or(kGateClosed, std::memory_order_acq_rel);
    stop_requested_.store(true, std::memory_order_release);
    uv_async_send(&wake_);
    gate_.fetch_sub(kGatePoster, std::memory_order_acq_rel);
  }
  if (on_io_thread()) return;
  std::lock_guard<std::mutex> lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

}  // namespace mxgw::client
