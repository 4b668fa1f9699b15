// Proves that a StreamEndpoint's send queue allocates nothing once it has reached its
// working size: this binary counts every operator new in the process while one
// endpoint pushes a million frames through a real Unix socket to a reader thread, its
// queue filling to the high watermark and draining again all the while.

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <thread>

#include <mxgw/transport/stream_endpoint.h>

#include "tests/support/counting_new.h"

namespace mxgw::transport {
namespace {

constexpr size_t kPayloadBytes = 64;  // with the 8-byte header, 72 bytes on the wire
constexpr size_t kWireBytes = kFrameHeaderSize + kPayloadBytes;
constexpr uint64_t kWarmupFrames = 100'000;
constexpr uint64_t kMeasuredFrames = 1'000'000;
constexpr uint64_t kBurst = 32;
// More than 1024 frames before the endpoint reports backpressure, so the warm-up
// takes the queue past 1024 slots (it grows to 2048), and at most that plus one burst
// afterwards, so it never needs to grow again.
constexpr size_t kHighWatermarkFrames = 1100;

class Sender : public StreamEndpoint::Handler {
 public:
  void on_frame(StreamEndpoint&, Frame&&) override {}
  void on_stream_error(StreamEndpoint&, const Status& why) override { error = why; }
  void on_backpressure(StreamEndpoint&, bool is_blocked) override {
    blocked = is_blocked;
    if (is_blocked && !reader_go.load(std::memory_order_relaxed)) {
      // Release pairs with the reader's acquire wait; nothing else is published.
      reader_go.store(true, std::memory_order_release);
      reader_go.notify_one();
    }
  }
  void on_closed(StreamEndpoint&) override { closed = true; }

  bool blocked = false;
  bool closed = false;
  Status error;
  // The reader starts only once the queue has reached the high watermark, so the
  // warm-up is sure to take the queue to its largest size.
  std::atomic<bool> reader_go{false};
};

TEST(EndpointAllocation, SteadyStateSendingDoesNotAllocate) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  uv_loop_t loop;
  uv_loop_init(&loop);

  StreamEndpoint::Options options;
  options.high_watermark_bytes = kHighWatermarkFrames * kWireBytes;
  options.low_watermark_bytes = options.high_watermark_bytes / 4;
  Sender sender;
  StreamEndpoint* endpoint = StreamEndpoint::adopt(&loop, StreamEndpoint::StreamType::UnixPipe, fds[0], options, "");
  ASSERT_NE(endpoint, nullptr);
  endpoint->start(&sender);

  std::array<std::byte, kPayloadBytes> bytes{};
  const SharedBytes payload = copy_to_slab(bytes);
  ASSERT_TRUE(payload);

  uint64_t bytes_read = 0;
  std::thread reader([&] {
    // Acquire pairs with the sender's release store.
    sender.reader_go.wait(false, std::memory_order_acquire);
    std::array<char, 64 << 10> buffer;
    for (;;) {
      const ssize_t n = ::read(fds[1], buffer.data(), buffer.size());
      if (n <= 0) break;
      bytes_read += static_cast<uint64_t>(n);
    }
    ::close(fds[1]);
  });

  uint64_t sent = 0;
  uint64_t allocations_before = 0;
  uint64_t allocations = 0;
  uv_idle_t producer;
  uv_idle_init(&loop, &producer);
  struct Context {
    StreamEndpoint* endpoint;
    Sender* sender;
    const SharedBytes* payload;
    uint64_t* sent;
    uint64_t* allocations_before;
    uint64_t* allocations;
  } context{endpoint, &sender, &payload, &sent, &allocations_before, &allocations};
  producer.data = &context;
  uv_idle_start(&producer, [](uv_idle_t* idle) {
    auto& c = *static_cast<Context*>(idle->data);
    if (c.sender->blocked) return;
    for (uint64_t i = 0; i < kBurst; ++i) c.endpoint->send(FrameKind::Events, *c.payload);
    *c.sent += kBurst;
    if (*c.sent == kWarmupFrames) *c.allocations_before = testing::operator_new_calls();
    if (*c.sent == kWarmupFrames + kMeasuredFrames) {
      *c.allocations = testing::operator_new_calls() - *c.allocations_before;
      uv_idle_stop(idle);
      c.endpoint->close();  // flushes what is queued, then closes the socket
    }
  });
  static_assert(kWarmupFrames % kBurst == 0 && kMeasuredFrames % kBurst == 0);

  uv_run(&loop, UV_RUN_DEFAULT);
  reader.join();
  uv_close(reinterpret_cast<uv_handle_t*>(&producer), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);

  ASSERT_TRUE(sender.closed);
  EXPECT_TRUE(sender.error.is_ok()) << sender.error.message();
  EXPECT_EQ(bytes_read, (kWarmupFrames + kMeasuredFrames) * kWireBytes);
  std::printf("%lu allocations while sending %lu frames\n", static_cast<unsigned long>(allocations),
              static_cast<unsigned long>(kMeasuredFrames));
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace mxgw::transport
