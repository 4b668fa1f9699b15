// Framed libuv stream: decode-and-verify on read, gathered writev on write.

#include <mxgw/transport/stream_endpoint.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::transport {
namespace {

// Buffers per writev are bounded by the kernel's IOV_MAX (1024); each frame uses up
// to three (header+prefix, payload, padding), so one writev takes at most 340 frames.
constexpr unsigned kMaxWriteBuffers = 1020;
constexpr size_t kMaxWriteFrames = kMaxWriteBuffers / 3;
// Room for the header and prefix of every frame one writev can hold.
constexpr size_t kHeadCopyBytes = kMaxWriteFrames * (kFrameHeaderSize + StreamEndpoint::kMaxPrefixBytes);

Status io_error(const char* what, int uv_status) {
  return {ErrorCode::Internal, std::string(what) + ": " + uv_strerror(uv_status)};
}

}  // namespace

struct StreamEndpoint::OutFrame {
  std::array<std::byte, kFrameHeaderSize + kMaxPrefixBytes> head;
  uint8_t head_size = 0;
  uint8_t padding = 0;
  bool control = false;  // counted in queued_control_bytes_
  SharedBytes body;

  size_t wire_size() const { return head_size + body.size() + padding; }
};

StreamEndpoint* StreamEndpoint::create(uv_loop_t* loop, StreamType type, const Options& options) {
  auto* endpoint = new StreamEndpoint(options, type);
  const int status = type == StreamType::Tcp ? uv_tcp_init(loop, &endpoint->handle_.tcp)
                                             : uv_pipe_init(loop, &endpoint->handle_.pipe, 0);
  if (status != 0) {
    delete endpoint;
    return nullptr;
  }
  uv_prepare_init(loop, &endpoint->flush_prepare_);
  uv_check_init(loop, &endpoint->flush_check_);
  uv_timer_init(loop, &endpoint->close_timer_);
  endpoint->open_handles_ = 4;
  endpoint->handle_.handle.data = endpoint;
  endpoint->flush_prepare_.data = endpoint;
  endpoint->flush_check_.data = endpoint;
  endpoint->close_timer_.data = endpoint;
  endpoint->write_req_.data = endpoint;
  // Prepare and check handles must not keep the loop alive on their own.
  uv_unref(reinterpret_cast<uv_handle_t*>(&endpoint->flush_prepare_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&endpoint->flush_check_));
  return endpoint;
}

StreamEndpoint* StreamEndpoint::adopt(uv_loop_t* loop, StreamType type, int fd, const Options& options,
                                      std::string peer) {
  StreamEndpoint* endpoint = create(loop, type, options);
  if (!endpoint) {
    ::close(fd);
    return nullptr;
  }
  const int status =
      type == StreamType::Tcp ? uv_tcp_open(&endpoint->handle_.tcp, fd) : uv_pipe_open(&endpoint->handle_.pipe, fd);
  if (status != 0) {
    ::close(fd);
    endpoint->abort();
    return nullptr;
  }
  endpoint->configure_socket();
  endpoint->set_peer(std::move(peer));
  return endpoint;
}

int StreamEndpoint::duplicate_socket() const {
  uv_os_fd_t fd = -1;
  if (uv_fileno(&handle_.handle, &fd) != 0) return -1;
  return ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

StreamEndpoint::StreamEndpoint(const Options& options, StreamType type)
    : options_(options),
      type_(type),
      decoder_(FrameDecoder::Options{options.max_payload_bytes, options.read_slab_bytes,
                                     std::min<uint32_t>(16u << 10, options.read_slab_bytes)}) {}

StreamEndpoint::~StreamEndpoint() = default;

void StreamEndpoint::configure_socket() {
  if (type_ == StreamType::Tcp) uv_tcp_nodelay(&handle_.tcp, 1);
  auto* handle = &handle_.handle;
  if (int size = options_.socket_send_buffer_bytes; size > 0) uv_send_buffer_size(handle, &size);
  if (int size = options_.socket_receive_buffer_bytes; size > 0) uv_recv_buffer_size(handle, &size);
}

void StreamEndpoint::start(Handler* handler) {
  assert(!handler_ && handler);
  handler_ = handler;
  if (closing_) return;
  reading_ = true;
  if (int status = uv_read_start(stream(), on_alloc, on_read); status != 0) {
    reading_ = false;
    fail(io_error("cannot start reading", status));
  }
}

// ---- reading ----------------------------------------------------------------

void StreamEndpoint::on_alloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<StreamEndpoint*>(handle->data);
  const std::span<std::byte> space = self->decoder_.read_buffer();
  *buf = uv_buf_init(reinterpret_cast<char*>(space.data()), static_cast<unsigned>(space.size()));
}

