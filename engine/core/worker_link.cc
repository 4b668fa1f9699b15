// Spawning, handshaking with, and stopping one mxgw-worker.

#include "engine/core/worker_link.h"

#include <cstdio>

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::engine {
namespace {

std::string hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size + 1);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

uv_handle_t* as_handle(auto* h) { return reinterpret_cast<uv_handle_t*>(h); }

}  // namespace

WorkerLink::WorkerLink(uv_loop_t* loop, WorkerLaunch launch, Observer* observer)
    : loop_(loop), launch_(std::move(launch)), observer_(observer) {}

WorkerLink::~WorkerLink() = default;

void WorkerLink::start() {
  phase_ = Phase::AwaitingHello;
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  ++open_handles_;
  uv_pipe_init(loop_, &stdin_pipe_, 0);
  stdin_pipe_.data = this;
  ++open_handles_;
  uv_timer_start(
      &timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<WorkerLink*>(t->data);
        self->fault({ErrorCode::OpenFailed, "the worker did not complete its handshake within " +
                                                std::to_string(self->launch_.startup_timeout_ms) + " ms"});
      },
      launch_.startup_timeout_ms, 0);

  if (Status drawn = transport::fill_random(nonce_); !drawn.is_ok()) {
    fault({ErrorCode::OpenFailed, "cannot make the worker's nonce: " + drawn.message()});
    maybe_finish();
    return;
  }
  Status status;
  listener_ = transport::Listener::listen_unix(
      loop_, launch_.socket_path, launch_.endpoint_options,
      [this](transport::StreamEndpoint* endpoint) { on_accept(endpoint); }, &status);
  if (!status.is_ok()) {
    listener_ = nullptr;
    fault({ErrorCode::OpenFailed, status.message()});
    maybe_finish();
    return;
  }

  std::vector<std::string> args = {launch_.worker_path,
                                   "--endpoint",
                                   launch_.socket_path,
                                   "--session-id",
                                   launch_.session_id,
                                   "--backend",
                                   launch_.backend,
                                   "--handshake-timeout-ms",
                                   std::to_string(launch_.startup_timeout_ms)};
  if (!launch_.plugin_path.empty()) {
    args.push_back("--plugin");
    args.push_back(launch_.plugin_path);
  }
  if (!launch_.replay_dir.empty()) {
    args.push_back("--replay-dir");
    args.push_back(launch_.replay_dir);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  uv_stdio_container_t stdio[3];
  stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
  stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&stdin_pipe_);
  stdio[1].flags = UV_IGNORE;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  uv_process_options_t options{};
  options.file = launch_.worker_path.c_str();
  options.args = argv.data();
  options.stdio_count = 3;
  options.stdio = stdio;
  options.exit_cb = on_process_exit;
  process_.data = this;
  const int spawned = uv_spawn(loop_, &process_, &options);
  if (spawned != 0) {
    // uv_spawn leaves the handle initialised even on failure; it must be closed.
    ++open_handles_;
    close_owned(as_handle(&process_));
    fault({ErrorCode::OpenFailed, "cannot start " + launch_.worker_path + ": " + uv_strerror(spawned)});
    return;
  }
  ++open_handles_;
  process_running_ = true;
  pid_ = process_.pid;

  nonce_text_ = hex(nonce_.data(), nonce_.size()) + "\n";
  uv_buf_t buf = uv_buf_init(nonce_text_.data(), static_cast<unsigned>(nonce_text_.size()));
  nonce_write_.data = this;
  uv_write(&nonce_write_, reinterpret_cast<uv_stream_t*>(&stdin_pipe_), &buf, 1, [](uv_write_t* req, int) {
    auto* self = static_cast<WorkerLink*>(req->data);
    // The worker reads to end of file: close stdin once the nonce is written.
    self->close_owned(as_handle(&self->stdin_pipe_));
  });
}

void WorkerLink::on_accept(transport::StreamEndpoint* endpoint) {
  if (endpoint_ || phase_ != Phase::AwaitingHello) {
    endpoint->abort();  // one connection per session, ever
    return;
  }
  endpoint_ = endpoint;
  endpoint_->start(this);
  // Nobody else may connect: stop listening (this also removes the socket file).
  listener_->close();
  listener_ = nullptr;
}

