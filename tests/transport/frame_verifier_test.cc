// Proves that verify_payload() accepts real messages of every frame kind, built the
// way producers build them (PayloadBuilder), and refuses with MalformedFrame and a
// message everything else: garbage, every truncation of a valid payload, a payload
// under another kind's file identifier, a ClientEvents payload shorter than its
// prefix, a misaligned payload, a vector of 8-byte elements off its alignment, a union
// that names a kind but carries no value, and event positions that are duplicated, out
// of range or out of order. Refusals never read outside the payload: each one is
// checked in an allocation of exactly its size, which AddressSanitizer builds
// bound-check.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/slab.h>

namespace mxgw::transport {
namespace {

namespace p = proto;

// String lengths below are 3, 7, 11 or 15 characters: with its terminator each string
// is a multiple of 4 bytes, so the first object a builder writes (which sits at the
// very end of the buffer) is followed by no alignment padding, and cutting even the
// last byte of a payload cuts a byte the message refers to.

SharedBytes worker_command() {
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  auto name = fbb.CreateString("historian-7");
  auto reg = p::CreateRegister(fbb, name);
  auto command = p::CreateCommand(fbb, 42, p::CommandBody::Register, reg.Union());
  return builder.finish(p::CreateWorkerFrame(fbb, p::WorkerMessage::Command, command.Union()),
                        p::WorkerFrameIdentifier());
}

SharedBytes client_hello() {
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  auto key = fbb.CreateString("key-0123456");
  auto name = fbb.CreateString("bench-1");
  auto hello = p::CreateHello(fbb, 1, key, name);
  return builder.finish(p::CreateClientFrame(fbb, 7, p::ClientMessage::Hello, hello.Union()),
                        p::ClientFrameIdentifier());
}

// Where the table events of a batch sit; the `changes` structs fill the rest.
struct Layout {
  size_t changes = 0;
  std::vector<uint32_t> data, buffered, writes, operations, states;
  size_t gaps = 0;
};

SharedBytes event_batch(const Layout& layout) {
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  std::vector<p::DataChange> changes;
  for (size_t i = 0; i < layout.changes; ++i) {
    changes.emplace_back(1, static_cast<int32_t>(100 + i), 0xC0u | 0x100u, p::MxDataType::Double, 0,
                         int64_t{1'700'000'000'000'000'000} + static_cast<int64_t>(i), 0.5 * static_cast<double>(i));
  }
  // Written first, so it sits at the end of the buffer (see the note on strings).
  auto changes_v = layout.changes ? fbb.CreateVectorOfStructs(changes) : 0;
  const std::vector<p::MxStatus> bad_status = {
      p::MxStatus(0, p::MxStatusCategory::CommunicationError, p::MxStatusSource::RespondingLmx, 17)};

  std::vector<flatbuffers::Offset<p::DataChangeEvent>> data;
  for (uint32_t position : layout.data) {
    auto text = p::CreateStringValue(fbb, fbb.CreateString("open"));
    auto value = p::CreateValue(fbb, p::MxDataType::String, false, p::ValueData::StringValue, text.Union());
    data.push_back(
        p::CreateDataChangeEvent(fbb, position, 1, 7, value, 0x40, 1234, fbb.CreateVectorOfStructs(bad_status)));
  }
  std::vector<flatbuffers::Offset<p::BufferedDataChangeEvent>> buffered;
  for (uint32_t position : layout.buffered) {
    buffered.push_back(p::CreateBufferedDataChangeEvent(fbb, position, 1, 8, p::MxDataType::Integer));
  }
  std::vector<flatbuffers::Offset<p::WriteCompleteEvent>> writes;
  for (uint32_t position : layout.writes) writes.push_back(p::CreateWriteCompleteEvent(fbb, position, 1, 9, 99));
  std::vector<flatbuffers::Offset<p::OperationCompleteEvent>> operations;
  for (uint32_t position : layout.operations) {
    operations.push_back(p::CreateOperationCompleteEvent(fbb, position, 1, 10));
  }
  std::vector<flatbuffers::Offset<p::SessionStateEvent>> states;
  for (uint32_t position : layout.states) {
    states.push_back(p::CreateSessionStateEvent(fbb, position, p::SessionState::Ready, fbb.CreateString("ready")));
  }
  std::vector<flatbuffers::Offset<p::GapEvent>> gaps;
  for (size_t i = 0; i < layout.gaps; ++i) gaps.push_back(p::CreateGapEvent(fbb, 10, 20, p::GapReason::Conflated));

  auto or_none = [&](const auto& v) { return v.empty() ? 0 : fbb.CreateVector(v); };
  auto batch = p::CreateEventBatch(fbb, 555, changes_v, or_none(data), or_none(buffered), or_none(writes),
                                   or_none(operations), or_none(states), or_none(gaps), 3);
  return builder.finish(batch, p::EventBatchIdentifier());
}

// Three numeric changes and three table events at positions 1, 4 and 0, plus a gap:
// six sequenced events.
Layout typical() {
  Layout layout;
  layout.changes = 3;
  layout.data = {1};
  layout.writes = {4};
  layout.states = {0};
  layout.gaps = 1;
  return layout;
}

// A ClientEvents payload: the per-subscriber prefix, then the batch bytes unchanged.
SharedBytes client_events(const SharedBytes& batch, uint64_t first_seq) {
  Slab* slab = Slab::create(kClientEventPrefixSize + batch.size());
  const p::ClientEventPrefix prefix(9, first_seq, 6, 0, 777);
  static_assert(sizeof prefix == kClientEventPrefixSize);
  std::memcpy(slab->data(), &prefix, sizeof prefix);
  std::memcpy(slab->data() + kClientEventPrefixSize, batch.data(), batch.size());
  return SharedBytes::adopt(slab, 0, static_cast<uint32_t>(kClientEventPrefixSize + batch.size()));
}

struct Sample {
  FrameKind kind;
  SharedBytes payload;
};

std::vector<Sample> valid_samples() {
  const SharedBytes batch = event_batch(typical());
  return {{FrameKind::WorkerControl, worker_command()},
          {FrameKind::ClientControl, client_hello()},
          {FrameKind::Events, batch},
          {FrameKind::ClientEvents, client_events(batch, 1000)}};
}

// Verifies a copy of `bytes` that owns exactly that many bytes.
Status verify_exact(FrameKind kind, std::span<const std::byte> bytes) {
  const SharedBytes copy = copy_to_slab(bytes);
  return verify_payload(kind, copy.bytes());
}

::testing::AssertionResult refused(const Status& status) {
  if (status.code() != ErrorCode::MalformedFrame) {
    return ::testing::AssertionFailure() << "expected MalformedFrame, got " << status.to_string();
  }
  if (status.message().empty()) return ::testing::AssertionFailure() << "refusal without a message";
  return ::testing::AssertionSuccess();
}

bool contains(const Status& status, std::string_view text) { return status.message().find(text) != std::string::npos; }

TEST(FrameVerifier, AcceptsAValidMessageOfEveryKind) {
  for (const Sample& s : valid_samples()) {
    const Status status = verify_payload(s.kind, s.payload.bytes());
    EXPECT_TRUE(status.is_ok()) << frame_kind_name(s.kind) << ": " << status.to_string();
  }
}

TEST(FrameVerifier, VerifiedPayloadsReadBackInPlace) {
  const SharedBytes worker = worker_command();
  ASSERT_TRUE(verify_frame({FrameKind::WorkerControl, worker}).is_ok());
  const p::Command* command = worker_frame(worker)->message_as_Command();
  ASSERT_NE(command, nullptr);
  EXPECT_EQ(command->correlation_id(), 42u);
  EXPECT_EQ(command->body_as_Register()->client_name()->str(), "historian-7");

  const SharedBytes client = client_hello();
  ASSERT_TRUE(verify_frame({FrameKind::ClientControl, client}).is_ok());
  const p::Hello* hello = client_frame(client)->message_as_Hello();
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->api_key()->str(), "key-0123456");
  EXPECT_EQ(hello->client_name()->str(), "bench-1");

