// Proves the slab reference counts: a slab shared by any number of holders (copies,
// moves, assignments, slices, references handed through rings to other threads) is
// freed exactly when its last holder lets go, on whichever thread that is, and not a
// moment before; copy_to_slab makes an independent, aligned copy; and a PayloadBuilder
// hands out payloads that stay valid after the builder is gone, one slab each, with
// the builder ready for the next message. Slab::live_count() is the witness.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/slab.h>
#include <mxgw/transport/spsc_ring.h>

namespace mxgw::transport {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(std::byte(static_cast<uint8_t>(v)));
  return out;
}

TEST(Slab, CreateGivesAlignedCountedMemory) {
  const int64_t before = Slab::live_count();
  Slab* slab = Slab::create(100);
  ASSERT_NE(slab, nullptr);
  EXPECT_EQ(Slab::live_count(), before + 1);
  EXPECT_EQ(slab->capacity(), 100u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(slab->data()) % 16, 0u);
  EXPECT_EQ(Slab::from_data(slab->data()), slab);
  EXPECT_TRUE(slab->is_unique());
  slab->retain();
  EXPECT_FALSE(slab->is_unique());
  slab->release();
  EXPECT_TRUE(slab->is_unique());
  EXPECT_EQ(Slab::live_count(), before + 1);
  slab->release();
  EXPECT_EQ(Slab::live_count(), before);
}

TEST(Slab, FreedExactlyWhenTheLastHolderDrops) {
  const int64_t before = Slab::live_count();
  SharedBytes original = copy_to_slab(bytes_of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  ASSERT_TRUE(original);
  EXPECT_EQ(Slab::live_count(), before + 1);

  SharedBytes copy = original;                     // +1
  SharedBytes moved = std::move(copy);             // steals: no change
  EXPECT_FALSE(copy);                              // a moved-from holder holds nothing
  SharedBytes slice = original.slice(2, 5);        // +1
  SharedBytes slice_of_slice = slice.slice(1, 2);  // +1
  SharedBytes assigned;
  assigned = slice;     // +1
  assigned = assigned;  // self-assignment changes nothing
  SharedBytes swapped;
  swapped.swap(moved);  // no change
  EXPECT_FALSE(moved);

  EXPECT_EQ(slice.size(), 5u);
  EXPECT_EQ(slice.u8()[0], 3);
  EXPECT_EQ(slice_of_slice.size(), 2u);
  EXPECT_EQ(slice_of_slice.u8()[0], 4);
  EXPECT_EQ(slice_of_slice.u8()[1], 5);
  EXPECT_EQ(assigned.data(), slice.data());

  // Drop every holder but one, in an arbitrary order; the slab must survive each.
  original.reset();
  EXPECT_EQ(Slab::live_count(), before + 1);
  slice = SharedBytes();
  EXPECT_EQ(Slab::live_count(), before + 1);
  swapped.reset();
  EXPECT_EQ(Slab::live_count(), before + 1);
  assigned.reset();
  EXPECT_EQ(Slab::live_count(), before + 1);
  EXPECT_EQ(slice_of_slice.u8()[1], 5) << "the bytes are still readable through the last holder";
  slice_of_slice.reset();
  EXPECT_EQ(Slab::live_count(), before);
}

TEST(Slab, SliceOfAnEmptyReferenceIsEmpty) {
  const SharedBytes none;
  const SharedBytes slice = none.slice(0, 0);
  EXPECT_FALSE(slice);
  EXPECT_EQ(slice.size(), 0u);
}

TEST(Slab, AssigningOverAHolderReleasesWhatItHeld) {
  const int64_t before = Slab::live_count();
  SharedBytes a = copy_to_slab(bytes_of({1}));
  SharedBytes b = copy_to_slab(bytes_of({2}));
  EXPECT_EQ(Slab::live_count(), before + 2);
  a = b;  // a's slab has no other holder
  EXPECT_EQ(Slab::live_count(), before + 1);
  a = std::move(b);
  EXPECT_EQ(Slab::live_count(), before + 1);
  EXPECT_EQ(a.u8()[0], 2);
  a.reset();
  EXPECT_EQ(Slab::live_count(), before);
}

TEST(Slab, SharedAcrossThreadsThroughRingsFreedAfterTheLastHolder) {
  // One frame fanned out to three consumer threads, each through its own ring, as a
  // distributor does. Every consumer keeps its last reference; the producer lets go
  // of its own before they finish. The slab must outlive the producer's reference and
  // go exactly when the last kept reference drops.
  constexpr int kConsumers = 3;
  constexpr int kCopies = 20'000;
  const int64_t before = Slab::live_count();
  std::vector<std::byte> content(64);
  for (size_t i = 0; i < content.size(); ++i) content[i] = std::byte(static_cast<uint8_t>(i * 3));

  std::vector<std::unique_ptr<SpscRing<SharedBytes>>> rings;
  for (int c = 0; c < kConsumers; ++c) rings.push_back(std::make_unique<SpscRing<SharedBytes>>(64));
  std::vector<SharedBytes> kept(kConsumers);
  std::vector<int> bad_bytes(kConsumers, 0);
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&, c] {
      SharedBytes ref;
      for (int i = 0; i < kCopies; ++i) {
        while (!rings[c]->try_pop(ref)) std::this_thread::yield();
        const size_t offset = static_cast<size_t>(i % 4) * 8;
        if (ref.size() != 16 || std::memcmp(ref.data(), content.data() + offset, 16) != 0) ++bad_bytes[c];
      }
      kept[c] = std::move(ref);
    });
  }
  {
    const SharedBytes frame = copy_to_slab(content);
    for (int i = 0; i < kCopies; ++i) {
      for (int c = 0; c < kConsumers; ++c) {
        // A slice is a new reference to the same slab, like a copy.
        SharedBytes ref = frame.slice(static_cast<size_t>(i % 4) * 8, 16);
        while (!rings[c]->try_push(std::move(ref))) std::this_thread::yield();
      }
    }
  }
  for (std::thread& t : consumers) t.join();
  for (int c = 0; c < kConsumers; ++c) EXPECT_EQ(bad_bytes[c], 0) << "consumer " << c;

  EXPECT_EQ(Slab::live_count(), before + 1) << "freed while consumers still held it";
  for (int c = 0; c < kConsumers; ++c) {
    ASSERT_TRUE(kept[c]);
    EXPECT_EQ(Slab::live_count(), before + 1);
    kept[c].reset();
  }
  EXPECT_EQ(Slab::live_count(), before);
}

