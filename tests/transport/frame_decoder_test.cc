// Proves that FrameDecoder hands out every frame of a stream intact and in order
// however the stream is cut into reads (at every byte position, at random positions,
// one byte at a time, all in one read), that it does so without copying frames that
// arrive whole, and that it refuses bad headers (oversized, wrong version, unknown
// kind, reserved byte, padding) with the right code, before allocating, for good.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/slab.h>

#include "frame_bytes.h"

namespace mxgw::transport {
namespace {

using testing::append_frame;
using testing::deliver;

struct Expected {
  FrameKind kind;
  std::vector<std::byte> payload;
};

constexpr FrameKind kKinds[] = {FrameKind::WorkerControl, FrameKind::Events, FrameKind::ClientControl,
                                FrameKind::ClientEvents};

// Bytes that differ from frame to frame and position to position, so a payload
// handed out from the wrong place cannot compare equal by accident.
std::vector<std::byte> payload_bytes(size_t frame_index, size_t size) {
  std::vector<std::byte> out(size);
  for (size_t j = 0; j < size; ++j) out[j] = std::byte(static_cast<uint8_t>(frame_index * 131 + j * 7 + 1));
  return out;
}

// Small slabs, so that a stream of a few KB rolls over slabs many times and holds
// frames bigger than a slab.
FrameDecoder::Options small_slabs() {
  FrameDecoder::Options options;
  options.slab_bytes = 1024;
  options.min_read_bytes = 128;
  return options;
}

// Every kind; payloads of 0 bytes, of 1..7 bytes (7..1 padding bytes), around the
// 8-byte boundary, exactly one slab on the wire (1016 + 8), and two bigger than a
// slab.
std::vector<Expected> mixed_frames() {
  const size_t sizes[] = {0,  1,  2,   3,    4, 5,    6, 7, 8,   9,   15,   16, 17, 0,  0, 63,
                          64, 65, 120, 1016, 3, 2000, 5, 0, 255, 256, 1100, 1,  7,  31, 40};
  std::vector<Expected> frames;
  for (size_t i = 0; i < std::size(sizes); ++i) {
    frames.push_back({kKinds[i % std::size(kKinds)], payload_bytes(i, sizes[i])});
  }
  return frames;
}

std::vector<std::byte> stream_of(const std::vector<Expected>& frames) {
  std::vector<std::byte> stream;
  for (const Expected& f : frames) append_frame(stream, f.kind, f.payload);
  return stream;
}

::testing::AssertionResult same_frame(const Expected& want, const Frame& got, size_t index) {
  if (got.kind != want.kind) {
    return ::testing::AssertionFailure() << "frame " << index << ": kind " << frame_kind_name(got.kind) << ", expected "
                                         << frame_kind_name(want.kind);
  }
  if (got.payload.size() != want.payload.size()) {
    return ::testing::AssertionFailure() << "frame " << index << ": " << got.payload.size()
                                         << " payload bytes, expected " << want.payload.size();
  }
  if (!want.payload.empty() && std::memcmp(got.payload.data(), want.payload.data(), want.payload.size()) != 0) {
    return ::testing::AssertionFailure() << "frame " << index << ": payload bytes differ";
  }
  // Payloads are read in place by flatbuffers, which needs them 8-byte aligned.
  if (reinterpret_cast<uintptr_t>(got.payload.data()) % kFrameAlignment != 0) {
    return ::testing::AssertionFailure() << "frame " << index << ": payload not 8-byte aligned";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult same_frames(const std::vector<Expected>& want, const std::vector<Frame>& got) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << got.size() << " frames out, expected " << want.size();
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (auto r = same_frame(want[i], got[i], i); !r) return r;
  }
  return ::testing::AssertionSuccess();
}

// Feeds the stream cut at `cuts` (sorted offsets), keeping every frame until the end
// so that no slab can be rewound under a frame still held.
::testing::AssertionResult decode_with_cuts(const std::vector<Expected>& want, std::span<const std::byte> stream,
                                            const std::vector<size_t>& cuts, FrameDecoder::Options options,
                                            uint64_t* carried = nullptr) {
  FrameDecoder decoder(options);
  std::vector<Frame> got;
  size_t from = 0;
  auto keep = [&](Frame&& f) { got.push_back(std::move(f)); };
  for (size_t cut : cuts) {
    if (!deliver(decoder, stream.subspan(from, cut - from), keep)) {
      return ::testing::AssertionFailure() << "stream refused: " << decoder.error().to_string();
    }
    from = cut;
  }
  if (!deliver(decoder, stream.subspan(from), keep)) {
    return ::testing::AssertionFailure() << "stream refused: " << decoder.error().to_string();
  }
  if (!decoder.error().is_ok()) return ::testing::AssertionFailure() << decoder.error().to_string();
  if (decoder.buffered_bytes() != 0) {
    return ::testing::AssertionFailure() << decoder.buffered_bytes() << " bytes left buffered";
  }
  if (carried) *carried = decoder.carried_bytes();
  return same_frames(want, got);
}

TEST(FrameDecoder, StreamSplitAtEveryBytePosition) {
  const int64_t slabs_before = Slab::live_count();
  const std::vector<Expected> want = mixed_frames();
  const std::vector<std::byte> stream = stream_of(want);
  ASSERT_GT(stream.size(), 5000u);
  for (size_t s = 0; s <= stream.size(); ++s) {
    ASSERT_TRUE(decode_with_cuts(want, stream, {s}, small_slabs())) << "split at byte " << s;
  }
  EXPECT_EQ(Slab::live_count(), slabs_before);
}

TEST(FrameDecoder, StreamSplitAtEveryBytePositionWithDefaultSlabs) {
  // With 256 KiB slabs the whole stream fits one slab: the split lands inside frames
  // that are then completed in place, not carried.
  const std::vector<Expected> want = mixed_frames();
  const std::vector<std::byte> stream = stream_of(want);
  for (size_t s = 0; s <= stream.size(); ++s) {
    uint64_t carried = 0;
    ASSERT_TRUE(decode_with_cuts(want, stream, {s}, FrameDecoder::Options{}, &carried)) << "split at byte " << s;
    ASSERT_EQ(carried, 0u) << "split at byte " << s;
  }
}

TEST(FrameDecoder, RandomMultiSplitDeliveriesReleasingEachFrameAtOnce) {
  // Each frame is checked and dropped as it comes out, so fully consumed slabs are
  // rewound and reused while later frames arrive into them.
  const int64_t slabs_before = Slab::live_count();
  const std::vector<Expected> want = mixed_frames();
  const std::vector<std::byte> stream = stream_of(want);
  std::mt19937_64 rng(20240611);
  for (int round = 0; round < 3000; ++round) {
    std::set<size_t> cut_set;
    const size_t n_cuts = 1 + rng() % 40;
    while (cut_set.size() < n_cuts) cut_set.insert(rng() % (stream.size() + 1));
    FrameDecoder decoder(round % 2 ? small_slabs() : FrameDecoder::Options{});
    size_t index = 0;
    bool ok = true;
    auto check = [&](Frame&& f) {
      if (index >= want.size() || !same_frame(want[index], f, index)) ok = false;
      ++index;
    };
    size_t from = 0;
    for (size_t cut : cut_set) {
      ASSERT_TRUE(deliver(decoder, std::span(stream).subspan(from, cut - from), check));
      from = cut;
    }
    ASSERT_TRUE(deliver(decoder, std::span(stream).subspan(from), check));
    ASSERT_TRUE(ok) << "round " << round;
    ASSERT_EQ(index, want.size()) << "round " << round;
    ASSERT_EQ(decoder.buffered_bytes(), 0u);
    ASSERT_TRUE(decoder.error().is_ok()) << decoder.error().to_string();
  }
  EXPECT_EQ(Slab::live_count(), slabs_before);
}

TEST(FrameDecoder, OneByteAtATime) {
  const std::vector<Expected> want = mixed_frames();
  const std::vector<std::byte> stream = stream_of(want);
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  EXPECT_TRUE(decode_with_cuts(want, stream, cuts, small_slabs()));
  EXPECT_TRUE(decode_with_cuts(want, stream, cuts, FrameDecoder::Options{}));
}

TEST(FrameDecoder, ManyFramesInOneReadShareOneSlabWithoutCopies) {
  std::vector<Expected> want;
  for (size_t i = 0; i < 1000; ++i) want.push_back({kKinds[i % 4], payload_bytes(i, (i * 37) % 200)});
  const std::vector<std::byte> stream = stream_of(want);

  const int64_t slabs_before = Slab::live_count();
  {
    FrameDecoder decoder;
    std::span<std::byte> buffer = decoder.read_buffer();
    ASSERT_GE(buffer.size(), stream.size());
    std::memcpy(buffer.data(), stream.data(), stream.size());
    decoder.commit(stream.size());
    std::vector<Frame> got;
    Frame frame;
    while (decoder.next(&frame)) got.push_back(std::move(frame));
    EXPECT_TRUE(decoder.error().is_ok());
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
    EXPECT_EQ(decoder.carried_bytes(), 0u);
    EXPECT_TRUE(same_frames(want, got));
    // A thousand frames, one slab: each frame is a reference, not a copy.
    EXPECT_EQ(Slab::live_count(), slabs_before + 1);
  }
  EXPECT_EQ(Slab::live_count(), slabs_before);
}

TEST(FrameDecoder, FrameMuchLargerThanTheSlabGetsOneSlabOfItsOwn) {
  const std::vector<Expected> want = {{FrameKind::Events, payload_bytes(1, 100)},
                                      {FrameKind::Events, payload_bytes(2, 50000)},
                                      {FrameKind::ClientEvents, payload_bytes(3, 9)}};
  const std::vector<std::byte> stream = stream_of(want);
  FrameDecoder decoder(small_slabs());
  std::vector<Frame> got;
  // Arrives in 100-byte reads: the big frame's header is known after its first read,
  // so at most the bytes of that one read are carried to the frame's own slab.
  for (size_t at = 0; at < stream.size(); at += 100) {
    ASSERT_TRUE(deliver(decoder, std::span(stream).subspan(at, std::min<size_t>(100, stream.size() - at)),
                        [&](Frame&& f) { got.push_back(std::move(f)); }));
  }
  EXPECT_TRUE(same_frames(want, got));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_LE(decoder.carried_bytes(), 2 * 1024u) << "the big frame was copied more than once";
}

// ---- refusals ----

std::vector<std::byte> header(uint32_t length, uint16_t kind, uint8_t version = kFrameFormatVersion,
                              uint8_t reserved = 0) {
  std::vector<std::byte> h(kFrameHeaderSize);
  std::memcpy(h.data(), &length, 4);
  std::memcpy(h.data() + 4, &kind, 2);
  h[6] = std::byte{version};
  h[7] = std::byte{reserved};
  return h;
}

// Feeds `bytes` and returns the frames handed out before the decoder stopped.
size_t feed(FrameDecoder& decoder, std::span<const std::byte> bytes) {
  size_t frames = 0;
  deliver(decoder, bytes, [&](Frame&&) { ++frames; });
  return frames;
}

void expect_sticky(FrameDecoder& decoder, ErrorCode code) {
  ASSERT_EQ(decoder.error().code(), code) << decoder.error().to_string();
  EXPECT_FALSE(decoder.error().message().empty());
  const Status first = decoder.error();
  Frame frame;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(decoder.next(&frame));
    EXPECT_TRUE(decoder.read_buffer().empty()) << "a failed stream must not be read further";
  }
  EXPECT_EQ(decoder.error().code(), first.code());
  EXPECT_EQ(decoder.error().message(), first.message());
  EXPECT_FALSE(frame.payload) << "no frame may come out of a failed stream";
}

TEST(FrameDecoderRefuses, OversizedLengthWithoutAllocating) {
  FrameDecoder::Options options;
  options.max_payload_bytes = 1u << 20;
  FrameDecoder decoder(options);
  // The decoder's ordinary read slab exists before the header arrives.
  std::span<std::byte> buffer = decoder.read_buffer();
  ASSERT_FALSE(buffer.empty());
  const int64_t slabs_before = Slab::live_count();

  const std::vector<std::byte> h = header(1u << 30, static_cast<uint16_t>(FrameKind::Events));
  std::memcpy(buffer.data(), h.data(), h.size());
  decoder.commit(h.size());
  Frame frame;
  EXPECT_FALSE(decoder.next(&frame));
  ASSERT_EQ(decoder.error().code(), ErrorCode::FrameTooLarge);
  EXPECT_NE(decoder.error().message().find("1073741824"), std::string::npos) << decoder.error().message();
  EXPECT_NE(decoder.error().message().find("1048576"), std::string::npos) << decoder.error().message();
  // No slab sized for the announced gigabyte, now or on the next read.
  EXPECT_TRUE(decoder.read_buffer().empty());
  EXPECT_EQ(Slab::live_count(), slabs_before);
  expect_sticky(decoder, ErrorCode::FrameTooLarge);
  EXPECT_EQ(Slab::live_count(), slabs_before);
}

TEST(FrameDecoderRefuses, OneByteOverTheLimitButNotAtIt) {
  FrameDecoder::Options options;
  options.max_payload_bytes = 1000;
  {
    FrameDecoder decoder(options);
    std::vector<std::byte> stream;
    append_frame(stream, FrameKind::Events, payload_bytes(0, 1000));
    EXPECT_EQ(feed(decoder, stream), 1u);
    EXPECT_TRUE(decoder.error().is_ok()) << decoder.error().to_string();
  }
  {
    FrameDecoder decoder(options);
    std::vector<std::byte> stream;
    append_frame(stream, FrameKind::Events, payload_bytes(0, 1001));
    EXPECT_EQ(feed(decoder, stream), 0u);
    expect_sticky(decoder, ErrorCode::FrameTooLarge);
  }
}

TEST(FrameDecoderRefuses, WrongFormatVersion) {
  for (uint8_t version : {uint8_t{0}, uint8_t{2}, uint8_t{255}}) {
    FrameDecoder decoder;
    EXPECT_EQ(feed(decoder, header(8, 1, version)), 0u);
    expect_sticky(decoder, ErrorCode::ProtocolVersionMismatch);
  }
}

TEST(FrameDecoderRefuses, UnknownKind) {
  for (uint16_t kind : {uint16_t{0}, uint16_t{5}, uint16_t{0x0100}, uint16_t{0xFFFF}}) {
    FrameDecoder decoder;
    EXPECT_EQ(feed(decoder, header(8, kind)), 0u);
    expect_sticky(decoder, ErrorCode::UnknownMessage);
  }
}

TEST(FrameDecoderRefuses, NonZeroReservedByte) {
  FrameDecoder decoder;
  EXPECT_EQ(feed(decoder, header(8, 2, kFrameFormatVersion, 1)), 0u);
  expect_sticky(decoder, ErrorCode::MalformedFrame);
}

TEST(FrameDecoderRefuses, NonZeroPaddingAtEveryPaddingByte) {
  for (size_t length = 1; length < kFrameAlignment; ++length) {
    for (size_t pad_byte = 0; pad_byte < frame_padding(length); ++pad_byte) {
      std::vector<std::byte> stream;
      append_frame(stream, FrameKind::WorkerControl, payload_bytes(0, length));
      stream[kFrameHeaderSize + length + pad_byte] = std::byte{0x80};
      FrameDecoder decoder;
      EXPECT_EQ(feed(decoder, stream), 0u);
      expect_sticky(decoder, ErrorCode::MalformedFrame);
    }
  }
}

TEST(FrameDecoderRefuses, AfterHandingOutTheGoodFramesBeforeTheBadOne) {
  const std::vector<Expected> good = {{FrameKind::Events, payload_bytes(0, 10)},
                                      {FrameKind::ClientControl, payload_bytes(1, 0)},
                                      {FrameKind::WorkerControl, payload_bytes(2, 33)}};
  std::vector<std::byte> stream = stream_of(good);
  const std::vector<std::byte> bad = header(16, 9);
  stream.insert(stream.end(), bad.begin(), bad.end());
  append_frame(stream, FrameKind::Events, payload_bytes(3, 16));  // never reached
  FrameDecoder decoder;
  std::vector<Frame> got;
  deliver(decoder, stream, [&](Frame&& f) { got.push_back(std::move(f)); });
  EXPECT_TRUE(same_frames(good, got));
  expect_sticky(decoder, ErrorCode::UnknownMessage);
}

TEST(FrameHeader, EncodesTheDocumentedLayout) {
  std::byte h[kFrameHeaderSize];
  encode_frame_header(FrameKind::ClientEvents, 0x01020304, h);
  const uint8_t want[] = {0x04, 0x03, 0x02, 0x01, 0x04, 0x00, kFrameFormatVersion, 0x00};
  EXPECT_EQ(std::memcmp(h, want, sizeof want), 0);
  FrameHeader decoded;
  ASSERT_TRUE(decode_frame_header(h, 0x01020304, &decoded).is_ok());
  EXPECT_EQ(decoded.kind, FrameKind::ClientEvents);
  EXPECT_EQ(decoded.payload_length, 0x01020304u);
  for (size_t n = 0; n < 64; ++n) EXPECT_EQ(frame_wire_size(n) % kFrameAlignment, 0u);
  EXPECT_EQ(frame_wire_size(0), kFrameHeaderSize);
  EXPECT_EQ(frame_wire_size(1), kFrameHeaderSize + 8);
  EXPECT_EQ(frame_wire_size(8), kFrameHeaderSize + 8);
}

}  // namespace
}  // namespace mxgw::transport
