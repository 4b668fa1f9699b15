// EventStream: one subscription's frames, handed from the client's I/O thread to one
// consumer thread through a bounded SPSC ring, without copying and without
// allocating per event or per frame.
//
// Each EventFrame holds a counted reference to the ClientEvents payload exactly as
// it arrived (prefix + EventBatch, already verified), so reading a batch in place
// with EventCursor is safe for as long as the frame (or a copy of its payload) lives.
//
// Backpressure is lossless, by credit: the gateway sends no more frames than the
// ring has room for, and the consumer's poll() grants the room it frees back (in
// steps of a quarter of the ring, through `grant_credit`, which posts a GrantCredit
// for the I/O thread to send). A consumer that stops polling therefore holds back its
// own subscription only (its session's lossless backpressure then reaches the
// worker), while the connection goes on carrying answers and other subscriptions.
// Should a frame arrive with the ring full all the same (a gateway that does not
// keep to the credit), the I/O thread keeps it aside and stops reading the socket
// until a poll makes room and wakes it: nothing is dropped either way.
//
// Thread safety: poll(), wait_until()/wait_for() and finished() belong to one
// consumer thread at a time. subscription_id(), ended(), end_status() (once ended()),
// stalls() and frames_delivered() may be called from any thread. The producer
// section is for the client's I/O thread only.
//
// Atomics and their orders:
//   waiting_   the producer holds a frame and waits for room. Both sides change it
//              only by acq_rel exchanges, so of the producer's "set, then retry the
//              ring" and the consumer's "release room, then clear" one always sees
//              the other: either the retry finds the room or the consumer sees the
//              flag and wakes the producer. No wake-up is lost and no frame waits.
//   the consumer's sleep is a transport::Doorbell (its own pairing is explained
//              there): the producer rings it after every push and after the end.
//   ended_     set once with release after the last push and after end_status_ is
//              written; read with acquire, so a consumer that sees it also sees the
//              status and every frame pushed before it.
//   stalls_, delivered_  statistics: only the I/O thread writes them (a relaxed
//              load and store, no RMW needed), anyone reads them relaxed.

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <mxgw/status.h>
#include <mxgw/transport/doorbell.h>
#include <mxgw/transport/event_cursor.h>
#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

namespace mxgw::client {

// One ClientEvents frame of one subscription.
struct EventFrame {
  uint64_t subscription_id = 0;
  uint64_t first_seq = 0;  // sequence number of the batch's position 0
  uint32_t count = 0;      // sequenced events in the batch
  uint32_t flags = 0;      // proto::ClientEventFlags
  int64_t gateway_time_ns = 0;
  transport::SharedBytes payload;  // the ClientEvents payload: prefix + batch, verified

  // The batch, read in place.
  const proto::EventBatch& batch() const { return *transport::client_event_batch(payload); }
};

// Calls fn(const transport::EventRef& event, uint64_t seq) for each sequenced event
// of `frame` in production order. No allocation.
template <typename Fn>
void for_each_event(const EventFrame& frame, Fn&& fn) {
  transport::EventCursor cursor(frame.batch());
  transport::EventRef event;
  while (cursor.next(&event)) fn(event, frame.first_seq + event.position);
}

class EventStream {
 public:
  // `wake_producer` is called (on the consumer thread) when the producer waits for
  // room that a poll just freed; it must post a resume to the I/O thread.
  // `grant_credit(frames)` is called (on the consumer thread) each time polls have
  // freed a quarter of the ring; it must have the credit sent. May be empty.
  EventStream(uint64_t subscription_id, size_t ring_frames, std::function<void()> on_ready,
              std::function<void()> wake_producer, std::function<void(uint32_t frames)> grant_credit = {});
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  uint64_t subscription_id() const noexcept { return subscription_id_; }
  size_t capacity() const noexcept { return ring_.capacity(); }

  // ---- consumer side ----