  const SharedBytes batch = event_batch(typical());
  ASSERT_TRUE(verify_frame({FrameKind::Events, batch}).is_ok());
  const p::EventBatch* events = event_batch(batch);
  ASSERT_EQ(events->changes()->size(), 3u);
  EXPECT_EQ(events->changes()->Get(2)->item_handle(), 102);
  EXPECT_EQ(events->changes()->Get(2)->quality(), 0x1C0u) << "the quality word travels whole";
  EXPECT_EQ(events->changes()->Get(2)->source_time_ns(), 1'700'000'000'000'000'002);
  EXPECT_EQ(events->changes()->Get(2)->value(), 1.0);
  EXPECT_EQ(events->data_changes()->Get(0)->value()->payload_as_StringValue()->v()->str(), "open");
  EXPECT_EQ(event_count(*events), 6u);

  const SharedBytes delivered = client_events(batch, 1000);
  ASSERT_TRUE(verify_frame({FrameKind::ClientEvents, delivered}).is_ok());
  EXPECT_EQ(client_event_prefix(delivered)->first_seq(), 1000u);
  EXPECT_EQ(client_event_prefix(delivered)->subscription_id(), 9u);
  EXPECT_EQ(event_count(*client_event_batch(delivered)), 6u);
  EXPECT_EQ(client_event_batch(delivered)->worker_time_ns(), 555);
}

TEST(FrameVerifier, EventCountCountsEveryEventButGaps) {
  Layout layout;
  layout.changes = 5;
  layout.data = {0, 6};
  layout.buffered = {1};
  layout.writes = {3};
  layout.operations = {2};
  layout.states = {9};
  layout.gaps = 4;
  const SharedBytes batch = event_batch(layout);
  ASSERT_TRUE(verify_payload(FrameKind::Events, batch.bytes()).is_ok());
  EXPECT_EQ(event_count(*event_batch(batch)), 11u);

  const SharedBytes empty = event_batch(Layout{});
  ASSERT_TRUE(verify_payload(FrameKind::Events, empty.bytes()).is_ok());
  EXPECT_EQ(event_count(*event_batch(empty)), 0u);
}

TEST(FrameVerifierRefuses, EveryTruncationOfAValidPayload) {
  for (const Sample& s : valid_samples()) {
    for (size_t length = 0; length < s.payload.size(); ++length) {
      ASSERT_TRUE(refused(verify_exact(s.kind, s.payload.bytes().first(length))))
          << frame_kind_name(s.kind) << " cut to " << length << " of " << s.payload.size() << " bytes";
    }
  }
}

TEST(FrameVerifierRefuses, Garbage) {
  std::mt19937_64 rng(7);
  for (FrameKind kind :
       {FrameKind::WorkerControl, FrameKind::Events, FrameKind::ClientControl, FrameKind::ClientEvents}) {
    for (int round = 0; round < 500; ++round) {
      std::vector<std::byte> junk(rng() % 400);
      for (std::byte& b : junk) b = std::byte(static_cast<uint8_t>(rng()));
      ASSERT_TRUE(refused(verify_exact(kind, junk))) << frame_kind_name(kind) << " round " << round;
    }
  }
}

TEST(FrameVerifierRefuses, GarbageBehindTheRightIdentifier) {
  // Junk that gets past the identifier check: the flatbuffers Verifier must catch it.
  std::mt19937_64 rng(11);
  const struct {
    FrameKind kind;
    const char* id;
  } cases[] = {{FrameKind::WorkerControl, p::WorkerFrameIdentifier()},
               {FrameKind::Events, p::EventBatchIdentifier()},
               {FrameKind::ClientControl, p::ClientFrameIdentifier()}};
  for (const auto& c : cases) {
    for (int round = 0; round < 500; ++round) {
      std::vector<std::byte> junk(16 + 8 * (rng() % 40));
      for (std::byte& b : junk) b = std::byte(static_cast<uint8_t>(rng()));
      const uint32_t root = 8 + 4 * static_cast<uint32_t>(rng() % ((junk.size() - 8) / 4));
      std::memcpy(junk.data(), &root, 4);
      std::memcpy(junk.data() + 4, c.id, 4);
      ASSERT_TRUE(refused(verify_exact(c.kind, junk))) << frame_kind_name(c.kind) << " round " << round;
    }
  }
}

TEST(FrameVerifier, SurvivesEverySingleByteCorruption) {
  // A corrupted byte may still leave a valid message (a changed value); what must
  // never happen is a read outside the payload or a code other than MalformedFrame.
  for (const Sample& s : valid_samples()) {
    std::vector<std::byte> bytes(s.payload.bytes().begin(), s.payload.bytes().end());
    for (size_t i = 0; i < bytes.size(); ++i) {
      const std::byte original = bytes[i];
      for (std::byte replacement : {std::byte{0x00}, std::byte{0xFF}, original ^ std::byte{0x80}}) {
        bytes[i] = replacement;
        const Status status = verify_exact(s.kind, bytes);
        ASSERT_TRUE(status.is_ok() || refused(status)) << frame_kind_name(s.kind) << " byte " << i;
      }
      bytes[i] = original;
    }
  }
}

TEST(FrameVerifierRefuses, APayloadUnderAnotherKindsIdentifier) {
  const SharedBytes worker = worker_command();
  const SharedBytes client = client_hello();
  const SharedBytes batch = event_batch(typical());
  const struct {
    FrameKind kind;
    const SharedBytes& payload;
  } cases[] = {{FrameKind::WorkerControl, batch},  {FrameKind::ClientControl, batch},  {FrameKind::Events, worker},
               {FrameKind::ClientControl, worker}, {FrameKind::WorkerControl, client}, {FrameKind::Events, client}};
  for (const auto& c : cases) {
    const Status status = verify_payload(c.kind, c.payload.bytes());
    ASSERT_TRUE(refused(status)) << frame_kind_name(c.kind);
    EXPECT_TRUE(contains(status, "file identifier")) << status.message();
    EXPECT_TRUE(contains(status, frame_kind_name(c.kind))) << status.message();
  }
  // A bare batch where a prefixed one belongs: the batch's own first 32 bytes are
  // taken for the prefix, and what follows is not a batch.
  EXPECT_TRUE(refused(verify_payload(FrameKind::ClientEvents, batch.bytes())));
}

TEST(FrameVerifierRefuses, ClientEventsShorterThanThePrefix) {
  const SharedBytes delivered = client_events(event_batch(typical()), 1);
  for (size_t length = 0; length < kClientEventPrefixSize; ++length) {
    const Status status = verify_exact(FrameKind::ClientEvents, delivered.bytes().first(length));
    ASSERT_TRUE(refused(status)) << length;
    EXPECT_TRUE(contains(status, "prefix")) << status.message();
  }
  // The prefix alone, with no batch behind it.
  EXPECT_TRUE(refused(verify_exact(FrameKind::ClientEvents, delivered.bytes().first(kClientEventPrefixSize))));
}

TEST(FrameVerifierRefuses, APayloadThatIsNotEightByteAligned) {
  const SharedBytes batch = event_batch(typical());
  Slab* slab = Slab::create(batch.size() + 8);
  std::memcpy(slab->data() + 4, batch.data(), batch.size());
  const SharedBytes shifted = SharedBytes::adopt(slab, 4, static_cast<uint32_t>(batch.size()));
  const Status status = verify_payload(FrameKind::Events, shifted.bytes());
  ASSERT_TRUE(refused(status));
  EXPECT_TRUE(contains(status, "aligned")) << status.message();
}

// A batch whose one numeric change starts 4 bytes off its 8-byte alignment: laid out
// by hand, since no builder writes it. The flatbuffers Verifier alone accepts it.
SharedBytes misaligned_changes() {
  std::vector<uint8_t> bytes(64, 0);
  auto put32 = [&](size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); };
  auto put16 = [&](size_t at, uint16_t v) { std::memcpy(&bytes[at], &v, 2); };
  put32(0, 16);                       // root table at 16
  std::memcpy(&bytes[4], "MXEV", 4);  // file identifier
  put16(8, 8);                        // vtable at 8: its size,
  put16(10, 8);                       // the table's size,
  put16(12, 0);                       // worker_time_ns absent,
  put16(14, 4);                       // changes at table + 4
  put32(16, 8);                       // table: its vtable is 8 bytes before it
  put32(20, 4);                       // changes: vector at 20 + 4
  put32(24, 1);                       // one element, at 28: 4 bytes off
  const p::DataChange change(1, 2, 0xC0, p::MxDataType::Double, 0, 1234, 0.5);
  std::memcpy(&bytes[28], &change, sizeof change);
  return copy_to_slab(std::as_bytes(std::span(bytes)));
}

