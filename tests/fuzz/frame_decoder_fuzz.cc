// Fuzz target: FrameDecoder fed the way a socket feeds it, in chunks of any size, and
// every frame it hands out verified for its kind; event batches that pass are read
// to the last event. The same stream is also decoded in the largest chunks the
// decoder accepts: both deliveries must give the same frames and the same verdict.
//
// Input: one byte of decoder limits (slab size, read minimum, payload maximum, and
// whether frames are held until the end, as fan-out holds them, or dropped at once
// so that slabs rewind), one byte seeding the chunk sizes, then the stream.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/frame_verifier.h>

#include "tests/fuzz/fuzz_support.h"
#include "tests/transport/frame_bytes.h"

namespace {

using namespace mxgw::transport;

struct Decoded {
  std::vector<Frame> frames;  // empty payloads unless held
  std::vector<size_t> sizes;
  std::vector<FrameKind> kinds;
  bool failed = false;
};

void check(const Frame& frame) {
  if (!verify_frame(frame).is_ok()) return;
  if (frame.kind == FrameKind::Events) mxgw::fuzz::read_event_batch(*event_batch(frame.payload));
  if (frame.kind == FrameKind::ClientEvents) mxgw::fuzz::read_event_batch(*client_event_batch(frame.payload));
}

// Delivers `stream` in chunks of 1 to 256 bytes drawn from `seed`, or whole when
// `seed` is 0.
Decoded decode(std::span<const std::byte> stream, FrameDecoder::Options options, bool hold, uint32_t seed) {
  FrameDecoder decoder(options);
  Decoded out;
  auto sink = [&](Frame&& frame) {
    check(frame);
    out.sizes.push_back(frame.payload.size());
    out.kinds.push_back(frame.kind);
    if (hold) out.frames.push_back(std::move(frame));
  };
  while (!stream.empty() && !out.failed) {
    size_t chunk = stream.size();
    if (seed != 0) {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      chunk = std::min<size_t>(chunk, 1 + seed % 256);
    }
    out.failed = !testing::deliver(decoder, stream.first(chunk), sink);
    stream = stream.subspan(chunk);
  }
  out.failed = out.failed || !decoder.error().is_ok();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < mxgw::fuzz::kDecoderPreambleBytes) return 0;
  const uint8_t limits = data[0];
  FrameDecoder::Options options;
  options.slab_bytes = 64u << (limits & 7);                      // 64 B .. 8 KiB
  options.min_read_bytes = 8u << ((limits >> 3) & 3);            // 8 .. 64 B
  options.max_payload_bytes = 16u << (3 * ((limits >> 5) & 3));  // 16 B .. 8 KiB
  const bool hold = (limits & 0x80) != 0;
  const uint32_t seed = 0x9E3779B9u * (data[1] + 1u);
  const std::span<const std::byte> stream(reinterpret_cast<const std::byte*>(data) + 2, size - 2);

  const Decoded chunked = decode(stream, options, hold, seed);
  const Decoded whole = decode(stream, options, hold, 0);
  mxgw::fuzz::expect(chunked.sizes == whole.sizes && chunked.kinds == whole.kinds,
                     "the frames depend on how the stream was split");
  mxgw::fuzz::expect(chunked.failed == whole.failed, "the verdict depends on how the stream was split");
  if (hold) {
    for (size_t i = 0; i < chunked.frames.size(); ++i) {
      const auto a = chunked.frames[i].payload.bytes();
      const auto b = whole.frames[i].payload.bytes();
      mxgw::fuzz::expect(a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0),
                         "a frame's bytes depend on how the stream was split");
    }
  }
  return 0;
}
