// Slab-backed flatbuffers building.

#include <mxgw/transport/payload_builder.h>

#include <new>

namespace mxgw::transport {

uint8_t* SlabAllocator::allocate(size_t size) {
  Slab* slab = Slab::create(size);
  if (!slab) throw std::bad_alloc();
  return reinterpret_cast<uint8_t*>(slab->data());
}

void SlabAllocator::deallocate(uint8_t* p, size_t /*size*/) {
  if (p) Slab::from_data(p)->release();
}

SharedBytes PayloadBuilder::release() {
  size_t reserved = 0;
  size_t offset = 0;
  // ReleaseRaw hands over the whole allocation; the finished message occupies its
  // tail, [offset, reserved).
  uint8_t* raw = fbb_.ReleaseRaw(reserved, offset);
  // ReleaseRaw resets only the buffer, not the builder: its shared-string pool still
  // holds offsets into the message just handed out, which the next message's
  // CreateSharedString would otherwise reuse or compare against.
  fbb_.Clear();
  return SharedBytes::adopt(Slab::from_data(raw), static_cast<uint32_t>(offset),
                            static_cast<uint32_t>(reserved - offset));
}

}  // namespace mxgw::transport
