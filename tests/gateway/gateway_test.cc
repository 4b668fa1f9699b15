// The gateway end to end: real clients over TCP and a Unix socket, real keys, real
// workers. Authentication, ownership, admin list and kill, lossless delivery of ten
// million events to a slow subscriber, the other policies, resume after a dropped
// connection, and hostile input.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/payload_builder.h>

#include "tests/gateway/gateway_fixture.h"

namespace mxgw::testing {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kLosslessEvents = 1'000'000;
#else
constexpr uint64_t kLosslessEvents = 10'000'000;
#endif

// Continuity of one subscription's frames: every sequence number delivered once or
// inside one announced gap.
struct Ledger {
  uint64_t expected = 0;
  uint64_t delivered = 0;
  uint64_t gapped = 0;
  uint64_t breaks = 0;
  uint64_t data_since_gap = 0;  // worker events delivered one by one since the last gap
  bool saw_end_state = false;

  void take(const client::EventFrame& f) {
    const proto::EventBatch& batch = f.batch();
    if (batch.gaps()) {
      for (const proto::GapEvent* gap : *batch.gaps()) {
        if (expected != 0 && gap->first_seq() != expected) ++breaks;
        gapped += gap->last_seq() - gap->first_seq() + 1;
        expected = gap->last_seq() + 1;
        data_since_gap = 0;
      }
    }
    if (f.count > 0) {
      if (expected != 0 && f.first_seq != expected) ++breaks;
      expected = f.first_seq + f.count;
      delivered += f.count;
      if ((f.flags & static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated)) == 0) data_since_gap += f.count;
    }
    if (batch.session_states()) saw_end_state = true;
  }
};

class GatewayTest : public GatewayFixture {
 protected:
  // Small buffers all the way, so that a subscriber holding still soon overflows them.
  void start_with_small_buffers() {
    gateway::GatewayConfig config = test_config();
    config.engine.subscriber_ring_capacity = 16;
    config.client_high_watermark_bytes = 256u << 10;
    config.client_low_watermark_bytes = 64u << 10;
    start(config);
  }
};

TEST_F(GatewayTest, NoKeyOrAWrongKeyIsRefused) {
  start();
  Status error;
  EXPECT_EQ(connect("", &error), nullptr);
  EXPECT_EQ(error.code(), ErrorCode::Unauthenticated) << error.to_string();
  EXPECT_EQ(connect("mxgw_" + std::string(64, '0'), &error), nullptr);
  EXPECT_EQ(error.code(), ErrorCode::Unauthenticated) << error.to_string();
  auto ok = connect(alice_key_, &error);
  ASSERT_NE(ok, nullptr) << error.to_string();
  EXPECT_EQ(ok->server_info().role, proto::Role::Client);
  EXPECT_EQ(connect(admin_key_)->server_info().role, proto::Role::Admin);
}

TEST_F(GatewayTest, SessionsBelongToTheKeyThatOpenedThem) {
  start();
  auto alice = connect(alice_key_);
  auto bob = connect(bob_key_, nullptr, /*over_unix=*/true);
  auto admin = connect(admin_key_);
  const auto opened = await(alice->open_session({.client_session_name = "feeder"}));
  ASSERT_TRUE(opened.ok()) << opened.status.to_string();
  const std::string id = opened.value.session_id;
  EXPECT_EQ(opened.value.correlation_id, "feeder-" + id);

  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "intruder";
  EXPECT_EQ(await(bob->invoke(id, reg)).status.code(), ErrorCode::NotFound);
  EXPECT_EQ(await(bob->close_session(id)).status.code(), ErrorCode::NotFound);
  EXPECT_EQ(await(bob->subscribe(id)).status.code(), ErrorCode::NotFound);
  EXPECT_TRUE(await(bob->list_sessions()).value.empty());
  EXPECT_EQ(await(bob->kill_session(id, "mine")).status.code(), ErrorCode::PermissionDenied);
  EXPECT_TRUE(await(alice->invoke(id, reg)).ok());

  const auto listed = await(admin->list_sessions());
  ASSERT_EQ(listed.value.size(), 1u);
  EXPECT_EQ(listed.value[0].session_id, id);
  EXPECT_EQ(listed.value[0].owner, "alice");
  EXPECT_TRUE(await(admin->kill_session(id, "operator says so")).ok());
  EXPECT_EQ(await(alice->invoke(id, reg)).status.code(), ErrorCode::AlreadyClosed);
  EXPECT_TRUE(await(alice->list_sessions()).value.empty());
}