void WorkerLink::on_frame(transport::StreamEndpoint&, transport::Frame&& frame) {
  if (phase_ == Phase::Ready || phase_ == Phase::Stopping) {
    if (frame.kind == transport::FrameKind::Events) {
      observer_->on_events(*this, std::move(frame));
      return;
    }
    if (frame.kind == transport::FrameKind::WorkerControl) {
      const proto::WorkerFrame* message = transport::worker_frame(frame.payload);
      if (message->message_type() == proto::WorkerMessage::Reply) {
        observer_->on_reply(*this, *message->message_as_Reply(), frame.payload);
        return;
      }
    }
  } else if (frame.kind == transport::FrameKind::WorkerControl) {
    const proto::WorkerFrame* message = transport::worker_frame(frame.payload);
    if (phase_ == Phase::AwaitingHello && message->message_type() == proto::WorkerMessage::WorkerHello) {
      handle_hello(*message->message_as_WorkerHello());
      return;
    }
    if (phase_ == Phase::AwaitingReady && message->message_type() == proto::WorkerMessage::WorkerReady) {
      handle_ready(*message->message_as_WorkerReady());
      return;
    }
  }
  fault({ErrorCode::SessionFaulted,
         "the worker sent an unexpected " + std::string(transport::frame_kind_name(frame.kind)) + " frame"});
}

void WorkerLink::handle_hello(const proto::WorkerHello& hello) {
  // One hello per link, whatever its outcome: the nonce gets a single attempt.
  const bool nonce_used = std::exchange(nonce_used_, true);
  const HelloVerdict verdict = judge_hello(hello, {launch_.session_id, launch_.backend, nonce_, nonce_used});
  if (!verdict.accepted()) return refuse(verdict.code, verdict.message);
  auto& fbb = builder_.fbb();
  std::vector<flatbuffers::Offset<proto::KeyValue>> options;
  for (const auto& [key, value] : launch_.backend_options) {
    options.push_back(proto::CreateKeyValue(fbb, fbb.CreateString(key), fbb.CreateString(value)));
  }
  const auto welcome =
      proto::CreateWorkerWelcome(fbb, fbb.CreateVector(options), launch_.endpoint_options.max_payload_bytes);
  endpoint_->send(transport::FrameKind::WorkerControl,
                  builder_.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::WorkerWelcome, welcome.Union()),
                                  proto::WorkerFrameIdentifier()));
  phase_ = Phase::AwaitingReady;
}

void WorkerLink::handle_ready(const proto::WorkerReady& ready) {
  if (Status refused = ready_status(ready, launch_.backend); !refused.is_ok()) {
    let_exit(refused);
    return;
  }
  uv_timer_stop(&timer_);
  phase_ = Phase::Ready;
  observer_->on_ready(*this);
}

void WorkerLink::refuse(proto::HandshakeError code, const std::string& message) {
  auto& fbb = builder_.fbb();
  const auto refused = proto::CreateWorkerRefused(fbb, code, fbb.CreateString(message));
  endpoint_->send(transport::FrameKind::WorkerControl,
                  builder_.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::WorkerRefused, refused.Union()),
                                  proto::WorkerFrameIdentifier()));
  let_exit({ErrorCode::OpenFailed,
            std::string("handshake refused (") + proto::EnumNameHandshakeError(code) + "): " + message});
}

void WorkerLink::send_command(transport::SharedBytes payload) {
  if (endpoint_ && phase_ == Phase::Ready) endpoint_->send(transport::FrameKind::WorkerControl, std::move(payload));
}

void WorkerLink::pause_events() {
  if (endpoint_) endpoint_->pause_reading();
}

void WorkerLink::resume_events() {
  if (endpoint_) endpoint_->resume_reading();
}

void WorkerLink::shutdown(uint64_t timeout_ms) {
  if (phase_ == Phase::AwaitingExit || phase_ == Phase::Stopping || phase_ == Phase::Exited) return;
  if (phase_ != Phase::Ready) {
    kill();
    return;
  }
  phase_ = Phase::Stopping;
  auto& fbb = builder_.fbb();
  const auto command = proto::CreateCommand(fbb, 0, proto::CommandBody::Shutdown, proto::CreateShutdown(fbb).Union());
  endpoint_->send(transport::FrameKind::WorkerControl,
                  builder_.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::Command, command.Union()),
                                  proto::WorkerFrameIdentifier()));
  uv_timer_start(
      &timer_, [](uv_timer_t* t) { static_cast<WorkerLink*>(t->data)->kill(); }, timeout_ms, 0);
}

