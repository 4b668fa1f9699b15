// PayloadBuilder: a flatbuffers builder whose memory is a slab, so a finished message
// becomes a SharedBytes payload without being copied. This is where an event's bytes
// are written for the one and only time (invariant 3 in DESIGN.md).
//
// Thread safety: one builder per thread; finished payloads may travel anywhere.

#pragma once

#include <flatbuffers/flatbuffers.h>

#include <mxgw/transport/slab.h>

namespace mxgw::transport {

// Hands the builder slab memory; a released buffer keeps its slab alive through the
// SharedBytes that adopted it.
class SlabAllocator final : public flatbuffers::Allocator {
 public:
  uint8_t* allocate(size_t size) override;
  void deallocate(uint8_t* p, size_t size) override;
};

class PayloadBuilder {
 public:
  explicit PayloadBuilder(size_t initial_size = 1024) : fbb_(initial_size, &allocator_, /*own_allocator=*/false) {}

  flatbuffers::FlatBufferBuilder& fbb() noexcept { return fbb_; }

  // Finishes the message under `file_identifier` (4 characters) and hands out its
  // bytes; the builder starts afresh for the next message.
  template <typename Root>
  SharedBytes finish(flatbuffers::Offset<Root> root, const char* file_identifier) {
    fbb_.Finish(root, file_identifier);
    return release();
  }

 private:
  SharedBytes release();

  SlabAllocator allocator_;
  flatbuffers::FlatBufferBuilder fbb_;
};

}  // namespace mxgw::transport
