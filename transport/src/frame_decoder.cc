// Incremental frame decoding into shared slabs.

#include <mxgw/transport/frame_decoder.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace mxgw::transport {

FrameDecoder::~FrameDecoder() {
  if (slab_) slab_->release();
}

bool FrameDecoder::roll_over(size_t capacity) {
  const size_t keep = filled_ - parsed_;
  Slab* fresh = Slab::create(capacity);
  if (!fresh) {
    error_ = {ErrorCode::Internal, "out of memory for a " + std::to_string(capacity) + "-byte read slab"};
    return false;
  }
  if (keep) std::memcpy(fresh->data(), slab_->data() + parsed_, keep);
  carried_bytes_ += keep;
  if (slab_) slab_->release();
  slab_ = fresh;
  parsed_ = 0;
  filled_ = static_cast<uint32_t>(keep);
  return true;
}

std::span<std::byte> FrameDecoder::read_buffer() {
  if (!error_.is_ok()) return {};
  if (slab_ && parsed_ == filled_ && slab_->is_unique()) {
    // Every frame read into this slab has been released: rewind instead of allocating.
    parsed_ = filled_ = 0;
  }
  // A frame whose size is known must fit whole from where it starts; otherwise the
  // free tail must be worth a read.
  const bool fits = slab_ && (pending_wire_ ? parsed_ + pending_wire_ <= slab_->capacity()
                                            : slab_->capacity() - filled_ >= options_.min_read_bytes);
  const size_t capacity = std::max<size_t>({options_.slab_bytes, options_.min_read_bytes, pending_wire_});
  if (!fits && !roll_over(capacity)) return {};
  return {slab_->data() + filled_, slab_->capacity() - filled_};
}

bool FrameDecoder::next(Frame* out) {
  if (!error_.is_ok() || filled_ - parsed_ < kFrameHeaderSize) return false;
  const std::byte* at = slab_->data() + parsed_;
  FrameHeader header;
  error_ = decode_frame_header(at, options_.max_payload_bytes, &header);
  if (!error_.is_ok()) return false;
  const size_t wire = frame_wire_size(header.payload_length);
  if (filled_ - parsed_ < wire) {
    pending_wire_ = wire;
    return false;
  }
  const std::byte* padding = at + kFrameHeaderSize + header.payload_length;
  const size_t pad = frame_padding(header.payload_length);
  if (std::memcmp(padding, zero_padding(pad).data(), pad) != 0) {
    error_ = {ErrorCode::MalformedFrame,
              "non-zero padding after a " + std::string(frame_kind_name(header.kind)) + " frame"};
    return false;
  }
  out->kind = header.kind;
  out->payload = SharedBytes::share(slab_, parsed_ + static_cast<uint32_t>(kFrameHeaderSize), header.payload_length);
  parsed_ += static_cast<uint32_t>(wire);
  pending_wire_ = 0;
  return true;
}

}  // namespace mxgw::transport
