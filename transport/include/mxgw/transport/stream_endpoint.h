// StreamEndpoint: one framed connection over a libuv stream (a Unix socket or TCP).
//
// Reading: bytes go straight into the FrameDecoder's slab; every complete frame is
// verified (frame_verifier.h) and handed to Handler::on_frame as shared references.
// A frame that fails decoding or verification ends the stream: the handler hears
// on_stream_error with the exact Status, may still send (an Error message, say), and
// the endpoint then closes gracefully. pause_reading() stops delivery at once, for
// lossless backpressure; resume_reading() delivers what was already buffered first.
//
// Writing: send() queues a frame by reference (header built here, an optional small
// per-frame prefix copied, the payload shared, never copied). Queued frames are
// gathered into one writev at the end of the loop iteration in which they were
// queued, or as soon as the write in flight completes, so a flood becomes few large
// writes and a lone frame goes out without waiting. The endpoint never drops: when
// queued bytes pass the high watermark it reports backpressure, and reports relief
// once they fall to the low watermark; a producer must stop while blocked.
//
// Lifetime: endpoints are created by Listener / connect_*() and own themselves. After
// close() (or any stream error) the handle is closed asynchronously; on_closed is the
// last callback, after which the endpoint deletes itself. Never delete one directly.
//
// Thread safety: none. Every call, and every callback, happens on the loop's thread.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/frame.h>
#include <mxgw/transport/frame_decoder.h>
#include <mxgw/transport/ring_queue.h>

namespace mxgw::transport {

class StreamEndpoint {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A verified frame.
    virtual void on_frame(StreamEndpoint& endpoint, Frame&& frame) = 0;
    // The incoming stream ended: a bad frame, a reset, or the peer closed (Status ok
    // for an orderly end of stream). Reading has stopped; sends are still flushed
    // before the endpoint closes itself.
    virtual void on_stream_error(StreamEndpoint& endpoint, const Status& why) = 0;
    // Queued bytes passed the high watermark (true) or fell back to the low one (false).
    virtual void on_backpressure(StreamEndpoint& /*endpoint*/, bool /*blocked*/) {}
    // The handle is closed; the endpoint is deleted right after this returns.
    virtual void on_closed(StreamEndpoint& endpoint) = 0;
  };

  struct Options {
    uint32_t max_payload_bytes = kDefaultMaxPayloadBytes;
    uint32_t read_slab_bytes = 256u << 10;
    size_t high_watermark_bytes = 8u << 20;
    size_t low_watermark_bytes = 2u << 20;
    // Kernel socket buffer sizes; 0 keeps the system's defaults.
    int socket_send_buffer_bytes = 0;
    int socket_receive_buffer_bytes = 0;
    // How long close() may wait for queued frames to drain before it aborts.
    uint64_t close_drain_timeout_ms = 5000;
  };

  enum class StreamType { UnixPipe, Tcp };

  // Largest per-frame prefix send() copies (a ClientEventPrefix is 32 bytes).
  static constexpr size_t kMaxPrefixBytes = 40;

  StreamEndpoint(const StreamEndpoint&) = delete;
  StreamEndpoint& operator=(const StreamEndpoint&) = delete;

  // Starts reading and delivering to `handler`. REQUIRES: called once, before any send.
  void start(Handler* handler);

  // Queues one frame whose payload is `prefix` followed by `payload`.
  // REQUIRES: prefix.size() <= kMaxPrefixBytes; kFrameHeaderSize + prefix keeps the
  // payload 8-byte aligned on the wire (prefix.size() % 8 == 0).
  void send(FrameKind kind, SharedBytes payload, std::span<const std::byte> prefix = {});

  void pause_reading();
  void resume_reading();
  bool reading_paused() const noexcept { return paused_; }

  // Stops reading, flushes what is queued, then closes. Idempotent.
  void close();
  // Closes at once, discarding what is queued (a peer that cannot be trusted).
  void abort();

  bool is_closing() const noexcept { return closing_; }
  // The stream ended because the peer closed or reset it (cleanly or in the middle
  // of a frame) or could no longer be written to, rather than because a frame it
  // sent was refused.
  bool peer_gone() const noexcept { return peer_gone_; }
  bool is_blocked() const noexcept { return blocked_; }
  // Bytes of control frames (WorkerControl, ClientControl) queued and not yet fully
  // written: what a peer that sends requests without reading answers makes pile up,
  // apart from the events a producer stops queueing at the high watermark.
  size_t queued_control_bytes() const noexcept { return queued_control_bytes_; }
  const std::string& peer() const noexcept { return peer_; }
  uv_stream_t* stream() noexcept { return &handle_.stream; }
  const uv_stream_t* stream() const noexcept { return &handle_.stream; }
  uv_loop_t* loop() noexcept { return handle_.handle.loop; }

  // For Listener and the connect functions: a fresh endpoint with an initialised,
  // not yet connected handle on `loop`; nullptr if libuv refuses the handle.
  static StreamEndpoint* create(uv_loop_t* loop, StreamType type, const Options& options);
  // An endpoint on `loop` over an already connected socket, which it now owns; used
  // to move an accepted connection to another loop. nullptr (and `fd` closed) if
  // libuv refuses it.
  static StreamEndpoint* adopt(uv_loop_t* loop, StreamType type, int fd, const Options& options, std::string peer);
  // A duplicate of the connected socket's descriptor, for adopt() on another loop;
  // -1 on failure. The caller then aborts this endpoint.
  int duplicate_socket() const;
  StreamType type() const noexcept { return type_; }
  void set_peer(std::string peer) { peer_ = std::move(peer); }
  // Applies socket options once the handle is connected.
  void configure_socket();

 private:
  struct OutFrame;
  StreamEndpoint(const Options& options, StreamType type);
  ~StreamEndpoint();

  void deliver_buffered();
  void fail(const Status& why);
  void abort_with(const Status& why);
  void schedule_flush();
  void flush();
  // Buffers for the queued bytes not yet written, as many as one writev takes, and
  // their total size. With `head_copies`, headers are copied there and written from
  // the copies.
  size_t gather(uv_buf_t* bufs, unsigned* count, std::byte* head_copies) const;
  void consume_written(size_t bytes);
  void update_backpressure();
  void finish_close_if_drained();
  void close_handle();

  static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_flush_tick(uv_prepare_t* prepare);
  static void on_flush_check(uv_check_t* check);
  static void on_close_deadline(uv_timer_t* timer);
  static void on_handle_closed(uv_handle_t* handle);

  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
  } handle_;
  uv_prepare_t flush_prepare_;
  uv_check_t flush_check_;
  uv_timer_t close_timer_;
  uv_write_t write_req_;
  int open_handles_ = 0;

  Options options_;
  StreamType type_;
  Handler* handler_ = nullptr;
  FrameDecoder decoder_;
  RingQueue<OutFrame> queue_;   // reuses its slots: sending in steady state allocates nothing
  size_t front_written_ = 0;    // bytes of queue_.front() already written
  size_t in_flight_bytes_ = 0;  // bytes handed to the uv_write in progress
  // The headers the uv_write in progress writes from; allocated at the first one.
  std::unique_ptr<std::byte[]> in_flight_heads_;
  size_t queued_bytes_ = 0;
  size_t queued_control_bytes_ = 0;
  bool write_in_flight_ = false;
  bool flush_scheduled_ = false;
  bool paused_ = false;
  bool reading_ = false;
  bool read_ended_ = false;
  bool peer_gone_ = false;
  bool closing_ = false;
  bool handle_closing_ = false;
  bool blocked_ = false;
  std::string peer_;
};

}  // namespace mxgw::transport
