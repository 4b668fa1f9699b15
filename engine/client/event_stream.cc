// EventStream's producer side, the consumer's blocking wait and the room hand-back.
// The reasoning behind each atomic's order is in the header.

#include "engine/client/event_stream.h"

#include <algorithm>
#include <utility>

namespace mxgw::client {
namespace {

// One writer: a plain relaxed load and store count exactly, without a locked RMW.
void bump(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

EventStream::EventStream(uint64_t subscription_id, size_t ring_frames, std::function<void()> on_ready,
                         std::function<void()> wake_producer, std::function<void(uint32_t)> grant_credit)
    : subscription_id_(subscription_id),
      ring_(ring_frames),
      on_ready_(std::move(on_ready)),
      wake_producer_(std::move(wake_producer)),
      grant_credit_(std::move(grant_credit)),
      // A quarter of the ring at a time: one message per many frames, while the
      // gateway always keeps at least three quarters of the ring's worth of credit.
      credit_step_(static_cast<uint32_t>(std::max<size_t>(ring_frames / 4, 1))) {}

// ---- producer ----

bool EventStream::offer(EventFrame&& frame) {
  if (ring_.try_push(std::move(frame))) {
    bump(delivered_);
    return true;
  }
  if (push_or_hold(std::move(frame))) return true;
  bump(stalls_);
  return false;
}

bool EventStream::push_or_hold(EventFrame&& frame) {
  // Announce the wait first, then look at the ring again: a consumer that freed room
  // before our exchange is seen by the retry, one that frees it after sees the flag.
  waiting_.exchange(true, std::memory_order_acq_rel);
  if (ring_.try_push(std::move(frame))) {
    waiting_.exchange(false, std::memory_order_acq_rel);
    bump(delivered_);
    return true;
  }
  held_ = std::move(frame);
  has_held_ = true;
  return false;
}

bool EventStream::resume_held() {
  if (!has_held_) return true;
  has_held_ = false;
  EventFrame frame = std::move(held_);
  if (!push_or_hold(std::move(frame))) return false;
  if (end_pending_) {
    end_pending_ = false;
    finish(pending_status_);
  }
  return true;
}

void EventStream::end_after_held(const Status& why) {
  if (ended() || end_pending_) return;
  if (holding()) {
    end_pending_ = true;
    pending_status_ = why;
    return;
  }
  finish(why);
}

void EventStream::end_now(const Status& why) {
  held_ = EventFrame{};
  has_held_ = false;
  waiting_.exchange(false, std::memory_order_acq_rel);
  if (ended()) return;
  // An end already decided (the session closed) keeps its own reason.
  finish(end_pending_ ? pending_status_ : why);
  end_pending_ = false;
}

void EventStream::finish(const Status& why) {
  end_status_ = why;
  ended_.store(true, std::memory_order_release);
  notify_consumer();
}

void EventStream::notify_consumer() {
  notify_due_ = false;
  if (on_ready_) on_ready_();
  doorbell_.ring();
}

// ---- consumer ----

void EventStream::room_made(size_t taken) {
  ring_.release_consumed();
  ungranted_ += static_cast<uint32_t>(taken);
  if (grant_credit_ && ungranted_ >= credit_step_) {
    grant_credit_(ungranted_);
    ungranted_ = 0;
  }
  if (waiting_.exchange(false, std::memory_order_acq_rel) && wake_producer_) wake_producer_();
}

bool EventStream::wait_until(std::chrono::steady_clock::time_point deadline) {
  return doorbell_.wait_until([this] { return ready(); }, deadline);
}

}  // namespace mxgw::client