TEST(FrameVerifierRefuses, AVectorOfEightByteElementsOffItsAlignment) {
  const SharedBytes batch = misaligned_changes();
  for (FrameKind kind : {FrameKind::Events, FrameKind::ClientEvents}) {
    const SharedBytes payload = kind == FrameKind::Events ? batch : client_events(batch, 0);
    const Status status = verify_payload(kind, payload.bytes());
    ASSERT_TRUE(refused(status)) << frame_kind_name(kind);
    EXPECT_TRUE(contains(status, "not 8-byte aligned")) << status.message();
  }
}

// A Write command whose value names a string but holds none, and a reply whose body
// names a kind but is absent: the object API would unpack both into null values
// that crash the gateway when it packs them again.
TEST(FrameVerifierRefuses, AUnionThatNamesAKindButCarriesNoValue) {
  auto value_without_payload = [](flatbuffers::FlatBufferBuilder& fbb) {
    p::ValueBuilder value(fbb);
    value.add_data_type(p::MxDataType::String);
    value.add_payload_type(p::ValueData::StringValue);
    return value.Finish();
  };
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  auto write = p::CreateWrite(fbb, 1, 2, value_without_payload(fbb));
  auto command = p::CreateCommand(fbb, 1, p::CommandBody::Write, write.Union());
  const SharedBytes to_worker =
      builder.finish(p::CreateWorkerFrame(fbb, p::WorkerMessage::Command, command.Union()), p::WorkerFrameIdentifier());
  write = p::CreateWrite(fbb, 1, 2, value_without_payload(fbb));
  command = p::CreateCommand(fbb, 1, p::CommandBody::Write, write.Union());
  auto invoke = p::CreateInvoke(fbb, fbb.CreateString("session-1"), command);
  const SharedBytes from_client = builder.finish(p::CreateClientFrame(fbb, 3, p::ClientMessage::Invoke, invoke.Union()),
                                                 p::ClientFrameIdentifier());
  p::ReplyBuilder reply(fbb);
  reply.add_correlation_id(1);
  reply.add_body_type(p::ReplyBody::StatusReply);
  const auto empty_reply = reply.Finish();
  const SharedBytes from_worker = builder.finish(
      p::CreateWorkerFrame(fbb, p::WorkerMessage::Reply, empty_reply.Union()), p::WorkerFrameIdentifier());
  auto change = p::CreateDataChangeEvent(fbb, 0, 1, 2, value_without_payload(fbb), 0xC0, 1234);
  auto batch = p::CreateEventBatch(fbb, 555, 0, fbb.CreateVector(&change, 1));
  const SharedBytes events = builder.finish(batch, p::EventBatchIdentifier());

  for (const Sample& s : std::vector<Sample>{{FrameKind::WorkerControl, to_worker},
                                             {FrameKind::ClientControl, from_client},
                                             {FrameKind::WorkerControl, from_worker},
                                             {FrameKind::Events, events}}) {
    // As received: each payload at the start of its own slab.
    const Status status = verify_exact(s.kind, s.payload.bytes());
    ASSERT_TRUE(refused(status)) << frame_kind_name(s.kind);
    EXPECT_TRUE(contains(status, "carries no value")) << status.message();
  }
}

