// Measures FrameDecoder throughput, in frames/s and bytes/s, for small (64 B), medium
// (4 KiB) and large (64 KiB) payloads, and the cost of verifying what comes out: the
// same loop with verify_frame() on every frame of a stream of realistic event batches
// (DataChange structs built with PayloadBuilder, as a worker sends them).
//
// The stream is built once; each iteration feeds all of it through one long-lived
// decoder in 64 KiB chunks, as a socket read loop would (the copy into the read buffer
// stands in for read(2)), and takes every frame out, releasing it at once. Bytes are
// wire bytes (headers and padding included). `carried` is the share of bytes the
// decoder had to move between slabs because a frame straddled the end of one.
//
// Single-threaded with a fixed amount of work per iteration, so the instruction count
// of a run under callgrind is stable from run to run.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/slab.h>

#include "bench/sample_frames.h"

namespace {

using mxgw::bench::append_frame;
using mxgw::bench::sample_event_batch;
using mxgw::transport::event_batch;
using mxgw::transport::event_count;
using mxgw::transport::Frame;
using mxgw::transport::FrameDecoder;
using mxgw::transport::FrameKind;
using mxgw::transport::SharedBytes;
using mxgw::transport::verify_frame;
using mxgw::transport::verify_payload;

constexpr size_t kReadSize = 64u << 10;
// Enough stream per iteration that per-iteration overhead vanishes.
constexpr size_t kStreamBytes = 8u << 20;

struct Totals {
  uint64_t frames = 0;
  uint64_t events = 0;
  bool failed = false;
};

// Feeds `stream` to `decoder` in read-sized chunks and hands every frame to `take`.
template <typename Take>
void decode_stream(FrameDecoder& decoder, const std::vector<std::byte>& stream, Totals& totals, Take&& take) {
  size_t at = 0;
  Frame frame;
  while (at < stream.size()) {
    const std::span<std::byte> buffer = decoder.read_buffer();
    if (buffer.empty()) {
      totals.failed = true;
      return;
    }
    const size_t n = std::min({buffer.size(), kReadSize, stream.size() - at});
    std::memcpy(buffer.data(), stream.data() + at, n);
    decoder.commit(n);
    at += n;
    while (decoder.next(&frame)) {
      ++totals.frames;
      take(frame);
      frame.payload.reset();
    }
  }
}

void report(benchmark::State& state, const FrameDecoder& decoder, const Totals& totals, size_t stream_bytes,
            uint64_t frames_per_stream) {
  if (totals.failed || !decoder.error().is_ok() || totals.frames != frames_per_stream * state.iterations()) {
    state.SkipWithError("the stream did not decode into its frames");
    return;
  }
  const double wire_bytes = static_cast<double>(stream_bytes) * static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(wire_bytes));
  state.counters["frames/s"] = benchmark::Counter(static_cast<double>(totals.frames), benchmark::Counter::kIsRate);
  state.counters["carried"] = static_cast<double>(decoder.carried_bytes()) / wire_bytes;
}

void BM_Decode(benchmark::State& state) {
  const size_t payload_size = static_cast<size_t>(state.range(0));
  std::vector<std::byte> payload(payload_size);
  for (size_t i = 0; i < payload_size; ++i) payload[i] = std::byte(static_cast<uint8_t>(i));
  std::vector<std::byte> stream;
  uint64_t frames_per_stream = 0;
  while (stream.size() < kStreamBytes) {
    append_frame(stream, FrameKind::Events, payload);
    ++frames_per_stream;
  }

  FrameDecoder decoder;
  Totals totals;
  for (auto _ : state) {
    decode_stream(decoder, stream, totals, [](const Frame& frame) { benchmark::DoNotOptimize(frame.payload.data()); });
  }
  report(state, decoder, totals, stream.size(), frames_per_stream);
}

void BM_DecodeAndVerifyEvents(benchmark::State& state) {
  const SharedBytes batch = sample_event_batch(static_cast<int>(state.range(0)));
  if (!verify_payload(FrameKind::Events, batch.bytes()).is_ok()) {
    state.SkipWithError("the sample batch does not verify");
    return;
  }
  std::vector<std::byte> stream;
  uint64_t frames_per_stream = 0;
  while (stream.size() < kStreamBytes) {
    append_frame(stream, FrameKind::Events, batch.bytes());
    ++frames_per_stream;
  }

  FrameDecoder decoder;
  Totals totals;
  for (auto _ : state) {
    decode_stream(decoder, stream, totals, [&](const Frame& frame) {
      if (!verify_frame(frame).is_ok()) {
        totals.failed = true;
        return;
      }
      totals.events += event_count(*event_batch(frame.payload));
    });
  }
  report(state, decoder, totals, stream.size(), frames_per_stream);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(totals.events), benchmark::Counter::kIsRate);
  state.counters["payload_bytes"] = static_cast<double>(batch.size());
}

BENCHMARK(BM_Decode)->ArgName("payload")->Arg(64)->Arg(4 << 10)->Arg(64 << 10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeAndVerifyEvents)->ArgName("changes")->Arg(200)->Arg(2000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