TEST_F(GatewayTest, LosslessDeliversEverythingInOrderToASlowSubscriber) {
  start();
  // A small client ring: the consumer below falls behind all the time, so the
  // client's ring fills, the gateway runs out of credit for it, the gateway's ring
  // fills, and the worker is held back.
  auto c = connect(alice_key_, nullptr, false, /*ring_frames=*/8);
  const auto opened = await(c->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:5000"}}}));
  ASSERT_TRUE(opened.ok()) << opened.status.to_string();
  const auto subscribed = await(c->subscribe(opened.value.session_id));
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  stream_counters(*c, opened.value.session_id, 5000);

  Ledger ledger;
  uint64_t values_read = 0;
  std::map<int32_t, double> last_value;
  uint64_t reversals = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  uint64_t next_pause = kLosslessEvents / 10;
  uint64_t frames_taken = 0;
  uint64_t full_rings = 0;
  // What a stalled consumer lets the gateway fill: the ring, less the part of a
  // quarter it has freed but not granted back yet.
  const size_t filled = subscribed.value.events->capacity() - subscribed.value.events->capacity() / 4 + 1;
  while (ledger.delivered < kLosslessEvents && std::chrono::steady_clock::now() < deadline) {
    if (ledger.delivered >= next_pause) {
      // Deliberately slow: stop reading until the ring is as full as the credit lets
      // it be, which holds the gateway and the worker back.
      next_pause += kLosslessEvents / 10;
      while (subscribed.value.events->frames_delivered() - frames_taken < filled &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      full_rings += subscribed.value.events->frames_delivered() - frames_taken >= filled;
    }
    subscribed.value.events->wait_for(std::chrono::seconds(1));
    subscribed.value.events->poll(4, [&](client::EventFrame& f) {
      ++frames_taken;
      ledger.take(f);
      // Read every change: per item, a counter never goes back.
      client::for_each_event(f, [&](const transport::EventRef& e, uint64_t) {
        if (e.kind != transport::EventRef::Kind::NumericChange) return;
        double& last = last_value[e.numeric()->item_handle()];
        if (e.numeric()->value() < last) ++reversals;
        last = e.numeric()->value();
        ++values_read;
      });
    });
  }
  EXPECT_GE(ledger.delivered, kLosslessEvents);
  EXPECT_EQ(ledger.breaks, 0u) << "a sequence gap or duplicate";
  EXPECT_EQ(ledger.gapped, 0u);
  EXPECT_EQ(reversals, 0u);
  EXPECT_EQ(values_read, ledger.delivered);
  EXPECT_GT(full_rings, 0u) << "the subscriber was never slow enough to push back";
  EXPECT_EQ(subscribed.value.events->stalls(), 0u) << "the gateway sent beyond the subscription's credit";
}

TEST_F(GatewayTest, DisconnectPolicyClosesTheSlowSubscriberWithAReason) {
  gateway::GatewayConfig config = test_config();
  config.engine.subscriber_ring_capacity = 64;
  start(config);
  auto slow = connect(alice_key_, nullptr, false, /*ring_frames=*/2);
  auto feeder = connect(alice_key_);
  const auto opened = await(feeder->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:2000"}}}));
  ASSERT_TRUE(opened.ok());
  const auto subscribed =
      await(slow->subscribe(opened.value.session_id, {.policy = proto::DeliveryPolicy::Disconnect}));
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  stream_counters(*feeder, opened.value.session_id, 2000);
  // Do not poll until the gateway has given up on this subscriber (not on the
  // session); then read what was already on its way, and the reason.
  const engine::SessionManager& manager = gateway_->manager();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (manager.metrics_snapshot().slow_disconnects == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(manager.metrics_snapshot().slow_disconnects, 1u);
  auto& events = *subscribed.value.events;
  while (!events.finished() && std::chrono::steady_clock::now() < deadline) {
    events.wait_for(std::chrono::seconds(1));
    events.poll(SIZE_MAX, [](client::EventFrame&) {});
  }
  EXPECT_TRUE(events.finished());
  EXPECT_EQ(slow->connection_error().code(), ErrorCode::SlowConsumer) << slow->connection_error().to_string();
  EXPECT_FALSE(slow->is_connected());
  EXPECT_TRUE(await(feeder->renew_lease(opened.value.session_id)).ok()) << "the session must live on";
}

// Drop-oldest and conflate through the daemon's sockets: a subscriber that stops
// reading is told exactly which sequence numbers it did not receive one by one, and
// the counts in metrics say the same.
class LossyPolicyTest : public GatewayTest, public ::testing::WithParamInterface<proto::DeliveryPolicy> {};

TEST_P(LossyPolicyTest, GapsAccountForEverythingNotDelivered) {
  start_with_small_buffers();
  auto slow = connect(alice_key_, nullptr, false, /*ring_frames=*/2);
  auto feeder = connect(alice_key_);
  const auto opened = await(feeder->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:2000"}}}));
  ASSERT_TRUE(opened.ok());
  const auto subscribed = await(slow->subscribe(opened.value.session_id, {.policy = GetParam()}));
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  stream_counters(*feeder, opened.value.session_id, 2000);
  auto not_delivered = [&] {
    const engine::MetricsSnapshot metrics = gateway_->manager().metrics_snapshot();
    return GetParam() == proto::DeliveryPolicy::DropOldest ? metrics.dropped_events : metrics.conflated_events;
  };
  // Hold still: once this client's ring is full (the gateway has used up the credit),
  // let the session run on far beyond what the gateway's ring holds, so that the
  // policy has to act.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto next_seq = [&] {
    const auto listed = await(feeder->list_sessions());
    return listed.value.empty() ? uint64_t{0} : listed.value[0].next_seq;
  };
  while (subscribed.value.events->frames_delivered() < subscribed.value.events->capacity() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  const uint64_t held_from = next_seq();
  while (next_seq() < held_from + 1'000'000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  Ledger ledger;
  while (ledger.gapped == 0 && std::chrono::steady_clock::now() < deadline) {
    subscribed.value.events->wait_for(std::chrono::seconds(1));
    subscribed.value.events->poll(SIZE_MAX, [&](client::EventFrame& f) { ledger.take(f); });
  }
  EXPECT_GT(ledger.gapped, 0u);
  EXPECT_EQ(ledger.breaks, 0u) << "every number is delivered once or inside one announced gap";
  // Unsubscribing flushes what is still owed; then the announcements add up.
  EXPECT_TRUE(await(slow->unsubscribe(subscribed.value.subscription_id)).ok());
  if (GetParam() == proto::DeliveryPolicy::DropOldest) {
    EXPECT_LE(ledger.gapped, not_delivered());
  } else {
    EXPECT_GT(not_delivered(), 0u);
  }
  EXPECT_TRUE(await(feeder->renew_lease(opened.value.session_id)).ok()) << "the session lives on";
}

// Drop-oldest through the sockets: a subscriber that stopped reading and comes back
// reads what was already on its way, one Gap naming exactly what was discarded, and
// then the newest events, up to the last the session published.
TEST_F(GatewayTest, DropOldestHandsAStalledSubscriberTheNewestEvents) {
  start_with_small_buffers();
  auto slow = connect(alice_key_, nullptr, false, /*ring_frames=*/2);
  auto feeder = connect(alice_key_);
  const auto opened = await(feeder->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:2000"}}}));
  ASSERT_TRUE(opened.ok());
  const auto subscribed =
      await(slow->subscribe(opened.value.session_id, {.policy = proto::DeliveryPolicy::DropOldest}));
  ASSERT_TRUE(subscribed.ok()) << subscribed.status.to_string();
  stream_counters(*feeder, opened.value.session_id, 2000);
  auto& events = *subscribed.value.events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (events.frames_delivered() < events.capacity() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(events.frames_delivered(), events.capacity()) << "the subscriber never fell behind";
  const engine::SessionManager& manager = gateway_->manager();
  while (manager.metrics_snapshot().dropped_events < 100'000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  // Ending the session ends the stream while the subscriber is still behind.
  ASSERT_TRUE(await(feeder->close_session(opened.value.session_id)).ok());
  Ledger ledger;
  ledger.expected = subscribed.value.next_seq;
  while (!events.finished() && std::chrono::steady_clock::now() < deadline) {
    events.wait_for(std::chrono::seconds(1));
    events.poll(SIZE_MAX, [&](client::EventFrame& f) { ledger.take(f); });
  }
  ASSERT_TRUE(events.finished());
  EXPECT_EQ(ledger.breaks, 0u) << "every number is delivered once or inside one announced gap";
  EXPECT_TRUE(ledger.saw_end_state);
  EXPECT_GE(ledger.gapped, 100'000u);
  EXPECT_GT(ledger.data_since_gap, 0u) << "the newest events were discarded, not the oldest";
  EXPECT_EQ(ledger.gapped, manager.metrics_snapshot().dropped_events) << "the gaps announce exactly what was dropped";
}

INSTANTIATE_TEST_SUITE_P(DropOldestAndConflate, LossyPolicyTest,
                         ::testing::Values(proto::DeliveryPolicy::DropOldest, proto::DeliveryPolicy::Conflate),
                         [](const ::testing::TestParamInfo<proto::DeliveryPolicy>& p) {
                           return std::string(proto::EnumNameDeliveryPolicy(p.param));
                         });

TEST_F(GatewayTest, ResumeAfterADroppedConnectionHasNoGapAndNoDuplicate) {
  start();
  std::string id;
  uint64_t resume_at = 0;
  {
    auto first = connect(alice_key_);
    const auto opened = await(first->open_session({.backend_options = {{"rate_ms", "1"}, {"tags", "Line:200"}}}));
    ASSERT_TRUE(opened.ok());
    id = opened.value.session_id;
    const auto subscribed = await(first->subscribe(id));
    stream_counters(*first, id, 200);
    Ledger ledger;
    while (ledger.delivered < 50'000) {
      subscribed.value.events->wait_for(std::chrono::seconds(1));
      subscribed.value.events->poll(SIZE_MAX, [&](client::EventFrame& f) { ledger.take(f); });
    }
    resume_at = ledger.expected;
  }  // the connection drops here; the session lives on within its lease
  auto second = connect(alice_key_, nullptr, /*over_unix=*/true);
  const auto resumed = await(second->subscribe(id, {.resume = true, .resume_from_seq = resume_at}));
  ASSERT_TRUE(resumed.ok()) << resumed.status.to_string();
  EXPECT_EQ(resumed.value.next_seq, resume_at);
  Ledger ledger;
  bool first_frame = true;
  while (ledger.delivered < 50'000) {
    resumed.value.events->wait_for(std::chrono::seconds(1));
    resumed.value.events->poll(SIZE_MAX, [&](client::EventFrame& f) {
      if (first_frame) {
        EXPECT_LE(f.first_seq, resume_at);
        EXPECT_GT(f.first_seq + f.count, resume_at);
        first_frame = false;
        // Count from the resume point: the client skips what it already had.
        ledger.expected = f.first_seq;
      }
      ledger.take(f);
    });
  }
  EXPECT_EQ(ledger.breaks, 0u);
  EXPECT_EQ(ledger.gapped, 0u);
}

// A raw socket speaking bytes, for input no client library would send.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawConnection() { ::close(fd_); }
  void send(const void* data, size_t size) {
    EXPECT_EQ(::send(fd_, data, size, MSG_NOSIGNAL), static_cast<ssize_t>(size));
  }
  // Everything until the gateway closes the connection (or 10 s pass).
  std::string read_to_end() {
    std::string all;
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0) all.append(buffer, static_cast<size_t>(n));
    closed_ = (n == 0);
    return all;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

// The Error a gateway sent before closing, from raw bytes.
ErrorCode error_code_in(const std::string& bytes) {
  if (bytes.size() < transport::kFrameHeaderSize) return ErrorCode::None;
  transport::FrameHeader header;
  if (!transport::decode_frame_header(reinterpret_cast<const std::byte*>(bytes.data()), 1u << 20, &header).is_ok()) {
    return ErrorCode::None;
  }
  transport::SharedBytes payload = transport::copy_to_slab(
      {reinterpret_cast<const std::byte*>(bytes.data()) + transport::kFrameHeaderSize, header.payload_length});
  const auto* frame = flatbuffers::GetRoot<proto::ClientFrame>(payload.u8());
  return frame->message_type() == proto::ClientMessage::Error ? frame->message_as_Error()->code() : ErrorCode::None;
}

TEST_F(GatewayTest, HostileInputGetsAnErrorAndOnlyThatConnectionCloses) {
  start();
  auto bystander = connect(alice_key_);
  const auto opened = await(bystander->open_session({}));
  ASSERT_TRUE(opened.ok());
  {
    RawConnection garbage(gateway_->tcp_port());
    std::byte header[transport::kFrameHeaderSize];
    transport::encode_frame_header(transport::FrameKind::ClientControl, 16, header);
    const std::string junk(16, 'x');
    garbage.send(header, sizeof header);
    garbage.send(junk.data(), junk.size());
    const std::string answer = garbage.read_to_end();
    EXPECT_TRUE(garbage.closed());
    EXPECT_EQ(error_code_in(answer), ErrorCode::MalformedFrame);
  }
  {
    RawConnection oversized(gateway_->tcp_port());
    std::byte header[transport::kFrameHeaderSize];
    transport::encode_frame_header(transport::FrameKind::ClientControl, 1u << 30, header);
    oversized.send(header, sizeof header);
    const std::string answer = oversized.read_to_end();
    EXPECT_TRUE(oversized.closed());
    EXPECT_EQ(error_code_in(answer), ErrorCode::FrameTooLarge);
  }
  {
    RawConnection early(gateway_->tcp_port());
    transport::PayloadBuilder builder;
    auto& fbb = builder.fbb();
    const auto list = proto::CreateListSessions(fbb);
    const auto payload =
        builder.finish(proto::CreateClientFrame(fbb, 7, proto::ClientMessage::ListSessions, list.Union()),
                       proto::ClientFrameIdentifier());
    std::byte header[transport::kFrameHeaderSize];
    transport::encode_frame_header(transport::FrameKind::ClientControl, static_cast<uint32_t>(payload.size()), header);
    early.send(header, sizeof header);
    early.send(payload.data(), payload.size());
    const size_t pad = transport::frame_padding(payload.size());
    early.send(transport::zero_padding(pad).data(), pad);
    const std::string answer = early.read_to_end();
    EXPECT_TRUE(early.closed());
    EXPECT_EQ(error_code_in(answer), ErrorCode::OutOfOrder);
  }
  // The gateway and the honest client carry on.
  proto::CommandT reg;
  reg.body.Set(proto::RegisterT{});
  reg.body.AsRegister()->client_name = "still fine";
  EXPECT_TRUE(await(bystander->invoke(opened.value.session_id, reg)).ok());
}

}  // namespace
}  // namespace mxgw::testing