  // Hands up to `max` frames, oldest first, to on_frame(EventFrame&), each removed
  // from the ring after the call returns (move the payload out to keep it longer).
  // Returns how many were handed over. Never blocks.
  template <typename F>
  size_t poll(size_t max, F&& on_frame) {
    size_t taken = 0;
    while (taken < max) {
      EventFrame* frame = ring_.front();
      if (!frame) break;
      on_frame(*frame);
      ring_.pop();
      ++taken;
    }
    if (taken) room_made(taken);
    return taken;
  }

  // Blocks until a frame is ready to poll or the stream has ended, or until the
  // deadline. True unless the deadline passed first.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  template <typename Rep, typename Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) {
    return wait_until(std::chrono::steady_clock::now() + timeout);
  }

  // The stream has ended and every frame has been polled: nothing more will come.
  bool finished() const noexcept { return ended() && ring_empty(); }
  // No frame will be added any more (some may still wait in the ring).
  bool ended() const noexcept { return ended_.load(std::memory_order_acquire); }
  // Why it ended: ok after unsubscribe or a session that closed; SessionFaulted for a
  // faulted session; the connection's error when the connection ended it.
  // REQUIRES: ended().
  const Status& end_status() const noexcept { return end_status_; }

  // Times this stream's full ring paused the connection.
  uint64_t stalls() const noexcept { return stalls_.load(std::memory_order_relaxed); }
  // Frames pushed into the ring so far.
  uint64_t frames_delivered() const noexcept { return delivered_.load(std::memory_order_relaxed); }

  // ---- producer side: the client's I/O thread only ----

  // Pushes `frame`, or keeps it aside when the ring is full and returns false: the
  // caller must stop reading until resume_held() succeeds.
  bool offer(EventFrame&& frame);
  // Retries the frame kept aside; true once none is held.
  bool resume_held();
  bool holding() const noexcept { return has_held_; }
  // Ends the stream with `why` after the held frame (if any) has been pushed.
  void end_after_held(const Status& why);
  // Ends the stream now, dropping a held frame (unsubscribe, client close).
  void end_now(const Status& why);
  // Tells a waiting consumer (and on_ready) that frames or the end have arrived.
  void notify_consumer();
  // Marks a notification as due this loop turn; false if it already was.
  bool mark_notify_due() noexcept {
    if (notify_due_) return false;
    notify_due_ = true;
    return true;
  }
  bool notify_due() const noexcept { return notify_due_; }

 private:
  bool ready() const noexcept { return ended() || !ring_empty(); }
  // Consumer side: front() is exact for the consumer, size_approx() is not.
  bool ring_empty() const noexcept { return ring_.front() == nullptr; }
  bool push_or_hold(EventFrame&& frame);
  void finish(const Status& why);
  // After a poll: return the freed slots at once, grant them once enough are free,
  // and wake a producer waiting for room.
  void room_made(size_t taken);

  const uint64_t subscription_id_;
  // Mutable: the consumer's const queries look at the ring's front.
  mutable transport::SpscRing<EventFrame> ring_;
  const std::function<void()> on_ready_;
  const std::function<void()> wake_producer_;
  const std::function<void(uint32_t)> grant_credit_;
  const uint32_t credit_step_;
  // The consumer's own: frames polled since the last grant.
  uint32_t ungranted_ = 0;

  // The producer's line: written on every frame by the I/O thread only (the
  // counters are also read, relaxed, by anyone).
  alignas(transport::kCacheLineSize) EventFrame held_;
  bool has_held_ = false;
  bool end_pending_ = false;
  bool notify_due_ = false;
  std::atomic<uint64_t> stalls_{0};
  std::atomic<uint64_t> delivered_{0};
  Status pending_status_;
  Status end_status_;  // written once before ended_ is set

  // What both sides touch: the flags, and the consumer's sleeping place.
  alignas(transport::kCacheLineSize) std::atomic<bool> ended_{false};
  std::atomic<bool> waiting_{false};
  transport::Doorbell doorbell_;
};

}  // namespace mxgw::client
