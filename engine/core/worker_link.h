// WorkerLink: the gateway's side of one mxgw-worker process — spawn, handshake,
// commands, events, shutdown and exit — on the loop of the shard that owns the
// session.
//
// start() draws a fresh nonce from the kernel's CSPRNG, listens on the session's
// socket in the private runtime directory, spawns the worker with uv_spawn (argv:
// socket path, session id, backend; the nonce written to its stdin and never
// anywhere else), and expects, before the startup timeout:
//   WorkerHello (protocol version, session id, nonce compared in constant time and
//   accepted once, backend) → WorkerWelcome (backend options) → WorkerReady.
// Anything else fails the start with the precise cause, and the worker is killed.
// Only one connection is ever accepted per link; later ones are closed at once.
//
// After Ready, send_command() forwards commands and replies come back to the
// Observer with their correlation ids; event frames come back as verified, shared
// frames. pause_events()/resume_events() stop and restart reading the worker, which
// is how lossless backpressure reaches the source.
//
// Ending: shutdown() asks the worker to stop and kills it if it has not exited
// within the timeout; kill() is immediate. The Observer hears on_exit exactly once,
// when the process has been reaped and every handle is closed; after that the link
// may be destroyed. A worker that exits, crashes or breaks the protocol while
// running is reported through on_fault first (once), then on_exit. One whose
// connection ends first (a crash or a SIGKILL often shows as the end of its stream,
// perhaps in the middle of a frame, before the kernel reports the exit) is reported
// once it has exited, with how it ended, or after exit_grace_ms, when it is killed.
// A worker that sends a frame the link refuses is faulted and killed at once.
//
// Thread safety: none; every call and callback on the owning loop's thread.

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <uv.h>

#include <mxgw/status.h>
#include <mxgw/transport/listener.h>
#include <mxgw/transport/payload_builder.h>
#include <mxgw/transport/random_bytes.h>
#include <mxgw/transport/stream_endpoint.h>

#include "engine/core/worker_messages.h"

namespace mxgw::engine {

struct WorkerLaunch {
  std::string worker_path;  // the mxgw-worker executable
  std::string socket_path;  // inside a private 0700 directory
  std::string session_id;
  std::string backend;
  std::string plugin_path;  // empty unless the backend is a plugin
  std::string replay_dir;   // where the replay backend may read recordings
  std::vector<std::pair<std::string, std::string>> backend_options;
  uint64_t startup_timeout_ms = 10'000;
  // How long a worker that is done (refused, or closed its connection) may take to
  // exit on its own before it is killed.
  uint64_t exit_grace_ms = 2'000;
  transport::StreamEndpoint::Options endpoint_options;
};

class WorkerLink final : transport::StreamEndpoint::Handler {
 public:
  class Observer {
   public:
    virtual ~Observer() = default;
    // The handshake completed; commands may be sent.
    virtual void on_ready(WorkerLink& link) = 0;
    // Start failed (before on_ready) or the running worker failed; once at most.
    virtual void on_fault(WorkerLink& link, const Status& why) = 0;
    virtual void on_reply(WorkerLink& link, const proto::Reply& reply, const transport::SharedBytes& frame) = 0;
    // A verified Events frame.
    virtual void on_events(WorkerLink& link, transport::Frame&& frame) = 0;
    // The process is gone and every handle closed. exit_status/term_signal as uv.
    virtual void on_exit(WorkerLink& link, int64_t exit_status, int term_signal) = 0;
  };

  WorkerLink(uv_loop_t* loop, WorkerLaunch launch, Observer* observer);
  ~WorkerLink() override;
  WorkerLink(const WorkerLink&) = delete;
  WorkerLink& operator=(const WorkerLink&) = delete;

  // Begins spawn and handshake. A failure to even spawn is reported via on_fault and
  // on_exit like any other.
  void start();

  // `payload` is a finished WorkerFrame holding a Command. Sends nothing unless the
  // worker is ready (the command's timeout then answers it).
  void send_command(transport::SharedBytes payload);

  void pause_events();
  void resume_events();

  // Graceful stop: Shutdown command, then SIGKILL after `timeout_ms`.
  void shutdown(uint64_t timeout_ms);
  // Immediate stop.
  void kill();

  int pid() const noexcept { return pid_; }
  const transport::StreamEndpoint* endpoint() const noexcept { return endpoint_; }

 private:
  enum class Phase {
    Idle,
    AwaitingHello,
    AwaitingReady,
    Ready,
    // The connection ended first: the fault is reported once the process exits (or
    // the grace period runs out), with how it ended.
    AwaitingExit,
    // A stop the link asked for (shutdown, kill, a refusal): the exit is expected.
    Stopping,
    Exited,
  };

  void on_accept(transport::StreamEndpoint* endpoint);
  void on_frame(transport::StreamEndpoint& endpoint, transport::Frame&& frame) override;
  void on_stream_error(transport::StreamEndpoint& endpoint, const Status& why) override;
  void on_closed(transport::StreamEndpoint& endpoint) override;

  void handle_hello(const proto::WorkerHello& hello);
  void handle_ready(const proto::WorkerReady& ready);
  void refuse(proto::HandshakeError code, const std::string& message);
  void fault(const Status& why);
  void let_exit(const Status& why);
  // The worker's connection ended (`stream_end` says how): the fault waits for its
  // exit.
  void await_exit(const Status& stream_end);
  void report_fault(const Status& why);
  void kill_process();
  // Closes one of the link's own handles (once); the last one closed lets it finish.
  void close_owned(uv_handle_t* handle);
  void maybe_finish();

  static void on_process_exit(uv_process_t* process, int64_t exit_status, int term_signal);

  uv_loop_t* loop_;
  WorkerLaunch launch_;
  Observer* observer_;
  transport::Listener* listener_ = nullptr;
  transport::StreamEndpoint* endpoint_ = nullptr;
  transport::PayloadBuilder builder_;
  uv_process_t process_{};
  uv_pipe_t stdin_pipe_{};
  uv_write_t nonce_write_{};
  Nonce nonce_{};
  std::string nonce_text_;
  uv_timer_t timer_{};  // startup timeout, then shutdown timeout
  int open_handles_ = 0;
  bool process_running_ = false;
  bool nonce_used_ = false;
  bool faulted_ = false;
  // In AwaitingExit: what the fault reported at the exit says before how the worker
  // ended.
  std::string exit_context_;
  int64_t exit_status_ = 0;
  int term_signal_ = 0;
  int pid_ = 0;
  Phase phase_ = Phase::Idle;
};

}  // namespace mxgw::engine