// A reply whose body is of a kind beyond the schema's: unpacked, it has no value, and
// packed again for the client it would name the kind without one.
TEST(FrameVerifierRefuses, AUnionOfAKindTheProtocolDoesNotHave) {
  PayloadBuilder builder;
  auto& fbb = builder.fbb();
  const auto body = p::CreateEmptyReply(fbb);
  const auto reply = p::CreateReply(fbb, 1, p::CommandError::None, nullptr, 0,
                                    static_cast<p::ReplyBody>(static_cast<int>(p::ReplyBody::MAX) + 1), body.Union());
  const SharedBytes payload =
      builder.finish(p::CreateWorkerFrame(fbb, p::WorkerMessage::Reply, reply.Union()), p::WorkerFrameIdentifier());
  const Status status = verify_exact(FrameKind::WorkerControl, payload.bytes());
  ASSERT_TRUE(refused(status));
  EXPECT_TRUE(contains(status, "does not have")) << status.message();
}

// ---- event positions ----

TEST(FrameVerifier, AcceptsPositionsInterleavedAcrossEveryVector) {
  Layout layout;
  layout.changes = 2;  // fill positions 4 and 6
  layout.data = {0, 5};
  layout.buffered = {1};
  layout.writes = {3, 7};
  layout.operations = {2};
  layout.states = {8};
  for (FrameKind kind : {FrameKind::Events, FrameKind::ClientEvents}) {
    const SharedBytes batch = event_batch(layout);
    const SharedBytes payload = kind == FrameKind::Events ? batch : client_events(batch, 0);
    const Status status = verify_payload(kind, payload.bytes());
    EXPECT_TRUE(status.is_ok()) << status.to_string();
  }
}