TEST(Slab, CopyToSlabIsAnIndependentAlignedCopy) {
  const int64_t before = Slab::live_count();
  std::vector<std::byte> source = bytes_of({9, 8, 7, 6, 5});
  SharedBytes copy = copy_to_slab(source);
  source[0] = std::byte{0};
  ASSERT_EQ(copy.size(), 5u);
  EXPECT_EQ(copy.u8()[0], 9) << "the copy must not alias its source";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(copy.data()) % 8, 0u);

  // Empty input: a valid, empty reference that still owns (and frees) its slab.
  SharedBytes empty = copy_to_slab({});
  EXPECT_TRUE(empty);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(Slab::live_count(), before + 2);
  copy.reset();
  empty.reset();
  EXPECT_EQ(Slab::live_count(), before);
}

SharedBytes build_register(PayloadBuilder& builder, uint64_t correlation_id, const char* client_name) {
  auto& fbb = builder.fbb();
  auto name = fbb.CreateSharedString(client_name);
  auto reg = proto::CreateRegister(fbb, name);
  auto command = proto::CreateCommand(fbb, correlation_id, proto::CommandBody::Register, reg.Union());
  return builder.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Command, command.Union()),
                        proto::WorkerFrameIdentifier());
}

::testing::AssertionResult is_register(const SharedBytes& payload, uint64_t correlation_id, const char* name) {
  const Status status = verify_payload(FrameKind::WorkerControl, payload.bytes());
  if (!status) return ::testing::AssertionFailure() << status.to_string();
  const proto::Command* command = worker_frame(payload)->message_as_Command();
  if (!command || command->correlation_id() != correlation_id || !command->body_as_Register() ||
      command->body_as_Register()->client_name()->str() != name) {
    return ::testing::AssertionFailure() << "not the Register " << correlation_id << " '" << name << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST(PayloadBuilder, PayloadOutlivesTheBuilderInOneSlab) {
  const int64_t before = Slab::live_count();
  SharedBytes payload;
  {
    PayloadBuilder builder(64);  // small, so the message grows the buffer several times
    auto& fbb = builder.fbb();
    std::vector<proto::DataChange> changes;
    for (int i = 0; i < 500; ++i) {
      changes.emplace_back(1, i, 0xC0u, proto::MxDataType::Double, 0, int64_t{i}, 1.5 * i);
    }
    auto batch = proto::CreateEventBatch(fbb, 1, fbb.CreateVectorOfStructs(changes));
    payload = builder.finish(batch, proto::EventBatchIdentifier());
  }
  // Every intermediate buffer of the growth went back; the message's slab stayed.
  EXPECT_EQ(Slab::live_count(), before + 1);
  ASSERT_TRUE(verify_payload(FrameKind::Events, payload.bytes()).is_ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(payload.data()) % 8, 0u);
  const proto::EventBatch* batch = event_batch(payload);
  ASSERT_EQ(batch->changes()->size(), 500u);
  EXPECT_EQ(batch->changes()->Get(499)->value(), 1.5 * 499);

  SharedBytes shared = payload;
  payload.reset();
  EXPECT_EQ(Slab::live_count(), before + 1);
  shared.reset();
  EXPECT_EQ(Slab::live_count(), before);
}

TEST(PayloadBuilder, StartsAfreshForEachMessage) {
  // One builder, several messages with interned strings: each message must stand on
  // its own, and an earlier payload must not change when the builder is reused.
  const int64_t before = Slab::live_count();
  {
    PayloadBuilder builder;
    const SharedBytes first = build_register(builder, 1, "historian-7");
    const SharedBytes second = build_register(builder, 2, "historian-7");
    const SharedBytes third = build_register(builder, 3, "hmi-0123456");
    EXPECT_TRUE(is_register(first, 1, "historian-7"));
    EXPECT_TRUE(is_register(second, 2, "historian-7"));
    EXPECT_TRUE(is_register(third, 3, "hmi-0123456"));
    EXPECT_NE(first.data(), second.data());
    EXPECT_EQ(Slab::live_count(), before + 3);
  }
  EXPECT_EQ(Slab::live_count(), before);
}

}  // namespace
}  // namespace mxgw::transport
