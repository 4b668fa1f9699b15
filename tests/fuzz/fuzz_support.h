// What the fuzz targets and their seed generator share: the session a fuzzed worker
// claims to serve, the preamble of a frame-decoder input, built payloads placed as
// received, a check that stops the run like a crash (so that libFuzzer keeps the
// input), and reading a verified event batch down to its last byte.
//
// Thread safety: none needed; a fuzz target runs one input at a time.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <mxgw/schema/events_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/slab.h>

namespace mxgw::fuzz {

// The worker the worker_frame target plays the gateway for; the seeds' WorkerHello
// proves it, so that the accepted path is reached as well as every refusal.
inline constexpr std::string_view kSessionId = "session-0123456789abcdef0123456789abcdef";
inline constexpr std::string_view kBackend = "sim";
inline constexpr uint8_t kNonceSeed = 0xA5;  // nonce byte i is kNonceSeed ^ i

// A frame_decoder input starts with two bytes: the decoder's limits, then the seed
// of the chunk sizes the stream is delivered in.
inline constexpr size_t kDecoderPreambleBytes = 2;

// A payload a builder finished, as its receiver holds it: at the start of a slab.
// A builder leaves a message 8-byte aligned only relative to its end (a message of
// 4-byte fields may start 4 bytes off); on the wire every payload starts 8-byte
// aligned, and the verifier insists on it.
transport::SharedBytes as_received(const transport::SharedBytes& built);

// Aborts with `what` on stderr unless `ok`.
void expect(bool ok, const char* what);
// Aborts with `what` and the status's message unless `status` is ok.
void expect_ok(const Status& status, const char* what);

// Walks `batch` with EventCursor as a consumer does, unpacking every event, value,
// status and gap, and checks that the cursor yields exactly event_count() events.
// REQUIRES: the batch passed verification.
void read_event_batch(const proto::EventBatch& batch);

}  // namespace mxgw::fuzz
