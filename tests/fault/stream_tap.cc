// The tap's consumer loop and its ledger of one stream.

#include "tests/fault/stream_tap.h"

#include <chrono>

namespace mxgw::testing {

StreamTap::StreamTap(std::shared_ptr<client::EventStream> events)
    : stream_(std::move(events)), thread_([this] { run(); }) {}

StreamTap::~StreamTap() {
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
}

proto::SessionState StreamTap::last_state() const {
  std::lock_guard lock(mutex_);
  return last_state_;
}

std::string StreamTap::last_reason() const {
  std::lock_guard lock(mutex_);
  return last_reason_;
}

void StreamTap::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    // A bounded wait, so that a stop request is seen on a stream that stays silent.
    stream_->wait_for(std::chrono::milliseconds(20));
    stream_->poll(SIZE_MAX, [this](const client::EventFrame& frame) { take(frame); });
    if (stream_->finished()) {
      ended_.store(true, std::memory_order_release);
      return;
    }
  }
}

void StreamTap::take(const client::EventFrame& frame) {
  if (frame.count > 0) {
    if (expected_seq_ != 0 && frame.first_seq != expected_seq_) breaks_.fetch_add(1, std::memory_order_relaxed);
    expected_seq_ = frame.first_seq + frame.count;
    events_.fetch_add(frame.count, std::memory_order_relaxed);
  }
  if (const auto* states = frame.batch().session_states(); states && states->size() > 0) {
    const proto::SessionStateEvent* last = states->Get(states->size() - 1);
    std::lock_guard lock(mutex_);
    last_state_ = last->state();
    last_reason_ = last->reason() ? last->reason()->str() : std::string();
  }
}

}  // namespace mxgw::testing
