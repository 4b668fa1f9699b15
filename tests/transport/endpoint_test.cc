// Proves that two StreamEndpoints over a real Unix socket and a real TCP loopback
// connection exchange a million frames intact and in order, that backpressure is
// reported and relieved, and that a bad frame closes only that connection with the
// exact reason.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/listener.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/stream_endpoint.h>

namespace mxgw::transport {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kFrameCount = 100'000;
#else
constexpr uint64_t kFrameCount = 1'000'000;
#endif

// An event batch of `changes` numeric changes whose values encode `tag`.
SharedBytes make_batch(uint32_t changes, double tag) {
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  std::vector<proto::DataChange> items;
  for (uint32_t i = 0; i < changes; ++i) {
    items.emplace_back(1, static_cast<int32_t>(i), 0xC0u, proto::MxDataType::Double, 0, int64_t{i}, tag + i);
  }
  auto vector = fbb.CreateVectorOfStructs(items);
  proto::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(42);
  batch.add_changes(vector);
  return builder.finish(batch.Finish(), proto::EventBatchIdentifier());
}

// Runs `loop` until `done()` holds, failing the test at the deadline instead of hanging.
void run_until(uv_loop_t* loop, const std::function<bool()>& done, uint64_t deadline_ms = 120'000) {
  uv_timer_t deadline;
  uv_timer_init(loop, &deadline);
  bool expired = false;
  deadline.data = &expired;
  uv_timer_start(
      &deadline, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, deadline_ms, 0);
  while (!done() && !expired) uv_run(loop, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);
  ASSERT_FALSE(expired) << "deadline passed before the condition held";
}

struct Receiver : StreamEndpoint::Handler {
  std::vector<SharedBytes> originals;
  uint64_t next_seq = 0;
  uint64_t mismatches = 0;
  bool closed = false;
  Status stream_status{ErrorCode::Internal, "not ended"};
  bool pause_every_so_often = false;
  uv_timer_t resume_timer;
  uint64_t paused_at = 0;
  uint64_t delivered_while_paused = 0;

  void on_frame(StreamEndpoint& endpoint, Frame&& frame) override {
    const auto* prefix = client_event_prefix(frame.payload);
    const SharedBytes& original = originals[prefix->first_seq() % originals.size()];
    const bool intact =
        frame.kind == FrameKind::ClientEvents && prefix->first_seq() == next_seq &&
        frame.payload.size() == kClientEventPrefixSize + original.size() &&
        std::memcmp(frame.payload.data() + kClientEventPrefixSize, original.data(), original.size()) == 0;
    if (!intact) ++mismatches;
    ++next_seq;
    if (pause_every_so_often && next_seq % 50'000 == 0) {
      // Stop, then resume on a later loop turn: frames already buffered must neither
      // be delivered while paused nor lost.
      endpoint.pause_reading();
      paused_at = next_seq;
      resume_timer.data = &endpoint;
      uv_timer_start(
          &resume_timer, [](uv_timer_t* t) { static_cast<StreamEndpoint*>(t->data)->resume_reading(); }, 1, 0);
    } else if (paused_at == next_seq - 1 && endpoint.reading_paused()) {
      ++delivered_while_paused;
    }
  }
  void on_stream_error(StreamEndpoint&, const Status& why) override { stream_status = why; }
  void on_closed(StreamEndpoint&) override { closed = true; }
};

struct Sender : StreamEndpoint::Handler {
  StreamEndpoint* endpoint = nullptr;
  std::vector<SharedBytes> originals;
  uint64_t sent = 0;
  uint64_t blocked_reports = 0;
  uint64_t relieved_reports = 0;
  bool closed = false;

  void pump() {
    while (sent < kFrameCount && !endpoint->is_blocked()) {
      proto::ClientEventPrefix prefix(7, sent, 1, 0, 1234);
      endpoint->send(FrameKind::ClientEvents, originals[sent % originals.size()],
                     {reinterpret_cast<const std::byte*>(&prefix), sizeof prefix});
      ++sent;
    }
    if (sent == kFrameCount) endpoint->close();
  }
  void on_frame(StreamEndpoint&, Frame&&) override {}
  void on_stream_error(StreamEndpoint&, const Status&) override {}
  void on_backpressure(StreamEndpoint&, bool blocked) override {
    if (blocked) {
      ++blocked_reports;
    } else {
      ++relieved_reports;
      pump();
    }
  }
  void on_closed(StreamEndpoint&) override { closed = true; }
};

class EndpointTest : public ::testing::TestWithParam<bool /*tcp*/> {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "handles left open";
  }

