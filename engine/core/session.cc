// The session state machine, its commands, lease and ending.

#include "engine/core/session.h"

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::engine {

struct Session::PendingCommand {
  Session* session;
  uint64_t correlation_id;
  CommandCallback done;
  int64_t started_ns;
  uv_timer_t timer;

  void arm(uint64_t timeout_ms) {
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          auto* p = static_cast<PendingCommand*>(t->data);
          p->session->on_command_timeout(p->correlation_id);
        },
        timeout_ms, 0);
  }

  // Stops the timer and frees this once libuv lets go of it.
  void retire() {
    uv_timer_stop(&timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { delete static_cast<PendingCommand*>(h->data); });
  }
};

Session::Session(ShardContext& context, std::string id, Caller owner, OpenRequest request, OpenCallback on_open)
    : context_(context),
      owner_(std::move(owner)),
      request_(std::move(request)),
      on_open_(std::move(on_open)),
      distributor_({[this] { hold_back_events(true); }, [this] { hold_back_events(false); }},
                   {context.config.replay_window_events, context.config.replay_window_bytes}, context.shard_metrics) {
  const EngineConfig& config = context_.config;
  info_.session_id = std::move(id);
  info_.backend = request_.backend.empty() ? config.default_backend : request_.backend;
  info_.correlation_id = (request_.client_session_name.empty() ? std::string("client") : request_.client_session_name) +
                         "-" + info_.session_id;
  info_.owner = owner_.key_name;
  info_.shard = context_.shard.id();
  info_.command_timeout_ms = request_.command_timeout_ms > 0 ? request_.command_timeout_ms
                                                             : static_cast<int32_t>(config.default_command_timeout_ms);
  info_.lease_ms = config.lease_ms;
  info_.created_ns = wall_clock_ns();
}

Session::~Session() {
  // Commands still pending at destruction were answered by finish(); their timers
  // close on their own.
  for (auto& [id, pending] : pending_) pending->retire();
}

void Session::start() {
  const EngineConfig& config = context_.config;
  WorkerLaunch launch;
  launch.worker_path = context_.worker_path;
  launch.socket_path = context_.runtime_dir + "/" + info_.session_id + ".sock";
  launch.session_id = info_.session_id;
  launch.backend = info_.backend;
  if (auto plugin = config.plugins.find(info_.backend); plugin != config.plugins.end()) {
    launch.plugin_path = plugin->second;
  }
  launch.replay_dir = config.replay_dir;
  launch.backend_options = request_.backend_options;
  launch.startup_timeout_ms = config.startup_timeout_ms;
  launch.endpoint_options.max_payload_bytes = config.max_frame_bytes;
  open_started_ns_ = steady_clock_ns();
  set_state(proto::SessionState::StartingWorker, {});
  link_ =
      std::make_unique<WorkerLink>(context_.shard.loop(), std::move(launch), static_cast<WorkerLink::Observer*>(this));
  link_->start();
}

void Session::set_state(proto::SessionState state, const std::string& reason) {
  state_ = state;
  info_.state = state;
  info_.state_reason = reason;
  if (state != proto::SessionState::StartingWorker && state != proto::SessionState::Created) {
    distributor_.publish_state(state, reason, wall_clock_ns());
  }
}

bool Session::decide(SessionEnding ending, ErrorCode fault_code, const std::string& reason) {
  if (ending_) return false;
  ending_ = ending;
  fault_code_ = fault_code;
  ending_reason_ = reason;
  return true;
}

void Session::hold_back_events(bool hold) {
  events_held_back_ = hold;
  if (!link_) return;
  if (hold) {
    link_->pause_events();
  } else {
    link_->resume_events();
  }
}

void Session::renew_lease() { lease_expires_ns_ = steady_clock_ns() + int64_t{context_.config.lease_ms} * 1'000'000; }

void Session::hold_lease(bool hold) {
  if (hold) {
    ++lease_holds_;
  } else if (lease_holds_ > 0 && --lease_holds_ == 0) {
    renew_lease();
  }
}

// ---- the worker's side ------------------------------------------------------

void Session::on_ready(WorkerLink&) {
  renew_lease();
  info_.worker_pid = link_->pid();
  context_.metrics.opened.fetch_add(1, std::memory_order_relaxed);
  context_.metrics.open_latency_ns.record(static_cast<uint64_t>(steady_clock_ns() - open_started_ns_));
  set_state(proto::SessionState::Ready, {});
  if (auto open = std::exchange(on_open_, nullptr)) open({}, info());
}

void Session::on_fault(WorkerLink&, const Status& why) {
  if (state_ == proto::SessionState::StartingWorker) {
    decide(SessionEnding::Faulted, ErrorCode::OpenFailed, why.message());
    return;
  }
  if (!decide(SessionEnding::Faulted, why.code(), why.message())) return;
  set_state(proto::SessionState::Faulted, why.message());
  fail_pending({ErrorCode::SessionFaulted, "the session faulted: " + why.message()});
}

void Session::on_reply(WorkerLink&, const proto::Reply& reply, const transport::SharedBytes& frame) {
  const auto found = pending_.find(reply.correlation_id());
  if (found == pending_.end()) return;  // a reply after its timeout, or to Shutdown
  PendingCommand* pending = found->second;
  pending_.erase(found);
  context_.metrics.command_latency_ns.record(static_cast<uint64_t>(steady_clock_ns() - pending->started_ns));
  CommandCallback done = std::move(pending->done);
  pending->retire();
  done({{}, frame});
}