void StreamEndpoint::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/) {
  auto* self = static_cast<StreamEndpoint*>(stream->data);
  if (nread > 0) {
    self->decoder_.commit(static_cast<size_t>(nread));
    self->deliver_buffered();
    return;
  }
  if (nread == 0) return;  // EAGAIN: nothing this time
  self->read_ended_ = true;
  // ENOBUFS is this side refusing what was read (see on_alloc); the rest is the peer.
  self->peer_gone_ = nread != UV_ENOBUFS;
  if (nread == UV_EOF) {
    self->fail(self->decoder_.buffered_bytes() == 0
                   ? Status{}
                   : Status{ErrorCode::MalformedFrame, "peer closed in the middle of a frame"});
  } else if (nread == UV_ENOBUFS) {
    self->fail(self->decoder_.error().is_ok() ? Status{ErrorCode::Internal, "out of memory for reading"}
                                              : self->decoder_.error());
  } else {
    self->fail(io_error("read failed", static_cast<int>(nread)));
  }
}

void StreamEndpoint::deliver_buffered() {
  while (!paused_ && !closing_) {
    Frame frame;
    if (!decoder_.next(&frame)) {
      if (!decoder_.error().is_ok()) fail(decoder_.error());
      return;
    }
    if (Status verdict = verify_frame(frame); !verdict.is_ok()) {
      fail(verdict);
      return;
    }
    handler_->on_frame(*this, std::move(frame));
  }
}

void StreamEndpoint::pause_reading() {
  paused_ = true;
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void StreamEndpoint::resume_reading() {
  if (!paused_) return;
  paused_ = false;
  deliver_buffered();
  if (!paused_ && !closing_ && !read_ended_ && !reading_ && handler_) {
    reading_ = true;
    if (int status = uv_read_start(stream(), on_alloc, on_read); status != 0) {
      reading_ = false;
      fail(io_error("cannot resume reading", status));
    }
  }
}

void StreamEndpoint::fail(const Status& why) {
  if (closing_) return;
  pause_reading();
  if (handler_) handler_->on_stream_error(*this, why);
  close();
}

// ---- writing ----------------------------------------------------------------

void StreamEndpoint::send(FrameKind kind, SharedBytes payload, std::span<const std::byte> prefix) {
  assert(prefix.size() <= kMaxPrefixBytes && prefix.size() % kFrameAlignment == 0);
  if (handle_closing_) return;
  OutFrame out;
  const size_t payload_size = prefix.size() + payload.size();
  encode_frame_header(kind, static_cast<uint32_t>(payload_size), out.head.data());
  if (!prefix.empty()) std::memcpy(out.head.data() + kFrameHeaderSize, prefix.data(), prefix.size());
  out.head_size = static_cast<uint8_t>(kFrameHeaderSize + prefix.size());
  out.padding = static_cast<uint8_t>(frame_padding(payload_size));
  out.body = std::move(payload);
  out.control = kind == FrameKind::WorkerControl || kind == FrameKind::ClientControl;
  queued_bytes_ += out.wire_size();
  if (out.control) queued_control_bytes_ += out.wire_size();
  queue_.push_back(std::move(out));
  schedule_flush();
  update_backpressure();
}

void StreamEndpoint::schedule_flush() {
  if (flush_scheduled_ || write_in_flight_) return;
  flush_scheduled_ = true;
  // Prepare runs before the loop polls (covers sends from timers and async wake-ups
  // handled earlier in the iteration); check runs right after the poll's callbacks.
  // Whichever comes first flushes everything queued so far in one writev.
  uv_prepare_start(&flush_prepare_, on_flush_tick);
  uv_check_start(&flush_check_, on_flush_check);
}

void StreamEndpoint::on_flush_tick(uv_prepare_t* prepare) { static_cast<StreamEndpoint*>(prepare->data)->flush(); }

void StreamEndpoint::on_flush_check(uv_check_t* check) { static_cast<StreamEndpoint*>(check->data)->flush(); }

size_t StreamEndpoint::gather(uv_buf_t* bufs, unsigned* count, std::byte* head_copies) const {
  size_t total = 0;
  unsigned n = 0;
  size_t skip = front_written_;
  auto add = [&](const std::byte* data, size_t size, bool in_queue) {
    if (skip >= size) {
      skip -= size;
      return;
    }
    const std::byte* from = data + skip;
    const size_t length = size - skip;
    if (in_queue && head_copies) {
      from = static_cast<const std::byte*>(std::memcpy(head_copies, from, length));
      head_copies += length;
    }
    bufs[n++] = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(from)), static_cast<unsigned>(length));
    total += length;
    skip = 0;
  };
  for (size_t i = 0; i < queue_.size() && i < kMaxWriteFrames; ++i) {
    const OutFrame& out = queue_[i];
    add(out.head.data(), out.head_size, true);
    if (!out.body.empty()) add(out.body.data(), out.body.size(), false);
    if (out.padding) add(zero_padding(out.padding).data(), out.padding, false);
  }
  *count = n;
  return total;
}

