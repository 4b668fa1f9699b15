// Frame verification: nothing from outside is used before it passes here (invariant 4
// in DESIGN.md). A payload must carry the file identifier its frame kind names, pass
// the flatbuffers Verifier (every offset, length and alignment in bounds), and obey
// the rules flatbuffers does not check: the elements of every vector of 8-byte
// values 8-byte aligned, every union inside a message of a kind the protocol has and
// with its value, and event positions unique and in range.
//
// After verify_frame() succeeds the typed accessors below read the payload in place.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <span>

#include <mxgw/schema/client_generated.h>
#include <mxgw/schema/events_generated.h>
#include <mxgw/schema/worker_generated.h>
#include <mxgw/status.h>
#include <mxgw/transport/frame.h>

namespace mxgw::transport {

Status verify_payload(FrameKind kind, std::span<const std::byte> payload);
inline Status verify_frame(const Frame& frame) { return verify_payload(frame.kind, frame.payload.bytes()); }

// Sequenced events in a batch: every event except gaps.
uint64_t event_count(const proto::EventBatch& batch);

// Typed views. REQUIRES: the payload passed verify_payload() for the matching kind.
inline const proto::WorkerFrame* worker_frame(const SharedBytes& payload) {
  return flatbuffers::GetRoot<proto::WorkerFrame>(payload.u8());
}
inline const proto::EventBatch* event_batch(const SharedBytes& payload) {
  return flatbuffers::GetRoot<proto::EventBatch>(payload.u8());
}
inline const proto::ClientFrame* client_frame(const SharedBytes& payload) {
  return flatbuffers::GetRoot<proto::ClientFrame>(payload.u8());
}
// The prefix and batch of a ClientEvents payload.
inline const proto::ClientEventPrefix* client_event_prefix(const SharedBytes& payload) {
  return reinterpret_cast<const proto::ClientEventPrefix*>(payload.u8());
}
inline const proto::EventBatch* client_event_batch(const SharedBytes& payload) {
  return flatbuffers::GetRoot<proto::EventBatch>(payload.u8() + kClientEventPrefixSize);
}

}  // namespace mxgw::transport
