// The worker's handshake, command loop, production rounds and shutdown.

#include "worker/src/worker_process.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <mxgw/transport/frame_verifier.h>
#include <mxgw/transport/listener.h>

#include "worker/src/backend_factory.h"
#include "worker/src/command_dispatch.h"

namespace mxgw::worker {
namespace {

void log_line(const std::string& message) {
  std::fprintf(stderr, "mxgw-worker[%d]: %s\n", ::getpid(), message.c_str());
}

}  // namespace

WorkerProcess::WorkerProcess(WorkerConfig config)
    : config_(std::move(config)),
      batcher_(EventBatcher::Limits{config_.max_batch_events}, [this](transport::SharedBytes payload, uint64_t) {
        if (endpoint_) endpoint_->send(transport::FrameKind::Events, std::move(payload));
      }) {
  uv_loop_init(&loop_);
  uv_idle_init(&loop_, &round_now_);
  uv_timer_init(&loop_, &round_later_);
  uv_timer_init(&loop_, &handshake_deadline_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigint_);
  for (uv_handle_t* h : loop_handles()) h->data = this;
}

WorkerProcess::~WorkerProcess() { uv_loop_close(&loop_); }

std::array<uv_handle_t*, 5> WorkerProcess::loop_handles() {
  auto handle = [](auto* h) { return reinterpret_cast<uv_handle_t*>(h); };
  return {handle(&round_now_), handle(&round_later_), handle(&handshake_deadline_), handle(&sigterm_),
          handle(&sigint_)};
}

int WorkerProcess::run() {
  auto on_signal = [](uv_signal_t* handle, int signum) {
    static_cast<WorkerProcess*>(handle->data)->stop(kExitOk, signum == SIGTERM ? "SIGTERM" : "SIGINT");
  };
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_timer_start(
      &handshake_deadline_,
      [](uv_timer_t* t) { static_cast<WorkerProcess*>(t->data)->stop(kExitConnection, "handshake timed out"); },
      config_.handshake_timeout_ms, 0);

  transport::connect_unix(
      &loop_, config_.endpoint_path, connection_options(),
      [this](const Status& status, transport::StreamEndpoint* endpoint) { on_connected(status, endpoint); });
  uv_run(&loop_, UV_RUN_DEFAULT);
  return exit_code_;
}

transport::StreamEndpoint::Options WorkerProcess::connection_options() {
  // A shallower send queue than the default: when the gateway holds the stream
  // still, production stops after 4 MiB rather than 8, so an event waits less behind
  // its predecessors (what is not produced meanwhile is coalesced and counted).
  // Measured on this 2-core machine: 1 MiB halves the worker's own throughput
  // (stop-and-go), 8 MiB doubles the saturated p99; 4 MiB keeps 44-49 M changes/s out
  // of one worker with about half the latency.
  transport::StreamEndpoint::Options options;
  options.high_watermark_bytes = 4u << 20;
  options.low_watermark_bytes = 1u << 20;
  return options;
}

void WorkerProcess::on_connected(const Status& status, transport::StreamEndpoint* endpoint) {
  if (!status.is_ok()) {
    stop(kExitConnection, status.to_string());
    return;
  }
  if (phase_ == Phase::Stopping) {
    endpoint->abort();
    return;
  }
  endpoint_ = endpoint;
  endpoint_->start(this);
  auto& fbb = control_builder_.fbb();
  const auto hello =
      proto::CreateWorkerHello(fbb, transport::kProtocolVersion, fbb.CreateString(config_.session_id),
                               fbb.CreateVector(config_.nonce), fbb.CreateString(config_.backend), ::getpid());
  send_control(control_builder_.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::WorkerHello, hello.Union()),
                                       proto::WorkerFrameIdentifier()));
  phase_ = Phase::AwaitingWelcome;
}

void WorkerProcess::send_control(transport::SharedBytes payload) {
  // Events produced before this reply must reach the gateway before it.
  batcher_.seal();
  if (endpoint_) endpoint_->send(transport::FrameKind::WorkerControl, std::move(payload));
}

void WorkerProcess::on_frame(transport::StreamEndpoint&, transport::Frame&& frame) {
  if (frame.kind != transport::FrameKind::WorkerControl) {
    stop(kExitProtocol, "the gateway sent a " + std::string(transport::frame_kind_name(frame.kind)) + " frame");
    return;
  }
  const proto::WorkerFrame* message = transport::worker_frame(frame.payload);
  switch (message->message_type()) {
    case proto::WorkerMessage::WorkerWelcome:
      if (phase_ == Phase::AwaitingWelcome) return handle_welcome(*message->message_as_WorkerWelcome());
      break;
    case proto::WorkerMessage::WorkerRefused:
      if (phase_ == Phase::AwaitingWelcome) {
        const auto* refused = message->message_as_WorkerRefused();
        return stop(kExitRefused, std::string("handshake refused: ") + proto::EnumNameHandshakeError(refused->code()) +
                                      ": " + (refused->message() ? refused->message()->str() : ""));
      }
      break;
    case proto::WorkerMessage::Command:
      if (phase_ == Phase::Serving) return handle_command(*message->message_as_Command());
      break;
    default:
      break;
  }
  stop(kExitProtocol, std::string("unexpected ") + proto::EnumNameWorkerMessage(message->message_type()) +
                          " message from the gateway");
}