struct BadLayout {
  const char* what;
  Layout layout;
  const char* message;
};

std::vector<BadLayout> bad_layouts() {
  std::vector<BadLayout> out;
  auto add = [&](const char* what, const char* message, auto&& edit) {
    Layout layout;
    layout.changes = 2;
    edit(layout);
    out.push_back({what, layout, message});
  };
  add("duplicate across data and writes", "share one position", [](Layout& l) {
    l.data = {1};
    l.writes = {1};
  });
  add("duplicate across buffered and states", "share one position", [](Layout& l) {
    l.buffered = {0, 2};
    l.states = {2};
  });
  add("duplicate across the first and last vectors", "share one position", [](Layout& l) {
    l.data = {0, 3};
    l.operations = {1};
    l.states = {3};
  });
  add("position equal to the count", "beyond", [](Layout& l) { l.data = {3}; });  // count 3
  add("position far out of range", "beyond", [](Layout& l) { l.writes = {0, 4000000000u}; });
  add("decreasing within a vector", "out of order", [](Layout& l) { l.writes = {3, 1}; });
  add("repeated within a vector", "out of order", [](Layout& l) { l.data = {2, 2}; });
  add("decreasing in the last vector", "out of order", [](Layout& l) { l.states = {1, 0}; });
  return out;
}

TEST(FrameVerifierRefuses, BadEventPositions) {
  for (const BadLayout& bad : bad_layouts()) {
    const SharedBytes batch = event_batch(bad.layout);
    for (FrameKind kind : {FrameKind::Events, FrameKind::ClientEvents}) {
      const SharedBytes payload = kind == FrameKind::Events ? batch : client_events(batch, 0);
      const Status status = verify_payload(kind, payload.bytes());
      ASSERT_TRUE(refused(status)) << bad.what << " (" << frame_kind_name(kind) << ")";
      EXPECT_TRUE(contains(status, bad.message)) << bad.what << ": " << status.message();
    }
  }
}

}  // namespace
}  // namespace mxgw::transport
