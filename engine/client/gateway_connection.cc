// The I/O thread's connection: handshake, request/answer matching, event routing,
// backpressure and endings.

#include "engine/client/gateway_connection.h"

#include <algorithm>
#include <string>
#include <utility>

#include <mxgw/transport/frame_verifier.h>

#include "engine/client/client_messages.h"
#include "engine/client/stream_connector.h"

namespace mxgw::client {
namespace {

// Whether `batch` ends its session's stream (a SessionStateEvent Closed or Faulted),
// and with which status.
bool ends_session(const proto::EventBatch& batch, Status* why) {
  const auto* states = batch.session_states();
  if (!states) return false;
  for (const auto* event : *states) {
    if (event->state() == proto::SessionState::Closed) {
      *why = {};
      return true;
    }
    if (event->state() == proto::SessionState::Faulted) {
      *why = {ErrorCode::SessionFaulted, event->reason() ? event->reason()->str() : "the session faulted"};
      return true;
    }
  }
  return false;
}

// Requests are checked against their deadline this often: a quarter of the timeout,
// within [10 ms, 1 s].
uint64_t sweep_period_ms(uint64_t timeout_ms) { return std::clamp<uint64_t>(timeout_ms / 4, 10, 1000); }

}  // namespace

GatewayConnection::GatewayConnection(uv_loop_t* loop, const ClientAddress& address, const ClientOptions& options,
                                     ClientShared* shared, std::function<void(Op&&)> post)
    : loop_(loop),
      address_(address),
      options_(options),
      shared_(shared),
      post_(std::move(post)),
      tracker_(options.request_timeout_ms) {
  uv_timer_init(loop_, &deadline_timer_);
  uv_timer_init(loop_, &sweep_timer_);
  uv_check_init(loop_, &notify_check_);
  deadline_timer_.data = this;
  sweep_timer_.data = this;
  notify_check_.data = this;
}

GatewayConnection::~GatewayConnection() = default;

// ---- connecting ---------------------------------------------------------------

void GatewayConnection::start(Completion<ServerInfo> hello_done) {
  hello_done_.emplace(std::move(hello_done));
  uv_timer_start(
      &deadline_timer_, [](uv_timer_t* t) { static_cast<GatewayConnection*>(t->data)->on_deadline(); },
      options_.connect_timeout_ms, 0);
  if (tracker_.timeout_ms() != 0) {
    const uint64_t period = sweep_period_ms(tracker_.timeout_ms());
    uv_timer_start(
        &sweep_timer_,
        [](uv_timer_t* t) {
          auto* self = static_cast<GatewayConnection*>(t->data);
          self->tracker_.expire(uv_now(self->loop_),
                                {ErrorCode::CommandTimeout, "no answer from the gateway within " +
                                                                std::to_string(self->tracker_.timeout_ms()) + " ms"});
        },
        period, period);
  }
  connector_ = StreamConnector::start(loop_, address_, options_.stream,
                                      [this](const Status& status, transport::StreamEndpoint* endpoint) {
                                        connector_ = nullptr;
                                        on_connected(status, endpoint);
                                      });
}

void GatewayConnection::on_connected(const Status& status, transport::StreamEndpoint* endpoint) {
  if (!status.is_ok()) {
    enter_closed(status);
    return;
  }
  if (state_ != State::Connecting) {  // closed meanwhile; nothing will use it
    endpoint->abort();
    return;
  }
  endpoint_ = endpoint;
  state_ = State::Handshaking;
  endpoint_->start(this);
  if (state_ != State::Handshaking) return;  // failed at once
  hello_request_id_ = shared_->take_request_id();
  endpoint_->send(transport::FrameKind::ClientControl, build_hello(hello_request_id_, options_));
}

void GatewayConnection::on_deadline() {
  if (state_ == State::Connecting) {
    if (connector_) connector_->cancel();
    connector_ = nullptr;
    enter_closed({ErrorCode::CommandTimeout, "no connection to " + address_.to_string() + " within " +
                                                 std::to_string(options_.connect_timeout_ms) + " ms"});
  } else if (state_ == State::Handshaking) {
    enter_closed({ErrorCode::CommandTimeout, "the gateway at " + address_.to_string() +
                                                 " did not answer Hello within " +
                                                 std::to_string(options_.connect_timeout_ms) + " ms"});
  }
}

void GatewayConnection::on_hello_answer(const proto::ClientFrame& frame) {
  Result<ServerInfo> result;
  result.status = answer_status(frame, proto::ClientMessage::HelloAccepted);
  if (result.ok()) {
    read_answer(frame, &result.value);
    if (result.value.protocol_version != transport::kProtocolVersion) {
      result.status = {ErrorCode::ProtocolVersionMismatch,
                       "the gateway speaks protocol version " + std::to_string(result.value.protocol_version) +
                           ", this client " + std::to_string(transport::kProtocolVersion)};
    }
  }
  if (!result.ok()) {
    enter_closed(result.status);
    return;
  }
  state_ = State::Open;
  max_frame_bytes_ = result.value.max_frame_bytes;
  uv_timer_stop(&deadline_timer_);
  shared_->set_open();
  auto done = std::move(*hello_done_);
  hello_done_.reset();
  done(std::move(result));
}

void GatewayConnection::fail_hello(const Status& why) {
  if (!hello_done_) return;
  auto done = std::move(*hello_done_);
  hello_done_.reset();
  done.fail(why);
}

// ---- requests -----------------------------------------------------------------

void GatewayConnection::handle(Op&& op) {
  if (op.kind == Op::Kind::Resume) {
    resume();
    return;
  }
  if (op.kind == Op::Kind::Credit) {
    grant_credit(op.subscription_id, op.credit_frames);
    return;
  }
  if (op.detach_subscription_id != 0) detach(op.detach_subscription_id);
  send_request(std::move(op));
}

void GatewayConnection::send_request(Op&& op) {
  if (state_ != State::Open) {
    op.pending->fail(closed_status_);
    return;
  }
  if (max_frame_bytes_ != 0 && op.payload.size() > max_frame_bytes_) {
    op.pending->fail({ErrorCode::FrameTooLarge, "a request of " + std::to_string(op.payload.size()) +
                                                    " bytes is larger than the gateway's limit of " +
                                                    std::to_string(max_frame_bytes_)});
    return;
  }
  tracker_.add(op.request_id, std::move(op.pending), uv_now(loop_));
  endpoint_->send(transport::FrameKind::ClientControl, std::move(op.payload));
}

// ---- incoming -------------------------------------------------------------------

void GatewayConnection::on_frame(transport::StreamEndpoint& /*endpoint*/, transport::Frame&& frame) {
  if (state_ == State::Closed) return;
  if (frame.kind == transport::FrameKind::ClientEvents) {
    on_events(std::move(frame.payload));
  } else if (frame.kind == transport::FrameKind::ClientControl) {
    on_control(frame.payload);
  } else {
    enter_closed({ErrorCode::UnknownMessage, std::string("the gateway sent a ") +
                                                 std::string(transport::frame_kind_name(frame.kind)) +
                                                 " frame, which has no place on a client connection"});
  }
}

void GatewayConnection::on_control(const transport::SharedBytes& payload) {
  const proto::ClientFrame& frame = *transport::client_frame(payload);
  const uint64_t request_id = frame.request_id();
  if (request_id == 0) {
    on_connection_message(frame);
    return;
  }
  if (state_ == State::Handshaking) {
    if (request_id == hello_request_id_) on_hello_answer(frame);
    return;
  }
  std::unique_ptr<PendingRequest> pending = tracker_.take(request_id);
  if (!pending) {
    // An answer after its request timed out, or to nothing this client sent.
    shared_->bump(shared_->unmatched_answers);
    return;
  }
  pending->complete(*this, frame);
}

void GatewayConnection::on_connection_message(const proto::ClientFrame& frame) {
  const auto* error = frame.message_as_Error();
  if (!error) return;  // nothing else is addressed to the connection as a whole
  const Status status(error->code() == ErrorCode::None ? ErrorCode::Internal : error->code(),
                      error->message() ? error->message()->str() : std::string());
  shared_->set_server_error(status);
  // The gateway closes after a connection-level error; nothing more will be answered.
  enter_closed(status);
}

void GatewayConnection::on_events(transport::SharedBytes&& payload) {
  shared_->bump(shared_->event_frames);
  const proto::ClientEventPrefix& prefix = *transport::client_event_prefix(payload);
  std::shared_ptr<EventStream>* slot = find_stream(prefix.subscription_id());
  if (!slot) {
    shared_->bump(shared_->discarded_frames);
    return;
  }
  const std::shared_ptr<EventStream>& stream = *slot;
  Status end_status;
  const bool last = ends_session(*transport::client_event_batch(payload), &end_status);
  EventFrame frame{prefix.subscription_id(), prefix.first_seq(),       prefix.event_count(),
                   prefix.flags(),           prefix.gateway_time_ns(), std::move(payload)};
  if (stream->offer(std::move(frame))) {
    schedule_notify(stream);
  } else {
    stalled_ = stream;
    shared_->bump(shared_->stalls);
    endpoint_->pause_reading();
  }
  if (last) {
    stream->end_after_held(end_status);
    forget_stream(prefix.subscription_id());
  }
}

// ---- subscriptions ----------------------------------------------------------------

std::shared_ptr<EventStream> GatewayConnection::attach(uint64_t subscription_id, SubscribeOptions&& options) {
  auto stream = std::make_shared<EventStream>(
      subscription_id, options.ring_frames, std::move(options.on_ready),
      [post = post_] {
        Op op;
        op.kind = Op::Kind::Resume;
        post(std::move(op));
      },
      [post = post_, subscription_id](uint32_t frames) {
        Op op;
        op.kind = Op::Kind::Credit;
        op.subscription_id = subscription_id;
        op.credit_frames = frames;
        post(std::move(op));
      });
  if (std::shared_ptr<EventStream>* existing = find_stream(subscription_id)) {
    // The gateway reused an id this client still knew: the old stream is over.
    (*existing)->end_now({});
    forget_stream(subscription_id);
  }
  streams_.emplace(subscription_id, stream);
  return stream;
}

std::shared_ptr<EventStream>* GatewayConnection::find_stream(uint64_t subscription_id) {
  if (cached_ && cached_id_ == subscription_id) return cached_;
  auto found = streams_.find(subscription_id);
  if (found == streams_.end()) return nullptr;
  cached_id_ = subscription_id;
  cached_ = &found->second;
  return cached_;
}

void GatewayConnection::forget_stream(uint64_t subscription_id) {
  if (cached_ && cached_id_ == subscription_id) cached_ = nullptr;
  streams_.erase(subscription_id);
}

void GatewayConnection::detach(uint64_t subscription_id) {
  std::shared_ptr<EventStream>* slot = find_stream(subscription_id);
  if (!slot) return;
  std::shared_ptr<EventStream> stream = *slot;
  forget_stream(subscription_id);
  // Frames still on their way for it are discarded from here on: the application
  // asked to stop, and must not have to drain a ring to be heard.
  stream->end_now({});
  if (stalled_ == stream) {
    stalled_.reset();
    if (endpoint_) endpoint_->resume_reading();
  }
}

void GatewayConnection::resume() {
  if (!stalled_ || !stalled_->resume_held()) return;
  std::shared_ptr<EventStream> stream = std::move(stalled_);
  stalled_.reset();
  schedule_notify(stream);
  if (endpoint_ && state_ == State::Open) endpoint_->resume_reading();
}

void GatewayConnection::grant_credit(uint64_t subscription_id, uint32_t frames) {
  // A stream detached meanwhile wants nothing more; on a closed connection there is
  // nobody to tell.
  if (state_ != State::Open || !find_stream(subscription_id)) return;
  endpoint_->send(transport::FrameKind::ClientControl, build_grant_credit(subscription_id, frames));
}

void GatewayConnection::schedule_notify(const std::shared_ptr<EventStream>& stream) {
  if (!stream->mark_notify_due()) return;
  notify_.push_back(stream);
  if (notify_.size() == 1) {
    uv_check_start(&notify_check_,
                   [](uv_check_t* check) { static_cast<GatewayConnection*>(check->data)->run_notifications(); });
  }
}

void GatewayConnection::run_notifications() {
  uv_check_stop(&notify_check_);
  // Swapped out first: an on_ready callback may lead to more frames being scheduled.
  std::vector<std::shared_ptr<EventStream>> due;
  due.swap(notify_);
  for (const auto& stream : due) {
    if (stream->notify_due()) stream->notify_consumer();
  }
  due.clear();
  if (notify_.empty()) notify_.swap(due);  // keep the capacity
}

// ---- endings ------------------------------------------------------------------------

void GatewayConnection::on_stream_error(transport::StreamEndpoint& /*endpoint*/, const Status& why) {
  if (state_ == State::Closed) return;
  if (why.is_ok()) {
    enter_closed({ErrorCode::Internal, "the gateway closed the connection"});
  } else {
    enter_closed({why.code(), "connection to the gateway lost: " + why.message()});
  }
}

void GatewayConnection::on_closed(transport::StreamEndpoint& /*endpoint*/) {
  endpoint_ = nullptr;
  if (state_ != State::Closed) enter_closed({ErrorCode::Internal, "the connection to the gateway closed"});
}

void GatewayConnection::enter_closed(const Status& why) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  closed_status_ = why;
  shared_->set_closed(why);
  uv_timer_stop(&deadline_timer_);
  uv_timer_stop(&sweep_timer_);
  fail_hello(why);
  tracker_.fail_all(why);
  // A stalled stream keeps its held frame: the consumer still gets everything that
  // was read, and the stream ends after it.
  for (auto& [id, stream] : streams_) stream->end_after_held(why);
  streams_.clear();
  cached_ = nullptr;
  if (endpoint_) endpoint_->close();
}

void GatewayConnection::shutdown() {
  const Status why{ErrorCode::ShuttingDown, "the client was closed"};
  if (connector_) {
    connector_->cancel();
    connector_ = nullptr;
  }
  if (stalled_) {
    stalled_->end_now(why);
    stalled_.reset();
  }
  enter_closed(why);
  run_notifications();
  if (!handles_closed_) {
    handles_closed_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sweep_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&notify_check_), nullptr);
  }
}

}  // namespace mxgw::client
