// Proves that frames queued while a write is in flight go out intact even when the
// send queue grows under that write (growing moves the queued frames to a larger
// array, and libuv is still writing from the buffers it was given): over a real
// Unix socket with small kernel buffers, one endpoint sends bursts of frames, each
// larger than the last, and a reader thread decodes every frame and checks that
// they arrive whole and in order. Freed memory is scribbled over, so that a write
// from a frame's old place shows.

#include <gtest/gtest.h>

#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/stream_endpoint.h>

// Freed memory is overwritten at once, so that a write from memory freed under it
// sends bytes the reader refuses, rather than stale ones that happen to be right.
void* operator new(size_t size) {
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  if (p) std::memset(p, 0xA5, malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace mxgw::transport {
namespace {

constexpr uint64_t kFrames = 200'000;

class Sender : public StreamEndpoint::Handler {
 public:
  void on_frame(StreamEndpoint&, Frame&&) override {}
  void on_stream_error(StreamEndpoint&, const Status& why) override { error = why; }
  void on_closed(StreamEndpoint&) override { closed = true; }

  bool closed = false;
  Status error;
};

// A frame whose prefix (kept in the queued frame itself, beside the header) is its
// sequence number; even frames repeat it in an 8-byte payload, odd ones have none,
// so that a writev holds frames of one buffer each as well as of two.
void send_numbered(StreamEndpoint& endpoint, uint64_t seq) {
  std::byte bytes[sizeof seq];
  std::memcpy(bytes, &seq, sizeof seq);
  endpoint.send(FrameKind::Events, seq % 2 == 0 ? copy_to_slab(bytes) : SharedBytes(), bytes);
}

TEST(EndpointQueue, FramesQueuedWhileAWriteIsInFlightSurviveTheQueueGrowing) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  uv_loop_t loop;
  uv_loop_init(&loop);

  StreamEndpoint::Options options;
  options.socket_send_buffer_bytes = 4096;  // the kernel fills at once: writes go in flight
  options.high_watermark_bytes = SIZE_MAX;  // backpressure is not what is tested here
  Sender sender;
  StreamEndpoint* endpoint = StreamEndpoint::adopt(&loop, StreamEndpoint::StreamType::UnixPipe, fds[0], options, "");
  ASSERT_NE(endpoint, nullptr);
  endpoint->start(&sender);

  // The reader starts once everything is queued: until then the kernel buffer stays
  // full, so the first burst's write stays in flight while every later burst grows
  // the queue.
  std::atomic<bool> all_queued{false};
  uint64_t received = 0;
  Status decode_error;
  std::thread reader([&] {
    // Acquire pairs with the producer's release store.
    all_queued.wait(false, std::memory_order_acquire);
    FrameDecoder decoder;
    for (;;) {
      const std::span<std::byte> space = decoder.read_buffer();
      const ssize_t n = ::read(fds[1], space.data(), space.size());
      if (n <= 0) break;
      decoder.commit(static_cast<size_t>(n));
      Frame frame;
      while (decoder.next(&frame)) {
        const size_t expected_size = received % 2 == 0 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
        uint64_t prefix = 0;
        uint64_t seq = received;
        if (frame.payload.size() == expected_size) {
          std::memcpy(&prefix, frame.payload.data(), sizeof prefix);
          if (received % 2 == 0) std::memcpy(&seq, frame.payload.data() + sizeof prefix, sizeof seq);
        }
        if (frame.payload.size() != expected_size || prefix != received || seq != received) {
          decode_error = {ErrorCode::MalformedFrame, "frame " + std::to_string(received) + " arrived damaged"};
          break;
        }
        ++received;
      }
      if (!decoder.error().is_ok()) decode_error = decoder.error();
      if (!decode_error.is_ok()) break;
    }
    ::close(fds[1]);
  });

  // One burst per timer tick, each twice the last: every burst grows the queue.
  struct Producer {
    StreamEndpoint* endpoint;
    std::atomic<bool>* all_queued;
    uint64_t sent = 0;
    uint64_t burst = 8;
  } producer{endpoint, &all_queued};
  uv_timer_t timer;
  uv_timer_init(&loop, &timer);
  timer.data = &producer;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        auto& p = *static_cast<Producer*>(t->data);
        for (uint64_t i = 0; i < p.burst && p.sent < kFrames; ++i) send_numbered(*p.endpoint, p.sent++);
        p.burst *= 2;
        if (p.sent == kFrames) {
          uv_timer_stop(t);
          p.endpoint->close();
          // Release: nothing is published but the go-ahead itself.
          p.all_queued->store(true, std::memory_order_release);
          p.all_queued->notify_one();
        }
      },
      0, 1);

  uv_run(&loop, UV_RUN_DEFAULT);
  reader.join();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);

  ASSERT_TRUE(sender.closed);
  EXPECT_TRUE(decode_error.is_ok()) << decode_error.to_string();
  EXPECT_EQ(received, kFrames);
}

}  // namespace
}  // namespace mxgw::transport
