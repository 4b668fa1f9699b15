// Identifier, structural, alignment and semantic verification of every frame kind.

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
    return malformed(kind,
                     "file identifier '" + printable + "', expected '" + expected + "' (another protocol or version?)");
  }
  return {};
}

// Two things the flatbuffers Verifier lets through, and that are checked here
// wherever the schemas allow them:
//  - It checks that a vector's length prefix is 4-byte aligned, never that its
//    elements are aligned for their type (google/flatbuffers#8397): a vector of
//    doubles, longs or 8-byte structs can pass 4 bytes off and then be read with
//    misaligned loads, which is undefined behaviour. The payload itself is 8-byte
//    aligned in memory, so an element's address says whether it is aligned.
//  - It accepts a union whose type names a kind but whose value is absent, and one
//    whose type is beyond the schema's kinds (left for newer schemas). The object
//    API unpacks either into a null value under a non-NONE type. Packing it again
//    (the gateway re-encodes commands and replies) dereferences the null, or writes
//    the type without a value: a message its receiver refuses. The peers have
//    agreed on one protocol version, so a kind unknown to it is malformed.
// Each check returns what is wrong, or nullptr.
constexpr const char* kMisaligned = "a vector of 8-byte elements is not 8-byte aligned";
constexpr const char* kEmptyUnion = "a union names a kind but carries no value";
constexpr const char* kUnknownKind = "a union names a kind this protocol version does not have";

template <typename Kind>
const char* check_union(Kind kind, const void* value) {
  if (kind == Kind::NONE) return nullptr;
  if (kind > Kind::MAX) return kUnknownKind;
  return value ? nullptr : kEmptyUnion;
}

template <typename T>
bool elements_aligned(const flatbuffers::Vector<T>* vector) {
  return !vector || reinterpret_cast<uintptr_t>(vector->data()) % alignof(T) == 0;
}

template <typename Array>
bool array_aligned(const Array* array) {
  if (!array) return true;
  if constexpr (requires { array->ns(); }) {
    return elements_aligned(array->ns());
  } else {
    return elements_aligned(array->v());
  }
}

const char* check_value(const proto::Value* value) {
  if (!value) return nullptr;
  if (const char* problem = check_union(value->payload_type(), value->payload())) return problem;
  const bool aligned = array_aligned(value->payload_as_DoubleArray()) && array_aligned(value->payload_as_TimeArray()) &&
                       array_aligned(value->payload_as_ElapsedTimeArray());
  return aligned ? nullptr : kMisaligned;
}

template <typename Write>
const char* check_written_value(const Write* write) {
  return write ? check_value(write->value()) : nullptr;
}

const char* check_command(const proto::Command* command) {
  if (!command) return nullptr;
  for (const char* problem :
       {check_union(command->body_type(), command->body()), check_written_value(command->body_as_Write()),
        check_written_value(command->body_as_Write2()), check_written_value(command->body_as_WriteSecured()),
        check_written_value(command->body_as_WriteSecured2())}) {
    if (problem) return problem;
  }
  return nullptr;
}

const char* check_reply(const proto::Reply* reply) {
  return reply ? check_union(reply->body_type(), reply->body()) : nullptr;
}

const char* check_batch(const proto::EventBatch& batch) {
  if (!elements_aligned(batch.changes())) return kMisaligned;
  if (const auto* changes = batch.data_changes()) {
    for (const proto::DataChangeEvent* change : *changes) {
      if (const char* problem = check_value(change->value())) return problem;
    }
  }
  if (const auto* buffered = batch.buffered_changes()) {
    for (const proto::BufferedDataChangeEvent* change : *buffered) {
      if (!change->samples()) continue;
      for (const proto::BufferedSample* sample : *change->samples()) {
        if (const char* problem = check_value(sample->value())) return problem;
      }
    }
  }
  return nullptr;
}

Status verdict(FrameKind kind, const char* problem) { return problem ? malformed(kind, problem) : Status{}; }

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
void consider_head(const Vector* events, uint32_t index, size_t list, int64_t* best, size_t* best_list, bool* tie) {
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
  if (!positions_increasing(batch.data_changes(), count) || !positions_increasing(batch.buffered_changes(), count) ||
      !positions_increasing(batch.write_completes(), count) ||
      !positions_increasing(batch.operation_completes(), count) ||
      !positions_increasing(batch.session_states(), count)) {
    return malformed(kind, "event positions out of order or beyond the batch's " + std::to_string(count) + " events");
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
  const auto& batch = *flatbuffers::GetRoot<proto::EventBatch>(data);
  if (const char* problem = check_batch(batch)) return malformed(kind, problem);
  return check_event_positions(kind, batch);
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
      const auto* message = flatbuffers::GetRoot<proto::WorkerFrame>(data);
      if (const char* problem = check_command(message->message_as_Command())) return malformed(kind, problem);
      return verdict(kind, check_reply(message->message_as_Reply()));
    }
    case FrameKind::ClientControl: {
      if (Status s = check_identifier(kind, data, size, proto::ClientFrameIdentifier()); !s) return s;
      flatbuffers::Verifier verifier(data, size, kMaxDepth, kMaxTables);
      if (!proto::VerifyClientFrameBuffer(verifier)) return malformed(kind, "client message failed verification");
      const auto* message = flatbuffers::GetRoot<proto::ClientFrame>(data);
      const auto* invoke = message->message_as_Invoke();
      if (const char* problem = check_command(invoke ? invoke->command() : nullptr)) return malformed(kind, problem);
      const auto* result = message->message_as_InvokeResult();
      return verdict(kind, check_reply(result ? result->reply() : nullptr));
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
