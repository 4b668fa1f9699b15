// RingQueue keeps first-in first-out order across wrap-around and growth (growing
// while wrapped must unroll the elements in order), and releases what it held the
// moment an element is popped or removed, which the replay window and the
// drop-oldest backlog rely on to free frames.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include <mxgw/transport/ring_queue.h>

namespace mxgw::transport {
namespace {

TEST(RingQueue, KeepsOrderAcrossWrapAndGrowth) {
  RingQueue<int> q;
  int next_in = 0;
  int next_out = 0;
  // Uneven pushes and pops walk the head around the array, and the queue grows
  // several times while wrapped.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 3; ++i) q.push_back(next_in++);
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(q.front(), next_out++);
      q.pop_front();
    }
    ASSERT_EQ(q.size(), static_cast<size_t>(next_in - next_out));
    for (size_t i = 0; i < q.size(); ++i) ASSERT_EQ(q[i], next_out + static_cast<int>(i));
  }
  while (!q.empty()) {
    ASSERT_EQ(q.front(), next_out++);
    q.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(RingQueue, PopReleasesAtOnce) {
  RingQueue<std::shared_ptr<int>> q;
  auto held = std::make_shared<int>(7);
  q.push_back(held);
  q.push_back(held);
  EXPECT_EQ(held.use_count(), 3);
  q.pop_front();
  EXPECT_EQ(held.use_count(), 2);
  q.pop_front();
  EXPECT_EQ(held.use_count(), 1);
  EXPECT_TRUE(q.empty());
}

TEST(RingQueue, RemoveKeepsTheOthersInOrderAndReleasesAtOnce) {
  RingQueue<std::shared_ptr<int>> q;
  // Wrapped: the head is past the middle of the array when the removals happen.
  for (int i = 0; i < 12; ++i) q.push_back(std::make_shared<int>(-1));
  for (int i = 0; i < 12; ++i) q.pop_front();
  for (int i = 0; i < 10; ++i) q.push_back(std::make_shared<int>(i));
  const std::weak_ptr<int> third = q[3];
  q.remove(3);
  EXPECT_TRUE(third.expired());
  q.remove(0);
  q.remove(q.size() - 1);
  std::vector<int> left;
  while (!q.empty()) {
    left.push_back(*q.front());
    q.pop_front();
  }
  EXPECT_EQ(left, (std::vector<int>{1, 2, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace mxgw::transport
