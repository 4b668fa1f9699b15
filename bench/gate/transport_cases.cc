// The transport core's cases: the SPSC ring with frame references, the frame
// decoder on a socket-shaped stream, and verification of an event batch.

#include <cstring>
#include <vector>

#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/spsc_ring.h>

#include "bench/gate/cases.h"
#include "bench/sample_frames.h"

namespace mxgw::gate {

using transport::Frame;
using transport::FrameKind;
using transport::SharedBytes;

void ring(Meter& meter) {
  // A burst in, then everything out, as a subscriber that polls now and then sees
  // it; every push takes a reference to one frame and every pop drops one.
  constexpr int kBurst = 32;
  transport::SpscRing<SharedBytes> ring(1024);
  const SharedBytes frame = bench::sample_event_batch(16);
  SharedBytes out;
  uint64_t popped = 0;
  const Plan plan{.warmup = 64, .iterations = 4'000, .ops_per_iteration = kBurst};
  meter.measure(plan, [&] {
    for (int i = 0; i < kBurst; ++i) {
      if (!ring.try_push(frame)) fail("ring: full below its capacity");
    }
    while (ring.try_pop(out)) ++popped;
  });
  if (popped != (plan.warmup + plan.iterations) * kBurst) fail("ring: lost items");
}

void decoder(Meter& meter) {
  // 64 KiB reads of 5 KiB frames: frames straddle reads and slabs as they do from a
  // socket. 64 frames make exactly 5 reads, one iteration.
  constexpr size_t kRead = 64u << 10;
  constexpr int kFrames = 64;
  const std::vector<std::byte> payload(5 * 1024 - transport::kFrameHeaderSize, std::byte{0x5a});
  std::vector<std::byte> stream;
  for (int i = 0; i < kFrames; ++i) bench::append_frame(stream, FrameKind::Events, payload);
  if (stream.size() % kRead != 0) fail("decoder: the stream is not whole reads");
  transport::FrameDecoder decoder;
  Frame frame;
  uint64_t frames = 0;
  const Plan plan{.warmup = 2, .iterations = 50, .ops_per_iteration = kFrames};
  meter.measure(plan, [&] {
    for (size_t at = 0; at < stream.size(); at += kRead) {
      const auto buffer = decoder.read_buffer();
      if (buffer.size() < kRead) fail("decoder: no room for a read");
      // The copy read(2) would make is not the decoder's work.
      meter.outside([&] { std::memcpy(buffer.data(), stream.data() + at, kRead); });
      decoder.commit(kRead);
      while (decoder.next(&frame)) {
        ++frames;
        frame.payload.reset();
      }
    }
  });
  if (!decoder.error().is_ok() || frames != (plan.warmup + plan.iterations) * kFrames) {
    fail("decoder: the stream did not decode into its frames");
  }
}

void verifier(Meter& meter) {
  const Frame frame{FrameKind::Events, bench::sample_event_batch(200)};
  uint64_t events = 0;
  const Plan plan{.warmup = 1, .iterations = 2'000};
  meter.measure(plan, [&] {
    if (!transport::verify_frame(frame).is_ok()) fail("verifier: the sample batch does not verify");
    events += transport::event_count(*transport::event_batch(frame.payload));
  });
  if (events != (plan.warmup + plan.iterations) * 200) fail("verifier: events miscounted");
}

}  // namespace mxgw::gate