  // Listens, connects, and hands both ends to the callers' handlers.
  void connect_pair(StreamEndpoint::Options options, StreamEndpoint::Handler* server_handler,
                    const std::function<void(StreamEndpoint*)>& on_client) {
    Status status;
    StreamEndpoint* server = nullptr;
    auto accept = [&](StreamEndpoint* endpoint) {
      server = endpoint;
      endpoint->start(server_handler);
    };
    if (GetParam()) {
      listener_ = Listener::listen_tcp(&loop_, "127.0.0.1", 0, options, accept, &status);
      ASSERT_TRUE(status.is_ok()) << status.to_string();
      connect_tcp(&loop_, "127.0.0.1", listener_->bound_port(), options, [&](const Status& s, StreamEndpoint* e) {
        ASSERT_TRUE(s.is_ok()) << s.to_string();
        on_client(e);
      });
    } else {
      const std::string path = "/tmp/mxgw-endpoint-test-" + std::to_string(::getpid()) + ".sock";
      listener_ = Listener::listen_unix(&loop_, path, options, accept, &status);
      ASSERT_TRUE(status.is_ok()) << status.to_string();
      connect_unix(&loop_, path, options, [&](const Status& s, StreamEndpoint* e) {
        ASSERT_TRUE(s.is_ok()) << s.to_string();
        on_client(e);
      });
    }
    run_until(&loop_, [&] { return server != nullptr; });
    listener_->close();
  }

  uv_loop_t loop_;
  Listener* listener_ = nullptr;
};

TEST_P(EndpointTest, MillionFramesArriveIntactAndInOrder) {
  std::vector<SharedBytes> originals;
  for (uint32_t i = 0; i < 64; ++i) originals.push_back(make_batch(i % 8 == 7 ? 2000 : 1 + i % 5, i * 1000.0));

  StreamEndpoint::Options options;
  options.high_watermark_bytes = 1u << 20;
  options.low_watermark_bytes = 256u << 10;
  Receiver receiver;
  receiver.originals = originals;
  receiver.pause_every_so_often = true;
  uv_timer_init(&loop_, &receiver.resume_timer);
  Sender sender;
  sender.originals = originals;
  connect_pair(options, &receiver, [&](StreamEndpoint* client) {
    sender.endpoint = client;
    client->start(&sender);
    sender.pump();
  });
  run_until(&loop_, [&] { return receiver.closed && sender.closed; });

  EXPECT_EQ(sender.sent, kFrameCount);
  EXPECT_EQ(receiver.next_seq, kFrameCount);
  EXPECT_EQ(receiver.mismatches, 0u);
  EXPECT_EQ(receiver.delivered_while_paused, 0u);
  uv_close(reinterpret_cast<uv_handle_t*>(&receiver.resume_timer), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // the timer lives in this frame
  EXPECT_TRUE(receiver.stream_status.is_ok()) << receiver.stream_status.to_string();
  EXPECT_GT(sender.blocked_reports, 0u) << "a flood must hit the high watermark";
  EXPECT_EQ(sender.blocked_reports, sender.relieved_reports);
}

struct Recorder : StreamEndpoint::Handler {
  uint64_t frames = 0;
  Status stream_status;
  bool stream_ended = false;
  bool closed = false;
  void on_frame(StreamEndpoint&, Frame&&) override { ++frames; }
  void on_stream_error(StreamEndpoint&, const Status& why) override {
    stream_ended = true;
    stream_status = why;
  }
  void on_closed(StreamEndpoint&) override { closed = true; }
};

TEST_P(EndpointTest, BadFrameClosesTheConnectionWithTheReason) {
  Recorder server;
  Recorder client_handler;
  StreamEndpoint* client = nullptr;
  connect_pair({}, &server, [&](StreamEndpoint* e) {
    client = e;
    e->start(&client_handler);
  });
  // A well-framed payload that is not a flatbuffer of the named kind.
  const std::byte garbage[16] = {std::byte{1}, std::byte{2}, std::byte{3}};
  client->send(FrameKind::Events, make_batch(3, 1.0));
  client->send(FrameKind::WorkerControl, copy_to_slab(garbage));
  run_until(&loop_, [&] { return server.closed && client_handler.closed; });
  EXPECT_EQ(server.frames, 1u);
  EXPECT_EQ(server.stream_status.code(), ErrorCode::MalformedFrame) << server.stream_status.to_string();
  EXPECT_NE(server.stream_status.message().find("WorkerControl"), std::string::npos);
}

TEST_P(EndpointTest, OversizedLengthIsRefused) {
  Recorder server;
  Recorder client_handler;
  StreamEndpoint* client = nullptr;
  StreamEndpoint::Options options;
  options.max_payload_bytes = 4096;
  connect_pair(options, &server, [&](StreamEndpoint* e) {
    client = e;
    e->start(&client_handler);
  });
  client->send(FrameKind::Events, make_batch(1000, 1.0));  // 32 KB > 4 KiB
  run_until(&loop_, [&] { return server.closed && client_handler.closed; });
  EXPECT_EQ(server.frames, 0u);
  EXPECT_EQ(server.stream_status.code(), ErrorCode::FrameTooLarge) << server.stream_status.to_string();
}

INSTANTIATE_TEST_SUITE_P(UnixAndTcp, EndpointTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Tcp" : "Unix"; });

}  // namespace
}  // namespace mxgw::transport