void Session::on_events(WorkerLink&, transport::Frame&& frame) {
  const proto::EventBatch* batch = transport::event_batch(frame.payload);
  const auto count = static_cast<uint32_t>(transport::event_count(*batch));
  events_in_ += count;
  context_.shard_metrics.events_in.add(count);
  context_.shard_metrics.frames_in.add(1);
  context_.shard_metrics.bytes_in.add(frame.payload.size());
  distributor_.publish(std::move(frame.payload), count, wall_clock_ns());
}

void Session::on_exit(WorkerLink&, int64_t, int) {
  // The link is still on the stack: finish on a later turn of the loop.
  context_.shard.post([this] { finish(); });
}

// ---- commands ---------------------------------------------------------------

void Session::invoke(proto::CommandT command, CommandCallback done) {
  if (state_ != proto::SessionState::Ready) {
    const bool gone = ending_.has_value();
    done({{gone ? ErrorCode::SessionFaulted : ErrorCode::OutOfOrder,
           gone ? "the session is ending: " + ending_reason_ : "the session is not ready"},
          {}});
    return;
  }
  command.correlation_id = next_correlation_++;
  link_->send_command(command_frame(command_builder_, command));
  context_.shard_metrics.commands.add(1);

  auto* pending = new PendingCommand{this, command.correlation_id, std::move(done), steady_clock_ns(), {}};
  uv_timer_init(context_.shard.loop(), &pending->timer);
  pending->timer.data = pending;
  pending->arm(static_cast<uint64_t>(info_.command_timeout_ms));
  pending_[command.correlation_id] = pending;
}

void Session::on_command_timeout(uint64_t correlation_id) {
  const auto found = pending_.find(correlation_id);
  if (found == pending_.end()) return;
  PendingCommand* pending = found->second;
  if (events_held_back_) {
    // A lossless subscriber holds the worker's stream still, and the reply waits in
    // it behind the events: the worker is not late, so its clock starts again.
    pending->arm(static_cast<uint64_t>(info_.command_timeout_ms));
    return;
  }
  pending_.erase(found);
  CommandCallback done = std::move(pending->done);
  pending->retire();
  const std::string why = "the worker did not answer command " + std::to_string(correlation_id) + " within " +
                          std::to_string(info_.command_timeout_ms) + " ms";
  done({{ErrorCode::CommandTimeout, why}, {}});
  // A worker that stops answering is faulted and stopped.
  if (decide(SessionEnding::Faulted, ErrorCode::CommandTimeout, why)) {
    set_state(proto::SessionState::Faulted, why);
    fail_pending({ErrorCode::SessionFaulted, "the session faulted: " + why});
    link_->kill();
  }
}

void Session::fail_pending(const Status& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, command] : pending) {
    CommandCallback done = std::move(command->done);
    command->retire();
    done({why, {}});
  }
}

// ---- ending -----------------------------------------------------------------

void Session::close(const std::string& reason, SessionEnding ending, CloseCallback done) {
  if (!decide(ending, ErrorCode::None, reason)) {
    done({}, true);
    return;
  }
  close_waiters_.push_back(std::move(done));
  if (state_ == proto::SessionState::Ready) set_state(proto::SessionState::Closing, reason);
  link_->shutdown(context_.config.shutdown_timeout_ms);
}

void Session::kill(const std::string& reason, DoneCallback done) {
  kill_waiters_.push_back(std::move(done));
  if (decide(SessionEnding::Killed, ErrorCode::None, reason) && state_ == proto::SessionState::Ready) {
    set_state(proto::SessionState::Closing, reason);
  }
  link_->kill();
}

void Session::finish() {
  if (!ending_) decide(SessionEnding::Faulted, ErrorCode::SessionFaulted, "the worker ended unexpectedly");
  fail_pending({ErrorCode::SessionFaulted, "the session ended: " + ending_reason_});
  if (state_ != proto::SessionState::Faulted && state_ != proto::SessionState::StartingWorker) {
    set_state(proto::SessionState::Closed, ending_reason_);
  } else {
    info_.state = state_ == proto::SessionState::StartingWorker ? proto::SessionState::Faulted : state_;
  }
  // Counted before the subscribers are ended: their end is a release store, so
  // whoever has seen a subscription end also sees how the session ended.
  context_.metrics.count_ending(*ending_, fault_code_);
  distributor_.end_all();
  // Everyone waiting is answered after the shard has let go of the session (its
  // slot is free again), so that whoever reacts to the answer finds it gone.
  auto open = std::exchange(on_open_, nullptr);
  auto closes = std::move(close_waiters_);
  auto kills = std::move(kill_waiters_);
  const Status open_failure{ErrorCode::OpenFailed,
                            ending_reason_.empty() ? "the session ended before its worker was ready" : ending_reason_};
  const SessionInfo last = info();
  context_.dispose(*this);  // destroys this session
  if (open) open(open_failure, last);
  for (CloseCallback& done : closes) done({}, false);
  for (DoneCallback& done : kills) done({});
}

SessionInfo Session::info() const {
  SessionInfo out = info_;
  out.subscribers = static_cast<uint32_t>(distributor_.subscribers());
  out.events_in = events_in_;
  out.events_out = distributor_.events_out();
  out.next_seq = distributor_.next_seq();
  if (lease_expires_ns_ > 0) out.lease_expires_ns = wall_clock_ns() + (lease_expires_ns_ - steady_clock_ns());
  return out;
}

}  // namespace mxgw::engine
