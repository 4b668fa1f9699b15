// Proves EventStream's two hand-offs without a network: a full ring holds the frame
// aside and asks the producer to wait, a poll that makes room wakes it exactly when
// it waits, an ending waits for the held frame, and a consumer blocked in
// wait_until() is woken by frames and by the end. Then the same protocols under
// two threads with a tiny ring: hundreds of thousands of frames in order, none lost, and neither
// side ever stuck (a lost wake-up would hang until the deadline and fail).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "engine/client/event_stream.h"
#include "tests/client/wait_for.h"

namespace mxgw::client {
namespace {

using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kFrames = 30'000;
#else
constexpr uint64_t kFrames = 300'000;
#endif

EventFrame frame_at(uint64_t seq) {
  EventFrame frame;
  frame.subscription_id = 9;
  frame.first_seq = seq;
  frame.count = 1;
  return frame;
}

TEST(EventStreamTest, FullRingHoldsTheFrameUntilAPollMakesRoom) {
  int wakes = 0;
  EventStream stream(9, 4, nullptr, [&] { ++wakes; });
  for (uint64_t seq = 0; seq < 4; ++seq) ASSERT_TRUE(stream.offer(frame_at(seq)));
  EXPECT_FALSE(stream.offer(frame_at(4)));
  EXPECT_TRUE(stream.holding());
  EXPECT_EQ(stream.stalls(), 1u);
  EXPECT_FALSE(stream.resume_held()) << "no room yet";
  EXPECT_EQ(wakes, 0);

  std::vector<uint64_t> seen;
  EXPECT_EQ(stream.poll(1, [&](EventFrame& f) { seen.push_back(f.first_seq); }), 1u);
  EXPECT_EQ(wakes, 1) << "the producer waits, and the poll made room";
  EXPECT_TRUE(stream.resume_held());
  EXPECT_FALSE(stream.holding());
  EXPECT_EQ(stream.poll(10, [&](EventFrame& f) { seen.push_back(f.first_seq); }), 4u);
  EXPECT_EQ(wakes, 1) << "nobody waits any more";
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(stream.frames_delivered(), 5u);
}

TEST(EventStreamTest, EndingWaitsForTheHeldFrameUnlessDropped) {
  EventStream stream(9, 2, nullptr, [] {});
  ASSERT_TRUE(stream.offer(frame_at(0)));
  ASSERT_TRUE(stream.offer(frame_at(1)));
  ASSERT_FALSE(stream.offer(frame_at(2)));
  stream.end_after_held({ErrorCode::SessionFaulted, "worker died"});
  EXPECT_FALSE(stream.ended()) << "the held frame is delivered first";
  uint64_t last = 0;
  stream.poll(2, [&](EventFrame& f) { last = f.first_seq; });
  ASSERT_TRUE(stream.resume_held());
  EXPECT_TRUE(stream.ended());
  EXPECT_FALSE(stream.finished()) << "one frame still to poll";
  stream.poll(2, [&](EventFrame& f) { last = f.first_seq; });
  EXPECT_EQ(last, 2u);
  EXPECT_TRUE(stream.finished());
  EXPECT_EQ(stream.end_status().code(), ErrorCode::SessionFaulted);

  EventStream dropped(10, 2, nullptr, [] {});
  ASSERT_TRUE(dropped.offer(frame_at(0)));
  ASSERT_TRUE(dropped.offer(frame_at(1)));
  ASSERT_FALSE(dropped.offer(frame_at(2)));
  dropped.end_now({ErrorCode::ShuttingDown, "closed"});
  EXPECT_TRUE(dropped.ended());
  EXPECT_FALSE(dropped.holding());
  EXPECT_EQ(dropped.poll(10, [](EventFrame&) {}), 2u);
  EXPECT_TRUE(dropped.finished());
}

TEST(EventStreamTest, WaitWakesOnFramesOnTheEndAndOtherwiseTimesOut) {
  std::atomic<int> ready_calls{0};
  EventStream stream(
      9, 8, [&] { ready_calls.fetch_add(1); }, [] {});
  EXPECT_FALSE(stream.wait_for(20ms)) << "nothing came";

  std::thread producer([&] {
    EXPECT_TRUE(stream.offer(frame_at(0)));
    stream.notify_consumer();
  });
  EXPECT_TRUE(stream.wait_for(testing::kPatience));
  producer.join();
  EXPECT_EQ(stream.poll(8, [](EventFrame&) {}), 1u);

  std::thread ender([&] { stream.end_after_held({}); });
  EXPECT_TRUE(stream.wait_for(testing::kPatience));
  ender.join();
  EXPECT_TRUE(stream.finished());
  EXPECT_TRUE(stream.end_status().is_ok());
  EXPECT_EQ(ready_calls.load(), 2);
}

// The I/O thread's part, played by a thread: offer; when held, wait to be woken and
// retry. The consumer blocks in wait_until whenever the ring is empty.
TEST(EventStreamTest, TwoThreadsTinyRingEveryFrameInOrder) {
  std::mutex mutex;
  std::condition_variable cv;
  bool woken = false;
  EventStream stream(9, 4, nullptr, [&] {
    std::lock_guard<std::mutex> lock(mutex);
    woken = true;
    cv.notify_one();
  });

  std::atomic<bool> producer_stuck{false};
  std::thread producer([&] {
    for (uint64_t seq = 0; seq < kFrames; ++seq) {
      if (!stream.offer(frame_at(seq))) {
        // As the I/O thread does at the end of each loop turn: tell the consumer
        // about what landed before waiting for room.
        stream.notify_consumer();
        for (;;) {
          std::unique_lock<std::mutex> lock(mutex);
          if (!cv.wait_for(lock, testing::kPatience, [&] { return woken; })) {
            producer_stuck = true;
            stream.end_now({});
            return;
          }
          woken = false;
          lock.unlock();
          if (stream.resume_held()) break;
        }
      }
      if (seq % 16 == 0) stream.notify_consumer();
    }
    stream.end_after_held({});
  });

  uint64_t expected = 0;
  uint64_t out_of_order = 0;
  while (!stream.finished()) {
    if (!stream.wait_for(testing::kPatience)) break;
    stream.poll(3, [&](EventFrame& f) {
      if (f.first_seq != expected) ++out_of_order;
      expected = f.first_seq + 1;
    });
  }
  producer.join();
  EXPECT_FALSE(producer_stuck) << "a wake-up for room was lost";
  EXPECT_EQ(expected, kFrames) << "the consumer stopped early: a wake-up for data was lost";
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_GT(stream.stalls(), 0u);
}

}  // namespace
}  // namespace mxgw::client