void StreamEndpoint::flush() {
  if (flush_scheduled_) {
    flush_scheduled_ = false;
    uv_prepare_stop(&flush_prepare_);
    uv_check_stop(&flush_check_);
  }
  std::array<uv_buf_t, kMaxWriteBuffers> bufs;
  while (!write_in_flight_ && !handle_closing_ && !queue_.empty()) {
    unsigned count = 0;
    const size_t total = gather(bufs.data(), &count, nullptr);
    const int written = uv_try_write(stream(), bufs.data(), count);
    if (written < 0 && written != UV_EAGAIN) {
      abort_with(io_error("write failed", written));
      return;
    }
    if (written > 0) consume_written(static_cast<size_t>(written));
    if (written == static_cast<int>(total)) continue;
    // The kernel buffer is full: hand the rest to libuv and continue when it drains.
    // libuv writes from these buffers later, and a send() meanwhile may grow the
    // queue, which moves its frames: headers go from copies that stay put (payloads
    // live in slabs, padding in static zeros).
    if (!in_flight_heads_) in_flight_heads_ = std::make_unique<std::byte[]>(kHeadCopyBytes);
    in_flight_bytes_ = gather(bufs.data(), &count, in_flight_heads_.get());
    write_in_flight_ = true;
    if (int status = uv_write(&write_req_, stream(), bufs.data(), count, on_write); status != 0) {
      write_in_flight_ = false;
      abort_with(io_error("write failed", status));
      return;
    }
  }
  finish_close_if_drained();
}

void StreamEndpoint::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<StreamEndpoint*>(req->data);
  self->write_in_flight_ = false;
  if (status == UV_ECANCELED) return;  // the handle is closing
  if (status < 0) {
    self->abort_with(io_error("write failed", status));
    return;
  }
  self->consume_written(std::exchange(self->in_flight_bytes_, 0));
  self->flush();
}

void StreamEndpoint::consume_written(size_t bytes) {
  queued_bytes_ -= bytes;
  while (bytes > 0) {
    const size_t left = queue_.front().wire_size() - front_written_;
    if (bytes < left) {
      front_written_ += bytes;
      break;
    }
    bytes -= left;
    front_written_ = 0;
    if (queue_.front().control) queued_control_bytes_ -= queue_.front().wire_size();
    queue_.pop_front();
  }
  update_backpressure();
}

void StreamEndpoint::update_backpressure() {
  if (!blocked_ && queued_bytes_ > options_.high_watermark_bytes) {
    blocked_ = true;
    if (handler_) handler_->on_backpressure(*this, true);
  } else if (blocked_ && queued_bytes_ <= options_.low_watermark_bytes) {
    blocked_ = false;
    if (handler_) handler_->on_backpressure(*this, false);
  }
}

// ---- closing ----------------------------------------------------------------

void StreamEndpoint::close() {
  if (closing_) return;
  closing_ = true;
  pause_reading();
  if (!queue_.empty()) {
    uv_timer_start(&close_timer_, on_close_deadline, options_.close_drain_timeout_ms, 0);
  }
  finish_close_if_drained();
}

void StreamEndpoint::on_close_deadline(uv_timer_t* timer) { static_cast<StreamEndpoint*>(timer->data)->close_handle(); }

void StreamEndpoint::abort() {
  closing_ = true;
  pause_reading();
  close_handle();
}

void StreamEndpoint::abort_with(const Status& why) {
  peer_gone_ = true;  // only a failed write comes here
  if (!closing_ && handler_) {
    closing_ = true;
    pause_reading();
    handler_->on_stream_error(*this, why);
  }
  abort();
}

void StreamEndpoint::finish_close_if_drained() {
  if (closing_ && queue_.empty() && !write_in_flight_) close_handle();
}

void StreamEndpoint::close_handle() {
  if (handle_closing_) return;
  handle_closing_ = true;
  uv_close(&handle_.handle, on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_prepare_), on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&close_timer_), on_handle_closed);
}

void StreamEndpoint::on_handle_closed(uv_handle_t* handle) {
  auto* self = static_cast<StreamEndpoint*>(handle->data);
  if (--self->open_handles_ > 0) return;
  if (self->handler_) self->handler_->on_closed(*self);
  delete self;
}

}  // namespace mxgw::transport
