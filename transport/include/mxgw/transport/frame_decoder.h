// FrameDecoder: turns bytes as they arrive from a stream into frames that point into
// reference-counted slabs, without copying complete frames.
//
// Use with a libuv read loop: read_buffer() gives the space for the next read,
// commit(n) records what arrived, and next() hands out each complete frame. A frame
// may be split at any byte and one read may hold many frames. The only copy is of an
// incomplete frame's leading bytes when it does not fit in the rest of the current
// slab; those bytes move once to a fresh slab sized for the whole frame
// (carried_bytes() counts them).
//
// A header is validated (version, kind, length <= max) before any memory is sized by
// it: an oversized length is refused without allocating. Errors are sticky: once a
// stream has failed it cannot be trusted again, and the connection must close.
//
// Thread safety: none; one decoder per stream, used on that stream's loop thread.
// Frames handed out may be moved to and released on other threads.

#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <mxgw/status.h>
#include <mxgw/transport/frame.h>
#include <mxgw/transport/slab.h>

namespace mxgw::transport {

class FrameDecoder {
 public:
  struct Options {
    uint32_t max_payload_bytes = kDefaultMaxPayloadBytes;
    // Size of each slab; frames larger than this get a slab of their own.
    uint32_t slab_bytes = 256u << 10;
    // A slab whose free tail is smaller than this is retired before the next read.
    uint32_t min_read_bytes = 16u << 10;
  };

  FrameDecoder() : FrameDecoder(Options{}) {}
  explicit FrameDecoder(Options options) : options_(options) {}
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Space for the next read. Empty when memory is exhausted or the stream failed.
  std::span<std::byte> read_buffer();

  // `n` bytes were written at the start of the last read_buffer().
  // REQUIRES: n <= read_buffer().size() of the preceding call.
  void commit(size_t n) noexcept { filled_ += static_cast<uint32_t>(n); }

  // Hands out the next complete frame. False when more bytes are needed, or when the
  // stream is bad (then error() says why).
  bool next(Frame* out);

  const Status& error() const noexcept { return error_; }
  // Bytes received that do not yet form a complete frame.
  size_t buffered_bytes() const noexcept { return filled_ - parsed_; }
  // Bytes moved between slabs so far (incomplete frames only).
  uint64_t carried_bytes() const noexcept { return carried_bytes_; }

 private:
  // Replaces the current slab with one of at least `capacity` bytes, moving the
  // incomplete frame's bytes to its start.
  bool roll_over(size_t capacity);

  Options options_;
  Slab* slab_ = nullptr;     // owned reference
  uint32_t parsed_ = 0;      // start of the first byte not yet handed out
  uint32_t filled_ = 0;      // end of the bytes received
  size_t pending_wire_ = 0;  // wire size of the incomplete frame, once its header is known
  uint64_t carried_bytes_ = 0;
  Status error_;
};

}  // namespace mxgw::transport