void WorkerProcess::handle_welcome(const proto::WorkerWelcome& welcome) {
  uv_timer_stop(&handshake_deadline_);
  std::vector<OptionPair> options;
  if (welcome.backend_options()) {
    for (const proto::KeyValue* pair : *welcome.backend_options()) {
      options.push_back({pair->key()->string_view(), pair->value()->string_view()});
    }
  }
  proto::HandshakeError code = proto::HandshakeError::None;
  std::string message;
  backend_ = make_backend(config_.backend, {config_.plugin_path, config_.replay_dir}, options, &code, &message);
  if (!backend_) {
    send_ready(code, message);
    stop(kExitBackend, message);
    return;
  }
  server_ = std::make_unique<MxServer>(*backend_, batcher_, [this] { schedule_round(wall_clock_ns()); });
  batcher_.set_buffered_sample_sink(
      [this](ItemKey key, BufferedSample sample) { server_->add_buffered_sample(key, std::move(sample)); });
  send_ready(proto::HandshakeError::None, {});
  phase_ = Phase::Serving;
}

void WorkerProcess::send_ready(proto::HandshakeError code, const std::string& message) {
  auto& fbb = control_builder_.fbb();
  const auto ready = proto::CreateWorkerReady(fbb, code == proto::HandshakeError::None, code,
                                              message.empty() ? 0 : fbb.CreateString(message));
  send_control(control_builder_.finish(proto::CreateWorkerFrame(fbb, proto::WorkerMessage::WorkerReady, ready.Union()),
                                       proto::WorkerFrameIdentifier()));
}

void WorkerProcess::handle_command(const proto::Command& command) {
  send_control(dispatch_command(*server_, command, control_builder_));
  // Write completions and changes the command caused leave right behind the reply.
  batcher_.seal();
  if (command.body_type() == proto::CommandBody::Shutdown) {
    stop(kExitOk, {});
    return;
  }
  schedule_round(wall_clock_ns());
}

// ---- production -------------------------------------------------------------

void WorkerProcess::schedule_round(int64_t due_ns) {
  if (phase_ != Phase::Serving || blocked_ || due_ns == kNoDeadline) return;
  const int64_t now = wall_clock_ns();
  if (due_ns <= now) {
    if (!round_pending_) {
      round_pending_ = true;
      uv_timer_stop(&round_later_);
      uv_idle_start(&round_now_, [](uv_idle_t* idle) { static_cast<WorkerProcess*>(idle->data)->run_round(); });
    }
    return;
  }
  if (round_pending_) return;  // a round runs this turn and reschedules
  // libuv timers count whole milliseconds: round up so the round never runs early.
  const uint64_t delay_ms = static_cast<uint64_t>((due_ns - now + 999'999) / 1'000'000);
  const uint64_t current = uv_timer_get_due_in(&round_later_);
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&round_later_)) && current <= delay_ms) return;
  uv_timer_start(
      &round_later_, [](uv_timer_t* t) { static_cast<WorkerProcess*>(t->data)->run_round(); }, delay_ms, 0);
}

void WorkerProcess::run_round() {
  round_pending_ = false;
  uv_idle_stop(&round_now_);
  uv_timer_stop(&round_later_);
  if (phase_ != Phase::Serving || blocked_) return;
  const int64_t now = wall_clock_ns();
  batcher_.start_round(config_.round_budget);
  const int64_t next_update = backend_->produce(now, batcher_);
  const int64_t next_buffered = server_->flush_buffered(now);
  batcher_.seal();
  schedule_round(std::min(next_update, next_buffered));
}

void WorkerProcess::on_backpressure(transport::StreamEndpoint&, bool blocked) {
  blocked_ = blocked;
  batcher_.set_blocked(blocked);
  if (blocked || phase_ != Phase::Serving) return;
  const int64_t now = wall_clock_ns();
  batcher_.note_coalesced(backend_->coalesce_backlog(now));
  schedule_round(now);
}

// ---- ending -----------------------------------------------------------------

void WorkerProcess::on_stream_error(transport::StreamEndpoint&, const Status& why) {
  if (why.is_ok()) {
    if (phase_ == Phase::Serving) return stop(kExitOk, "the gateway closed the connection");
    if (phase_ == Phase::Stopping) return;
    return stop(kExitConnection, "the gateway closed the connection during the handshake");
  }
  const bool broken_protocol = why.code() == ErrorCode::MalformedFrame || why.code() == ErrorCode::FrameTooLarge ||
                               why.code() == ErrorCode::UnknownMessage ||
                               why.code() == ErrorCode::ProtocolVersionMismatch;
  stop(broken_protocol ? kExitProtocol : kExitConnection, why.to_string());
}

void WorkerProcess::stop(int exit_code, const std::string& why) {
  if (phase_ == Phase::Stopping) return;
  phase_ = Phase::Stopping;
  exit_code_ = exit_code;
  if (!why.empty()) log_line(why);
  batcher_.seal();
  if (endpoint_) {
    endpoint_->close();  // flushes what is queued; on_closed finishes the job
  } else {
    close_handles();
  }
}

void WorkerProcess::on_closed(transport::StreamEndpoint&) {
  endpoint_ = nullptr;
  close_handles();
}

void WorkerProcess::close_handles() {
  for (uv_handle_t* h : loop_handles()) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }
}

}  // namespace mxgw::worker