void WorkerLink::kill() {
  // A worker awaited after its connection ended is still reported with how it ended.
  if (phase_ != Phase::AwaitingExit && phase_ != Phase::Exited) phase_ = Phase::Stopping;
  kill_process();
  if (endpoint_) endpoint_->abort();
  if (listener_) {
    listener_->close();
    listener_ = nullptr;
  }
  maybe_finish();
}

void WorkerLink::kill_process() {
  if (process_running_) uv_process_kill(&process_, SIGKILL);
}

void WorkerLink::fault(const Status& why) {
  report_fault(why);
  kill();
}

void WorkerLink::let_exit(const Status& why) {
  // The worker knows it is done (it was refused, or its backend would not start): it
  // gets a moment to exit with its own exit code before it is killed.
  report_fault(why);
  phase_ = Phase::Stopping;
  if (endpoint_) endpoint_->close();
  uv_timer_start(
      &timer_, [](uv_timer_t* t) { static_cast<WorkerLink*>(t->data)->kill(); }, launch_.exit_grace_ms, 0);
}

void WorkerLink::await_exit(const Status& stream_end) {
  // The end of the stream says only that the worker is going; how it went (its exit
  // status, the signal that killed it) is the reason worth reporting, and the kernel
  // tells it a moment later.
  exit_context_ = stream_end.is_ok() ? "the worker closed its connection"
                                     : "the worker's connection ended (" + stream_end.to_string() + ")";
  phase_ = Phase::AwaitingExit;
  if (endpoint_) endpoint_->close();
  uv_timer_start(
      &timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<WorkerLink*>(t->data);
        self->fault({ErrorCode::SessionFaulted, self->exit_context_ + " and it did not exit within " +
                                                    std::to_string(self->launch_.exit_grace_ms) + " ms"});
      },
      launch_.exit_grace_ms, 0);
}

void WorkerLink::report_fault(const Status& why) {
  if (faulted_ || phase_ == Phase::Stopping || phase_ == Phase::Exited) return;
  faulted_ = true;
  observer_->on_fault(*this, why);
}

void WorkerLink::on_stream_error(transport::StreamEndpoint& endpoint, const Status& why) {
  if (phase_ == Phase::AwaitingExit || phase_ == Phase::Stopping || phase_ == Phase::Exited) return;
  if (why.is_ok() || endpoint.peer_gone()) {
    await_exit(why);
  } else {
    fault({ErrorCode::SessionFaulted, "worker connection failed: " + why.to_string()});
  }
}

void WorkerLink::on_closed(transport::StreamEndpoint&) {
  endpoint_ = nullptr;
  maybe_finish();
}

void WorkerLink::on_process_exit(uv_process_t* process, int64_t exit_status, int term_signal) {
  auto* self = static_cast<WorkerLink*>(process->data);
  self->process_running_ = false;
  self->exit_status_ = exit_status;
  self->term_signal_ = term_signal;
  if (self->phase_ != Phase::Stopping) {
    const std::string how = term_signal ? "was killed by signal " + std::to_string(term_signal)
                                        : "exited with status " + std::to_string(exit_status);
    self->fault({ErrorCode::SessionFaulted,
                 self->phase_ == Phase::AwaitingExit ? self->exit_context_ + " and it " + how : "the worker " + how});
  }
  self->close_owned(as_handle(process));
}

void WorkerLink::close_owned(uv_handle_t* handle) {
  if (uv_is_closing(handle)) return;
  uv_close(handle, [](uv_handle_t* h) {
    auto* link = static_cast<WorkerLink*>(h->data);
    --link->open_handles_;
    link->maybe_finish();
  });
}

void WorkerLink::maybe_finish() {
  if (phase_ == Phase::Exited || process_running_ || endpoint_ || listener_) return;
  close_owned(as_handle(&timer_));
  close_owned(as_handle(&stdin_pipe_));
  if (open_handles_ > 0) return;
  phase_ = Phase::Exited;
  observer_->on_exit(*this, exit_status_, term_signal_);
}

}  // namespace mxgw::engine
