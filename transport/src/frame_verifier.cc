// Identifier, structural and semantic verification of every frame kind.

#include <mxgw/transport/frame_verifier.h>

#include <array>
#include <cstdint>
#include <string>

namespace mxgw::transport {
namespace {

// Bounds on what one message may contain, beyond its byte size: a deeply nested or
// table-heavy payload is refused before it can cost the verifier much time.
constexpr flatbuffers::uoffset_t kMaxDepth = 16;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 20;

Status malformed(FrameKind kind, const std::string& what) {
  return {ErrorCode::MalformedFrame, std::string(frame_kind_name(kind)) + " frame: " + what};
}

Status check_identifier(FrameKind kind, const uint8_t* data, size_t size, const char* expected) {
  if (size < flatbuffers::kFileIdentifierLength + sizeof(flatbuffers::uoffset_t)) {
    return malformed(kind, "payload of " + std::to_string(size) + " bytes is too short for a flatbuffer");
  }
  if (!flatbuffers::BufferHasIdentifier(data, expected)) {
    const char* got = flatbuffers::GetBufferIdentifier(data);
    std::string printable;
    for (size_t i = 0; i < flatbuffers::kFileIdentifierLength; ++i) {
      const char c = got[i];
      printable += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return malformed(kind, "file identifier '" + printable + "', expected '" + expected +
                               "' (another protocol or version?)");
  }
  return {};
}

// Positions of table events must be unique, below the batch's count, and increasing
// within each vector, so a reader can merge the vectors back into production order.
template <typename Vector>
bool positions_increasing(const Vector* events, uint64_t count) {
  if (!events) return true;
  int64_t previous = -1;
  for (const auto* event : *events) {
    const int64_t position = event->position();
    if (position <= previous || static_cast<uint64_t>(position) >= count) return false;
    previous = position;
  }
  return true;
}

// The head of one position list during the merge below.
template <typename Vector>
void consider_head(const Vector* events, uint32_t index, size_t list, int64_t* best, size_t* best_list,
                   bool* tie) {
  if (!events || index >= events->size()) return;
  const int64_t position = events->Get(index)->position();
  if (*best_list != SIZE_MAX && position == *best) *tie = true;
  if (*best_list == SIZE_MAX || position < *best) {
    *best = position;
    *best_list = list;
    *tie = false;
  }
}

// Across vectors: merging the (already increasing) lists must never meet one
// position twice.
template <typename... Vectors>
bool positions_unique_across(const Vectors*... vectors) {
  std::array<uint32_t, sizeof...(Vectors)> next{};
  for (;;) {
    int64_t best = 0;
    size_t best_list = SIZE_MAX;
    bool tie = false;
    size_t list = 0;
    ((consider_head(vectors, next[list], list, &best, &best_list, &tie), ++list), ...);
    if (best_list == SIZE_MAX) return true;
    if (tie) return false;
    ++next[best_list];
  }
}

Status check_event_positions(FrameKind kind, const proto::EventBatch& batch) {
  const uint64_t count = event_count(batch);
  if (!positions_increasing(batch.data_changes(), count) ||
      !positions_increasing(batch.buffered_changes(), count) ||
      !positions_increasing(batch.write_completes(), count) ||
      !positions_increasing(batch.operation_completes(), count) ||
      !positions_increasing(batch.session_states(), count)) {
    return malformed(kind, "event positions out of order or beyond the batch's " +
                               std::to_string(count) + " events");
  }
  if (!positions_unique_across(batch.data_changes(), batch.buffered_changes(), batch.write_completes(),
                               batch.operation_completes(), batch.session_states())) {
    return malformed(kind, "two events share one position");
  }
  return {};
}

Status verify_event_batch(FrameKind kind, const uint8_t* data, size_t size) {
  if (Status s = check_identifier(kind, data, size, proto::EventBatchIdentifier()); !s) return s;
  flatbuffers::Verifier verifier(data, size, kMaxDepth, kMaxTables);
  if (!proto::VerifyEventBatchBuffer(verifier)) return malformed(kind, "event batch failed verification");
  return check_event_positions(kind, *flatbuffers::GetRoot<proto::EventBatch>(data));
}

}  // namespace

uint64_t event_count(const proto::EventBatch& batch) {
  auto size = [](const auto* vector) -> uint64_t { return vector ? vector->size() : 0; };
  return size(batch.changes()) + size(batch.data_changes()) + size(batch.buffered_changes()) +
         size(batch.write_completes()) + size(batch.operation_completes()) + size(batch.session_states());
}

Status verify_payload(FrameKind kind, std::span<const std::byte> payload) {
  const auto* data = reinterpret_cast<const uint8_t*>(payload.data());
  const size_t size = payload.size();
  if (reinterpret_cast<uintptr_t>(data) % kFrameAlignment != 0) {
    return malformed(kind, "payload is not 8-byte aligned in memory");
  }
  switch (kind) {
    case FrameKind::WorkerControl: {
      if (Status s = check_identifier(kind, data, size, proto::WorkerFrameIdentifier()); !s) return s;
      flatbuffers::Verifier verifier(data, size, kMaxDepth, kMaxTables);
      if (!proto::VerifyWorkerFrameBuffer(verifier)) return malformed(kind, "worker message failed verification");
      return {};
    }
    case FrameKind::ClientControl: {
      if (Status s = check_identifier(kind, data, size, proto::ClientFrameIdentifier()); !s) return s;
      flatbuffers::Verifier verifier(data, size, kMaxDepth, kMaxTables);
      if (!proto::VerifyClientFrameBuffer(verifier)) return malformed(kind, "client message failed verification");
      return {};
    }
    case FrameKind::Events:
      return verify_event_batch(kind, data, size);
    case FrameKind::ClientEvents:
      if (size < kClientEventPrefixSize) {
        return malformed(kind, "payload of " + std::to_string(size) + " bytes is shorter than the event prefix");
      }
      return verify_event_batch(kind, data + kClientEventPrefixSize, size - kClientEventPrefixSize);
  }
  return {ErrorCode::UnknownMessage, "unknown frame kind " + std::to_string(static_cast<unsigned>(kind))};
}

}  // namespace mxgw::transport
