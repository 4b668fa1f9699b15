// The shard thread: loop, inbox and orderly stop.

#include "engine/core/shard.h"

namespace mxgw::engine {

Shard::Shard(uint32_t id) : id_(id) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wake_, [](uv_async_t* async) { static_cast<Shard*>(async->data)->drain_inbox(); });
  wake_.data = this;
}

Shard::~Shard() {
  if (thread_.joinable()) stop([] {});
  // The thread is gone (join orders its work before this): close what is left here.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void Shard::start(Task on_start) {
  thread_ = std::thread([this, on_start = std::move(on_start)] {
    on_start();
    uv_run(&loop_, UV_RUN_DEFAULT);
  });
}

void Shard::post(Task task) {
  inbox_.enqueue(std::move(task));
  uv_async_send(&wake_);
}

void Shard::drain_inbox() {
  Task task;
  while (inbox_.try_dequeue(task)) {
    task();
    task = nullptr;
  }
}

void Shard::stop(Task on_stop) {
  post([this, on_stop = std::move(on_stop)] {
    on_stop();
    uv_stop(&loop_);
  });
  thread_.join();
}

}  // namespace mxgw::engine
